#!/usr/bin/env bash
# bench/perf/clusters.sh start|stop - the measurement clusters of bench/perf
#
# start: build and install this checkout into PERF_NEW_PREFIX and the
# commit PERF_BASE_REV (a worktree in /tmp) into PERF_BASE_PREFIX, then
# start one cluster for each with scripts/cluster.sh (fsync on, default
# settings) on PERF_NEW_PORT and PERF_BASE_PORT.  stop: destroy both.
# Each prefix is a private copy of the system's PostgreSQL 15 with that
# build installed into it (test/install.sh of the build's own tree), so
# the system's PostgreSQL is never written.
source "$(dirname "$0")/lib.sh"

# install_into TREE PREFIX: build TREE and install it into a copy at PREFIX
install_into() {
    TEST_INSTALL="$2" bash "$1/test/install.sh" >/dev/null
}

case "${1:-}" in
    start)
        install_into "$PERF_TOP" "$PERF_NEW_PREFIX"
        if [ ! -d /tmp/perf-base-src ]; then
            git -C "$PERF_TOP" worktree add -q --detach /tmp/perf-base-src "$PERF_BASE_REV"
        fi
        install_into /tmp/perf-base-src "$PERF_BASE_PREFIX"
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
