// psample-cpp drop monitor, layer 3: DropMonitor, NET_DM's client of the
// event core: its description and hints, owner mode, and what it reports.
#include "psample/dropmon/drop_monitor.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "dropmon/dropmon_state.hpp"

namespace psample::dropmon {

namespace detail {

const events::FamilyDescription drop_monitor_events{
    family_name,
    "load the drop monitor module (modprobe drop_monitor); it serves the initial network namespace only",
    {events_group_name},
    1,
    "CAP_SYS_ADMIN (kernels >= 6.7 and their stable updates)",
    nullptr};

}  // namespace detail

namespace {

// True when the calling thread is known to be outside the initial network
// namespace (PID 1's), where NET_DM does not exist. (A thread's namespace:
// setns() may have moved it alone.) Unknown (false) where PID 1's namespace
// cannot be read, as in many containers.
bool outside_initial_namespace() noexcept {
  struct stat ours {};
  struct stat initial {};
  if (stat("/proc/thread-self/ns/net", &ours) != 0 && stat("/proc/self/ns/net", &ours) != 0) return false;
  if (stat("/proc/1/ns/net", &initial) != 0) return false;
  return ours.st_ino != initial.st_ino || ours.st_dev != initial.st_dev;
}

// The family is missing. If the module is loaded (/sys/module lists every
// loaded module), or this thread is known to be in another namespace, the
// namespace is the reason; else the default hint names both.
Error with_namespace_hint(const Error& error) noexcept {
  if (error.code() != ErrorCode::family_not_found) return error;
  struct stat module {};
  if (stat("/sys/module/drop_monitor", &module) == 0)
    return Error(ErrorCode::family_not_found, error.system_errno(),
                 "NET_DM not found though drop_monitor is loaded: it serves only the initial network namespace, "
                 "not this one: run there (nsenter -t 1 -n)");
  if (outside_initial_namespace())
    return Error(ErrorCode::family_not_found, error.system_errno(),
                 "NET_DM not found: it serves only the initial network namespace, not this one: run there "
                 "(nsenter -t 1 -n) with drop_monitor loaded (modprobe drop_monitor)");
  return error;
}

bool is_errno(const Error& error, int value) noexcept { return error.system_errno() == value; }

}  // namespace

void DropMonitor::StateDeleter::operator()(State* state) const noexcept {
  state->~State();
  std::free(state);
}

DropMonitor::DropMonitor(StatePtr state) noexcept : state_(std::move(state)) {}
DropMonitor::DropMonitor(DropMonitor&&) noexcept = default;
DropMonitor& DropMonitor::operator=(DropMonitor&& other) noexcept {
  if (this != &other) {
    if (state_) (void)stop();
    state_ = std::move(other.state_);
  }
  return *this;
}
DropMonitor::~DropMonitor() {
  if (state_) (void)stop();
}

Result<DropMonitor> DropMonitor::open(const DropMonitorOptions& options) noexcept {
  if (auto valid = events::EventCore::validate(events::core_options_of(options), max_drop_datagram); !valid)
    return valid.error();
  void* memory = std::malloc(sizeof(State));
  if (memory == nullptr) return Error(ErrorCode::system, ENOMEM, "out of memory for a DropMonitor");
  StatePtr state(new (memory) State(options, options.datagrams_per_syscall));
  if (!state->core.allocated(options.datagrams_per_syscall))
    return Error(ErrorCode::system, ENOMEM, "out of memory for a DropMonitor with %zu slots of %zu bytes",
                 options.datagrams_per_syscall, options.datagram_bytes);
  if (auto opened = state->core.open(detail::drop_monitor_events, nullptr); !opened)
    return with_namespace_hint(opened.error());
  state->control.set_family(state->core.family.id);
  if (options.start_software || options.start_hardware) {
    if (auto owned = state->take_ownership(); !owned) return owned.error();
  }
  auto baseline = state->control.stats();
  if (baseline) state->queue_baseline = *baseline;
  return DropMonitor(std::move(state));
}

Result<void> DropMonitor::State::take_ownership() noexcept {
  State& state = *this;
  const DropMonitorOptions& o = state.options;
  size_t noted = 0;
  auto note = [&](const char* text) {
    const int n =
        std::snprintf(state.start_note + noted, sizeof state.start_note - noted, "%s%s", noted == 0 ? "" : "; ", text);
    if (n > 0) noted = std::min(sizeof state.start_note - 1, noted + static_cast<size_t>(n));
  };
  auto configured = state.control.configure(o.alert_mode, o.trunc_len, o.queue_len);
  if (!configured && is_errno(configured.error(), EBUSY)) {
    note("the drop monitor was already running with another program's settings: they were kept");
  } else if (!configured) {
    if (configured.error().code() == ErrorCode::permission_denied)
      return Error(ErrorCode::permission_denied, EPERM,
                   "starting the drop monitor needs CAP_NET_ADMIN: run as root or grant the capability (or "
                   "listen passively, which needs no start)");
    return configured.error();
  }
  const bool wanted[2] = {o.start_software, o.start_hardware};
  for (int hardware = 0; hardware < 2; ++hardware) {
    if (!wanted[hardware]) continue;
    auto started = state.control.start(hardware == 1);
    if (started) {
      (hardware ? state.started_hardware : state.started_software) = true;
    } else if (is_errno(started.error(), EAGAIN)) {
      note(hardware ? "hardware drops were already being monitored by another program: listening without taking over"
                    : "software drops were already being monitored by another program: listening without taking over");
    } else if (hardware && is_errno(started.error(), EOPNOTSUPP)) {
      note("this kernel cannot monitor hardware drops (built without devlink)");
    } else {
      if (state.started_software) (void)state.control.stop(false);  // nothing half-started is left behind
      state.started_software = false;
      return started.error();
    }
  }
  return {};
}

Result<DropMonitor> DropMonitor::detached(uint16_t family_id, const DropMonitorOptions& options) noexcept {
  if (auto valid = events::EventCore::validate(events::core_options_of(options), max_drop_datagram); !valid)
    return valid.error();
  void* memory = std::malloc(sizeof(State));
  if (memory == nullptr) return Error(ErrorCode::system, ENOMEM, "out of memory for a DropMonitor");
  StatePtr state(new (memory) State(options, 0));
  if (auto attached = state->core.attach(detail::drop_monitor_events, netlink::Socket(), family_id); !attached)
    return attached.error();
  state->control.set_family(family_id);
  return DropMonitor(std::move(state));
}

Result<void> DropMonitor::stop() noexcept {
  State& state = *state_;
  Result<void> result;
  // Hardware first, as the kernel's own STOP of both does.
  if (state.started_hardware) {
    auto stopped = state.control.stop(true);
    if (!stopped) result = stopped;
    state.started_hardware = false;
  }
  if (state.started_software) {
    auto stopped = state.control.stop(false);
    if (!stopped) result = stopped;
    state.started_software = false;
  }
  return result;
}

size_t DropMonitor::process_with(ByteView datagram, uint32_t sender_port, DropHandler on_drop,
                                 const SummaryHandler* on_summary) noexcept {
  return state_->process(datagram, sender_port, on_drop, on_summary);
}

Result<size_t> DropMonitor::receive_with(DropHandler on_drop, const SummaryHandler* on_summary,
                                         std::chrono::milliseconds timeout) noexcept {
  State& state = *state_;
  return state.core.receive(
      [&](ByteView datagram, uint32_t sender_port) {
        return state.process(datagram, sender_port, on_drop, on_summary);
      },
      timeout);
}

DropMonitorStats DropMonitor::stats() const noexcept {
  State& state = *state_;
  DropMonitorStats stats = state.stats;
  events::add_core_counters(stats, state.core.counters);
  if (state.core.socket.is_open()) {
    if (auto drops = state.core.socket.kernel_drops(); drops) stats.kernel_drops = *drops;
    if (auto now = state.control.stats(); now && state.queue_baseline) {
      // A module reload starts the kernel's counts again at 0.
      const QueueStats& then = *state.queue_baseline;
      stats.queue_drops = now->software_dropped >= then.software_dropped ? now->software_dropped - then.software_dropped
                                                                         : now->software_dropped;
      stats.hardware_queue_drops = now->hardware_dropped >= then.hardware_dropped
                                       ? now->hardware_dropped - then.hardware_dropped
                                       : now->hardware_dropped;
    }
  }
  return stats;
}

Result<MonitorState> DropMonitor::state() const noexcept {
  State& state = *state_;
  auto config = state.control.config();
  if (!config) return config.error();
  MonitorState now;
  now.config = *config;
  auto probe = state.control.probe();
  if (probe)
    now.monitoring = false;
  else if (is_errno(probe.error(), EBUSY))
    now.monitoring = true;
  return now;
}

bool DropMonitor::started_software() const noexcept { return state_->started_software; }
bool DropMonitor::started_hardware() const noexcept { return state_->started_hardware; }
const char* DropMonitor::start_note() const noexcept { return state_->start_note; }
int DropMonitor::fd() const noexcept { return state_->core.socket.fd(); }
int DropMonitor::receive_buffer_bytes() const noexcept { return state_->core.receive_buffer_bytes; }
const netlink::FamilyInfo& DropMonitor::family() const noexcept { return state_->core.family; }

}  // namespace psample::dropmon
