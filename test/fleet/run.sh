#!/usr/bin/env bash
#
# test/fleet/run.sh
#     The client against many databases of one cluster: --databases,
#     --all-databases, --targets, -j, --fail-fast, --canary, the summary,
#     the exit status, status as a table and as JSON.  TAP output.
#
# Needs a running server with the extension installed, reachable through
# PGHOST, PGPORT and PGUSER (a superuser: the script creates and drops its
# own databases), psql and jq on the PATH, and the client built at
# client/pg_migrate (or PG_MIGRATE=path).  Every run is bounded: six small
# databases, a handful of revisions.
#
# Usage: PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres test/fleet/run.sh

set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PGM=${PG_MIGRATE:-$top/client/pg_migrate}
DEAD_PORT=${DEAD_PORT:-1}
: "${PGHOST:?set PGHOST}" "${PGPORT:?set PGPORT}" "${PGUSER:?set PGUSER}"
export PGHOST PGPORT PGUSER
unset PGDATABASE DB_HOST DB_PORT DB_USER DB_NAME DB_PASSWORD MAX_RETRIES RETRY_INTERVAL

work=$(mktemp -d)
prefix="pgm_fleet_$$"
dbs="a b c d e"
# ok, not_ok, is, expect, run
# shellcheck source=../tap.sh
. "$top/test/tap.sh"

cleanup() {
    for s in $dbs f; do
        psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${prefix}_$s" >/dev/null 2>&1
    done
    rm -rf "$work"
}
trap cleanup EXIT

expect_rc() {
    if [ "$rc" -eq "$2" ]; then
        ok "$1"
    else
        not_ok "$1" "exit status $rc, expected $2" "stdout: $out" "stderr: $err"
    fi
}

expect_not() {
    if printf '%s' "$3" | grep -qF -- "$2"; then
        not_ok "$1" "unexpected: $2" "in: $3"
    else
        ok "$1"
    fi
}

# q DB SQL: one value from psql
q() {
    psql -X -A -t -q -d "$1" -c "$2" 2>&1
}

# current DB: the version rows of one of our databases, comma-separated
current() {
    q "${prefix}_$1" "SELECT coalesce(string_agg(r, ',' ORDER BY r), 'base') FROM migrate_current() AS r"
}

# revision I PARENT: write revision rI creating table tI
revision() {
    printf -- '-- revision: r%s\n-- revises: %s\n-- message: step %s\n-- migrate:upgrade\nCREATE TABLE t%s (id int);\n-- migrate:downgrade\nDROP TABLE t%s;\n' \
        "$1" "$2" "$1" "$1" "$1" >"$work/migrations/00$1_r$1.sql"
}

if [ ! -x "$PGM" ]; then
    echo "Bail out! client not built at $PGM"
    exit 1
fi
for s in $dbs f; do
    if ! psql -X -q -d postgres -c "CREATE DATABASE ${prefix}_$s"; then
        echo "Bail out! could not create databases"
        exit 1
    fi
done
for s in $dbs; do
    psql -X -q -d "${prefix}_$s" -c "CREATE EXTENSION pg_migrate" || {
        echo "Bail out! could not create the extension"
        exit 1
    }
done
mkdir "$work/migrations"
revision 1 base
revision 2 r1
revision 3 r2
cd "$work" || exit 1
pattern="${prefix}_%"

# -- upgrade over a pattern; one database fails --------------------------

q "${prefix}_c" "CREATE TABLE t2 (x int)" >/dev/null
run --databases "$pattern" -j 2 upgrade
expect_rc "upgrade --databases: a failing database makes the exit status 1" 1
is "the four healthy databases reach the head" \
    "$(current a) $(current b) $(current d) $(current e)" "r3 r3 r3 r3"
is "the failing database is rolled back to where it was" "$(current c)" "base"
expect "the failure is reported with the server's message" \
    "failed      ${prefix}_c: relation \"t2\" already exists" "$out"
expect "the failure's context names the revision and file" \
    "upgrade of revision \"r2\" (file \"002_r2.sql\", line 5)" "$out"
expect "one line per database when not on a terminal" \
    "ok          ${prefix}_d: 3 revision(s) applied" "$out"
expect "a database without the extension is skipped" \
    "${prefix}_f  skipped" "$out"
expect "the summary counts every outcome" \
    "6 target(s): 4 done, 1 failed, 1 skipped, 0 not started" "$out"

# -- status as a table and as JSON ---------------------------------------

run --databases "$pattern" status
expect_rc "status over many databases succeeds" 0
expect "status: a database at the head is current" \
    "$(printf '%s_a  current  r3' "$prefix")" "$out"
