/*
 * test/pgtap/07_privileges.sql
 *	  Who may do what: a role without EXECUTE cannot change state; a role
 *	  granted EXECUTE can, without any privilege on schema "migrate", and
 *	  the revisions then run with its own privileges; the reports are open
 *	  to every role; migrate_load needs pg_read_server_files.
 *
 *	  Needs the psql variable "fixtures": a server directory holding the
 *	  revision files fx1 and fx2 (test/pgtap/run.sh writes it).
 */
\set ECHO none
\set QUIET 1
SET client_min_messages = warning;
SET pg_migrate.notice_steps = off;
BEGIN;
SELECT plan(21);

-- Run sql as role and return its one value as text, or "ERROR <sqlstate>".
CREATE FUNCTION pg_temp.as_role(role name, sql text) RETURNS text LANGUAGE plpgsql AS
$$
DECLARE
	result text;
BEGIN
	BEGIN
		PERFORM set_config('role', role, true);
		EXECUTE sql INTO result;
		PERFORM set_config('role', 'none', true);
	EXCEPTION WHEN OTHERS THEN
		result := 'ERROR ' || SQLSTATE;
	END;
	RETURN result;
END
$$;

CREATE ROLE pgm_test_nobody;
CREATE ROLE pgm_test_deployer;
CREATE SCHEMA pgm_test_app AUTHORIZATION pgm_test_deployer;
GRANT EXECUTE ON FUNCTION migrate_upgrade(text), migrate_downgrade(text),
	migrate_add(text, text, text[], text, text, text[], text[], boolean),
	migrate_load(text) TO pgm_test_deployer;

SELECT migrate_add('p1', 'CREATE TABLE pgm_test_app.p_one (id int)', downgrade => 'DROP TABLE pgm_test_app.p_one');

-- no EXECUTE: refused
SELECT is(pg_temp.as_role('pgm_test_nobody', $$SELECT count(*) FROM migrate_upgrade('heads')$$),
		  'ERROR 42501', 'a role without EXECUTE cannot upgrade');
SELECT is(pg_temp.as_role('pgm_test_nobody', $$SELECT migrate_add('p9', 'SELECT 1')$$),
		  'ERROR 42501', 'nor register');
SELECT is(pg_temp.as_role('pgm_test_nobody', $$SELECT count(*) FROM migrate_stamp('p1')$$),
		  'ERROR 42501', 'nor stamp');
SELECT is(pg_temp.as_role('pgm_test_nobody', $$SELECT count(*) FROM migrate_script('upgrade', 'heads')$$),
		  'ERROR 42501', 'nor read the SQL with migrate_script');
SELECT is(pg_temp.as_role('pgm_test_nobody', $$SELECT count(*) FROM migrate_record('p1', 'upgrade', 1)$$),
		  'ERROR 42501', 'nor record a step');
SELECT is((SELECT count(*) FROM migrate_current()), 0::bigint, 'nothing applied');

-- the reports are open to everyone, without privileges on schema migrate
SELECT is(pg_temp.as_role('pgm_test_nobody', $$SELECT string_agg(revision, ',') FROM migrate_pending()$$),
		  'p1', 'any role may read migrate_pending');
SELECT is(pg_temp.as_role('pgm_test_nobody', $$SELECT migrate_status()->>'pending_count'$$),
		  '1', 'any role may read migrate_status');
SELECT is(pg_temp.as_role('pgm_test_nobody', $$SELECT count(*) FROM migrate.revision$$),
		  'ERROR 42501', 'but not the catalog tables');

-- EXECUTE granted: works without privileges on schema migrate
SELECT is(pg_temp.as_role('pgm_test_deployer', $$SELECT count(*) FROM migrate.journal$$),
		  'ERROR 42501', 'the deployer has no privilege on schema migrate');
SELECT is(pg_temp.as_role('pgm_test_deployer', $$SELECT string_agg(revision, ',') FROM migrate_upgrade('heads')$$),
		  'p1', 'a role granted EXECUTE can upgrade');
SELECT is((SELECT tableowner::text FROM pg_tables WHERE tablename = 'p_one'), 'pgm_test_deployer',
		  'the revision ran as the caller');
SELECT is((SELECT role::text FROM migrate.journal ORDER BY id DESC LIMIT 1), 'pgm_test_deployer',
		  'the journal names the caller');
SELECT is(pg_temp.as_role('pgm_test_deployer', $$SELECT migrate_add('p2', 'CREATE TABLE pgm_test_app.p_two (id int)', '{p1}')$$),
		  'added', 'a role granted EXECUTE can register');
SELECT is((SELECT registered_by::text FROM migrate.revision WHERE revision = 'p2'), 'pgm_test_deployer',
		  'registered_by names the caller');

-- the revision's SQL has the caller's privileges, not the owner's
SELECT migrate_add('p3', 'CREATE TABLE pg_catalog.p_three (id int)', '{p2}');
SELECT is(pg_temp.as_role('pgm_test_deployer', $$SELECT string_agg(revision, ',') FROM migrate_upgrade('heads')$$),
		  'ERROR 42501', 'a revision needing privileges the caller lacks fails');
SELECT is((SELECT array_agg(c) FROM migrate_current() AS c), '{p1}',
		  'and nothing of that upgrade was kept');

-- migrate_load reads server files: pg_read_server_files needed
SELECT is(pg_temp.as_role('pgm_test_deployer', format('SELECT migrate_load(%L)', :'fixtures')),
		  'ERROR 42501', 'migrate_load refused without pg_read_server_files');
SELECT hasnt_table('fixture_one', 'nothing loaded or run');
GRANT pg_read_server_files TO pgm_test_deployer;
SELECT is(pg_temp.as_role('pgm_test_deployer', format('SELECT migrate_load(%L)', :'fixtures')),
		  '2', 'migrate_load with pg_read_server_files registers the two files');
SELECT results_eq($$SELECT revision, revises, file_name, message FROM migrate.revision
					WHERE revision LIKE 'fx%' ORDER BY revision$$,
				  $$VALUES ('fx1', '{}'::text[], '0001_first.sql', 'first fixture'),
						   ('fx2', '{fx1}', '0002_second.sql', 'second fixture')$$,
				  'the loaded revisions');

SELECT * FROM finish();
ROLLBACK;
