#!/usr/bin/env bash
# psample-cpp VM harness: boots a stock Debian kernel (which has psample) under
# qemu with a small initramfs, runs one command inside, and brings back its
# output, its files and its exit status.
#
#   test/vm/vm.sh [options] -- COMMAND [ARG...]
#
#   --kernel NAME   bookworm (Debian 12's 6.1 kernel, default) or backports
#                   (the 6.12 kernel from bookworm-backports)
#   --add PATH      put a host file into the guest at /opt/bin/<name>; for an
#                   ELF binary its shared libraries come along (repeatable)
#   --module NAME   also load this module of the kernel package (and the
#                   modules it depends on, first) at boot (repeatable)
#   --out DIR       receive the guest's /out directory here (files the
#                   command writes there, plus console.log)
#   --cache DIR     download and build cache (default $PSAMPLE_VM_CACHE, else
#                   ~/.cache/psample-cpp-vm)
#   --timeout SEC   kill the VM after SEC seconds (default 300)
#   --prepare       only fetch the kernel and build the base initramfs
#   --apt TOOL ARG...  run apt-get/apt-cache TOOL on bookworm-backports with
#                   the harness's private apt configuration, and exit
#
# Inside the guest: psample, act_sample, cls_matchall, sch_ingress, veth and
# nlmon are loaded; the command runs as root in /out with /opt/bin on PATH;
# the modules stay in /modules for tests that reload them. The command's
# output streams to this terminal. The script exits with the command's status.
#
# Idempotent: host packages are installed only if missing, kernels are fetched
# once per version and kept in the cache with the base initramfs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kernel=bookworm
adds=()
extra_modules=()
out_dir=""
cache=${PSAMPLE_VM_CACHE:-${HOME:-/root}/.cache/psample-cpp-vm}
timeout_s=300
prepare_only=0
apt_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --apt) shift; apt_args=("$@"); set --; break ;;
    --kernel) kernel=$2; shift 2 ;;
    --add) adds+=("$2"); shift 2 ;;
    --module) extra_modules+=("$2"); shift 2 ;;
    --out) out_dir=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --prepare) prepare_only=1; shift ;;
    --) shift; break ;;
    *) echo "vm.sh: unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
if [ $prepare_only -eq 0 ] && [ ${#apt_args[@]} -eq 0 ] && [ $# -eq 0 ]; then
  echo "vm.sh: no command given: vm.sh [options] -- COMMAND [ARG...]" >&2
  exit 2
fi

log() { echo "vm.sh: $*" >&2; }

# --- host packages -----------------------------------------------------------
need=()
for p in qemu-system-x86 busybox-static cpio iproute2 dash kmod xz-utils zstd python3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  log "installing host packages: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${need[@]}"; } >/dev/null 2>&1 || { log "apt-get install ${need[*]} failed"; exit 1; }
fi

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
exec 9>"$cache/.lock"
flock 9  # one harness at a time per cache: parallel tests share the downloads

# --- the kernel --------------------------------------------------------------
# The Debian archive the host already uses (never a hard-coded mirror).
host_archive() {
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
      /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || { log "cannot find the host's Debian archive in /etc/apt"; exit 1; }
  echo "$uri"
}

# apt-get / apt-cache with a private configuration for bookworm-backports, so
# the host's own apt state is never touched.
backports_apt() {
  local tool=$1
  shift
  local dir="$cache/apt-backports"
  "$tool" -o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts="$dir/sources.list.d" \
    -o Dir::Etc::Preferences="$dir/preferences" -o Dir::Etc::PreferencesParts="$dir/preferences.d" \
    -o Dir::State::Lists="$dir/lists" -o Dir::State::Status="$dir/status" -o Dir::Cache="$dir/cache" \
    -o APT::Sandbox::User=root "$@"
}

setup_backports_apt() {
  local dir="$cache/apt-backports"
  mkdir -p "$dir/sources.list.d" "$dir/preferences.d" "$dir/lists/partial" "$dir/cache/archives/partial"
  touch "$dir/status"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(host_archive) bookworm-backports main" \
    >"$dir/sources.list"
  backports_apt apt-get update -qq >/dev/null
}

if [ ${#apt_args[@]} -gt 0 ]; then
  setup_backports_apt
  backports_apt "${apt_args[@]}"
  exit
fi

# Prints the linux-image package that the linux-image-amd64 metapackage pulls in.
image_package() {
  case $kernel in
    bookworm) apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }' ;;
    backports)
      setup_backports_apt
      backports_apt apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }' ;;
    *) log "unknown kernel '$kernel' (bookworm or backports)"; exit 2 ;;
  esac
}