expect "status: the failed database is behind by three" \
    "$(printf '%s_c  behind   <base>   r3     3' "$prefix")" "$out"
expect_not "status: a database without the extension is left out" "${prefix}_f" "$out"

run --databases "$pattern" status --format=json
expect_rc "status --format=json succeeds" 0
is "status JSON: one object per database with the extension" \
    "$(printf '%s' "$out" | jq length)" "5"
is "status JSON: the behind database, its pending count" \
    "$(printf '%s' "$out" | jq -r ".[] | select(.database == \"${prefix}_c\") | \"\(.state) \(.pending) \(.drifted) \(.interrupted)\"")" \
    "behind 3 0 0"

# -- a rerun does only what is left --------------------------------------

journal_a=$(q "${prefix}_a" "SELECT count(*) FROM migrate.journal")
q "${prefix}_c" "DROP TABLE t2" >/dev/null
run --databases "$pattern" -j 2 upgrade
expect_rc "the rerun succeeds" 0
is "the rerun brings the failed database to the head" "$(current c)" "r3"
expect "the rerun applies the failed database's revisions" \
    "${prefix}_c: 3 revision(s) applied" "$out"
expect "the rerun has nothing to do where the first run succeeded" \
    "${prefix}_a: nothing to upgrade" "$out"
is "the rerun wrote nothing to a finished database's journal" \
    "$(q "${prefix}_a" "SELECT count(*) FROM migrate.journal")" "$journal_a"

# -- check: worst outcome ------------------------------------------------

revision 4 r3
run --databases "$pattern" check
expect_rc "check: pending revisions make the exit status 6" 6
expect "check: each database is listed as pending" "pending     ${prefix}_e" "$out"

# -- --fail-fast ---------------------------------------------------------

q "${prefix}_b" "CREATE TABLE t4 (x int)" >/dev/null
run --databases "$pattern" --fail-fast -j 1 upgrade
expect_rc "--fail-fast: the exit status is the failure's" 1
is "--fail-fast: the database before the failure is migrated" "$(current a)" "r4"
is "--fail-fast: the databases after it are not started" \
    "$(current c) $(current d) $(current e)" "r3 r3 r3"
expect "--fail-fast: the summary says which were not started" \
    "${prefix}_e  not started" "$out"

# -- --canary ------------------------------------------------------------

run --databases "$pattern" --canary 2 -j 2 upgrade
expect_rc "--canary: a failing canary makes the exit status 1" 1
expect "--canary: the error says the rest was not started" \
    "1 of 2 canary target(s) failed; the other 4 target(s) were not started" "$err"
is "--canary: the targets after the canaries are untouched" \
    "$(current c) $(current d)" "r3 r3"
q "${prefix}_b" "DROP TABLE t4" >/dev/null
run --databases "$pattern" --canary 2 -j 2 upgrade
expect_rc "--canary: healthy canaries let the rest run" 0
is "--canary: every database reaches the head" \
    "$(current a) $(current b) $(current c) $(current d) $(current e)" "r4 r4 r4 r4 r4"

# -- --targets -----------------------------------------------------------

cat >"$work/targets" <<EOF
# the first two databases, one as a key/value string, one as a URI

host=$PGHOST port=$PGPORT dbname=${prefix}_a
   postgresql://$PGUSER@$PGHOST:$PGPORT/${prefix}_b
EOF
run --targets "$work/targets" downgrade r3
expect_rc "--targets: downgrade on the listed databases" 0
is "--targets: the listed databases are downgraded, the others not" \
    "$(current a) $(current b) $(current c)" "r3 r3 r4"
expect "--targets: a target is labelled host:port/dbname" \
    "$PGHOST:$PGPORT/${prefix}_a" "$out"
expect "--targets: comments and blank lines are not targets" "2 target(s)" "$out"

printf 'host=%s port=%s dbname=%s_c\nhost=127.0.0.1 port=%s dbname=nowhere connect_timeout=2\n' \
    "$PGHOST" "$PGPORT" "$prefix" "$DEAD_PORT" >"$work/targets2"
run --targets "$work/targets2" check
expect_rc "--targets: an unreachable target is the worst outcome (3)" 3
expect "--targets: the reachable target is still checked" \
    "ok          $PGHOST:$PGPORT/${prefix}_c" "$out"
printf '# nothing\n\n' >"$work/empty"
run --targets "$work/empty" status
expect_rc "--targets: a file naming no target is a usage error" 2
expect "--targets: the error names the file" "file \"$work/empty\" names no target" "$err"

# -- status: drifted and interrupted -------------------------------------

