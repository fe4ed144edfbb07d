#!/usr/bin/env bash
# The shared library exports exactly its documented API: the list in
# test/consumer/exports.txt, no more and no less. The library is built with
# hidden visibility, PSAMPLE_API marks what exports, and lib/exports.map keeps
# everything outside namespace psample local.
#   check-exports.sh LIBRARY.so [ALLOWLIST]
set -euo pipefail
library=${1:?usage: check-exports.sh LIBRARY.so [ALLOWLIST]}
allowlist=${2:-$(dirname "$0")/exports.txt}
actual=$(nm -D -C --defined-only "$library" | awk '{ $1 = ""; $2 = ""; sub(/^  /, ""); print }' | LC_ALL=C sort -u)
wanted=$(grep -v '^#' "$allowlist" | LC_ALL=C sort -u)
if [ "$actual" != "$wanted" ]; then
  echo "FAIL: the exports of $library differ from $allowlist" >&2
  diff <(echo "$wanted") <(echo "$actual") | sed -n 's/^> /  exported but not in the list: /p; s/^< /  in the list but not exported: /p' >&2
  echo "If the change is on purpose, update $allowlist." >&2
  exit 1
fi
echo "ok: $(wc -l <<<"$actual") symbols exported, exactly the list"
