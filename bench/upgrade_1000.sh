#!/usr/bin/env bash
# bench/upgrade_1000.sh - 1,000 revisions: migrate_upgrade beside plain psql -1 -f
#
# Usage: bench/upgrade_1000.sh [ROUNDS]          (default 3 rounds)
#
# Against the server in PGHOST/PGPORT/PGUSER (default 127.0.0.1:5483,
# postgres), which must have pg_migrate installed and be able to read /tmp.
# Writes 1,000 revision files (revision N creates table bench_tN and
# revises N-1) and the same SQL as one plain script, then, in each round
# and each in a fresh database, times:
#   upgrade   SELECT count(*) FROM migrate_upgrade('head') after registration
#   plain     psql -1 -f all.sql (the same statements, one transaction)
#   add_file  1,000 calls of migrate_add_file, one per file, in one session
#   load      SELECT migrate_load(dir)
# The two ways of applying alternate within a round.  Prints per-round
# figures, then the medians and the ratio upgrade / plain.  Wall-clock
# times, psql start-up included in each.
set -euo pipefail

case "${1:-}" in
    -h | --help)
        sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
esac

ROUNDS="${1:-3}"
N=1000
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5483}" PGUSER="${PGUSER:-postgres}"
export PGOPTIONS="-c client_min_messages=warning -c pg_migrate.notice_steps=off"
DB="pgm_bench_upgrade_$$"
WORK="$(mktemp -d /tmp/pg_migrate_bench.XXXXXX)"
chmod 755 "$WORK"
mkdir "$WORK/revs"

psqlq() {
    psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}

cleanup() {
    psqlq -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# the revisions, as files, as one plain script, and as migrate_add_file calls
prev=""
for ((i = 1; i <= N; i++)); do
    id=$(printf 'b%04d' "$i")
    {
        echo "-- revision: $id"
        [ -n "$prev" ] && echo "-- revises: $prev"
        echo "-- message: create bench_t$i"
        echo "-- migrate:upgrade"
        echo "CREATE TABLE bench_t$i (id int);"
        echo "-- migrate:downgrade"
        echo "DROP TABLE bench_t$i;"
    } >"$WORK/revs/${id}_create.sql"
    echo "CREATE TABLE bench_t$i (id int);" >>"$WORK/all.sql"
    prev="$id"
done
chmod 644 "$WORK"/revs/*
for f in "$WORK"/revs/*.sql; do
    printf "SELECT migrate_add_file('%s', \$rev\$%s\$rev\$);\n" "$(basename "$f")" "$(cat "$f")"
done >"$WORK/add_files.sql"

fresh_db() {
    psqlq -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
    psqlq -d postgres -c "CREATE DATABASE $DB" >/dev/null
    psqlq -d "$DB" -c "CREATE EXTENSION pg_migrate" >/dev/null
}

now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

# time_ms COMMAND...: run it, print its wall-clock milliseconds
time_ms() {
    local t0 t1
    t0=$(now_ms)
    "$@" >/dev/null
    t1=$(now_ms)
    echo $((t1 - t0))
}

median() {
    sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

for f in upgrade plain add_file load; do : >"$WORK/$f.txt"; done
printf '%-6s %12s %12s %12s %12s\n' round upgrade_ms plain_ms add_file_ms load_ms
for ((r = 1; r <= ROUNDS; r++)); do
    # registration, by file contents and from the server directory
    fresh_db
    add=$(time_ms psqlq -d "$DB" -1 -f "$WORK/add_files.sql")
    fresh_db
    load=$(time_ms psqlq -d "$DB" -c "SELECT migrate_load('$WORK/revs')")
    [ "$(psqlq -d "$DB" -c "SELECT count(*) FROM migrate.revision")" = "$N" ] || {
        echo "registration did not give $N revisions" >&2
        exit 1
    }
    # applying: alternate which runs first
    for way in $([ $((r % 2)) = 1 ] && echo "upgrade plain" || echo "plain upgrade"); do
        if [ "$way" = upgrade ]; then
            fresh_db
            psqlq -d "$DB" -c "SELECT migrate_load('$WORK/revs')" >/dev/null
            up=$(time_ms psqlq -d "$DB" -c "SELECT count(*) FROM migrate_upgrade('head')")
            [ "$(psqlq -d "$DB" -c "SELECT count(*) FROM migrate.journal")" = "$N" ] || {
                echo "upgrade did not apply $N revisions" >&2
                exit 1
            }
        else
            fresh_db
            plain=$(time_ms psqlq -d "$DB" -1 -f "$WORK/all.sql")
        fi
    done
    [ "$(psqlq -d "$DB" -c "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'bench_t%'")" = "$N" ] || {
        echo "the last run did not create $N tables" >&2
        exit 1
    }
    printf '%-6s %12s %12s %12s %12s\n' "$r" "$up" "$plain" "$add" "$load"
    echo "$up" >>"$WORK/upgrade.txt"
    echo "$plain" >>"$WORK/plain.txt"
    echo "$add" >>"$WORK/add_file.txt"
    echo "$load" >>"$WORK/load.txt"
done

mu=$(median <"$WORK/upgrade.txt")
mp=$(median <"$WORK/plain.txt")
ma=$(median <"$WORK/add_file.txt")
ml=$(median <"$WORK/load.txt")
printf '%-6s %12s %12s %12s %12s\n' median "$mu" "$mp" "$ma" "$ml"
awk -v u="$mu" -v p="$mp" 'BEGIN { printf "ratio migrate_upgrade / psql -1 -f: %.2f\n", u / p }'
awk -v a="$ma" -v l="$ml" -v n="$N" 'BEGIN {
    printf "registration per revision: migrate_add_file %.3f ms, migrate_load %.3f ms\n", a / n, l / n }'
