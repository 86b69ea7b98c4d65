#!/usr/bin/env bash
# bench/perf/noop.sh [SIZES...] - no-op upgrade, planning and history by size
#
# For each size (default 100 1000 10000) and each build of PERF_BUILDS, in
# a fresh database: registers a chain of that many revisions
# (migrate_load), stamps head, and times inside the server (median of 11,
# each call in a transaction of its own, see lib.sh server_ms):
#   noop_head   migrate_upgrade('head') at head: the fast path in "new"
#   noop_id     migrate_upgrade('<head id>') at head: the full path
#               (load the catalog, build the graph, plan nothing)
#   history     SELECT count(*) FROM migrate_history()
#   current     SELECT count(*) FROM migrate_current() at head
#   status      SELECT migrate_status() at head (a health check's call)
#   plan_all    migrate_pending('heads') after stamping base: plans every
#               revision
# us/rev columns show whether a path stays linear.
source "$(dirname "$0")/lib.sh"
SIZES=("${@:-100 1000 10000}")
# shellcheck disable=SC2206
SIZES=(${SIZES[*]})

printf '%-5s %6s %10s %10s %10s %10s %10s %10s %12s\n' build size noop_head noop_id history current status plan_all plan_us/rev
for n in "${SIZES[@]}"; do
    dir=$(revdir "$n")
    last=$(printf 'p%06d' "$n")
    for b in $PERF_BUILDS; do
        db=perf_noop
        fresh_db "$b" $db
        pq "$b" $db -c "SELECT migrate_load('$dir')" -c "SELECT migrate_stamp('head')" >/dev/null
        h=$(server_ms "$b" $db "SELECT count(*) FROM migrate_upgrade('head')")
        i=$(server_ms "$b" $db "SELECT count(*) FROM migrate_upgrade('$last')")
        hi=$(server_ms "$b" $db "SELECT count(*) FROM migrate_history()" 7)
        cu=$(server_ms "$b" $db "SELECT count(*) FROM migrate_current()")
        st=$(server_ms "$b" $db "SELECT migrate_status() IS NOT NULL")
        pq "$b" $db -c "SELECT migrate_stamp('base')" >/dev/null
        p=$(server_ms "$b" $db "SELECT count(*) FROM migrate_pending('heads')" 7)
        printf '%-5s %6d %10.3f %10.3f %10.3f %10.3f %10.3f %10.3f %12.2f\n' "$b" "$n" "$h" "$i" "$hi" "$cu" "$st" "$p" \
            "$(awk -v p="$p" -v n="$n" 'BEGIN { print p * 1000 / n }')"
        drop_db "$b" $db
    done
done
echo "(milliseconds inside the server, medians)"
