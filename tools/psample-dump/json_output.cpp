// psample-dump -F json: one JSON object per line for each sample, group
// event and group.
#include "line_writer.hpp"
#include "output.hpp"

namespace dump {

namespace {

void ipv4(tools::LineWriter& w, const uint8_t (&a)[4]) {
  w.u64(a[0]).ch('.').u64(a[1]).ch('.').u64(a[2]).ch('.').u64(a[3]);
}

void ipv6(tools::LineWriter& w, const uint8_t (&a)[16]) {
  for (int i = 0; i < 16; i += 2) {
    if (i) w.ch(':');
    w.hex_number(static_cast<unsigned>(a[i] << 8 | a[i + 1]), 1);
  }
}

class JsonOutput final : public LineOutput {
 public:
  JsonOutput(FILE* out, InterfaceNames& names) : LineOutput(out), names_(names) {}

  void sample(const psample::PacketView& p, uint64_t fallback_time_ns) override {
    w_.str("{\"type\":\"sample\",\"time\":").u64(p.has_timestamp() ? p.timestamp() : fallback_time_ns);
    if (p.has_timestamp()) w_.str(",\"timestamp\":").u64(p.timestamp());
    if (p.has_group()) w_.str(",\"group\":").u64(p.group());
    if (p.has_group_seq()) w_.str(",\"seq\":").u64(p.group_seq());
    if (p.has_sample_rate()) w_.str(",\"rate\":").u64(p.sample_rate());
    if (p.sample_probability()) w_.str(",\"sample_probability\":true");
    if (p.has_orig_size()) w_.str(",\"origsize\":").u64(p.orig_size());
    const struct {
      bool present;
      const char* index_key;
      const char* name_key;
      uint32_t ifindex;
    } interfaces[] = {{p.has_in_ifindex(), ",\"in_ifindex\":", ",\"in_ifname\":\"", p.in_ifindex()},
                      {p.has_out_ifindex(), ",\"out_ifindex\":", ",\"out_ifname\":\"", p.out_ifindex()}};
    for (const auto& i : interfaces) {
      if (!i.present) continue;
      w_.str(i.index_key).u64(i.ifindex);
      const std::string& name = names_.name(i.ifindex);
      if (!name.empty()) w_.str(i.name_key).bytes(name.data(), name.size()).ch('"');
    }
    if (p.has_proto()) w_.str(",\"proto\":").u64(p.proto());
    if (p.has_out_tc()) w_.str(",\"out_tc\":").u64(p.out_tc());
    if (p.has_out_tc_occ()) w_.str(",\"out_tc_occ\":").u64(p.out_tc_occ());
    if (p.has_latency()) w_.str(",\"latency\":").u64(p.latency());
    if (p.has_user_cookie()) w_.str(",\"user_cookie\":\"").hex(p.user_cookie()).ch('"');
    if (auto ids = p.observation_ids())
      w_.str(",\"obs_domain\":").u64(ids->domain).str(",\"obs_point\":").u64(ids->point);
    if (p.has_tunnel()) tunnel(p.tunnel());
    if (p.sender_port() != 0) w_.str(",\"sender_port\":").u64(p.sender_port());
    if (p.has_data()) {
      w_.str(",\"data_len\":").u64(p.data().size()).str(",\"truncated\":").str(p.is_truncated() ? "true" : "false");
      w_.str(",\"data\":\"").hex(p.data()).ch('"');
    }
    w_.str("}\n");
  }

  // Every field the kernel sent, the reason by name.
  void drop(const psample::dropmon::DropView& d, uint64_t fallback_time_ns) override {
    namespace attr = psample::dropmon::attr;
    w_.str("{\"type\":\"drop\",\"time\":").u64(d.has(attr::timestamp) ? d.timestamp_ns() : fallback_time_ns);
    if (d.has(attr::timestamp)) w_.str(",\"timestamp\":").u64(d.timestamp_ns());
    w_.str(",\"origin\":\"").str(d.is_hardware() ? "hardware" : "software").ch('"');
    const struct {
      uint16_t id;
      const char* key;
      std::string_view value;
    } strings[] = {{attr::reason, ",\"reason\":\"", d.reason()},
                   {attr::symbol, ",\"symbol\":\"", d.symbol()},
                   {attr::hw_trap_group_name, ",\"trap_group\":\"", d.trap_group()},
                   {attr::hw_trap_name, ",\"trap_name\":\"", d.trap_name()}};
    for (const auto& field : strings)
      if (d.has(field.id)) w_.str(field.key).json_escaped(field.value.data(), field.value.size()).ch('"');
    if (d.has(attr::pc)) w_.str(",\"pc\":").u64(d.pc());
    if (d.has_in_ifindex()) {
      w_.str(",\"in_ifindex\":").u64(d.in_ifindex());
      const std::string& name = names_.name(d.in_ifindex());
      if (!name.empty()) w_.str(",\"in_ifname\":\"").json_escaped(name.data(), name.size()).ch('"');
    }
    if (d.has_in_port_name())
      w_.str(",\"in_port_name\":\"").json_escaped(d.in_port_name().data(), d.in_port_name().size()).ch('"');
    if (d.has(attr::flow_action_cookie)) w_.str(",\"flow_action_cookie\":\"").hex(d.flow_action_cookie()).ch('"');
    if (d.has(attr::proto)) w_.str(",\"proto\":").u64(d.proto());
    if (d.has(attr::orig_len)) w_.str(",\"orig_len\":").u64(d.orig_len());
    if (d.has(attr::payload)) {
      const bool truncated = d.has(attr::orig_len) && d.orig_len() > d.payload().size();
      w_.str(",\"data_len\":").u64(d.payload().size()).str(",\"truncated\":").str(truncated ? "true" : "false");
      w_.str(",\"data\":\"").hex(d.payload()).ch('"');
    }
    w_.str("}\n");
  }

