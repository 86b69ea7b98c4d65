/*
 * test/pgtap/03_merges.sql
 *	  A branch point and a merge:
 *
 *		b1 <- b2 <-+- j <- k
 *		b1 <- c2 <-+
 *
 *	  Expected plans and version rows were checked against Alembic 1.8.
 */
\set ECHO none
\set QUIET 1
SET client_min_messages = warning;
SET pg_migrate.notice_steps = off;
BEGIN;
SELECT plan(20);

CREATE FUNCTION pg_temp.cur() RETURNS text[] LANGUAGE sql AS
$$ SELECT coalesce(array_agg(c ORDER BY c), '{}') FROM migrate_current() AS c $$;
CREATE TABLE merge_log (revision text NOT NULL);
CREATE FUNCTION pg_temp.add(rev text, parents text[]) RETURNS text LANGUAGE sql AS
$$ SELECT migrate_add(rev, format('INSERT INTO merge_log VALUES (%L)', rev), parents,
					  format('DELETE FROM merge_log WHERE revision = %L', rev)) $$;
CREATE FUNCTION pg_temp.logged() RETURNS text[] LANGUAGE sql AS
$$ SELECT coalesce(array_agg(revision ORDER BY revision), '{}') FROM merge_log $$;

SELECT pg_temp.add('b1', '{}');
SELECT pg_temp.add('b2', '{b1}');
SELECT pg_temp.add('c2', '{b1}');
SELECT pg_temp.add('j', '{b2,c2}');
SELECT pg_temp.add('k', '{j}');

SELECT results_eq('SELECT * FROM migrate_heads()', ARRAY['k'], 'one head after the merge');
SELECT results_eq($$SELECT revision, is_branch_point, is_merge_point FROM migrate_history()
					ORDER BY revision$$,
				  $$VALUES ('b1', true, false), ('b2', false, false), ('c2', false, false),
						   ('j', false, true), ('k', false, false)$$,
				  'branch point b1, merge point j');
SELECT results_eq($$SELECT revision FROM migrate_pending('head')$$,
				  ARRAY['b1', 'c2', 'b2', 'j', 'k'], 'pending in Alembic''s order');
SELECT results_eq($$SELECT revision FROM migrate_upgrade('b2')$$, ARRAY['b1', 'b2'],
				  'upgrade b2 applies b1, b2 only');
SELECT is(pg_temp.cur(), '{b2}', 'row b2');
SELECT results_eq($$SELECT revision FROM migrate_upgrade('heads')$$, ARRAY['c2', 'j', 'k'],
				  'upgrade heads applies the other branch, the merge and k');
SELECT is(pg_temp.cur(), '{k}', 'row k');
SELECT is(pg_temp.logged(), '{b1,b2,c2,j,k}', 'each revision ran once');
SELECT results_eq($$SELECT revision FROM migrate_downgrade('b2')$$, ARRAY['k', 'j'],
				  'downgrade b2 reverts k and the merge');
SELECT is(pg_temp.cur(), '{b2,c2}', 'rows b2, c2: two current heads');
SELECT throws_ok($$SELECT * FROM migrate_downgrade('-1')$$, '21000', NULL,
				 'downgrade -1 with two current heads is refused (21000)');
SELECT results_eq($$SELECT revision FROM migrate_history('current:')$$,
				  ARRAY['k', 'j', 'b2', 'c2'], 'history current: lists the rows and what lies above');
SELECT results_eq($$SELECT revision FROM migrate_downgrade('c2-1')$$, ARRAY['b2', 'c2'],
				  'downgrade c2-1 (= b1) reverts both branches');
SELECT is(pg_temp.cur(), '{b1}', 'row b1');
SELECT results_eq($$SELECT revision FROM migrate_upgrade('j')$$, ARRAY['c2', 'b2', 'j'],
				  'upgrade to the merge applies both parents first');
SELECT results_eq($$SELECT revision, version_after FROM migrate.journal ORDER BY id DESC LIMIT 3$$,
				  $$VALUES ('j', '{j}'::text[]), ('b2', '{b2,c2}'), ('c2', '{c2}')$$,
				  'journal version_after follows the branches');
SELECT results_eq($$SELECT revision FROM migrate_downgrade('base')$$,
				  ARRAY['j', 'b2', 'c2', 'b1'], 'downgrade base');
SELECT is(pg_temp.logged(), '{}', 'everything reverted');

-- a cycle through the merge is refused before anything runs
SELECT pg_temp.add('b1', '{k}');
SELECT throws_ok($$SELECT * FROM migrate_upgrade('heads')$$, '42P17', NULL,
				 'a cycle is refused (42P17)');
SELECT is(pg_temp.logged(), '{}', 'nothing ran');

SELECT * FROM finish();
ROLLBACK;
