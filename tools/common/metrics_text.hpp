// psample-cpp tools: metrics in Prometheus' text exposition format (0.0.4),
// written to a file for node_exporter's textfile collector: nothing new
// listens on the network.
#pragma once

#include <cstdint>
#include <string>

namespace tools {

// Builds the text: each metric family's "# HELP" and "# TYPE" lines, then
// its samples, every name under one prefix ("psample_sflow_"), so two tools
// writing into the same directory never collide.
class MetricsText {
 public:
  explicit MetricsText(std::string prefix) : prefix_(std::move(prefix)) {}

  // Starts a family: `type` is "counter" (its name ends in _total) or
  // "gauge". The samples that follow belong to it.
  void family(const char* name, const char* type, const char* help);
  // One sample of the current family, with no label or one label.
  void sample(uint64_t value);
  void sample(uint64_t value, const char* label, const std::string& label_value);
  void sample(double value, const char* label = nullptr, const std::string& label_value = std::string());

  const std::string& text() const { return text_; }

 private:
  void begin_sample(const char* label, const std::string& label_value);

  std::string prefix_, name_, text_;
};

// --metrics-file's rule: node_exporter's textfile collector reads only
// names ending in .prom. False with `error` set (the option names itself).
bool metrics_path_ok(const std::string& path, std::string& error);

// Writes `text` to PATH.tmp, then renames it over PATH, so a reader sees the
// old file or the new one, never half of one. False with `error` set.
bool write_metrics_file(const std::string& path, const std::string& text, std::string& error);

}  // namespace tools
