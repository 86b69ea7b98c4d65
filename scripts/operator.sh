#!/usr/bin/env bash
# scripts/operator.sh - the commands behind the operator make targets
#
# Usage: operator.sh migrate | check | history | down | logs | logs-follow
#        operator.sh revision MESSAGE
#        operator.sh test-specific FILE
#
#   migrate         send migrations/ and upgrade to head       (make migrate)
#   check           show the current revision; fail when revisions are
#                   pending                                     (make migrate-check)
#   history         list the revisions, newest first            (make migrate-history)
#   revision MSG    write a new revision file into migrations/  (make upgrade-revision m=MSG);
#                   generated from schema/ when that exists
#   down            downgrade by one revision (-1)              (make migrate-down)
#   logs            print the server log of the local cluster   (make logs)
#   logs-follow     follow it, as tail -f does (make logs-follow, make logs-api)
#   test-specific FILE
#                   run one test: a pg_regress test of test/sql (name or
#                   path), an isolation spec of test/isolation/specs, a
#                   pgTAP file of test/pgtap, or a test script
#                                                               (make test-specific FILE=...)
#
# Target: the local cluster of scripts/cluster.sh (database $UP_DATABASE,
# default "app") unless PGHOST, PGHOSTADDR, PGPORT, PGSERVICE, DB_HOST or
# DB_PORT is set; then the server those name (DB_* stand in for unset PG*).
# MIGRATIONS_DIR overrides migrations/, SCHEMA_DIR the declared schema
# (schema/), from which "revision" generates when it exists.
#
# Exit status: that of the command run; 2 usage error; 1 logs of a server
# that is not the local cluster.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

cmd="${1:-}"
[ -n "$cmd" ] || { pgm_usage >&2; exit 2; }
shift
case "$cmd" in -h | --help | help) pgm_usage; exit 0 ;; esac

cd "$PGM_ROOT"
dir="${MIGRATIONS_DIR:-migrations}"
schema_dir="${SCHEMA_DIR:-schema}"
cluster_port="${CLUSTER_PORT:-5499}"

# Aim at the local cluster unless the environment names a server.
local_target=false
if [ -z "${PGHOST:-}${PGHOSTADDR:-}${PGPORT:-}${PGSERVICE:-}${DB_HOST:-}${DB_PORT:-}" ]; then
    local_target=true
    eval "$(bash scripts/cluster.sh env)"
    export PGDATABASE="${PGDATABASE:-${DB_NAME:-${UP_DATABASE:-app}}}"
fi
pgm_env
# a server named by the environment may still be the local cluster
case "${PGHOST:-}" in
    127.0.0.1 | localhost | ::1)
        [ "${PGPORT:-5432}" = "$cluster_port" ] && local_target=true ;;
esac

target_name() {
    printf '%s:%s' "${PGHOST:-${PGHOSTADDR:-local socket}}" "${PGPORT:-5432}"
}

case "$cmd" in
    migrate)
        pgm_run "$dir" upgrade head ;;
    check)
        echo "current: $(pgm_current_label)"
        pgm_run "$dir" check ;;
    history)
        pgm_run "$dir" history ;;
    down)
        pgm_run "$dir" downgrade -1 ;;
    revision)
        msg="${1:-}"
        [ -n "$msg" ] || pgm_die 2 "a message is required, e.g. make upgrade-revision m=\"add_task_status_column\""
        client="$(pgm_find_client)" ||
            pgm_die 2 "writing a revision needs the pg_migrate client, which was not found (build it with make)"
        # with a declared schema, the revision is generated from it (and
        # proven in a scratch database before it is written)
        if [ -d "$schema_dir" ]; then
            "$client" --dir "$dir" revision --autogenerate --schema-dir "$schema_dir" -m "$msg"
        else
            "$client" --dir "$dir" revision -m "$msg"
        fi ;;
    logs | logs-follow)
        if [ "$local_target" = true ]; then
            if [ "$cmd" = logs-follow ]; then exec bash scripts/cluster.sh follow; fi
            exec bash scripts/cluster.sh logs
        fi
        where="$(pgm_psql -c "SELECT coalesce(pg_catalog.current_setting('data_directory', true) || '/' || pg_catalog.pg_current_logfile(), '')" 2>/dev/null || true)"
        if [ -n "$where" ]; then
            pgm_die 1 "the server log of $(target_name) is not reachable from here; on that host it is $where"
        fi
        pgm_die 1 "the server log of $(target_name) is not reachable from here; read it on that host (or with the hosting service's log viewer)" ;;
    test-specific)
        file="${1:-}"
        [ -n "$file" ] || pgm_die 2 "a test is required, e.g. make test-specific FILE=upgrade"
        name="$(basename "$file" .sql)"
        if [ "${file%.sh}" != "$file" ] && [ -f "$file" ]; then
            exec bash "$file"
        elif [ -f "test/pgtap/$name.sql" ] && { [ ! -f "$file" ] || [ "$(cd "$(dirname "$file")" && pwd)" = "$PGM_ROOT/test/pgtap" ]; }; then
            exec bash test/pgtap/run.sh "test/pgtap/$name.sql"
        elif [ -f "test/sql/$name.sql" ]; then
            # pg_regress takes the server from PGHOST/PGPORT/PGUSER; the
            # tests that read server files need test/fixtures in the data
            # directory, which only the local cluster lets us write
            if [ "$local_target" = true ]; then
                bash test/prepare_fixtures.sh "$(bash scripts/cluster.sh datadir)"
            else
                echo "note: tests that read server files expect test/fixtures copied to the server's data directory as pg_migrate_fixtures/" >&2
            fi
            status=0
            make -s installcheck ISOLATION= REGRESS="$name" || status=$?
            if [ "$status" -ne 0 ] && [ -f test/regression.diffs ]; then
                head -n 200 test/regression.diffs
            fi
            exit "$status"
        elif [ -f "test/isolation/specs/$(basename "$name" .spec).spec" ]; then
            # an isolation spec: sessions interleaved step by step
            status=0
            make -s installcheck REGRESS= ISOLATION="$(basename "$name" .spec)" || status=$?
            if [ "$status" -ne 0 ] && [ -f test/isolation/output/regression.diffs ]; then
                head -n 200 test/isolation/output/regression.diffs
            fi
            exit "$status"
        elif [ -f "$file" ] && [ "${file%.sql}" != "$file" ]; then
            # any other SQL file is taken for a pgTAP file
            exec bash test/pgtap/run.sh "$file"
        elif [ -f "$file" ] && [ -x "$file" ]; then
            exec "$file"
        fi
        pgm_die 2 "no test \"$file\": not a test/sql or test/pgtap name, nor a test script" ;;
    *)
        pgm_die 2 "unknown command \"$cmd\"" ;;
esac
