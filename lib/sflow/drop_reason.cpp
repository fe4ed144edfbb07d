// psample-cpp-sflow: Linux drop reasons and devlink traps to sFlow drop_reason
// codes (see drop_reason.hpp). The codes are sflow.org's enum drop_reason;
// where its published tables read dev_hdr = 33 and tc_egress = 36 (between
// 331 and 333, 365 and 367), the codes are 332 and 366.
#include "psample/sflow/drop_reason.hpp"

namespace psample::sflow {

namespace {

struct Entry {
  std::string_view name;
  uint32_t code;
};

// The kernel's skb drop reasons (SKB_DROP_REASON_*, as NET_DM_ATTR_REASON
// names them) that have an sFlow code. Others are unknown (256).
constexpr Entry linux_reasons[] = {
    {"NO_SOCKET", 3},  // port_unreachable
    {"IP_INNOROUTES", 6},
    {"IP_OUTNOROUTES", 6},    // dst_net_unknown
    {"NETFILTER_DROP", 258},  // acl
    {"QDISC_DROP", 259},      // no_buffer_space
    {"PKT_TOO_BIG", 262},
    {"UNICAST_IN_L2_MULTICAST", 271},  // uc_dip_over_mc_dmac
    {"IP_CSUM", 275},
    {"IP_INHDR", 275},      // ip_header_corrupted
    {"NEIGH_FAILED", 279},  // unresolved_neigh
    {"PKT_TOO_SMALL", 324},
    {"UNHANDLED_PROTO", 325},
    {"IPV6DISABLED", 326},
    {"INVALID_PROTO", 327},
    {"IP_NOPROTO", 328},
    {"SKB_CSUM", 329},
    {"SKB_UCOPY_FAULT", 330},
    {"DEV_READY", 331},
    {"DEV_HDR", 332},
    {"DUP_FRAG", 333},
    {"SKB_GSO_SEG", 334},
    {"IP_RPFILTER", 335},  // reverse_path_forwarding
    {"ICMP_CSUM", 336},    // icmp_parsing
    {"TCP_MD5NOTFOUND", 337},
    {"TCP_MD5UNEXPECTED", 338},
    {"TCP_MD5FAILURE", 339},
    {"TCP_FLAGS", 340},
    {"TCP_ZEROWINDOW", 341},
    {"TCP_OLD_DATA", 342},
    {"TCP_OVERWINDOW", 343},
    {"TCP_OFOMERGE", 344},
    {"TCP_RFC7323_PAWS", 345},
    {"TCP_INVALID_SEQUENCE", 346},
    {"TCP_RESET", 347},
    {"TCP_INVALID_SYN", 348},
    {"TCP_CLOSE", 349},
    {"TCP_FASTOPEN", 350},
    {"TCP_OLD_ACK", 351},
    {"TCP_TOO_OLD_ACK", 352},
    {"TCP_ACK_UNSENT_DATA", 353},
    {"TCP_OFO_QUEUE_PRUNE", 354},
    {"TCP_OFO_DROP", 355},
    {"TCP_MINTTL", 356},
    {"IPV6_BAD_EXTHDR", 357},
    {"IPV6_NDISC_FRAG", 358},
    {"IPV6_NDISC_HOP_LIMIT", 359},
    {"IPV6_NDISC_BAD_CODE", 360},
    {"IPV6_NDISC_BAD_OPTIONS", 361},
    {"IPV6_NDISC_NS_OTHERHOST", 362},
    {"TAP_FILTER", 363},
    {"TAP_TXFILTER", 364},
    {"TC_INGRESS", 365},
    {"TC_EGRESS", 366},
    {"XDP", 367},
    {"CPU_BACKLOG", 368},
    {"BPF_CGROUP_EGRESS", 369},
    {"XFRM_POLICY", 370},
    {"SOCKET_FILTER", 371},
};

// devlink traps (include/net/devlink.h's generic trap names).
constexpr Entry trap_names[] = {
    {"ipv4_lpm_miss", 6},
    {"ipv6_lpm_miss", 6},             // dst_net_unknown
    {"reject_route", 9},              // dst_net_prohibited
    {"ttl_value_is_too_small", 257},  // ttl_exceeded
    {"ingress_flow_action_drop", 258},
    {"egress_flow_action_drop", 258},  // acl
    {"tail_drop", 259},                // no_buffer_space
    {"early_drop", 260},               // red
    {"mtu_value_is_too_small", 262},   // pkt_too_big
    {"source_mac_is_multicast", 263},
    {"vlan_tag_mismatch", 264},
    {"ingress_vlan_filter", 265},
    {"ingress_spanning_tree_filter", 266},
    {"port_list_is_empty", 267},
    {"port_loopback_filter", 268},
    {"blackhole_route", 269},
    {"non_ip", 270},
    {"uc_dip_over_mc_dmac", 271},
    {"dip_is_loopback_address", 272},
    {"sip_is_mc", 273},
    {"sip_is_loopback_address", 274},
    {"ip_header_corrupted", 275},
    {"ipv4_sip_is_limited_bc", 276},
    {"ipv6_mc_dip_reserved_scope", 277},
    {"ipv6_mc_dip_interface_local_scope", 278},
    {"unresolved_neigh", 279},
    {"mc_reverse_path_forwarding", 280},
    {"non_routable_packet", 281},
    {"decap_error", 282},
    {"overlay_smac_is_mc", 283},
    {"blackhole_neigh", 292},  // blackhole_arp_neigh
    {"egress_vlan_filter", 301},
    {"uc_reverse_path_forwarding", 302},
    {"locked_port", 304},
    {"blackhole_nexthop", 306},
    {"vxlan_parsing", 307},
    {"llc_snap_parsing", 308},
    {"vlan_parsing", 309},
    {"pppoe_ppp_parsing", 310},
    {"mpls_parsing", 311},
    {"arp_parsing", 312},
    {"ip_1_parsing", 313},
    {"ip_n_parsing", 314},
    {"gre_parsing", 315},
    {"udp_parsing", 316},
    {"tcp_parsing", 317},
    {"ipsec_parsing", 318},
    {"sctp_parsing", 319},
    {"dccp_parsing", 320},
    {"gtp_parsing", 321},
    {"esp_parsing", 322},
};

// devlink trap groups, for a trap without a code of its own.
constexpr Entry trap_groups[] = {
    {"l2_drops", 284},     {"l3_drops", 285},  {"l3_exceptions", 286},      {"buffer_drops", 287},
    {"tunnel_drops", 288}, {"acl_drops", 258}, {"parser_error_drops", 323},
};

template <size_t N>
uint32_t find(const Entry (&table)[N], std::string_view name) noexcept {
  if (name.empty()) return 0;
  for (const Entry& e : table)
    if (e.name == name) return e.code;
  return 0;
}

}  // namespace

uint32_t drop_reason_code(std::string_view linux_reason, std::string_view trap_group,
                          std::string_view trap_name) noexcept {
  if (uint32_t code = find(linux_reasons, linux_reason)) return code;
  if (uint32_t code = find(trap_names, trap_name)) return code;
  if (uint32_t code = find(trap_groups, trap_group)) return code;
  return drop_reason::unknown;
}

}  // namespace psample::sflow
