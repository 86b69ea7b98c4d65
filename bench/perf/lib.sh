# bench/perf/lib.sh - shared by the bench/perf scripts (source it)
#
# Measurement clusters, made with scripts/cluster.sh (fsync on, default
# settings) on loopback ports of their own:
#   new   PERF_NEW_PORT (5575), this checkout, installed in PERF_NEW_PREFIX
#         (default /tmp/pfx-perf)
#   base  PERF_BASE_PORT (5576), a build of PERF_BASE_REV (default the commit
#         before the performance work), in PERF_BASE_PREFIX (/tmp/pfx-perf-base)
# "bench/perf/clusters.sh start" builds and starts both; every script
# measures the builds named in PERF_BUILDS (default "base new") side by
# side in one run, so that their ratios share the machine's noise.
set -euo pipefail

PERF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PERF_TOP="$(cd "$PERF_DIR/../.." && pwd)"
PERF_NEW_PORT="${PERF_NEW_PORT:-5575}"
PERF_BASE_PORT="${PERF_BASE_PORT:-5576}"
PERF_NEW_PREFIX="${PERF_NEW_PREFIX:-/tmp/pfx-perf}"
PERF_BASE_PREFIX="${PERF_BASE_PREFIX:-/tmp/pfx-perf-base}"
PERF_BASE_REV="${PERF_BASE_REV:-5d5c462}"
PERF_BUILDS="${PERF_BUILDS:-base new}"
PERF_WORK="${PERF_WORK:-/tmp/perf-bench-work}"
PERF_ROUNDS="${PERF_ROUNDS:-5}"
# the floor: psql as the distribution installs it
FLOOR_PSQL=/usr/lib/postgresql/15/bin/psql

export PGHOST=127.0.0.1 PGUSER=postgres
export PGOPTIONS="-c client_min_messages=warning -c pg_migrate.notice_steps=off"
mkdir -p "$PERF_WORK"
chmod 755 "$PERF_WORK"

# port_of BUILD / bin_of BUILD: where a build listens, its bin directory
port_of() { if [ "$1" = new ]; then echo "$PERF_NEW_PORT"; else echo "$PERF_BASE_PORT"; fi; }
bin_of() {
    if [ "$1" = new ]; then echo "$PERF_NEW_PREFIX/usr/lib/postgresql/15/bin"
    else echo "$PERF_BASE_PREFIX/usr/lib/postgresql/15/bin"; fi
}

# pq BUILD DB ARGS...: quiet psql against a build's cluster
pq() {
    local b=$1 db=$2
    shift 2
    "$FLOOR_PSQL" -X -q -At -v ON_ERROR_STOP=1 -p "$(port_of "$b")" -d "$db" "$@"
}

# fresh_db BUILD DB [noext]: drop and create DB, with the extension.
# With PERF_SETTLE=1 (the default) then CHECKPOINT and one untimed
# connection to DB: the first process timed after CREATE DATABASE otherwise
# pays for the new database's dirty buffers and cold caches, which made a
# pair's ratio depend on which of the two ran first.  PERF_SETTLE=0 times
# the first process as it comes.
PERF_SETTLE="${PERF_SETTLE:-1}"
fresh_db() {
    local b
    pq "$1" postgres -c "DROP DATABASE IF EXISTS $2 WITH (FORCE)" -c "CREATE DATABASE $2"
    [ "${3:-}" = noext ] || pq "$1" "$2" -c "CREATE EXTENSION pg_migrate"
    if [ "$PERF_SETTLE" = 1 ]; then
        # every build's cluster: the two share the disk, and the writes
        # the other build's last run left would land in this timed run
        for b in $PERF_BUILDS; do pq "$b" postgres -c CHECKPOINT; done
        pq "$1" "$2" -c "SELECT 1" >/dev/null
    fi
}

# builds_in_round R: PERF_BUILDS, reversed in odd rounds, so that neither
# build always runs right after the other's writes
builds_in_round() {
    if (($1 % 2)); then printf '%s\n' $PERF_BUILDS | tac | tr '\n' ' '
    else echo "$PERF_BUILDS"; fi
}

drop_db() { pq "$1" postgres -c "DROP DATABASE IF EXISTS $2 WITH (FORCE)"; }

# revdir N [ddl|data]: a directory of N chained revision files (cached)
revdir() {
    local d="$PERF_WORK/${2:-ddl}$1"
    [ -f "$d.floor.sql" ] || bash "$PERF_DIR/gen.sh" "$d" "$1" "${2:-ddl}" >&2
    echo "$d"
}

# secs COMMAND...: run it, print its wall-clock seconds (its output is dropped)
secs() {
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", (b - a) / 1e9 }'
}

# median: of the numbers on stdin
median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) printf "%.4f\n", v[(NR + 1) / 2];
        else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio A B: A / B to two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f\n", a / b; else print "nan" }'; }

# server_ms BUILD DB SQL [REPEAT]: median milliseconds of SQL inside the
# server, REPEAT (default 11) times in one session, each in a transaction
# of its own (a DO block that commits after each), timed with
# clock_timestamp() around it: no client round trip.  One warm-up run
# first is not counted.
server_ms() {
    local b=$1 db=$2 sql=$3 n=${4:-11}
    pq "$b" "$db" -c "SELECT set_config('perf.sql', \$q\$$sql\$q\$, false)" \
        -c "DO \$\$ DECLARE t0 timestamptz; ms float8; BEGIN
            FOR i IN 0 .. $n LOOP
                t0 := clock_timestamp();
                EXECUTE current_setting('perf.sql');
                ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
                COMMIT;
                IF i > 0 THEN RAISE WARNING 'perf_ms %', ms; END IF;
            END LOOP; END \$\$" 2>&1 | sed -n 's/.*perf_ms //p' | median
}

# report_methods: the medians of the associative arrays "up" and "noop"
# (seconds per method loop, j1, j2, space-separated per round), the ratios
# loop/j1 and loop/j2, and the raw figures (fleet.sh, tenants.sh)
report_methods() {
    local phase m l a c
    printf '%-8s %9s %9s %9s %10s %10s\n' phase loop j1 j2 loop/j1 loop/j2
    for phase in up noop; do
        declare -n arr=$phase
        l=$(printf '%s\n' ${arr[loop]} | median)
        a=$(printf '%s\n' ${arr[j1]} | median)
        c=$(printf '%s\n' ${arr[j2]} | median)
        printf '%-8s %9s %9s %9s %10s %10s\n' "$phase" "$l" "$a" "$c" "$(ratio "$l" "$a")" "$(ratio "$l" "$c")"
    done
    for phase in up noop; do
        declare -n arr=$phase
        for m in loop j1 j2; do printf 'raw %s %s: %s\n' "$phase" "$m" "${arr[$m]}"; done
    done
}
