#!/usr/bin/env bash
# test/scripts/run.sh - TAP tests of the operator scripts, make targets and docker init
#
# Usage: test/scripts/run.sh
#
# Runs against the server named by PGHOST/PGPORT/PGUSER (a test cluster with
# the extension installed, as test/run_all.sh provides); creates and drops
# databases of its own (pgm_scripts_<pid>_*).  The docker init script gets a
# fresh cluster of its own on port $DOCKER_TEST_PORT (default: a free one), run by
# the postgres OS user, stopped at the end.  Prints "ok N - ..." or
# "not ok N - ..." per check and the plan "1..N"; exits 1 when a check
# failed, 2 when the environment is unusable.  PG_MIGRATE=psql runs the
# scripts through their psql fallback instead of the pg_migrate client.
set -euo pipefail

case "${1:-}" in
    -h | --help) sed -n '2,/^set/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
S="$ROOT/scripts"
: "${PGHOST:?PGHOST must name the test server}" "${PGPORT:?PGPORT must be set}" "${PGUSER:?PGUSER must be set}"
export PGHOST PGPORT PGUSER
export PGDATABASE=postgres PGCONNECT_TIMEOUT=10
unset DB_HOST DB_PORT DB_USER DB_NAME DB_PASSWORD BACKUP_DIR BACKUP_KEEP MIGRATIONS_DIR MIGRATE_TARGET
DOCKER_TEST_PORT="${DOCKER_TEST_PORT:-$(bash "$ROOT/test/free_port.sh" 25100 $$)}"
P="pgm_scripts_$$"
TMP="$(mktemp -d /tmp/pgm-scripts-test.XXXXXX)"
chmod 755 "$TMP"

n=0
failures=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1))
    failures=$((failures + 1))
    echo "not ok $n - $1"
    [ -z "${2:-}" ] || printf '%s\n' "$2" | head -n 30 | sed 's/^/#   /'
}
# check DESCRIPTION COMMAND...: the command must succeed
check() {
    local desc="$1" out
    shift
    if out="$("$@" 2>&1)"; then ok "$desc"; else not_ok "$desc" "$out"; fi
}
# is DESCRIPTION GOT WANT
is() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  '$2'"$'\n'"want: '$3'"; fi
}
# run COMMAND...: output in $out, status in $rc, never fails
run() {
    rc=0
    out="$("$@" 2>&1)" || rc=$?
}

