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


if __name__ == "__main__":
    main()
