// psample-cpp sampling rules (see sampling_rules.hpp): the tc requests over
// rtnetlink. Numbers from the kernel's uapi headers (linux/rtnetlink.h,
// linux/pkt_sched.h, linux/pkt_cls.h, linux/tc_act/tc_sample.h).
#include "psample/sampling/sampling_rules.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_sample.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <vector>

#include "psample/netlink/attribute.hpp"
#include "psample/netlink/exchange.hpp"
#include "psample/netlink/message.hpp"
#include "psample/netlink/request_builder.hpp"
#include "psample/netlink/socket.hpp"

namespace psample::sampling {

namespace {

constexpr size_t cookie_size = 16;

uint32_t hook_parent(Direction d) {
  return TC_H_MAKE(TC_H_CLSACT, d == Direction::ingress ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS);
}

tcmsg tc_header(uint32_t ifindex, uint32_t parent, uint32_t handle, uint32_t info) {
  tcmsg t{};
  t.tcm_family = AF_UNSPEC;
  t.tcm_ifindex = int(ifindex);
  t.tcm_parent = parent;
  t.tcm_handle = handle;
  t.tcm_info = info;
  return t;
}

ByteView bytes_of(const tcmsg& t) { return ByteView(reinterpret_cast<const uint8_t*>(&t), sizeof t); }

// The module a missing-kind error points at, from the kernel's extended-ack
// text ("TC classifier not found", "Failed to load TC action module",
// "Specified qdisc kind is unknown").
const char* missing_module(const char* kernel, uint16_t type) {
  if (type == RTM_NEWQDISC) return "sch_ingress";
  if (std::strstr(kernel, "ction")) return "act_sample";
  if (std::strstr(kernel, "lassifier") || std::strstr(kernel, "filter")) return "cls_matchall";
  return "cls_matchall act_sample";
}

// The error, with what to do for the errnos the kernel gives for each cause;
// the kernel's own text stays with it.
Error with_fix(const Error& error, const char* what, uint16_t type, uint32_t ifindex) {
  const int e = error.system_errno();
  const char* kernel = error.kernel_message();
  Error fixed = error;
  if (e == EPERM)
    fixed = Error(ErrorCode::permission_denied, e, "%s: changing tc rules needs CAP_NET_ADMIN: run as root", what);
  else if (e == ENODEV)
    fixed =
        Error(ErrorCode::invalid_argument, e, "%s: no interface with index %u (ip link show)", what, unsigned(ifindex));
  else if (e == ENOENT && type != RTM_DELTFILTER && type != RTM_DELQDISC && type != RTM_GETTFILTER &&
           (std::strstr(kernel, "not found") || std::strstr(kernel, "unknown") || std::strstr(kernel, "load")))
    fixed = Error(ErrorCode::kernel_error, e, "%s: a tc module is missing: modprobe %s", what,
                  missing_module(kernel, type));
  else
    return error;
  fixed.set_kernel_message(kernel, unsigned(std::strlen(kernel)));
  return fixed;
}

void put_cookie(uint8_t (&cookie)[cookie_size], const SamplingOptions& o, uint64_t instance) {
  std::memcpy(cookie, o.owner_tag, 8);
  for (int i = 0; i < 8; ++i) cookie[8 + i] = uint8_t(instance >> (56 - 8 * i));
}

// One sampling filter from a filter dump message; false for anything else.
bool parse_filter(const netlink::Message& m, const SamplingOptions& o, Direction direction, InstalledRule& out) {
  if (m.type != RTM_NEWTFILTER || m.payload.size() < sizeof(tcmsg)) return false;
  tcmsg t;
  std::memcpy(&t, m.payload.data(), sizeof t);
  InstalledRule r;
  r.rule.ifindex = uint32_t(t.tcm_ifindex);
  r.rule.direction = direction;
  r.handle = t.tcm_handle;
  r.priority = uint16_t(TC_H_MAJ(t.tcm_info) >> 16);
  r.rule.priority = r.priority;
  bool matchall = false, sample = false;
  netlink::AttributeReader top(m.payload.subview(NLMSG_ALIGN(sizeof(tcmsg))));
  netlink::Attribute a;
  while (top.next(a)) {
    if (a.type() == TCA_KIND) matchall = a.as_string() == std::optional<std::string_view>("matchall");
    if (a.type() != TCA_OPTIONS) continue;
    netlink::AttributeReader options = a.nested();
    netlink::Attribute o_attr;
    while (options.next(o_attr)) {
      if (o_attr.type() == TCA_MATCHALL_FLAGS) {
        const uint32_t flags = o_attr.as_u32().value_or(0);
        r.rule.skip_hw = flags & TCA_CLS_FLAGS_SKIP_HW;
        r.rule.skip_sw = flags & TCA_CLS_FLAGS_SKIP_SW;
        r.in_hardware = flags & TCA_CLS_FLAGS_IN_HW;
      }
      if (o_attr.type() != TCA_MATCHALL_ACT) continue;
      netlink::AttributeReader actions = o_attr.nested();
      netlink::Attribute action;
      while (actions.next(action)) {
        bool is_sample = false;
        InstalledRule candidate = r;
        netlink::AttributeReader fields = action.nested();
        netlink::Attribute f;
        while (fields.next(f)) {
          if (f.type() == TCA_ACT_KIND) is_sample = f.as_string() == std::optional<std::string_view>("sample");
          if (f.type() == TCA_ACT_COOKIE && f.payload().size() <= cookie_size) {
            candidate.cookie_length = uint8_t(f.payload().size());
            std::memcpy(candidate.cookie, f.payload().data(), f.payload().size());
          }
          if (f.type() != TCA_ACT_OPTIONS) continue;
          netlink::AttributeReader sample_fields = f.nested();
          netlink::Attribute s;
          while (sample_fields.next(s)) {
            if (s.type() == TCA_SAMPLE_RATE) candidate.rule.rate = s.as_u32().value_or(0);
            if (s.type() == TCA_SAMPLE_PSAMPLE_GROUP) candidate.rule.group = s.as_u32().value_or(0);
            if (s.type() == TCA_SAMPLE_TRUNC_SIZE) candidate.rule.trunc = s.as_u32().value_or(0);
            if (s.type() == TCA_SAMPLE_PARMS && s.payload().size() >= sizeof(uint32_t))
              candidate.action_index = netlink::load_u32(s.payload().data());
          }
        }
        if (is_sample && !sample) {
          sample = true;
          r = candidate;
        }
      }
    }
  }
  if (!matchall || !sample) return false;
  r.ours = r.cookie_length == cookie_size && std::memcmp(r.cookie, o.owner_tag, 8) == 0;
  for (int i = 0; i < 8 && r.ours; ++i) r.instance = r.instance << 8 | r.cookie[8 + i];
  out = r;
  return true;
}

}  // namespace

struct SamplingRules::State {
  SamplingOptions options;
  netlink::Socket socket;
  std::vector<uint8_t> scratch = std::vector<uint8_t>(65536);
  std::vector<uint32_t> created_qdiscs;  // ifindexes whose clsact we created

