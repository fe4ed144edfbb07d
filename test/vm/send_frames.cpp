// send-frames IFACE COUNT LENGTH [ETHERTYPE]: sends COUNT Ethernet frames of
// LENGTH bytes (broadcast, ethertype 0x88b5 by default) on IFACE through an
// AF_PACKET socket. A deterministic traffic source for the in-VM tests.
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: send-frames IFACE COUNT LENGTH [ETHERTYPE]\n");
    return 2;
  }
  const unsigned index = if_nametoindex(argv[1]);
  const long count = std::strtol(argv[2], nullptr, 0);
  const long length = std::strtol(argv[3], nullptr, 0);
  const long ethertype = argc > 4 ? std::strtol(argv[4], nullptr, 0) : 0x88b5;
  if (index == 0 || count < 0 || length < 14 || length > 65535) {
    std::fprintf(stderr, "send-frames: bad interface, count or length\n");
    return 2;
  }
  std::vector<unsigned char> frame(size_t(length), 0);
  for (int i = 0; i < 6; ++i) frame[size_t(i)] = 0xff;
  frame[6] = 0x02;
  frame[11] = 0x01;
  frame[12] = static_cast<unsigned char>(ethertype >> 8);
  frame[13] = static_cast<unsigned char>(ethertype);
  for (size_t i = 14; i < frame.size(); ++i) frame[i] = static_cast<unsigned char>(i);
  const int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) {
    std::perror("send-frames: socket(AF_PACKET)");
    return 1;
  }
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_ifindex = int(index);
  address.sll_halen = 6;
  for (long i = 0; i < count; ++i) {
    if (sendto(fd, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&address), sizeof address) < 0) {
      std::fprintf(stderr, "send-frames: sendto: %s\n", std::strerror(errno));
      return 1;
    }
  }
  close(fd);
  return 0;
}
