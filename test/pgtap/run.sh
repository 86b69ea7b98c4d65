#!/usr/bin/env bash
# test/pgtap/run.sh - pgTAP tests of pg_migrate's semantics and SQLSTATEs
#
# Usage: test/pgtap/run.sh [FILE.sql...]
#
# Runs against the server named by PGHOST/PGPORT/PGUSER (as test/run_all.sh
# exports them).  Creates a scratch database, installs pgtap and pg_migrate
# in it, and runs pg_prove over test/pgtap/*.sql (or the files given).
# Every file runs inside one transaction that it rolls back, so each starts
# from an empty catalog.  A fixture directory of revision files is written
# for migrate_load and passed to the files as the psql variable "fixtures".
# Drops the database and the fixtures at the end; exits with pg_prove's
# status.
set -euo pipefail

case "${1:-}" in
    -h | --help)
        sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
esac

HERE="$(cd "$(dirname "$0")" && pwd)"
DB="pg_migrate_pgtap_$$"
FIXTURES="$(mktemp -d /tmp/pg_migrate_pgtap_fixtures.XXXXXX)"

export PGHOST="${PGHOST:-127.0.0.1}"
export PGUSER="${PGUSER:-postgres}"
export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d postgres)

cleanup() {
    "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$FIXTURES"
}
trap cleanup EXIT

# revision files the server reads with migrate_load (two chained revisions
# and one file that is not a revision, which must be ignored)
cat >"$FIXTURES/0001_first.sql" <<'SQL'
-- revision: fx1
-- message: first fixture
-- migrate:upgrade
CREATE TABLE fixture_one (id int);
-- migrate:downgrade
DROP TABLE fixture_one;
SQL
cat >"$FIXTURES/0002_second.sql" <<'SQL'
-- revision: fx2
-- revises: fx1
-- message: second fixture
-- migrate:upgrade
CREATE TABLE fixture_two (id int);
-- migrate:downgrade
DROP TABLE fixture_two;
SQL
echo "not a revision" >"$FIXTURES/README.txt"
chmod 755 "$FIXTURES"
chmod 644 "$FIXTURES"/*

"${PSQL[@]}" -c "CREATE DATABASE $DB"
"${PSQL[@]}" -d "$DB" -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION pg_migrate"

if [ "$#" -gt 0 ]; then
    FILES=("$@")
else
    FILES=("$HERE"/*.sql)
fi

status=0
pg_prove --nocolor -d "$DB" -S "fixtures=$FIXTURES" "${FILES[@]}" || status=$?
exit "$status"