q "${prefix}_d" "INSERT INTO migrate.interrupted (revision, operation, statements, role) VALUES ('r4', 'upgrade', 2, current_user)" >/dev/null
cp -r "$work/migrations" "$work/edited"
sed -i 's/CREATE TABLE t1 (id int);/CREATE TABLE t1 (id bigint);/' "$work/edited/001_r1.sql"
run --databases "$pattern" --dir "$work/edited" status --format=json
expect_rc "status JSON with drift and an interrupted run" 0
is "status JSON: the edited applied revision is drift" \
    "$(printf '%s' "$out" | jq -r ".[] | select(.database == \"${prefix}_e\") | \"\(.state) \(.drifted)\"")" \
    "drifted 1"
is "status JSON: an interrupted run outranks drift" \
    "$(printf '%s' "$out" | jq -r ".[] | select(.database == \"${prefix}_d\") | \"\(.state) \(.interrupted)\"")" \
    "interrupted 1"
run --databases "$pattern" status
expect "status table: behind after the downgrade" \
    "$(printf '%s_a  behind' "$prefix")" "$out"
q "${prefix}_d" "DELETE FROM migrate.interrupted" >/dev/null

# -- --all-databases, verify, lint ---------------------------------------

run --all-databases status --format=json
expect_rc "--all-databases status" 0
is "--all-databases lists our databases that have the extension" \
    "$(printf '%s' "$out" | jq "[.[] | select(.database | startswith(\"${prefix}_\"))] | length")" "5"
run --databases "$pattern" -j 2 verify
expect_rc "verify over many databases" 0
expect "verify runs where a revision is pending" "${prefix}_a" "$out"
run --databases "$pattern" lint
expect_rc "lint over many databases" 0
expect "lint reports per database" "4 file(s): 0 error(s)" "$out"

mkdir "$work/risky"
printf -- '-- revision: risky1\n-- migrate:upgrade\nALTER TABLE t1 ALTER COLUMN id TYPE text;\n-- migrate:downgrade\nALTER TABLE t1 ALTER COLUMN id TYPE int USING id::int;\n' \
    >"$work/risky/risky1.sql"
run --databases "$pattern" --dir "$work/risky" lint
expect_rc "lint over many databases: an error finding makes the exit status 8" 8
expect "lint: each database is linted against its own catalog" \
    "lint error   " "$out"
expect "lint: the finding is named" "PM003" "$out"
q "${prefix}_e" "DROP TABLE t1" >/dev/null
run --databases "$pattern" --dir "$work/risky" -j 2 verify
expect_rc "verify over many databases: a failing revision in one makes the exit status 9" 9
expect "verify: the database where it fails is unverified" "${prefix}_e  unverified" "$out"
expect "verify: the others pass" "ok          ${prefix}_a" "$out"
q "${prefix}_e" "CREATE TABLE t1 (id int)" >/dev/null

# -- a progress bar on a terminal ---------------------------------------

script -qec "$PGM --dir '$work/migrations' --databases '$pattern' -j 2 upgrade" /dev/null >"$work/tty" 2>&1
rc=$?
out=$(tr '\r' '\n' <"$work/tty")
err=""
expect_rc "on a terminal: the upgrade succeeds" 0
expect "on a terminal: the bar counts done, failed, running and waiting" \
    "done 5  failed 0  running 0  waiting 0" "$out"
expect "on a terminal: the bar shows an ETA" "ETA " "$out"
expect_not "on a terminal: no line per database" "ok          ${prefix}_a" "$out"
expect "on a terminal: the summary table follows" "6 target(s): 5 done" "$out"

# -- bad input changes nothing -------------------------------------------

mkdir "$work/bad"
printf -- '-- revision: x1\n-- migrate:upgrade\nCREATE TABLE tx (id int);\n-- migrate:upgrade\n' >"$work/bad/x1.sql"
run --databases "$pattern" --dir "$work/bad" upgrade
expect_rc "a bad revision file stops the run before any database" 5
expect "the bad file is reported once with its line" "x1.sql:4" "$err"
is "the bad file reached no database" \
    "$(q "${prefix}_a" "SELECT count(*) FROM migrate.revision WHERE revision = 'x1'")" "0"
run -j 2 status
expect_rc "-j without a fleet option is a usage error" 2
run --databases "$pattern" history
expect_rc "a verb that does not apply to many databases is a usage error" 2
expect "the usage error names the verb" "\"history\" does not apply to many databases" "$err"
run --databases "$pattern" --format=xml status
expect_rc "--format takes table or json only" 2
run --databases "$pattern" --all-databases status
expect_rc "two ways to name databases at once is a usage error" 2
run --databases "nothing_like_this_%" status
expect_rc "a pattern matching no database is a usage error" 2

echo "1..$n"
[ "$failures" -eq 0 ]
