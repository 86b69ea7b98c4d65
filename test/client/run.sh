#!/usr/bin/env bash
#
# test/client/run.sh
#     End-to-end tests of the pg_migrate client, TAP output.
#
# Needs a running server with the extension installed, reachable through
# PGHOST, PGPORT and PGUSER (a superuser: the script creates and drops its
# own scratch databases), psql on the PATH, and the client built at
# client/pg_migrate (or PG_MIGRATE=path).  Nothing here waits for long:
# the --wait tests use MAX_RETRIES=2 RETRY_INTERVAL=1 against a port where
# nothing listens (DEAD_PORT, default 1).
#
#
# Usage: PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres test/client/run.sh

set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PGM=${PG_MIGRATE:-$top/client/pg_migrate}
DEAD_PORT=${DEAD_PORT:-1}
: "${PGHOST:?set PGHOST}" "${PGPORT:?set PGPORT}" "${PGUSER:?set PGUSER}"
export PGHOST PGPORT PGUSER
unset PGDATABASE DB_HOST DB_PORT DB_USER DB_NAME DB_PASSWORD MAX_RETRIES RETRY_INTERVAL

work=$(mktemp -d)
db1="pgm_client_$$_a"
db2="pgm_client_$$_b"
db3="pgm_client_$$_c"
db4="pgm_client_$$_d"
db5="pgm_client_$$_e"
db6="pgm_client_$$_sync"
db7="pgm_client_$$_perrev"
db8="pgm_client_$$_stat"
db9="pgm_client_$$_adopt"
db11="pgm_client_$$_truth"
dbsc="pgm_client_$$_scopes"
sfdb1="pgm_client_$$_sf1"
sfdb2="pgm_client_$$_sf2"
sfdb3="pgm_client_$$_sf3"
sfdb4="pgm_client_$$_sf4"
dbso="pgm_client_$$_scopeout"
# ok, not_ok, is, expect, run
# shellcheck source=../tap.sh
. "$top/test/tap.sh"

cleanup() {
    for db in "$db1" "$db2" "$db3" "$db4" "$db5" "$db6" "$db7" "$db8" "$db9" "$db11" "$dbsc" "$sfdb1" "$sfdb2" "$sfdb3" "$sfdb4" "$dbso" "pgm_client_$$_split" "pgm_client_$$_offline"; do
        psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1
    done
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS pgm_client_pw" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

# expect_rc DESC WANT: check $rc after run
expect_rc() {
    if [ "$rc" -eq "$2" ]; then
        ok "$1"
    else
        not_ok "$1" "exit status $rc, expected $2" "stdout: $out" "stderr: $err"
    fi
}

# expect_not DESC TEXT HAYSTACK
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

# fill FILE UPGRADE DOWNGRADE: put SQL under the section markers of FILE
fill() {
    local f=$1 up=$2 down=$3 line
    while IFS= read -r line; do
        printf '%s\n' "$line"
        case $line in
            '-- migrate:upgrade') printf '%s\n' "$up" ;;
            '-- migrate:downgrade') printf '%s\n' "$down" ;;
        esac
    done <"$f" >"$f.tmp" && mv "$f.tmp" "$f"
}

# id_of PATH: the revision id of a file written by the client
id_of() {
    basename "$1" | cut -d_ -f1 | sed 's/\.sql$//'
}

if [ ! -x "$PGM" ]; then
    echo "Bail out! client not built at $PGM"
    exit 1
fi
if ! psql -X -q -d postgres -c "CREATE DATABASE \"$db1\"" ||
    ! psql -X -q -d postgres -c "CREATE DATABASE \"$db2\"" ||
    ! psql -X -q -d postgres -c "CREATE DATABASE \"$db3\""; then
    echo "Bail out! could not create scratch databases"
    exit 1
fi

cd "$work" || exit 1
dir=$work/migrations

# ---------------------------------------------------------------- usage
run --help
expect_rc "--help exits 0" 0
for code in "0  success" "1  the server reported an error" "2  usage error" \
    "3  connection failure" "4  --wait" "5  a revision file is invalid" \
    "6  check: revisions are pending"; do
    expect "--help documents exit status \"$code\"" "$code" "$out"
done
for code in 0 1 2 3 4 5 6 7 8 9; do
    expect "--help lists exit status $code" "  $code  " "$out"
    expect "the man page documents exit status $code" ".B $code" "$(grep -x "\.B $code" "$top/docs/pg_migrate.1")"
done
run -V
expect "-V prints the version" "pg_migrate " "$out"
run
expect_rc "no verb is a usage error" 2
run frobnicate
expect_rc "an unknown verb is a usage error" 2
run downgrade
expect_rc "downgrade without a target is a usage error" 2
run current --sql
expect_rc "an option of another verb is a usage error" 2
run revision
expect_rc "revision without -m is a usage error" 2
run --bogus-option current
expect_rc "an unknown option is a usage error" 2

# ---------------------------------------------------------------- init
run -d "$db1" --dir "$dir" init
expect_rc "init succeeds" 0
[ -d "$dir" ] && ok "init creates the directory" || not_ok "init creates the directory"
is "init creates the extension" "$(q "$db1" "SELECT count(*) FROM pg_extension WHERE extname = 'pg_migrate'")" 1
run -d "$db1" --dir "$dir" init
expect_rc "init is idempotent" 0

# ---------------------------------------------------------------- revision
run -d "$db1" --dir "$dir" revision -m "Create users table!"
expect_rc "revision succeeds" 0
f1=$out
id1=$(id_of "$f1")
if [[ "$(basename "$f1")" =~ ^[0-9a-f]{12}_create_users_table\.sql$ ]]; then
    ok "revision names the file <12 hex digits>_<slug>.sql"
else
    not_ok "revision names the file <12 hex digits>_<slug>.sql" "got $f1"
fi
[ -f "$f1" ] && ok "revision writes the file it prints" || not_ok "revision writes the file it prints"
expect_not "a first revision revises nothing" "revises:" "$(cat "$f1")"
expect "revision writes an upgrade section" "-- migrate:upgrade" "$(cat "$f1")"
expect "revision writes a downgrade section" "-- migrate:downgrade" "$(cat "$f1")"
fill "$f1" "CREATE TABLE users (id int PRIMARY KEY, name text);
CREATE TABLE app_seen AS SELECT current_setting('application_name') AS name;" \
    "DROP TABLE app_seen;
DROP TABLE users;"

# offline: no server, so the heads come from the files alone
run -p "$DEAD_PORT" --dir "$dir" revision -m "index users by name" --non-transactional
expect_rc "revision works without a server" 0
f2=$out
id2=$(id_of "$f2")
expect "offline revision revises the head of the files" "-- revises: $id1" "$(cat "$f2")"
expect "offline revision says it used the files alone" "using the revision files alone" "$err"
expect "--non-transactional writes transactional: false" "-- transactional: false" "$(cat "$f2")"
fill "$f2" "CREATE INDEX CONCURRENTLY users_name_idx ON users (name);
-- a comment; with a semicolon
CREATE INDEX CONCURRENTLY users_id_name_idx ON users (id, name);" \
    "DROP INDEX CONCURRENTLY users_id_name_idx;
DROP INDEX CONCURRENTLY users_name_idx;"

run -d "$db1" --dir "$dir" revision -m "add email" --rev-id email01
expect_rc "revision with --rev-id succeeds" 0
f3=$out
id3=email01
is "--rev-id names the file" "$(basename "$f3")" "email01_add_email.sql"
expect "online revision revises the current head" "-- revises: $id2" "$(cat "$f3")"
fill "$f3" "ALTER TABLE users ADD email text;" "ALTER TABLE users DROP email;"
run -d "$db1" --dir "$dir" revision -m "again" --rev-id email01
expect_rc "revision refuses an id that exists" 7

# ---------------------------------------------------------------- bad files
mkdir -p "$work/bad"
cp "$f1" "$work/bad/"
printf -- '-- revision: bad id!\n-- migrate:upgrade\nSELECT 1;\n' >"$work/bad/zz_bad.sql"
before=$(q "$db1" "SELECT count(*) FROM migrate.revision")
run -d "$db1" --dir "$work/bad" pending
expect_rc "a bad revision file exits 5" 5
expect "a bad file is reported as file:line: message" "zz_bad.sql:1: " "$err"
is "nothing is sent when a file is bad" "$(q "$db1" "SELECT count(*) FROM migrate.revision")" "$before"
run -d "$db1" --dir "$work/bad" upgrade
expect_rc "upgrade with a bad file exits 5" 5
is "upgrade with a bad file changes nothing" "$(q "$db1" "SELECT to_regclass('users') IS NULL")" t

