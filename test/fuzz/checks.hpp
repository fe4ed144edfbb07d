// Invariants the fuzz targets check on every input, shared with the unit test
// that replays test/data/regress/ (so every input once found stays fixed).
// A violated invariant aborts with a message, which libFuzzer reports as a
// crash and Catch2 as a fatal error.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "capture_reader.hpp"
#include "fuzz_check.hpp"
#include "psample/psample.hpp"
#include "support/receivers.hpp"

namespace fuzz {

inline bool inside(psample::ByteView inner, const uint8_t* data, size_t size) {
  if (inner.empty()) return true;
  return inner.data() >= data && inner.data() + inner.size() <= data + size;
}

inline void touch(psample::ByteView bytes) {  // reading every byte lets ASan check the view
  volatile uint8_t sink = 0;
  for (uint8_t b : bytes) sink = static_cast<uint8_t>(sink ^ b);
}

template <class Sample>
void check_absent_is_zero(const Sample& p) {
  using namespace psample;
  if (!p.has_in_ifindex()) FUZZ_CHECK(p.in_ifindex() == 0);
  if (!p.has_out_ifindex()) FUZZ_CHECK(p.out_ifindex() == 0);
  if (!p.has_orig_size()) FUZZ_CHECK(p.orig_size() == 0);
  if (!p.has_group()) FUZZ_CHECK(p.group() == 0);
  if (!p.has_group_seq()) FUZZ_CHECK(p.group_seq() == 0);
  if (!p.has_sample_rate()) FUZZ_CHECK(p.sample_rate() == 0);
  if (!p.has_timestamp()) FUZZ_CHECK(p.timestamp() == 0);
  if (!p.has_proto()) FUZZ_CHECK(p.proto() == 0);
  if (!p.has_data()) FUZZ_CHECK(p.data().empty());
  if (!p.has_user_cookie()) FUZZ_CHECK(p.user_cookie().empty());
  FUZZ_CHECK(p.user_cookie().size() <= 16);
  FUZZ_CHECK((p.present_mask() >> attr::count) == 0);
}

inline bool same_bytes(psample::ByteView a, psample::ByteView b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

// The obvious decoder, written with AttributeReader and nothing clever: what
// decode()'s hand-tuned scan must agree with, field for field.
struct ReferenceSample {
  bool ok = false;
  uint32_t present = 0;
  uint32_t in_ifindex = 0, out_ifindex = 0, orig_size = 0, group = 0, group_seq = 0, sample_rate = 0;
  uint16_t out_tc = 0, proto = 0;
  uint64_t out_tc_occ = 0, latency = 0, timestamp = 0;
  psample::ByteView data, user_cookie, tunnel;
};
inline ReferenceSample reference_decode(const uint8_t* bytes, size_t size) {
  using namespace psample;
  ReferenceSample r;
  if (size < 20) return r;
  uint32_t total;
  std::memcpy(&total, bytes, 4);
  if (total < 20 || total > size || bytes[16] != 0) return r;
  netlink::AttributeReader reader(ByteView(bytes + 20, total - 20));
  netlink::Attribute a;
  while (reader.next(a)) {
    const ByteView v = a.payload();
    uint16_t type = a.type();
    if (type == attr::group_refcount) type = attr::tunnel;
    const auto u16 = [&] { return netlink::load_u16(v.data()); };
    const auto u32 = [&] { return netlink::load_u32(v.data()); };
    const auto u64 = [&] { return netlink::load_u64(v.data()); };
    switch (type) {
      case attr::iifindex:
      case attr::oifindex:
        if (v.size() != 2 && v.size() != 4) return r;
        (type == attr::iifindex ? r.in_ifindex : r.out_ifindex) = v.size() == 2 ? u16() : u32();
        break;
      case attr::origsize:
      case attr::sample_group:
      case attr::group_seq:
      case attr::sample_rate:
        if (v.size() != 4) return r;
        (type == attr::origsize       ? r.orig_size
         : type == attr::sample_group ? r.group
         : type == attr::group_seq    ? r.group_seq
                                      : r.sample_rate) = u32();
        break;
      case attr::out_tc:
      case attr::proto:
        if (v.size() != 2) return r;
        (type == attr::out_tc ? r.out_tc : r.proto) = u16();
        break;
      case attr::out_tc_occ:
      case attr::latency:
      case attr::timestamp:
        if (v.size() != 8) return r;
        (type == attr::out_tc_occ ? r.out_tc_occ : type == attr::latency ? r.latency : r.timestamp) = u64();
        break;
      case attr::data: r.data = v; break;
      case attr::user_cookie:
        if (v.size() > 16) return r;
        r.user_cookie = v;
        break;
      case attr::tunnel:
        if (!decode_tunnel(v)) return r;
        r.tunnel = v;
        break;
      case attr::sample_probability:
        if (!v.empty()) return r;
        break;
      case attr::pad: break;
      default:
        // Rows added to the table since this decoder was written: their
        // width rule (AttributeSpec::accepts, not decode()'s compiled one).
        if (type >= attr::count) continue;  // unknown: not marked present
        if (!sample_attributes[type].accepts(v.size())) return r;
        break;
    }
    r.present |= 1u << type;
  }
  r.ok = !reader.failed();
  return r;
}

// The same bytes of the input: same place and length (empty views may point anywhere).
inline bool same_view(psample::ByteView a, psample::ByteView b) {
  return a.size() == b.size() && (a.empty() || a.data() == b.data());
}

// decode() of one message: views inside the input, absent is zero, a Packet
// copy equals the view, the tunnel decodes, decode_group agrees on structure.
inline void check_decode(const uint8_t* data, size_t size) {
  using namespace psample;
  auto p = decode(ByteView(data, size));
  const ReferenceSample reference = reference_decode(data, size);
  FUZZ_CHECK(p.ok() == reference.ok);
  if (p) {
    FUZZ_CHECK(p->present_mask() == reference.present);
    FUZZ_CHECK(p->in_ifindex() == reference.in_ifindex && p->out_ifindex() == reference.out_ifindex);
    FUZZ_CHECK(p->orig_size() == reference.orig_size && p->group() == reference.group);
    FUZZ_CHECK(p->group_seq() == reference.group_seq && p->sample_rate() == reference.sample_rate);
    FUZZ_CHECK(p->out_tc() == reference.out_tc && p->proto() == reference.proto);
    FUZZ_CHECK(p->out_tc_occ() == reference.out_tc_occ && p->latency() == reference.latency);
    FUZZ_CHECK(p->timestamp() == reference.timestamp);
    FUZZ_CHECK(same_view(p->data(), reference.data) && same_view(p->user_cookie(), reference.user_cookie));
    FUZZ_CHECK(same_view(p->tunnel_attributes(), reference.tunnel));
    FUZZ_CHECK(inside(p->data(), data, size));
    FUZZ_CHECK(inside(p->user_cookie(), data, size));
    FUZZ_CHECK(inside(p->tunnel_attributes(), data, size));
    touch(p->data());
    check_absent_is_zero(*p);
    const TunnelView tunnel = p->tunnel();
    FUZZ_CHECK(inside(tunnel.geneve_opts, data, size) && inside(tunnel.erspan_opts, data, size) &&
               inside(tunnel.vxlan_opts, data, size));
    if (p->has_tunnel()) FUZZ_CHECK(decode_tunnel(p->tunnel_attributes()).ok());
    const Packet copy(*p);
    FUZZ_CHECK(copy.present_mask() == p->present_mask());
    FUZZ_CHECK(copy.group() == p->group() && copy.group_seq() == p->group_seq() && copy.orig_size() == p->orig_size());
    FUZZ_CHECK(copy.timestamp() == p->timestamp() && copy.in_ifindex() == p->in_ifindex());
    FUZZ_CHECK(same_bytes(copy.data(), p->data()));
    FUZZ_CHECK(same_bytes(copy.user_cookie(), p->user_cookie()));
    FUZZ_CHECK(copy.tunnel().id == tunnel.id && same_bytes(copy.tunnel().geneve_opts, tunnel.geneve_opts));
    Packet temporary(copy);
    const Packet moved(std::move(temporary));
    FUZZ_CHECK(same_bytes(moved.data(), p->data()));
  } else {
    const ErrorCode code = p.error().code();
    FUZZ_CHECK(code == ErrorCode::malformed || code == ErrorCode::not_a_sample);
    FUZZ_CHECK(std::strlen(p.error().message()) > 0);
  }
  auto g = decode_group(ByteView(data, size));
  if (g) FUZZ_CHECK(g->command == Command::new_group || g->command == Command::del_group);
}

// Builds a sample from fields taken out of the input with the request
// builder, decodes it, and expects every field back.
inline void check_round_trip(const uint8_t* data, size_t size) {
  using namespace psample;
  if (size < 32) return;
  uint32_t v[6];
  std::memcpy(v, data, sizeof v);
  uint64_t timestamp;
  std::memcpy(&timestamp, data + 24, 8);
  const size_t data_length = size - 32 > 2000 ? 2000 : size - 32;
  std::vector<uint8_t> buffer(2200);
  netlink::RequestBuilder b(MutableByteView(buffer.data(), buffer.size()));
  b.begin(0x1c, 0, v[0]);
  b.put_genl_header(0, 1);
  b.put_u32(attr::iifindex, v[1]);
  b.put_u32(attr::sample_group, v[2]);
  b.put_u32(attr::group_seq, v[3]);
  b.put_u32(attr::sample_rate, v[4]);
  b.put_u16(attr::proto, static_cast<uint16_t>(v[5]));
  b.put_u64(attr::timestamp, timestamp);
  b.put_bytes(attr::data, ByteView(data + 32, data_length));
  auto message = b.finish();
  FUZZ_CHECK(message.ok());
  auto p = decode(*message);
  FUZZ_CHECK(p.ok());
  FUZZ_CHECK(p->in_ifindex() == v[1] && p->group() == v[2] && p->group_seq() == v[3] && p->sample_rate() == v[4]);
  FUZZ_CHECK(p->proto() == static_cast<uint16_t>(v[5]) && p->timestamp() == timestamp);
  FUZZ_CHECK(same_bytes(p->data(), ByteView(data + 32, data_length)));
}

// Walks attributes recursively: every payload lies inside its parent.
inline void walk_attributes(psample::ByteView range, int depth) {
  psample::netlink::AttributeReader reader(range);
  psample::netlink::Attribute a;
  while (reader.next(a)) {
    FUZZ_CHECK(a.payload().data() >= range.data() && a.payload().end() <= range.end());
    FUZZ_CHECK(a.as_u32().has_value() == (a.payload().size() == 4));
    FUZZ_CHECK(a.as_u64().has_value() == (a.payload().size() == 8));
    if (auto s = a.as_string()) FUZZ_CHECK(s->size() < a.payload().size());
    if (depth < 8) walk_attributes(a.payload(), depth + 1);
  }
}

inline void check_attributes(const uint8_t* data, size_t size) { walk_attributes(psample::ByteView(data, size), 0); }

// A whole datagram: every message inside it, and the Receiver's delivery path
// accounts for every message it sees.
inline void check_datagram(const uint8_t* data, size_t size) {
  using namespace psample;
  netlink::MessageReader reader(ByteView(data, size));
  netlink::Message m;
  size_t messages = 0;
  while (reader.next(m)) {
    ++messages;
    FUZZ_CHECK(m.bytes.data() >= data && m.bytes.end() <= data + size);
    FUZZ_CHECK(m.payload.size() + 16 == m.bytes.size());
    if (m.is_error()) {
      auto ack = netlink::parse_ack(m);
      if (ack) FUZZ_CHECK(inside(ByteView(ack->message.data(), ack->message.size()), data, size));
    }
  }
  for (uint32_t sender : {0u, 7u}) {
    Receiver receiver = support::detached_receiver(0x1c);
    size_t delivered = 0;
    receiver.process(
        ByteView(data, size), sender,
        [&](const PacketView& p) {
          ++delivered;
          FUZZ_CHECK(inside(p.data(), data, size));
          touch(p.data());
        },
        [](const GroupInfo&) {});
    const ReceiverStats s = receiver.stats();
    FUZZ_CHECK(s.samples == delivered);
    const uint64_t accounted = s.samples + s.malformed + s.ignored() + s.group_events + s.controller_events;
    FUZZ_CHECK(accounted == messages + (reader.failed() ? 1 : 0));
  }
}

// Controller replies and notifications.
inline void check_family(const uint8_t* data, size_t size) {
  auto family = psample::netlink::parse_family(psample::ByteView(data, size));
  if (!family) return;
  FUZZ_CHECK(family->group_count <= psample::netlink::FamilyInfo::max_groups);
  FUZZ_CHECK(std::memchr(family->name, 0, sizeof family->name) != nullptr);
  for (size_t i = 0; i < family->group_count; ++i) {
    FUZZ_CHECK(std::memchr(family->groups[i].name, 0, sizeof family->groups[i].name) != nullptr);
    FUZZ_CHECK(family->find_group(family->groups[i].name).has_value());
  }
}

// psample-dump's capture reader: records inside the file, the netlink payload
// inside the record, and the walk ends.
inline void check_capture(const uint8_t* data, size_t size) {
  tools::CaptureReader reader;
  if (!reader.open_bytes(std::vector<uint8_t>(data, data + size), "fuzz")) {
    FUZZ_CHECK(!reader.error().empty());
    return;
  }
  tools::CaptureRecord record;
  int result;
  size_t records = 0;
  while ((result = reader.next(record)) == 1) {
    FUZZ_CHECK(++records <= size);
    touch(record.data);
    const psample::ByteView payload = tools::generic_netlink_payload(record);
    FUZZ_CHECK(payload.empty() || (payload.data() >= record.data.data() && payload.end() <= record.data.end()));
    check_datagram(payload.data(), payload.size());
  }
  if (result < 0) FUZZ_CHECK(!reader.error().empty());
}

}  // namespace fuzz
