/*
 * test/pgtap/05_errors.sql
 *	  The SQLSTATE of every error a caller can cause: unknown revision
 *	  (42704), ambiguous prefix (42P08), several heads (21000), bad target
 *	  (22023), invalid graph (42P17: cycle, unknown parent or dependency,
 *	  duplicate branch label) refused before anything runs, migrate_check
 *	  (55000), non-transactional revision (25001, with its hint), transaction
 *	  control in a revision (25000), an applied revision changed (55000),
 *	  and invalid registrations.
 */
\set ECHO none
\set QUIET 1
SET client_min_messages = warning;
SET pg_migrate.notice_steps = off;
BEGIN;
SELECT plan(46);

CREATE FUNCTION pg_temp.cur() RETURNS text[] LANGUAGE sql AS
$$ SELECT coalesce(array_agg(c ORDER BY c), '{}') FROM migrate_current() AS c $$;
CREATE FUNCTION pg_temp.reset() RETURNS void LANGUAGE sql AS
$$ DELETE FROM migrate.version; DELETE FROM migrate.journal; DELETE FROM migrate.revision $$;
-- the hint of the error sql raises, or NULL
CREATE FUNCTION pg_temp.hint_of(sql text) RETURNS text LANGUAGE plpgsql AS
$$
DECLARE
	h text;
BEGIN
	EXECUTE sql;
	RETURN NULL;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
	RETURN h;
END
$$;
CREATE TABLE err_log (revision text NOT NULL);
CREATE FUNCTION pg_temp.logged() RETURNS bigint LANGUAGE sql AS
$$ SELECT count(*) FROM err_log $$;

-- targets
SELECT migrate_add('abcd01', $$INSERT INTO err_log VALUES ('abcd01')$$);
SELECT migrate_add('abcd02', $$INSERT INTO err_log VALUES ('abcd02')$$, '{abcd01}');
SELECT migrate_add('abce03', $$INSERT INTO err_log VALUES ('abce03')$$, '{abcd01}');
SELECT throws_ok($$SELECT * FROM migrate_upgrade('nosuch')$$, '42704', NULL,
				 'unknown revision (42704)');
SELECT throws_ok($$SELECT * FROM migrate_upgrade('abcd')$$, '42P08', NULL,
				 'ambiguous prefix (42P08)');
SELECT throws_ok($$SELECT * FROM migrate_pending('abc')$$, '42P08', NULL,
				 'ambiguous prefix in migrate_pending (42P08)');
SELECT results_eq($$SELECT revision FROM migrate_pending('abce')$$, ARRAY['abcd01', 'abce03'],
				  'a unique prefix resolves');
SELECT throws_ok($$SELECT * FROM migrate_upgrade('head')$$, '21000', NULL,
				 'head with several heads (21000)');
SELECT throws_ok($$SELECT * FROM migrate_upgrade('+1+1')$$, NULL, NULL,
				 'garbage target refused');
SELECT throws_ok($$SELECT * FROM migrate_upgrade('')$$, '22023', NULL,
				 'empty target refused (22023), not read as "nothing to do"');
SELECT throws_ok($$SELECT * FROM migrate_upgrade('abcd01@')$$, '22023', NULL,
				 'target with an empty part after "@" refused (22023)');
SELECT throws_ok($$SELECT * FROM migrate_script('sideways', 'heads')$$, '22023', NULL,
				 'migrate_script with a bad operation (22023)');
SELECT throws_ok($$SELECT * FROM migrate_record('abcd01', 'sideways', 1)$$, '22023', NULL,
				 'migrate_record with a bad operation (22023)');
SELECT throws_ok($$SELECT * FROM migrate_record('abcd01', 'upgrade', -1)$$, '22023', NULL,
				 'migrate_record with a negative duration (22023)');
SELECT throws_ok($$SELECT * FROM migrate_record('abcd02', 'upgrade', 1)$$, '55000', NULL,
				 'migrate_record of a step that is not next (55000)');
SELECT throws_ok($$SELECT * FROM migrate_history('nosuch:')$$, '42704', NULL,
				 'history range with an unknown revision (42704)');
SELECT is(pg_temp.logged(), 0::bigint, 'no failed call ran anything');

-- downgrade towards a revision above the current one
SELECT results_eq($$SELECT revision FROM migrate_upgrade('abcd01')$$, ARRAY['abcd01'], 'upgrade abcd01');
SELECT throws_ok($$SELECT * FROM migrate_downgrade('abcd02')$$, '22023', NULL,
				 'downgrade to a revision above the current one (22023)');
SELECT throws_ok($$SELECT * FROM migrate_downgrade('')$$, '22023', NULL,
				 'downgrade to an empty target refused (22023), not read as base');
SELECT is(pg_temp.logged(), 1::bigint, 'abcd01 still applied');
SELECT throws_ok('SELECT migrate_check()', '55000', '2 revisions are pending',
				 'migrate_check with pending revisions (55000)');

-- an applied revision cannot move in the graph; an unapplied one can
SELECT throws_ok($$SELECT migrate_add('abcd01', 'SELECT 1', '{abcd02}')$$, '55000',
				 'revision "abcd01" is applied and cannot be changed',
				 'changing an applied revision (55000)');
SELECT is(migrate_add('abcd01', $$INSERT INTO err_log VALUES ('abcd01')$$), 'unchanged',
		  'registering an applied revision unchanged is fine');
SELECT is(migrate_add('abcd02', 'SELECT 2', '{abcd01}'), 'replaced',
		  'an unapplied revision may be replaced');