# ---------------------------------------------------------------- reports before upgrade
run -d "$db1" --dir "$dir" history
expect_rc "history succeeds" 0
is "history prints Alembic's lines, newest first" "$out" "$id2 -> $id3 (head), add email
$id1 -> $id2, index users by name
<base> -> $id1, Create users table!"
run -d "$db1" --dir "$dir" heads
is "heads prints \"rev (head)\"" "$out" "$id3 (head)"
run -d "$db1" --dir "$dir" current
expect_rc "current succeeds" 0
is "current is empty before any upgrade" "$out" ""
run -d "$db1" --dir "$dir" pending
expect_rc "pending succeeds" 0
is "pending lists the steps in order" "$out" "1/3 $id1, Create users table!
2/3 $id2, index users by name (non-transactional)
3/3 $id3, add email"
run -d "$db1" --dir "$dir" pending "$id1"
is "pending TARGET stops at the target" "$out" "1/1 $id1, Create users table!"
run -d "$db1" --dir "$dir" check
expect_rc "check exits 6 when revisions are pending" 6
expect "check names what is pending" "$id1" "$err"
expect "check's hint names the client's verb" 'Run "pg_migrate upgrade' "$err"

# ---------------------------------------------------------------- upgrade --sql
# offline, as Alembic's: from the files alone, no server needed
run --port "$DEAD_PORT" --dir "$dir" upgrade --sql
expect_rc "upgrade --sql succeeds without a server" 0
expect "upgrade --sql prints the SQL" "CREATE TABLE users (id int PRIMARY KEY, name text);" "$out"
expect "upgrade --sql marks the non-transactional step" "non-transactional" "$out"
expect "upgrade --sql records each step in the script" "migrate_record_script('$id3', 'upgrade'" "$out"
printf '%s\n' "$out" >"$work/offline_up.sql"
run -d "$db1" --dir "$dir" upgrade --sql
is "upgrade --sql creates nothing" "$(q "$db1" "SELECT to_regclass('users') IS NULL")" t
is "upgrade --sql leaves the version rows alone" "$(q "$db1" "SELECT count(*) FROM migrate.version")" 0
is "upgrade --sql registers nothing" "$(q "$db1" "SELECT count(*) FROM migrate.revision")" 0
offdb="pgm_client_$$_offline"
psql -X -q -d postgres -c "CREATE DATABASE \"$offdb\"" >/dev/null
if psql -X -q -d "$offdb" -f "$work/offline_up.sql" >"$work/offline.out" 2>&1; then
    ok "psql runs the upgrade --sql script on a fresh database"
else
    not_ok "psql runs the upgrade --sql script on a fresh database" "$(tail -n 5 "$work/offline.out")"
fi
is "the script leaves the database at head" "$(q "$offdb" "SELECT string_agg(r, ',') FROM migrate_current() r")" "$id3"
is "the script ran every step's SQL" "$(q "$offdb" "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'email'")" 1
is "the script journals each step as an upgrade" \
    "$(q "$offdb" "SELECT string_agg(operation, ',' ORDER BY id) FROM migrate.journal WHERE operation <> 'stamp'")" "upgrade,upgrade,upgrade"
run -d "$offdb" --dir "$dir" upgrade head
is "the client then finds nothing to do" "$out" "nothing to upgrade"
if psql -X -q -d "$offdb" -f "$work/offline_up.sql" >"$work/offline.out" 2>&1; then
    not_ok "the script refuses a database that is not at its start" "$(tail -n 5 "$work/offline.out")"
elif grep -q "cannot be recorded as the next upgrade" "$work/offline.out"; then
    ok "the script refuses a database that is not at its start"
else
    not_ok "the script refuses a database that is not at its start" "$(tail -n 5 "$work/offline.out")"
fi
is "and changes nothing there" "$(q "$offdb" "SELECT count(*) FROM migrate.journal")" 3
run --port "$DEAD_PORT" --dir "$dir" upgrade --sql "$id2:head"
expect_rc "upgrade --sql START:END succeeds" 0
expect "a range starts after START" "-- 1/1 upgrade $id3" "$out"
is "a range leaves out the steps START has" "$(printf '%s\n' "$out" | grep -c '^-- [0-9]*/[0-9]* upgrade ')" 1
run --port "$DEAD_PORT" --dir "$dir" upgrade --sql "$id2:"
expect_rc "upgrade --sql refuses a range without an end (exit 2)" 2
run --port "$DEAD_PORT" --dir "$dir" upgrade --sql "nosuchrev:head"
expect_rc "upgrade --sql with an unknown start fails (exit 7)" 7
expect "and names it" '"nosuchrev"' "$err"

# ---------------------------------------------------------------- upgrade with a non-transactional step
run -d "$db1" --dir "$dir" upgrade
expect_rc "upgrade through CREATE INDEX CONCURRENTLY succeeds" 0
expect "upgrade shows progress from the notices" "applying 2/3 \"$id2\": index users by name" "$out"
expect "upgrade prints a summary" "3 revision(s) applied" "$out"
is "the concurrent indexes exist and are valid" \
    "$(q "$db1" "SELECT count(*) FROM pg_index WHERE indisvalid AND indexrelid IN ('users_name_idx'::regclass, 'users_id_name_idx'::regclass)")" 2
is "the column of the last revision exists" \
    "$(q "$db1" "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'email'")" 1
is "the client sets application_name=pg_migrate" "$(q "$db1" "SELECT name FROM app_seen")" pg_migrate
is "the journal has the three upgrades in order" \
    "$(q "$db1" "SELECT string_agg(revision, ',' ORDER BY id) FROM migrate.journal WHERE operation = 'upgrade'")" "$id1,$id2,$id3"
run -d "$db1" --dir "$dir" current
is "current prints \"rev (head)\"" "$out" "$id3 (head)"
run -d "$db1" --dir "$dir" check
expect_rc "check exits 0 when up to date" 0
expect "check says nothing is pending" "No new upgrade operations detected." "$out"
run -d "$db1" --dir "$dir" upgrade
expect_rc "a second upgrade succeeds" 0
expect "a second upgrade has nothing to do" "nothing to upgrade" "$out"
run -d "$db1" --dir "$dir" status
expect_rc "status succeeds" 0
expect "status prints the JSON report, pretty" '"up_to_date": true' "$out"
run -d "$db1" --dir "$dir" status --format=json
expect_rc "status --format=json is the same report" 0
expect "status --format=json prints the JSON report" '"up_to_date": true' "$out"
run -d "$db1" --dir "$dir" status --format=prometheus
expect_rc "status --format=prometheus succeeds" 0
expect "it names the current revision" "pg_migrate_revision_info{database=\"$db1\",revision=\"$id3\"} 1" "$out"
expect "it counts the pending revisions" "pg_migrate_pending_revisions{database=\"$db1\"} 0" "$out"
expect "it says the database is up to date" "pg_migrate_up_to_date{database=\"$db1\"} 1" "$out"
expect "it reports drift" "pg_migrate_drifted_revisions{database=\"$db1\"} 0" "$out"
expect "it reports an interrupted revision" "pg_migrate_interrupted{database=\"$db1\"} 0" "$out"
expect "it gives the seconds since the last migration" "pg_migrate_seconds_since_last_migration{database=\"$db1\"} " "$out"
expect "each metric has its TYPE line" "# TYPE pg_migrate_pending_revisions gauge" "$out"
since=$(sed -n "s/^pg_migrate_seconds_since_last_migration{database=\"$db1\"} //p" <<<"$out")
is "the seconds since the last migration are a small positive number" \
    "$(awk -v s="$since" 'BEGIN { print (s >= 0 && s < 3600) ? "yes" : "no" }')" yes
