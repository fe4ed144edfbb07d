#include "output.hpp"

#include <ctime>

namespace dump {

std::unique_ptr<Output> make_output(Format format, FILE* out, bool verbose, InterfaceNames& names) {
  switch (format) {
    case Format::json: return make_json_output(out, names);
    case Format::libpsample: return make_libpsample_output(out, verbose);
    case Format::text: break;
  }
  return make_text_output(out, verbose, names);
}

void LineOutput::group_table(const std::vector<psample::GroupInfo>& groups) {
  if (!groups.empty()) w_.printf("%-15s %-15s %-15s\n", "Group Num", "Refcount", "Group Seq");
  for (const auto& g : groups)
    w_.printf("%-15d %-15d %-15d\n", static_cast<int>(g.group), static_cast<int>(g.refcount), static_cast<int>(g.seq));
  flush();
}

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

}  // namespace dump
