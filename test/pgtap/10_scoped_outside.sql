/*
 * test/pgtap/10_scoped_outside.sql
 *	  Non-transactional revisions in a scope: the server refuses to run one
 *	  itself and points at the client; the client's calls (plan with SQL,
 *	  notes, record, resolve) take the scope, their notes are the scope's
 *	  own, so that a step left interrupted in one tenant blocks that tenant
 *	  only and is resolved there; the scope's advisory lock is the one the
 *	  client takes (hashtext of the name); NULL arguments are refused.
 *	  The statements themselves run outside a transaction block, which the
 *	  client tests (test/client/scopeoutside.sh) do; here the notes are
 *	  driven by hand, as the client drives them.
 */
\set ECHO none
\set QUIET 1
SET client_min_messages = warning;
SET pg_migrate.notice_steps = off;
BEGIN;
SELECT plan(34);

CREATE FUNCTION pg_temp.cur(s text) RETURNS text[] LANGUAGE sql AS
$$ SELECT coalesce(array_agg(c ORDER BY c), '{}') FROM migrate_current(s) AS c $$;

-- o1 <- o2 (non-transactional, two statements) <- o3
SELECT migrate_add_file('001_item.sql', E'-- revision: o1\n-- migrate:upgrade\n'
	'CREATE TABLE item (id int);\n-- migrate:downgrade\nDROP TABLE item;\n');
SELECT migrate_add_file('002_index.sql', E'-- revision: o2\n-- revises: o1\n-- transactional: false\n'
	'-- migrate:upgrade\nCREATE INDEX CONCURRENTLY item_id ON item (id);\n'
	'CREATE INDEX CONCURRENTLY item_id2 ON item (id);\n'
	'-- migrate:downgrade\nDROP INDEX CONCURRENTLY item_id2;\nDROP INDEX CONCURRENTLY item_id;\n');
SELECT migrate_add_file('003_note.sql', E'-- revision: o3\n-- revises: o2\n-- migrate:upgrade\n'
	'ALTER TABLE item ADD COLUMN note text;\n-- migrate:downgrade\nALTER TABLE item DROP COLUMN note;\n');

-- the server does not run it in a scope, and says how to run it
SELECT throws_ok($$SELECT migrate_upgrade('head', 'ten_a')$$, '25001',
				 'revision "o2" cannot run inside a transaction block',
				 'a non-transactional revision in a scope is refused by the server');
SELECT is((SELECT count(*)::int FROM pg_namespace WHERE nspname = 'ten_a'), 0,
		  'and nothing of the refused call is left (no schema)');
SELECT results_eq($$SELECT revision, transactional FROM migrate_pending('head', 'ten_a')$$,
				  $$VALUES ('o1', true), ('o2', false), ('o3', true)$$,
				  'migrate_pending in the scope marks the step the client runs');
SELECT results_eq($$SELECT revision, transactional, sql LIKE 'CREATE INDEX CONCURRENTLY item_id %' FROM migrate_script('upgrade', 'head', 'ten_a')$$,
				  $$VALUES ('o1', true, false), ('o2', false, true), ('o3', true, false)$$,
				  'migrate_script in the scope gives the step''s statements');

-- two tenants at o1
SELECT is((SELECT count(*)::int FROM migrate_upgrade('o1', 'ten_a')), 1, 'ten_a upgraded to o1');
SELECT is((SELECT count(*)::int FROM migrate_upgrade('o1', 'ten_b')), 1, 'ten_b upgraded to o1');
SELECT ok(EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND classid = 1886221155
				  AND objid = ((pg_catalog.hashtext('ten_a')::bigint + 4294967296) % 4294967296)::text::oid
				  AND pid = pg_backend_pid() AND granted),
		  'the scope''s lock is (1886221155, hashtext(scope)), the one the client holds for its session');

-- ten_a: the client starts o2, one statement succeeds, the second fails
SELECT lives_ok($$SELECT migrate_outside_start('o2', 'upgrade', 2, 'ten_a')$$, 'a note in scope ten_a');
SELECT lives_ok($$SELECT migrate_outside_progress('o2', 1, 'ten_a')$$, 'its progress');
SELECT lives_ok($$SELECT migrate_outside_failed('o2', 2, '42P07', 'relation "item_id2" already exists', 'ten_a')$$,
				'its failure');
