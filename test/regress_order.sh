#!/usr/bin/env bash
# test/regress_order.sh - the regression files do not depend on run order
#
# Usage: test/regress_order.sh   (run by test/run_all.sh, suite regress-order)
#
# Runs the pg_regress files of test/sql in reverse alphabetical order, then
# each file alone in a database of its own, each time against the same
# expected output as the regress suite: a file relying on what another left
# (revisions, version rows, roles, tables) fails one of these runs.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t tests < <(cd test/sql && ls -- *.sql | sed 's/\.sql$//' | sort)
mapfile -t reversed < <(printf '%s\n' "${tests[@]}" | sort -r)

run() {
    local what="$1"
    shift
    echo "== $what"
    if ! make -s installcheck REGRESS="$*" >test/log/regress-order.last 2>&1; then
        cat test/log/regress-order.last
        head -200 test/regression.diffs 2>/dev/null
        echo "regress-order: $what differs from the expected output" >&2
        return 1
    fi
    grep -E '^ *All [0-9]+ tests passed' test/log/regress-order.last || true
}

status=0
run "reverse order" "${reversed[@]}" || status=1
for t in "${tests[@]}"; do
    run "$t alone" "$t" || status=1
done
exit "$status"
