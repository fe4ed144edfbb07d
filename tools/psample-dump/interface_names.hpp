// psample-dump: interface index -> name, cached in a fixed-size table.
#pragma once

#include <cstdint>
#include <string>

namespace dump {

// A direct-mapped cache of `slots` names: memory stays bounded whatever
// indexes samples carry, and a name older than refresh_ms is looked up again,
// so an index reused by a new interface shows the new name.
class InterfaceNames {
 public:
  static constexpr unsigned slots = 256;
  static constexpr uint64_t refresh_ms = 10000;

  explicit InterfaceNames(bool resolve) : resolve_(resolve) {}
  // The interface's name, or "" when not resolving or unknown. Valid until the next call.
  const std::string& name(uint32_t ifindex);

 private:
  struct Entry {
    uint32_t ifindex = 0;  // 0: empty
    uint64_t looked_up_ms = 0;
    std::string name;
  };
  bool resolve_;
  Entry entries_[slots];
};

}  // namespace dump
