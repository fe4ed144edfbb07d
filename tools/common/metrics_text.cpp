#include "metrics_text.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace tools {

void MetricsText::family(const char* name, const char* type, const char* help) {
  name_ = prefix_ + name;
  text_ += "# HELP " + name_ + " " + help + "\n# TYPE " + name_ + " " + type + "\n";
}

void MetricsText::begin_sample(const char* label, const std::string& label_value) {
  text_ += name_;
  if (label == nullptr) return;
  // A label value escapes backslash, double quote and newline.
  text_ += std::string("{") + label + "=\"";
  for (const char c : label_value) {
    if (c == '\\' || c == '"')
      text_ += '\\', text_ += c;
    else if (c == '\n')
      text_ += "\\n";
    else
      text_ += c;
  }
  text_ += "\"}";
}

void MetricsText::sample(uint64_t value) { sample(value, nullptr, std::string()); }

void MetricsText::sample(uint64_t value, const char* label, const std::string& label_value) {
  begin_sample(label, label_value);
  char number[32];
  std::snprintf(number, sizeof number, " %" PRIu64 "\n", value);
  text_ += number;
}

void MetricsText::sample(double value, const char* label, const std::string& label_value) {
  begin_sample(label, label_value);
  char number[40];
  std::snprintf(number, sizeof number, " %.17g\n", value);
  text_ += number;
}

bool metrics_path_ok(const std::string& path, std::string& error) {
  if (path.size() > 5 && path.compare(path.size() - 5, 5, ".prom") == 0) return true;
  error = "the name must end in .prom (node_exporter's textfile collector reads only those)";
  return false;
}

bool write_metrics_file(const std::string& path, const std::string& text, std::string& error) {
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = "cannot write " + temporary + ": " + std::strerror(errno);
    return false;
  }
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = "writing " + temporary + ": " + std::strerror(errno);
      ::close(fd);
      ::unlink(temporary.c_str());
      return false;
    }
    written += size_t(n);
  }
  if (::close(fd) != 0 || ::rename(temporary.c_str(), path.c_str()) != 0) {
    error = "cannot replace " + path + ": " + std::strerror(errno);
    ::unlink(temporary.c_str());
    return false;
  }
  return true;
}

}  // namespace tools
