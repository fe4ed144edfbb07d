#include "sampling_setup.hpp"

#include <net/if.h>

#include <cerrno>
#include <cstdio>

#include "parse_number.hpp"

namespace tools {

using psample::sampling::Direction;
using psample::sampling::LinkEvent;

namespace {

// Which clsact qdiscs a run created, kept across a crash (tmpfs: a reboot
// forgets it with the qdiscs).
constexpr const char* state_directory = "/run/psample-cpp";
constexpr std::chrono::milliseconds follow_interval(100);

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

bool check_pattern(const std::string& pattern, std::string& error) {
  regex_t compiled;
  const int failed = regcomp(&compiled, pattern.c_str(), REG_EXTENDED | REG_NOSUB);
  if (failed != 0) {
    char text[128];
    regerror(failed, &compiled, text, sizeof text);
    error = text;
    return false;
  }
  regfree(&compiled);
  return true;
}

SamplingSetup::~SamplingSetup() {
  remove(nullptr);
  if (pattern_compiled_) regfree(&pattern_);
}

bool SamplingSetup::matches(const char* name) const {
  return pattern_compiled_ && name[0] != '\0' && regexec(&pattern_, name, 0, nullptr, 0) == 0;
}

ExitStatus SamplingSetup::add(const char* tool, const std::string& interface, uint32_t ifindex, Direction direction,
                              uint32_t rate, bool from_pattern) {
  psample::sampling::Rule rule;
  rule.ifindex = ifindex;
  rule.direction = direction;
  rule.rate = rate != 0 ? rate : plan_.default_rate;
  rule.group = group_for(direction, plan_.group);
  rule.trunc = plan_.trunc;
  auto added = rules_->add(rule);
  if (!added) {
    std::fprintf(stderr, "%s: sampling %s %s: %s\n", tool, interface.c_str(), direction_name(direction),
                 added.error().message());
    if (*added.error().kernel_message() != '\0')
      std::fprintf(stderr, "%s: kernel says: %s\n", tool, added.error().kernel_message());
    return exit_status_for(added.error());
  }
  added_.push_back(Hook{interface, ifindex, direction, from_pattern, rule.rate});
  std::fprintf(stderr, "%s: sampling %s %s 1 in %u to group %u, %u header bytes (tc priority %u)%s\n", tool,
               interface.c_str(), direction_name(direction), unsigned(rule.rate), unsigned(rule.group),
               unsigned(rule.trunc), unsigned(added->priority),
               from_pattern ? ", its name matches --sample-pattern" : "");
  return exit_ok;
}

ExitStatus SamplingSetup::apply(const char* tool, const SamplingPlan& plan) {
  if (plan.empty() || applied_) return exit_ok;
  applied_ = true;
  plan_ = plan;
  psample::sampling::SamplingOptions options;
  options.state_directory = state_directory;
  auto opened = psample::sampling::SamplingRules::open(options);
  if (!opened) return report(tool, opened.error());
  rules_.reset(new psample::sampling::SamplingRules(std::move(*opened)));
  for (const SampleSpec& spec : plan_.specs) {
    auto ifindex = rules_->ifindex_of(spec.interface.c_str());
    ExitStatus status = exit_usage;
    if (!ifindex)
      std::fprintf(stderr, "%s: --sample %s: %s\n", tool, spec.interface.c_str(), ifindex.error().message());
    else
      status = add(tool, spec.interface, *ifindex, spec.direction, spec.rate, false);
    if (status != exit_ok) {
      remove(tool);
      return status;
    }
  }
  if (plan_.pattern.empty()) return exit_ok;
  pattern_compiled_ = regcomp(&pattern_, plan_.pattern.c_str(), REG_EXTENDED | REG_NOSUB) == 0;
  auto watcher = psample::sampling::LinkWatcher::open();
  if (!watcher) {
    remove(tool);
    return report(tool, watcher.error());
  }
  links_.reset(new psample::sampling::LinkWatcher(std::move(*watcher)));
  // Listening first, then the list: an interface that appears in between
  // comes twice (present twice is harmless), never not at all.
  resync(tool);
  next_look_ = std::chrono::steady_clock::now() + follow_interval;
  return exit_ok;
}

// The state again from a dump: every matching interface sampled, every
// followed one that is gone forgotten.
void SamplingSetup::resync(const char* tool) {
  std::vector<LinkEvent> present;
  auto listed = links_->list([&](const LinkEvent& e) { present.push_back(e); });
  if (!listed) {
    std::fprintf(stderr, "%s: --sample-pattern: listing interfaces: %s\n", tool, listed.error().message());
    return;
  }
  for (size_t i = 0; i < added_.size();) {
    bool there = false;
    for (const LinkEvent& e : present) there = there || e.ifindex == added_[i].ifindex;
    if (added_[i].from_pattern && !there) {
      LinkEvent gone;
      gone.kind = LinkEvent::Kind::removed;
      gone.ifindex = added_[i].ifindex;
      on_link(tool, gone);
    } else {
      ++i;
    }
  }
  for (const LinkEvent& e : present) on_link(tool, e);
}

void SamplingSetup::on_link(const char* tool, const LinkEvent& e) {
  Hook* known = nullptr;
  for (Hook& hook : added_)
    if (hook.ifindex == e.ifindex && hook.from_pattern) known = &hook;
  const bool wanted = e.kind == LinkEvent::Kind::present && matches(e.name);
  if (known && !wanted) {
    const std::string name = known->interface;
    const Direction direction = known->direction;
    for (size_t i = 0; i < added_.size(); ++i)
      if (&added_[i] == known) added_.erase(added_.begin() + long(i));
    if (e.kind == LinkEvent::Kind::removed) {
      (void)rules_->remove(e.ifindex, direction);  // ENODEV: only forgets the clsact it made
      std::fprintf(stderr, "%s: %s is gone, and its sampling rule with it\n", tool, name.c_str());
    } else {
      auto removed = rules_->remove(e.ifindex, direction);
      std::fprintf(stderr, "%s: %s is now %s, which does not match --sample-pattern: %s\n", tool, name.c_str(), e.name,
                   removed ? "its sampling rule removed" : removed.error().message());
    }
  } else if (known && wanted) {
    known->interface = e.name;  // a rename to a name that still matches
  } else if (wanted) {
    for (const Hook& hook : added_)
      if (hook.ifindex == e.ifindex && hook.direction == Direction::ingress) return;  // given with --sample already
    (void)add(tool, e.name, e.ifindex, Direction::ingress, 0, true);
  }
}

void SamplingSetup::follow(const char* tool) {
  if (!links_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_look_) return;
  next_look_ = now + follow_interval;
  auto polled = links_->poll([&](const LinkEvent& e) { on_link(tool, e); });
  if (!polled) resync(tool);  // notifications lost (overrun): learn the state again
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
  links_.reset();
}

ExitStatus SamplingSetup::update(const char* tool, const SamplingPlan& plan) {
  if (!rules_) {  // nothing was set up yet
    applied_ = false;
    return apply(tool, plan);
  }
  const SamplingPlan old = plan_;
  plan_ = plan;
  // Every rule changes when its group or truncation does.
  const bool reshaped = plan.group != old.group || plan.trunc != old.trunc;
  const bool pattern_changed = reshaped || plan.pattern != old.pattern || plan.default_rate != old.default_rate;
  struct Wanted {
    std::string interface;
    uint32_t ifindex;
    Direction direction;
    uint32_t rate;
  };
  std::vector<Wanted> wanted;
  ExitStatus status = exit_ok;
  for (const SampleSpec& spec : plan.specs) {
    auto ifindex = rules_->ifindex_of(spec.interface.c_str());
    if (!ifindex) {
      std::fprintf(stderr, "%s: --sample %s: %s\n", tool, spec.interface.c_str(), ifindex.error().message());
      if (status == exit_ok) status = exit_usage;
      continue;
    }
    wanted.push_back(Wanted{spec.interface, *ifindex, spec.direction, spec.rate != 0 ? spec.rate : plan.default_rate});
  }
  const auto wanted_on = [&](uint32_t ifindex, Direction direction) {
    for (const Wanted& w : wanted)
      if (w.ifindex == ifindex && w.direction == direction) return &w;
    return static_cast<const Wanted*>(nullptr);
  };
  // The running rules that do not stay as they are: removed, unless a
  // wanted rule takes their hook (add() replaces ours there).
  for (size_t i = 0; i < added_.size();) {
    const Hook& hook = added_[i];
    const Wanted* same_hook = hook.from_pattern ? nullptr : wanted_on(hook.ifindex, hook.direction);
    const bool stays = hook.from_pattern ? !pattern_changed : !reshaped && same_hook && same_hook->rate == hook.rate;
    if (stays) {
      ++i;
      continue;
    }
    if (!same_hook) {
      auto removed = rules_->remove(hook.ifindex, hook.direction);
      std::fprintf(stderr, "%s: reload: %s the sampling rule on %s %s\n", tool,
                   removed ? "removed" : "could not remove", hook.interface.c_str(), direction_name(hook.direction));
    }
    added_.erase(added_.begin() + long(i));
  }
  // The wanted rules not running: added.
  for (const Wanted& w : wanted) {
    bool running = false;
    for (const Hook& hook : added_)
      running = running || (!hook.from_pattern && hook.ifindex == w.ifindex && hook.direction == w.direction);
    if (running) continue;
    const ExitStatus added = add(tool, w.interface, w.ifindex, w.direction, w.rate, false);
    if (added != exit_ok && status == exit_ok) status = added;
  }
  if (pattern_changed) {
    if (pattern_compiled_) regfree(&pattern_);
    pattern_compiled_ = false;
    links_.reset();
    if (!plan.pattern.empty()) {
      pattern_compiled_ = regcomp(&pattern_, plan.pattern.c_str(), REG_EXTENDED | REG_NOSUB) == 0;
      auto watcher = psample::sampling::LinkWatcher::open();
      if (!watcher) return report(tool, watcher.error());
      links_.reset(new psample::sampling::LinkWatcher(std::move(*watcher)));
      resync(tool);
      next_look_ = std::chrono::steady_clock::now() + follow_interval;
    }
  }
  return status;
}

psample::Result<psample::Receiver> open_receiver(const char* tool, const psample::ReceiverOptions& options,
                                                 SamplingSetup& sampling, const SamplingPlan& plan,
                                                 ExitStatus& status) {
  status = exit_ok;
  auto opened = psample::Receiver::open(options);
  if (opened || opened.error().code() != psample::ErrorCode::family_not_found || plan.empty()) return opened;
  status = sampling.apply(tool, plan);
  if (status != exit_ok) return opened;
  return psample::Receiver::open(options);
}

}  // namespace tools
