#!/usr/bin/env bash
# The library's size on the targets appliances run: x86_64, aarch64, armhf
# (32-bit ARM), mips (big-endian 32-bit, the classic router CPU) and mipsel.
# Every target must build with -Werror, and the 24 KiB budget fails the run
# on every target. Each is the static archive built the size-conscious way:
#   -Os -fno-exceptions -fno-rtti -fno-unwind-tables -fno-asynchronous-unwind-tables
#   -ffunction-sections -fdata-sections
# On mips and mipsel the router build adds -mips16 -minterlink-mips16
# -mno-shared: the MIPS16e compact encoding (what Thumb-2 is to armhf, whose
# Debian compiler uses it by default; 24Kc/74Kc/1004Kc routers all run it)
# and code for executables rather than shared objects, as a static program
# links it. The standard-encoding PIC size is printed too, for information.
# On every target the archive may leave undefined only what
# runtime-allowlist.txt lists: C library calls, never the C++ runtime.
# On x86_64 and mips it also links examples/minimal_receiver.cpp the same way,
# with -static-libstdc++ -static-libgcc -Wl,--gc-sections, stripped: that
# program must stay within 48 KiB and must run (here, with no psample module,
# it must say how to get one).
# Unwind tables are left out and not counted: without exceptions nothing
# unwinds (check-size.sh says so too). Cross targets use Debian's cross
# compilers through the meson cross files in test/footprint/cross/.
#   test/footprint/run-footprint.sh [TARGET...]   (default: all five)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x86_64 aarch64 armhf mips mipsel)
declare -A prefix=([x86_64]="" [aarch64]=aarch64-linux-gnu- [armhf]=arm-linux-gnueabihf- [mips]=mips-linux-gnu-
  [mipsel]=mipsel-linux-gnu-)
declare -A target_flags=([mips]="-mips16 -minterlink-mips16 -mno-shared" [mipsel]="-mips16 -minterlink-mips16 -mno-shared")
declare -A static_program=([x86_64]=1 [mips]=1)
flags="-Os -fno-exceptions -fno-rtti -fno-unwind-tables -fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections"
program_limit=49152  # 48 KiB
packages=()
for t in "${targets[@]}"; do
  [ -n "${prefix[$t]+set}" ] || { echo "run-footprint: unknown target $t" >&2; exit 2; }
  [ -z "${prefix[$t]}" ] || packages+=("g++-${prefix[$t]%-}")
done
tools/install-deps.sh binutils qemu-user "${packages[@]}" >/dev/null

status=0
for t in "${targets[@]}"; do
  dir=build/footprint-$t
  cross=()
  [ -z "${prefix[$t]}" ] || cross=(--cross-file "test/footprint/cross/$t.ini")
  options=(-Dwerror=true -Dtests=disabled -Dtools=disabled -Dbench=disabled -Ddefault_library=static
    -Dbuildtype=minsize)
  if [ -n "${target_flags[$t]+set}" ]; then
    # For information: the same archive in the standard encoding, as a shared-object build would have it.
    rm -rf "$dir-standard"
    meson setup "$dir-standard" "${cross[@]}" "${options[@]}" "-Dcpp_args=$flags" >/dev/null
    if ninja -C "$dir-standard" >"$dir-standard/ninja.log" 2>&1; then
      standard=$("${prefix[$t]}size" "$dir-standard/libpsample-cpp.a" | awk 'NR > 1 { text += $1 } END { print text }')
      echo "== $t, standard encoding, PIC (for information, not budgeted): library text $standard bytes"
    else
      cat "$dir-standard/ninja.log"
      echo "FAIL: $t: the standard-encoding build does not compile with -Werror"
      status=1
    fi
  fi
  target_cpp_args="$flags ${target_flags[$t]:-}"
  rm -rf "$dir"  # a fresh setup each time: a reconfigure can keep a cross build's old cpp_args
  meson setup "$dir" "${cross[@]}" "${options[@]}" "-Dcpp_args=$target_cpp_args" >/dev/null
  echo "== $t ($("${prefix[$t]}g++" -dumpmachine)): $target_cpp_args"
  if ! ninja -C "$dir" >"$dir/ninja.log" 2>&1; then
    cat "$dir/ninja.log"
    echo "FAIL: $t: the footprint build does not compile with -Werror"
    status=1
    continue
  fi
  SIZE="${prefix[$t]}size" test/footprint/check-size.sh "$dir/libpsample-cpp.a" | tail -n 2 || status=1
  # For information: the libraries a receive-only program does not link (not budgeted).
  for extra_library in psample-cpp-dropmon psample-cpp-sflow psample-cpp-sampling; do
    text=$("${prefix[$t]}size" "$dir/lib$extra_library.a" | awk 'NR > 1 { text += $1 } END { print text }')
    echo "$extra_library (its own library, not in the budget): text $text bytes"
  done
  # Nothing from the C++ runtime: undefined symbols not defined in the archive itself, against the allowlist.
  archive=$dir/libpsample-cpp.a
  extra=$(comm -23 <("${prefix[$t]}nm" --undefined-only "$archive" | awk 'NF == 2 { print $2 }' | LC_ALL=C sort -u) \
    <("${prefix[$t]}nm" --defined-only "$archive" | awk 'NF == 3 { print $3 }' | LC_ALL=C sort -u) |
    LC_ALL=C comm -23 - <(grep -v '^#' test/footprint/runtime-allowlist.txt | LC_ALL=C sort -u))
  if [ -n "$extra" ]; then
    echo "FAIL: $t: the library needs symbols outside test/footprint/runtime-allowlist.txt:"
    "${prefix[$t]}c++filt" <<<"$extra" | sed 's/^/  /'
    status=1
  else
    echo "runtime: only C library and compiler-helper symbols undefined (runtime-allowlist.txt)"
  fi
  if [ -n "${static_program[$t]+set}" ]; then
    program=$dir/minimal_receiver
    link=()
    # -mno-shared code links into executables, not position-independent ones.
    [ -z "${target_flags[$t]+set}" ] || link=(-no-pie)
    # shellcheck disable=SC2086  # $target_cpp_args is a list of flags
    "${prefix[$t]}g++" -std=c++17 $target_cpp_args -Iinclude -I"$dir/include" examples/minimal_receiver.cpp "$archive" \
      -static-libstdc++ -static-libgcc -Wl,--gc-sections -s "${link[@]}" -o "$program"
    bytes=$(stat -c %s "$program")
    needed=$("${prefix[$t]}readelf" -d "$program" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
    echo "static minimal receiver: $bytes bytes (limit $program_limit = 48 KiB; needs only: $needed)"
    if [ "$bytes" -gt "$program_limit" ]; then
      echo "FAIL: $t: the static minimal receiver is over 48 KiB"
      status=1
    fi
    runner=()
    [ -z "${prefix[$t]}" ] || runner=("qemu-$t" -L "/usr/${prefix[$t]%-}")
    said=$("${runner[@]}" "$program" 2>&1 >/dev/null || true)
    if grep -q "modprobe psample" <<<"$said" || [ -d /sys/module/psample ]; then
      echo "static minimal receiver runs: ${said:-received for ten seconds}"
    elif [ ${#runner[@]} -gt 0 ] && grep -q "socket(AF_NETLINK) failed: Protocol not supported" <<<"$said"; then
      echo "static minimal receiver runs under qemu-user, up to the socket (qemu-user does not emulate generic netlink): $said"
    else
      echo "FAIL: $t: the static minimal receiver did not run as expected: $said"
      status=1
    fi
  fi
done
exit $status
