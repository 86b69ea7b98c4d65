# test/client/integrity.sh
#     Client tests of drift (check, repair) and of interrupted
#     non-transactional revisions (failure, killed client, resolve).
#
# Sourced by test/client/run.sh, whose helpers (run, expect_rc, expect, is,
# q, ok, not_ok) and counters it uses; works in database $db4 (created
# here, dropped by run.sh's cleanup) and directory $work/integrity.

if ! psql -X -q -d postgres -c "CREATE DATABASE \"$db4\""; then
    not_ok "create the integrity scratch database"
else
idir=$work/integrity
mkdir -p "$idir"

# ---------------------------------------------------------------- drift
cat >"$idir/a1_first.sql" <<'SQL'
-- revision: a1
-- message: first
-- migrate:upgrade
CREATE TABLE drift_t (id int);
-- migrate:downgrade
DROP TABLE drift_t;
SQL
cat >"$idir/b2_second.sql" <<'SQL'
-- revision: b2
-- revises: a1
-- message: second
-- migrate:upgrade
ALTER TABLE drift_t ADD COLUMN name text;
-- migrate:downgrade
ALTER TABLE drift_t DROP COLUMN name;
SQL
run -d "$db4" --dir "$idir" init
run -d "$db4" --dir "$idir" upgrade
expect_rc "integrity: upgrade two revisions" 0

# formatting only: not drift
cat >"$idir/b2_second.sql" <<'SQL'
-- revision: b2
-- revises: a1
-- message: second
-- migrate:upgrade
-- add a name
alter table DRIFT_T
    add column NAME text;
-- migrate:downgrade
ALTER TABLE drift_t DROP COLUMN name;
SQL
run -d "$db4" --dir "$idir" check
expect_rc "integrity: a re-indented, commented file is not drift" 0

# a real change: drift
sed -i 's/add column NAME text/add column NAME varchar(40)/' "$idir/b2_second.sql"
run -d "$db4" --dir "$idir" check
expect_rc "integrity: check fails on an edited applied file" 6
expect "integrity: check names the revision" 'revision "b2" has changed since it was applied' "$err"
expect "integrity: check names the file" 'file "b2_second.sql"' "$err"
run -d "$db4" --dir "$idir" upgrade
expect_rc "integrity: upgrade is refused on drift" 1
expect "integrity: upgrade names the drifted revision" 'revision "b2" has changed since it was applied' "$err"
expect "integrity: the refusal hints at repair" "migrate_repair('b2')" "$err"
run -d "$db4" --dir "$idir" downgrade base
expect_rc "integrity: downgrade is refused on drift" 1
is "integrity: nothing was downgraded" "$(q "$db4" "SELECT string_agg(revision, ',') FROM migrate.version")" b2
run -d "$db4" --dir "$idir" repair b2
expect_rc "integrity: repair accepts the edited file" 0
expect "integrity: repair prints the accepted checksum" "repaired: b2 (checksum" "$out"
is "integrity: the repair is journaled with the new checksum" \
    "$(q "$db4" "SELECT j.checksum = migrate_fingerprint(r.upgrade_sql) FROM migrate.journal j JOIN migrate.revision r USING (revision) WHERE j.operation = 'repair'")" t
run -d "$db4" --dir "$idir" check
expect_rc "integrity: check passes after repair" 0
run -d "$db4" --dir "$idir" repair b2
expect_rc "integrity: repair of a revision without drift fails" 1
expect "integrity: and says so" 'revision "b2" has no drift to repair' "$err"

# ---------------------------------------------------------------- a failing non-transactional revision
cat >"$idir/c3_index.sql" <<'SQL'
-- revision: c3
-- revises: b2
-- message: index and fail
-- transactional: false
-- migrate:upgrade
CREATE INDEX CONCURRENTLY drift_t_id_idx ON drift_t (id);
CREATE INDEX CONCURRENTLY drift_t_name_idx ON drift_t (no_such_column);
-- migrate:downgrade
DROP INDEX CONCURRENTLY IF EXISTS drift_t_name_idx;
DROP INDEX CONCURRENTLY IF EXISTS drift_t_id_idx;
SQL
run -d "$db4" --dir "$idir" upgrade
expect_rc "integrity: a failing non-transactional statement fails the upgrade" 1
expect "integrity: the client names the failed statement" 'statement 2 of 2 of non-transactional revision "c3" failed' "$err"
expect "integrity: the client's hint offers --resume" 'run "pg_migrate upgrade --resume" to go on from statement 2' "$err"
is "integrity: the first statement's index stays" "$(q "$db4" "SELECT count(*) FROM pg_class WHERE relname = 'drift_t_id_idx'")" 1
is "integrity: the failure is recorded" \
    "$(q "$db4" "SELECT revision, done, failed_statement, failed_line, failed_sqlstate FROM migrate.interrupted")" "c3|1|2|7|42703"
