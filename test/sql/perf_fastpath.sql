-- The no-op fast path of migrate_upgrade('head'/'heads'), migrate_pending
-- and migrate_check, the generation bumps it relies on, and the
-- directory-sync functions the client uses.
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS f1, f2, f3, f4, f5, f6, f7, f8, g1, h1 CASCADE;
DO $$DECLARE r name; BEGIN
FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('perf_nobody') LOOP
  EXECUTE format('DROP OWNED BY %I', r); EXECUTE format('DROP ROLE %I', r);
END LOOP; END$$;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;
SET pg_migrate.notice_steps = off;

-- whether migrate.state claims the version rows are the heads right now
CREATE FUNCTION pg_temp.at_heads() RETURNS boolean LANGUAGE sql
AS $$ SELECT heads_generation IS NOT DISTINCT FROM generation FROM migrate.state $$;

SELECT migrate_add(revision => 'f1', upgrade => 'CREATE TABLE f1 (id int)', downgrade => 'DROP TABLE f1');
SELECT migrate_add(revision => 'f2', revises => '{f1}', upgrade => 'CREATE TABLE f2 (id int)', downgrade => 'DROP TABLE f2');
SELECT pg_temp.at_heads();
SELECT step, revision FROM migrate_upgrade('head');
SELECT pg_temp.at_heads(), heads_count FROM migrate.state;
-- at head: nothing to do, nothing written
SELECT generation AS g0 FROM migrate.state \gset
SELECT count(*) FROM migrate_upgrade('head');
SELECT count(*) FROM migrate_upgrade('heads');
SELECT count(*) FROM migrate_pending('head');
SELECT migrate_check();
SELECT generation = :g0 AS unchanged FROM migrate.state;

-- a new revision moves the generation: the fast path is not taken
SELECT migrate_add(revision => 'f3', revises => '{f2}', upgrade => 'CREATE TABLE f3 (id int)', downgrade => 'DROP TABLE f3');
SELECT pg_temp.at_heads();
SELECT revision FROM migrate_pending('head');
SELECT step, revision FROM migrate_upgrade('head');
SELECT pg_temp.at_heads();

-- a downgrade leaves the rows off the heads: the next upgrade applies
SELECT step, revision FROM migrate_downgrade('-1');
SELECT pg_temp.at_heads();
SELECT step, revision FROM migrate_upgrade('head');

-- a stamp back: same
SELECT migrate_stamp('f1');
SELECT pg_temp.at_heads();
SELECT revision FROM migrate_pending('heads');
SELECT migrate_stamp('f3');
SELECT pg_temp.at_heads();

-- a target that is not head takes the full path and its checks
SELECT count(*) FROM migrate_upgrade('f3');
SELECT count(*) FROM migrate_upgrade('f2');
SELECT count(*) FROM migrate_upgrade('nosuch');

-- a second head: 'head' is ambiguous even though the rows are the heads
SELECT migrate_add(revision => 'g1', upgrade => 'CREATE TABLE g1 (id int)', downgrade => 'DROP TABLE g1');
SELECT step, revision FROM migrate_upgrade('heads');
SELECT pg_temp.at_heads(), heads_count FROM migrate.state;
SELECT count(*) FROM migrate_upgrade('heads');
SELECT count(*) FROM migrate_upgrade('head');
SELECT count(*) FROM migrate_pending('head');
SELECT step, revision FROM migrate_downgrade('g1@base');
SELECT migrate_remove('g1');

-- one bump per transaction, but a registration after an upgrade in the
-- same transaction still moves the generation past the recorded one
BEGIN;
SELECT migrate_add(revision => 'f4', revises => '{f3}', upgrade => 'CREATE TABLE f4 (id int)', downgrade => 'DROP TABLE f4');
SELECT migrate_add(revision => 'f5', revises => '{f4}', upgrade => 'CREATE TABLE f5 (id int)', downgrade => 'DROP TABLE f5');
SELECT step, revision FROM migrate_upgrade('head');
SELECT migrate_add(revision => 'f6', revises => '{f5}', upgrade => 'CREATE TABLE f6 (id int)', downgrade => 'DROP TABLE f6');
SELECT pg_temp.at_heads();
SELECT step, revision FROM migrate_upgrade('head');
COMMIT;

