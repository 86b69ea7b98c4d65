#!/usr/bin/env bash
# bench/perf/callgrind.sh DATADIR DB FUNCTION SQL [CALLS] - instructions per call
#
# Stable, noise-free figures for server-side hot paths: runs SQL CALLS
# times (default 5) in a single-user backend (postgres --single) of each
# build of PERF_BUILDS under valgrind --tool=callgrind, collecting only
# inside the C function FUNCTION (--toggle-collect), on a scratch copy of
# the stopped cluster DATADIR (which is left untouched), and prints the
# instructions per call of each build and their ratio.
# Example: callgrind.sh /tmp/perf-pg/data b10000 migrate_upgrade \
#              "SELECT count(*) FROM migrate_upgrade('head')"
source "$(dirname "$0")/lib.sh"
DATADIR="$1" DB="$2" FN="$3" SQL="$4" CALLS="${5:-5}"
copy="$PERF_WORK/callgrind-data"
declare -A IR
for b in $PERF_BUILDS; do
    rm -rf "$copy"
    cp -a "$DATADIR" "$copy"
    rm -f "$copy/postmaster.pid"
    out="$copy.$b.callgrind"
    install -m 666 /dev/null "$out"
    for ((i = 0; i < CALLS; i++)); do echo "$SQL;"; done |
        runuser -u postgres -- valgrind --tool=callgrind --callgrind-out-file="$out" \
            --toggle-collect="$FN" "$(bin_of "$b")/postgres" --single -D "$copy" \
            -c pg_migrate.notice_steps=off -c log_min_messages=warning "$DB" >/dev/null 2>&1
    IR[$b]=$(awk '/^summary:/ { print $2 }' "$out")
    printf '%-5s %s: %d instructions per call (%d calls)\n' "$b" "$FN" $((IR[$b] / CALLS)) "$CALLS"
done
rm -rf "$copy" "$copy".*.callgrind
if [ -n "${IR[base]:-}" ] && [ -n "${IR[new]:-}" ]; then
    echo "new/base: $(ratio "${IR[new]}" "${IR[base]}")"
fi
