-- Checksums of revision SQL, drift, repair; interrupted non-transactional
-- steps and migrate_resolve
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS integ_t, integ_3, integ_4 CASCADE;
DO $$DECLARE r name; BEGIN
FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('regress_integrity_reader') LOOP
  EXECUTE format('DROP OWNED BY %I', r); EXECUTE format('DROP ROLE %I', r);
END LOOP; END$$;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;

-- the fingerprint ignores layout, comments, line endings and keyword case
SELECT migrate_fingerprint('CREATE TABLE t (id int, name text);') AS base \gset
SELECT migrate_fingerprint(E'create table T (\n\tID INT,\n\tname TEXT\n)') = :'base' AS reindented_lower_case,
       migrate_fingerprint(E'-- a table\r\nCREATE TABLE t /* the t */ (id int, name text);\r\n') = :'base' AS comments_crlf,
       migrate_fingerprint('CREATE TABLE t (id int, name text);;') = :'base' AS extra_semicolon,
       migrate_fingerprint('CREATE TABLE t (id int, name text)') = :'base' AS no_semicolon;
-- and changes with anything the parser sees
SELECT migrate_fingerprint('CREATE TABLE t (id bigint, name text);') = :'base' AS other_type,
       migrate_fingerprint('CREATE TABLE u (id int, name text);') = :'base' AS other_table,
       migrate_fingerprint('CREATE TABLE "T" (id int, name text);') = :'base' AS quoted_upper_case,
       migrate_fingerprint('CREATE TABLE t (id int, name text); SELECT 1;') = :'base' AS added_statement,
       migrate_fingerprint('CREATE TABLE t (name text, id int);') = :'base' AS reordered;
-- literals count by value
SELECT migrate_fingerprint($$INSERT INTO t VALUES (1, 'a')$$) = migrate_fingerprint($$insert into t values (1, 'b')$$) AS other_string,
       migrate_fingerprint($$INSERT INTO t VALUES (1, 'a')$$) = migrate_fingerprint($$INSERT INTO t VALUES (2, 'a')$$) AS other_number,
       migrate_fingerprint($$INSERT INTO t VALUES (1, 'it''s')$$) = migrate_fingerprint($$INSERT INTO t VALUES (1, E'it\'s')$$) AS same_value_escaped,
       migrate_fingerprint($$SELECT 1 <> 2$$) = migrate_fingerprint($$SELECT 1 != 2$$) AS same_operator;
-- statements the server cannot write out as a tree still count
SELECT migrate_fingerprint('ALTER TABLE t ADD COLUMN c int') = migrate_fingerprint('ALTER TABLE t ADD COLUMN c int8') AS alter_type,
       migrate_fingerprint('DROP TABLE a, b') = migrate_fingerprint('drop table A,B') AS drop_same;
-- a dollar-quoted body is a literal: its text counts as written
SELECT migrate_fingerprint($q$CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$SELECT 1$$$q$)
     = migrate_fingerprint($q$CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$SELECT  1$$$q$) AS body_spacing;
SELECT length(migrate_fingerprint('')) AS empty_length;
SELECT migrate_fingerprint('CREATE TABLE (');

-- registration stores the checksums
SELECT migrate_add_file('i1_first.sql', $f$-- revision: i1
-- message: first
-- migrate:upgrade
CREATE TABLE integ_t (id int);
-- migrate:downgrade
DROP TABLE integ_t;
$f$);
SELECT migrate_add_file('i2_second.sql', $f$-- revision: i2
-- revises: i1
-- message: second
-- migrate:upgrade
ALTER TABLE integ_t ADD COLUMN name text;
-- migrate:downgrade
ALTER TABLE integ_t DROP COLUMN name;
$f$);
SELECT revision, upgrade_checksum = migrate_fingerprint(upgrade_sql) AS up_ok,
       downgrade_checksum = migrate_fingerprint(downgrade_sql) AS down_ok
  FROM migrate.revision ORDER BY seq;
SELECT revision FROM migrate_upgrade('head');
-- the journal keeps the checksum each step ran with
SELECT j.revision, j.operation, j.checksum = r.upgrade_checksum AS upgrade_checksum
  FROM migrate.journal j JOIN migrate.revision r USING (revision) ORDER BY j.id;

-- a formatting-only edit of an applied revision is not drift: the new text
-- is kept, the revision is unchanged
SELECT migrate_add_file('i2_second.sql', $f$-- revision: i2
-- revises: i1
-- message: second
-- migrate:upgrade
-- the name, nullable
alter table INTEG_T
    add column NAME text;
-- migrate:downgrade
ALTER TABLE integ_t DROP COLUMN name;
$f$);
SELECT upgrade_line, upgrade_sql FROM migrate.revision WHERE revision = 'i2';
SELECT count(*) FROM migrate_drift();