-- a bump undone by a rolled-back savepoint is made again by the next change
SELECT generation AS g1 FROM migrate.state \gset
BEGIN;
SAVEPOINT s;
SELECT migrate_add(revision => 'f7', revises => '{f6}', upgrade => 'CREATE TABLE f7 (id int)', downgrade => 'DROP TABLE f7');
ROLLBACK TO SAVEPOINT s;
SELECT migrate_add(revision => 'f7', revises => '{f6}', upgrade => 'CREATE TABLE f7 (id int)', downgrade => 'DROP TABLE f7');
COMMIT;
SELECT generation > :g1 AS moved, pg_temp.at_heads() FROM migrate.state;
SELECT step, revision FROM migrate_upgrade('head');

-- a rolled-back upgrade leaves nothing recorded
BEGIN;
SELECT migrate_add(revision => 'f8', revises => '{f7}', upgrade => 'CREATE TABLE f8 (id int)', downgrade => 'DROP TABLE f8');
SELECT step, revision FROM migrate_upgrade('head');
ROLLBACK;
SELECT pg_temp.at_heads();
SELECT count(*) FROM migrate_upgrade('head');

-- the file digest kept with each revision registered from a file
SELECT migrate_add_file('010_h1.sql', E'-- revision: h1\n-- revises: f7\n-- migrate:upgrade\nCREATE TABLE h1 (id int);\n-- migrate:downgrade\nDROP TABLE h1;\n');
SELECT file_name, file_sha256 = encode(sha256(convert_to(
	E'-- revision: h1\n-- revises: f7\n-- migrate:upgrade\nCREATE TABLE h1 (id int);\n-- migrate:downgrade\nDROP TABLE h1;\n', 'UTF8')), 'hex') AS sha_ok
  FROM migrate.revision WHERE revision = 'h1';
-- the same revision from a renamed file: new name and digest, and a new generation
SELECT generation AS g2 FROM migrate.state \gset
SELECT migrate_add_file('011_h1.sql', E'-- revision: h1\n-- revises: f7\n-- migrate:upgrade\nCREATE TABLE h1 (id int);\n-- migrate:downgrade\nDROP TABLE h1;\n');
SELECT file_name, generation > :g2 AS moved FROM migrate.revision, migrate.state WHERE revision = 'h1';
-- registered without a file: no digest
SELECT migrate_add(revision => 'h1', revises => '{f7}', upgrade => E'CREATE TABLE h1 (id int);', downgrade => E'DROP TABLE h1;');
SELECT file_name, file_sha256 FROM migrate.revision WHERE revision = 'h1';
SELECT migrate_remove('h1');
SELECT file_name, revision FROM migrate_sync_files();

-- directory sync: a digest is current until anything changes
SELECT migrate_sync_check('/srv/app', 'abc');
SELECT migrate_sync_done('/srv/app', 'abc') = generation FROM migrate.state;
SELECT migrate_sync_check('/srv/app', 'abc');
SELECT migrate_sync_check('/srv/app', 'abd');
SELECT migrate_sync_check('/srv/other', 'abc');
SELECT migrate_sync_done('/srv/other', 'xyz') = generation FROM migrate.state;
SELECT count(*) FROM migrate.sync;
SELECT migrate_add(revision => 'f8', revises => '{f7}', upgrade => 'CREATE TABLE f8 (id int)', downgrade => 'DROP TABLE f8');
SELECT migrate_sync_check('/srv/app', 'abc');
SELECT migrate_sync_check('/srv/other', 'xyz');
-- a state change counts too
SELECT migrate_sync_done('/srv/app', 'abc') IS NOT NULL;
SELECT count(*) FROM migrate_upgrade('head');
SELECT migrate_sync_check('/srv/app', 'abc');
SELECT migrate_sync_check('', 'abc');
SELECT migrate_sync_done('/srv/app', '');

-- only the extension owner may use them
CREATE ROLE perf_nobody;
SET ROLE perf_nobody;
SELECT migrate_sync_check('/srv/app', 'abc');
SELECT * FROM migrate_sync_files();
SELECT migrate_sync_done('/srv/app', 'abc');
RESET ROLE;
DROP ROLE perf_nobody;

DROP EXTENSION pg_migrate;
DROP TABLE f1, f2, f3, f4, f5, f6, f7, f8;
