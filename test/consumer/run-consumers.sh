#!/usr/bin/env bash
# Builds and runs a consumer of psample-cpp four ways, as users would:
#   1. vendored: subprojects/psample-cpp is a copy of this repository;
#   2. vendored through a [wrap-file] whose tarball sits in packagecache;
#   3. installed (meson install --destdir), found with pkg-config;
#   4. installed, found with CMake's find_package(psample-cpp).
# For 1 it also checks that psample-cpp as a subproject builds no tests, needs
# no Catch2, and leaks no warning flags into the parent.
#   run-consumers.sh SOURCE_ROOT
set -euo pipefail
root=$(cd "${1:?usage: run-consumers.sh SOURCE_ROOT}" && pwd)
here="$root/test/consumer"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(sed -n "s/^  version: '\(.*\)',/\1/p" "$root/meson.build")
expected="psample-cpp $version: group 7 seq 3 data 4 bytes"
failed=0
check_output() {  # check_output WHAT PROGRAM...
  local what=$1
  shift
  local got
  got=$("$@" 2>&1) || true
  if [ "$got" = "$expected" ]; then echo "ok: $what: $got"; else echo "FAIL: $what: got '$got'"; failed=1; fi
}

# The source tree as a user would receive it: the tracked files only.
snapshot="$work/psample-cpp-$version"
mkdir -p "$snapshot"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$snapshot" 2>/dev/null ||
  tar -C "$root" --exclude='./build*' -cf - . | tar -C "$snapshot" -xf -)

# 1. subprojects/psample-cpp copy.
project="$work/vendored"
mkdir -p "$project/subprojects"
cp -r "$here/meson-subproject/." "$project/"
cp "$here/consumer.cpp" "$work/consumer.cpp"
sed -i "s#'../consumer.cpp'#'$work/consumer.cpp'#" "$project/meson.build"
cp -r "$snapshot" "$project/subprojects/psample-cpp"
# No Catch2 anywhere: a wrap for it must not even be looked at.
rm -f "$project/subprojects/psample-cpp/subprojects/catch2.wrap"
meson setup "$project/build" "$project" --wrap-mode=nodownload >"$work/setup1.log" 2>&1 ||
  { cat "$work/setup1.log"; exit 1; }
ninja -C "$project/build" >"$work/build1.log" 2>&1 || { cat "$work/build1.log"; exit 1; }
check_output "vendored, dependency() fallback" "$project/build/consumer"
check_output "vendored, plain subproject()" "$project/build/consumer-plain"
if grep -q "unit-tests\|psample-dump\|host-kernel-tests" "$project/build/build.ninja"; then
  echo "FAIL: the subproject built tests or tools"; failed=1
else
  echo "ok: as a subproject psample-cpp builds no tests, tools or benchmarks"
fi
if grep -qi "catch2" "$work/setup1.log"; then echo "FAIL: Catch2 was looked for"; failed=1; else echo "ok: no Catch2 needed"; fi
# The first consumer.cpp compile command (two targets build it; printing one
# and stopping, so no pipe closes on a writer: that was a broken-pipe flake).
consumer_flags=$(python3 -c "
import json, sys
for c in json.load(open('$project/build/compile_commands.json')):
    if c['file'].endswith('consumer.cpp'):
        print(c['command'])
        break")
if echo "$consumer_flags" | grep -qE -- "-Wpedantic|-Wextra|-Wconversion|-Werror"; then
  echo "FAIL: warning flags leaked into the parent: $consumer_flags"; failed=1
else
  echo "ok: no warning flags leak into the parent's targets"
fi
if grep -q "warning:" "$work/build1.log"; then echo "FAIL: the vendored build warns"; failed=1; else echo "ok: the vendored build is warning-free"; fi

# 2. [wrap-file] with the tarball in packagecache.
project="$work/wrapped"
mkdir -p "$project/subprojects/packagecache"
cp -r "$here/meson-subproject/." "$project/"
sed -i "s#'../consumer.cpp'#'$work/consumer.cpp'#" "$project/meson.build"
tarball="psample-cpp-$version.tar.gz"
tar -C "$work" -czf "$project/subprojects/packagecache/$tarball" "psample-cpp-$version"
cat >"$project/subprojects/psample-cpp.wrap" <<WRAP
[wrap-file]
directory = psample-cpp-$version
source_url = https://psample-cpp.invalid/$tarball
source_filename = $tarball
source_hash = $(sha256sum "$project/subprojects/packagecache/$tarball" | cut -d' ' -f1)

[provide]
psample-cpp = psample_cpp_dep
WRAP
meson setup "$project/build" "$project" --wrap-mode=nodownload >"$work/setup2.log" 2>&1 ||
  { cat "$work/setup2.log"; exit 1; }
ninja -C "$project/build" >/dev/null
check_output "vendored through a [wrap-file]" "$project/build/consumer"

# 3 and 4. Installed.
meson setup "$work/install-build" "$snapshot" -Dtests=disabled -Dprefix=/usr/local >/dev/null
ninja -C "$work/install-build" >/dev/null
DESTDIR="$work/dest" meson install -C "$work/install-build" --quiet
prefix="$work/dest/usr/local"
libdir=$(dirname "$(find "$prefix" -name 'libpsample-cpp.so' | head -n1)")
for f in "$prefix/include/psample/psample.hpp" "$prefix/include/psample/version.hpp" "$libdir/libpsample-cpp.a" \
  "$libdir/pkgconfig/psample-cpp.pc" "$libdir/cmake/psample-cpp/psample-cppConfig.cmake" "$prefix/bin/psample-dump"; do
  if [ -e "$f" ]; then echo "ok: installed ${f#$prefix/}"; else echo "FAIL: not installed: ${f#$prefix/}"; failed=1; fi
done
if [ "$(readlink "$libdir/libpsample-cpp.so")" = "libpsample-cpp.so.${version%%.*}" ]; then
  echo "ok: soname libpsample-cpp.so.${version%%.*}"
else
  echo "FAIL: libpsample-cpp.so links to $(readlink "$libdir/libpsample-cpp.so")"; failed=1
fi

export PKG_CONFIG_SYSROOT_DIR="$work/dest" PKG_CONFIG_PATH="$libdir/pkgconfig"
c++ -std=c++17 "$work/consumer.cpp" $(pkg-config --cflags --libs psample-cpp) -o "$work/consumer-pkgconfig"
check_output "installed, pkg-config ($(pkg-config --modversion psample-cpp))" env LD_LIBRARY_PATH="$libdir" \
  "$work/consumer-pkgconfig"

cmake -S "$here/cmake" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" >"$work/cmake.log" 2>&1 ||
  { cat "$work/cmake.log"; exit 1; }
cmake --build "$work/cmake-build" >"$work/cmake-build.log" 2>&1 || { cat "$work/cmake-build.log"; exit 1; }
check_output "installed, CMake find_package" env LD_LIBRARY_PATH="$libdir" "$work/cmake-build/consumer"

[ $failed -eq 0 ] && echo "consumers: all checks passed"
exit $failed