cat >"$dir/zz9999999999_pending.sql" <<EOF
-- revision: zz9999999999
-- revises: $id3
-- message: pending one
-- migrate:upgrade
SELECT 1;
EOF
run -d "$db1" --dir "$dir" status --format=prometheus
expect "a registered revision not applied counts as pending" "pg_migrate_pending_revisions{database=\"$db1\"} 1" "$out"
expect "and the database is not up to date" "pg_migrate_up_to_date{database=\"$db1\"} 0" "$out"
rm -f "$dir/zz9999999999_pending.sql"
psql -X -q -d "$db1" -c "SELECT migrate_remove('zz9999999999')" >/dev/null
run -d "$db1" --dir "$dir" status --format=table
expect_rc "--format=table is for many databases: a usage error for one" 2

# ---------------------------------------------------------------- history options, show
run -d "$db1" --dir "$dir" history -r "$id2:"
is "history -r RANGE limits the list" "$out" "$id2 -> $id3 (head), add email
$id1 -> $id2, index users by name"
run -d "$db1" --dir "$dir" history --indicate-current
expect "history -i marks the current revision" "$id3 (head) (current), add email" "$out"
run -d "$db1" --dir "$dir" history --verbose
expect "history --verbose prints Rev: lines" "Rev: $id2" "$out"
expect "history --verbose prints parents" "Parent: $id1" "$out"
expect "history --verbose prints the file" "Path: $(basename "$f2")" "$out"
run -d "$db1" --dir "$dir" show "${id1:0:3}"
expect_rc "show refuses a prefix shorter than four characters" 7
run -d "$db1" --dir "$dir" show "${id1:0:6}"
expect_rc "show accepts a unique prefix" 0
expect "show prints the revision" "Rev: $id1" "$out"
run -d "$db1" --dir "$dir" show head
expect "show head prints the head" "Rev: $id3 (head) (current)" "$out"
run -d "$db1" --dir "$dir" show nosuchrev
expect_rc "show of an unknown revision exits 7" 7
run -d "$db1" --dir "$dir" current --verbose
expect "current --verbose prints the detail" "Rev: $id3" "$out"

# ---------------------------------------------------------------- downgrade
run -d "$db1" --dir "$dir" downgrade --sql base
expect_rc "downgrade --sql without a range is refused (exit 2)" 2
expect "and the hint names the range form" "downgrade --sql head:base" "$err"
run -d "$db1" --dir "$dir" downgrade --sql "$id3:base"
expect_rc "downgrade --sql START:END succeeds" 0
expect "downgrade --sql prints the downgrade SQL" "ALTER TABLE users DROP email;" "$out"
printf '%s\n' "$out" >"$work/offline_down.sql"
if psql -X -q -d "$offdb" -f "$work/offline_down.sql" >"$work/offline.out" 2>&1; then
    ok "psql runs the downgrade --sql script"
else
    not_ok "psql runs the downgrade --sql script" "$(tail -n 5 "$work/offline.out")"
fi
is "the downgrade script leaves the database at base" "$(q "$offdb" "SELECT count(*) FROM migrate_current()")" 0
is "and dropped the table" "$(q "$offdb" "SELECT to_regclass('users') IS NULL")" t
is "downgrade --sql drops nothing" \
    "$(q "$db1" "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'email'")" 1
run -d "$db1" --dir "$dir" current
is "downgrade --sql leaves the current revision" "$out" "$id3 (head)"

mv "$f3" "$work/"
run -d "$db1" --dir "$dir" downgrade -1
expect_rc "downgrade -1 works after the revision's file is deleted" 0
is "the deleted file's downgrade SQL ran" \
    "$(q "$db1" "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'email' AND NOT attisdropped")" 0
expect "the revision left unapplied without a file is dropped" "revision \"$id3\" is no longer registered" "$err"
run -d "$db1" --dir "$dir" current
is "current is the parent after downgrade -1, now the head" "$out" "$id2 (head)"
run -d "$db1" --dir "$dir" downgrade base
expect_rc "downgrade base through a non-transactional revision succeeds" 0
expect "downgrade shows progress" "reverting" "$out"
is "downgrade base drops everything" "$(q "$db1" "SELECT to_regclass('users') IS NULL")" t
run -d "$db1" --dir "$dir" current
is "current is empty after downgrade base" "$out" ""
mv "$work/$(basename "$f3")" "$dir/"
# a committed sync registers the file again
run -d "$db1" --dir "$dir" stamp base
expect_rc "stamp base registers the restored file" 0

# no directory at all: the server's registered revisions still serve
run -d "$db1" --dir "$work/no-such-dir" pending
is "without a directory the registered revisions are used" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 3
run -d "$db1" --dir "$dir" upgrade "$id1"
expect_rc "upgrade TARGET succeeds" 0
run -d "$db1" --dir "$dir" current
is "upgrade TARGET stops at the target" "$out" "$id1"
run -d "$db1" --dir "$dir" upgrade
expect_rc "upgrade from the middle succeeds" 0

# on a terminal: one line per revision, with a running count and timing
if command -v script >/dev/null 2>&1; then
    run -d "$db1" --dir "$dir" downgrade -1
    out=$(script -qec "'$PGM' -d '$db1' --dir '$dir' upgrade" /dev/null 2>&1)
    rc=$?
    err=""
    expect_rc "upgrade on a terminal succeeds" 0
    expect "on a terminal each revision gets a counted line" "[1/1] applying $id3: add email ..." "$out"
    if printf '%s' "$out" | grep -qE "add email \.\.\. [0-9]+\.[0-9] ms"; then
        ok "on a terminal each line ends with the step's time"
    else
        not_ok "on a terminal each line ends with the step's time" "in: $out"
    fi
else
    n=$((n + 1)); echo "ok $n # SKIP script(1) is not installed"
    n=$((n + 1)); echo "ok $n # SKIP script(1) is not installed"
    n=$((n + 1)); echo "ok $n # SKIP script(1) is not installed"
fi

# ---------------------------------------------------------------- SQL failure
run -d "$db1" --dir "$dir" revision -m "broken"
fb=$out
fill "$fb" "CREATE TABLE half_done (id int);
SELECT * FROM no_such_table
  WHERE id = 1;" "DROP TABLE half_done;"
run -d "$db1" --dir "$dir" upgrade
expect_rc "a failing revision exits 1" 1
expect "the error is shown as psql shows it" 'ERROR:  relation "no_such_table" does not exist' "$err"
expect "the error position is shown" "LINE 1: SELECT * FROM no_such_table" "$err"
expect "the error context is shown" "CONTEXT:  " "$err"
is "a failed upgrade leaves nothing behind" "$(q "$db1" "SELECT to_regclass('half_done') IS NULL")" t
run -d "$db1" --dir "$dir" current
is "a failed upgrade leaves the current revision" "$out" "$id3"
rm -f "$fb"

# Ctrl-C cancels the running revision, and its transaction rolls back
mkdir -p "$work/slow"
printf -- '-- revision: slow01\n-- migrate:upgrade\nCREATE TABLE slow_t (id int);\nSELECT pg_sleep(20);\n-- migrate:downgrade\nDROP TABLE slow_t;\n' >"$work/slow/slow01.sql"
psql -X -q -d "$db3" -c "CREATE EXTENSION pg_migrate"
start=$(date +%s)
"$PGM" -d "$db3" --dir "$work/slow" upgrade >"$work/slow.out" 2>"$work/slow.err" &
slow=$!
sleep 2
kill -INT "$slow"
wait "$slow"
rc=$?
out=$(cat "$work/slow.out")
err=$(cat "$work/slow.err")
expect_rc "SIGINT cancels an upgrade with the SQL status" 1
[ $(($(date +%s) - start)) -lt 15 ] && ok "SIGINT stops the server at once" ||
    not_ok "SIGINT stops the server at once" "took $(($(date +%s) - start)) s"
expect "a step without a message shows as a plain line" 'applying 1/1 "slow01"' "$out"
expect "the cancelled statement is reported" "canceling statement due to user request" "$err"
is "a cancelled upgrade leaves nothing behind" \
    "$(q "$db3" "SELECT to_regclass('slow_t') IS NULL AND NOT EXISTS (SELECT FROM migrate.revision)")" t
psql -X -q -d "$db3" -c "DROP EXTENSION pg_migrate CASCADE"

# ---------------------------------------------------------------- stamp
run -d "$db1" --dir "$dir" stamp base
expect_rc "stamp base succeeds" 0
run -d "$db1" --dir "$dir" current
is "stamp base clears the current revisions" "$out" ""
is "stamp runs no SQL" "$(q "$db1" "SELECT to_regclass('users') IS NOT NULL")" t
run -d "$db1" --dir "$dir" stamp "$id3"
expect_rc "stamp REV succeeds" 0
expect "stamp prints the new version rows" "stamped: $id3" "$out"

