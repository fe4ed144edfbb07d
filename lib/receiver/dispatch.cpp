// psample-cpp layer 3: psample's messages of one datagram, to the handlers
// (the event core walks the datagram and takes nlctrl's news).
#include "psample/decode.hpp"
#include "receiver/receiver_state.hpp"

namespace psample {

size_t Receiver::State::process(ByteView datagram, uint32_t sender_port, const Handlers& handlers) noexcept {
  // One psample message; a lambda, so that it is compiled into the core's walk.
  auto dispatch = [&](const netlink::Message& message) -> size_t {
    if (sender_port != 0 && !options.accept_userspace) {
      ++stats.ignored_sender;
      return 0;
    }
    const int command = netlink::genl_command(message);
    if (command == static_cast<int>(Command::sample)) {
      auto view = decode(message, sender_port);
      if (!view) {
        ++stats.malformed;
        return 0;
      }
      if (view->present_mask() == 0) {
        ++stats.malformed;  // an empty sample: no producer sends one, and it says nothing
        return 0;
      }
      // A SAMPLE_PROBABILITY sample comes from Open vSwitch's psample action,
      // which numbers nothing (GROUP_SEQ is always 0): no loss can be told.
      SampleSequence sequence;  // untracked
      if (view->sample_probability())
        ++stats.untracked_samples;
      else if (view->has_group_seq())
        sequence = count_sequence(view->group(), view->group_seq());
      ++stats.samples;
      stats.bytes += view->data().size();
      if (handlers.sequenced != nullptr)
        (*handlers.sequenced)(*view, sequence);
      else
        (*handlers.sample)(*view);
      return 1;
    }
    if (command == static_cast<int>(Command::new_group) || command == static_cast<int>(Command::del_group)) {
      if (handlers.group == nullptr || !options.config_events) {
        ++stats.ignored_command;
        return 0;
      }
      auto group = decode_group(message.bytes);
      if (!group) {
        ++stats.malformed;
        return 0;
      }
      ++stats.group_events;
      (*handlers.group)(*group);
      return 0;
    }
    if (command < 0)
      ++stats.malformed;  // too short for a genlmsghdr
    else
      ++stats.ignored_command;
    return 0;
  };
  return core.for_each_message(datagram, sender_port, dispatch);
}

}  // namespace psample
