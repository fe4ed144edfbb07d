#include "sample_formatter.hpp"

#include <cctype>
#include <cinttypes>
#include <ctime>

namespace dump {

namespace {

void hex(FILE* out, psample::ByteView bytes) {
  for (uint8_t b : bytes) std::fprintf(out, "%02x", b);
}

// A classic hex dump: offset, 16 bytes, printable characters.
void hexdump(FILE* out, psample::ByteView bytes) {
  for (size_t line = 0; line < bytes.size(); line += 16) {
    std::fprintf(out, "  0x%04zx:  ", line);
    for (size_t i = line; i < line + 16; ++i) {
      if (i < bytes.size())
        std::fprintf(out, "%02x ", bytes[i]);
      else
        std::fputs("   ", out);
    }
    std::fputc(' ', out);
    for (size_t i = line; i < line + 16 && i < bytes.size(); ++i)
      std::fputc(std::isprint(bytes[i]) ? bytes[i] : '.', out);
    std::fputc('\n', out);
  }
}

// libpsample's hex dump, byte for byte: its offset is printed with "%04hhx",
// so only the offset's low byte shows (0x00f0 is followed by 0x0000).
void libpsample_hexdump(FILE* out, psample::ByteView bytes) {
  const size_t lines = (bytes.size() + 15) / 16;
  for (size_t line = 0; line < lines; ++line) {
    std::fprintf(out, "0x%04hhx:  ", static_cast<unsigned char>(line * 16));
    const size_t chars = bytes.size() - line * 16 < 16 ? bytes.size() - line * 16 : 16;
    for (size_t i = 0; i < chars; ++i) std::fprintf(out, "%02hhx ", bytes[line * 16 + i]);
    for (size_t i = chars; i < 16; ++i) std::fputs("   ", out);
    std::fputc(' ', out);
    for (size_t i = 0; i < chars; ++i) {
      const char c = static_cast<char>(bytes[line * 16 + i]);
      std::fputc(std::isprint(static_cast<int>(c)) ? c : '.', out);
    }
    std::fputc('\n', out);
  }
}

void ipv4(FILE* out, const uint8_t (&a)[4]) { std::fprintf(out, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]); }

void ipv6(FILE* out, const uint8_t (&a)[16]) {
  for (int i = 0; i < 16; i += 2) std::fprintf(out, "%s%x", i ? ":" : "", a[i] << 8 | a[i + 1]);
}

}  // namespace

void format_time(uint64_t time_ns, char (&out)[32]) {
  const time_t seconds = static_cast<time_t>(time_ns / 1000000000u);
  tm utc;
  gmtime_r(&seconds, &utc);
  std::snprintf(out, sizeof out, "%02d:%02d:%02d.%09u", utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<unsigned>(time_ns % 1000000000u));
}

void SampleFormatter::sample(const psample::PacketView& p, uint64_t fallback_time_ns) {
  const uint64_t time_ns = p.has_timestamp() ? p.timestamp() : fallback_time_ns;
  switch (format_) {
    case Format::text: text(p, time_ns); break;
    case Format::json: json(p, time_ns); break;
    case Format::libpsample: libpsample(p); break;
  }
}

void SampleFormatter::interface(const char* key, uint32_t ifindex) {
  const std::string& name = names_.name(ifindex);
  if (name.empty())
    std::fprintf(out_, " %s %u", key, ifindex);
  else
    std::fprintf(out_, " %s %s", key, name.c_str());
}

void SampleFormatter::text(const psample::PacketView& p, uint64_t time_ns) {
  char time[32];
  format_time(time_ns, time);
  std::fprintf(out_, "%s", time);
  if (p.has_group()) std::fprintf(out_, " group %" PRIu32, p.group());
  if (p.has_group_seq()) std::fprintf(out_, " seq %" PRIu32, p.group_seq());
  if (p.has_sample_rate()) {
    if (p.sample_probability())
      std::fprintf(out_, " probability %.6f", p.sample_rate() / 4294967295.0);
    else
      std::fprintf(out_, " rate %" PRIu32, p.sample_rate());
  }
  if (p.has_in_ifindex()) interface("in", p.in_ifindex());
  if (p.has_out_ifindex()) interface("out", p.out_ifindex());
  std::fprintf(out_, " len %zu", p.data().size());
  if (p.has_orig_size()) std::fprintf(out_, "/%" PRIu32, p.orig_size());
  if (p.has_proto()) std::fprintf(out_, " proto 0x%04x", p.proto());
  if (p.has_out_tc()) std::fprintf(out_, " out-tc %u", p.out_tc());
  if (p.has_out_tc_occ()) std::fprintf(out_, " out-tc-occ %" PRIu64, p.out_tc_occ());
  if (p.has_latency()) std::fprintf(out_, " latency %" PRIu64, p.latency());
  if (p.has_user_cookie()) {
    std::fputs(" cookie ", out_);
    hex(out_, p.user_cookie());
  }
  if (p.has_tunnel()) std::fprintf(out_, " tunnel-id %" PRIu64, p.tunnel().id);
  if (p.sender_port() != 0) std::fprintf(out_, " sender %" PRIu32, p.sender_port());
  std::fputc('\n', out_);
  if (verbose_) hexdump(out_, p.data());
}

