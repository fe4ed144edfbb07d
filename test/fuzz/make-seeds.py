#!/usr/bin/env python3
"""Writes seed corpora for the fuzz targets from the real kernel captures in
test/data/ plus a few crafted edge cases.

usage: make-seeds.py DATA_DIR OUT_DIR
"""
import os
import struct
import sys


def messages(blob):
    at = 0
    while at + 16 <= len(blob):
        length = struct.unpack_from("=I", blob, at)[0]
        if length < 16 or at + length > len(blob):
            break
        yield blob[at:at + length]
        at += (length + 3) & ~3


def net_dm_messages(pcap):
    """The generic netlink messages of a classic pcap from tcpdump on nlmon
    (16-byte cooked header) other than nlctrl's, with their type set to the
    fuzz target's NET_DM id (0x1D)."""
    magic = struct.unpack_from("=I", pcap, 0)[0]
    order = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    at = 24
    while at + 16 <= len(pcap):
        captured = struct.unpack_from(order + "I", pcap, at + 8)[0]
        record = pcap[at + 16:at + 16 + captured]
        at += 16 + captured
        if len(record) < 16 or struct.unpack_from(">H", record, 14)[0] != 16:  # NETLINK_GENERIC
            continue
        for m in messages(record[16:]):
            if struct.unpack_from("=H", m, 4)[0] > 0x10:
                yield m[:4] + struct.pack("=H", 0x1D) + m[6:]


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def main():
    data, out = sys.argv[1], sys.argv[2]
    kernels = sorted(d for d in os.listdir(data) if d.startswith("kernel-"))
    for kernel in kernels:
        blob = open(os.path.join(data, kernel, "capture.nlmsgs"), "rb").read()
        pcap = open(os.path.join(data, kernel, "nlmon.pcap"), "rb").read()
        write(os.path.join(out, "datagram"), kernel + "-all", blob)
        write(os.path.join(out, "capture"), kernel + "-nlmon.pcap", pcap)
        write(os.path.join(out, "capture"), kernel + "-truncated.pcap", pcap[: len(pcap) // 3])
        for i, m in enumerate(messages(blob)):
            for target in ("decode", "attributes", "family", "datagram"):
                payload = m[20:] if target == "attributes" else m
                write(os.path.join(out, target), "%s-%03d" % (kernel, i), payload)
    # Crafted edges: an empty message, a lone header, an attribute of length 0,
    # a nested tunnel, a group message, an error with extended ack.
    header = struct.pack("=IHHII", 20, 0x1C, 0, 0, 0) + bytes([0, 1, 0, 0])
    write(os.path.join(out, "decode"), "edge-headers-only", header)
    write(os.path.join(out, "decode"), "edge-zero-length-attribute", struct.pack("=IHHII", 24, 0x1C, 0, 0, 0) + bytes([0, 1, 0, 0]) + struct.pack("=HH", 0, 3))
    tunnel = struct.pack("=HH", 12, 0) + (7).to_bytes(8, "big") + struct.pack("=HH", 5, 4) + b"\x40\0\0\0"
    attribute = struct.pack("=HH", 4 + len(tunnel), 8) + tunnel
    write(os.path.join(out, "decode"), "edge-tunnel", struct.pack("=IHHII", 20 + len(attribute), 0x1C, 0, 0, 0) + bytes([0, 1, 0, 0]) + attribute)
    error = struct.pack("=IHHII", 44, 2, 0x300, 1, 0) + struct.pack("=i", -2) + struct.pack("=IHHII", 20, 0x10, 1, 1, 0) + struct.pack("=HH", 8, 1) + b"bad\0"
    write(os.path.join(out, "datagram"), "edge-ext-ack", error)

    # The drop monitor: every NET_DM message of the drop captures (test/data/dropmon-*), and hand-built
    # software, hardware and summary alerts shaped as net/core/drop_monitor.c writes them.
    for capture in sorted(d for d in os.listdir(data) if d.startswith("dropmon-")):
        for i, m in enumerate(net_dm_messages(open(os.path.join(data, capture, "nlmon.pcap"), "rb").read())):
            write(os.path.join(out, "dropmon"), "%s-%03d" % (capture, i), m)
    def nla(kind, payload):
        raw = struct.pack("=HH", 4 + len(payload), kind) + payload
        return raw + b"\0" * (-len(raw) % 4)
    def genl(command, attributes):
        return struct.pack("=IHHII", 20 + len(attributes), 0x1D, 0, 0, 0) + bytes([command, 2, 0, 0]) + attributes
    software = genl(5, nla(14, struct.pack("=H", 0)) + nla(2, struct.pack("=Q", 0xFFFFFFFF81A2B3C4)) + nla(23, b"NO_SOCKET\0")
                    + nla(3, b"__udp4_lib_rcv+0x8a1/0xbc0\0") + nla(4, nla(0, struct.pack("=I", 2)))
                    + nla(5, struct.pack("=Q", 1764900000123456789)) + nla(10, struct.pack("=I", 60))
                    + nla(6, struct.pack("=H", 0x800)) + nla(7, bytes(range(60))))
    hardware = genl(5, nla(14, struct.pack("=H", 1)) + nla(15, b"l3_drops\0") + nla(16, b"blackhole_route\0")
                    + nla(4, nla(0, struct.pack("=I", 5)) + nla(1, b"eni0np1\0")) + nla(22, b"\xde\xad")
                    + nla(10, struct.pack("=I", 60)) + nla(7, bytes(60)))
    summary = genl(1, nla(0, struct.pack("=I", 2) + struct.pack("=QI", 1, 3) + struct.pack("=QI", 2, 4)))
    hw_summary = genl(1, nla(0, struct.pack("=I", 0)) + nla(17, nla(18, nla(16, b"ttl_value_is_too_small\0") + nla(19, struct.pack("=I", 9)))))
    for name, blob in (("software", software), ("hardware", hardware), ("summary", summary), ("hw-summary", hw_summary),
                       ("all", software + hardware + summary + hw_summary)):
        write(os.path.join(out, "dropmon"), "edge-" + name, blob)


if __name__ == "__main__":
    main()