  // The state directory's file for an interface's clsact; false when none.
  bool state_file(uint32_t ifindex, char (&path)[256]) const {
    const char* dir = options.state_directory;
    if (dir == nullptr || dir[0] == '\0') return false;
    const int n = std::snprintf(path, sizeof path, "%s/clsact-%u", dir, unsigned(ifindex));
    return n > 0 && size_t(n) < sizeof path;
  }
  bool created(uint32_t ifindex) const {
    for (uint32_t i : created_qdiscs)
      if (i == ifindex) return true;
    return false;
  }
  // Ours from now on (and in the state directory, best effort: without it
  // only a crash forgets).
  void remember_created(uint32_t ifindex) {
    if (!created(ifindex)) created_qdiscs.push_back(ifindex);
    char path[256];
    if (!state_file(ifindex, path)) return;
    mkdir(options.state_directory, 0755);
    const int fd = ::open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) close(fd);
  }
  // A clsact that was there already: ours if a crashed run left its file.
  void recover_created(uint32_t ifindex) {
    char path[256];
    if (!created(ifindex) && state_file(ifindex, path) && access(path, F_OK) == 0) created_qdiscs.push_back(ifindex);
  }
  void forget_created(uint32_t ifindex) {
    for (size_t i = 0; i < created_qdiscs.size(); ++i)
      if (created_qdiscs[i] == ifindex) created_qdiscs.erase(created_qdiscs.begin() + long(i));
    char path[256];
    if (state_file(ifindex, path)) unlink(path);
  }

