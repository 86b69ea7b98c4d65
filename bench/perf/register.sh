#!/usr/bin/env bash
# bench/perf/register.sh [N] - registering N revision files
#
# N (default 10000) chained revision files.  In each of PERF_ROUNDS rounds
# (default 5), for each build of PERF_BUILDS (the order reversed every
# other round), in a fresh database:
#   load     SELECT migrate_load(DIR), timed inside the server (\timing of
#            one statement)
#   client   pg_migrate stamp base --dir DIR: the client sync path
#            (read, hash, send what the server lacks, commit), whole process
# Prints each round, the medians and new/base ratios.
source "$(dirname "$0")/lib.sh"
N="${1:-10000}"
dir=$(revdir "$N")
declare -A T M

load_ms() {
    pq "$1" perf_reg -c '\timing on' -c "SELECT migrate_load('$dir')" |
        sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | awk '{ printf "%.4f\n", $1 / 1000 }'
}

printf '%-5s %5s %9s %9s\n' build round load client
for ((r = 1; r <= PERF_ROUNDS; r++)); do
    for b in $(builds_in_round "$r"); do
        fresh_db "$b" perf_reg
        T[$b,load,$r]=$(load_ms "$b")
        [ "$(pq "$b" perf_reg -c "SELECT count(*) FROM migrate.revision")" = "$N" ] || exit 1
        fresh_db "$b" perf_reg
        T[$b,client,$r]=$(secs "$(bin_of "$b")/pg_migrate" -p "$(port_of "$b")" -d perf_reg --dir "$dir" stamp base)
        [ "$(pq "$b" perf_reg -c "SELECT count(*) FROM migrate.revision")" = "$N" ] || exit 1
        printf '%-5s %5d %9s %9s\n' "$b" "$r" "${T[$b,load,$r]}" "${T[$b,client,$r]}"
    done
done
echo
printf '%-6s %9s %9s\n' median load client
for b in $PERF_BUILDS; do
    for w in load client; do
        M[$b,$w]=$(for ((r = 1; r <= PERF_ROUNDS; r++)); do echo "${T[$b,$w,$r]}"; done | median)
    done
    printf '%-6s %9s %9s\n' "$b" "${M[$b,load]}" "${M[$b,client]}"
done
if [[ " $PERF_BUILDS " == *" base "* && " $PERF_BUILDS " == *" new "* ]]; then
    printf '%-6s %9s %9s\n' new/base "$(ratio "${M[new,load]}" "${M[base,load]}")" \
        "$(ratio "${M[new,client]}" "${M[base,client]}")"
fi
for b in $PERF_BUILDS; do drop_db "$b" perf_reg; done
echo "(seconds, N=$N, $PERF_ROUNDS rounds)"
