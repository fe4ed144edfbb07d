// The golden captures' expected.txt files (test/data/README.md): one item per
// line, a kind then key=value fields; '#' lines are comments.
#pragma once

#include <dirent.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace golden {

using Fields = std::map<std::string, std::string>;
struct Line {
  std::string kind;
  Fields fields;
};

inline std::vector<Line> read_expected(const std::string& path) {
  std::ifstream in(path);
  std::vector<Line> lines;
  std::string text;
  while (std::getline(in, text)) {
    if (text.empty() || text[0] == '#') continue;
    std::istringstream words(text);
    Line line;
    words >> line.kind;
    std::string word;
    while (words >> word) {
      const size_t eq = word.find('=');
      line.fields[word.substr(0, eq)] = word.substr(eq + 1);
    }
    lines.push_back(line);
  }
  return lines;
}

inline std::vector<uint8_t> unhex(const std::string& hex) {
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes.push_back(uint8_t(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

// The directories of `root` whose names start with `prefix` ("kernel-", "dropmon-").
inline std::vector<std::string> data_dirs(const std::string& root, const std::string& prefix) {
  std::vector<std::string> dirs;
  if (DIR* d = opendir(root.c_str())) {
    while (dirent* entry = readdir(d)) {
      const std::string name = entry->d_name;
      if (name.rfind(prefix, 0) == 0) dirs.push_back(root + "/" + name);
    }
    closedir(d);
  }
  return dirs;
}

}  // namespace golden