run -d "$db4" --dir "$idir" upgrade
expect_rc "integrity: the next upgrade is refused" 1
expect "integrity: the refusal names revision, statement and line" \
    'upgrade of non-transactional revision "c3" failed at statement 2 of 2 (file "c3_index.sql", line 7)' "$err"
expect "integrity: the refusal gives the reason" 'column "no_such_column" does not exist' "$err"
expect "integrity: the refusal hints at migrate_resolve" "migrate_resolve('c3', 'not applied')" "$err"
run -d "$db4" --dir "$idir" status
expect "integrity: status shows the interrupted revision" '"failed_statement": 2' "$out"
run -d "$db4" --dir "$idir" check
expect_rc "integrity: check fails while a revision is interrupted" 6
is "integrity: c3 is not applied" "$(q "$db4" "SELECT string_agg(revision, ',') FROM migrate.version")" b2

# undo by hand, resolve as not applied, fix the file, upgrade again
q "$db4" "DROP INDEX drift_t_id_idx" >/dev/null
run -d "$db4" --dir "$idir" resolve c3 not-applied
expect_rc "integrity: resolve not-applied" 0
is "integrity: the note is gone" "$(q "$db4" "SELECT count(*) FROM migrate.interrupted")" 0
is "integrity: resolve is journaled" \
    "$(q "$db4" "SELECT message FROM migrate.journal WHERE operation = 'resolve'")" \
    "upgrade not applied: statement 2 of 2 failed (SQLSTATE 42703)"
sed -i 's/(no_such_column)/(name)/' "$idir/c3_index.sql"
run -d "$db4" --dir "$idir" upgrade
expect_rc "integrity: upgrade after resolve runs the fixed revision from its start" 0
is "integrity: both indexes exist" \
    "$(q "$db4" "SELECT count(*) FROM pg_index WHERE indisvalid AND indexrelid IN ('drift_t_id_idx'::regclass, 'drift_t_name_idx'::regclass)")" 2
is "integrity: no note is left" "$(q "$db4" "SELECT count(*) FROM migrate.interrupted")" 0

# ---------------------------------------------------------------- a client killed half-way
cat >"$idir/d4_slow.sql" <<'SQL'
-- revision: d4
-- revises: c3
-- message: slow
-- transactional: false
-- migrate:upgrade
CREATE INDEX CONCURRENTLY drift_t_both_idx ON drift_t (id, name);
SELECT pg_sleep(3);
CREATE TABLE d4_after (id int);
-- migrate:downgrade
DROP TABLE IF EXISTS d4_after;
DROP INDEX CONCURRENTLY IF EXISTS drift_t_both_idx;
SQL
"$PGM" -d "$db4" --dir "$idir" upgrade >"$work/killed.out" 2>&1 &
victim=$!
# wait (at most 20 s) until the first statement is done, then kill
for _ in $(seq 1 100); do
    [ "$(q "$db4" "SELECT done FROM migrate.interrupted WHERE revision = 'd4'")" = 1 ] && break
    sleep 0.2
