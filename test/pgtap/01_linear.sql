/*
 * test/pgtap/01_linear.sql
 *	  A linear chain l1 <- l2 <- l3 <- l4: upgrade, downgrade, relative
 *	  targets (+N, -N, rev+N, rev-N), and the contents of migrate_pending,
 *	  migrate_check, migrate_status, migrate_history and the journal.
 *
 * Expected plans and version rows were checked against Alembic 1.8.
 */
\set ECHO none
\set QUIET 1
SET client_min_messages = warning;
SET pg_migrate.notice_steps = off;
BEGIN;
SELECT plan(47);

CREATE FUNCTION pg_temp.cur() RETURNS text[] LANGUAGE sql AS
$$ SELECT coalesce(array_agg(c ORDER BY c), '{}') FROM migrate_current() AS c $$;

SELECT is(migrate_add('l1', 'CREATE TABLE l_one (id int)',
					  downgrade => 'DROP TABLE l_one', message => 'one'),
		  'added', 'migrate_add reports a new revision as added');
SELECT is(migrate_add('l2', 'ALTER TABLE l_one ADD COLUMN two int', '{l1}',
					  'ALTER TABLE l_one DROP COLUMN two', 'two'),
		  'added', 'second revision added');
SELECT migrate_add('l3', 'CREATE TABLE l_three (id int)', '{l2}', 'DROP TABLE l_three', 'three');
SELECT migrate_add('l4', 'CREATE TABLE l_four (id int)', '{l3}', 'DROP TABLE l_four', 'four');
SELECT is(migrate_add('l4', 'CREATE TABLE l_four (id int)', '{l3}', 'DROP TABLE l_four', 'four'),
		  'unchanged', 'registering the same revision again changes nothing');

-- reports before anything is applied
SELECT results_eq('SELECT * FROM migrate_heads()', ARRAY['l4'], 'one head');
SELECT is(pg_temp.cur(), '{}', 'no version rows yet');
SELECT results_eq($$SELECT step, revision, message, transactional FROM migrate_pending()$$,
				  $$VALUES (1, 'l1', 'one', true), (2, 'l2', 'two', true),
						   (3, 'l3', 'three', true), (4, 'l4', 'four', true)$$,
				  'migrate_pending lists every revision in order');
SELECT throws_ok('SELECT migrate_check()', '55000', '4 revisions are pending',
				 'migrate_check raises 55000 while revisions are pending');
SELECT is(migrate_status() - 'server_version' - 'database',
		  '{"current": [], "heads": ["l4"], "pending": ["l1", "l2", "l3", "l4"],
			"pending_count": 4, "up_to_date": false, "revision_count": 4,
			"last_migration": null, "drift": [], "interrupted": null}'::jsonb,
		  'migrate_status before any migration');
SELECT is(migrate_status()->>'database', current_database()::text, 'migrate_status names the database');

-- relative and absolute upgrades
SELECT results_eq($$SELECT step, revision, operation FROM migrate_upgrade('+2')$$,
				  $$VALUES (1, 'l1', 'upgrade'), (2, 'l2', 'upgrade')$$,
				  'upgrade +2 from base applies l1, l2');
SELECT is(pg_temp.cur(), '{l2}', 'version row l2');
SELECT has_column('l_one', 'two', 'l2 ran');
SELECT results_eq($$SELECT revision FROM migrate_upgrade('l1+2')$$, ARRAY['l3'],
				  'upgrade l1+2 from l2 applies l3');
SELECT is(pg_temp.cur(), '{l3}', 'version row l3');
SELECT results_eq($$SELECT revision, operation FROM migrate_downgrade('-1')$$,
				  $$VALUES ('l3', 'downgrade')$$, 'downgrade -1 reverts l3');
SELECT hasnt_table('l_three', 'l3 reverted');
SELECT results_eq($$SELECT revision FROM migrate_downgrade('l3-2')$$, ARRAY['l2'],
				  'downgrade l3-2 (= l1) from l2 reverts l2');
SELECT is(pg_temp.cur(), '{l1}', 'version row l1');
SELECT hasnt_column('l_one', 'two', 'l2 reverted');
SELECT results_eq($$SELECT revision FROM migrate_pending('l4-1')$$, ARRAY['l2', 'l3'],
				  'migrate_pending(l4-1) from l1 lists l2, l3');
SELECT results_eq($$SELECT revision FROM migrate_downgrade('l1')$$, ARRAY[]::text[],
				  'downgrade to the current revision does nothing');
SELECT results_eq($$SELECT step, revision FROM migrate_upgrade('head')$$,
				  $$VALUES (1, 'l2'), (2, 'l3'), (3, 'l4')$$,
				  'upgrade head applies the rest in order');
SELECT results_eq($$SELECT revision FROM migrate_upgrade('head')$$, ARRAY[]::text[],
				  'a second upgrade head does nothing');
