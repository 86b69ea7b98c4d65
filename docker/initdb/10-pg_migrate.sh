#!/usr/bin/env bash
# docker/initdb/10-pg_migrate.sh - first-start initialisation of the postgres image
#
# Usage: copied into /docker-entrypoint-initdb.d/ of the official postgres
#        image, which runs it (or sources it, when not executable) once, on
#        a fresh data directory, while a socket-only server is up.
#
# Creates the pg_migrate extension in $POSTGRES_DB, then upgrades it to
# $PG_MIGRATE_TARGET (default head) with the pg_migrate client and the
# revision files of $PG_MIGRATE_DIR (default /migrations): the files are
# registered in the upgrade's own transaction, so a failed upgrade leaves
# nothing registered, and non-transactional revisions run as they should.
# Connects as the entrypoint's docker_process_sql does: as $POSTGRES_USER,
# on the local socket, without a psqlrc, stopping at the first error.
#
# The work runs in a subshell, so that it neither changes the shell
# options of the entrypoint that sources it nor exits it on success; a
# failure returns non-zero, which stops the entrypoint (it runs with set -e).

pg_migrate_initdb() (
    set -euo pipefail
    local_dir="${PG_MIGRATE_DIR:-/migrations}"
    target="${PG_MIGRATE_TARGET:-head}"
    user="${POSTGRES_USER:-postgres}"
    db="${POSTGRES_DB:-$user}"

    # as docker_process_sql: no PGHOST/PGHOSTADDR, so the socket is used
    run_sql() {
        PGHOST='' PGHOSTADDR='' psql -v ON_ERROR_STOP=1 --username "$user" \
            --no-password --no-psqlrc --dbname "$db" -q "$@"
    }

    # the client, on the same socket and as the same role
    run_client() {
        PGHOST='' PGHOSTADDR='' pg_migrate --username "$user" --dbname "$db" \
            --dir "$local_dir" "$@"
    }

    if ! command -v pg_migrate >/dev/null 2>&1; then
        printf '10-pg_migrate.sh: error: the pg_migrate client is not on PATH\n' >&2
        return 1
    fi
    printf '10-pg_migrate.sh: creating extension pg_migrate in database "%s"\n' "$db"
    run_sql -c 'CREATE EXTENSION IF NOT EXISTS pg_migrate'
    if [ ! -d "$local_dir" ]; then
        printf '10-pg_migrate.sh: warning: revision directory "%s" does not exist\n' "$local_dir" >&2
    fi
    printf '10-pg_migrate.sh: upgrading database "%s" to %s\n' "$db" "$target"
    run_client upgrade "$target" | sed 's/^/10-pg_migrate.sh: /'
    printf '10-pg_migrate.sh: database "%s" is at %s\n' "$db" \
        "$(run_sql -At -c "SELECT coalesce(string_agg(r, '+' ORDER BY r), 'base') FROM migrate_current() AS r")"
)

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    case "${1:-}" in
        -h | --help)
            sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
    esac
fi
pg_migrate_initdb
