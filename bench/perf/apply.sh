#!/usr/bin/env bash
# bench/perf/apply.sh [N] - upgrade from empty and downgrade to base beside psql
#
# N (default 1000) chained revisions, each CREATE TABLE t_i (id bigint
# primary key, payload text); CREATE INDEX ON t_i (payload), with a
# matching downgrade.  In each of PERF_ROUNDS rounds (default 5), each in
# a fresh database, wall-clock seconds of whole processes:
#   floor_up     psql -X -q -1 -f: the same upgrade SQL as one file
#   upgrade      psql -c "SELECT count(*) FROM migrate_upgrade('head')",
#                the revisions registered beforehand (migrate_load)
#   client_up    pg_migrate upgrade head --dir DIR from an empty database
#                with the extension: registers the files, then upgrades
#   floor_down   psql -X -q -1 -f: the downgrade SQL, on the floor's tables
#   downgrade    psql -c "SELECT count(*) FROM migrate_downgrade('base')"
# for each build of PERF_BUILDS (the client of the same build).  The order
# within a round rotates.  Prints each round, the medians, and the ratios to
# the floors.
source "$(dirname "$0")/lib.sh"
N="${1:-1000}"
dir=$(revdir "$N")

declare -A T M
run_one() {
    local b=$1 what=$2 port
    port=$(port_of "$b")
    case $what in
        floor_up)
            fresh_db "$b" perf_floor noext
            secs "$FLOOR_PSQL" -X -q -1 -p "$port" -d perf_floor -f "$dir.floor.sql" ;;
        floor_down)
            secs "$FLOOR_PSQL" -X -q -1 -p "$port" -d perf_floor -f "$dir.down.sql" ;;
        upgrade)
            fresh_db "$b" perf_up
            pq "$b" perf_up -c "SELECT migrate_load('$dir')" >/dev/null
            secs "$FLOOR_PSQL" -X -q -At -v ON_ERROR_STOP=1 -p "$port" -d perf_up \
                -c "SELECT count(*) FROM migrate_upgrade('head')" ;;
        downgrade)
            secs "$FLOOR_PSQL" -X -q -At -v ON_ERROR_STOP=1 -p "$port" -d perf_up \
                -c "SELECT count(*) FROM migrate_downgrade('base')" ;;
        client_up)
            fresh_db "$b" perf_client
            secs "$(bin_of "$b")/pg_migrate" -p "$port" -d perf_client --dir "$dir" upgrade head ;;
    esac
}

check() {
    local b=$1
    [ "$(pq "$b" perf_up -c "SELECT count(*) FROM migrate.journal WHERE operation = 'downgrade'")" = "$N" ] ||
        { echo "downgrade did not revert $N revisions" >&2; exit 1; }
    [ "$(pq "$b" perf_client -c "SELECT count(*) FROM pg_class WHERE relname ~ '^t_[0-9]+$'")" = "$N" ] ||
        { echo "client upgrade did not create $N tables" >&2; exit 1; }
}

printf '%-5s %5s %9s %9s %9s %10s %9s\n' build round floor_up upgrade client_up floor_down downgrade
for ((r = 1; r <= PERF_ROUNDS; r++)); do
    for b in $(builds_in_round "$r"); do
        if [ $((r % 2)) -eq 1 ]; then order="floor_up floor_down upgrade downgrade client_up"
        else order="upgrade downgrade client_up floor_up floor_down"; fi
        for w in $order; do
            T[$b,$w,$r]=$(run_one "$b" $w)
        done
        check "$b"
        printf '%-5s %5d %9s %9s %9s %10s %9s\n' "$b" "$r" "${T[$b,floor_up,$r]}" "${T[$b,upgrade,$r]}" \
            "${T[$b,client_up,$r]}" "${T[$b,floor_down,$r]}" "${T[$b,downgrade,$r]}"
    done
done
echo
printf '%-5s %9s %9s %9s %10s %9s %8s %8s %8s\n' median floor_up upgrade client_up floor_down downgrade up/floor cli/floor down/floor
for b in $PERF_BUILDS; do
    for w in floor_up upgrade client_up floor_down downgrade; do
        M[$w]=$(for ((r = 1; r <= PERF_ROUNDS; r++)); do echo "${T[$b,$w,$r]}"; done | median)
    done
    printf '%-5s %9s %9s %9s %10s %9s %8s %8s %8s\n' "$b" "${M[floor_up]}" "${M[upgrade]}" "${M[client_up]}" \
        "${M[floor_down]}" "${M[downgrade]}" "$(ratio "${M[upgrade]}" "${M[floor_up]}")" \
        "$(ratio "${M[client_up]}" "${M[floor_up]}")" "$(ratio "${M[downgrade]}" "${M[floor_down]}")"
done
for b in $PERF_BUILDS; do for d in perf_floor perf_up perf_client; do drop_db "$b" $d; done; done
echo "(seconds, wall clock, N=$N, $PERF_ROUNDS rounds)"
