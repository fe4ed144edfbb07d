#include "source_metrics.hpp"

#include <string>
#include <vector>

#include "psample/version.hpp"

namespace tools {

void add_process_metrics(MetricsText& m, std::time_t started) {
  m.family("start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.");
  m.sample(double(started));
  m.family("build_info", "gauge", "The psample-cpp library version this tool was built with (value 1).");
  m.sample(uint64_t(1), "version", PSAMPLE_CPP_VERSION);
}

void add_receiver_metrics(MetricsText& m, const psample::Receiver& receiver) {
  std::vector<psample::GroupCounters> groups(psample::max_tracked_groups);
  groups.resize(std::min(receiver.group_counters(groups.data(), groups.size()), groups.size()));
  m.family("samples_total", "counter", "psample samples delivered, per sampling group.");
  for (const auto& g : groups) m.sample(g.samples, "group", std::to_string(g.group));
  m.family("lost_total", "counter", "psample samples lost, per group: the gaps in GROUP_SEQ.");
  for (const auto& g : groups) m.sample(g.lost, "group", std::to_string(g.group));
  m.family("duplicates_total", "counter", "psample samples whose GROUP_SEQ was seen before, per group.");
  for (const auto& g : groups) m.sample(g.duplicates, "group", std::to_string(g.group));
  m.family("resyncs_total", "counter", "GROUP_SEQ jumps not counted as loss (a restart, a wrap), per group.");
  for (const auto& g : groups) m.sample(g.resyncs, "group", std::to_string(g.group));

  const psample::ReceiverStats s = receiver.stats();
  m.family("sample_bytes_total", "counter", "Packet bytes (DATA) of the psample samples delivered.");
  m.sample(s.bytes);
  m.family("untracked_samples_total", "counter", "psample samples of groups past the tracked ones (no loss figures).");
  m.sample(s.untracked_samples);
  m.family("overruns_total", "counter", "Times the receive socket's buffer overflowed (ENOBUFS).");
  m.sample(s.overruns);
  if (s.kernel_drops) {
    m.family("kernel_drops_total", "counter", "Messages the kernel dropped for the receive socket (SO_MEMINFO).");
    m.sample(*s.kernel_drops);
  }
  m.family("truncated_total", "counter", "Datagrams larger than the receive slot, skipped.");
  m.sample(s.truncated);
  m.family("malformed_total", "counter", "Datagrams or messages that broke netlink's or psample's rules.");
  m.sample(s.malformed);
  m.family("ignored_total", "counter", "Messages not taken, by reason.");
  m.sample(s.ignored_sender, "reason", "sender");
  m.sample(s.ignored_command, "reason", "command");
  m.sample(s.ignored_family, "reason", "family");
  m.family("resubscriptions_total", "counter", "Times psample came back (module reloaded) and was joined again.");
  m.sample(s.resubscriptions);
}

void add_drop_monitor_metrics(MetricsText& m, const psample::dropmon::DropMonitorStats& s) {
  m.family("drop_monitor_drops_total", "counter", "Dropped packets the drop monitor (NET_DM) delivered.");
  m.sample(s.drops);
  m.family("drop_monitor_lost_total", "counter",
           "Drop alerts lost, by where: rate limit, the kernel's queues, our socket.");
  m.sample(s.rate_limited, "where", "rate_limit");
  if (s.queue_drops) m.sample(*s.queue_drops, "where", "queue");
  if (s.hardware_queue_drops) m.sample(*s.hardware_queue_drops, "where", "hardware_queue");
  if (s.kernel_drops) m.sample(*s.kernel_drops, "where", "socket");
  m.family("drop_monitor_overruns_total", "counter", "Times the drop monitor socket's buffer overflowed (ENOBUFS).");
  m.sample(s.overruns);
  m.family("drop_monitor_malformed_total", "counter", "Drop monitor messages that broke the rules.");
  m.sample(s.malformed);
  m.family("drop_monitor_counted_drops_total", "counter",
           "Drops only counted, in the drop monitor's summary alerts (its summary mode).");
  m.sample(s.summary_drops);
}

}  // namespace tools