# ---------------------------------------------------------------- branches and merge
bdir=$work/branchy
run -d "$db2" --dir "$bdir" init
run -d "$db2" --dir "$bdir" revision -m root --rev-id root01
run -d "$db2" --dir "$bdir" revision -m "left side" --rev-id left01
run -d "$db2" --dir "$bdir" revision -m "right side" --head root01 --branch-label feature --rev-id right01
expect_rc "revision --head --branch-label succeeds" 0
expect "--head sets the parent" "-- revises: root01" "$(cat "$out")"
expect "--branch-label writes the label" "-- branch-labels: feature" "$(cat "$out")"
run -d "$db2" --dir "$bdir" heads
is "heads lists both heads" "$(printf '%s\n' "$out" | sort)" "left01 (head)
right01 (feature) (head)"
run -d "$db2" --dir "$bdir" branches
expect "branches shows the branch point" "root01 (branchpoint)" "$out"
expect "branches shows an arrow to each side" "       -> left01 (head), left side" "$out"
run -d "$db2" --dir "$bdir" upgrade head
expect_rc "upgrade head with two heads fails with the SQL status" 1
run -d "$db2" --dir "$bdir" upgrade heads
expect_rc "upgrade heads applies both branches" 0
run -d "$db2" --dir "$bdir" revision -m "on feature" --head feature@head --depends-on left01 --rev-id feat02
expect_rc "revision --head label@head --depends-on succeeds" 0
expect "label@head resolves to the branch's head" "-- revises: right01" "$(cat "$out")"
expect "--depends-on writes the dependency" "-- depends-on: left01" "$(cat "$out")"
run -d "$db2" --dir "$bdir" merge -m "join the sides" heads
expect_rc "merge heads succeeds" 0
fm=$out
revises_line=$(grep '^-- revises:' "$fm")
expect "merge revises the first head" "left01" "$revises_line"
expect "merge revises the second head" "feat02" "$revises_line"
run -d "$db2" --dir "$bdir" merge -m "nothing" left01
expect_rc "merge of one revision exits 7" 7
run -d "$db2" --dir "$bdir" heads
is "after the merge there is one head" "$out" "$(id_of "$fm") (head)"
run -d "$db2" --dir "$bdir" upgrade
expect_rc "upgrade through the merge succeeds" 0
run -d "$db2" --dir "$bdir" history
expect "history shows the merge point" "-> $(id_of "$fm") (head) (mergepoint), join the sides" "$out"
expect "history shows a dependency in parentheses" "right01 (left01) -> feat02, on feature" "$out"
run -d "$db2" --dir "$bdir" stamp left01 right01
expect_rc "stamp of two revisions succeeds" 0
run -d "$db2" --dir "$bdir" current
is "stamp of two revisions gives two rows" "$(printf '%s\n' "$out" | sort)" "left01
right01 (feature)"

# ---------------------------------------------------------------- extension missing
run -d "$db3" --dir "$dir" current
expect_rc "a database without the extension exits 1" 1
expect "the missing extension is named, with a hint" 'extension "pg_migrate" is not installed' "$err"
expect "the hint names the database and the revisions' directory" "run \"pg_migrate --dbname=$db3 --dir=$dir init\"" "$err"

# ---------------------------------------------------------------- connection
run -p "$DEAD_PORT" -d "$db1" --dir "$dir" current
expect_rc "a connection failure exits 3" 3

start=$(date +%s)
out=$(MAX_RETRIES=2 RETRY_INTERVAL=1 "$PGM" -p "$DEAD_PORT" -d "$db1" --dir "$dir" --wait current 2>"$work/stderr")
rc=$?
err=$(cat "$work/stderr")
elapsed=$(($(date +%s) - start))
expect_rc "--wait gives up with exit status 4" 4
expect "--wait prints each try" "try 2 of 2" "$err"
expect "--wait says the server never came up" "did not accept connections after 2 tries" "$err"
[ "$elapsed" -le 5 ] && ok "--wait honours MAX_RETRIES and RETRY_INTERVAL" ||
    not_ok "--wait honours MAX_RETRIES and RETRY_INTERVAL" "took $elapsed s"
out=$(MAX_RETRIES=5 "$PGM" -p "$DEAD_PORT" --max-retries 1 --retry-interval 1 --wait -d "$db1" current 2>"$work/stderr")
rc=$?
err=$(cat "$work/stderr")
expect_rc "--max-retries overrides MAX_RETRIES" 4
expect "--max-retries 1 tries once" "try 1 of 1" "$err"
start=$(date +%s)
out=$(MAX_RETRIES=3 RETRY_INTERVAL=0.5 "$PGM" -p "$DEAD_PORT" -d "$db1" --wait current 2>"$work/stderr")
rc=$?
err=$(cat "$work/stderr")
elapsed=$(($(date +%s) - start))
expect_rc "a fractional RETRY_INTERVAL is accepted" 4
expect "a fractional RETRY_INTERVAL still tries each time" "try 3 of 3" "$err"
[ "$elapsed" -le 3 ] && ok "RETRY_INTERVAL=0.5 waits half a second between tries" ||
    not_ok "RETRY_INTERVAL=0.5 waits half a second between tries" "took $elapsed s"
run -p "$DEAD_PORT" -d "$db1" --retry-interval=-1 --wait current
expect_rc "a negative --retry-interval is a usage error" 2
run --wait -d "$db1" --dir "$dir" current
expect_rc "--wait against a live server goes on" 0
is "--wait then runs the verb" "$out" "$id3 (head)"

# DB_* stand in for unset PG* variables
out=$(env -u PGHOST -u PGPORT -u PGUSER DB_HOST="$PGHOST" DB_PORT="$PGPORT" DB_USER="$PGUSER" DB_NAME="$db1" \
    "$PGM" --dir "$dir" current 2>"$work/stderr")
rc=$?
err=$(cat "$work/stderr")
expect_rc "DB_HOST, DB_PORT, DB_USER and DB_NAME are used when PG* are unset" 0
is "DB_NAME picks the database" "$out" "$id3 (head)"
out=$(DB_PORT="$PGPORT" DB_NAME="$db1" PGPORT="$DEAD_PORT" "$PGM" --dir "$dir" current 2>"$work/stderr")
rc=$?
err=$(cat "$work/stderr")
expect_rc "a set PGPORT wins over DB_PORT" 3
out=$(env -u PGPORT DB_PORT="$DEAD_PORT" DB_NAME=no_such_db "$PGM" -d "port=$PGPORT dbname=$db1" --dir "$dir" current 2>"$work/stderr")
rc=$?
err=$(cat "$work/stderr")
expect_rc "-d parameters win over DB_*" 0
out=$(env -u PGPORT DB_PORT="$PGPORT" "$PGM" -d "postgresql:///$db1?host=$PGHOST" --dir "$dir" current 2>"$work/stderr")
rc=$?
err=$(cat "$work/stderr")
expect_rc "DB_PORT fills in what a URI leaves out" 0

# DB_PASSWORD, PGPASSWORD and the password file, for a role that must give
# one; skipped where the server does not ask for a password (trust)
pwrole=pgm_client_pw
psql -X -q -d postgres -c "DROP ROLE IF EXISTS $pwrole" -c "CREATE ROLE $pwrole LOGIN PASSWORD 'right-pw'" >/dev/null 2>&1
if PGPASSWORD=wrong-pw psql -X -q -w -U "$pwrole" -d "$db1" -c "SELECT 1" >/dev/null 2>&1; then
    for i in 1 2 3 4; do
        n=$((n + 1)); echo "ok $n # SKIP the server does not ask $pwrole for a password"
    done
