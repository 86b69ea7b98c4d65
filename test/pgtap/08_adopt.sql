/*
 * test/pgtap/08_adopt.sql
 *	  migrate_adopt: the SQLSTATE of each refusal, nothing changed after
 *	  one, and a kept golang-migrate table through upgrade, a failed
 *	  upgrade, downgrade and stamp.
 */
\set ECHO none
\set QUIET 1
SET client_min_messages = warning;
SET pg_migrate.notice_steps = off;
BEGIN;
SELECT plan(14);

CREATE FUNCTION pg_temp.cur() RETURNS text[] LANGUAGE sql AS
$$ SELECT coalesce(array_agg(c ORDER BY c), '{}') FROM migrate_current() AS c $$;
CREATE FUNCTION pg_temp.kept() RETURNS text LANGUAGE plpgsql AS
$$ BEGIN RETURN (SELECT coalesce(string_agg(version || ',' || dirty, ' '), '') FROM schema_migrations); END $$;

SELECT migrate_add_files(
  ARRAY['1.sql', '2.sql', '3.sql'],
  ARRAY[E'-- revision: v1\n-- source: golang-migrate 1\n-- migrate:upgrade\nCREATE TABLE tap_a (id int);\n-- migrate:downgrade\nDROP TABLE tap_a;\n',
        E'-- revision: v2\n-- revises: v1\n-- source: golang-migrate 2\n-- migrate:upgrade\nCREATE TABLE tap_b (id int);\n-- migrate:downgrade\nDROP TABLE tap_b;\n',
        E'-- revision: v3\n-- revises: v2\n-- source: golang-migrate 3\n-- migrate:upgrade\nCREATE TABLE tap_c (id int);\n-- migrate:downgrade\nDROP TABLE tap_c;\n']);

SELECT throws_ok($$SELECT * FROM migrate_adopt('golang-migrate')$$, '42P01', NULL,
				 'no version table: 42P01');
CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
INSERT INTO schema_migrations VALUES (2, true);
SELECT throws_ok($$SELECT * FROM migrate_adopt('golang-migrate')$$, '55000', NULL,
				 'dirty: 55000');
UPDATE schema_migrations SET version = 7, dirty = false;
SELECT throws_ok($$SELECT * FROM migrate_adopt('golang-migrate')$$, '42704',
				 'version "7" of golang-migrate is applied but no registered revision carries it',
				 'unknown version: 42704, named');
SELECT throws_ok($$SELECT * FROM migrate_adopt('mystery')$$, '22023', NULL,
				 'unknown tool: 22023');
SELECT is(pg_temp.cur(), '{}', 'the refusals stamped nothing');
SELECT is((SELECT count(*) FROM migrate.journal), 0::bigint, 'and journaled nothing');

UPDATE schema_migrations SET version = 2;
CREATE TABLE tap_a (id int);
CREATE TABLE tap_b (id int);
SELECT is(ARRAY(SELECT migrate_adopt('golang-migrate', true)), '{v2}', 'adopted at v2');
SELECT is(ARRAY(SELECT revision FROM migrate.journal WHERE operation = 'adopt' ORDER BY id),
		  '{v1,v2}', 'journaled as adopt');
SELECT is(ARRAY(SELECT revision FROM migrate_upgrade('head')), '{v3}', 'upgrade runs only v3');
SELECT is(pg_temp.kept(), '3,false', 'kept table at 3');

-- a failing upgrade rolls back both tables together
SELECT migrate_add_files(ARRAY['4.sql'], ARRAY[E'-- revision: v4\n-- revises: v3\n-- source: golang-migrate 4\n-- migrate:upgrade\nSELECT 1/0;\n']);
SELECT throws_ok($$SELECT * FROM migrate_upgrade('head')$$, '22012', NULL, 'a failing upgrade');
SELECT is(pg_temp.kept(), '3,false', 'the kept table did not move');

SELECT is(ARRAY(SELECT revision FROM migrate_downgrade('v1')), '{v3,v2}', 'downgrade to v1');
SELECT is(pg_temp.kept(), '1,false', 'kept table at 1');

SELECT * FROM finish();
ROLLBACK;
