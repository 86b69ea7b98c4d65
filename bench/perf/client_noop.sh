#!/usr/bin/env bash
# bench/perf/client_noop.sh [SIZES...] - "pg_migrate upgrade head" at head
#
# For each size (default 1000 10000) and build of PERF_BUILDS: a fresh
# database is synced and stamped at head by the build's client, then
# PERF_REPS (default 11) times, alternating, whole processes are timed
# (wall clock, seconds):
#   select1   psql -X -c 'SELECT 1' (the floor: one connection, one query)
#   noop      pg_migrate upgrade head --dir DIR (read and hash every file,
#             then, in "new", one digest check instead of sending them)
#   files     pg_migrate -p 1 --dir DIR upgrade head minus the same with a
#             missing directory: the client's own work on the files (with
#             the stat cache: listing and stat'ing them; the connection
#             to port 1 fails at once)
# and the ratio noop / select1.
source "$(dirname "$0")/lib.sh"
SIZES=("${@:-1000 10000}")
# shellcheck disable=SC2206
SIZES=(${SIZES[*]})
REPS="${PERF_REPS:-11}"

printf '%-5s %6s %9s %9s %9s %9s\n' build size select1 noop files noop/sel1
for n in "${SIZES[@]}"; do
    dir=$(revdir "$n")
    for b in $PERF_BUILDS; do
        port=$(port_of "$b")
        pgm="$(bin_of "$b")/pg_migrate"
        fresh_db "$b" perf_cli
        "$pgm" -p "$port" -d perf_cli --dir "$dir" stamp head >/dev/null
        "$pgm" -p "$port" -d perf_cli --dir "$dir" upgrade head >/dev/null
        s1=(); no=(); fi=()
        for ((i = 0; i < REPS; i++)); do
            s1+=("$(secs "$FLOOR_PSQL" -X -p "$port" -d perf_cli -c 'SELECT 1')")
            no+=("$(secs "$pgm" -p "$port" -d perf_cli --dir "$dir" upgrade head)")
            a=$(secs "$pgm" -p 1 --dir "$dir" upgrade head 2>/dev/null || true)
            z=$(secs "$pgm" -p 1 --dir "$PERF_WORK/no-such-dir" upgrade head 2>/dev/null || true)
            fi+=("$(awk -v a="$a" -v z="$z" 'BEGIN { printf "%.4f\n", a - z }')")
        done
        ms1=$(printf '%s\n' "${s1[@]}" | median)
        mno=$(printf '%s\n' "${no[@]}" | median)
        mfi=$(printf '%s\n' "${fi[@]}" | median)
        printf '%-5s %6d %9s %9s %9s %9s\n' "$b" "$n" "$ms1" "$mno" "$mfi" "$(ratio "$mno" "$ms1")"
        [ "$(pq "$b" perf_cli -c "SELECT count(*) FROM migrate.revision")" = "$n" ] ||
            { echo "not every file is registered" >&2; exit 1; }
        drop_db "$b" perf_cli
    done
done
echo "(seconds, wall clock, medians of $REPS)"
