#!/usr/bin/env bash
# test/scripts/docker_entrypoint_sim.sh - run an init script as the postgres image's entrypoint does
#
# Usage: docker_entrypoint_sim.sh INITDB_DIR
#   (as the postgres OS user; PGDATA, PGPORT, POSTGRES_USER,
#   POSTGRES_PASSWORD and POSTGRES_DB set by the caller)
#
# Mimics the first start of the official postgres:15 image on an empty
# data directory: initdb with POSTGRES_USER as superuser and
# POSTGRES_PASSWORD as its password, a "host all all all" line with the
# default password method, a temporary server listening on the local socket
# only (listen_addresses='', port $PGPORT, the default socket directory),
# CREATE DATABASE $POSTGRES_DB, then every file of INITDB_DIR in order:
# executable *.sh are run, other *.sh are sourced, *.sql are fed to psql
# (all with PGHOST and PGHOSTADDR empty, as docker_process_sql does).  Then
# prints what it finds ("report: ..." lines) and stops the server.  Like
# the entrypoint it runs with set -Eeo pipefail, so a failing init script
# stops it with a non-zero status.
set -Eeo pipefail
# (no -u: the sourced init script must cope with the entrypoint's options)

case "${1:-}" in
    -h | --help) sed -n '2,/^set/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
initdb_dir="${1:?usage: docker_entrypoint_sim.sh INITDB_DIR}"
: "${PGDATA:?PGDATA must be set}" "${PGPORT:?PGPORT must be set}"
: "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}"
export PATH="${PGBIN:-/usr/lib/postgresql/15/bin}:$PATH" PGDATA PGPORT POSTGRES_USER POSTGRES_DB POSTGRES_PASSWORD

process_sql() {
    local runner=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
    [ -z "$POSTGRES_DB" ] || runner+=(--dbname "$POSTGRES_DB")
    PGHOST='' PGHOSTADDR='' "${runner[@]}" "$@"
}

initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") >/dev/null
printf '\nhost all all all %s\n' "$(postgres -C password_encryption)" >>"$PGDATA/pg_hba.conf"
export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -l "$PGDATA/../server.log" \
    -o "-c listen_addresses='' -p $PGPORT" -w start >/dev/null
stop_server() { pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true; }
trap stop_server EXIT

# process_sql reads POSTGRES_DB, so the empty one given here applies
# shellcheck disable=SC2097,SC2098
POSTGRES_DB='' process_sql --dbname postgres --set db="$POSTGRES_DB" -q <<<'CREATE DATABASE :"db";'

for f in "$initdb_dir"/*; do
    case "$f" in
        *.sh)
            if [ -x "$f" ]; then
                printf '%s: running %s\n' "$0" "$f"
                "$f"
            else
                printf '%s: sourcing %s\n' "$0" "$f"
                # shellcheck disable=SC1090
                . "$f"
            fi ;;
        *.sql) printf '%s: running %s\n' "$0" "$f"; process_sql -f "$f" ;;
        *) printf '%s: ignoring %s\n' "$0" "$f" ;;
    esac
done

# what the init left behind, and whether a sourced script changed our shell
printf 'report: nounset=%s\n' "$(case $- in *u*) echo on ;; *) echo off ;; esac)"
printf 'report: current=%s\n' "$(process_sql -At -c "SELECT coalesce(string_agg(r, '+' ORDER BY r), 'base') FROM migrate_current() AS r")"
printf 'report: tables=%s\n' "$(process_sql -At -c "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'")"
printf 'report: upgrades=%s\n' "$(process_sql -At -c "SELECT count(*) FROM migrate.journal WHERE operation = 'upgrade'")"
printf 'report: tcp_listen=%s\n' "$(process_sql -At -c "SHOW listen_addresses")"
