#!/usr/bin/env python3
"""Extracts the uncompressed vmlinux (ELF) from a bzImage: finds the
compressed payload (xz, zstd or gzip) and decompresses it. Booting vmlinux
directly (qemu's PVH entry) skips the in-guest decompression, which is slow
under TCG.

usage: extract-vmlinux.py BZIMAGE OUTPUT
"""
import subprocess
import sys

MAGICS = [
    (b"\xfd7zXZ\x00", ["xz", "-dc"]),
    (b"\x28\xb5\x2f\xfd", ["zstd", "-qdc"]),
    (b"\x1f\x8b\x08\x00", ["gzip", "-dc"]),
]


def main():
    image, output = sys.argv[1], sys.argv[2]
    data = open(image, "rb").read()
    for magic, command in MAGICS:
        start = data.find(magic)
        while start != -1:
            # Trailing bytes after the stream make the tools complain; the
            # decompressed output is still whole, so judge by the ELF header.
            result = subprocess.run(command, input=data[start:], capture_output=True)
            if result.stdout[:4] == b"\x7fELF":
                open(output, "wb").write(result.stdout)
                return 0
            start = data.find(magic, start + 1)
    print("extract-vmlinux: no compressed ELF kernel found in %s" % image, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
