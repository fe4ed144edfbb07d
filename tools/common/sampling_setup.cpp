#include "sampling_setup.hpp"

#include <net/if.h>

#include <cerrno>
#include <cstdio>

#include "parse_number.hpp"

namespace tools {

using psample::sampling::Direction;

namespace {

// Which clsact qdiscs a run created, kept across a crash (tmpfs: a reboot
// forgets it with the qdiscs).
constexpr const char* state_directory = "/run/psample-cpp";

const char* direction_name(Direction d) { return d == Direction::ingress ? "ingress" : "egress"; }

}  // namespace

bool parse_sample_spec(const char* text, Direction direction, SampleSpec& out, std::string& error) {
  const std::string spec(text ? text : "");
  const size_t colon = spec.rfind(':');
  out = SampleSpec();
  out.direction = direction;
  out.interface = spec.substr(0, colon);
  if (out.interface.empty() || out.interface.size() >= IF_NAMESIZE) {
    error = "wants IFACE[:RATE], IFACE an interface name of 1-15 characters";
    return false;
  }
  if (colon != std::string::npos) {
    unsigned long long rate = 0;
    if (!parse_number(spec.c_str() + colon + 1, 0xffffffffull, rate) || rate == 0) {
      error = "wants IFACE[:RATE], RATE 1 in N with N from 1 to 4294967295";
      return false;
    }
    out.rate = uint32_t(rate);
  }
  return true;
}

uint32_t group_for(Direction direction, uint32_t group) { return direction == Direction::ingress ? group : group + 1; }

ExitStatus SamplingSetup::apply(const char* tool, const std::vector<SampleSpec>& specs, uint32_t group,
                                uint32_t trunc) {
  if (specs.empty() || applied_) return exit_ok;
  applied_ = true;
  if (!rules_) {
    psample::sampling::SamplingOptions options;
    options.state_directory = state_directory;
    auto opened = psample::sampling::SamplingRules::open(options);
    if (!opened) return report(tool, opened.error());
    rules_.reset(new psample::sampling::SamplingRules(std::move(*opened)));
  }
  for (const SampleSpec& spec : specs) {
    const unsigned ifindex = if_nametoindex(spec.interface.c_str());
    if (ifindex == 0) {
      std::fprintf(stderr, "%s: --sample %s: no such interface in this network namespace (ip link show)\n", tool,
                   spec.interface.c_str());
      remove(tool);
      return exit_usage;
    }
    psample::sampling::Rule rule;
    rule.ifindex = ifindex;
    rule.direction = spec.direction;
    rule.rate = spec.rate;
    rule.group = group_for(spec.direction, group);
    rule.trunc = trunc;
    auto added = rules_->add(rule);
    if (!added) {
      std::fprintf(stderr, "%s: sampling %s %s: %s\n", tool, spec.interface.c_str(), direction_name(spec.direction),
                   added.error().message());
      if (*added.error().kernel_message() != '\0')
        std::fprintf(stderr, "%s: kernel says: %s\n", tool, added.error().kernel_message());
      const ExitStatus status = exit_status_for(added.error());
      remove(tool);
      return status;
    }
    added_.push_back(Hook{spec.interface, ifindex, spec.direction});
    std::fprintf(stderr, "%s: sampling %s %s 1 in %u to group %u, %u header bytes (tc priority %u)\n", tool,
                 spec.interface.c_str(), direction_name(spec.direction), unsigned(rule.rate), unsigned(rule.group),
                 unsigned(trunc), unsigned(added->priority));
  }
  return exit_ok;
}

void SamplingSetup::remove(const char* tool) {
  for (const Hook& hook : added_) {
    auto removed = rules_->remove(hook.ifindex, hook.direction);
    if (!tool) continue;
    if (removed)
      std::fprintf(stderr, "%s: removed the sampling rule on %s %s\n", tool, hook.interface.c_str(),
                   direction_name(hook.direction));
    else if (removed.error().system_errno() != ENODEV)  // the interface went away, and the rule with it
      std::fprintf(stderr, "%s: removing the sampling rule on %s %s: %s\n", tool, hook.interface.c_str(),
                   direction_name(hook.direction), removed.error().message());
  }
  added_.clear();
}

psample::Result<psample::Receiver> open_receiver(const char* tool, const psample::ReceiverOptions& options,
                                                 SamplingSetup& sampling, const std::vector<SampleSpec>& specs,
                                                 uint32_t group, uint32_t trunc, ExitStatus& status) {
  status = exit_ok;
  auto opened = psample::Receiver::open(options);
  if (opened || opened.error().code() != psample::ErrorCode::family_not_found || specs.empty()) return opened;
  status = sampling.apply(tool, specs, group, trunc);
  if (status != exit_ok) return opened;
  return psample::Receiver::open(options);
}

}  // namespace tools
