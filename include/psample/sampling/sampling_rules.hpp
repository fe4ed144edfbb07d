// psample-cpp sampling rules: tc matchall + sample over rtnetlink, set up by
// this library and owning only its own rules. Its own static library
// (psample-cpp-sampling), so a receive-only program pays nothing for it.
//
// A rule is a `matchall` filter on an interface's clsact ingress or egress
// hook whose one action is `sample` (rate, psample group, truncation). Ours
// carry the action cookie (TCA_ACT_COOKIE, 16 bytes): an 8-byte owner tag
// and an 8-byte instance id, so list() tells ours from everyone else's,
// remove() deletes only ours, and add() replaces our stale rules (a crashed
// run's) instead of doubling them. The clsact qdisc is created when the
// interface has none, and removed again only when we created it and no
// filter is left on it (remembered in SamplingOptions::state_directory, when
// given, so that a run after a crash removes it too).
#pragma once

#include <net/if.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "psample/function_ref.hpp"
#include "psample/result.hpp"

namespace psample::sampling {

enum class Direction : uint8_t { ingress, egress };

struct Rule {
  uint32_t ifindex = 0;
  char interface[IF_NAMESIZE] = {};  // used when ifindex is 0: looked up in the socket's namespace
  Direction direction = Direction::ingress;
  uint32_t rate = 1000;   // 1 in N
  uint32_t group = 1;     // psample group
  uint32_t trunc = 0;     // header bytes kept (0: whole packets)
  bool skip_sw = false;   // TCA_CLS_FLAGS_SKIP_SW: in hardware only
  bool skip_hw = false;   // TCA_CLS_FLAGS_SKIP_HW: in software only
  uint16_t priority = 0;  // tc preference (0: the kernel chooses)
};

// A sampling filter as the kernel lists it.
struct InstalledRule {
  Rule rule;
  uint32_t handle = 0;    // the filter's handle
  uint16_t priority = 0;  // its preference, as the kernel set it
  uint32_t action_index = 0;
  bool in_hardware = false;  // TCA_CLS_FLAGS_IN_HW
  bool ours = false;         // its cookie starts with our owner tag
  uint64_t instance = 0;     // ours: the instance id in the cookie
  uint8_t cookie[16] = {};
  uint8_t cookie_length = 0;
};

struct SamplingOptions {
  // The cookie's first 8 bytes mark a rule as ours; any run with the same
  // tag owns it (and replaces it after a crash).
  uint8_t owner_tag[8] = {'p', 's', 'a', 'm', 'p', 'l', 'e', 'c'};
  uint64_t instance = 0;  // the cookie's last 8 bytes (0: this process's pid)
  // Where to remember, across a crash, which clsact qdiscs we created (one
  // empty file per interface index), so a later run removes them too.
  // nullptr: in this object only. The tools use "/run/psample-cpp".
  const char* state_directory = nullptr;
};

class SamplingRules {
 public:
  // Opens an rtnetlink socket in the calling thread's network namespace
  // (psample::in_netns() for another one); every call uses that socket.
  static Result<SamplingRules> open(const SamplingOptions& options = {}) noexcept;
  SamplingRules(SamplingRules&&) noexcept;
  SamplingRules& operator=(SamplingRules&&) noexcept;
  ~SamplingRules();

  // Adds `rule`: the clsact qdisc if the interface has none, our stale
  // rules on that hook removed, then the filter. Errors name the fix:
  // modules to load (sch_ingress, cls_matchall, act_sample), no such
  // interface, CAP_NET_ADMIN, another program's filter at that priority.
  Result<InstalledRule> add(const Rule& rule) noexcept;
  // The index of the interface named `name` in this object's network
  // namespace (RTM_GETLINK over its socket, so in_netns() is honoured; the C
  // library's if_nametoindex() asks the calling thread's namespace).
  Result<uint32_t> ifindex_of(const char* name) noexcept;
  // Calls on_rule for each sampling filter (matchall + sample) on the hook,
  // ours and others'; returns how many. Other filters are not listed.
  Result<size_t> list(uint32_t ifindex, Direction direction, FunctionRef<void(const InstalledRule&)> on_rule) noexcept;
  // Removes our rules on the hook (others' are untouched), then the clsact
  // qdisc if this object created it and no filter is left on either hook.
  // Returns how many rules it removed.
  Result<size_t> remove(uint32_t ifindex, Direction direction) noexcept;

 private:
  struct State;
  explicit SamplingRules(std::unique_ptr<State> state) noexcept;
  std::unique_ptr<State> state_;
};

}  // namespace psample::sampling
