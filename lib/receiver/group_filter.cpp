// psample-cpp layer 3: the cBPF group filter program.
#include "psample/group_filter.hpp"

#include <arpa/inet.h>
#include <linux/filter.h>

#include "psample/netlink/message.hpp"
#include "psample/protocol.hpp"

namespace psample {

namespace {
FilterInstruction statement(uint16_t code, uint32_t k) { return FilterInstruction{code, 0, 0, k}; }
FilterInstruction jump(uint16_t code, uint32_t k, size_t jt, size_t jf) {
  return FilterInstruction{code, static_cast<uint8_t>(jt), static_cast<uint8_t>(jf), k};
}
}  // namespace

Result<size_t> build_group_filter(uint16_t family_id, const GroupList& groups, FilterInstruction* program,
                                  size_t capacity) noexcept {
  if (groups.empty() || groups.overflowed()) {
    return Error(ErrorCode::invalid_argument, 0, "a group filter lists 1 to %zu groups, got %s", max_filter_groups,
                 groups.empty() ? "none" : "more");
  }
  const size_t n = groups.size();
  if (capacity < group_filter_length(n)) {
    return Error(ErrorCode::buffer_too_small, 0, "a filter for %zu groups takes %zu instructions, got room for %zu", n,
                 group_filter_length(n), capacity);
  }
  // Instruction indexes: 0-9 are the fixed prologue, 10..10+n-1 the group
  // comparisons, then reject (10+n) and accept (11+n).
  const size_t accept = 11 + n;
  const auto to_accept = [&](size_t from) { return accept - from - 1; };
  // 0-1: another family's message (or a control message): accept.
  program[0] = statement(BPF_LD | BPF_H | BPF_ABS, 4);  // nlmsg_type
  program[1] = jump(BPF_JMP | BPF_JEQ | BPF_K, ntohs(family_id), 0, to_accept(1));
  // 2-3: not a sample (config events): accept.
  program[2] = statement(BPF_LD | BPF_B | BPF_ABS, netlink::message_header_size);  // genlmsghdr.cmd
  program[3] = jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint8_t>(Command::sample), 0, to_accept(3));
  // 4-7: A = offset of SAMPLE_GROUP, searching from the first attribute; none: accept.
  program[4] = statement(BPF_LD | BPF_IMM, netlink::message_header_size + netlink::genl_header_size);
  program[5] = statement(BPF_LDX | BPF_IMM, attr::sample_group);
  program[6] = statement(BPF_LD | BPF_W | BPF_ABS, static_cast<uint32_t>(SKF_AD_OFF + SKF_AD_NLATTR));
  program[7] = jump(BPF_JMP | BPF_JEQ | BPF_K, 0, to_accept(7), 0);
  // 8-9: A = the group (the u32 after the 4-byte attribute header).
  program[8] = statement(BPF_MISC | BPF_TAX, 0);
  program[9] = statement(BPF_LD | BPF_W | BPF_IND, 4);
  for (size_t i = 0; i < n; ++i) {
    program[10 + i] = jump(BPF_JMP | BPF_JEQ | BPF_K, ntohl(groups[i]), to_accept(10 + i), 0);
  }
  program[accept - 1] = statement(BPF_RET | BPF_K, 0);        // reject
  program[accept] = statement(BPF_RET | BPF_K, 0xffffffffu);  // accept the whole message
  return accept + 1;
}

}  // namespace psample
