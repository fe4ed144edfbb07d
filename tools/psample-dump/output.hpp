// psample-dump: where samples, group events and group tables go. One
// implementation per format, each in its own file (text_output.cpp,
// json_output.cpp, libpsample_output.cpp, pcapng_output.cpp): a new format
// is one new file, one factory below and one Format value.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

#include "interface_names.hpp"
#include "line_writer.hpp"
#include "options.hpp"
#include "psample/dropmon/drop_view.hpp"
#include "psample/dropmon/summary_view.hpp"
#include "psample/psample.hpp"

namespace dump {

class Output {
 public:
  virtual ~Output() = default;
  // `fallback_time_ns`: the receive or capture time, for a sample without TIMESTAMP.
  virtual void sample(const psample::PacketView& p, uint64_t fallback_time_ns) = 0;
  virtual void group_event(const psample::GroupInfo& g) = 0;
  // The drop monitor's events (--drops): a dropped packet, and a summary
  // alert (counts per location or trap, when it runs in summary mode).
  // libpsample's format has none (its mode takes no --drops).
  virtual void drop(const psample::dropmon::DropView&, uint64_t /*fallback_time_ns*/) {}
  virtual void drop_summary(const psample::dropmon::SummaryView&, uint64_t /*time_ns*/) {}
  // The kernel's groups (-l).
  virtual void group_table(const std::vector<psample::GroupInfo>& groups) = 0;
  // Hands what is buffered to the file and flushes it (psample-dump calls it
  // after each drain of the socket: prompt output without a write() per sample).
  virtual void flush() = 0;
  // True once writing to the file failed.
  bool failed() const { return std::ferror(out_) != 0; }

 protected:
  explicit Output(FILE* out) : out_(out) {}
  FILE* out_;  // owned by the caller
};

// The line formats' common part: a LineWriter over the file, its flush, and
// the -l table (libpsample's `psample --list-groups` table, which text and
// libpsample print; JSON prints its own).
class LineOutput : public Output {
 public:
  void group_table(const std::vector<psample::GroupInfo>& groups) override;
  void flush() override {
    w_.flush();
    std::fflush(out_);
  }

 protected:
  explicit LineOutput(FILE* out) : Output(out), w_(out) {}
  tools::LineWriter w_;
};

std::unique_ptr<Output> make_text_output(FILE* out, bool verbose, InterfaceNames& names);
std::unique_ptr<Output> make_json_output(FILE* out, InterfaceNames& names);
std::unique_ptr<Output> make_libpsample_output(FILE* out, bool verbose);
// Samples and drops as pcapng packets; group events, summary alerts and
// tables are not written.
std::unique_ptr<Output> make_pcapng_output(FILE* out, InterfaceNames& names);

// The line output of a format (-F).
std::unique_ptr<Output> make_output(Format format, FILE* out, bool verbose, InterfaceNames& names);

// "HH:MM:SS.nnnnnnnnn" (UTC) for nanoseconds since the epoch.
void format_time(uint64_t time_ns, char (&out)[32]);
// What asctime(localtime(&seconds)) prints, without the newline
// ("Wed Dec  2 19:36:35 2026"), as libpsample's tool prints TIMESTAMP.
void format_asctime(uint64_t seconds, char (&out)[32]);

}  // namespace dump
