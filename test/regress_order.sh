#!/usr/bin/env bash
# test/regress_order.sh - the regression files do not depend on run order
#
# Usage: test/regress_order.sh   (run by test/run_all.sh, suite regress-order)
#
# Runs the pg_regress files of test/sql in reverse alphabetical order, then
# each file alone in a database of its own, then each file again in a
# database where it already ran up to its closing DROP EXTENSION (as if it
# had failed there, leaving its extension, revisions, tables and roles),
# and last all of them over what every file left so.
# Each time the output must be the regress suite's expected output: a file
# relying on what another left, or tripping over what it left itself, fails.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t tests < <(cd test/sql && ls -- *.sql | sed 's/\.sql$//' | sort)
mapfile -t reversed < <(printf '%s\n' "${tests[@]}" | sort -r)

run() {
    local what="$1"
    shift
    echo "== $what"
    if ! make -s installcheck ISOLATION= REGRESS="$*" EXTRA_REGRESS_OPTS="${EXISTING:-}" \
        >test/log/regress-order.last 2>&1; then
        cat test/log/regress-order.last
        head -200 test/regression.diffs 2>/dev/null
        echo "regress-order: $what differs from the expected output" >&2
        return 1
    fi
    grep -E '^ *All [0-9]+ tests passed' test/log/regress-order.last || true
}

# run the file up to its last DROP EXTENSION in the database pg_regress
# left, as if it had stopped there
leave() {
    local last
    last=$(grep -n '^DROP EXTENSION pg_migrate' "test/sql/$1.sql" | tail -1 | cut -d: -f1)
    head -n "$((${last:-1} - 1))" "test/sql/$1.sql" |
        psql -X -q -d contrib_regression >/dev/null 2>&1 || true
}

status=0
run "reverse order" "${reversed[@]}" || status=1
for t in "${tests[@]}"; do
    run "$t alone" "$t" || status=1
    leave "$t"
    EXISTING=--use-existing run "$t over its leftovers" "$t" || status=1
done
# and every file over what all of them left
for t in "${tests[@]}"; do
    leave "$t"
done
EXISTING=--use-existing run "all over everyone's leftovers" "${tests[@]}" || status=1
exit "$status"