SELECT results_eq($$SELECT scope, revision, done, failed_statement FROM migrate.interrupted$$,
				  $$VALUES ('ten_a', 'o2', 1, 2)$$, 'the note is the scope''s');
SELECT throws_ok($$SELECT migrate_upgrade('head', 'ten_a')$$, '55000',
				 'upgrade of non-transactional revision "o2" failed at statement 2 of 2 (file "002_index.sql", line 6)',
				 'the interrupted step blocks its own scope');
SELECT is((SELECT s->'interrupted'->>'revision' FROM migrate_status('ten_a') s), 'o2',
		  'migrate_status(scope) shows the scope''s interrupted step');
SELECT is((SELECT s->'interrupted' FROM migrate_status('ten_b') s), 'null'::jsonb,
		  'another scope''s status shows none');
SELECT is((SELECT s->'interrupted' FROM migrate_status() s), 'null'::jsonb,
		  'nor does the shared run''s');

-- ten_b and the shared run are not blocked by it
SELECT lives_ok($$SELECT migrate_outside_start('o2', 'upgrade', 2, 'ten_b')$$,
				'ten_b starts the same revision meanwhile');
SELECT lives_ok($$SELECT migrate_outside_progress('o2', 2, 'ten_b')$$, 'both statements done in ten_b');
SELECT is((SELECT array_agg(r) FROM migrate_record('o2', 'upgrade', 1.5, 'ten_b') r), '{o2}',
		  'migrate_record in ten_b returns the scope''s version rows');
SELECT results_eq($$SELECT scope FROM migrate.interrupted$$, ARRAY['ten_a'],
				  'recording cleared ten_b''s note only');
SELECT is((SELECT count(*)::int FROM migrate_upgrade('head', 'ten_b')), 1, 'ten_b goes on to o3');
SELECT is(pg_temp.cur('ten_b'), '{o3}', 'ten_b is at o3');
SELECT is((SELECT count(*)::int FROM migrate_upgrade('o1')), 1, 'the shared run is not blocked either');
SELECT results_eq($$SELECT scope, revision, operation FROM migrate.journal WHERE scope = 'ten_b' ORDER BY id$$,
				  $$VALUES ('ten_b', 'o1', 'upgrade'), ('ten_b', 'o2', 'upgrade'), ('ten_b', 'o3', 'upgrade')$$,
				  'ten_b''s journal has the recorded step');

-- resolve is per scope
SELECT throws_ok($$SELECT migrate_resolve('o2', 'applied', 'ten_b')$$, '55000',
				 'revision "o2" has no interrupted step to resolve', 'ten_b has nothing to resolve');
SELECT throws_ok($$SELECT migrate_resolve('o2', 'applied')$$, '55000',
				 'revision "o2" has no interrupted step to resolve', 'nor has the shared run');
SELECT is(migrate_outside_resume('o2', 'upgrade', 2, 'ten_a'), 1,
		  'a resume in ten_a takes over after the statement that succeeded');
SELECT lives_ok($$SELECT migrate_outside_failed('o2', 2, '42P07', 'again', 'ten_a')$$, 'and fails again');
SELECT is(migrate_resolve('o2', 'applied', 'ten_a'), 'applied', 'resolved in ten_a as applied');
SELECT is(pg_temp.cur('ten_a'), '{o2}', 'ten_a is at o2');
SELECT results_eq($$SELECT operation, scope FROM migrate.journal WHERE revision = 'o2' AND scope = 'ten_a' ORDER BY id$$,
				  $$VALUES ('upgrade', 'ten_a'), ('resolve', 'ten_a')$$,
				  'the step and the resolve are journaled in ten_a');
SELECT is((SELECT count(*)::int FROM migrate.interrupted), 0, 'no note is left');

-- NULL arguments of the scoped forms; a NULL scope is the shared run
SELECT throws_ok($$SELECT migrate_outside_start('o2', NULL, 2, 'ten_a')$$, '22004',
				 'argument 2 of migrate_outside_start() must not be null', 'a NULL operation is refused');
SELECT throws_ok($$SELECT migrate_record(NULL, 'upgrade', 1, 'ten_a')$$, '22004',
				 'argument 1 of migrate_record() must not be null', 'a NULL revision is refused');
SELECT results_eq($$SELECT revision FROM migrate_script('upgrade', 'head', NULL)$$, ARRAY['o2', 'o3'],
				  'a NULL scope is the shared run');

SELECT * FROM finish();
ROLLBACK;
