// psample-dump -F text (the default): one line per sample, optionally with a
// hex dump of its data (-v).
#include <cctype>
#include <cstring>

#include "line_writer.hpp"
#include "output.hpp"

namespace dump {

namespace {

// A classic hex dump: offset, 16 bytes, printable characters.
void hexdump(tools::LineWriter& w, psample::ByteView bytes) {
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

class TextOutput final : public LineOutput {
 public:
  TextOutput(FILE* out, bool verbose, InterfaceNames& names) : LineOutput(out), verbose_(verbose), names_(names) {}

  void sample(const psample::PacketView& p, uint64_t fallback_time_ns) override {
    time_of_day(p.has_timestamp() ? p.timestamp() : fallback_time_ns);
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

  // "TIME drop REASON at SYMBOL in IFACE len 62/62 proto 0x0800" (software),
  // "TIME drop hw GROUP/TRAP in IFACE ..." (hardware).
  void drop(const psample::dropmon::DropView& d, uint64_t fallback_time_ns) override {
    namespace attr = psample::dropmon::attr;
    time_of_day(d.has(attr::timestamp) ? d.timestamp_ns() : fallback_time_ns);
    w_.str(" drop");
    if (d.is_hardware()) {
      w_.str(" hw ").bytes(d.trap_group().data(), d.trap_group().size()).ch('/');
      w_.bytes(d.trap_name().data(), d.trap_name().size());
    } else {
      if (d.has(attr::reason)) w_.ch(' ').bytes(d.reason().data(), d.reason().size());
      if (d.has(attr::symbol)) w_.str(" at ").bytes(d.symbol().data(), d.symbol().size());
      if (verbose_ && d.has(attr::pc)) w_.str(" pc 0x").hex_number(d.pc(), 16);
    }
    if (d.has_in_ifindex())
      interface("in", d.in_ifindex());
    else if (d.has_in_port_name())
      w_.str(" in ").bytes(d.in_port_name().data(), d.in_port_name().size());
    w_.str(" len ").u64(d.payload().size());
    if (d.has(attr::orig_len)) w_.ch('/').u64(d.orig_len());
    if (d.has(attr::proto)) w_.str(" proto 0x").hex_number(d.proto(), 4);
    if (d.has(attr::flow_action_cookie)) w_.str(" cookie ").hex(d.flow_action_cookie());
    w_.ch('\n');
    if (verbose_) hexdump(w_, d.payload());
  }

  // "TIME drop-summary N drops: 0xPC xCOUNT, ..." or "... TRAP xCOUNT, ...".
  void drop_summary(const psample::dropmon::SummaryView& s, uint64_t time_ns) override {
    time_of_day(time_ns);
    w_.str(s.is_hardware() ? " drop-summary hw " : " drop-summary ").u64(s.total()).str(" drops:");
    const char* separator = " ";
    for (size_t i = 0; i < s.point_count(); ++i) {
      const psample::dropmon::DropPoint point = s.point(i);
      w_.str(separator).str("0x").hex_number(point.pc, 16).str(" x").u64(point.count);
      separator = ", ";
    }
    s.for_each_trap([&](const psample::dropmon::TrapCount& trap) {
      w_.str(separator).bytes(trap.trap_name.data(), trap.trap_name.size()).str(" x").u64(trap.count);
      separator = ", ";
    });
    w_.ch('\n');
  }

  void group_event(const psample::GroupInfo& g) override {
    w_.str("group ").u64(g.group).str(g.command == psample::Command::new_group ? " created" : " destroyed");
    if (g.has_refcount) w_.str(" refcount ").u64(g.refcount);
    if (g.has_seq) w_.str(" seq ").u64(g.seq);
    w_.ch('\n');
  }

 private:
  void interface(const char* key, uint32_t ifindex) {
    const std::string& name = names_.name(ifindex);
    w_.ch(' ').str(key).ch(' ');
    if (name.empty())
      w_.u64(ifindex);
    else
      w_.bytes(name.data(), name.size());
  }

  // "HH:MM:SS.nnnnnnnnn" in UTC; the HH:MM:SS part is worked out once per second.
  void time_of_day(uint64_t time_ns) {
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

  bool verbose_;
  InterfaceNames& names_;
  uint64_t clock_second_ = 0;
  char clock_text_[9] = {};
};

}  // namespace

std::unique_ptr<Output> make_text_output(FILE* out, bool verbose, InterfaceNames& names) {
  return std::unique_ptr<Output>(new TextOutput(out, verbose, names));
}

}  // namespace dump