  void drop_summary(const psample::dropmon::SummaryView& s, uint64_t time_ns) override {
    w_.str("{\"type\":\"drop_summary\",\"time\":").u64(time_ns);
    w_.str(",\"origin\":\"").str(s.is_hardware() ? "hardware" : "software").str("\",\"total\":").u64(s.total());
    w_.str(",\"points\":[");
    for (size_t i = 0; i < s.point_count(); ++i) {
      const psample::dropmon::DropPoint point = s.point(i);
      w_.str(i == 0 ? "{\"pc\":" : ",{\"pc\":").u64(point.pc).str(",\"count\":").u64(point.count).ch('}');
    }
    w_.str("],\"traps\":[");
    bool first = true;
    s.for_each_trap([&](const psample::dropmon::TrapCount& trap) {
      w_.str(first ? "{\"trap_name\":\"" : ",{\"trap_name\":\"");
      w_.json_escaped(trap.trap_name.data(), trap.trap_name.size()).str("\",\"count\":").u64(trap.count).ch('}');
      first = false;
    });
    w_.str("]}\n");
  }

  void group_event(const psample::GroupInfo& g) override {
    w_.str("{\"type\":\"group_event\",\"command\":\"")
        .str(g.command == psample::Command::new_group ? "new_group" : "del_group");
    w_.str("\",\"group\":").u64(g.group);
    if (g.has_refcount) w_.str(",\"refcount\":").u64(g.refcount);
    if (g.has_seq) w_.str(",\"seq\":").u64(g.seq);
    w_.str("}\n");
  }

  void group_table(const std::vector<psample::GroupInfo>& groups) override {
    for (const auto& g : groups) {
      w_.str("{\"type\":\"group\",\"group\":").u64(g.group).str(",\"refcount\":").u64(g.refcount);
      w_.str(",\"seq\":").u64(g.seq).str("}\n");
    }
    flush();
  }

 private:
  void tunnel(const psample::TunnelView& t) {
    namespace ta = psample::tunnel_attr;
    bool first = true;
    auto key = [&](const char* name) -> tools::LineWriter& {
      w_.str(first ? "\"" : ",\"").str(name).str("\":");
      first = false;
      return w_;
    };
    w_.str(",\"tunnel\":{");
    if (t.has(ta::id)) key("id").u64(t.id);
    const struct {
      const char* name;
      uint16_t id;
      const uint8_t* v4;
      const uint8_t (*v6)[16];
    } addresses[] = {{"ipv4_src", ta::ipv4_src, t.ipv4_src, nullptr},
                     {"ipv4_dst", ta::ipv4_dst, t.ipv4_dst, nullptr},
                     {"ipv6_src", ta::ipv6_src, nullptr, &t.ipv6_src},
                     {"ipv6_dst", ta::ipv6_dst, nullptr, &t.ipv6_dst}};
    for (const auto& a : addresses) {
      if (!t.has(a.id)) continue;
      key(a.name).ch('"');
      if (a.v6)
        ipv6(w_, *a.v6);
      else
        ipv4(w_, *reinterpret_cast<const uint8_t(*)[4]>(a.v4));
      w_.ch('"');
    }
    const struct {
      const char* name;
      uint16_t id;
      unsigned value;
    } numbers[] = {{"tos", ta::tos, t.tos},
                   {"ttl", ta::ttl, t.ttl},
                   {"tp_src", ta::tp_src, t.tp_src},
                   {"tp_dst", ta::tp_dst, t.tp_dst}};
    for (const auto& n : numbers)
      if (t.has(n.id)) key(n.name).u64(n.value);
    const struct {
      const char* name;
      bool set;
    } flags[] = {{"dont_fragment", t.dont_fragment()},
                 {"csum", t.csum()},
                 {"oam", t.oam()},
                 {"ipv4_info_bridge", t.ipv4_info_bridge()}};
    for (const auto& f : flags)
      if (f.set) key(f.name).str("true");
    const struct {
      const char* name;
      uint16_t id;
      psample::ByteView bytes;
    } blobs[] = {{"geneve_opts", ta::geneve_opts, t.geneve_opts},
                 {"vxlan_opts", ta::vxlan_opts, t.vxlan_opts},
                 {"erspan_opts", ta::erspan_opts, t.erspan_opts}};
    for (const auto& blob : blobs)
      if (t.has(blob.id)) key(blob.name).ch('"').hex(blob.bytes).ch('"');
    w_.ch('}');
  }

  InterfaceNames& names_;
};

}  // namespace

std::unique_ptr<Output> make_json_output(FILE* out, InterfaceNames& names) {
  return std::unique_ptr<Output>(new JsonOutput(out, names));
}

}  // namespace dump
