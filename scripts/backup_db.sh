#!/usr/bin/env bash
# scripts/backup_db.sh - back up the database, named by date and revision
#
# Usage: backup_db.sh [--dir DIR] [--keep N]
#
# Writes a pg_dump custom-format archive of the current database into DIR
# (default $BACKUP_DIR, else ./backups) named
#   DBNAME_YYYYMMDDTHHMMSSZ_REVISION.dump
# where REVISION is the current revision (migrate_current(); several heads
# joined with "+", "base" when none is applied, "none" when the database
# has no pg_migrate extension).  The archive is checked with
# pg_restore --list before it takes its final name; then only the newest N
# backups of this database are kept (default $BACKUP_KEEP, else 7; 0 keeps
# all).  Prints the path of the new backup on stdout.
#
# Connection: the usual PG* variables, or DB_HOST, DB_PORT, DB_USER,
# DB_NAME and DB_PASSWORD for unset ones.
#
# Exit status: 0 done, 2 usage error, 3 database not reachable, 4 pg_dump
# failed, 5 the archive did not verify.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

dir="${BACKUP_DIR:-backups}"
keep="${BACKUP_KEEP:-7}"
while [ "$#" -gt 0 ]; do
    case "$1" in
        -h | --help) pgm_usage; exit 0 ;;
        --dir) [ "$#" -ge 2 ] || pgm_die 2 "option --dir needs a value"; dir="$2"; shift 2 ;;
        --dir=*) dir="${1#--dir=}"; shift ;;
        --keep) [ "$#" -ge 2 ] || pgm_die 2 "option --keep needs a value"; keep="$2"; shift 2 ;;
        --keep=*) keep="${1#--keep=}"; shift ;;
        *) pgm_die 2 "unexpected argument \"$1\"" ;;
    esac
done
case "$keep" in '' | *[!0-9]*) pgm_die 2 "invalid number of backups to keep \"$keep\"" ;; esac

pgm_env
pgm_ready_once || pgm_die 3 "could not connect to the database"
db="$(pgm_psql -c 'SELECT pg_catalog.current_database()')"
if pgm_has_extension; then
    rev="$(pgm_current_label)"
else
    rev=none
fi
# only characters that are safe in a file name, and that the glob of the
# retention step can rely on
safe() { printf '%s' "$1" | tr -c 'A-Za-z0-9_.+-' '_'; }
prefix="$(safe "$db")"

mkdir -p "$dir"
# a second backup within the same second waits for the next one, so that
# names stay unique and sort by time
for _ in 1 2 3; do
    stamp="$(date -u +%Y%m%dT%H%M%SZ)"
    file="$dir/${prefix}_${stamp}_$(safe "$rev").dump"
    [ -e "$file" ] || break
    sleep 1
done
[ ! -e "$file" ] || pgm_die 4 "backup file \"$file\" already exists"

partial="$file.partial"
trap 'rm -f "$partial"' EXIT
if ! pg_dump --format=custom --file="$partial" "$db"; then
    pgm_die 4 "pg_dump of database \"$db\" failed"
fi
if ! listing="$(pg_restore --list "$partial")"; then
    pgm_die 5 "backup of database \"$db\" did not verify: pg_restore --list failed"
fi
if [ "$rev" != none ] && ! grep -q 'TABLE DATA migrate journal' <<<"$listing"; then
    pgm_die 5 "backup of database \"$db\" did not verify: the migration journal is missing from it"
fi
mv "$partial" "$file"
trap - EXIT
pgm_log "backed up database \"$db\" at revision $rev to $file ($(wc -c <"$file") bytes, $(grep -c '^[0-9]' <<<"$listing") entries)"

# retention: names sort by time, so keep the last N of this database's
if [ "$keep" -gt 0 ]; then
    mapfile -t old < <(find "$dir" -maxdepth 1 -type f \
        -name "${prefix}_????????T??????Z_*.dump" -printf '%f\n' | sort -r | tail -n +"$((keep + 1))")
    for f in "${old[@]}"; do
        rm -f -- "$dir/$f"
        pgm_log "removed old backup $dir/$f"
    done
fi
printf '%s\n' "$file"
