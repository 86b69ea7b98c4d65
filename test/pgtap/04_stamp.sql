/*
 * test/pgtap/04_stamp.sql
 *	  migrate_stamp: set the version rows without running SQL, to base, to
 *	  heads, to several targets, with its journal entries and its errors.
 *	  Graph as in 02_branches.sql (core: m1 <- m2 <- m3; plugin: s1 <- s2
 *	  <- s3, s2 depends on m2).  Expected rows were checked against
 *	  Alembic 1.8.
 */
\set ECHO none
\set QUIET 1
SET client_min_messages = warning;
SET pg_migrate.notice_steps = off;
BEGIN;
SELECT plan(24);

CREATE FUNCTION pg_temp.cur() RETURNS text[] LANGUAGE sql AS
$$ SELECT coalesce(array_agg(c ORDER BY c), '{}') FROM migrate_current() AS c $$;
CREATE FUNCTION pg_temp.stamp(VARIADIC t text[]) RETURNS text[] LANGUAGE sql AS
$$ SELECT coalesce(array_agg(r ORDER BY r), '{}') FROM migrate_stamp(VARIADIC t) AS r $$;

-- every revision would fail if it ran: stamping must run none of them
SELECT migrate_add('m1', 'SELECT 1/0', '{}', 'SELECT 1/0', branch_labels => '{core}');
SELECT migrate_add('m2', 'SELECT 1/0', '{m1}', 'SELECT 1/0');
SELECT migrate_add('m3', 'SELECT 1/0', '{m2}', 'SELECT 1/0');
SELECT migrate_add('s1', 'SELECT 1/0', '{}', 'SELECT 1/0', branch_labels => '{plugin}');
SELECT migrate_add('s2', 'SELECT 1/0', '{s1}', 'SELECT 1/0', depends_on => '{m2}');
SELECT migrate_add('s3', 'SELECT 1/0', '{s2}', 'SELECT 1/0', message => 'third plugin');

SELECT is(pg_temp.stamp('m2', 's1'), '{m2,s1}', 'stamp two targets from base');
SELECT is(pg_temp.cur(), '{m2,s1}', 'rows m2, s1');
SELECT results_eq($$SELECT revision, operation, version_after, duration_ms
					FROM migrate.journal ORDER BY id$$,
				  $$VALUES ('m2', 'stamp', '{m2,s1}'::text[], 0::float8),
						   ('s1', 'stamp', '{m2,s1}', 0)$$,
				  'journal: one stamp entry per new row');
SELECT is(pg_temp.stamp('m3'), '{m3,s1}', 'stamp m3 replaces m2 and keeps s1');
SELECT results_eq($$SELECT revision, version_after FROM migrate.journal ORDER BY id OFFSET 2$$,
				  $$VALUES ('m3', '{m3,s1}'::text[])$$,
				  'journal: the kept row s1 is not stamped again');
SELECT is(pg_temp.stamp('base'), '{}', 'stamp base clears the rows');
SELECT results_eq($$SELECT revision, version_after FROM migrate.journal
					WHERE id = (SELECT max(id) FROM migrate.journal)$$,
				  $$VALUES (NULL::text, '{}'::text[])$$,
				  'journal: stamp base is one entry without a revision');
SELECT is(pg_temp.stamp('heads'), '{m3,s3}', 'stamp heads from base');
SELECT is(pg_temp.stamp('s1'), '{m3,s1}', 'stamp s1 moves the plugin line down, keeps m3');
SELECT is(pg_temp.stamp('m1'), '{m1,s1}', 'stamp m1 moves the core line down, keeps s1');
SELECT is(pg_temp.stamp('core@head'), '{m3,s1}', 'stamp core@head');
SELECT is(pg_temp.stamp('plugin@base'), '{m3}', 'stamp plugin@base leaves core alone');
SELECT is(pg_temp.stamp('base'), '{}', 'stamp base again');
SELECT is(pg_temp.stamp('s2'), '{s2}', 'stamp s2: its parent and dependency are implied');
SELECT results_eq($$SELECT revision, applied FROM migrate_history() ORDER BY revision$$,
				  $$VALUES ('m1', true), ('m2', true), ('m3', false),
						   ('s1', true), ('s2', true), ('s3', false)$$,
				  'applied flags after stamp s2');
SELECT results_eq($$SELECT revision FROM migrate_pending()$$, ARRAY['s3', 'm3'],
				  'pending after stamp s2, in Alembic''s order');
SELECT is(migrate_status()->'last_migration'->>'operation', 'stamp', 'status shows the last stamp');

-- errors
SELECT throws_ok($$SELECT migrate_stamp(VARIADIC '{}'::text[])$$, '22023', 'no stamp target given',
				 'stamp without targets (22023)');
SELECT throws_ok($$SELECT migrate_stamp('nosuch')$$, '42704', NULL, 'stamp unknown revision (42704)');
SELECT throws_ok($$SELECT migrate_stamp('+1')$$, '22023', NULL, 'relative stamp target refused (22023)');
SELECT throws_ok($$SELECT migrate_stamp(VARIADIC ARRAY['m1', NULL])$$, '22004', NULL,
				 'null stamp target (22004)');
SELECT is(pg_temp.cur(), '{s2}', 'failed stamps changed nothing');

-- upgrading after a stamp runs only what is above it
SELECT migrate_add('m3', 'CREATE TABLE stamp_m3 (id int)', '{m2}', 'DROP TABLE stamp_m3');
SELECT migrate_add('s3', 'CREATE TABLE stamp_s3 (id int)', '{s2}', 'DROP TABLE stamp_s3');
SELECT results_eq($$SELECT revision FROM migrate_upgrade('heads') ORDER BY revision$$,
				  ARRAY['m3', 's3'], 'upgrade after a stamp runs only the revisions above it');
SELECT is(pg_temp.cur(), '{m3,s3}', 'rows m3, s3');

SELECT * FROM finish();
ROLLBACK;
