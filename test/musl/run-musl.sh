#!/usr/bin/env bash
# The library on musl: builds it and examples/minimal_receiver.cpp against
# Debian's musl (musl-tools) with no C++ runtime at all, links the program
# fully static with the C driver (so libstdc++ cannot sneak in), and runs it
# in the test VM against real samples (tc sample on a veth pair).
#
#   test/musl/run-musl.sh [--kernel bookworm|backports]
#
# Debian has no musl libstdc++, so the C++ headers the library includes
# (header-only parts: <chrono>, <memory>, <optional>, <cstring>, ...) come
# from the glibc g++ and the C headers from musl; the kernel's UAPI headers
# (linux/netlink.h, linux/filter.h) from linux-libc-dev. libstdc++'s
# os_defines.h asks __GLIBC_PREREQ, which musl does not define: it is
# defined to 0 here. The flags are the footprint build's.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
kernel=bookworm
[ "${1:-}" != --kernel ] || kernel=$2
tools/install-deps.sh musl-tools linux-libc-dev g++ >/dev/null

work=build/musl
rm -rf "$work"
mkdir -p "$work/include/psample" "$work/kernel" "$work/obj"
version=$(sed -n "s/^ *version: '\([0-9.]*\)'.*/\1/p" meson.build | head -n1)
IFS=. read -r major minor patch <<<"$version"
sed "s/@VERSION@/$version/;s/@MAJOR@/$major/;s/@MINOR@/$minor/;s/@PATCH@/$patch/" include/psample/version.hpp.in \
  >"$work/include/psample/version.hpp"
multiarch=$(gcc -dumpmachine)
ln -s /usr/include/linux "$work/kernel/linux"
ln -s /usr/include/asm-generic "$work/kernel/asm-generic"
ln -s "/usr/include/$multiarch/asm" "$work/kernel/asm"
specs=/usr/lib/x86_64-linux-musl/musl-gcc.specs
gcc_major=$(gcc -dumpversion | cut -d. -f1)
flags=(-std=c++17 -Os -fno-exceptions -fno-rtti -fno-unwind-tables -fno-asynchronous-unwind-tables
  -ffunction-sections -fdata-sections -Wall -Wextra -Werror)
cxx=(g++ -specs "$specs" -nostdinc++ -isystem "/usr/include/c++/$gcc_major" -isystem
  "/usr/include/$multiarch/c++/$gcc_major" -idirafter "$work/kernel" '-D__GLIBC_PREREQ(major,minor)=0'
  "${flags[@]}" -Iinclude -Ilib -I"$work/include")
objects=()
for source in $(find lib -name '*.cpp' | sort) examples/minimal_receiver.cpp; do
  object=$work/obj/$(tr / _ <<<"$source").o
  "${cxx[@]}" -c "$source" -o "$object"
  objects+=("$object")
done
program=$work/minimal_receiver
gcc -specs "$specs" -static -Wl,--gc-sections -s "${objects[@]}" -o "$program"
echo "musl: library and minimal receiver built with no C++ runtime; fully static: $(stat -c %s "$program") bytes"
file "$program" | grep -q "statically linked" || { echo "FAIL: $program is not statically linked"; exit 1; }

# Real samples: the guest script sets up tc sample on a veth pair and checks what the program printed.
g++ -std=c++17 -O2 -o "$work/send-frames" test/vm/send_frames.cpp
test/vm/vm.sh --kernel "$kernel" --add "$program" --add "$work/send-frames" --add test/musl/musl-in-vm.sh \
  -- musl-in-vm.sh