else
    out=$(env -u PGPASSWORD PGPASSFILE=/dev/null DB_PASSWORD=right-pw "$PGM" -U "$pwrole" -d "$db1" --dir "$work/pw" init 2>"$work/stderr")
    rc=$?; err=$(cat "$work/stderr")
    expect_rc "DB_PASSWORD is used when PGPASSWORD is unset" 0
    out=$(env -u PGPASSWORD PGPASSFILE=/dev/null DB_PASSWORD=wrong-pw "$PGM" -U "$pwrole" -d "$db1" --dir "$work/pw" init 2>"$work/stderr")
    rc=$?; err=$(cat "$work/stderr")
    expect_rc "a wrong DB_PASSWORD fails to connect" 3
    out=$(PGPASSWORD=right-pw PGPASSFILE=/dev/null DB_PASSWORD=wrong-pw "$PGM" -U "$pwrole" -d "$db1" --dir "$work/pw" init 2>"$work/stderr")
    rc=$?; err=$(cat "$work/stderr")
    expect_rc "a set PGPASSWORD wins over DB_PASSWORD" 0
    printf '*:*:*:%s:right-pw\n' "$pwrole" >"$work/pgpass"
    chmod 600 "$work/pgpass"
    out=$(env -u PGPASSWORD PGPASSFILE="$work/pgpass" "$PGM" -U "$pwrole" -d "$db1" --dir "$work/pw" init 2>"$work/stderr")
    rc=$?; err=$(cat "$work/stderr")
    expect_rc "the password file works through libpq" 0
fi
psql -X -q -d postgres -c "DROP ROLE IF EXISTS $pwrole" >/dev/null 2>&1

# ---------------------------------------------------------------- wait
run -d "$db2" --dir "$bdir" revision -m "later" --rev-id later01
run -d "$db2" --dir "$bdir" wait --timeout 1
expect_rc "wait times out with the SQL status when revisions stay pending" 1
expect "wait reports the timeout" "timed out" "$err"
run -d "$db2" --dir "$bdir" wait --timeout nonsense
expect_rc "wait with a bad --timeout is a usage error" 2
"$PGM" -d "$db2" --dir "$bdir" wait --timeout 20 >"$work/wait.out" 2>&1 &
waiter=$!
sleep 1
run -d "$db2" --dir "$bdir" upgrade
wait "$waiter"
rc=$?
out=$(cat "$work/wait.out")
expect_rc "wait returns once another session upgrades" 0
expect "wait says the target was reached" 'target "heads" reached' "$out"
run -d "$db2" --dir "$bdir" wait later01
expect_rc "wait for a reached target returns at once" 0

# ---------------------------------------------------------------- lint
# Exit status 8 when a finding of severity error is not silenced, 0
# otherwise; a bad file 5, a usage error 2, a connection failure 3.
ldir=$work/lint
mkdir -p "$ldir"
psql -X -q -d "$db1" -c "CREATE TABLE lint_task (id int, note text)" >/dev/null
printf '%s\n' '-- revision: lint01' '-- migrate:upgrade' 'CREATE TABLE lint_new (id int);' \
    'CREATE INDEX ON lint_new (id);' '-- migrate:downgrade' 'DROP TABLE lint_new;' >"$ldir/001_ok.sql"
run -d "$db1" --dir "$ldir" lint
expect_rc "lint of clean files exits 0" 0
expect "lint prints a summary" "1 file(s): 0 error(s), 0 warning(s), 0 info, 0 silenced" "$out"
printf '%s\n' '-- revision: lint02' '-- revises: lint01' '-- migrate:upgrade' '' \
    'CREATE INDEX lint_task_note_idx ON lint_task (note);' >"$ldir/002_index.sql"
run -d "$db1" --dir "$ldir" lint
expect_rc "lint with an error finding exits 8" 8
expect "a finding is file:line: severity: rule message" \
    "$ldir/002_index.sql:5: error: PM001 CREATE INDEX \"lint_task_note_idx\" on existing table \"lint_task\"" "$out"
expect "each finding has its hint" "    hint: Use CREATE INDEX CONCURRENTLY" "$out"
expect "a finding without a line names the file alone" "$ldir/002_index.sql: warning: PM017" "$out"
expect "the summary counts errors and warnings" "2 file(s): 1 error(s), 1 warning(s)" "$out"
run -d "$db1" --dir "$ldir" lint "$ldir/001_ok.sql"
expect_rc "lint of the files named lints those alone" 0
# silenced: exit 0; shown with -v only, with the reason
printf '%s\n' '-- revision: lint02' '-- revises: lint01' \
    '-- lint-ignore: PM001 lint_task is empty until release 2' '-- migrate:upgrade' \
    'CREATE INDEX lint_task_note_idx ON lint_task (note);' >"$ldir/002_index.sql"
run -d "$db1" --dir "$ldir" lint
expect_rc "lint with the error silenced exits 0" 0
expect_not "a silenced finding is not shown" "PM001" "$out"
expect "the summary counts it as silenced" "0 error(s), 1 warning(s), 0 info, 1 silenced" "$out"
run -d "$db1" --dir "$ldir" lint -v
expect_rc "lint -v with the error silenced exits 0" 0
expect "lint -v shows it with its reason" "(silenced: lint_task is empty until release 2)" "$out"
# what registration refuses is reported, and nothing is registered
printf '%s\n' '-- revision: lint03' '-- migrate:upgrade' 'BEGIN;' \
    'CREATE INDEX CONCURRENTLY lint_task_id_idx ON lint_task (id);' 'COMMIT;' \
    '-- migrate:downgrade' >"$work/tx.sql"
before=$(q "$db1" "SELECT count(*) FROM migrate.revision")
run -d "$db1" lint "$work/tx.sql"
expect_rc "lint of a file registration would refuse exits 8" 8
expect "transaction control is reported" "$work/tx.sql:3: error: PM015 BEGIN" "$out"
expect "a statement that needs its own transaction is reported" \
    "$work/tx.sql:4: error: PM016 CREATE INDEX CONCURRENTLY" "$out"
is "lint registers nothing" "$(q "$db1" "SELECT count(*) FROM migrate.revision")" "$before"
printf '%s\n' '-- revision: lint04' '-- migrate:upgrade' 'SELECT 1;' 'SELEC 2;' \
    '-- migrate:downgrade' >"$work/syntax.sql"
run -d "$db1" lint "$work/syntax.sql"
expect_rc "lint of SQL that does not parse exits 8" 8
expect "the syntax error is a finding at its line" \
    "$work/syntax.sql:4: error: PM000 syntax error at or near \"SELEC\"" "$out"
# bad files, usage and connection errors have statuses of their own
printf '%s\n' '-- revision: lint05' '-- lint-ignore: PM001' '-- migrate:upgrade' >"$work/noreason.sql"
run -d "$db1" lint "$work/noreason.sql"
expect_rc "a lint-ignore line without a reason exits 5" 5
expect "the bad line is named" "$work/noreason.sql:2: lint-ignore of rule \"PM001\" gives no reason" "$err"
run -d "$db1" lint "$work/no-such-file.sql"
expect_rc "a missing file exits 5" 5
run -d "$db1" --dir "$work/no-such-dir" lint
expect_rc "lint of a missing directory is a usage error" 2
run -d "$db1" --dir "$ldir" lint --sql
expect_rc "an option of another verb is a usage error for lint" 2
run -p "$DEAD_PORT" -d "$db1" --dir "$ldir" lint
expect_rc "lint without a server exits 3" 3
run -d "$db3" --dir "$ldir" lint
expect_rc "lint in a database without the extension exits 1" 1
run --help
expect "--help lists the lint verb" "lint [FILE]..." "$out"
expect "--help lists exit status 8" "  8  lint: a finding of severity error is not silenced" "$out"
expect "the man page documents exit status 8" ".B 8" "$(grep -x '\.B 8' "$top/docs/pg_migrate.1")"
expect "the man page documents the lint verb" "lint" "$(grep -A1 -x '\.TP' "$top/docs/pg_migrate.1" | grep lint)"
# drift, repair, interrupted non-transactional revisions, resolve
. "$here/integrity.sh"
# adopt a database another tool manages
. "$here/adopt.sh"
# the files as the source of truth: deleted and broken files, remove,
# unknown revisions
. "$here/sourcetruth.sh"
# tenant schemas: --scope and --scopes
. "$here/scopes.sh"
# the tenant schemas of many databases: --scopes with --databases, --targets
. "$here/scopefleet.sh"
# non-transactional revisions in tenant schemas
. "$here/scopeoutside.sh"

