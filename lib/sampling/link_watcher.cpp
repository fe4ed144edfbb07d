// psample-cpp sampling: link notifications (see link_watcher.hpp). Numbers
// from the kernel's uapi headers (linux/rtnetlink.h, linux/if_link.h).
#include "psample/sampling/link_watcher.hpp"

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cerrno>
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

// RTM_NEWLINK / RTM_DELLINK as an event; false for anything else.
bool parse_link(const netlink::Message& m, LinkEvent& out) {
  if ((m.type != RTM_NEWLINK && m.type != RTM_DELLINK) || m.payload.size() < sizeof(ifinfomsg)) return false;
  ifinfomsg info;
  std::memcpy(&info, m.payload.data(), sizeof info);
  if (info.ifi_index <= 0) return false;
  LinkEvent e;
  e.kind = m.type == RTM_NEWLINK ? LinkEvent::Kind::present : LinkEvent::Kind::removed;
  e.ifindex = uint32_t(info.ifi_index);
  netlink::AttributeReader attributes(m.payload.subview(NLMSG_ALIGN(sizeof(ifinfomsg))));
  netlink::Attribute a;
  while (attributes.next(a)) {
    if (a.type() != IFLA_IFNAME) continue;
    auto name = a.as_string();
    if (name && name->size() < sizeof e.name) std::memcpy(e.name, name->data(), name->size());
  }
  out = e;
  return true;
}

}  // namespace

struct LinkWatcher::State {
  netlink::Socket events;  // RTNLGRP_LINK
  netlink::Socket dumps;   // list()'s requests: opened with the other, so both are in one namespace
  std::vector<uint8_t> buffer = std::vector<uint8_t>(65536);
};

LinkWatcher::LinkWatcher(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
LinkWatcher::LinkWatcher(LinkWatcher&&) noexcept = default;
LinkWatcher& LinkWatcher::operator=(LinkWatcher&&) noexcept = default;
LinkWatcher::~LinkWatcher() = default;

int LinkWatcher::fd() const noexcept { return state_->events.fd(); }

Result<LinkWatcher> LinkWatcher::open() noexcept {
  auto socket = netlink::Socket::open(NETLINK_ROUTE);
  if (!socket) return socket.error();
  if (auto joined = socket->join_group(RTNLGRP_LINK); !joined) return joined.error();
  auto dumps = netlink::Socket::open(NETLINK_ROUTE);
  if (!dumps) return dumps.error();
  std::unique_ptr<State> state(new (std::nothrow) State);
  if (!state) return Error(ErrorCode::system, ENOMEM, "out of memory for LinkWatcher");
  state->events = std::move(*socket);
  state->dumps = std::move(*dumps);
  return LinkWatcher(std::move(state));
}

Result<size_t> LinkWatcher::list(FunctionRef<void(const LinkEvent&)> on_link) noexcept {
  netlink::Socket* socket = &state_->dumps;
  uint8_t request[64];
  netlink::RequestBuilder b(MutableByteView(request, sizeof request));
  b.begin(RTM_GETLINK, uint16_t(netlink::flag_request | netlink::flag_dump), socket->next_sequence());
  ifinfomsg info{};
  info.ifi_family = AF_UNSPEC;
  b.put_family_header(ByteView(reinterpret_cast<const uint8_t*>(&info), sizeof info));
  auto message = b.finish();
  if (!message) return message.error();
  size_t count = 0;
  auto done = netlink::exchange(*socket, *message, MutableByteView(state_->buffer.data(), state_->buffer.size()),
                                "RTM_GETLINK", [&](const netlink::Message& m) -> Result<void> {
                                  LinkEvent e;
                                  if (parse_link(m, e)) {
                                    ++count;
                                    on_link(e);
                                  }
                                  return {};
                                });
  if (!done) return done.error();
  return count;
}

Result<size_t> LinkWatcher::poll(FunctionRef<void(const LinkEvent&)> on_link) noexcept {
  size_t count = 0;
  for (;;) {
    auto got = state_->events.receive(MutableByteView(state_->buffer.data(), state_->buffer.size()), true);
    if (!got) {
      if (got.error().code() == ErrorCode::would_block) return count;
      return got.error();  // overrun: the caller lists again
    }
    if (got->sender_port != 0) continue;  // only the kernel's notifications
    netlink::MessageReader reader(ByteView(state_->buffer.data(), got->size));
    netlink::Message m;
    while (reader.next(m)) {
      LinkEvent e;
      if (parse_link(m, e)) {
        ++count;
        on_link(e);
      }
    }
  }
}

}  // namespace psample::sampling
