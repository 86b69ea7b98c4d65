#!/usr/bin/env bash
# bench/perf/fleet.sh [DATABASES [REVISIONS]] - a fleet brought to head
#
# DATABASES databases (default 50) each brought from empty to head through
# REVISIONS revisions (default 20, bench/perf/gen.sh's ddl revisions) by the
# "new" build's client, three ways, wall clock of the whole run:
#   loop   a shell loop running "pg_migrate -d DB upgrade head" per database
#   j1     pg_migrate --databases 'perf_fleet_%' -j 1 upgrade head
#   j2     the same with -j 2
# and then, the fleet at head, the same three again (noop_*).
# Before each timed run the databases are made afresh (CREATE DATABASE,
# CREATE EXTENSION; not timed), then CHECKPOINT and one untimed
# "SELECT 1" per database, so that no method pays for the others' dirty
# buffers or cold catalog caches.  PERF_ROUNDS rounds (default 4); the
# order of the three methods is reversed every other round, so each is
# measured both first and last.  Every run is checked: every database at
# the head, or the round is reported as failed.
# Prints the median of each and the ratios loop/j1 and loop/j2.
source "$(dirname "$0")/lib.sh"
NDB="${1:-50}"
NREV="${2:-20}"
ROUNDS="${PERF_ROUNDS:-4}"
b=new
port=$(port_of "$b")
pgm="$(bin_of "$b")/pg_migrate"
dir=$(revdir "$NREV")
export PGPORT="$port"

dbs=()
for ((i = 1; i <= NDB; i++)); do dbs+=("$(printf 'perf_fleet_%03d' "$i")"); done

make_fleet() {
    local d
    for d in "${dbs[@]}"; do
        pq "$b" postgres -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" -c "CREATE DATABASE $d"
        pq "$b" "$d" -c "CREATE EXTENSION pg_migrate"
    done
}

settle() {
    local d
    pq "$b" postgres -c CHECKPOINT
    for d in "${dbs[@]}"; do pq "$b" "$d" -c "SELECT 1" >/dev/null; done
}

loop() {
    local d
    for d in "${dbs[@]}"; do
        "$pgm" -d "$d" --dir "$dir" upgrade head || return 1
    done
}
j1() { "$pgm" -d postgres --dir "$dir" --databases 'perf_fleet_%' -j 1 upgrade head; }
j2() { "$pgm" -d postgres --dir "$dir" --databases 'perf_fleet_%' -j 2 upgrade head; }

# all_at_head: every database has the last revision applied
all_at_head() {
    local d last
    last=$(printf 'p%06d' "$NREV")
    for d in "${dbs[@]}"; do
        [ "$(pq "$b" "$d" -c "SELECT string_agg(r, ',') FROM migrate_current() AS r")" = "$last" ] || return 1
    done
}

declare -A up noop
for m in loop j1 j2; do up[$m]=""; noop[$m]=""; done
for ((r = 0; r < ROUNDS; r++)); do
    if ((r % 2 == 0)); then order=(loop j1 j2); else order=(j2 j1 loop); fi
    for m in "${order[@]}"; do
        make_fleet
        settle
        t=$(secs "$m")
        if ! all_at_head; then
            echo "round $r: $m did not bring every database to head" >&2
            exit 1
        fi
        up[$m]+="$t "
    done
    for m in "${order[@]}"; do
        settle
        t=$(secs "$m")
        noop[$m]+="$t "
    done
    echo "round $((r + 1))/$ROUNDS (${order[*]}) done" >&2
done

printf 'fleet: %d databases x %d revisions, %d rounds, medians in seconds\n' "$NDB" "$NREV" "$ROUNDS"
report_methods
for d in "${dbs[@]}"; do drop_db "$b" "$d"; done
