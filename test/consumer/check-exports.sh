#!/usr/bin/env bash
# The shared library exports its API and none of its internals: the library
# is built with hidden visibility and only PSAMPLE_API declarations export.
#   check-exports.sh LIBRARY.so
set -euo pipefail
library=${1:?usage: check-exports.sh LIBRARY.so}
exports=$(nm -D -C --defined-only "$library")
status=0
for wanted in 'psample::decode(psample::ByteView)' 'psample::Receiver::open(' 'psample::netlink::Socket::open(' \
  'psample::list_groups()' 'psample::Error::Error('; do
  if ! grep -qF "$wanted" <<<"$exports"; then
    echo "FAIL: $wanted is not exported" >&2
    status=1
  fi
done
for internal in 'psample::detail::' '(anonymous namespace)'; do
  if grep -F "$internal" <<<"$exports" >&2; then
    echo "FAIL: internal symbols ($internal) are exported" >&2
    status=1
  fi
done
echo "$(wc -l <<<"$exports") symbols exported"
exit $status
