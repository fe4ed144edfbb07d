// psample-cpp layer 3: the messages of one datagram, to the handlers.
#include "psample/decode.hpp"
#include "receiver/receiver_state.hpp"

namespace psample {

size_t Receiver::State::process(ByteView datagram, uint32_t sender_port, const Handlers& handlers) noexcept {
  size_t delivered = 0;
  netlink::MessageReader messages(datagram);
  netlink::Message message;
  while (messages.next(message)) {
    if (message.type != family.id) {
      if (message.type == netlink::genl_controller_id && options.follow_module_reload && sender_port == 0) {
        on_controller_message(message);
      } else {
        ++stats.ignored_family;  // NLMSG_ERROR / OVERRUN / DONE in the stream, or another family
      }
      continue;
    }
    if (sender_port != 0 && !options.accept_userspace) {
      ++stats.ignored_sender;
      continue;
    }
    const int command = netlink::genl_command(message);
    if (command == static_cast<int>(Command::sample)) {
      auto view = decode(message, sender_port);
      if (!view) {
        ++stats.malformed;
        continue;
      }
      if (view->present_mask() == 0) {
        ++stats.malformed;  // an empty sample: no producer sends one, and it says nothing
        continue;
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
      ++delivered;
      if (handlers.sequenced != nullptr)
        (*handlers.sequenced)(*view, sequence);
      else
        (*handlers.sample)(*view);
    } else if (command == static_cast<int>(Command::new_group) || command == static_cast<int>(Command::del_group)) {
      if (handlers.group == nullptr || !options.config_events) {
        ++stats.ignored_command;
        continue;
      }
      auto group = decode_group(message.bytes);
      if (!group) {
        ++stats.malformed;
        continue;
      }
      ++stats.group_events;
      (*handlers.group)(*group);
    } else if (command < 0) {
      ++stats.malformed;  // too short for a genlmsghdr
    } else {
      ++stats.ignored_command;
    }
  }
  if (messages.failed()) ++stats.malformed;
  return delivered;
}

}  // namespace psample