# ---------------------------------------------------------------- search_path of client-run revisions
# a non-transactional revision run by the client gets pg_migrate.search_path,
# as the server's revisions do, not the session's
mkdir -p "$work/sp"
printf -- '-- revision: sp01\n-- transactional: false\n-- migrate:upgrade\nCREATE INDEX CONCURRENTLY sp_idx ON sp_t (id);\nCREATE TABLE sp_seen AS SELECT pg_catalog.current_setting($$search_path$$) AS sp;\n' \
    >"$work/sp/sp01.sql"
psql -X -q -d "$db3" -c "CREATE EXTENSION pg_migrate" -c "CREATE SCHEMA sp_target" \
    -c "CREATE TABLE sp_target.sp_t (id int)" >/dev/null
out=$(PGOPTIONS="-c search_path=public -c pg_migrate.search_path=sp_target" \
    "$PGM" -d "$db3" --dir "$work/sp" upgrade 2>"$work/stderr")
rc=$?; err=$(cat "$work/stderr")
expect_rc "a non-transactional revision outside the session's search_path applies" 0
is "it ran with pg_migrate.search_path" \
    "$(q "$db3" "SELECT (SELECT sp FROM sp_target.sp_seen) || '|' || (SELECT indisvalid FROM pg_index WHERE indexrelid = 'sp_target.sp_idx'::regclass)")" \
    "sp_target|true"
psql -X -q -d "$db3" -c "DROP EXTENSION pg_migrate" -c "DROP SCHEMA sp_target CASCADE" >/dev/null 2>&1

# ---------------------------------------------------------------- verify, explain
vdir=$work/verify
mkdir -p "$vdir"
cat >"$vdir/v1_table.sql" <<'EOF'
-- revision: v1
-- message: table
-- migrate:upgrade
CREATE TABLE vt (id int PRIMARY KEY, v int);
INSERT INTO vt SELECT g, g FROM generate_series(1, 2000) AS g;
-- migrate:downgrade
DROP TABLE vt;
EOF
cat >"$vdir/v2_retype.sql" <<'EOF'
-- revision: v2
-- revises: v1
-- message: retype
-- migrate:upgrade
CREATE INDEX vt_v_idx ON vt (v);
ALTER TABLE vt ALTER COLUMN v TYPE bigint;
-- migrate:downgrade
DROP INDEX vt_v_idx;
ALTER TABLE vt ALTER COLUMN v TYPE int;
EOF
psql -X -q -d postgres -c "CREATE DATABASE \"$db5\"" >/dev/null 2>&1
run -d "$db5" --dir "$vdir" init
run -d "$db5" --dir "$vdir" verify
expect_rc "verify passes on reversible revisions" 0
is "verify prints one line per revision" "$out" "1/2 v1: ok
2/2 v2: ok"
run -d "$db5" --dir "$vdir" upgrade v1
run -d "$db5" --dir "$vdir" explain
expect_rc "explain succeeds" 0
expect "explain shows the rewrite of a table with rows" "rewritten" "$(grep -E 'ALTER TABLE +public\.vt ' <<<"$out")"
expect "explain names the lock an ALTER TABLE takes" "ACCESS EXCLUSIVE" "$(grep -E 'ALTER TABLE +public\.vt ' <<<"$out")"
expect "explain names the lock a CREATE INDEX takes" "SHARE" "$(grep -E 'CREATE INDEX +public\.vt ' <<<"$out")"
expect "explain marks a relation it creates" "public.vt_v_idx (new)" "$out"
is "explain leaves the table as it was" "$(q "$db5" "SELECT format_type(atttypid, NULL) FROM pg_attribute WHERE attrelid = 'vt'::regclass AND attname = 'v'")" "integer"
cat >"$vdir/v3_leaky.sql" <<'EOF'
-- revision: v3
-- revises: v2
-- message: leaky
-- migrate:upgrade
CREATE INDEX IF NOT EXISTS vt_id_v_idx ON vt (id, v);
-- migrate:downgrade
SELECT 1;
EOF
cat >"$vdir/v4_oneway.sql" <<'EOF'
-- revision: v4
-- revises: v3
-- message: one way
-- migrate:upgrade
CREATE TABLE vt4 (id int);
EOF
run -d "$db5" --dir "$vdir" verify
expect_rc "verify fails with status 9 on an irreversible revision" 9
expect "verify names what the downgrade left behind" "    added index public.vt_id_v_idx" "$out"
expect "verify reports a revision without downgrade" "3/3 v4: no downgrade" "$out"
is "verify registers nothing for good" "$(q "$db5" "SELECT count(*) FROM migrate.revision")" 2
is "verify leaves the current revision alone" "$(q "$db5" "SELECT string_agg(r, ',') FROM migrate_current() AS r")" "v1"
rm "$vdir/v3_leaky.sql"
sed -i 's/^-- revises: v3/-- revises: v2/' "$vdir/v4_oneway.sql"
run -d "$db5" --dir "$vdir" verify
expect_rc "a revision without downgrade is only a warning" 0
expect "verify warns about it" "could not be verified fully" "$err"
run -d "$db5" --dir "$vdir" verify --strict
expect_rc "verify --strict fails on a revision without downgrade" 9
run -d "$db5" --dir "$vdir" explain --strict
expect_rc "--strict is an option of verify only" 2
run -d "$db5" --dir "$vdir" upgrade
run -d "$db5" --dir "$vdir" verify
expect_rc "verify with nothing pending succeeds" 0
expect "verify says nothing is pending" "nothing to verify" "$out"

# ---------------------------------------------------------------- directory sync
# The client sends only the files the server does not have as they are.
# To see whether a file was sent, the catalog copy of an applied revision
# is altered behind the server's back (no generation bump): sending that
# file again would be refused as a change to an applied revision.
sdir="$work/sync"
mkdir -p "$sdir"
# sfile NAME ID PARENT MESSAGE: write a revision file creating table ID
sfile() {
    {
        echo "-- revision: $2"
        [ -n "$3" ] && echo "-- revises: $3"
        echo "-- message: $4"
        echo "-- migrate:upgrade"
        echo "CREATE TABLE $2 (id int);"
        echo "-- migrate:downgrade"
        echo "DROP TABLE $2;"
    } >"$sdir/$1"
}
sfile 001_s1.sql s1 "" "one"
sfile 002_s2.sql s2 s1 "two"
sfile 003_s3.sql s3 s2 "three"
psql -X -q -d postgres -c "CREATE DATABASE \"$db6\"" >/dev/null
q "$db6" "CREATE EXTENSION pg_migrate" >/dev/null
run -d "$db6" --dir "$sdir" upgrade
expect_rc "sync: first upgrade succeeds" 0
expect "sync: first upgrade applies the files" "3 revision(s) applied" "$out"
is "sync: the directory digest is recorded" "$(q "$db6" "SELECT count(*) FROM migrate.sync s, migrate.state t WHERE s.generation = t.generation")" "1"
tamper="UPDATE migrate.revision SET message = 'tampered' WHERE revision = 's1'"
q "$db6" "$tamper" >/dev/null
run -d "$db6" --dir "$sdir" upgrade
expect_rc "sync: an unchanged directory sends nothing" 0
expect "sync: nothing to upgrade" "nothing to upgrade" "$out"
is "sync: the file was not sent again" "$(q "$db6" "SELECT message FROM migrate.revision WHERE revision = 's1'")" "tampered"
run -d "$db6" --dir "$sdir" history
expect_rc "sync: reports skip unchanged files too" 0
expect "sync: history shows the server's copy" "tampered" "$out"

# an edited file is sent: an applied revision whose SQL changed is drift,
# which the upgrade refuses
sed -i 's/^CREATE TABLE s2 (id int);$/CREATE TABLE s2 (id bigint);/' "$sdir/002_s2.sql"
run -d "$db6" --dir "$sdir" upgrade
expect_rc "sync: an edited applied file is refused" 1
expect "sync: the refusal names the revision" 'revision "s2" has changed since it was applied' "$err"
sed -i 's/^CREATE TABLE s2 (id bigint);$/CREATE TABLE s2 (id int);/' "$sdir/002_s2.sql"
run -d "$db6" --dir "$sdir" upgrade
expect_rc "sync: the restored file is accepted" 0

# an added file is registered and applied; the unchanged ones are not sent
sfile 004_s4.sql s4 s3 "four"
run -d "$db6" --dir "$sdir" upgrade
expect_rc "sync: an added file is registered" 0
expect "sync: the added revision is applied" "1 revision(s) applied" "$out"
is "sync: only the added file was sent" "$(q "$db6" "SELECT message FROM migrate.revision WHERE revision = 's1'")" "tampered"

