// psample-dump: interface index -> name, cached.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace dump {

class InterfaceNames {
 public:
  explicit InterfaceNames(bool resolve) : resolve_(resolve) {}
  // The interface's name, or "" when not resolving or unknown.
  const std::string& name(uint32_t ifindex);

 private:
  bool resolve_;
  std::map<uint32_t, std::string> cache_;
};

}  // namespace dump