SELECT results_eq($$SELECT revision FROM migrate_upgrade('l2')$$, ARRAY[]::text[],
				  'upgrade to an applied ancestor does nothing (as in Alembic)');
SELECT ok(migrate_check(), 'migrate_check is true when up to date');
SELECT results_eq('SELECT count(*)::int FROM migrate_pending()', ARRAY[0], 'nothing pending');

-- status and history once up to date
SELECT is(migrate_status() - 'server_version' - 'database' - 'last_migration',
		  '{"current": ["l4"], "heads": ["l4"], "pending": [], "pending_count": 0,
			"up_to_date": true, "revision_count": 4, "drift": [],
			"interrupted": null}'::jsonb,
		  'migrate_status when up to date');
SELECT is(migrate_status()->'last_migration'->>'revision', 'l4', 'last migration is l4');
SELECT is(migrate_status()->'last_migration'->>'operation', 'upgrade', 'last operation is an upgrade');
SELECT is(migrate_status()->'last_migration'->>'role', current_user::text, 'last migration role');
SELECT results_eq($$SELECT revision, revises, is_head, is_current, applied, applied_at IS NOT NULL
					FROM migrate_history()$$,
				  $$VALUES ('l4', '{l3}'::text[], true, true, true, true),
						   ('l3', '{l2}'::text[], false, false, true, true),
						   ('l2', '{l1}'::text[], false, false, true, true),
						   ('l1', '{}'::text[], false, false, true, true)$$,
				  'migrate_history: newest first, flags and times');
SELECT results_eq($$SELECT revision FROM migrate_history('l2:l3')$$, ARRAY['l3', 'l2'],
				  'migrate_history(l2:l3)');
SELECT results_eq($$SELECT revision FROM migrate_history('l3:')$$, ARRAY['l4', 'l3'],
				  'migrate_history(l3:)');

-- the journal, step by step, with the version rows after each step
SELECT results_eq($$SELECT revision, operation, message, version_after, role::text
					FROM migrate.journal ORDER BY id$$,
				  $$VALUES ('l1', 'upgrade', 'one', '{l1}'::text[], current_user::text),
						   ('l2', 'upgrade', 'two', '{l2}', current_user),
						   ('l3', 'upgrade', 'three', '{l3}', current_user),
						   ('l3', 'downgrade', 'three', '{l2}', current_user),
						   ('l2', 'downgrade', 'two', '{l1}', current_user),
						   ('l2', 'upgrade', 'two', '{l2}', current_user),
						   ('l3', 'upgrade', 'three', '{l3}', current_user),
						   ('l4', 'upgrade', 'four', '{l4}', current_user)$$,
				  'journal: one entry per step, in order');
SELECT ok((SELECT bool_and(duration_ms >= 0 AND backend_pid = pg_backend_pid())
		   FROM migrate.journal), 'journal durations and backend pid');

-- migrate_script shows the SQL without running it
SELECT results_eq($$SELECT step, revision, sql FROM migrate_script('downgrade', 'l2')$$,
				  $$VALUES (1, 'l4', E'DROP TABLE l_four'), (2, 'l3', 'DROP TABLE l_three')$$,
				  'migrate_script(downgrade, l2)');
SELECT has_table('l_four', 'migrate_script ran nothing');

-- walking past the ends, and wrong directions
SELECT throws_ok($$SELECT * FROM migrate_upgrade('+1')$$, '22023', NULL,
				 'upgrade +1 at the head is refused (22023)');
SELECT throws_ok($$SELECT * FROM migrate_downgrade('-5')$$, '22023', NULL,
				 'downgrade -5 past base is refused (22023)');
SELECT throws_ok($$SELECT * FROM migrate_downgrade('l4+1')$$, '22023', NULL,
				 'rev+N past the head is refused (22023)');

-- all the way down
SELECT results_eq($$SELECT revision FROM migrate_downgrade('base')$$,
				  ARRAY['l4', 'l3', 'l2', 'l1'], 'downgrade base reverts everything, newest first');
SELECT is(pg_temp.cur(), '{}', 'no version rows at base');
SELECT hasnt_table('l_one', 'l1 reverted');
SELECT throws_ok($$SELECT * FROM migrate_downgrade('-1')$$, '22023', NULL,
				 'downgrade -1 at base is refused (22023)');
SELECT throws_ok($$SELECT * FROM migrate_upgrade('+5')$$, '22023', NULL,
				 'upgrade +5 with four revisions is refused (22023)');
SELECT results_eq($$SELECT revision FROM migrate_upgrade('l2')$$, ARRAY['l1', 'l2'],
				  'upgrade to a revision in the middle applies its ancestors');
SELECT is(pg_temp.cur(), '{l2}', 'version row l2 after upgrade l2 from base');

SELECT * FROM finish();
ROLLBACK;
