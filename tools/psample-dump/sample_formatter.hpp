// psample-dump: prints samples, group events and group tables in the text,
// json and libpsample formats.
#pragma once

#include <cstdint>
#include <cstdio>
#include <vector>

#include "interface_names.hpp"
#include "options.hpp"
#include "psample/psample.hpp"

namespace dump {

class SampleFormatter {
 public:
  SampleFormatter(Format format, bool verbose, InterfaceNames& names, FILE* out)
      : format_(format), verbose_(verbose), names_(names), out_(out) {}

  // `fallback_time_ns`: when the sample has no TIMESTAMP (receive or capture time).
  void sample(const psample::PacketView& p, uint64_t fallback_time_ns);
  void group_event(const psample::GroupInfo& g);
  void group_table(const std::vector<psample::GroupInfo>& groups);

 private:
  void text(const psample::PacketView& p, uint64_t time_ns);
  void json(const psample::PacketView& p, uint64_t time_ns);
  void libpsample(const psample::PacketView& p);
  void interface(const char* key, uint32_t ifindex);

  Format format_;
  bool verbose_;
  InterfaceNames& names_;
  FILE* out_;
};

// "HH:MM:SS.nnnnnnnnn" (UTC) for nanoseconds since the epoch.
void format_time(uint64_t time_ns, char (&out)[32]);

}  // namespace dump