# an edited file that is not applied yet replaces its revision
sfile 005_s5.sql s5 s4 "five"
run -d "$db6" --dir "$sdir" pending
expect "sync: pending sees a new file" "s5" "$out"
q "$db6" "SELECT migrate_add_file('005_s5.sql', pg_catalog.replace(pg_catalog.pg_read_file('$sdir/005_s5.sql'), 'five', 'old five'))" >/dev/null
run -d "$db6" --dir "$sdir" upgrade
expect_rc "sync: a file differing from the server's pending copy is sent" 0
is "sync: the server's copy is replaced by the file" "$(q "$db6" "SELECT message FROM migrate.revision WHERE revision = 's5'")" "five"

# a removed file changes the digest; the server keeps the revision
rm "$sdir/005_s5.sql"
before=$(q "$db6" "SELECT digest FROM migrate.sync")
run -d "$db6" --dir "$sdir" upgrade
expect_rc "sync: a removed file is no error" 0
expect "sync: nothing to upgrade after a removal" "nothing to upgrade" "$out"
isnt_digest=$(q "$db6" "SELECT digest <> '$before' FROM migrate.sync")
is "sync: a removed file changes the recorded digest" "$isnt_digest" "t"
is "sync: the server keeps the removed file's revision" "$(q "$db6" "SELECT count(*) FROM migrate.revision WHERE revision = 's5'")" "1"

# a renamed file (same content) is sent, and only its name changes
mv "$sdir/004_s4.sql" "$sdir/004_s4_renamed.sql"
run -d "$db6" --dir "$sdir" upgrade
expect_rc "sync: a renamed file is accepted" 0
is "sync: the catalog has the new file name" "$(q "$db6" "SELECT file_name FROM migrate.revision WHERE revision = 's4'")" "004_s4_renamed.sql"

# a second directory syncing into the same database keeps its own digest
sdir2="$work/sync2"
mkdir -p "$sdir2"
cp "$sdir/001_s1.sql" "$sdir/002_s2.sql" "$sdir2/"
q "$db6" "UPDATE migrate.revision SET message = 'one' WHERE revision = 's1'" >/dev/null
run -d "$db6" --dir "$sdir2" upgrade
expect_rc "sync: a second directory syncs" 0
is "sync: each directory has its digest" "$(q "$db6" "SELECT count(*) FROM migrate.sync")" "2"
run -d "$db6" --dir "$sdir" upgrade
expect_rc "sync: the first directory still syncs" 0

# a change made by another session (here: a stamp) forces a file check
q "$db6" "SELECT migrate_stamp('s3')" >/dev/null
q "$db6" "DROP TABLE s4, s5" >/dev/null
q "$db6" "$tamper" >/dev/null
run -d "$db6" --dir "$sdir" upgrade
expect_rc "sync: after another session's change the upgrade runs" 0
expect "sync: the stamped-over revision that has a file is applied again" "1 revision(s) applied" "$out"
is "sync: the one whose file was removed, no longer applied, is dropped" "$(q "$db6" "SELECT count(*) FROM migrate.revision WHERE revision = 's5'")" "0"
is "sync: files with the server's digest are still not sent" "$(q "$db6" "SELECT message FROM migrate.revision WHERE revision = 's1'")" "tampered"

# a bad file is still refused before anything is sent, even beside a new
# good one (the digest differs, so the files are parsed before sending)
printf -- '-- revision: bad one\n' >"$sdir/009_bad.sql"
sfile 008_s8.sql s8 s5 "eight"
run -d "$db6" --dir "$sdir" upgrade
expect_rc "sync: a bad file still exits 5" 5
expect "sync: the bad file is named" "009_bad.sql:1:" "$err"
is "sync: nothing of a directory with a bad file is sent" "$(q "$db6" "SELECT count(*) FROM migrate.revision WHERE revision = 's8'")" "0"

# the files are parsed only when the server does not vouch for these exact
# bytes: record (as a successful sync would) the digest of the directory
# with the bad file, and the client changes nothing without parsing
# the client's directory digest: name, NUL, file SHA-256, newline, by name
vdigest=$(cd "$sdir" && for f in $(LC_ALL=C ls -- *.sql); do
    printf '%s\0%s\n' "$f" "$(sha256sum <"$f" | cut -d' ' -f1)"; done | sha256sum | cut -d' ' -f1)
