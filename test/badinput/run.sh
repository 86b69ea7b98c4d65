#!/usr/bin/env bash
#
# test/badinput/run.sh
#     Bad input to the pg_migrate client and the operator scripts, TAP
#     output.  docs/bad-inputs.md lists every case here by number (C01...).
#
# Each case runs one command (under timeout(1), so that a hang fails the
# case instead of the suite) and checks three things: the exit status,
# a piece of the message, and that the database is unchanged (the same
# fingerprint of revisions, version rows, journal, generation and tables
# as before the case).
#
# Needs a running server with the extension installed, reachable through
# PGHOST, PGPORT and PGUSER (a superuser: the script creates and drops its
# own scratch database), psql on the PATH, and the client built at
# client/pg_migrate (or PG_MIGRATE=path).  DEAD_PORT (default 1) is a port
# where nothing listens.
#
# Usage: PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres test/badinput/run.sh

set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PGM=${PG_MIGRATE:-$top/client/pg_migrate}
DEAD_PORT=${DEAD_PORT:-1}
STEP_TIMEOUT=30
: "${PGHOST:?set PGHOST}" "${PGPORT:?set PGPORT}" "${PGUSER:?set PGUSER}"
export PGHOST PGPORT PGUSER
unset PGDATABASE DB_HOST DB_PORT DB_USER DB_NAME DB_PASSWORD MAX_RETRIES RETRY_INTERVAL
# the scripts call the client by name
PATH="$(dirname "$PGM"):$PATH"
export PATH

work=$(mktemp -d)
db="pgm_badinput_$$"
# ok, not_ok, is, expect, run
# shellcheck source=../tap.sh
. "$top/test/tap.sh"

cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

