#!/usr/bin/env bash
# test/run_all.sh - "make test": the whole suite
#
# Usage: test/run_all.sh [SUITE...]
#
# Installs missing packages (scripts/install-deps.sh --test), builds the
# extension and client and installs them into a private copy of the server
# (test/install.sh: nothing is written to the system's PostgreSQL), starts a
# throw-away cluster of its own from that copy (127.0.0.1:$TEST_PORT, by
# default the first free port from 25000; stopped and removed at the end),
# and runs the suites: unit, layers, fuzz, regress, regress-order, pgtap,
# concurrency, tap, oracle, client, scripts, badinput, fleet, autogen, privatedir.
# Prints one line per suite and a closing "N passed, N failed" line; exits
# non-zero when any suite failed.
set -euo pipefail

case "${1:-}" in
    -h | --help)
        sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
esac

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
ALL_SUITES=(unit layers fuzz regress regress-order pgtap concurrency tap oracle client scripts badinput fleet autogen privatedir)
if [ "$#" -gt 0 ]; then
    SUITES=("$@")
else
    SUITES=("${ALL_SUITES[@]}")
fi

# two checkouts testing at once must not share a port, an install or a
# cluster: free_port.sh claims each port for this run ($$)
export TEST_PORT="${TEST_PORT:-$(bash test/free_port.sh 25000 $$)}"
export DOCKER_TEST_PORT="${DOCKER_TEST_PORT:-$(bash test/free_port.sh $((TEST_PORT + 1)) $$)}"
export CLUSTER_PORT="$TEST_PORT"
export CLUSTER_DIR="${TEST_CLUSTER_DIR:-/tmp/pg_migrate-test-$TEST_PORT}"
LOGDIR="$ROOT/test/log"
mkdir -p "$LOGDIR"

echo "== dependencies"
bash scripts/install-deps.sh --test
echo "== build"
make -s
# PGBIN, PATH and PG_MIGRATE now name the private copy of the server
own_install="${TEST_INSTALL:-}"
eval "$(bash test/install.sh)"

# the cluster and the private install are this run's own: both go at exit
cleanup() {
    bash scripts/cluster.sh destroy >/dev/null 2>&1 || true
    if [ -z "$own_install" ] && [ -n "${TEST_INSTALL:-}" ]; then
        rm -rf "$TEST_INSTALL"
    fi
}
trap cleanup EXIT
bash scripts/cluster.sh destroy >/dev/null 2>&1 || true
bash scripts/cluster.sh start
eval "$(bash scripts/cluster.sh env)"
echo "== port $TEST_PORT, cluster $CLUSTER_DIR, install $TEST_INSTALL"
echo "== free space in /tmp: $(df -h --output=avail /tmp | tail -n 1 | tr -d ' ')"
bash test/prepare_fixtures.sh "$(bash scripts/cluster.sh datadir)"
export PGDATABASE=postgres

run_suite() {
    local name="$1"
    case "$name" in
        unit) make -C test/unit check ;;
        layers) python3 test/layers/check.py . ;;
        fuzz) FUZZ_SECONDS="${FUZZ_SECONDS:-20}" bash test/fuzz/run.sh ;;
        regress) make installcheck || { cat test/regression.diffs test/isolation/output/regression.diffs 2>/dev/null | head -200; return 1; } ;;
        regress-order) bash test/regress_order.sh ;;
        pgtap) bash test/pgtap/run.sh ;;
        concurrency) bash test/concurrency/run.sh ;;
        tap) bash test/tap/run.sh ;;
        oracle) bash test/oracle/run.sh && bash test/oracle/run_sql.sh ;;
        client) bash test/client/run.sh ;;
        scripts) bash test/scripts/run.sh ;;
        badinput) bash test/badinput/run.sh ;;
        fleet) bash test/fleet/run.sh && bash test/fleet/standby.sh ;;
        autogen) bash test/autogen/run.sh ;;
        privatedir) bash test/privatedir/run.sh ;;
        *) echo "unknown suite $name" >&2; return 1 ;;
    esac
}

passed=0
failed=0
failed_names=()
for s in "${SUITES[@]}"; do
    echo "== $s"
    start=$(date +%s)
    if run_suite "$s" 2>&1 | tee "$LOGDIR/$s.log"; then
        status=ok
        passed=$((passed + 1))
    else
        status=FAILED
        failed=$((failed + 1))
        failed_names+=("$s")
    fi
    echo "-- suite $s: $status ($(($(date +%s) - start)) s, log in test/log/$s.log)"
done

echo
if [ "$failed" -gt 0 ]; then
    echo "failed suites: ${failed_names[*]}"
fi
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
