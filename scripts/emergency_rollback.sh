#!/usr/bin/env bash
# scripts/emergency_rollback.sh - back up, then downgrade with the SQL the server keeps
#
# Usage: emergency_rollback.sh [--yes] [--backup-dir DIR] [TARGET]
#
# Downgrades the current database to TARGET (default -1, the previous
# revision; any downgrade target such as a revision id or "base").  The
# downgrade SQL comes from the catalog of the pg_migrate extension, not from
# revision files, so it works when the files are gone or broken.  Before
# anything changes it shows the steps that would run, asks for confirmation
# (type "yes") and takes a backup with backup_db.sh (into DIR, default
# $BACKUP_DIR, else ./backups); without --yes it refuses to run when stdin
# is not a terminal.
#
# Connection: the usual PG* variables, or DB_HOST, DB_PORT, DB_USER,
# DB_NAME and DB_PASSWORD for unset ones.
#
# Exit status: 0 rolled back (or nothing to do), 2 usage error, 3 not
# confirmed, 4 backup failed, 5 downgrade failed, 6 database not reachable
# or without the extension.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

yes=false
target=
backup_dir="${BACKUP_DIR:-backups}"
while [ "$#" -gt 0 ]; do
    case "$1" in
        -h | --help) pgm_usage; exit 0 ;;
        -y | --yes) yes=true; shift ;;
        --backup-dir) [ "$#" -ge 2 ] || pgm_die 2 "option --backup-dir needs a value"; backup_dir="$2"; shift 2 ;;
        --backup-dir=*) backup_dir="${1#--backup-dir=}"; shift ;;
        --) shift ;;
        -[0-9]*)
            [ -z "$target" ] || pgm_die 2 "more than one target given"
            target="$1"; shift ;;
        -*) pgm_die 2 "unknown option \"$1\"" ;;
        *)
            [ -z "$target" ] || pgm_die 2 "more than one target given"
            target="$1"; shift ;;
    esac
done
target="${target:--1}"

pgm_env
pgm_ready_once || pgm_die 6 "could not connect to the database"
db="$(pgm_psql -c 'SELECT pg_catalog.current_database()')"
pgm_has_extension || pgm_die 6 "extension \"pg_migrate\" is not installed in database \"$db\""

current="$(pgm_current_label)"
if ! plan="$(pgm_psql -F ' ' -v target="$target" \
    <<<"SELECT step, revision, message FROM migrate_script('downgrade', :'target') ORDER BY step;")"; then
    pgm_die 5 "cannot plan a downgrade of database \"$db\" to \"$target\""
fi
if [ -z "$plan" ]; then
    echo "database \"$db\" is at $current; nothing to revert for target \"$target\""
    exit 0
fi
echo "database \"$db\" is at $current; a downgrade to \"$target\" reverts, in order:"
printf '%s\n' "$plan" | sed 's/^/  step /'

if [ "$yes" != true ]; then
    if [ ! -t 0 ]; then
        pgm_die 3 "refusing to roll back without confirmation: stdin is not a terminal (use --yes)"
    fi
    printf 'Type "yes" to back up and roll back: '
    read -r answer || answer=
    [ "$answer" = yes ] || pgm_die 3 "not confirmed; nothing was changed"
fi

backup="$(BACKUP_DIR="$backup_dir" "$PGM_ROOT/scripts/backup_db.sh")" ||
    pgm_die 4 "backup failed; nothing was rolled back"
echo "backup: $backup"

# through the client when there is one: it alone can revert a revision
# marked "transactional: false"; it runs from an empty directory, so the
# downgrade SQL comes from the catalog, as the plan above did
if client="$(pgm_find_client)"; then
    empty="$(mktemp -d)"
    rc=0
    (cd "$empty" && "$client" downgrade "$target") || rc=$?
    rmdir "$empty"
    [ "$rc" = 0 ] || pgm_die 5 "downgrade of database \"$db\" to \"$target\" failed; the backup is $backup"
elif ! PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" pgm_psql -F ' ' -v target="$target" \
    <<<"SELECT 'reverted', revision, message FROM migrate_downgrade(:'target') ORDER BY step;"; then
    pgm_die 5 "downgrade of database \"$db\" to \"$target\" failed; the backup is $backup"
fi
echo "database \"$db\" is now at $(pgm_current_label)"
