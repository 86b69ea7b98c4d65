#!/usr/bin/env bash
# scripts/wait-and-migrate.sh - wait for the database, migrate it, then run a command
#
# Usage: wait-and-migrate.sh [--dir DIR] [--target REV] [--] [COMMAND [ARG]...]
#
# Waits until the server accepts connections (pg_isready, then a query;
# MAX_RETRIES tries, default 30, RETRY_INTERVAL seconds apart, default 2),
# creates the pg_migrate extension when it is missing, sends the revision
# files of DIR (default $MIGRATIONS_DIR, else ./migrations) and upgrades to
# REV (default $MIGRATE_TARGET, else head); then replaces itself with
# COMMAND, if one is given.  Usable as a container entrypoint.
#
# Several copies may start at once: the extension's migration lock makes
# the later ones wait and then find nothing left to do.
#
# Connection: the usual PG* variables, or DB_HOST, DB_PORT, DB_USER,
# DB_NAME and DB_PASSWORD for unset ones.
#
# Exit status: 0 (or COMMAND's), 2 usage error, 3 database not ready in
# time, 4 extension missing and not creatable, 5 migration failed.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

dir="${MIGRATIONS_DIR:-migrations}"
target="${MIGRATE_TARGET:-head}"
while [ "$#" -gt 0 ]; do
    case "$1" in
        -h | --help) pgm_usage; exit 0 ;;
        --dir) [ "$#" -ge 2 ] || pgm_die 2 "option --dir needs a value"; dir="$2"; shift 2 ;;
        --dir=*) dir="${1#--dir=}"; shift ;;
        --target) [ "$#" -ge 2 ] || pgm_die 2 "option --target needs a value"; target="$2"; shift 2 ;;
        --target=*) target="${1#--target=}"; shift ;;
        --) shift; break ;;
        -*) pgm_die 2 "unknown option \"$1\"" ;;
        *) break ;;
    esac
done

pgm_env
where="${PGHOST:-local socket}:${PGPORT:-5432}/${PGDATABASE:-${PGUSER:-$(id -un)}}"

pgm_log "waiting for database $where"
pgm_wait_ready || pgm_die 3 "database $where did not accept connections after ${MAX_RETRIES:-30} tries"

pgm_ensure_extension || pgm_die 4 "could not create extension \"pg_migrate\" in $where"

if [ ! -d "$dir" ]; then
    pgm_warn "revision directory \"$dir\" does not exist; upgrading with the revisions the server already has"
fi
pgm_log "upgrading $where to $target"
pgm_run "$dir" upgrade "$target" || pgm_die 5 "upgrade of $where to \"$target\" failed"
pgm_log "database $where is at $(pgm_current_label)"

if [ "$#" -gt 0 ]; then
    exec "$@"
fi
