/* The load benchmark's yardstick: the plainest psample receiver one would
 * write in C. GETFAMILY, join "packets", then one blocking recv() per datagram
 * into a 64 KiB buffer with the kernel's default socket options, reading only
 * group and seq from each sample. With the argument "mmsg" it takes up to 16
 * datagrams per recvmmsg(MSG_WAITFORONE) instead (a yardstick for the
 * syscall alone). With "usersock GROUP FAMILY RCVBUF" (the native-speed
 * benchmark, native_bench.cpp) it joins NETLINK_USERSOCK group GROUP instead,
 * counts samples whose message type is FAMILY, and sets SO_RCVBUF(FORCE) to
 * RCVBUF when that is not 0 (0: the kernel's default). On SIGTERM it prints
 * what it counted:
 *   received=N overruns=N truncated=N
 * Written for the benchmark; it is not part of the library. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ALIGN4(n) (((n) + 3u) & ~3u)

static volatile sig_atomic_t stop;
static void on_term(int sig) {
  (void)sig;
  stop = 1;
}

static unsigned char buffer[65536];
static unsigned char batch[16][65536];

/* The id of `group` from a GETFAMILY reply's MCAST_GROUPS, or 0. */
static uint32_t find_group(const unsigned char* groups, size_t len, const char* group) {
  size_t off = 0;
  while (off + 4 <= len) {
    const struct nlattr* g = (const struct nlattr*)(groups + off);
    if (g->nla_len < 4 || off + g->nla_len > len) break;
    uint32_t id = 0;
    const char* name = NULL;
    size_t in = 4;
    while (in + 4 <= g->nla_len) {
      const struct nlattr* a = (const struct nlattr*)(groups + off + in);
      if (a->nla_len < 4 || in + a->nla_len > g->nla_len) break;
      const unsigned char* payload = (const unsigned char*)a + 4;
      if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GRP_ID && a->nla_len >= 8) memcpy(&id, payload, 4);
      if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GRP_NAME) name = (const char*)payload;
      in += ALIGN4(a->nla_len);
    }
    if (name && strcmp(name, group) == 0) return id;
    off += ALIGN4(g->nla_len);
  }
  return 0;
}

static unsigned long long received, overruns, truncated, checksum;
static uint16_t family;

static void count_datagram(const unsigned char* data, ssize_t n) {
  if ((size_t)n > sizeof buffer) {
    ++truncated;
    return;
  }
  size_t at = 0;
  while (at + NLMSG_HDRLEN <= (size_t)n) {
    const struct nlmsghdr* m = (const struct nlmsghdr*)(data + at);
    if (m->nlmsg_len < NLMSG_HDRLEN || at + m->nlmsg_len > (size_t)n) break;
    if (m->nlmsg_type == family && m->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN &&
        ((const struct genlmsghdr*)(data + at + NLMSG_HDRLEN))->cmd == 0 /* PSAMPLE_CMD_SAMPLE */) {
      uint32_t group = 0, seq = 0;
      size_t a_off = at + NLMSG_HDRLEN + GENL_HDRLEN, a_end = at + m->nlmsg_len;
      while (a_off + 4 <= a_end) {
        const struct nlattr* a = (const struct nlattr*)(data + a_off);
        if (a->nla_len < 4 || a_off + a->nla_len > a_end) break;
        if (a->nla_type == 3 && a->nla_len >= 8) memcpy(&group, data + a_off + 4, 4);
        if (a->nla_type == 4 && a->nla_len >= 8) memcpy(&seq, data + a_off + 4, 4);
        a_off += ALIGN4(a->nla_len);
      }
      checksum += group ^ seq;
      ++received;
    }
    at += ALIGN4(m->nlmsg_len);
  }
}

