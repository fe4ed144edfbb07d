// psample-dump: prints samples, group events and group tables in the text,
// json and libpsample formats.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "interface_names.hpp"
#include "line_writer.hpp"
#include "options.hpp"
#include "psample/psample.hpp"

namespace dump {

class SampleFormatter {
 public:
  SampleFormatter(Format format, bool verbose, InterfaceNames& names, FILE* out)
      : format_(format), verbose_(verbose), names_(names), w_(out) {}

  // `fallback_time_ns`: when the sample has no TIMESTAMP (receive or capture time).
  void sample(const psample::PacketView& p, uint64_t fallback_time_ns);
  void group_event(const psample::GroupInfo& g);
  void group_table(const std::vector<psample::GroupInfo>& groups);
  // Writes out what is buffered and flushes the FILE (psample-dump calls it
  // after each drain of the socket, so output stays prompt without a write()
  // per sample).
  void flush();

 private:
  void text(const psample::PacketView& p, uint64_t time_ns);
  void json(const psample::PacketView& p, uint64_t time_ns);
  void libpsample(const psample::PacketView& p);
  void json_tunnel(const psample::TunnelView& t);
  void interface(const char* key, uint32_t ifindex);
  void time_of_day(uint64_t time_ns);

  Format format_;
  bool verbose_;
  InterfaceNames& names_;
  LineWriter w_;
  uint64_t clock_second_ = 0;
  char clock_text_[9] = {};
  uint64_t asctime_second_ = 0;
  char asctime_text_[32] = {};
};

// "HH:MM:SS.nnnnnnnnn" (UTC) for nanoseconds since the epoch.
void format_time(uint64_t time_ns, char (&out)[32]);
// What asctime(localtime(&seconds)) prints, without the newline
// ("Wed Dec  2 19:36:35 2026"), as libpsample's tool prints TIMESTAMP.
void format_asctime(uint64_t seconds, char (&out)[32]);

}  // namespace dump
