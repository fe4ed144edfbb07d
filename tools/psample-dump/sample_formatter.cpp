#include "sample_formatter.hpp"

#include <cctype>
#include <ctime>

namespace dump {

namespace {

// A classic hex dump: offset, 16 bytes, printable characters.
void hexdump(LineWriter& w, psample::ByteView bytes) {
  for (size_t line = 0; line < bytes.size(); line += 16) {
    w.str("  0x").hex_number(line, 4).str(":  ");
    for (size_t i = line; i < line + 16; ++i) {
      if (i < bytes.size())
        w.hex(bytes.subview(i, 1)).ch(' ');
      else
        w.str("   ");
    }
    w.ch(' ');
    for (size_t i = line; i < line + 16 && i < bytes.size(); ++i)
      w.ch(std::isprint(bytes[i]) ? static_cast<char>(bytes[i]) : '.');
    w.ch('\n');
  }
}

// libpsample's hex dump, byte for byte: its offset is printed with "%04hhx",
// so only the offset's low byte shows (0x00f0 is followed by 0x0000).
void libpsample_hexdump(LineWriter& w, psample::ByteView bytes) {
  const size_t lines = (bytes.size() + 15) / 16;
  for (size_t line = 0; line < lines; ++line) {
    w.str("0x").hex_number((line * 16) & 0xff, 4).str(":  ");
    const size_t chars = bytes.size() - line * 16 < 16 ? bytes.size() - line * 16 : 16;
    for (size_t i = 0; i < chars; ++i) w.hex(bytes.subview(line * 16 + i, 1)).ch(' ');
    for (size_t i = chars; i < 16; ++i) w.str("   ");
    w.ch(' ');
    for (size_t i = 0; i < chars; ++i) {
      const char c = static_cast<char>(bytes[line * 16 + i]);
      w.ch(std::isprint(static_cast<int>(c)) ? c : '.');
    }
    w.ch('\n');
  }
}

void ipv4(LineWriter& w, const uint8_t (&a)[4]) { w.u64(a[0]).ch('.').u64(a[1]).ch('.').u64(a[2]).ch('.').u64(a[3]); }

void ipv6(LineWriter& w, const uint8_t (&a)[16]) {
  for (int i = 0; i < 16; i += 2) {
    if (i) w.ch(':');
    w.hex_number(static_cast<unsigned>(a[i] << 8 | a[i + 1]), 1);
  }
}

}  // namespace

void format_time(uint64_t time_ns, char (&out)[32]) {
  const time_t seconds = static_cast<time_t>(time_ns / 1000000000u);
  tm utc;
  gmtime_r(&seconds, &utc);
  std::snprintf(out, sizeof out, "%02d:%02d:%02d.%09u", utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<unsigned>(time_ns % 1000000000u));
}

void format_asctime(uint64_t seconds, char (&out)[32]) {
  static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const time_t t = static_cast<time_t>(seconds);
  tm local;
  if (localtime_r(&t, &local) == nullptr || local.tm_wday < 0 || local.tm_wday > 6 || local.tm_mon < 0 ||
      local.tm_mon > 11) {
    std::snprintf(out, sizeof out, "%llu", static_cast<unsigned long long>(seconds));
    return;
  }
  // asctime()'s format (C11 7.27.3.1), without its newline.
  std::snprintf(out, sizeof out, "%.3s %.3s%3d %.2d:%.2d:%.2d %d", days[local.tm_wday], months[local.tm_mon],
                local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec, 1900 + local.tm_year);
}

void SampleFormatter::sample(const psample::PacketView& p, uint64_t fallback_time_ns) {
  const uint64_t time_ns = p.has_timestamp() ? p.timestamp() : fallback_time_ns;
  switch (format_) {
    case Format::text: text(p, time_ns); break;
    case Format::json: json(p, time_ns); break;
    case Format::libpsample: libpsample(p); break;
  }
}

void SampleFormatter::flush() {
  w_.flush();
  std::fflush(w_.file());
}

void SampleFormatter::interface(const char* key, uint32_t ifindex) {
  const std::string& name = names_.name(ifindex);
  w_.ch(' ').str(key).ch(' ');
  if (name.empty())
    w_.u64(ifindex);
  else
    w_.bytes(name.data(), name.size());
}

// "HH:MM:SS.nnnnnnnnn" in UTC; the HH:MM:SS part is worked out once per second.
void SampleFormatter::time_of_day(uint64_t time_ns) {
  const uint64_t seconds = time_ns / 1000000000u;
  if (seconds != clock_second_ || clock_text_[0] == '\0') {
    char full[32];
    format_time(time_ns, full);
    std::memcpy(clock_text_, full, 8);
    clock_text_[8] = '\0';
    clock_second_ = seconds;
  }
  w_.bytes(clock_text_, 8).ch('.').zero_padded(time_ns % 1000000000u, 9);
}

void SampleFormatter::text(const psample::PacketView& p, uint64_t time_ns) {
  time_of_day(time_ns);
  if (p.has_group()) w_.str(" group ").u64(p.group());
  if (p.has_group_seq()) w_.str(" seq ").u64(p.group_seq());
  if (p.has_sample_rate()) {
    if (p.sample_probability())
      w_.printf(" probability %.6f", p.sample_rate() / 4294967295.0);
    else
      w_.str(" rate ").u64(p.sample_rate());
  }
  if (p.has_in_ifindex()) interface("in", p.in_ifindex());
  if (p.has_out_ifindex()) interface("out", p.out_ifindex());
  w_.str(" len ").u64(p.data().size());
  if (p.has_orig_size()) w_.ch('/').u64(p.orig_size());
  if (p.has_proto()) w_.str(" proto 0x").hex_number(p.proto(), 4);
  if (p.has_out_tc()) w_.str(" out-tc ").u64(p.out_tc());
  if (p.has_out_tc_occ()) w_.str(" out-tc-occ ").u64(p.out_tc_occ());
  if (p.has_latency()) w_.str(" latency ").u64(p.latency());
  if (p.has_user_cookie()) w_.str(" cookie ").hex(p.user_cookie());
  if (p.has_tunnel()) w_.str(" tunnel-id ").u64(p.tunnel().id);
  if (p.sender_port() != 0) w_.str(" sender ").u64(p.sender_port());
  w_.ch('\n');
  if (verbose_) hexdump(w_, p.data());
}

void SampleFormatter::json_tunnel(const psample::TunnelView& t) {
  namespace ta = psample::tunnel_attr;
  bool first = true;
  auto key = [&](const char* name) -> LineWriter& {
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

void SampleFormatter::json(const psample::PacketView& p, uint64_t time_ns) {
  w_.str("{\"type\":\"sample\",\"time\":").u64(time_ns);
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
  if (p.has_tunnel()) json_tunnel(p.tunnel());
  if (p.sender_port() != 0) w_.str(",\"sender_port\":").u64(p.sender_port());
  if (p.has_data()) {
    w_.str(",\"data_len\":").u64(p.data().size()).str(",\"truncated\":").str(p.is_truncated() ? "true" : "false");
    w_.str(",\"data\":\"").hex(p.data()).ch('"');
  }
  w_.str("}\n");
}

// The line format of libpsample's `psample` monitor tool (its newest,
// 62bb27d), field for field: the fields it knows, in its order, each as its
// printf prints it (%d of the u32 fields, %d of the u16 ifindexes, %u of
// OUT_TC, %llu of the u64s, 0x%x of PROTO), the timestamp as asctime() of
// the local time without its newline, then the nanoseconds.
void SampleFormatter::libpsample(const psample::PacketView& p) {
  if (p.has_group()) w_.str("group ").i64(static_cast<int>(p.group())).ch(' ');
  if (p.has_in_ifindex()) w_.str("in-ifindex ").i64(static_cast<uint16_t>(p.in_ifindex())).ch(' ');
  if (p.has_out_ifindex()) w_.str("out-ifindex ").i64(static_cast<uint16_t>(p.out_ifindex())).ch(' ');
  if (p.has_orig_size()) w_.str("origsize ").i64(static_cast<int>(p.orig_size())).ch(' ');
  if (p.has_sample_rate()) w_.str("sample-rate ").i64(static_cast<int>(p.sample_rate())).ch(' ');
  if (p.has_group_seq()) w_.str("seq ").i64(static_cast<int>(p.group_seq())).ch(' ');
  if (p.has_out_tc()) w_.str("out-tc ").u64(p.out_tc()).ch(' ');
  if (p.has_out_tc_occ()) w_.str("out-tc-occ ").u64(p.out_tc_occ()).ch(' ');
  if (p.has_latency()) w_.str("latency ").u64(p.latency()).ch(' ');
  if (p.has_timestamp()) {
    const uint64_t seconds = p.timestamp() / 1000000000u;
    if (seconds != asctime_second_ || asctime_text_[0] == '\0') {
      format_asctime(seconds, asctime_text_);
      asctime_second_ = seconds;
    }
    w_.str("timestamp ").str(asctime_text_).ch(' ').zero_padded(p.timestamp() % 1000000000u, 9).str(" nsec ");
  }
  if (p.has_proto()) w_.str("protocol 0x").hex_number(p.proto(), 1).ch(' ');
  if (verbose_ && p.has_data()) {
    w_.str("data len ").i64(static_cast<int>(p.data().size())).ch('\n');
    libpsample_hexdump(w_, p.data());
  }
  w_.ch('\n');
}

void SampleFormatter::group_event(const psample::GroupInfo& g) {
  const bool created = g.command == psample::Command::new_group;
  switch (format_) {
    case Format::text:
      w_.str("group ").u64(g.group).str(created ? " created" : " destroyed");
      if (g.has_refcount) w_.str(" refcount ").u64(g.refcount);
      if (g.has_seq) w_.str(" seq ").u64(g.seq);
      w_.ch('\n');
      break;
    case Format::json:
      w_.str("{\"type\":\"group_event\",\"command\":\"").str(created ? "new_group" : "del_group");
      w_.str("\",\"group\":").u64(g.group);
      if (g.has_refcount) w_.str(",\"refcount\":").u64(g.refcount);
      if (g.has_seq) w_.str(",\"seq\":").u64(g.seq);
      w_.str("}\n");
      break;
    case Format::libpsample:
      w_.str(created ? "created" : "deleted").str(" group ").i64(static_cast<int>(g.group)).ch(' ');
      if (g.has_seq) w_.str("with current seq ").i64(static_cast<int>(g.seq)).ch(' ');
      w_.ch('\n');
      break;
  }
}

void SampleFormatter::group_table(const std::vector<psample::GroupInfo>& groups) {
  switch (format_) {
    case Format::json:
      for (const auto& g : groups) {
        w_.str("{\"type\":\"group\",\"group\":").u64(g.group).str(",\"refcount\":").u64(g.refcount);
        w_.str(",\"seq\":").u64(g.seq).str("}\n");
      }
      break;
    case Format::text:
    case Format::libpsample:
      // The same table as libpsample's `psample --list-groups`.
      if (!groups.empty()) w_.printf("%-15s %-15s %-15s\n", "Group Num", "Refcount", "Group Seq");
      for (const auto& g : groups) {
        w_.printf("%-15d %-15d %-15d\n", static_cast<int>(g.group), static_cast<int>(g.refcount),
                  static_cast<int>(g.seq));
      }
      break;
  }
  flush();
}

}  // namespace dump