kdir_link="$cache/kernel-$kernel"
if [ ! -f "$kdir_link/ready" ]; then
  [ "$kernel" = bookworm ] && { apt-cache show linux-image-amd64 >/dev/null 2>&1 || apt-get update -qq; }
  package=$(image_package)
  [ -n "$package" ] || { log "cannot find the linux-image package for '$kernel'"; exit 1; }
  kdir="$cache/$package"
  if [ ! -f "$kdir/ready" ]; then
    log "fetching $package"
    rm -rf "$kdir"
    mkdir -p "$kdir/deb"
    if [ "$kernel" = backports ]; then
      (cd "$kdir/deb" && backports_apt apt-get download -qq "$package")
    else
      (cd "$kdir/deb" && apt-get -o APT::Sandbox::User=root download -qq "$package")
    fi
    dpkg-deb -x "$kdir"/deb/*.deb "$kdir/root"
    "$here/extract-vmlinux.py" "$kdir"/root/boot/vmlinuz-* "$kdir/vmlinux"
    mkdir -p "$kdir/modules"
    for m in psample act_sample cls_matchall sch_ingress veth nlmon; do
      f=$(find "$kdir/root/lib/modules" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" | head -n1)
      [ -n "$f" ] || { log "module $m missing from $package"; exit 1; }
      case $f in
        *.xz) xz -dc "$f" >"$kdir/modules/$m.ko" ;;
        *.zst) zstd -qdc "$f" >"$kdir/modules/$m.ko" ;;
        *) cp "$f" "$kdir/modules/$m.ko" ;;
      esac
    done
    ls "$kdir"/root/boot/vmlinuz-* | sed 's/.*vmlinuz-//' >"$kdir/version"
    rm -rf "$kdir/root"  # the .deb stays: --module takes further modules from it
    touch "$kdir/ready"
  fi
  ln -sfn "$kdir" "$kdir_link"
fi
kdir=$(readlink -f "$kdir_link")

# --module: the networking modules of the kernel package, unpacked once
# (compressed as shipped) into $kdir/modtree; a module's dependencies come
# from its own modinfo ("depends", and "softdep: pre:" such as libcrc32c's
# crc32c, which crc32c_generic provides), so the load order is dependencies
# first.
module_path() {
  local name found
  for name in "$1" "$1_generic"; do
    found=$(find "$kdir/modtree" \( -name "$name.ko" -o -name "$name.ko.xz" -o -name "$name.ko.zst" \) -print -quit)
    [ -z "$found" ] || { echo "$found"; return 0; }
  done
}
resolved_modules=()
resolve_module() {
  local m=$1 f dep
  for dep in "${resolved_modules[@]}"; do [ "$dep" = "$m" ] && return 0; done
  case " psample act_sample cls_matchall sch_ingress veth nlmon " in *" $m "*) return 0 ;; esac
  f=$(module_path "$m")
  [ -n "$f" ] || { log "module $m is not in $(basename "$kdir")"; exit 1; }
  case $f in
    *.xz) xz -dc "$f" >"$kdir/modules/$m.ko" ;;
    *.zst) zstd -qdc "$f" >"$kdir/modules/$m.ko" ;;
    *) cp "$f" "$kdir/modules/$m.ko" ;;
  esac
  for dep in $(modinfo -F depends "$kdir/modules/$m.ko" | tr ',' ' ') \
    $(modinfo -F softdep "$kdir/modules/$m.ko" | sed -n 's/^pre: *//p'); do
    resolve_module "$dep"
  done
  resolved_modules+=("$m")
}
if [ ${#extra_modules[@]} -gt 0 ]; then
  if [ ! -f "$kdir/modtree/ready" ]; then
    package=$(basename "$kdir")
    if ! ls "$kdir"/deb/*.deb >/dev/null 2>&1; then
      log "fetching $package again for its modules"
      mkdir -p "$kdir/deb"
      if [ "$kernel" = backports ]; then
        setup_backports_apt
        (cd "$kdir/deb" && backports_apt apt-get download -qq "$package")
      else
        (cd "$kdir/deb" && apt-get -o APT::Sandbox::User=root download -qq "$package")
      fi
    fi
    rm -rf "$kdir/modtree"
    mkdir -p "$kdir/modtree"
    dpkg-deb --fsys-tarfile "$kdir"/deb/*.deb | tar -C "$kdir/modtree" -x --wildcards \
      '*/kernel/net/*' '*/kernel/drivers/net/*' '*/kernel/lib/*' '*/kernel/crypto/*'
    touch "$kdir/modtree/ready"
  fi
  for m in "${extra_modules[@]}"; do resolve_module "$m"; done
fi

# --- initramfs ----------------------------------------------------------------
# copy_with_libs ROOT FILE [DEST]: copies FILE (and, for ELF files, every
# shared library ldd names) into ROOT.
copy_with_libs() {
  local root=$1 file=$2 dest=${3:-$2}
  mkdir -p "$root$(dirname "$dest")"
  cp -L "$file" "$root$dest"
  if file -L "$file" 2>/dev/null | grep -q 'dynamically linked' || ldd "$file" >/dev/null 2>&1; then
    ldd "$file" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
      local target=$lib
      case $lib in
        /lib/* | /lib64/* | /usr/lib/*) ;;
        *) target=/usr/lib/$(basename "$lib") ;;  # e.g. the build tree's libpsample-cpp.so
      esac
      [ -e "$root$target" ] && continue
      mkdir -p "$root$(dirname "$target")"
      cp -L "$lib" "$root$target"
    done
  fi
}

base="$kdir/base.cpio.gz"
if [ ! -f "$base" ] || [ "$here/guest-init.sh" -nt "$base" ] || [ "$0" -nt "$base" ]; then
  log "building the base initramfs for $(cat "$kdir/version")"
  stage=$(mktemp -d)
  mkdir -p "$stage"/{bin,sbin,proc,sys,dev,tmp,run,out,opt/bin,modules,etc,root}
  cp /bin/busybox "$stage/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
  done
  rm -f "$stage/bin/sh" "$stage/bin/ip" "$stage/bin/tc"
  copy_with_libs "$stage" "$(command -v dash)" /bin/sh
  copy_with_libs "$stage" "$(command -v ip)" /sbin/ip
  copy_with_libs "$stage" "$(command -v tc)" /sbin/tc
  cp "$kdir"/modules/*.ko "$stage/modules/"
  cp "$here/guest-init.sh" "$stage/init"
  chmod +x "$stage/init"
  echo "root:x:0:0:root:/root:/bin/sh" >"$stage/etc/passwd"
  (cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$base.tmp"
  mv "$base.tmp" "$base"
  rm -rf "$stage"
fi
[ $prepare_only -eq 1 ] && { log "ready: $kdir"; exit 0; }

# --- this run's payload: the command and the added files ----------------------
work=$(mktemp -d)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
payload="$work/payload"
mkdir -p "$payload/opt/bin"
for f in ${adds[@]+"${adds[@]}"}; do
  [ -e "$f" ] || { log "--add $f: no such file"; exit 2; }
  copy_with_libs "$payload" "$f" "/opt/bin/$(basename "$f")"
done
if [ ${#resolved_modules[@]} -gt 0 ]; then
  mkdir -p "$payload/modules/extra"
  for m in "${resolved_modules[@]}"; do
    cp "$kdir/modules/$m.ko" "$payload/modules/extra/"
    echo "$m" >>"$payload/modules/extra/order"
  done
fi
{
  printf '#!/bin/sh\n'
  printf 'exec'
  for arg in "$@"; do printf " '%s'" "$(printf '%s' "$arg" | sed "s/'/'\\\\''/g")"; done
  printf '\n'
} >"$payload/command"
chmod +x "$payload/command"
(cd "$payload" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/payload.cpio.gz"
cat "$base" "$work/payload.cpio.gz" >"$work/initrd"

# --- boot ----------------------------------------------------------------------
# qemu's TCG now and then crashes the guest kernel while it boots (an int3
# Oops in code being patched, before any of ours runs). A boot that never
# reached the command (no PSAMPLE-VM-STARTED) is tried again, up to 3 boots;
# a crash once the command runs is the command's failure and is not retried.
results="$work/results.txt"
for boot in 1 2 3; do
  rm -f "$results"
  start=$(date +%s.%N)
  set +e
  timeout --foreground "$timeout_s" qemu-system-x86_64 \
    -machine q35,accel=tcg -cpu max -smp 2 -m 1024 \
    -kernel "$kdir/vmlinux" -initrd "$work/initrd" \
    -append "console=ttyS0 quiet loglevel=1 panic=-1 rdinit=/init" \
    -display none -monitor none -no-reboot -nic none \
    -serial stdio -serial "file:$results" </dev/null
  qemu_status=$?
  set -e
  end=$(date +%s.%N)
  log "$(cat "$kdir/version"): boot to poweroff $(printf '%.1f' "$(echo "$end - $start" | bc 2>/dev/null || python3 -c "print($end - $start)")") s"
  [ $qemu_status -ne 124 ] || break
  grep -q '^PSAMPLE-VM-STARTED' "$results" 2>/dev/null && break
  [ $boot -lt 3 ] && log "the guest kernel stopped before the command started (boot $boot of 3); booting again"
done

if [ $qemu_status -eq 124 ]; then
  log "the VM ran past --timeout ${timeout_s}s and was killed"
  exit 124
fi
if ! grep -q '^PSAMPLE-VM-END' "$results" 2>/dev/null; then
  log "the guest did not report back (qemu exit status $qemu_status); see the console output above"
  exit 125
fi
status=$(awk '/^PSAMPLE-VM-STATUS/ { print $2 }' "$results")
if [ -n "$out_dir" ]; then
  mkdir -p "$out_dir"
  sed -n '/^PSAMPLE-VM-BEGIN/,/^PSAMPLE-VM-STATUS/p' "$results" | sed '1d;$d' | tr -d '\r' | base64 -d |
    tar -C "$out_dir" -xf -
fi
exit "$status"