done
# a server-side upgrade meanwhile waits for the run rather than failing
timeout 60 psql -X -q -d "$db4" -c "SELECT * FROM migrate_upgrade('head')" >"$work/waiter.out" 2>&1 &
waiter=$!
waiting=0
for _ in $(seq 1 50); do
    waiting=$(q "$db4" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 2 AND NOT granted")
    [ "$waiting" = 1 ] && break
    sleep 0.2
done
is "integrity: migrate_upgrade waits for a running non-transactional revision" "$waiting" 1
kill -KILL "$victim"
wait "$victim" 2>/dev/null
wait "$waiter"
expect "integrity: once the killed run's backend is gone, the waiter is refused" \
    'upgrade of non-transactional revision "d4" was interrupted before statement 2 of 3' "$(cat "$work/waiter.out")"
is "integrity: the killed run had done one statement" \
    "$(q "$db4" "SELECT done FROM migrate.interrupted WHERE revision = 'd4'")" 1
# the next upgrade waits for the orphaned backend to finish its pg_sleep,
# then refuses: bounded by timeout
out=$(timeout 60 "$PGM" -d "$db4" --dir "$idir" upgrade 2>"$work/stderr")
rc=$?
err=$(cat "$work/stderr")
expect_rc "integrity: upgrade after a killed client is refused" 1
expect "integrity: the refusal says the run was interrupted" \
    'upgrade of non-transactional revision "d4" was interrupted before statement 2 of 3 (file "d4_slow.sql", line 7)' "$err"
is "integrity: the rest of d4 did not run again" "$(q "$db4" "SELECT count(*) FROM pg_class WHERE relname = 'd4_after'")" 0
is "integrity: d4 is not applied" "$(q "$db4" "SELECT string_agg(revision, ',') FROM migrate.version")" c3
# completed by hand, resolved as applied
q "$db4" "CREATE TABLE d4_after (id int)" >/dev/null
run -d "$db4" --dir "$idir" resolve d4 applied
expect_rc "integrity: resolve applied" 0
is "integrity: d4 is recorded as applied" "$(q "$db4" "SELECT string_agg(revision, ',') FROM migrate.version")" d4
is "integrity: the journal has the upgrade and the resolve" \
    "$(q "$db4" "SELECT string_agg(operation, ',' ORDER BY id) FROM migrate.journal WHERE revision = 'd4'")" "upgrade,resolve"
run -d "$db4" --dir "$idir" check
expect_rc "integrity: check passes once resolved" 0
run -d "$db4" --dir "$idir" resolve d4 maybe
expect_rc "integrity: resolve with a bad outcome is a usage error" 2

# ---------------------------------------------------------------- --resume
q "$db4" "CREATE TABLE resume_log (n int)" >/dev/null
cat >"$idir/e5_resume.sql" <<'SQL'
-- revision: e5
-- revises: d4
-- message: resumable
-- transactional: false
-- migrate:upgrade
INSERT INTO resume_log VALUES (1);
INSERT INTO resume_missing VALUES (2);
INSERT INTO resume_log VALUES (3);
-- migrate:downgrade
DELETE FROM resume_log;
SQL
run -d "$db4" --dir "$idir" upgrade
expect_rc "integrity: statement 2 of e5 fails" 1
# the cause fixed by hand; the edited failing statement may change too
q "$db4" "CREATE TABLE resume_missing (n int)" >/dev/null
sed -i 's/INSERT INTO resume_missing VALUES (2);/INSERT INTO resume_missing VALUES (20);/' "$idir/e5_resume.sql"
sed -i 's/INSERT INTO resume_log VALUES (1);/INSERT INTO resume_log VALUES (100);/' "$idir/e5_resume.sql"
run -d "$db4" --dir "$idir" upgrade --resume
expect_rc "integrity: --resume refuses when a statement that ran was edited" 1
expect "integrity: and says so" 'cannot resume revision "e5": statements that ran were edited since' "$err"
sed -i 's/INSERT INTO resume_log VALUES (100);/insert into resume_log values (1); -- as it ran/' "$idir/e5_resume.sql"
run -d "$db4" --dir "$idir" upgrade --resume
expect_rc "integrity: upgrade --resume continues the interrupted revision" 0
expect "integrity: from the failed statement" 'resuming "e5" after statement 1 of 3' "$out"
is "integrity: statements before it did not run again" "$(q "$db4" "SELECT string_agg(n::text, ',' ORDER BY n) FROM resume_log")" "1,3"
is "integrity: the fixed statement ran" "$(q "$db4" "SELECT n FROM resume_missing")" 20
is "integrity: e5 is applied and no note is left" \
    "$(q "$db4" "SELECT string_agg(revision, ',') FROM migrate.version") $(q "$db4" "SELECT count(*) FROM migrate.interrupted")" "e5 0"
run -d "$db4" --dir "$idir" check
expect_rc "integrity: check passes after the resumed run" 0
run -d "$db4" --dir "$idir" current --resume
expect_rc "integrity: --resume is an option of upgrade and downgrade only" 2
fi
