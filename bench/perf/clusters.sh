#!/usr/bin/env bash
# bench/perf/clusters.sh start|stop - the measurement clusters of bench/perf
#
# start: build and install this checkout into PERF_NEW_PREFIX and the
# commit PERF_BASE_REV (a worktree in /tmp) into PERF_BASE_PREFIX, then
# start one cluster for each with scripts/cluster.sh (fsync on, default
# settings) on PERF_NEW_PORT and PERF_BASE_PORT.  stop: destroy both.
# The prefixes come from /work/devtools/mkprefix.sh-style relocated copies
# of PostgreSQL 15 (made with it when missing).
source "$(dirname "$0")/lib.sh"

prefix_for() {
    local name=$1
    eval "$(bash /work/devtools/mkprefix.sh "$name")"
}

case "${1:-}" in
    start)
        ( prefix_for "$(basename "$PERF_NEW_PREFIX" | sed 's/^pfx-//')"
          cd "$PERF_TOP" && make -s >/dev/null && make -s install >/dev/null )
        if [ ! -d /tmp/perf-base-src ]; then
            git -C "$PERF_TOP" worktree add -q /tmp/perf-base-src "$PERF_BASE_REV"
        fi
        ( prefix_for "$(basename "$PERF_BASE_PREFIX" | sed 's/^pfx-//')"
          cd /tmp/perf-base-src && make -s >/dev/null && make -s install >/dev/null )
        for b in new base; do
            PGBIN="$(bin_of $b)" CLUSTER_DIR="/tmp/perf-bench-$b" CLUSTER_PORT="$(port_of $b)" \
                bash "$PERF_TOP/scripts/cluster.sh" start
        done
        ;;
    stop)
        for b in new base; do
            PGBIN="$(bin_of $b)" CLUSTER_DIR="/tmp/perf-bench-$b" CLUSTER_PORT="$(port_of $b)" \
                bash "$PERF_TOP/scripts/cluster.sh" destroy || true
        done
        ;;
    *)
        sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
esac