fingerprint() {
    psql -X -A -t -q -d "$db" -c "SELECT md5(concat_ws('|',
        (SELECT string_agg(r::text, ',' ORDER BY r.revision) FROM migrate.revision r),
        (SELECT string_agg(revision, ',' ORDER BY revision) FROM migrate.version),
        (SELECT string_agg(j.id || ':' || j.operation, ',' ORDER BY j.id) FROM migrate.journal j),
        (SELECT generation FROM migrate.state),
        (SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public')))" 2>&1
}

# case ID WANT_RC TEXT COMMAND...: run COMMAND (stdin from /dev/null); its
# exit status must be WANT_RC, its output (stdout and stderr) must contain
# TEXT, and the database must be unchanged
case_() {
    local id=$1 want=$2 text=$3 rc before after
    shift 3
    before=$(fingerprint)
    timeout "$STEP_TIMEOUT" "$@" >"$work/out" 2>&1 </dev/null
    rc=$?
    after=$(fingerprint)
    if [ "$rc" -eq "$want" ]; then
        ok "$id: exit status $want"
    else
        not_ok "$id: exit status $want" "got $rc" "$(head -5 "$work/out")"
    fi
    if grep -qF -- "$text" "$work/out"; then
        ok "$id: says \"$text\""
    else
        not_ok "$id: says \"$text\"" "output: $(head -5 "$work/out")"
    fi
    if [ "$before" = "$after" ]; then
        ok "$id: database unchanged"
    else
        not_ok "$id: database unchanged"
    fi
}

if [ ! -x "$PGM" ]; then
    echo "Bail out! client not built at $PGM"
    exit 1
fi

# ---------------------------------------------------------------- set-up
# c1 applied, c2 pending; m/ holds both files
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\"" -c "CREATE DATABASE \"$db\"" >/dev/null 2>&1 || {
    echo "Bail out! cannot create database $db"
    exit 1
}
mkdir "$work/m"
printf -- '-- revision: c1\n-- migrate:upgrade\nCREATE TABLE c1t (id int);\n-- migrate:downgrade\nDROP TABLE c1t;\n' >"$work/m/001_c1.sql"
printf -- '-- revision: c2\n-- revises: c1\n-- migrate:upgrade\nCREATE TABLE c2t (id int);\n-- migrate:downgrade\nDROP TABLE c2t;\n' >"$work/m/002_c2.sql"
if ! "$PGM" -d "$db" --dir="$work/m" init >/dev/null 2>&1 ||
    ! "$PGM" -d "$db" --dir="$work/m" upgrade c1 >/dev/null 2>&1; then
    echo "Bail out! set-up failed"
    exit 1
fi
m="$work/m"
# directories with one bad entry beside the good files
for d in fifo dir link key dup nul; do
    cp -r "$m" "$work/$d"
done
mkfifo "$work/fifo/003_x.sql"
mkdir "$work/dir/003_x.sql"
ln -s 001_c1.sql "$work/link/003_x.sql"
printf -- '-- revision: c3\n-- revises: c2\n-- author: me\n-- migrate:upgrade\nSELECT 1;\n' >"$work/key/003_c3.sql"
printf -- '-- revision: c1\n-- migrate:upgrade\nSELECT 1;\n' >"$work/dup/003_again.sql"
printf -- '-- revision: c3\n-- revises: c2\n-- migrate:upgrade\nSELECT 1;\0\n' >"$work/nul/003_c3.sql"
: >"$work/empty.sql"

C=("$PGM" -d "$db" --dir="$m")

# ---------------------------------------------------------------- client: usage
case_ C01 2 'no verb given' "$PGM" -d "$db"
case_ C02 2 'unknown verb "frob"' "$PGM" -d "$db" frob
case_ C03 2 "unrecognized option '--frobnicate'" "$PGM" -d "$db" --frobnicate current
case_ C04 2 'too few arguments for "downgrade"' "${C[@]}" downgrade
case_ C05 2 'too few arguments for "stamp"' "${C[@]}" stamp
case_ C06 2 '"revision" needs a message (-m)' "${C[@]}" revision
case_ C07 2 'invalid revision id "bad id"' "${C[@]}" revision -m x --rev-id 'bad id'
case_ C08 2 'invalid revision id "head": it is a reserved word' "${C[@]}" revision -m x --rev-id head
case_ C09 2 'invalid branch label "base": it is a reserved word' "${C[@]}" revision -m x --branch-label base
case_ C10 7 'a merge needs at least two revisions' "${C[@]}" merge -m x c1
case_ C11 2 '--max-retries must be at least 1' "${C[@]}" --wait --max-retries=0 current
case_ C12 2 'invalid value for --max-retries' "${C[@]}" --wait --max-retries=abc current
case_ C13 2 'invalid value for --retry-interval' "${C[@]}" --wait --retry-interval=-1 current
case_ C14 2 'invalid value for --timeout: "-5"' "${C[@]}" wait --timeout=-5
case_ C15 2 'invalid value for --timeout: "abc"' "${C[@]}" wait --timeout=abc

# ---------------------------------------------------------------- client: connection
case_ C16 3 'invalid integer value "notaport"' "$PGM" -p notaport -d "$db" current
case_ C17 3 'invalid port number: "99999"' "$PGM" -p 99999 -d "$db" current
case_ C18 2 'invalid connection string' "$PGM" -d 'postgresql://[::1' current
case_ C19 3 'Connection refused' "$PGM" -p "$DEAD_PORT" -d "$db" current
case_ C20 3 'role "pgm_no_such_role" does not exist' "$PGM" -U pgm_no_such_role -d "$db" current
case_ C21 3 'database "pgm_no_such_db" does not exist' "$PGM" -d pgm_no_such_db current
case_ C22 4 'did not accept connections' "$PGM" -p "$DEAD_PORT" -d "$db" --wait --max-retries=2 --retry-interval=1 current

# ---------------------------------------------------------------- client: files
case_ C23 5 'Not a directory' "$PGM" -d "$db" --dir="$m/001_c1.sql" upgrade
case_ C24 5 '003_x.sql: not a regular file' "$PGM" -d "$db" --dir="$work/fifo" upgrade
case_ C25 5 '003_x.sql: not a regular file' "$PGM" -d "$db" --dir="$work/dir" upgrade
case_ C26 5 'revision "c1" is also defined in' "$PGM" -d "$db" --dir="$work/link" upgrade
case_ C27 5 '003_c3.sql:3: unknown header key "author"' "$PGM" -d "$db" --dir="$work/key" upgrade
case_ C28 5 'revision "c1" is also defined in' "$PGM" -d "$db" --dir="$work/dup" upgrade
case_ C29 5 'file contains a zero byte' "$PGM" -d "$db" --dir="$work/nul" upgrade

# ---------------------------------------------------------------- client: targets
case_ C30 7 'revision "zzzz" does not exist' "${C[@]}" upgrade zzzz
case_ C31 1 'relative target "-1" goes down, not up' "${C[@]}" upgrade -- -1
case_ C32 1 'target must not be empty' "${C[@]}" upgrade ''
case_ C33 1 'relative target "+1" goes up, not down' "${C[@]}" downgrade +1
case_ C34 1 'goes past the end of the history' "${C[@]}" upgrade +99999999999999
case_ C35 7 'revision "zzzz" does not exist' "${C[@]}" show zzzz
case_ C36 1 'invalid history range "a:b:c"' "${C[@]}" history -r a:b:c

# ---------------------------------------------------------------- client: lint
case_ C46 5 'could not read file "nosuch.sql": No such file or directory' "${C[@]}" lint nosuch.sql
case_ C47 5 '003_x.sql: not a regular file' "$PGM" -d "$db" lint "$work/fifo/003_x.sql"
case_ C48 5 '003_x.sql: not a regular file' "$PGM" -d "$db" --dir="$work/fifo" lint
case_ C49 5 '003_c3.sql:3: unknown header key "author"' "$PGM" -d "$db" --dir="$work/key" lint

# ---------------------------------------------------------------- client: repair, resolve
case_ C50 2 'too few arguments for "repair"' "${C[@]}" repair
case_ C51 7 'revision "zzzz" does not exist' "${C[@]}" repair zzzz
case_ C52 2 'too few arguments for "resolve"' "${C[@]}" resolve c1
case_ C53 2 'invalid outcome "maybe"' "${C[@]}" resolve c1 maybe

# ---------------------------------------------------------------- client: verify, explain
case_ C54 7 'revision "zzzz" does not exist' "${C[@]}" verify zzzz
case_ C55 7 'revision "zzzz" does not exist' "${C[@]}" explain zzzz
case_ C56 5 '003_x.sql: not a regular file' "$PGM" -d "$db" --dir="$work/fifo" verify

# ---------------------------------------------------------------- client: reports answer despite a broken file
case_ C57 0 '"file": "003_c3.sql"' "$PGM" -d "$db" --dir="$work/key" status
case_ C58 0 '003_x.sql: not a regular file' "$PGM" -d "$db" --dir="$work/fifo" current
case_ C59 0 'revision "c1" is also defined in' "$PGM" -d "$db" --dir="$work/dup" history
case_ C60 7 'revision "zzzz" does not exist' "${C[@]}" remove zzzz

# ---------------------------------------------------------------- scripts
S="$top/scripts"
export PGDATABASE="$db"
case_ C37 5 'cannot plan a downgrade of database' bash "$S/emergency_rollback.sh" zzzz
case_ C38 3 'refusing to roll back without confirmation' bash "$S/emergency_rollback.sh" -1
case_ C39 2 'unknown option "--frob"' bash "$S/emergency_rollback.sh" --frob
case_ C40 2 'invalid MAX_RETRIES "abc"' env MAX_RETRIES=abc bash "$S/wait-and-migrate.sh" --dir "$m"
case_ C41 3 'did not accept connections after 1 tries' \
    env MAX_RETRIES=1 RETRY_INTERVAL=1 PGPORT="$DEAD_PORT" bash "$S/wait-and-migrate.sh" --dir "$m"
case_ C42 5 'unknown header key "author"' bash "$S/wait-and-migrate.sh" --dir "$work/key"
case_ C43 5 'revision "zzzz" does not exist' bash "$S/wait-and-migrate.sh" --target zzzz --dir "$m"
case_ C44 2 'invalid number of backups to keep "-1"' bash "$S/backup_db.sh" --keep -1
case_ C45 2 'unknown command "frob"' bash "$S/operator.sh" frob
unset PGDATABASE

# the scratch state itself is as set up: c1 applied, c2 pending
state=$(psql -X -A -t -q -d "$db" -c "SELECT string_agg(revision, ',') FROM migrate.version")
if [ "$state" = c1 ]; then ok "still at c1"; else not_ok "still at c1" "got $state"; fi

echo "1..$n"
if [ "$failures" -gt 0 ]; then
    echo "# $failures of $n tests failed"
    exit 1
fi