-- a real change is drift: stored, reported, and every migration refused
SELECT migrate_add_file('i2_second.sql', $f$-- revision: i2
-- revises: i1
-- message: second
-- migrate:upgrade
ALTER TABLE integ_t ADD COLUMN name varchar(40);
-- migrate:downgrade
ALTER TABLE integ_t DROP COLUMN name;
$f$);
SELECT revision, file_name, applied_upgrade_checksum = migrate_fingerprint('ALTER TABLE integ_t ADD COLUMN name text') AS applied_ok,
       upgrade_checksum = migrate_fingerprint('ALTER TABLE integ_t ADD COLUMN name varchar(40)') AS registered_ok,
       applied_downgrade_checksum = downgrade_checksum AS downgrade_same
  FROM migrate_drift();
SELECT s->'drift'->0->>'revision' AS revision, s->'drift'->0->>'file' AS file,
       s->'drift'->0->>'applied_checksum' <> s->'drift'->0->>'registered_checksum' AS differs
  FROM migrate_status() s;
SELECT migrate_add(revision => 'i3', revises => '{i2}', upgrade => 'CREATE TABLE integ_3 (id int)');
SELECT * FROM migrate_upgrade('head');
SELECT * FROM migrate_downgrade('base');
SELECT * FROM migrate_stamp('i1');
SELECT migrate_check();
SELECT * FROM migrate_current();
-- registering the drifted file again changes nothing more
SELECT migrate_add_file('i2_second.sql', $f$-- revision: i2
-- revises: i1
-- message: second
-- migrate:upgrade
ALTER TABLE integ_t ADD COLUMN name varchar(40);
-- migrate:downgrade
ALTER TABLE integ_t DROP COLUMN name;
$f$);
-- a change of the graph edges of an applied revision is still refused
SELECT migrate_add(revision => 'i2', revises => '{}', upgrade => 'ALTER TABLE integ_t ADD COLUMN name text',
                   downgrade => 'ALTER TABLE integ_t DROP COLUMN name');
SELECT migrate_add(revision => 'i2', revises => '{i1}', upgrade => 'ALTER TABLE integ_t ADD COLUMN name text',
                   downgrade => 'ALTER TABLE integ_t DROP COLUMN name', transactional => false);

-- only privileged roles repair or resolve
CREATE ROLE regress_integrity_reader;
SET ROLE regress_integrity_reader;
SELECT count(*) FROM migrate_drift();
SELECT migrate_repair('i2');
SELECT migrate_resolve('i2', 'applied');
RESET ROLE;
DROP ROLE regress_integrity_reader;

-- repair: bad arguments, then the acknowledgement, journaled
SELECT migrate_repair('nope');
SELECT migrate_repair('i1');
SELECT migrate_repair('i2') = migrate_fingerprint('ALTER TABLE integ_t ADD COLUMN name varchar(40)') AS repaired;
SELECT revision, operation, message, checksum = migrate_fingerprint('ALTER TABLE integ_t ADD COLUMN name varchar(40)') AS new_checksum,
       version_after
  FROM migrate.journal WHERE operation = 'repair';
SELECT count(*) FROM migrate_drift();
SELECT migrate_repair('i2');
SELECT revision FROM migrate_upgrade('head');

-- restoring the file after an edit ends the drift as well
SELECT migrate_add(revision => 'i3', revises => '{i2}', upgrade => 'CREATE TABLE integ_3 (id bigint)');
SELECT count(*) FROM migrate_drift();
SELECT migrate_add(revision => 'i3', revises => '{i2}', upgrade => 'create table integ_3 (id int)');
SELECT count(*) FROM migrate_drift();
-- adding a downgrade section to an applied revision is drift too: the SQL
-- that would revert it was not there when it was applied
SELECT migrate_add(revision => 'i3', revises => '{i2}', upgrade => 'create table integ_3 (id int)',
                   downgrade => 'DROP TABLE integ_3');
SELECT revision, applied_downgrade_checksum IS NULL AS had_none FROM migrate_drift();
SELECT migrate_repair('i3') IS NOT NULL AS repaired;
SELECT message FROM migrate.journal WHERE revision = 'i3' AND operation = 'repair';

-- an unapplied revision may still be replaced freely
SELECT migrate_add(revision => 'i4', revises => '{i3}', upgrade => 'CREATE TABLE integ_4 (id int)',
                   downgrade => 'DROP TABLE integ_4');
SELECT migrate_add(revision => 'i4', revises => '{i3}', upgrade => 'CREATE TABLE integ_4 (id bigint)',
                   downgrade => 'DROP TABLE integ_4');

