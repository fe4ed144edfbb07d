#include "config_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace tools {

namespace {
std::string trim(const std::string& s) {
  const size_t first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return std::string();
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

const option* find(const option* options, const std::string& name) {
  for (const option* o = options; o->name != nullptr; ++o)
    if (name == o->name) return o;
  return nullptr;
}
}  // namespace

bool read_config_file(const std::string& path, const option* options, std::vector<ConfigArgument>& out,
                      std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = path + ": cannot read it: " + std::strerror(errno);
    return false;
  }
  std::string line;
  for (unsigned number = 1; std::getline(in, line); ++number) {
    const std::string origin = path + ":" + std::to_string(number);
    const std::string text = trim(line);
    if (text.empty() || text[0] == '#') continue;
    const size_t key_end = text.find_first_of(" \t=");
    const std::string key = text.substr(0, key_end);
    std::string value = key_end == std::string::npos ? std::string() : trim(text.substr(key_end));
    if (!value.empty() && value[0] == '=') value = trim(value.substr(1));
    const option* o = find(options, key);
    if (o == nullptr || key == "help" || key == "config") {
      error = origin + ": unknown option '" + key + "' (the keys are the long options, without --)";
      return false;
    }
    if (o->has_arg == no_argument && !value.empty()) {
      error = origin + ": '" + key + "' takes no value, got '" + value + "'";
      return false;
    }
    if (o->has_arg == required_argument && value.empty()) {
      error = origin + ": '" + key + "' needs a value";
      return false;
    }
    out.push_back(ConfigArgument{"--" + key + (value.empty() ? "" : "=" + value), origin});
  }
  return true;
}

std::vector<std::string> command_line_keys(int argc, char** argv, const option* options, const char* short_names) {
  std::vector<std::string> keys;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--") break;
    if (a.compare(0, 2, "--") == 0) {
      const std::string name = a.substr(2, a.find('=') - 2);
      keys.push_back(name);
      const option* o = find(options, name);
      if (o != nullptr && o->has_arg == required_argument && a.find('=') == std::string::npos) ++i;  // its value
    } else if (a.size() >= 2 && a[0] == '-') {
      // "-g 5" or "-g5": the long name from short_names ("g:group w:write").
      const std::string pattern = std::string(1, a[1]) + ":";
      const char* at = std::strstr(short_names, pattern.c_str());
      if (at == nullptr) continue;
      const char* end = std::strchr(at, ' ');
      keys.push_back(end ? std::string(at + 2, end) : std::string(at + 2));
      if (a.size() == 2) ++i;  // its value follows
    }
  }
  return keys;
}

std::string config_path(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--config=", 9) == 0) return argv[i] + 9;
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) return argv[i + 1];
  }
  return std::string();
}

}  // namespace tools
