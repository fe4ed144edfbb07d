#include "group_refilter.hpp"

#include <linux/filter.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "psample/netlink/genl_controller.hpp"
#include "psample/protocol.hpp"

namespace tools {

static_assert(sizeof(psample::FilterInstruction) == sizeof(sock_filter), "a cBPF instruction");

bool refilter_groups(int receiver_fd, const psample::GroupList& groups, std::string& error) {
  if (groups.empty()) {
    if (::setsockopt(receiver_fd, SOL_SOCKET, SO_DETACH_FILTER, nullptr, 0) == 0 || errno == ENOENT) return true;
    error = std::string("removing the group filter: ") + std::strerror(errno);
    return false;
  }
  // The filter matches psample's family id: asked of the kernel again.
  auto socket = psample::netlink::Socket::open(NETLINK_GENERIC);
  if (!socket) return error = socket.error().message(), false;
  std::vector<uint8_t> scratch(16384);
  auto family = psample::netlink::resolve_family(*socket, psample::family_name,
                                                 psample::MutableByteView(scratch.data(), scratch.size()));
  if (!family) return error = family.error().message(), false;
  std::vector<psample::FilterInstruction> program(psample::group_filter_length(groups.size()));
  auto built = psample::build_group_filter(family->id, groups, program.data(), program.size());
  if (!built) return error = built.error().message(), false;
  sock_fprog filter{static_cast<unsigned short>(*built), reinterpret_cast<sock_filter*>(program.data())};
  if (::setsockopt(receiver_fd, SOL_SOCKET, SO_ATTACH_FILTER, &filter, sizeof filter) != 0) {
    error = std::string("replacing the group filter: ") + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace tools
