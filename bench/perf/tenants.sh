#!/usr/bin/env bash
# bench/perf/tenants.sh [TENANTS [REVISIONS]] - tenant schemas brought to head
#
# One database with TENANTS empty tenant schemas (default 200, tenant_001
# ...) and REVISIONS revisions (default 20, bench/perf/gen.sh's ddl
# revisions: each a table with a primary key and an index, made in the
# tenant's schema) registered; every tenant brought from empty to head by
# the "new" build's client, three ways, wall clock of the whole run:
#   loop   a shell loop running "pg_migrate --scope tenant_NNN upgrade head"
#   j1     pg_migrate --scopes 'tenant\_%' -j 1 upgrade head
#   j2     the same with -j 2
# and then, every tenant at head, the same three again (noop_*).  Before
# each timed run the database is made afresh (not timed: CREATE DATABASE,
# the extension, the schemas, the files registered), then CHECKPOINT and
# one untimed connection.  PERF_ROUNDS rounds (default 2); the order of the
# three methods is reversed every other round.  Every run is checked: every
# tenant at the head, or the run stops.  Prints the medians and the ratios
# loop/j1 and loop/j2.
source "$(dirname "$0")/lib.sh"
NT="${1:-200}"
NREV="${2:-20}"
ROUNDS="${PERF_ROUNDS:-2}"
b=new
db=perf_tenants
port=$(port_of "$b")
pgm="$(bin_of "$b")/pg_migrate"
dir=$(revdir "$NREV")
export PGPORT="$port"

make_db() {
    pq "$b" postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
    pq "$b" "$db" -c "CREATE EXTENSION pg_migrate"
    for ((i = 1; i <= NT; i++)); do printf 'CREATE SCHEMA tenant_%03d;\n' "$i"; done | pq "$b" "$db"
    "$pgm" -d "$db" --dir "$dir" stamp base >/dev/null
    pq "$b" postgres -c CHECKPOINT
    pq "$b" "$db" -c "SELECT 1" >/dev/null
}

loop() {
    local i
    for ((i = 1; i <= NT; i++)); do
        "$pgm" -d "$db" --dir "$dir" --scope "$(printf 'tenant_%03d' "$i")" upgrade head || return 1
    done
}
j1() { "$pgm" -d "$db" --dir "$dir" --scopes 'tenant\_%' -j 1 upgrade head; }
j2() { "$pgm" -d "$db" --dir "$dir" --scopes 'tenant\_%' -j 2 upgrade head; }

all_at_head() {
    [ "$(pq "$b" "$db" -c "SELECT count(*) FROM migrate_scopes() WHERE pending = 0 AND current = ARRAY['$(printf 'p%06d' "$NREV")']")" = "$NT" ]
}

declare -A up noop
for m in loop j1 j2; do up[$m]=""; noop[$m]=""; done
for ((r = 0; r < ROUNDS; r++)); do
    if ((r % 2 == 0)); then order=(loop j1 j2); else order=(j2 j1 loop); fi
    for m in "${order[@]}"; do
        make_db
        t=$(secs "$m")
        if ! all_at_head; then
            echo "round $r: $m did not bring every tenant to head" >&2
            exit 1
        fi
        up[$m]+="$t "
        pq "$b" postgres -c CHECKPOINT
        t=$(secs "$m")
        noop[$m]+="$t "
    done
    echo "round $((r + 1))/$ROUNDS (${order[*]}) done" >&2
done

printf 'tenants: %d schemas x %d revisions, %d rounds, medians in seconds\n' "$NT" "$NREV" "$ROUNDS"
report_methods
drop_db "$b" "$db"
