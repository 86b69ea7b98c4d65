#!/usr/bin/env bash
# bench/perf/memory.sh [SIZES...] - the backend's memory while upgrading
#
# For each size (default 1000 10000) and each build of PERF_BUILDS: a fresh
# database with that many "data" revisions (gen.sh: one INSERT each, so
# that PostgreSQL's own caches do not grow with N) registered, then one
# session runs migrate_upgrade('head') while its server process's private
# memory (RssAnon in /proc/PID/status) is sampled every 10 ms.  Prints the
# private memory before the call and its peak during it, in MB, and the
# same for "ddl" revisions (CREATE TABLE and CREATE INDEX each) at 1000,
# where the relation cache grows with every table, whatever runs them.
# Needs to read /proc of the server's processes (same machine, root or the
# postgres user).
source "$(dirname "$0")/lib.sh"
SIZES=("${@:-1000 10000}")
# shellcheck disable=SC2206
SIZES=(${SIZES[*]})

rss_kb() { awk '/^RssAnon:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

measure() {
    local b=$1 n=$2 mode=$3 dir pid before peak cur port
    dir=$(revdir "$n" "$mode")
    port=$(port_of "$b")
    fresh_db "$b" perf_mem
    pq "$b" perf_mem -c "SELECT migrate_load('$dir')" >/dev/null
    PGAPPNAME=perf_mem "$FLOOR_PSQL" -X -q -At -p "$port" -d perf_mem \
        -c "SELECT pg_sleep(1)" -c "SELECT count(*) FROM migrate_upgrade('head')" >/dev/null &
    local client=$!
    pid=""
    for ((i = 0; i < 100; i++)); do
        pid=$(pq "$b" postgres -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'perf_mem'")
        [ -n "$pid" ] && break
        sleep 0.05
    done
    before=$(rss_kb "$pid")
    peak=0
    while kill -0 "$client" 2>/dev/null; do
        cur=$(rss_kb "$pid")
        [ "${cur:-0}" -gt "$peak" ] && peak=$cur
        sleep 0.01
    done
    wait "$client"
    [ "$(pq "$b" perf_mem -c "SELECT count(*) FROM migrate.journal")" = "$n" ] ||
        { echo "upgrade did not apply $n revisions" >&2; exit 1; }
    drop_db "$b" perf_mem
    printf '%-5s %-5s %6d %10.1f %10.1f %10.1f\n' "$b" "$mode" "$n" "$(awk -v k="$before" 'BEGIN { print k / 1024 }')" \
        "$(awk -v k="$peak" 'BEGIN { print k / 1024 }')" "$(awk -v a="$peak" -v k="$before" 'BEGIN { print (a - k) / 1024 }')"
}

printf '%-5s %-5s %6s %10s %10s %10s\n' build kind size before_MB peak_MB growth_MB
for n in "${SIZES[@]}"; do
    for b in $PERF_BUILDS; do measure "$b" "$n" data; done
done
for b in $PERF_BUILDS; do measure "$b" 1000 ddl; done
echo "(private memory of the server process: RssAnon)"
