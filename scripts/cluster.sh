#!/usr/bin/env bash
# scripts/cluster.sh - a throw-away PostgreSQL cluster inside the checkout
#
# Usage: scripts/cluster.sh start|stop|status|logs|follow|env|datadir|destroy
#
# The cluster lives in $CLUSTER_DIR (default: .cluster in the checkout),
# listens on 127.0.0.1:$CLUSTER_PORT (default 5499) only, trusts local
# connections and runs as the invoking user, or as the "postgres" OS user
# when invoked as root (PostgreSQL refuses to run as root).  "env" prints
# the PGHOST/PGPORT/PGUSER settings that reach it.
set -euo pipefail

usage() {
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
}

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CLUSTER_DIR="${CLUSTER_DIR:-$ROOT/.cluster}"
CLUSTER_PORT="${CLUSTER_PORT:-5499}"
PGBIN="${PGBIN:-$(/usr/lib/postgresql/15/bin/pg_config --bindir 2>/dev/null || pg_config --bindir)}"
case "$CLUSTER_DIR" in
    /*) ;;
    *) CLUSTER_DIR="$PWD/$CLUSTER_DIR" ;;
esac
DATA="$CLUSTER_DIR/data"
LOG="$CLUSTER_DIR/server.log"

if [ "$(id -u)" = 0 ]; then
    RUN_AS=(runuser -u postgres --)
    DB_OWNER=postgres
    # the server user must reach the data directory; a checkout under a
    # private home directory (say /root) is out of its reach
    parent="$(dirname "$CLUSTER_DIR")"
    if ! runuser -u postgres -- test -w "$CLUSTER_DIR" 2>/dev/null &&
        ! runuser -u postgres -- test -x "$parent" 2>/dev/null; then
        CLUSTER_DIR="/tmp/pg_migrate-cluster-$(printf '%s' "$ROOT" | md5sum | cut -c1-8)"
        DATA="$CLUSTER_DIR/data"
        LOG="$CLUSTER_DIR/server.log"
    fi
else
    RUN_AS=()
    DB_OWNER="$(id -un)"
fi

# the server's programs run from "/": the caller's directory may be a
# checkout the server user cannot enter
as_owner() {
    (cd / && "${RUN_AS[@]}" "$@")
}

is_running() {
    [ -f "$DATA/postmaster.pid" ] && as_owner "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
    if is_running; then
        echo "cluster already running on 127.0.0.1:$CLUSTER_PORT ($DATA)"
        return 0
    fi
    mkdir -p "$CLUSTER_DIR"
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$CLUSTER_DIR"
    fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
        echo "initialising a new cluster in $DATA"
        # 1 MB WAL segments: a throw-away cluster need not keep 80 MB of WAL
        as_owner "$PGBIN/initdb" -D "$DATA" -U "$DB_OWNER" -A trust -E UTF8 \
            --locale=C.UTF-8 --wal-segsize=1 >"$CLUSTER_DIR/initdb.log" 2>&1 || {
            cat "$CLUSTER_DIR/initdb.log" >&2
            exit 1
        }
        # every role is trusted but the one the client tests use to check
        # password handling (DB_PASSWORD, PGPASSWORD, .pgpass)
        as_owner sed -i '/^# TYPE/a host    all             pgm_client_pw   127.0.0.1/32            scram-sha-256' "$DATA/pg_hba.conf"
    fi
    # log_line_prefix carries a timestamp and pid so "grep migration" is useful
    # small WAL bounds keep the disk footprint of a throw-away cluster low
    if ! (as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $CLUSTER_PORT -c unix_socket_directories='' -c log_line_prefix='%m [%p] %q%u@%d ' -c min_wal_size=4MB -c max_wal_size=64MB" \
        start >/dev/null); then
        echo "cluster.sh: the server did not start on 127.0.0.1:$CLUSTER_PORT; the end of $LOG:" >&2
        tail -n 15 "$LOG" >&2 2>/dev/null || true
        echo "cluster.sh: free space where the cluster lives:" >&2
        df -h "$CLUSTER_DIR" >&2 || true
        exit 1
    fi
    echo "cluster running on 127.0.0.1:$CLUSTER_PORT ($DATA), log in $LOG"
}

stop() {
    if is_running; then
        as_owner "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
        echo "cluster stopped"
    else
        echo "cluster not running"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status)
        if is_running; then
            echo "running on 127.0.0.1:$CLUSTER_PORT ($DATA)"
        else
            echo "not running"
            exit 3
        fi
        ;;
    logs) cat "$LOG" ;;
    follow)
        # the last lines, then every new one until interrupted; -F follows
        # the file across a restart of the cluster
        exec tail -n "${FOLLOW_LINES:-20}" -F "$LOG" ;;
    datadir) echo "$DATA" ;;
    env)
        echo "export PGHOST=127.0.0.1 PGPORT=$CLUSTER_PORT PGUSER=$DB_OWNER"
        ;;
    destroy)
        stop
        rm -rf "$CLUSTER_DIR"
        ;;
    -h | --help | help) usage ;;
    *)
        usage >&2
        exit 2
        ;;
esac