  // Deletes one filter (gone already is fine).
  Result<void> delete_filter(const InstalledRule& r) {
    const uint32_t ifindex = r.rule.ifindex;
    const tcmsg header = tc_header(ifindex, hook_parent(r.rule.direction), r.handle,
                                   TC_H_MAKE(uint32_t(r.priority) << 16, htons(ETH_P_ALL)));
    auto removed = request(RTM_DELTFILTER, netlink::flag_ack, header, "RTM_DELTFILTER", ifindex,
                           [](netlink::RequestBuilder& b) { b.put_string(TCA_KIND, "matchall"); });
    if (!removed && removed.error().system_errno() != ENOENT) return removed.error();
    return {};
  }

  // Removes the clsact qdisc when we created it and no filter is left on
  // either of its hooks.
  Result<void> remove_qdisc_if_unused(uint32_t ifindex);

  MutableByteView scratch_view() { return MutableByteView(scratch.data(), scratch.size()); }

  Result<void> request(uint16_t type, uint16_t flags, const tcmsg& header, const char* what, uint32_t ifindex,
                       FunctionRef<void(netlink::RequestBuilder&)> attributes,
                       FunctionRef<Result<void>(const netlink::Message&)> on_reply) {
    uint8_t buffer[512];
    netlink::RequestBuilder b(MutableByteView(buffer, sizeof buffer));
    b.begin(type, uint16_t(netlink::flag_request | flags), socket.next_sequence());
    b.put_family_header(bytes_of(header));
    attributes(b);
    auto message = b.finish();
    if (!message) return message.error();
    auto done = netlink::exchange(socket, *message, scratch_view(), what, on_reply);
    if (!done) return with_fix(done.error(), what, type, ifindex);
    return {};
  }
  Result<void> request(uint16_t type, uint16_t flags, const tcmsg& header, const char* what, uint32_t ifindex,
                       FunctionRef<void(netlink::RequestBuilder&)> attributes) {
    return request(type, flags, header, what, ifindex, attributes,
                   [](const netlink::Message&) -> Result<void> { return {}; });
  }
};

Result<void> SamplingRules::State::remove_qdisc_if_unused(uint32_t ifindex) {
  if (!created(ifindex)) return {};
  size_t left = 0;
  for (Direction d : {Direction::ingress, Direction::egress}) {
    auto any = request(
        RTM_GETTFILTER, netlink::flag_dump, tc_header(ifindex, hook_parent(d), 0, 0), "RTM_GETTFILTER", ifindex,
        [](netlink::RequestBuilder&) {},
        [&](const netlink::Message& m) -> Result<void> {
          if (m.type == RTM_NEWTFILTER) ++left;
          return {};
        });
    if (!any) {
      const int e = any.error().system_errno();
      if (e == ENODEV || e == EINVAL || e == ENOENT) break;  // the interface or its qdisc is gone already
      return any.error();
    }
  }
  if (left != 0) return {};
  auto gone = request(RTM_DELQDISC, netlink::flag_ack, tc_header(ifindex, TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0), 0),
                      "RTM_DELQDISC", ifindex, [](netlink::RequestBuilder& b) { b.put_string(TCA_KIND, "clsact"); });
  const int e = gone ? 0 : gone.error().system_errno();
  if (!gone && e != ENOENT && e != EINVAL && e != ENODEV) return gone.error();
  forget_created(ifindex);
  return {};
}