SELECT is((SELECT upgrade_sql FROM migrate.revision WHERE revision = 'abcd02'), 'SELECT 2',
		  'the replacement is stored');

-- invalid registrations
SELECT throws_ok($$SELECT migrate_add('bad id', 'SELECT 1')$$, '22023', NULL,
				 'revision id with a space (22023)');
SELECT throws_ok($$SELECT migrate_add('', 'SELECT 1')$$, '22023', NULL, 'empty revision id (22023)');
SELECT throws_ok($$SELECT migrate_add('x1', 'SELECT 1', '{"bad parent"}')$$, '22023', NULL,
				 'bad parent id (22023)');
SELECT throws_ok($$SELECT migrate_add(NULL, 'SELECT 1')$$, '22004', NULL, 'null revision (22004)');
SELECT throws_ok($$SELECT migrate_add('x1', NULL)$$, '22004', NULL, 'null upgrade SQL (22004)');
SELECT throws_ok($$SELECT migrate_add('x1', 'SELECT 1', ARRAY[NULL]::text[])$$, '22004', NULL,
				 'null parent (22004)');
SELECT throws_ok($$SELECT migrate_add_file('x.sql', 'no header at all')$$, '42601', NULL,
				 'unparsable revision file (42601)');

-- an invalid graph is refused before anything runs, by every reader
SELECT pg_temp.reset();
TRUNCATE err_log;
SELECT migrate_add('v1', $$INSERT INTO err_log VALUES ('v1')$$);
SELECT migrate_add('u1', $$INSERT INTO err_log VALUES ('u1')$$, '{v1,nowhere}');
SELECT throws_ok($$SELECT * FROM migrate_upgrade('v1')$$, '42P17', NULL,
				 'unknown parent makes the graph invalid (42P17)');
SELECT throws_ok($$SELECT migrate_status()$$, '42P17', NULL, 'migrate_status reports it too');
DELETE FROM migrate.revision WHERE revision = 'u1';
SELECT migrate_add('u2', $$INSERT INTO err_log VALUES ('u2')$$, '{v1}', depends_on => '{nowhere}');
SELECT throws_ok($$SELECT * FROM migrate_upgrade('heads')$$, '42P17', NULL,
				 'unknown dependency (42P17)');
DELETE FROM migrate.revision WHERE revision = 'u2';
SELECT migrate_add('c1', $$INSERT INTO err_log VALUES ('c1')$$, '{c2}');
SELECT migrate_add('c2', $$INSERT INTO err_log VALUES ('c2')$$, '{c1}');
SELECT throws_ok($$SELECT * FROM migrate_upgrade('v1')$$, '42P17', NULL, 'a cycle (42P17)');
DELETE FROM migrate.revision WHERE revision IN ('c1', 'c2');
SELECT migrate_add('d1', 'SELECT 1', '{v1}', branch_labels => '{lab}');
SELECT migrate_add('d2', 'SELECT 1', '{v1}', branch_labels => '{lab}');
SELECT throws_ok($$SELECT * FROM migrate_upgrade('v1')$$, '42P17', NULL,
				 'a branch label used twice (42P17)');
SELECT throws_ok('SELECT * FROM migrate_current()', '42P17', NULL,
				 'migrate_current refuses an invalid graph too');
DELETE FROM migrate.revision WHERE revision = 'd2';
SELECT is(pg_temp.logged(), 0::bigint, 'nothing ran while the graph was invalid');
SELECT is(pg_temp.cur(), '{}', 'no version rows');

-- non-transactional revisions, refused before anything runs, with a hint
SELECT pg_temp.reset();
SELECT migrate_add('n1', $$INSERT INTO err_log VALUES ('n1')$$);
SELECT migrate_add('n2', 'CREATE INDEX CONCURRENTLY err_log_idx ON err_log (revision)', '{n1}',
				   transactional => false);
SELECT throws_ok($$SELECT * FROM migrate_upgrade('heads')$$, '25001',
				 'revision "n2" cannot run inside a transaction block',
				 'non-transactional revision refused (25001)');
SELECT matches(pg_temp.hint_of($$SELECT * FROM migrate_upgrade('heads')$$), 'pg_migrate client',
			   'the hint points at the client');
SELECT results_eq($$SELECT revision, transactional FROM migrate_pending()$$,
				  $$VALUES ('n1', true), ('n2', false)$$,
				  'migrate_pending shows which revision is non-transactional');

-- transaction control inside a revision: refused when registered, and
-- when run (a row written straight into the catalog skips registration)
SELECT throws_ok($$SELECT migrate_add('n2', 'INSERT INTO err_log VALUES (''n2''); COMMIT', '{n1}')$$,
				 '25000', 'revision "n2" contains a transaction control statement',
				 'registering transaction control is refused (25000)');
SELECT throws_ok($$SELECT migrate_add('n3', 'SELEC 1', '{n1}')$$, '42601', NULL,
				 'registering a syntax error is refused (42601)');
UPDATE migrate.revision SET upgrade_sql = 'INSERT INTO err_log VALUES (''n2''); COMMIT',
	transactional = true WHERE revision = 'n2';
SELECT throws_ok($$SELECT * FROM migrate_upgrade('heads')$$, '25000',
				 'revision "n2" contains a transaction control statement',
				 'running transaction control is refused (25000)');
SELECT is(pg_temp.logged(), 0::bigint, 'n1 was rolled back with it');
SELECT is(pg_temp.cur(), '{}', 'no version rows');

SELECT * FROM finish();
ROLLBACK;
