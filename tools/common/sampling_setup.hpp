// psample-cpp tools: --sample and --sample-egress, the sampling rules a tool
// sets up at start and removes at exit (psample-cpp-sampling underneath).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "exit_status.hpp"
#include "psample/receiver.hpp"
#include "psample/sampling/sampling_rules.hpp"

namespace tools {

// What --sample gives when IFACE has no :RATE: 1 in 1000, as sFlow's
// guidance has it for 1 Gb/s links.
constexpr uint32_t default_sampling_rate = 1000;

struct SampleSpec {
  std::string interface;
  psample::sampling::Direction direction = psample::sampling::Direction::ingress;
  uint32_t rate = default_sampling_rate;
};

// Parses IFACE[:RATE] into `out` (RATE 1-4294967295); false with `error`
// set for anything else.
bool parse_sample_spec(const char* text, psample::sampling::Direction direction, SampleSpec& out, std::string& error);

// Ingress rules sample to `group`, egress rules to `group + 1` (the
// convention of switch agents, so the two directions stay apart).
uint32_t group_for(psample::sampling::Direction direction, uint32_t group);

// The rules of one run: apply() adds each (a failure removes those already
// added and says what to do), remove() (and the destructor) takes away
// ours, and the clsact qdiscs that apply() created.
class SamplingSetup {
 public:
  SamplingSetup() = default;
  SamplingSetup(const SamplingSetup&) = delete;
  SamplingSetup& operator=(const SamplingSetup&) = delete;
  ~SamplingSetup() { remove(nullptr); }

  // Once per run: a second call does nothing and returns exit_ok.
  ExitStatus apply(const char* tool, const std::vector<SampleSpec>& specs, uint32_t group, uint32_t trunc);
  // Removes every rule apply() added; `tool` non-null: says what it did.
  void remove(const char* tool);

 private:
  std::unique_ptr<psample::sampling::SamplingRules> rules_;
  struct Hook {
    std::string interface;
    uint32_t ifindex;
    psample::sampling::Direction direction;
  };
  std::vector<Hook> added_;
  bool applied_ = false;
};

// Opens the Receiver. On a host where psample is not loaded yet, --sample's
// rules go in first (the kernel loads act_sample, and psample with it), then
// the Receiver: a bare host needs no modprobe.
psample::Result<psample::Receiver> open_receiver(const char* tool, const psample::ReceiverOptions& options,
                                                 SamplingSetup& sampling, const std::vector<SampleSpec>& specs,
                                                 uint32_t group, uint32_t trunc, ExitStatus& status);

}  // namespace tools