vouch=$(q "$db6" "UPDATE migrate.sync s SET generation = t.generation, digest = '$vdigest'
    FROM migrate.state t WHERE s.dir_key = '$(cd "$sdir" && pwd -P)' RETURNING 1")
is "sync: the directory's digest is recorded as if synced" "$vouch" "1"
run -d "$db6" --dir "$sdir" current
expect_rc "sync: a directory the server vouches for is not parsed again" 0
run -d "$db6" --dir "$sdir" --verify-files pending
expect_rc "sync: --verify-files parses it anyway" 5
expect "sync: --verify-files names the bad file" "009_bad.sql:1:" "$err"
PG_MIGRATE_VERIFY_FILES=1 run -d "$db6" --dir "$sdir" pending
expect_rc "sync: PG_MIGRATE_VERIFY_FILES=1 parses it anyway" 5
rm "$sdir/009_bad.sql" "$sdir/008_s8.sql"
# two files defining one revision are still refused
cp "$sdir/001_s1.sql" "$sdir/009_s1_again.sql"
run -d "$db6" --dir "$sdir" upgrade
expect_rc "sync: a duplicate revision still exits 5" 5
expect "sync: the duplicate names both files" "009_s1_again.sql: revision \"s1\" is also defined in" "$err"
rm "$sdir/009_s1_again.sql"

# ---------------------------------------------------------------- upgrade --per-revision
q postgres "CREATE DATABASE \"$db7\"" >/dev/null
q "$db7" "CREATE EXTENSION pg_migrate" >/dev/null
pdir=$work/perrev
mkdir -p "$pdir"
printf -- '-- revision: pr1\n-- migrate:upgrade\nCREATE TABLE pr1_t (id int);\n-- migrate:downgrade\nDROP TABLE pr1_t;\n' >"$pdir/001_pr1.sql"
printf -- '-- revision: pr2\n-- revises: pr1\n-- migrate:upgrade\nCREATE TABLE pr2_t (id int);\n-- migrate:downgrade\nDROP TABLE pr2_t;\n' >"$pdir/002_pr2.sql"
printf -- '-- revision: pr3\n-- revises: pr2\n-- migrate:upgrade\nCREATE TABLE pr3_t (id int);\nSELECT 1/0;\n-- migrate:downgrade\nDROP TABLE pr3_t;\n' >"$pdir/003_pr3.sql"
run -d "$db7" --dir "$pdir" upgrade --per-revision
expect_rc "per-revision: a failing third revision exits 1" 1
expect "per-revision: the error is the revision's" "division by zero" "$err"
is "per-revision: the first two revisions stay applied" "$(q "$db7" "SELECT string_agg(c, ',') FROM migrate_current() c")" "pr2"
is "per-revision: each revision ran in a transaction of its own" \
    "$(q "$db7" "SELECT count(DISTINCT xact_id) FROM migrate.journal WHERE operation = 'upgrade'")" "2"
printf -- '-- revision: pr3\n-- revises: pr2\n-- migrate:upgrade\nCREATE TABLE pr3_t (id int);\n-- migrate:downgrade\nDROP TABLE pr3_t;\n' >"$pdir/003_pr3.sql"
run -d "$db7" --dir "$pdir" upgrade --per-revision
expect_rc "per-revision: the fixed revision applies" 0
expect "per-revision: one revision applied" "1 revision(s) applied" "$out"
run -d "$db7" --dir "$pdir" downgrade base --per-revision
expect_rc "per-revision: refused for downgrade" 2
# ---------------------------------------------------------------- stat cache
# While the files' names, sizes, times and inodes are as at the last sync
# (the stat digest), the client takes their contents as unchanged without
# reading them.  Files changed less than a second ago are never trusted
# that way, so the test waits a second after writing them (no timing is
# measured or asserted).
tdir="$work/stat"
mkdir -p "$tdir"
# tfile NAME ID PARENT MESSAGE: write a revision file creating table ID
tfile() {
    {
        echo "-- revision: $2"
        [ -n "$3" ] && echo "-- revises: $3"
        echo "-- message: $4"
        echo "-- migrate:upgrade"
        echo "CREATE TABLE $2 (id int);"
        echo "-- migrate:downgrade"
        echo "DROP TABLE $2;"
    } >"$tdir/$1"
}
tfile 001_t1.sql t1 "" "one"
tfile 002_t2.sql t2 t1 "two"
psql -X -q -d postgres -c "CREATE DATABASE \"$db8\"" >/dev/null
q "$db8" "CREATE EXTENSION pg_migrate" >/dev/null
# files written a moment ago: their times are not trusted yet
run -d "$db8" --dir "$tdir" upgrade
expect_rc "stat: an upgrade right after the files were written succeeds" 0
is "stat: files that fresh get no stat digest" "$(q "$db8" "SELECT stat_digest IS NULL FROM migrate.sync")" "t"
# once they are old enough, the next run (nothing to do) records one, so
# the runs after it need not read the files
sleep 1.1
run -d "$db8" --dir "$tdir" upgrade
expect_rc "stat: the next upgrade succeeds" 0
is "stat: the stat digest is kept" "$(q "$db8" "SELECT stat_digest IS NOT NULL FROM migrate.sync")" "t"
# the content digest the server holds is altered behind its back: with the
# stat cache the client does not read the files, so it neither notices nor
# records the digest again; --verify-files reads them and records it
q "$db8" "UPDATE migrate.sync SET digest = repeat('0', 64)" >/dev/null
run -d "$db8" --dir "$tdir" upgrade
expect_rc "stat: an unchanged directory is not read" 0
expect "stat: nothing to upgrade" "nothing to upgrade" "$out"
is "stat: the files were not read" "$(q "$db8" "SELECT digest FROM migrate.sync")" "$(printf '0%.0s' $(seq 64))"
run -d "$db8" --dir "$tdir" --verify-files upgrade
expect_rc "stat: --verify-files reads the files" 0
is "stat: --verify-files records their digest" "$(q "$db8" "SELECT digest <> repeat('0', 64) FROM migrate.sync")" "t"

# an edit that keeps the size and puts the modification time back changes
# the change time: it is caught, with the stat cache and when verifying
sleep 1.1
run -d "$db8" --dir "$tdir" upgrade
mtime=$(stat -c %y "$tdir/002_t2.sql")
sed -i 's/^-- message: two$/-- message: TWO/' "$tdir/002_t2.sql"
touch -d "$mtime" "$tdir/002_t2.sql"
is "stat: the edit kept the modification time" "$(stat -c %y "$tdir/002_t2.sql")" "$mtime"
run -d "$db8" --dir "$tdir" upgrade
expect_rc "stat: a same-size, same-mtime edit is accepted" 0
is "stat: a same-size, same-mtime edit is caught" "$(q "$db8" "SELECT message FROM migrate.revision WHERE revision = 't2'")" "TWO"
sed -i 's/^-- message: TWO$/-- message: Two/' "$tdir/002_t2.sql"
touch -d "$mtime" "$tdir/002_t2.sql"
run -d "$db8" --dir "$tdir" --verify-files upgrade
is "stat: ... and with --verify-files" "$(q "$db8" "SELECT message FROM migrate.revision WHERE revision = 't2'")" "Two"

# a normal edit, an added, a renamed and a removed file are all caught
tfile 003_t3.sql t3 t2 "three"
sleep 1.1
run -d "$db8" --dir "$tdir" upgrade
expect "stat: an added file is applied" "1 revision(s) applied" "$out"
sleep 1.1
run -d "$db8" --dir "$tdir" upgrade
sed -i 's/^CREATE TABLE t3 (id int);$/CREATE TABLE t3 (id bigint);/' "$tdir/003_t3.sql"
run -d "$db8" --dir "$tdir" upgrade
expect_rc "stat: an edited applied file is refused" 1
expect "stat: the refusal names the revision" 'revision "t3" has changed since it was applied' "$err"
sed -i 's/^CREATE TABLE t3 (id bigint);$/CREATE TABLE t3 (id int);/' "$tdir/003_t3.sql"
sleep 1.1
run -d "$db8" --dir "$tdir" upgrade
expect_rc "stat: the restored file is accepted" 0
mv "$tdir/003_t3.sql" "$tdir/003_t3_renamed.sql"
run -d "$db8" --dir "$tdir" upgrade
is "stat: a renamed file is caught" "$(q "$db8" "SELECT file_name FROM migrate.revision WHERE revision = 't3'")" "003_t3_renamed.sql"
before=$(q "$db8" "SELECT digest FROM migrate.sync")
rm "$tdir/003_t3_renamed.sql"
run -d "$db8" --dir "$tdir" upgrade
expect_rc "stat: a removed file is no error" 0
is "stat: a removed file is caught" "$(q "$db8" "SELECT digest <> '$before' FROM migrate.sync")" "t"
# a bad file is still refused before anything is sent
printf -- '-- revision: bad one\n' >"$tdir/009_bad.sql"
run -d "$db8" --dir "$tdir" upgrade
expect_rc "stat: a bad file still exits 5" 5
rm "$tdir/009_bad.sql"


# ---------------------------------------------------------------- statement boundaries
# a transactional:false revision is run statement by statement as the
# server's parser cuts it, never by a guess of the client's
db10="pgm_client_$$_split"
psql -X -q -d postgres -c "CREATE DATABASE \"$db10\""
psql -X -q -d "$db10" -c "CREATE EXTENSION pg_migrate"
sdir=$work/split
mkdir -p "$sdir"
cat >"$sdir/a1_begin_column.sql" <<'EOF'
-- revision: a1
-- transactional: false
-- migrate:upgrade
CREATE TABLE ev (id int, begin timestamptz);
CREATE INDEX CONCURRENTLY ev_i ON ev (id);
-- migrate:downgrade
DROP TABLE ev;
EOF
run -d "$db10" --dir "$sdir" upgrade a1
expect_rc "a column named begin does not glue two statements together" 0
is "both statements ran, the index outside a transaction block" \
    "$(psql -X -At -d "$db10" -c "SELECT count(*) FROM pg_indexes WHERE indexname = 'ev_i'")" 1
cat >"$sdir/a2_select_begin.sql" <<'EOF'
-- revision: a2
-- revises: a1
-- transactional: false
-- migrate:upgrade
SELECT 1 AS begin; CREATE TABLE after_begin (id int);
-- migrate:downgrade
DROP TABLE after_begin;
EOF
cat >"$sdir/a3_bodies.sql" <<'EOF'
-- revision: a3
-- revises: a2
-- transactional: false
-- migrate:upgrade
-- a comment; with a semicolon
CREATE FUNCTION split_f() RETURNS int LANGUAGE plpgsql AS $body$
BEGIN
  RETURN 1; -- a semicolon inside the body
END
$body$;
/* a block comment; /* nested; */ still one; */
CREATE FUNCTION split_g() RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT 1;
  SELECT 2;
END;
CREATE INDEX CONCURRENTLY after_begin_i ON after_begin (id);
SELECT no_such_column FROM after_begin;
-- migrate:downgrade
DROP FUNCTION split_g();
DROP FUNCTION split_f();
DROP INDEX CONCURRENTLY after_begin_i;
EOF
run -d "$db10" --dir "$sdir" upgrade a3
expect_rc "the fourth statement's error stops the revision" 1
expect "the failing statement is counted as the server counts it" "statement 4 of 4" "$err"
is "the first three statements ran: two functions (one BEGIN ATOMIC), an index" \
    "$(psql -X -At -d "$db10" -c "SELECT (SELECT count(*) FROM pg_proc WHERE proname IN ('split_f', 'split_g')) || ',' || (SELECT count(*) FROM pg_indexes WHERE indexname = 'after_begin_i')")" "2,1"
is "the server recorded the failure at statement 4, line 18 of the file" \
    "$(psql -X -At -d "$db10" -c "SELECT failed_statement || ',' || failed_line FROM migrate.interrupted")" "4,18"
psql -X -q -d postgres -c "DROP DATABASE \"$db10\" WITH (FORCE)" >/dev/null 2>&1

# three roles: migrator, monitoring, application
. "$here/roles.sh"

echo "1..$n"
[ "$failures" -eq 0 ]