void SampleFormatter::json(const psample::PacketView& p, uint64_t time_ns) {
  std::fprintf(out_, "{\"type\":\"sample\",\"time\":%" PRIu64, time_ns);
  if (p.has_timestamp()) std::fprintf(out_, ",\"timestamp\":%" PRIu64, p.timestamp());
  if (p.has_group()) std::fprintf(out_, ",\"group\":%" PRIu32, p.group());
  if (p.has_group_seq()) std::fprintf(out_, ",\"seq\":%" PRIu32, p.group_seq());
  if (p.has_sample_rate()) std::fprintf(out_, ",\"rate\":%" PRIu32, p.sample_rate());
  if (p.sample_probability()) std::fputs(",\"sample_probability\":true", out_);
  if (p.has_orig_size()) std::fprintf(out_, ",\"origsize\":%" PRIu32, p.orig_size());
  if (p.has_in_ifindex()) {
    std::fprintf(out_, ",\"in_ifindex\":%" PRIu32, p.in_ifindex());
    const std::string& name = names_.name(p.in_ifindex());
    if (!name.empty()) std::fprintf(out_, ",\"in_ifname\":\"%s\"", name.c_str());
  }
  if (p.has_out_ifindex()) {
    std::fprintf(out_, ",\"out_ifindex\":%" PRIu32, p.out_ifindex());
    const std::string& name = names_.name(p.out_ifindex());
    if (!name.empty()) std::fprintf(out_, ",\"out_ifname\":\"%s\"", name.c_str());
  }
  if (p.has_proto()) std::fprintf(out_, ",\"proto\":%u", p.proto());
  if (p.has_out_tc()) std::fprintf(out_, ",\"out_tc\":%u", p.out_tc());
  if (p.has_out_tc_occ()) std::fprintf(out_, ",\"out_tc_occ\":%" PRIu64, p.out_tc_occ());
  if (p.has_latency()) std::fprintf(out_, ",\"latency\":%" PRIu64, p.latency());
  if (p.has_user_cookie()) {
    std::fputs(",\"user_cookie\":\"", out_);
    hex(out_, p.user_cookie());
    std::fputc('"', out_);
  }
  if (p.has_tunnel()) {
    const psample::TunnelView& t = p.tunnel();
    std::fputs(",\"tunnel\":{", out_);
    bool first = true;
    auto key = [&](const char* name) {
      std::fprintf(out_, "%s\"%s\":", first ? "" : ",", name);
      first = false;
    };
    if (t.has(psample::tunnel_attr::id)) {
      key("id");
      std::fprintf(out_, "%" PRIu64, t.id);
    }
    if (t.has(psample::tunnel_attr::ipv4_src)) {
      key("ipv4_src");
      std::fputc('"', out_);
      ipv4(out_, t.ipv4_src);
      std::fputc('"', out_);
    }
    if (t.has(psample::tunnel_attr::ipv4_dst)) {
      key("ipv4_dst");
      std::fputc('"', out_);
      ipv4(out_, t.ipv4_dst);
      std::fputc('"', out_);
    }
    if (t.has(psample::tunnel_attr::ipv6_src)) {
      key("ipv6_src");
      std::fputc('"', out_);
      ipv6(out_, t.ipv6_src);
      std::fputc('"', out_);
    }
    if (t.has(psample::tunnel_attr::ipv6_dst)) {
      key("ipv6_dst");
      std::fputc('"', out_);
      ipv6(out_, t.ipv6_dst);
      std::fputc('"', out_);
    }
    if (t.has(psample::tunnel_attr::tos)) {
      key("tos");
      std::fprintf(out_, "%u", t.tos);
    }
    if (t.has(psample::tunnel_attr::ttl)) {
      key("ttl");
      std::fprintf(out_, "%u", t.ttl);
    }
    if (t.has(psample::tunnel_attr::tp_src)) {
      key("tp_src");
      std::fprintf(out_, "%u", t.tp_src);
    }
    if (t.has(psample::tunnel_attr::tp_dst)) {
      key("tp_dst");
      std::fprintf(out_, "%u", t.tp_dst);
    }
    if (t.dont_fragment()) {
      key("dont_fragment");
      std::fputs("true", out_);
    }
    if (t.csum()) {
      key("csum");
      std::fputs("true", out_);
    }
    if (t.oam()) {
      key("oam");
      std::fputs("true", out_);
    }
    if (t.ipv4_info_bridge()) {
      key("ipv4_info_bridge");
      std::fputs("true", out_);
    }
    const struct {
      const char* name;
      uint16_t id;
      psample::ByteView bytes;
    } blobs[] = {{"geneve_opts", psample::tunnel_attr::geneve_opts, t.geneve_opts},
                 {"vxlan_opts", psample::tunnel_attr::vxlan_opts, t.vxlan_opts},
                 {"erspan_opts", psample::tunnel_attr::erspan_opts, t.erspan_opts}};
    for (const auto& blob : blobs) {
      if (!t.has(blob.id)) continue;
      key(blob.name);
      std::fputc('"', out_);
      hex(out_, blob.bytes);
      std::fputc('"', out_);
    }
    std::fputc('}', out_);
  }
  if (p.sender_port() != 0) std::fprintf(out_, ",\"sender_port\":%" PRIu32, p.sender_port());
  if (p.has_data()) {
    std::fprintf(out_, ",\"data_len\":%zu,\"truncated\":%s,\"data\":\"", p.data().size(),
                 p.is_truncated() ? "true" : "false");
    hex(out_, p.data());
    std::fputc('"', out_);
  }
  std::fputs("}\n", out_);
}

