#!/usr/bin/env bash
# Builds netdevsim.ko for a VM kernel from Debian's own packages, and the
# kernel's netdevsim psample selftest as a tar. Debian's kernels do not enable
# CONFIG_NETDEVSIM; the module builds out of tree from the kernel's source
# package against the matching linux-headers package (kbuild reads the
# kernel's .config and Module.symvers from it, so the vermagic and symbol
# versions are the VM kernel's). It needs only psample. The packages are
# unpacked into the cache, never installed, so the host's apt state is not
# touched (bookworm-backports through vm.sh's private apt configuration).
#   build-netdevsim.sh KERNEL VERSION OUT_DIR   (KERNEL: bookworm or backports)
# writes OUT_DIR/netdevsim.ko and OUT_DIR/selftests.tar.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kernel=${1:?usage: build-netdevsim.sh KERNEL VERSION OUT_DIR}
version=${2:?usage: build-netdevsim.sh KERNEL VERSION OUT_DIR}
out=${3:?usage: build-netdevsim.sh KERNEL VERSION OUT_DIR}
cache=${PSAMPLE_VM_CACHE:-$HOME/.cache/psample-cpp-vm}
series=$(echo "$version" | cut -d. -f1-2)  # 6.1, 6.12
dir="$cache/netdevsim-$version"
log() { echo "build-netdevsim: $*" >&2; }

if [ ! -f "$dir/ready" ]; then
  rm -rf "$dir"
  mkdir -p "$dir/deb" "$dir/root"
  "$here/../../tools/install-deps.sh" make gcc bc flex bison libelf-dev xz-utils >/dev/null
  # The headers package, its -common part, the kbuild tools it links to, and the source.
  if [ "$kernel" = backports ]; then
    apt_tool() { "$here/vm.sh" --kernel backports --apt "$@"; }
  else
    apt_tool() { "$@" -o APT::Sandbox::User=root; }
    apt-cache show "linux-headers-$version" >/dev/null 2>&1 || apt-get update -qq
  fi
  common=$(apt_tool apt-cache depends "linux-headers-$version" | awk '/Depends: linux-headers-.*-common/ { print $2; exit }')
  kbuild=$(apt_tool apt-cache depends "linux-headers-$version" | awk '/Depends: linux-kbuild-/ { print $2; exit }')
  [ -n "$common" ] && [ -n "$kbuild" ] || { log "cannot resolve linux-headers-$version's dependencies"; exit 1; }
  log "fetching linux-headers-$version $common $kbuild linux-source-$series"
  (cd "$dir/deb" && apt_tool apt-get download -qq "linux-headers-$version" "$common" "$kbuild" "linux-source-$series")
  for deb in "$dir"/deb/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
  headers="$dir/root/usr/src/linux-headers-$version"
  # The headers' Makefile includes the -common part by its installed path; point it into the cache.
  sed -i "s|include /usr/src/|include $dir/root/usr/src/|" "$headers/Makefile"
  tarball=$(ls "$dir"/root/usr/src/linux-source-"$series".tar.*)
  mkdir -p "$dir/src"
  tar -C "$dir/src" -xf "$tarball" --strip-components=1 \
    "linux-source-$series/drivers/net/netdevsim" \
    "linux-source-$series/tools/testing/selftests/drivers/net/netdevsim/psample.sh" \
    "linux-source-$series/tools/testing/selftests/net/forwarding/lib.sh" \
    "linux-source-$series/tools/testing/selftests/net/forwarding/devlink_lib.sh"
  # 6.12's lib.sh sources the shared net/lib.sh.
  tar -C "$dir/src" -xf "$tarball" --strip-components=1 --wildcards "linux-source-$series/tools/testing/selftests/net/lib.sh" \
    2>/dev/null || true
  log "building netdevsim.ko for $version"
  # No BTF for the module: that needs pahole and the kernel's vmlinux, and nothing here reads it.
  make -s -C "$headers" M="$dir/src/drivers/net/netdevsim" CONFIG_NETDEVSIM=m CONFIG_DEBUG_INFO_BTF_MODULES= modules -j"$(nproc)" >"$dir/make.log" 2>&1 ||
    { cat "$dir/make.log" >&2; log "netdevsim did not build"; exit 1; }
  strip --strip-debug "$dir/src/drivers/net/netdevsim/netdevsim.ko"
  (cd "$dir/src" && tar -cf "$dir/selftests.tar" tools/testing/selftests)
  rm -rf "$dir/deb" "$dir/root"
  touch "$dir/ready"
fi
magic=$(modinfo -F vermagic "$dir/src/drivers/net/netdevsim/netdevsim.ko")
case $magic in
  "$version "*) ;;
  *) log "netdevsim.ko has vermagic '$magic', not $version"; exit 1 ;;
esac
mkdir -p "$out"
cp "$dir/src/drivers/net/netdevsim/netdevsim.ko" "$dir/selftests.tar" "$out/"
log "netdevsim.ko for $version ($magic, depends: $(modinfo -F depends "$out/netdevsim.ko"))"
