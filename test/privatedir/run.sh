#!/usr/bin/env bash
# test/privatedir/run.sh - the suites that involve the postgres OS user, run
# from a checkout that user cannot enter
#
# Usage: test/privatedir/run.sh [SUITE...]
#
# Copies the work tree (tracked and untracked files, not ignored ones, so a
# change not yet committed is tested too) into a mode-700 directory owned by
# root, as a clone under /root would be, and runs test/run_all.sh there for
# the given suites (default: regress pgtap concurrency tap client scripts
# badinput fleet).
# The inner run gets a clean environment, so it picks its own free ports,
# private install and cluster; it is bounded by PRIVATEDIR_TIMEOUT seconds
# (default 1200).  Only meaningful as root: as another user the checkout is
# the user's own and the server runs as that user.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
if [ "$(id -u)" != 0 ]; then
    echo "1..0 # SKIP the server runs as the invoking user: no other user needs to read the checkout"
    exit 0
fi
if [ "$#" -gt 0 ]; then
    SUITES=("$@")
else
    SUITES=(regress pgtap concurrency tap client scripts badinput fleet)
fi

PRIV="$(mktemp -d /tmp/pgm-privatedir.XXXXXX)"
chmod 700 "$PRIV"
cleanup() { rm -rf "$PRIV"; }
trap cleanup EXIT

(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard) |
    (cd "$ROOT" && tar --null -T - -cf - 2>/dev/null) | (mkdir -p "$PRIV/checkout" && tar -xf - -C "$PRIV/checkout")

# the point of the suite: postgres must not be able to enter the checkout
if runuser -u postgres -- test -r "$PRIV/checkout/README.md" 2>/dev/null; then
    echo "not ok 1 - the postgres OS user cannot read the copied checkout"
    echo "1..1"
    exit 1
fi
echo "ok 1 - the postgres OS user cannot read the copied checkout ($PRIV, mode 700)"

rc=0
timeout "${PRIVATEDIR_TIMEOUT:-1200}" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME="${HOME:-/root}" LANG=C.UTF-8 FUZZ_SECONDS="${FUZZ_SECONDS:-5}" \
    bash "$PRIV/checkout/test/run_all.sh" "${SUITES[@]}" >"$PRIV/inner.log" 2>&1 || rc=$?
n=1
failures=0
if ! grep -qE "^-- suite " "$PRIV/inner.log"; then
    # it stopped before its first suite: say why once
    echo "Bail out! the run in the private checkout stopped before its first suite (exit $rc):"
    tail -n 30 "$PRIV/inner.log" | sed 's/^/#   /'
    exit 1
fi
for s in "${SUITES[@]}"; do
    n=$((n + 1))
    line="$(grep -E "^-- suite $s: " "$PRIV/inner.log" || true)"
    if grep -q ": ok " <<<"$line"; then
        echo "ok $n - suite $s passes from a private checkout"
    else
        failures=$((failures + 1))
        echo "not ok $n - suite $s passes from a private checkout"
        # the failing checks of that suite, or the end of the log
        (grep -E -A 6 "^not ok|FAILED" "$PRIV/checkout/test/log/$s.log" 2>/dev/null || tail -n 20 "$PRIV/inner.log") |
            head -n 60 | sed 's/^/#   /'
    fi
done
echo "1..$n"
[ "$rc" = 0 ] || [ "$failures" -gt 0 ] || { echo "# the inner run exited $rc"; tail -n 20 "$PRIV/inner.log" | sed 's/^/#   /'; exit 1; }
[ "$failures" -eq 0 ]
