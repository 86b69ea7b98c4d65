#!/usr/bin/env bash
# bench/perf/firstcall.sh [N] - the no-op upgrade as a session's first call
#
# What an application start pays inside the server: in a database with N
# (default 10000) revisions registered and applied, each round opens a
# fresh session per build of PERF_BUILDS (alternating which build goes
# first) and times one statement, SELECT count(*) FROM
# migrate_upgrade('head'), from statement_timestamp() to clock_timestamp()
# in the statement itself.  The session first runs an untimed statement
# of the same shape over generate_series(), so that the timing
# expression's own first-use costs (its functions and types) are not
# counted.  Two variants:
#   cold     the call loads the library, as at an application's start
#   loaded   LOAD 'pg_migrate' first (what shared_preload_libraries or
#            session_preload_libraries give): the call's own work
# Also printed, for scale: a session's first statement reading any table
# (SELECT count(*) FROM pg_namespace), timed the same way.
source "$(dirname "$0")/lib.sh"
N="${1:-10000}"
REPS="${PERF_REPS:-11}"
SRV="(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::numeric(14,3)"
WARM="SELECT count(*), $SRV FROM pg_catalog.generate_series(1, 1)"

# first_ms BUILD PRE SQL: the in-server ms of SQL as a fresh session's
# first statement after the warm-up and PRE
first_ms() {
    pq "$1" perf_first -c "$WARM" -c "$2" -c "SELECT count(*), $SRV FROM ($3) s" |
        tail -1 | cut -d'|' -f2
}

dir=$(revdir "$N")
for b in $PERF_BUILDS; do
    fresh_db "$b" perf_first
    pq "$b" perf_first -c "SELECT migrate_load('$dir')" -c "SELECT migrate_stamp('head')" >/dev/null
    pq "$b" perf_first -c "SELECT count(*) FROM migrate_upgrade('head')" >/dev/null
done

declare -A cold loaded table
for ((r = 0; r < REPS; r++)); do
    for b in $(builds_in_round "$r"); do
        cold[$b]+="$(first_ms "$b" "SELECT 1" "SELECT * FROM migrate_upgrade('head')") "
        loaded[$b]+="$(first_ms "$b" "LOAD 'pg_migrate'" "SELECT * FROM migrate_upgrade('head')") "
        table[$b]+="$(first_ms "$b" "SELECT 1" "SELECT * FROM pg_catalog.pg_namespace") "
    done
done

printf '%-5s %6s %10s %10s %12s\n' build N cold loaded first_table
for b in $PERF_BUILDS; do
    printf '%-5s %6d %10.3f %10.3f %12.3f\n' "$b" "$N" \
        "$(tr ' ' '\n' <<<"${cold[$b]}" | grep . | median)" \
        "$(tr ' ' '\n' <<<"${loaded[$b]}" | grep . | median)" \
        "$(tr ' ' '\n' <<<"${table[$b]}" | grep . | median)"
    drop_db "$b" perf_first
done
echo "(milliseconds inside the server, medians of $REPS fresh sessions)"
