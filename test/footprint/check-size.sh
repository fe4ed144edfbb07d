#!/usr/bin/env bash
# Fails when the library's code exceeds its budget: the "text" column of
# `size` (code and read-only data) summed over every object of the static
# archive: netlink + decode + Receiver. test/footprint/run-footprint.sh builds
# it for each target with -Os -fno-exceptions -fno-rtti -fno-unwind-tables
# -fno-asynchronous-unwind-tables and runs this:
# without exceptions nothing unwinds, so a size-conscious build leaves the
# unwind tables out, and the budget does not count them.
#   [SIZE=cross-size] check-size.sh LIBRARY.a [LIMIT_BYTES]   (default limit: 24 KiB)
set -euo pipefail
archive=${1:?usage: check-size.sh LIBRARY.a [LIMIT_BYTES]}
limit=${2:-24576}
"${SIZE:-size}" "$archive" | awk -v limit="$limit" '
  NR > 1 { text += $1; printf "  %-40s %6d\n", $6, $1 }
  END {
    printf "library text: %d bytes (limit %d bytes = %.0f KiB)\n", text, limit, limit / 1024
    if (text > limit) { print "FAIL: the library is over its size budget"; exit 1 }
    print "ok: within the size budget"
  }'
