// psample-dump -F libpsample (and libpsample mode): the line format of
// libpsample's `psample` monitor tool (its newest, 62bb27d), field for field.
#include <cctype>

#include "line_writer.hpp"
#include "output.hpp"

namespace dump {

namespace {

// libpsample's hex dump, byte for byte: its offset is printed with "%04hhx",
// so only the offset's low byte shows (0x00f0 is followed by 0x0000).
void libpsample_hexdump(tools::LineWriter& w, psample::ByteView bytes) {
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

class LibpsampleOutput final : public LineOutput {
 public:
  LibpsampleOutput(FILE* out, bool verbose) : LineOutput(out), verbose_(verbose) {}

  // The fields libpsample knows, in its order, each as its printf prints it
  // (%d of the u32 fields, %d of the u16 ifindexes, %u of OUT_TC, %llu of
  // the u64s, 0x%x of PROTO), the timestamp as asctime() of the local time
  // without its newline, then the nanoseconds.
  void sample(const psample::PacketView& p, uint64_t) override {
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

  void group_event(const psample::GroupInfo& g) override {
    w_.str(g.command == psample::Command::new_group ? "created" : "deleted")
        .str(" group ")
        .i64(static_cast<int>(g.group))
        .ch(' ');
    if (g.has_seq) w_.str("with current seq ").i64(static_cast<int>(g.seq)).ch(' ');
    w_.ch('\n');
  }

 private:
  bool verbose_;
  uint64_t asctime_second_ = 0;
  char asctime_text_[32] = {};
};

}  // namespace

std::unique_ptr<Output> make_libpsample_output(FILE* out, bool verbose) {
  return std::unique_ptr<Output>(new LibpsampleOutput(out, verbose));
}

}  // namespace dump