// The line format of libpsample's `psample` monitor tool, field for field.
void SampleFormatter::libpsample(const psample::PacketView& p) {
  if (p.has_group()) std::fprintf(out_, "group %d ", static_cast<int>(p.group()));
  if (p.has_in_ifindex()) std::fprintf(out_, "in-ifindex %d ", static_cast<int>(static_cast<uint16_t>(p.in_ifindex())));
  if (p.has_out_ifindex())
    std::fprintf(out_, "out-ifindex %d ", static_cast<int>(static_cast<uint16_t>(p.out_ifindex())));
  if (p.has_orig_size()) std::fprintf(out_, "origsize %d ", static_cast<int>(p.orig_size()));
  if (p.has_sample_rate()) std::fprintf(out_, "sample-rate %d ", static_cast<int>(p.sample_rate()));
  if (p.has_group_seq()) std::fprintf(out_, "seq %d ", static_cast<int>(p.group_seq()));
  if (verbose_ && p.has_data()) {
    std::fprintf(out_, "data len %d\n", static_cast<int>(p.data().size()));
    libpsample_hexdump(out_, p.data());
  }
  std::fputc('\n', out_);
}

void SampleFormatter::group_event(const psample::GroupInfo& g) {
  const bool created = g.command == psample::Command::new_group;
  switch (format_) {
    case Format::text:
      std::fprintf(out_, "group %" PRIu32 " %s", g.group, created ? "created" : "destroyed");
      if (g.has_refcount) std::fprintf(out_, " refcount %" PRIu32, g.refcount);
      if (g.has_seq) std::fprintf(out_, " seq %" PRIu32, g.seq);
      std::fputc('\n', out_);
      break;
    case Format::json:
      std::fprintf(out_, "{\"type\":\"group_event\",\"command\":\"%s\",\"group\":%" PRIu32,
                   created ? "new_group" : "del_group", g.group);
      if (g.has_refcount) std::fprintf(out_, ",\"refcount\":%" PRIu32, g.refcount);
      if (g.has_seq) std::fprintf(out_, ",\"seq\":%" PRIu32, g.seq);
      std::fputs("}\n", out_);
      break;
    case Format::libpsample:
      std::fprintf(out_, "%s group %d ", created ? "created" : "deleted", static_cast<int>(g.group));
      if (g.has_seq) std::fprintf(out_, "with current seq %d ", static_cast<int>(g.seq));
      std::fputc('\n', out_);
      break;
  }
}

void SampleFormatter::group_table(const std::vector<psample::GroupInfo>& groups) {
  switch (format_) {
    case Format::json:
      for (const auto& g : groups) {
        std::fprintf(out_, "{\"type\":\"group\",\"group\":%" PRIu32 ",\"refcount\":%" PRIu32 ",\"seq\":%" PRIu32 "}\n",
                     g.group, g.refcount, g.seq);
      }
      break;
    case Format::text:
    case Format::libpsample:
      // The same table as libpsample's `psample --list-groups`.
      if (!groups.empty()) std::fprintf(out_, "%-15s %-15s %-15s\n", "Group Num", "Refcount", "Group Seq");
      for (const auto& g : groups) {
        std::fprintf(out_, "%-15d %-15d %-15d\n", static_cast<int>(g.group), static_cast<int>(g.refcount),
                     static_cast<int>(g.seq));
      }
      break;
  }
}

}  // namespace dump