psql_q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
newdb() { psql_q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"; }
in_db() { local db="$1"; shift; psql_q -d "$db" "$@"; }
current() { in_db "$1" -c "SELECT coalesce(string_agg(r, '+' ORDER BY r), 'base') FROM migrate_current() AS r"; }

DOCKER_DIR="/tmp/pgm-docker-init-$DOCKER_TEST_PORT"
cleanup() {
    local db
    for db in $(psql_q -c "SELECT datname FROM pg_database WHERE datname LIKE '${P}%' OR datname LIKE 'pgm\\_test\\_migrations\\_%'" 2>/dev/null); do
        psql_q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
    if [ -f "$DOCKER_DIR/data/postmaster.pid" ]; then
        runuser -u postgres -- "${PGBIN:-/usr/lib/postgresql/15/bin}/pg_ctl" -D "$DOCKER_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    CLUSTER_DIR="$TMP/upcluster" bash "$ROOT/scripts/cluster.sh" destroy >/dev/null 2>&1 || true
    rm -rf "$TMP" "$DOCKER_DIR"
}
trap cleanup EXIT

psql_q -c 'SELECT 1' >/dev/null || { echo "Bail out! no server at $PGHOST:$PGPORT"; exit 2; }
HEAD=8c4d2e6f9a13
MID=3f2a9c1d7b01
FIRST=1b7e0a44c2d9

# ---------------------------------------------------------------- --help
for s in wait-and-migrate.sh backup_db.sh test_migrations.sh emergency_rollback.sh operator.sh; do
    run "$S/$s" --help
    if [ "$rc" = 0 ] && grep -q "^Usage: " <<<"$out"; then ok "$s --help prints the usage"; else not_ok "$s --help prints the usage" "$out"; fi
    run "$S/$s" --no-such-option
    is "$s rejects an unknown option with status 2" "$rc" 2
done
run "$ROOT/docker/initdb/10-pg_migrate.sh" --help
if [ "$rc" = 0 ] && grep -q "^Usage: " <<<"$out"; then ok "10-pg_migrate.sh --help prints the usage"; else not_ok "10-pg_migrate.sh --help prints the usage" "$out"; fi

# ---------------------------------------------------------------- wait-and-migrate.sh
start=$(date +%s)
run env PGPORT=1 MAX_RETRIES=3 RETRY_INTERVAL=0.2 "$S/wait-and-migrate.sh" touch "$TMP/never"
is "wait-and-migrate.sh gives up with status 3 when no server answers" "$rc" 3
is "wait-and-migrate.sh does not run the command then" "$([ -e "$TMP/never" ] && echo ran || echo not run)" "not run"
if grep -q "try 3 of 3" <<<"$out" && [ $(($(date +%s) - start)) -lt 30 ]; then ok "wait-and-migrate.sh tries MAX_RETRIES times"; else not_ok "wait-and-migrate.sh tries MAX_RETRIES times" "$out"; fi

# eight copies at once on a fresh database without the extension; a slow
# fourth revision keeps the migration lock held while the others arrive
mkdir -p "$TMP/conc"
cp "$ROOT"/migrations/*.sql "$TMP/conc/"
cat >"$TMP/conc/9a0b1c2d3e4f_slow.sql" <<EOF
-- revision: 9a0b1c2d3e4f
-- revises: $HEAD
-- message: slow revision
-- migrate:upgrade
SELECT pg_sleep(1);
CREATE TABLE slow_marker (id int);
-- migrate:downgrade
DROP TABLE slow_marker;
EOF
newdb "${P}_conc"
pids=()
for i in 1 2 3 4 5 6 7 8; do
    PGDATABASE="${P}_conc" timeout 120 "$S/wait-and-migrate.sh" --dir "$TMP/conc" \
        sh -c "echo \$\$ >'$TMP/exec.$i'" >"$TMP/conc.$i.log" 2>&1 &
    pids+=($!)
done
statuses=()
for p in "${pids[@]}"; do
    s=0
    wait "$p" || s=$?
    statuses+=("$s")
done
is "8 concurrent wait-and-migrate.sh copies all exit 0" "${statuses[*]}" "0 0 0 0 0 0 0 0"
is "all 8 copies exec their command" "$(ls "$TMP"/exec.* 2>/dev/null | wc -l)" 8
is "each revision is applied exactly once (journal)" \
    "$(in_db "${P}_conc" -c "SELECT string_agg(revision || '=' || n, ' ' ORDER BY revision) FROM (SELECT revision, count(*) AS n FROM migrate.journal WHERE operation = 'upgrade' GROUP BY revision) j")" \
    "$FIRST=1 $MID=1 $HEAD=1 9a0b1c2d3e4f=1"
is "the concurrent copies leave the database at the new head" "$(current "${P}_conc")" 9a0b1c2d3e4f
is "one extension, four registered revisions" \
    "$(in_db "${P}_conc" -c "SELECT (SELECT count(*) FROM pg_extension WHERE extname = 'pg_migrate') || '/' || (SELECT count(*) FROM migrate.revision)")" "1/4"
is "every copy reports the database state" "$(grep -l "database .* is at 9a0b1c2d3e4f" "$TMP"/conc.*.log | wc -l)" 8
# registration precedes each copy's upgrade, so whichever copy takes the
# lock first applies all four revisions and the seven others apply none
is "one copy applied the revisions, seven waited and found none to apply" \
    "$(grep -l "appl[a-z]* [0-9]" "$TMP"/conc.*.log | wc -l)" 1
run env PGDATABASE="${P}_conc" "$S/wait-and-migrate.sh" --dir "$TMP/conc" true
is "a later copy finds nothing to do and exits 0" "$rc" 0
is "and applies nothing twice" "$(in_db "${P}_conc" -c "SELECT count(*) FROM migrate.journal")" 4

# a failing migration stops the command
mkdir -p "$TMP/bad"
cp "$ROOT"/migrations/*.sql "$TMP/bad/"
cat >"$TMP/bad/dead0000beef_broken.sql" <<EOF
-- revision: dead0000beef
-- revises: $HEAD
-- message: broken revision
-- migrate:upgrade
ALTER TABLE no_such_table ADD COLUMN x int;
-- migrate:downgrade
SELECT 1;
EOF
newdb "${P}_badwm"
run env PGDATABASE="${P}_badwm" "$S/wait-and-migrate.sh" --dir "$TMP/bad" touch "$TMP/bad-ran"
is "wait-and-migrate.sh exits 5 when the upgrade fails" "$rc" 5
is "and does not run the command" "$([ -e "$TMP/bad-ran" ] && echo ran || echo not run)" "not run"
# a first start that registered the bad revision for good (as an init that
# registered the files apart from the upgrade did), then the file deleted
# rather than fixed: the next start succeeds without it
cp -r "$TMP/bad" "$TMP/badgone"
in_db "${P}_badwm" -v content="$(cat "$TMP/badgone/dead0000beef_broken.sql")" \
    <<<"SELECT migrate_add_file('dead0000beef_broken.sql', :'content');" >/dev/null
rm "$TMP/badgone/dead0000beef_broken.sql"
run env PGDATABASE="${P}_badwm" "$S/wait-and-migrate.sh" --dir "$TMP/badgone" touch "$TMP/bad-ran"
is "wait-and-migrate.sh succeeds once the bad revision's file is deleted" "$rc" 0
is "and runs the command" "$([ -e "$TMP/bad-ran" ] && echo ran || echo not run)" "ran"
is "the database is at the head of the files" "$(current "${P}_badwm")" "$HEAD"
is "the deleted file's revision is no longer registered" \
    "$(in_db "${P}_badwm" -c "SELECT count(*) FROM migrate.revision WHERE revision = 'dead0000beef'")" 0

# ---------------------------------------------------------------- backup_db.sh
newdb "${P}_bk"
in_db "${P}_bk" -c "CREATE EXTENSION pg_migrate"
PGDATABASE="${P}_bk" "$S/wait-and-migrate.sh" >/dev/null 2>&1
in_db "${P}_bk" -c "INSERT INTO task (name) VALUES ('a'), ('b'), ('c')"
mkdir -p "$TMP/bk"
touch "$TMP/bk/notes.txt" "$TMP/bk/otherdb_20000101T000000Z_base.dump"
paths=()
for i in 1 2 3; do
    run env PGDATABASE="${P}_bk" "$S/backup_db.sh" --dir "$TMP/bk" --keep 2
    is "backup_db.sh run $i exits 0" "$rc" 0
    paths+=("$(tail -n 1 <<<"$out")")
done
if [[ "$(basename "${paths[2]}")" =~ ^${P}_bk_[0-9]{8}T[0-9]{6}Z_${HEAD}\.dump$ ]]; then ok "backup name carries database, UTC date and revision"; else not_ok "backup name carries database, UTC date and revision" "${paths[2]}"; fi
is "retention keeps the newest 2 of this database" \
    "$(cd "$TMP/bk" && ls "${P}"_bk_*.dump | tr '\n' ' ')" "$(basename "${paths[1]}") $(basename "${paths[2]}") "
is "retention leaves other files alone" "$(cd "$TMP/bk" && ls notes.txt otherdb_* | tr '\n' ' ')" "notes.txt otherdb_20000101T000000Z_base.dump "
check "the backup lists with pg_restore --list" pg_restore --list "${paths[2]}"
newdb "${P}_restored"
check "the backup restores into an empty database" pg_restore --exit-on-error -d "${P}_restored" "${paths[2]}"
is "the restored copy keeps revision and rows" "$(current "${P}_restored"):$(in_db "${P}_restored" -c "SELECT count(*) FROM task")" "$HEAD:3"
newdb "${P}_plain"
run env PGDATABASE="${P}_plain" "$S/backup_db.sh" --dir "$TMP/bk"
is "a database without the extension is backed up as revision none" "$rc:$(basename "$(tail -n 1 <<<"$out")" | sed 's/.*_//')" "0:none.dump"
in_db "${P}_plain" -c "CREATE EXTENSION pg_migrate"
run env PGDATABASE="${P}_plain" "$S/backup_db.sh" --dir "$TMP/bk"
is "a database with nothing applied is backed up as revision base" "$rc:$(basename "$(tail -n 1 <<<"$out")" | sed 's/.*_//')" "0:base.dump"
mkdir -p "$TMP/fakebin"
cat >"$TMP/fakebin/pg_dump" <<'EOF'
#!/usr/bin/env bash
for a; do case "$a" in --file=*) echo "not an archive" >"${a#--file=}" ;; esac; done
EOF
chmod +x "$TMP/fakebin/pg_dump"
mkdir -p "$TMP/bk2"
run env PATH="$TMP/fakebin:$PATH" PGDATABASE="${P}_bk" "$S/backup_db.sh" --dir "$TMP/bk2"
is "an archive that does not verify fails with status 5" "$rc" 5
is "and leaves no file behind" "$(ls -A "$TMP/bk2" | wc -l)" 0
run env PGPORT=1 "$S/backup_db.sh" --dir "$TMP/bk2"
is "backup_db.sh exits 3 when the server is unreachable" "$rc" 3
run "$S/backup_db.sh" --keep many
is "backup_db.sh rejects a bad --keep" "$rc" 2

# ---------------------------------------------------------------- test_migrations.sh
run "$S/test_migrations.sh"
if [ "$rc" = 0 ] && grep -q "all steps passed" <<<"$out" && grep -q "sample data loaded at $MID" <<<"$out"; then
    ok "test_migrations.sh passes on migrations/ with the sample data"
else
    not_ok "test_migrations.sh passes on migrations/ with the sample data" "$out"
fi
is "test_migrations.sh drops its scratch database" \
    "$(psql_q -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'pgm\\_test\\_migrations\\_%'")" 0
mkdir -p "$TMP/leaky"
cp "$ROOT"/migrations/*.sql "$TMP/leaky/"
cat >"$TMP/leaky/abc123abc123_audit.sql" <<EOF
-- revision: abc123abc123
-- revises: $HEAD
-- message: audit table whose downgrade forgets it
-- migrate:upgrade
CREATE TABLE audit (id int);
-- migrate:downgrade
SELECT 1;
EOF
run "$S/test_migrations.sh" --dir "$TMP/leaky"
if [ "$rc" = 1 ] && grep -q "left objects behind" <<<"$out"; then ok "test_migrations.sh fails when a downgrade leaves a table behind"; else not_ok "test_migrations.sh fails when a downgrade leaves a table behind" "$out"; fi
if grep -q "FAILED: verify found revisions that are irreversible or fail" <<<"$out" && grep -q "added table public.audit" <<<"$out"; then ok "test_migrations.sh verify names the table the downgrade forgets"; else not_ok "test_migrations.sh verify names the table the downgrade forgets" "$out"; fi
run env PG_MIGRATE=psql "$S/test_migrations.sh" --dir "$TMP/leaky"
if [ "$rc" = 1 ] && grep -q "FAILED: verify found" <<<"$out" && grep -q "added table public.audit" <<<"$out"; then ok "test_migrations.sh verify works through psql too"; else not_ok "test_migrations.sh verify works through psql too" "$out"; fi
run "$S/test_migrations.sh" --dir "$TMP/leaky" --no-verify
if [ "$rc" = 1 ] && ! grep -q "verify" <<<"$out" && grep -q "left objects behind" <<<"$out"; then ok "test_migrations.sh --no-verify skips the verify step"; else not_ok "test_migrations.sh --no-verify skips the verify step" "$out"; fi
mkdir -p "$TMP/oneway"
cp "$ROOT"/migrations/*.sql "$TMP/oneway/"
cat >"$TMP/oneway/abc456abc456_oneway.sql" <<EOF
-- revision: abc456abc456
-- revises: $HEAD
-- message: no way back
-- migrate:upgrade
CREATE TABLE oneway (id int);
EOF
run "$S/test_migrations.sh" --dir "$TMP/oneway"
if grep -q "abc456abc456: no downgrade" <<<"$out" && grep -q "ok: every revision verified is reversible" <<<"$out"; then ok "test_migrations.sh: a revision without downgrade is a verify warning"; else not_ok "test_migrations.sh: a revision without downgrade is a verify warning" "$out"; fi
run "$S/test_migrations.sh" --dir "$TMP/oneway" --verify-strict
if [ "$rc" = 1 ] && grep -q "FAILED: verify found" <<<"$out"; then ok "test_migrations.sh --verify-strict fails on a revision without downgrade"; else not_ok "test_migrations.sh --verify-strict fails on a revision without downgrade" "$out"; fi
run env PG_MIGRATE=psql "$S/test_migrations.sh" --dir "$TMP/oneway" --verify-strict
if [ "$rc" = 1 ] && grep -q "FAILED: verify found" <<<"$out"; then ok "test_migrations.sh --verify-strict through psql"; else not_ok "test_migrations.sh --verify-strict through psql" "$out"; fi
run "$S/test_migrations.sh" --dir "$TMP/bad"
if [ "$rc" = 1 ] && grep -q "FAILED: upgrade to head" <<<"$out"; then ok "test_migrations.sh fails on a revision whose upgrade errors"; else not_ok "test_migrations.sh fails on a revision whose upgrade errors" "$out"; fi
if tail -n 1 <<<"$out" | grep -q '^test_migrations: FAILED: .*"dead0000beef"'; then ok "test_migrations.sh's last line names the revision at fault"; else not_ok "test_migrations.sh's last line names the revision at fault" "$out"; fi
# revisions after a transactional:false one are verified too
mkdir -p "$TMP/ntmid"
cp "$ROOT"/migrations/*.sql "$TMP/ntmid/"
cat >"$TMP/ntmid/f1f1f1f1f1f1_task_id_index.sql" <<EOF
-- revision: f1f1f1f1f1f1
-- revises: $HEAD
-- message: task id index
-- transactional: false
-- migrate:upgrade
CREATE INDEX CONCURRENTLY task_nt_idx ON task (id);
-- migrate:downgrade
DROP INDEX CONCURRENTLY task_nt_idx;
EOF
cat >"$TMP/ntmid/f2f2f2f2f2f2_audit.sql" <<EOF
-- revision: f2f2f2f2f2f2
-- revises: f1f1f1f1f1f1
-- message: audit table whose downgrade forgets it
-- migrate:upgrade
CREATE TABLE audit (id int);
-- migrate:downgrade
SELECT 1;
EOF
run "$S/test_migrations.sh" --dir "$TMP/ntmid" --no-data
if [ "$rc" = 1 ] && grep -q 'FAILED: verify found revisions that are irreversible or fail: "f2f2f2f2f2f2"' <<<"$out"; then ok "test_migrations.sh verifies the revisions after a transactional:false one, naming the one at fault"; else not_ok "test_migrations.sh verifies the revisions after a transactional:false one, naming the one at fault" "$out"; fi
if ! grep -q "not checked" <<<"$out" || ! grep -q "^ok: every revision verified" <<<"$out"; then ok "no step says ok for revisions it did not check"; else not_ok "no step says ok for revisions it did not check" "$out"; fi
mkdir -p "$TMP/lossy"
cp "$ROOT"/migrations/*.sql "$TMP/lossy/"
cat >"$TMP/lossy/fed000000001_purge.sql" <<EOF
-- revision: fed000000001
-- revises: $HEAD
-- message: purge tasks
-- migrate:upgrade
DELETE FROM task;
-- migrate:downgrade
SELECT 1;
EOF
run "$S/test_migrations.sh" --dir "$TMP/lossy" --data "$S/sample_data.sql"
if [ "$rc" = 1 ] && grep -q "5 row(s) before the upgrade, 0 after" <<<"$out"; then ok "test_migrations.sh fails when the upgrade loses sample rows"; else not_ok "test_migrations.sh fails when the upgrade loses sample rows" "$out"; fi
run "$S/test_migrations.sh" --dir "$TMP/lossy" --data "$S/sample_data.sql" --allow-data-loss
is "--allow-data-loss turns that into a warning" "$rc" 0
run "$S/test_migrations.sh" --data "$TMP/never-there.sql"
is "test_migrations.sh rejects a missing data file with status 2" "$rc" 2

# ---------------------------------------------------------------- emergency_rollback.sh
newdb "${P}_rb"
in_db "${P}_rb" -c "CREATE EXTENSION pg_migrate"
cp -r "$ROOT/migrations" "$TMP/rbfiles"
PGDATABASE="${P}_rb" "$S/wait-and-migrate.sh" --dir "$TMP/rbfiles" >/dev/null 2>&1
rm -rf "$TMP/rbfiles"   # the rollback must not need the files
run env PGDATABASE="${P}_rb" "$S/emergency_rollback.sh" --backup-dir "$TMP/rbbk" </dev/null
is "emergency_rollback.sh refuses without --yes when stdin is not a terminal (status 3)" "$rc" 3
is "and changes nothing" "$(current "${P}_rb"):$(ls "$TMP/rbbk" 2>/dev/null | wc -l)" "$HEAD:0"
run env PGDATABASE="${P}_rb" "$S/emergency_rollback.sh" --yes --backup-dir "$TMP/rbbk"
is "emergency_rollback.sh --yes goes back one revision without the files" "$rc:$(current "${P}_rb")" "0:$MID"
is "the revision's downgrade SQL ran" "$(in_db "${P}_rb" -c "SELECT count(*) FROM pg_tables WHERE tablename = 'users'")" 0
is "it took a backup first, named after the revision it left" "$(ls "$TMP/rbbk" | sed 's/.*_//')" "$HEAD.dump"
run env PGDATABASE="${P}_rb" "$S/emergency_rollback.sh" --yes --backup-dir "$TMP/rbbk" "$FIRST"
is "emergency_rollback.sh --yes REV goes to the named revision" "$rc:$(current "${P}_rb")" "0:$FIRST"
run env PGDATABASE="${P}_rb" "$S/emergency_rollback.sh" --yes --backup-dir "$TMP/rbbk" no_such_rev
is "an unknown target fails with status 5 and changes nothing" "$rc:$(current "${P}_rb")" "5:$FIRST"
if command -v script >/dev/null 2>&1; then
    # a terminal: "no" is refused, "yes" proceeds
    run env PGDATABASE="${P}_rb" timeout 60 script -qec "'$S/emergency_rollback.sh' --backup-dir '$TMP/rbbk' base" /dev/null <<<"no"
    is "on a terminal, answering no changes nothing" "$rc:$(current "${P}_rb")" "3:$FIRST"
    run env PGDATABASE="${P}_rb" timeout 60 script -qec "'$S/emergency_rollback.sh' --backup-dir '$TMP/rbbk' base" /dev/null <<<"yes"
    is "on a terminal, answering yes rolls back" "$rc:$(current "${P}_rb")" "0:base"
fi

# a revision marked "transactional: false" is rolled back through the client
newdb "${P}_rbnt"
in_db "${P}_rbnt" -c "CREATE EXTENSION pg_migrate"
cp -r "$ROOT/migrations" "$TMP/ntfiles"
cat >"$TMP/ntfiles/f6a7b8c9d0e1_task_id_index.sql" <<EOF
-- revision: f6a7b8c9d0e1
-- revises: $HEAD
-- message: task id index
-- transactional: false
-- migrate:upgrade
CREATE INDEX CONCURRENTLY task_nt_idx ON task (id);
-- migrate:downgrade
DROP INDEX CONCURRENTLY task_nt_idx;
EOF
PGDATABASE="${P}_rbnt" "$S/wait-and-migrate.sh" --dir "$TMP/ntfiles" >/dev/null 2>&1
is "a non-transactional revision is applied for the rollback test" "$(current "${P}_rbnt")" f6a7b8c9d0e1
run env PGDATABASE="${P}_rbnt" "$S/emergency_rollback.sh" --yes --backup-dir "$TMP/rbbk"
is "emergency_rollback.sh reverts a transactional:false revision" "$rc:$(current "${P}_rbnt")" "0:$HEAD"
is "its downgrade SQL ran" "$(in_db "${P}_rbnt" -c "SELECT count(*) FROM pg_indexes WHERE indexname = 'task_nt_idx'")" 0

# ---------------------------------------------------------------- make up, reset, env
# the local cluster of "make up" on a port and in a directory of this test,
# with a revision set that holds a transactional:false revision
UPC=(env CLUSTER_DIR="$TMP/upcluster" CLUSTER_PORT="$(bash "$ROOT/test/free_port.sh" 25200 $$)"
    MIGRATIONS_DIR="$TMP/ntfiles" UP_SKIP_INSTALL=1 UP_DATABASE=upapp)
run "${UPC[@]}" make -s --no-print-directory -C "$ROOT" up
if [ "$rc" = 0 ] && grep -q "f6a7b8c9d0e1" <<<"$out"; then ok "make up migrates a revision set with a transactional:false revision"; else not_ok "make up migrates a revision set with a transactional:false revision" "$out"; fi
if grep -qF 'eval "$(make -s env)"' <<<"$out"; then ok "make up prints the one-line environment"; else not_ok "make up prints the one-line environment" "$out"; fi
run "${UPC[@]}" make -s --no-print-directory -C "$ROOT" env
envline="$out"
if grep -q "PGDATABASE=upapp" <<<"$envline" && grep -q "PGPORT=" <<<"$envline"; then ok "make -s env prints PGHOST, PGPORT, PGUSER and PGDATABASE"; else not_ok "make -s env prints PGHOST, PGPORT, PGUSER and PGDATABASE" "$envline"; fi
run bash -c "$envline"$'\n'"psql -X -q -c 'CREATE TABLE reset_marker ()' && '$ROOT/client/pg_migrate' --dir '$TMP/ntfiles' current"
is "eval of make -s env reaches the local database at head" "$rc:$(tail -n1 <<<"$out" | cut -d' ' -f1)" "0:f6a7b8c9d0e1"
run "${UPC[@]}" make -s --no-print-directory -C "$ROOT" reset
is "make reset succeeds" "$rc" 0
run bash -c "$envline"$'\n'"psql -X -At -c \"SELECT count(*) FROM pg_tables WHERE tablename = 'reset_marker'\""
is "make reset starts from new data" "$rc:$out" "0:0"
run bash -c "$envline"$'\n'"'$ROOT/client/pg_migrate' --dir '$TMP/ntfiles' current"
is "and migrates it again" "$rc:$(tail -n1 <<<"$out" | cut -d' ' -f1)" "0:f6a7b8c9d0e1"
"${UPC[@]}" bash "$ROOT/scripts/cluster.sh" destroy >/dev/null 2>&1 || true

# ---------------------------------------------------------------- make install
PGBINDIR="$(/usr/lib/postgresql/15/bin/pg_config --bindir)"
PGMANDIR="$(/usr/lib/postgresql/15/bin/pg_config --mandir)"
run make -s --no-print-directory -C "$ROOT" install DESTDIR="$TMP/dest"
is "make install links the client into /usr/local/bin, on PATH" \
    "$rc:$(readlink "$TMP/dest/usr/local/bin/pg_migrate")" "0:$PGBINDIR/pg_migrate"
is "and the man page into /usr/local/share/man/man1, where man looks" \
    "$(readlink "$TMP/dest/usr/local/share/man/man1/pg_migrate.1")" "$PGMANDIR/man1/pg_migrate.1"
is "the linked files are installed" "$(test -x "$TMP/dest$PGBINDIR/pg_migrate" && test -f "$TMP/dest$PGMANDIR/man1/pg_migrate.1" && echo yes)" yes
run make -s --no-print-directory -C "$ROOT" uninstall DESTDIR="$TMP/dest"
is "make uninstall removes both links" "$rc:$(ls -A "$TMP/dest/usr/local/bin" "$TMP/dest/usr/local/share/man/man1" | grep -c pg_migrate)" "0:0"

# ---------------------------------------------------------------- container recipe
is "the compose healthcheck asks over TCP, not the init server's socket" \
    "$(grep -c 'pg_isready -h 127.0.0.1' "$ROOT/docker/compose.yaml")" 1
is "the Dockerfile pins the base image's Debian release in both stages" \
    "$(grep -c '^FROM postgres:15-bookworm' "$ROOT/docker/Dockerfile")" 2
is "the Dockerfile pins the server headers to the image's PostgreSQL version" \
    "$(grep -c 'postgresql-server-dev-$PG_MAJOR=$PG_VERSION' "$ROOT/docker/Dockerfile")" 1

# ---------------------------------------------------------------- make targets
mk() { make -s --no-print-directory -C "$ROOT" "$@"; }
newdb "${P}_mk"
in_db "${P}_mk" -c "CREATE EXTENSION pg_migrate"
export PGDATABASE="${P}_mk"
run mk migrate
is "make migrate upgrades the database named by PG* to head" "$rc:$(current "${P}_mk")" "0:$HEAD"
run mk migrate-check
is "make migrate-check passes at head" "$rc" 0
is "scripts/health.sql: the health row at head" \
    "$(in_db "${P}_mk" -F ' ' -f "$S/health.sql" | cut -d' ' -f1,2,5)" "$HEAD 0 t"
run mk migrate-history
if [ "$rc" = 0 ] && grep -q "$FIRST" <<<"$out" && grep -q "$MID" <<<"$out" && grep -q "$HEAD" <<<"$out"; then ok "make migrate-history lists the revisions"; else not_ok "make migrate-history lists the revisions" "$out"; fi
run mk migrate-down
is "make migrate-down goes back one revision" "$rc:$(current "${P}_mk")" "0:$MID"
is "scripts/health.sql: one pending revision makes the database unhealthy" \
    "$(in_db "${P}_mk" -F ' ' -f "$S/health.sql" | cut -d' ' -f1,2,5)" "$MID 1 f"
run mk migrate-check
if [ "$rc" != 0 ] && grep -q "$HEAD" <<<"$out"; then ok "make migrate-check fails and names the pending revision"; else not_ok "make migrate-check fails and names the pending revision" "$out"; fi
run env PGDATABASE= DB_NAME="${P}_mk" PGHOST= DB_HOST="$PGHOST" PGPORT= DB_PORT="$PGPORT" make -s --no-print-directory -C "$ROOT" migrate
is "make migrate honours DB_HOST/DB_PORT/DB_NAME" "$rc:$(current "${P}_mk")" "0:$HEAD"
cp -r "$ROOT/migrations" "$TMP/revdir"
# without a declared schema, upgrade-revision writes an empty revision
# (test/autogen covers the generated one)
run env MIGRATIONS_DIR="$TMP/revdir" SCHEMA_DIR="$TMP/no-schema" make -s --no-print-directory -C "$ROOT" upgrade-revision m="add_task_priority"
newfile="$(ls "$TMP/revdir" | grep -v -e "^$FIRST" -e "^$MID" -e "^$HEAD" || true)"
if [ "${PG_MIGRATE:-}" = psql ]; then
    # the psql fallback cannot write files: it must say so and fail
    if [ "$rc" != 0 ] && [ -z "$newfile" ] && grep -q "needs the pg_migrate client" <<<"$out"; then
        ok "make upgrade-revision without a client fails and says why"
    else
        not_ok "make upgrade-revision without a client fails and says why" "$out"
    fi
elif [ "$rc" = 0 ] && [ -n "$newfile" ] && grep -q "message: add_task_priority" "$TMP/revdir/$newfile" && grep -q "revises: $HEAD" "$TMP/revdir/$newfile"; then
    ok "make upgrade-revision writes a new revision on top of head"
else
    not_ok "make upgrade-revision writes a new revision on top of head" "$out"
fi
run env MIGRATIONS_DIR="$TMP/revdir" make -s --no-print-directory -C "$ROOT" upgrade-revision
is "make upgrade-revision without m fails" "$([ "$rc" != 0 ] && echo failed || echo passed)" failed
run env CLUSTER_PORT=1 make -s --no-print-directory -C "$ROOT" logs
if [ "$rc" != 0 ] && grep -q "not reachable from here" <<<"$out"; then ok "make logs says a non-local server's log is not reachable"; else not_ok "make logs says a non-local server's log is not reachable" "$out"; fi
if [ -n "${CLUSTER_DIR:-}" ] && [ "${CLUSTER_PORT:-}" = "$PGPORT" ]; then
    run mk logs
    if [ "$rc" = 0 ] && grep -q "database system is ready" <<<"$out"; then ok "make logs prints the local cluster's log"; else not_ok "make logs prints the local cluster's log" "$out"; fi
    # follow mode: a line written while it follows shows up
    timeout 20 make -s --no-print-directory -C "$ROOT" logs-follow >"$TMP/follow.out" 2>&1 &
    fpid=$!
    for _ in $(seq 1 50); do [ -s "$TMP/follow.out" ] && break; sleep 0.2; done
    psql_q -c "DO \$\$ BEGIN RAISE LOG 'migration follow check $$'; END \$\$" >/dev/null
    for _ in $(seq 1 50); do grep -q "migration follow check $$" "$TMP/follow.out" && break; sleep 0.2; done
    kill "$fpid" 2>/dev/null || true
    wait "$fpid" 2>/dev/null || true
    if grep -q "migration follow check $$" "$TMP/follow.out"; then ok "make logs-follow shows a log line written while it follows"; else not_ok "make logs-follow shows a log line written while it follows" "$(cat "$TMP/follow.out")"; fi
    run timeout 5 make -s --no-print-directory -C "$ROOT" -n logs-api
    if grep -q "logs-follow" <<<"$out"; then ok "make logs-api is the same follow mode"; else not_ok "make logs-api is the same follow mode" "$out"; fi

    # a failed deployment: the first step ran, the second failed, the
    # transaction rolled back; grep migration must show the failure, and
    # no "done" line for the step that never committed
    if [ "${PG_MIGRATE:-}" != psql ]; then
        newdb "${P}logs"
        in_db "${P}logs" -c "CREATE EXTENSION pg_migrate" >/dev/null
        mkdir -p "$TMP/logrevs"
        printf -- '-- revision: 10c0ffee0001\n-- message: log first %s\n-- migrate:upgrade\nCREATE TABLE log_first (id int);\n-- migrate:downgrade\nDROP TABLE log_first;\n' "$$" >"$TMP/logrevs/1.sql"
        printf -- '-- revision: 10c0ffee0002\n-- revises: 10c0ffee0001\n-- message: log second %s\n-- migrate:upgrade\nCREATE TABLE log_second (id int REFERENCES no_such_table);\n-- migrate:downgrade\nDROP TABLE log_second;\n' "$$" >"$TMP/logrevs/2.sql"
        run env PGDATABASE="${P}logs" "$PG_MIGRATE" --dir "$TMP/logrevs" upgrade head
        client_out="$out"
        client_rc=$rc
        run mk logs
        log_lines="$(grep "10c0ffee000" <<<"$out" || true)"
        if [ "$client_rc" != 0 ] && grep -q '^pg_migrate: error: migration upgrade to "head" failed' <<<"$client_out"; then ok "a failed upgrade's output ends with a line saying the migration failed"; else not_ok "a failed upgrade's output ends with a line saying the migration failed" "$client_out"; fi
        if grep -q 'migration upgrade of revision "10c0ffee0002" (2/2) failed, and its transaction was rolled back' <<<"$log_lines" &&
            grep -q 'migration upgrade of revision "10c0ffee0001" (1/2) rolled back with its transaction' <<<"$log_lines"; then
            ok "the server log says which step failed and which was rolled back with it"
        else
            not_ok "the server log says which step failed and which was rolled back with it" "$log_lines"
        fi
        if ! grep -q '10c0ffee0001" (1/2) done' <<<"$log_lines"; then ok "no log line calls a step done when its transaction rolled back"; else not_ok "no log line calls a step done when its transaction rolled back" "$log_lines"; fi
        rm "$TMP/logrevs/2.sql"
        run env PGDATABASE="${P}logs" "$PG_MIGRATE" --dir "$TMP/logrevs" upgrade head
        run mk logs
        if grep -q "migration upgrade of revision \"10c0ffee0001\" (1/1) done in .* ms: log first $$" <<<"$out"; then ok "a committed step's line says done"; else not_ok "a committed step's line says done" "$(grep 10c0ffee <<<"$out")"; fi
        # a read-only verb (it syncs the directory, then rolls back) logs nothing
        before_lines=$(mk logs | grep -c "postgres@${P}logs LOG:  migration" || true)
        run env PGDATABASE="${P}logs" "$PG_MIGRATE" --dir "$TMP/logrevs" status
        after_lines=$(mk logs | grep -c "postgres@${P}logs LOG:  migration" || true)
        is "a read-only verb writes no migration line to the server log" "$after_lines" "$before_lines"
    fi
fi
printf '#!/usr/bin/env bash\necho one-test-ran\n' >"$TMP/pass_test.sh"
printf '#!/usr/bin/env bash\nexit 3\n' >"$TMP/fail_test.sh"
run mk test-specific FILE="$TMP/pass_test.sh"
is "make test-specific runs a test script" "$rc:$out" "0:one-test-ran"
run mk test-specific FILE="$TMP/fail_test.sh"
is "make test-specific fails when the script fails" "$([ "$rc" != 0 ] && echo failed || echo passed)" failed
run mk test-specific FILE=test/pgtap/01_linear.sql
if [ "$rc" = 0 ] && grep -q "Result: PASS" <<<"$out"; then ok "make test-specific runs a pgTAP file"; else not_ok "make test-specific runs a pgTAP file" "$out"; fi
run mk test-specific FILE=no_such_test
is "make test-specific rejects an unknown test" "$([ "$rc" != 0 ] && echo failed || echo passed)" failed
export PGDATABASE=postgres

# ---------------------------------------------------------------- docker init script
# a fresh cluster, initialised and run by the entrypoint simulation as the
# image would; executed, then sourced, then with a broken revision set
docker_init() {    # MODE(exec|source) MIGRATIONS
    rm -rf "$DOCKER_DIR"
    mkdir -p "$DOCKER_DIR/initdb"
    cp -r "$2" "$DOCKER_DIR/migrations"
    cp "$ROOT/docker/initdb/10-pg_migrate.sh" "$DOCKER_DIR/initdb/"
    # the postgres OS user may not enter the checkout (a clone under /root):
    # it runs a copy of the simulation
    cp "$ROOT/test/scripts/docker_entrypoint_sim.sh" "$DOCKER_DIR/"
    if [ "$1" = exec ]; then chmod 755 "$DOCKER_DIR/initdb/10-pg_migrate.sh"; else chmod 644 "$DOCKER_DIR/initdb/10-pg_migrate.sh"; fi
    chown -R postgres: "$DOCKER_DIR"
    chmod -R a+rX "$DOCKER_DIR"
    run timeout 120 runuser -u postgres -- env -i PATH="$PATH" PGBIN="${PGBIN:-}" LANG=C.UTF-8 \
        PGDATA="$DOCKER_DIR/data" PGPORT="$DOCKER_TEST_PORT" POSTGRES_USER=appuser \
        POSTGRES_PASSWORD=secret POSTGRES_DB=appdb PG_MIGRATE_DIR="$DOCKER_DIR/migrations" \
        bash "$DOCKER_DIR/docker_entrypoint_sim.sh" "$DOCKER_DIR/initdb"
}
report() { sed -n "s/^report: $1=//p" <<<"$out"; }
for mode in exec source; do
    docker_init "$mode" "$ROOT/migrations"
    verb=$([ "$mode" = exec ] && echo running || echo sourcing)
    if [ "$rc" = 0 ] && grep -q "$verb .*10-pg_migrate.sh" <<<"$out"; then ok "docker init ($mode): the entrypoint simulation completes"; else not_ok "docker init ($mode): the entrypoint simulation completes" "$out"; fi
    is "docker init ($mode): \$POSTGRES_DB is at head" "$(report current)" "$HEAD"
    is "docker init ($mode): the revisions' tables exist" "$(report tables)" "task,users"
    is "docker init ($mode): each revision applied once" "$(report upgrades)" 3
    is "docker init ($mode): the init server listened on no TCP address" "$(report tcp_listen)" ""
    is "docker init ($mode): the entrypoint's shell options are unchanged" "$(report nounset)" off
done
docker_init source "$TMP/bad"
is "docker init: a failing revision stops the entrypoint (non-zero)" "$([ "$rc" != 0 ] && echo failed || echo passed)" failed
if grep -q "^report:" <<<"$out"; then not_ok "docker init: nothing runs after the failure" "$out"; else ok "docker init: nothing runs after the failure"; fi

echo "1..$n"
if [ "$failures" -gt 0 ]; then
    echo "# $failures of $n checks failed"
    exit 1
fi