-- a non-transactional step that failed half-way blocks every migration
SELECT migrate_add_file('i5_index.sql', $f$-- revision: i5
-- revises: i4
-- message: indexes
-- transactional: false
-- migrate:upgrade
CREATE INDEX CONCURRENTLY integ_4_id_idx ON integ_4 (id);

CREATE INDEX CONCURRENTLY integ_4_x_idx ON integ_4 (x);
-- migrate:downgrade
DROP INDEX CONCURRENTLY integ_4_x_idx;
DROP INDEX CONCURRENTLY integ_4_id_idx;
$f$);
SELECT revision FROM migrate_upgrade('i4');
SELECT migrate_outside_start('i4', 'upgrade', 1);
SELECT migrate_outside_start('i5', 'sideways', 2);
SELECT migrate_outside_start('i5', 'upgrade', 2);
SELECT migrate_outside_start('i5', 'upgrade', 2);
SELECT migrate_outside_progress('i5', 1);
SELECT migrate_outside_failed('i5', 1, '42703', 'column "x" does not exist');
SELECT migrate_outside_failed('i5', 2, '42703', 'column "x" does not exist');
SELECT migrate_outside_progress('i5', 2);
SELECT revision, operation, statements, done, failed_statement, failed_line, failed_sqlstate
  FROM migrate.interrupted;
SELECT s->'interrupted'->>'revision' AS revision, s->'interrupted'->>'failed_line' AS line
  FROM migrate_status() s;
SELECT * FROM migrate_upgrade('head');
SELECT * FROM migrate_downgrade('i3');
SELECT * FROM migrate_stamp('i4');
SELECT migrate_check();
SELECT * FROM migrate_record('i5', 'upgrade', 1);
SELECT migrate_remove('i5');
-- resolve: bad arguments, then "not applied": the revision stays pending
SELECT migrate_resolve('i5', 'maybe');
SELECT migrate_resolve('i4', 'applied');
SELECT migrate_resolve('i5', 'not applied');
SELECT count(*) FROM migrate.interrupted;
SELECT * FROM migrate_current();
SELECT revision FROM migrate_pending();
-- again, resolved as "applied": recorded as the next upgrade
SELECT migrate_outside_start('i5', 'upgrade', 2);
SELECT migrate_outside_progress('i5', 1);
SELECT migrate_outside_failed('i5', 2, '42703', 'column "x" does not exist');
SELECT migrate_resolve('i5', 'applied');
SELECT * FROM migrate_current();
SELECT revision, operation, message FROM migrate.journal WHERE revision = 'i5' ORDER BY id;
-- a step that completes is recorded and leaves no note
SELECT * FROM migrate_record('i5', 'downgrade', 1);
SELECT migrate_outside_start('i5', 'upgrade', 2);
SELECT migrate_outside_progress('i5', 2);
SELECT * FROM migrate_record('i5', 'upgrade', 1);
SELECT count(*) FROM migrate.interrupted;
SELECT migrate_check();

-- resuming takes the note over and continues after the last statement done
SELECT * FROM migrate_record('i5', 'downgrade', 1);
SELECT migrate_outside_resume('i5', 'upgrade', 2);
SELECT migrate_outside_start('i5', 'upgrade', 2);
SELECT migrate_outside_resume('i5', 'upgrade', 2);
SELECT migrate_outside_progress('i5', 1);
SELECT migrate_outside_failed('i5', 2, '42703', 'column "x" does not exist');
SELECT migrate_outside_resume('i5', 'downgrade', 2);
SELECT migrate_outside_resume('i5', 'upgrade', 0);
SELECT migrate_outside_resume('i5', 'upgrade', 2);
SELECT done, failed_statement, backend_pid = pg_backend_pid() AS mine FROM migrate.interrupted;
SELECT migrate_outside_progress('i5', 2);
SELECT * FROM migrate_record('i5', 'upgrade', 1);
-- a statement that ran, edited since: no resuming
SELECT * FROM migrate_record('i5', 'downgrade', 1);
SELECT migrate_outside_start('i5', 'upgrade', 2);
SELECT migrate_outside_progress('i5', 1);
SELECT migrate_outside_failed('i5', 2, '42703', 'column "x" does not exist');
SELECT migrate_add_file('i5_index.sql', $f$-- revision: i5
-- revises: i4
-- message: indexes
-- transactional: false
-- migrate:upgrade
CREATE INDEX CONCURRENTLY integ_4_id_idx ON integ_4 (id, id);
CREATE INDEX CONCURRENTLY integ_4_x_idx ON integ_4 (x);
-- migrate:downgrade
DROP INDEX CONCURRENTLY integ_4_x_idx;
DROP INDEX CONCURRENTLY integ_4_id_idx;
$f$);
SELECT migrate_outside_resume('i5', 'upgrade', 2);
SELECT migrate_resolve('i5', 'not-applied');

DROP EXTENSION pg_migrate;
DROP TABLE integ_4, integ_3, integ_t;
