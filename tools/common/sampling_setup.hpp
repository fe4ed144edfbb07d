// psample-cpp tools: --sample, --sample-egress and --sample-pattern, the
// sampling rules a tool sets up at start (and, for a pattern, as interfaces
// appear) and removes at exit (psample-cpp-sampling underneath).
#pragma once

#include <regex.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "exit_status.hpp"
#include "psample/receiver.hpp"
#include "psample/sampling/link_watcher.hpp"
#include "psample/sampling/sampling_rules.hpp"

namespace tools {

// The rate when neither IFACE:RATE nor --sample-rate gives one: 1 in 1000,
// as sFlow's guidance has it for 1 Gb/s links.
constexpr uint32_t default_sampling_rate = 1000;

struct SampleSpec {
  std::string interface;
  psample::sampling::Direction direction = psample::sampling::Direction::ingress;
  uint32_t rate = 0;  // 0: the run's default rate
};

// Parses IFACE[:RATE] into `out` (RATE 1-4294967295); false with `error`
// set for anything else.
bool parse_sample_spec(const char* text, psample::sampling::Direction direction, SampleSpec& out, std::string& error);

// Ingress rules sample to `group`, egress rules to `group + 1` (the
// convention of switch agents, so the two directions stay apart).
uint32_t group_for(psample::sampling::Direction direction, uint32_t group);

struct SamplingPlan {
  std::vector<SampleSpec> specs;  // --sample, --sample-egress
  std::string pattern;            // --sample-pattern: POSIX extended regex ("" for none)
  uint32_t default_rate = default_sampling_rate;
  uint32_t group = 1;
  uint32_t trunc = 0;
  bool empty() const { return specs.empty() && pattern.empty(); }
};

// Checks a --sample-pattern; false with `error` set when it does not compile.
bool check_pattern(const std::string& pattern, std::string& error);

// The rules of one run: apply() adds each (a failure removes those already
// added and says what to do) and, with a pattern, samples every interface
// whose name matches; follow() (called often, cheap) adds and forgets rules
// as such interfaces come and go; remove() (and the destructor) takes away
// ours, and the clsact qdiscs this run created.
class SamplingSetup {
 public:
  SamplingSetup() = default;
  SamplingSetup(const SamplingSetup&) = delete;
  SamplingSetup& operator=(const SamplingSetup&) = delete;
  ~SamplingSetup();

  // Once per run: a second call does nothing and returns exit_ok.
  ExitStatus apply(const char* tool, const SamplingPlan& plan);
  // With a pattern: the link notifications since the last look (at most
  // every 100 ms; no system call in between).
  void follow(const char* tool);
  // Removes every rule this run added; `tool` non-null: says what it did.
  void remove(const char* tool);
  // A reload: `plan` takes the running plan's place. A rule whose
  // interface, direction, rate, group and truncation are unchanged is not
  // touched; one whose rate changed is replaced on its hook; one no longer
  // configured is removed; new ones are added; a changed pattern is followed
  // from now. An interface that cannot be sampled is told and left out (the
  // other rules stay); returns the first such failure's status.
  ExitStatus update(const char* tool, const SamplingPlan& plan);

 private:
  struct Hook {
    std::string interface;
    uint32_t ifindex;
    psample::sampling::Direction direction;
    bool from_pattern;
    uint32_t rate;  // as installed
  };
  ExitStatus add(const char* tool, const std::string& interface, uint32_t ifindex,
                 psample::sampling::Direction direction, uint32_t rate, bool from_pattern);
  bool matches(const char* name) const;
  void on_link(const char* tool, const psample::sampling::LinkEvent& e);
  void resync(const char* tool);

  SamplingPlan plan_;
  std::unique_ptr<psample::sampling::SamplingRules> rules_;
  std::unique_ptr<psample::sampling::LinkWatcher> links_;
  regex_t pattern_{};
  bool pattern_compiled_ = false;
  std::chrono::steady_clock::time_point next_look_{};
  std::vector<Hook> added_;
  bool applied_ = false;
};

// Opens the Receiver. On a host where psample is not loaded yet, the rules
// go in first (the kernel loads act_sample, and psample with it), then the
// Receiver: a bare host needs no modprobe.
psample::Result<psample::Receiver> open_receiver(const char* tool, const psample::ReceiverOptions& options,
                                                 SamplingSetup& sampling, const SamplingPlan& plan, ExitStatus& status);

}  // namespace tools
