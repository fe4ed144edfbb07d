#include "receiver_summary.hpp"

#include <cinttypes>
#include <vector>

namespace tools {

std::string receiver_figures(const psample::ReceiverStats& s) {
  char drops[32] = "n/a";
  if (s.kernel_drops) std::snprintf(drops, sizeof drops, "%" PRIu64, *s.kernel_drops);
  char text[512];
  std::snprintf(text, sizeof text,
                "lost=%" PRIu64 " overruns=%" PRIu64 " kernel_drops=%s truncated=%" PRIu64 " malformed=%" PRIu64
                " ignored=%" PRIu64 " group_events=%" PRIu64 " duplicates=%" PRIu64 " resyncs=%" PRIu64
                " untracked=%" PRIu64 "%s",
                s.lost, s.overruns, drops, s.truncated, s.malformed, s.ignored(), s.group_events, s.duplicates,
                s.sequence_resyncs, s.untracked_samples, s.resubscriptions ? " resubscribed=yes" : "");
  return text;
}

void print_group_lines(FILE* out, const char* tool, const psample::Receiver& receiver) {
  std::vector<psample::GroupCounters> groups(psample::max_tracked_groups);
  groups.resize(std::min(receiver.group_counters(groups.data(), groups.size()), groups.size()));
  for (const psample::GroupCounters& g : groups)
    std::fprintf(out,
                 "%s: group=%" PRIu32 " samples=%" PRIu64 " lost=%" PRIu64 " last_seq=%" PRIu32 " duplicates=%" PRIu64
                 " resyncs=%" PRIu64 "\n",
                 tool, g.group, g.samples, g.lost, g.last_seq, g.duplicates, g.resyncs);
}

}  // namespace tools
