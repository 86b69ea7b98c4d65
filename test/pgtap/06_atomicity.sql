/*
 * test/pgtap/06_atomicity.sql
 *	  Running revisions: a SET in one revision does not leak into the next
 *	  nor into the caller; a failing revision leaves schema, version rows
 *	  and journal as they were, and its error names the revision; a
 *	  downgrade without downgrade SQL is refused before anything runs; an
 *	  error inside a downgrade rolls the whole downgrade back.
 */
\set ECHO none
\set QUIET 1
SET client_min_messages = warning;
SET pg_migrate.notice_steps = off;
BEGIN;
SELECT plan(22);

CREATE FUNCTION pg_temp.cur() RETURNS text[] LANGUAGE sql AS
$$ SELECT coalesce(array_agg(c ORDER BY c), '{}') FROM migrate_current() AS c $$;
-- the SQLSTATE and context of the error sql raises, or NULL
CREATE FUNCTION pg_temp.context_of(sql text) RETURNS text LANGUAGE plpgsql AS
$$
DECLARE
	c text;
BEGIN
	EXECUTE sql;
	RETURN NULL;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS c = PG_EXCEPTION_CONTEXT;
	RETURN c;
END
$$;

SET LOCAL work_mem = '4321kB';
SET LOCAL search_path = public;

-- GUC isolation
SELECT migrate_add('g1', $$SET search_path = nowhere_at_all; SET LOCAL work_mem = '7MB';
SET statement_timeout = '1ms'; CREATE TABLE public.guc_one (id int)$$);
SELECT migrate_add('g2', $$CREATE TABLE guc_two AS
	SELECT current_setting('search_path') AS sp, current_setting('work_mem') AS wm,
		   current_setting('statement_timeout') AS st;
SELECT pg_sleep(0.01)$$, '{g1}');
SELECT results_eq($$SELECT revision FROM migrate_upgrade('heads')$$, ARRAY['g1', 'g2'],
				  'both revisions ran');
SELECT has_table('public', 'guc_two', 'g2 created its table in public: search_path did not leak');
SELECT results_eq('SELECT sp, wm, st FROM public.guc_two',
				  $$VALUES ('"$user", public', '4321kB', '0')$$,
				  'g2 saw the caller''s settings and pg_migrate.search_path, not those g1 set');
SELECT is(current_setting('search_path'), 'public', 'caller''s search_path unchanged');
SELECT is(current_setting('work_mem'), '4321kB', 'caller''s work_mem unchanged');
SELECT is(current_setting('statement_timeout'), '0', 'caller''s statement_timeout unchanged');

-- a failing revision in the middle
SELECT migrate_add('f1', 'CREATE TABLE fail_one (id int)', '{g2}', 'DROP TABLE fail_one');
SELECT migrate_add('f2', $$CREATE TABLE fail_two (id int);
INSERT INTO fail_two VALUES (1);
SELECT 1 / 0$$, '{f1}', 'DROP TABLE fail_two');
SELECT migrate_add('f3', 'CREATE TABLE fail_three (id int)', '{f2}', 'DROP TABLE fail_three');
CREATE TEMP TABLE before_journal AS SELECT * FROM migrate.journal;
SELECT throws_ok($$SELECT * FROM migrate_upgrade('heads')$$, '22012', NULL,
				 'the failing revision''s error comes through');
SELECT hasnt_table('fail_one', 'f1, which ran before, was rolled back');
SELECT hasnt_table('fail_two', 'f2 was rolled back');
SELECT hasnt_table('fail_three', 'f3 never ran');
SELECT is(pg_temp.cur(), '{g2}', 'version rows unchanged');
SELECT set_eq('SELECT id, revision, operation FROM migrate.journal',
			  'SELECT id, revision, operation FROM before_journal', 'journal unchanged');
SELECT matches(pg_temp.context_of($$SELECT * FROM migrate_upgrade('heads')$$),
			   'upgrade of revision "f2" \(line 3 of its upgrade SQL\)',
			   'the error context names the revision and the line');
SELECT results_eq($$SELECT revision FROM migrate_pending()$$, ARRAY['f1', 'f2', 'f3'],
				  'still pending');

-- a revision without downgrade SQL stops a downgrade before anything runs
SELECT migrate_add('f2', 'CREATE TABLE fail_two (id int)', '{f1}', 'DROP TABLE fail_two');
SELECT migrate_add('f3', 'CREATE TABLE fail_three (id int)', '{f2}');
SELECT results_eq($$SELECT revision FROM migrate_upgrade('heads')$$, ARRAY['f1', 'f2', 'f3'],
				  'upgrade heads after fixing f2');
SELECT throws_ok($$SELECT * FROM migrate_downgrade('g2')$$, '55000',
				 'revision "f3" cannot be downgraded',
				 'downgrade through a revision without downgrade SQL (55000)');
SELECT has_table('fail_three', 'nothing was reverted');

-- an error in the middle of a downgrade rolls all of it back
SELECT is(pg_temp.cur(), '{f3}', 'at f3');
SELECT migrate_stamp('f2');
UPDATE migrate.revision SET downgrade_sql = 'DROP TABLE fail_one; SELECT 1/0' WHERE revision = 'f1';
SELECT throws_ok($$SELECT * FROM migrate_downgrade('g2')$$, '22012', NULL,
				 'the downgrade of f1, the second step, fails');
SELECT has_table('fail_two', 'f2, reverted before f1 failed, is back');
SELECT has_table('fail_one', 'fail_one is back');
SELECT is(pg_temp.cur(), '{f2}', 'version rows unchanged');

SELECT * FROM finish();
ROLLBACK;