SamplingRules::SamplingRules(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
SamplingRules::SamplingRules(SamplingRules&&) noexcept = default;
SamplingRules& SamplingRules::operator=(SamplingRules&&) noexcept = default;
SamplingRules::~SamplingRules() = default;

Result<SamplingRules> SamplingRules::open(const SamplingOptions& options) noexcept {
  auto socket = netlink::Socket::open(NETLINK_ROUTE);
  if (!socket) return socket.error();
  std::unique_ptr<State> state(new (std::nothrow) State);
  if (!state) return Error(ErrorCode::system, ENOMEM, "out of memory for SamplingRules");
  state->options = options;
  if (state->options.instance == 0) state->options.instance = uint64_t(getpid());
  state->socket = std::move(*socket);
  (void)state->socket.set_extended_ack(true);
  return SamplingRules(std::move(state));
}

Result<size_t> SamplingRules::list(uint32_t ifindex, Direction direction,
                                   FunctionRef<void(const InstalledRule&)> on_rule) noexcept {
  State& s = *state_;
  size_t count = 0;
  auto listed = s.request(
      RTM_GETTFILTER, netlink::flag_dump, tc_header(ifindex, hook_parent(direction), 0, 0), "RTM_GETTFILTER", ifindex,
      [](netlink::RequestBuilder&) {},
      [&](const netlink::Message& m) -> Result<void> {
        InstalledRule r;
        if (parse_filter(m, s.options, direction, r)) {
          ++count;
          on_rule(r);
        }
        return {};
      });
  // No clsact qdisc: no hook, so no rules (the kernel says EINVAL or ENOENT).
  if (!listed) {
    const int e = listed.error().system_errno();
    if (e == EINVAL || e == ENOENT) return size_t(0);
    return listed.error();
  }
  return count;
}

Result<size_t> SamplingRules::remove(uint32_t ifindex, Direction direction) noexcept {
  State& s = *state_;
  s.recover_created(ifindex);
  std::vector<InstalledRule> ours;
  auto listed = list(ifindex, direction, [&](const InstalledRule& r) {
    if (r.ours) ours.push_back(r);
  });
  if (!listed) {
    if (listed.error().system_errno() == ENODEV) s.forget_created(ifindex);  // gone, and its qdisc with it
    return listed.error();
  }
  for (const InstalledRule& r : ours) {
    auto removed = s.delete_filter(r);
    if (!removed) return removed.error();
  }
  auto qdisc = s.remove_qdisc_if_unused(ifindex);
  if (!qdisc) return qdisc.error();
  return ours.size();
}

Result<uint32_t> SamplingRules::ifindex_of(const char* name) noexcept {
  State& s = *state_;
  const size_t length = name == nullptr ? 0 : strnlen(name, IF_NAMESIZE);
  if (length == 0 || length >= IF_NAMESIZE)
    return Error(ErrorCode::invalid_argument, EINVAL, "an interface name of 1 to %d characters, please",
                 IF_NAMESIZE - 1);
  uint8_t buffer[128];
  netlink::RequestBuilder b(MutableByteView(buffer, sizeof buffer));
  b.begin(RTM_GETLINK, netlink::flag_request, s.socket.next_sequence());
  ifinfomsg info{};
  info.ifi_family = AF_UNSPEC;
  b.put_family_header(ByteView(reinterpret_cast<const uint8_t*>(&info), sizeof info));
  b.put_string(IFLA_IFNAME, name);
  auto message = b.finish();
  if (!message) return message.error();
  uint32_t index = 0;
  auto done = netlink::exchange(s.socket, *message, s.scratch_view(), "RTM_GETLINK",
                                [&](const netlink::Message& m) -> Result<void> {
                                  if (m.type == RTM_NEWLINK && m.payload.size() >= sizeof(ifinfomsg)) {
                                    std::memcpy(&info, m.payload.data(), sizeof info);
                                    index = uint32_t(info.ifi_index);
                                  }
                                  return {};
                                });
  if (!done) {
    if (done.error().system_errno() == ENODEV)
      return Error(ErrorCode::invalid_argument, ENODEV,
                   "no interface named '%s' in this network namespace (ip link show)", name);
    return done.error();
  }
  if (index == 0) return Error(ErrorCode::kernel_error, ENODEV, "RTM_GETLINK for '%s' named no interface", name);
  return index;
}

Result<InstalledRule> SamplingRules::add(const Rule& asked) noexcept {
  State& s = *state_;
  Rule rule = asked;
  if (rule.ifindex == 0) {
    char name[IF_NAMESIZE + 1] = {};
    std::memcpy(name, rule.interface, sizeof rule.interface);
    auto index = ifindex_of(name);
    if (!index) return index.error();
    rule.ifindex = *index;
  }
  if (rule.rate == 0) return Error(ErrorCode::invalid_argument, EINVAL, "a sampling rate of 0: give 1 in N, N >= 1");
  if (rule.skip_hw && rule.skip_sw)
    return Error(ErrorCode::invalid_argument, EINVAL, "skip_sw and skip_hw together would sample nowhere");
  // 1. clsact, unless the interface has it.
  auto qdisc = s.request(RTM_NEWQDISC, uint16_t(netlink::flag_ack | NLM_F_CREATE | NLM_F_EXCL),
                         tc_header(rule.ifindex, TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0), 0), "RTM_NEWQDISC (clsact)",
                         rule.ifindex, [](netlink::RequestBuilder& b) { b.put_string(TCA_KIND, "clsact"); });
  const bool created_now = bool(qdisc);
  if (qdisc)
    s.remember_created(rule.ifindex);
  else if (qdisc.error().system_errno() == EEXIST)
    s.recover_created(rule.ifindex);
  else
    return qdisc.error();
  // 2. Our stale rules on this hook go first: a restart never doubles them.
  std::vector<InstalledRule> stale;
  auto listed = list(rule.ifindex, rule.direction, [&](const InstalledRule& r) {
    if (r.ours) stale.push_back(r);
  });
  if (!listed) return listed.error();
  for (const InstalledRule& r : stale) {
    auto removed = s.delete_filter(r);
    if (!removed) return removed.error();
  }
  // 3. The filter: matchall, one sample action with our cookie.
  uint8_t cookie[cookie_size];
  put_cookie(cookie, s.options, s.options.instance);
  const tcmsg header = tc_header(rule.ifindex, hook_parent(rule.direction), 0,
                                 TC_H_MAKE(uint32_t(rule.priority) << 16, htons(ETH_P_ALL)));
  auto added = s.request(RTM_NEWTFILTER, uint16_t(netlink::flag_ack | NLM_F_CREATE | NLM_F_EXCL), header,
                         "RTM_NEWTFILTER (matchall)", rule.ifindex, [&](netlink::RequestBuilder& b) {
                           b.put_string(TCA_KIND, "matchall");
                           const size_t options = b.begin_nested(TCA_OPTIONS);
                           const uint32_t flags = (rule.skip_hw ? uint32_t(TCA_CLS_FLAGS_SKIP_HW) : 0u) |
                                                  (rule.skip_sw ? uint32_t(TCA_CLS_FLAGS_SKIP_SW) : 0u);
                           if (flags != 0) b.put_u32(TCA_MATCHALL_FLAGS, flags);
                           const size_t actions = b.begin_nested(TCA_MATCHALL_ACT);
                           const size_t first = b.begin_nested(1);
                           b.put_string(TCA_ACT_KIND, "sample");
                           const size_t sample = b.begin_nested(TCA_ACT_OPTIONS);
                           tc_sample parameters{};
                           parameters.action = TC_ACT_PIPE;
                           b.put_bytes(TCA_SAMPLE_PARMS,
                                       ByteView(reinterpret_cast<const uint8_t*>(&parameters), sizeof parameters));
                           b.put_u32(TCA_SAMPLE_RATE, rule.rate);
                           b.put_u32(TCA_SAMPLE_PSAMPLE_GROUP, rule.group);
                           if (rule.trunc != 0) b.put_u32(TCA_SAMPLE_TRUNC_SIZE, rule.trunc);
                           b.end_nested(sample);
                           b.put_bytes(TCA_ACT_COOKIE, ByteView(cookie, sizeof cookie));
                           b.end_nested(first);
                           b.end_nested(actions);
                           b.end_nested(options);
                         });
  if (!added) {
    if (created_now) (void)s.remove_qdisc_if_unused(rule.ifindex);  // nothing of ours left behind
    if (added.error().system_errno() == EOPNOTSUPP && rule.skip_sw)
      return Error(ErrorCode::invalid_argument, EOPNOTSUPP,
                   "skip_sw: interface %u cannot sample in hardware (its driver does not offload tc matchall "
                   "+ sample): sample in software",
                   unsigned(rule.ifindex));
    if (added.error().system_errno() == EEXIST)
      return Error(ErrorCode::kernel_error, EEXIST,
                   "another program's filter holds priority %u on that hook: choose another priority (or 0)",
                   unsigned(rule.priority));
    return added.error();
  }
  // 4. As the kernel has it.
  InstalledRule installed;
  bool found = false;
  auto relisted = list(rule.ifindex, rule.direction, [&](const InstalledRule& r) {
    if (r.ours && r.instance == s.options.instance && !found) {
      installed = r;
      found = true;
    }
  });
  if (!relisted) return relisted.error();
  if (!found) return Error(ErrorCode::kernel_error, ENOENT, "the new sampling rule is not in the kernel's list");
  return installed;
}

}  // namespace psample::sampling