/* Opens a NETLINK_GENERIC socket, resolves psample, joins "packets". */
static int open_psample(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  if (fd < 0 || bind(fd, (struct sockaddr*)&local, sizeof local) != 0) {
    perror("reference-receiver: socket");
    return -1;
  }
  struct {
    struct nlmsghdr n;
    struct genlmsghdr g;
    unsigned char attrs[16];
  } request;
  memset(&request, 0, sizeof request);
  struct nlattr* name = (struct nlattr*)request.attrs;
  name->nla_type = CTRL_ATTR_FAMILY_NAME;
  name->nla_len = 4 + sizeof "psample";
  memcpy(request.attrs + 4, "psample", sizeof "psample");
  request.n.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + ALIGN4(name->nla_len);
  request.n.nlmsg_type = GENL_ID_CTRL;
  request.n.nlmsg_flags = NLM_F_REQUEST;
  request.n.nlmsg_seq = 1;
  request.g.cmd = CTRL_CMD_GETFAMILY;
  request.g.version = 1;
  if (send(fd, &request, request.n.nlmsg_len, 0) < 0) {
    perror("reference-receiver: send");
    return -1;
  }
  ssize_t got = recv(fd, buffer, sizeof buffer, 0);
  const struct nlmsghdr* reply = (const struct nlmsghdr*)buffer;
  if (got < (ssize_t)(NLMSG_HDRLEN + GENL_HDRLEN) || reply->nlmsg_type != GENL_ID_CTRL) {
    fprintf(stderr, "reference-receiver: no psample family (modprobe psample)\n");
    return -1;
  }
  uint32_t packets = 0;
  size_t off = NLMSG_HDRLEN + GENL_HDRLEN;
  size_t end = reply->nlmsg_len < (size_t)got ? reply->nlmsg_len : (size_t)got;
  while (off + 4 <= end) {
    const struct nlattr* a = (const struct nlattr*)(buffer + off);
    if (a->nla_len < 4 || off + a->nla_len > end) break;
    if (a->nla_type == CTRL_ATTR_FAMILY_ID && a->nla_len >= 6) memcpy(&family, buffer + off + 4, 2);
    if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GROUPS)
      packets = find_group(buffer + off + 4, a->nla_len - 4u, "packets");
    off += ALIGN4(a->nla_len);
  }
  if (family == 0 || packets == 0 ||
      setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &packets, sizeof packets) != 0) {
    fprintf(stderr, "reference-receiver: cannot join psample packets\n");
    return -1;
  }
  return fd;
}

/* The native benchmark's stream: NETLINK_USERSOCK group `group`. */
static int open_usersock(uint32_t group, int rcvbuf) {
  int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_USERSOCK);
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  if (fd < 0 || bind(fd, (struct sockaddr*)&local, sizeof local) != 0 ||
      setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) != 0) {
    perror("reference-receiver: usersock socket");
    return -1;
  }
  if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0 &&
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0) {
    perror("reference-receiver: SO_RCVBUF");
    return -1;
  }
  return fd;
}

int main(int argc, char** argv) {
  int arg = 1;
  const int use_mmsg = argc > arg && strcmp(argv[arg], "mmsg") == 0;
  arg += use_mmsg;
  int fd;
  if (argc > arg && strcmp(argv[arg], "usersock") == 0) {
    if (argc != arg + 4) {
      fprintf(stderr, "usage: load-reference-receiver [mmsg] [usersock GROUP FAMILY RCVBUF]\n");
      return 2;
    }
    family = (uint16_t)atoi(argv[arg + 2]);
    fd = open_usersock((uint32_t)atoi(argv[arg + 1]), atoi(argv[arg + 3]));
  } else {
    fd = open_psample();
  }
  if (fd < 0) return 1;

  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_term; /* no SA_RESTART: SIGTERM ends a blocking recv */
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGINT, &action, NULL);

  struct mmsghdr headers[16];
  struct iovec vectors[16];
  while (!stop) {
    if (use_mmsg) {
      for (int i = 0; i < 16; ++i) {
        vectors[i].iov_base = batch[i];
        vectors[i].iov_len = sizeof batch[i];
        memset(&headers[i], 0, sizeof headers[i]);
        headers[i].msg_hdr.msg_iov = &vectors[i];
        headers[i].msg_hdr.msg_iovlen = 1;
      }
      int got_many = recvmmsg(fd, headers, 16, MSG_TRUNC | MSG_WAITFORONE, NULL);
      if (got_many < 0) {
        if (errno == ENOBUFS) ++overruns;
        continue;
      }
      for (int i = 0; i < got_many; ++i) count_datagram(batch[i], (ssize_t)headers[i].msg_len);
      continue;
    }
    ssize_t n = recv(fd, buffer, sizeof buffer, MSG_TRUNC);
    if (n < 0) {
      if (errno == ENOBUFS) ++overruns;
      continue; /* EINTR: the loop condition sees stop */
    }
    count_datagram(buffer, n);
  }
  printf("received=%llu overruns=%llu truncated=%llu checksum=%llu\n", received, overruns, truncated, checksum);
  return 0;
}
