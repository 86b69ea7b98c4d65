/*
 * test/pgtap/02_branches.sql
 *	  Two roots with branch labels and a dependency across them:
 *
 *		core:   m1 <- m2 <- m3
 *		plugin: s1 <- s2 <- s3, and s2 depends on m2
 *
 *	  s2 is registered before its parent s1.  Covers label@head,
 *	  label@base, label@rev, label@-N, "head" with several heads, "heads",
 *	  downgrading one branch while the other stays, and "-1" with several
 *	  current heads.  Expected plans and rows were checked against Alembic
 *	  1.8 (rows canonical: see src/revgraph.c).
 */
\set ECHO none
\set QUIET 1
SET client_min_messages = warning;
SET pg_migrate.notice_steps = off;
BEGIN;
SELECT plan(35);

CREATE FUNCTION pg_temp.cur() RETURNS text[] LANGUAGE sql AS
$$ SELECT coalesce(array_agg(c ORDER BY c), '{}') FROM migrate_current() AS c $$;
CREATE TABLE applied_log (revision text NOT NULL, n serial);
CREATE FUNCTION pg_temp.up(rev text) RETURNS text LANGUAGE sql AS
$$ SELECT format('INSERT INTO applied_log (revision) VALUES (%L)', rev) $$;
CREATE FUNCTION pg_temp.down(rev text) RETURNS text LANGUAGE sql AS
$$ SELECT format('DELETE FROM applied_log WHERE revision = %L', rev) $$;
CREATE FUNCTION pg_temp.logged() RETURNS text[] LANGUAGE sql AS
$$ SELECT coalesce(array_agg(revision ORDER BY revision), '{}') FROM applied_log $$;

-- child before parent: s2 names s1, which does not exist yet
SELECT is(migrate_add('s2', pg_temp.up('s2'), '{s1}', pg_temp.down('s2'),
					  depends_on => '{m2}'),
		  'added', 'a child may be registered before its parent');
SELECT throws_ok('SELECT * FROM migrate_pending()', '42P17', NULL,
				 'while s1 is missing the graph is invalid (42P17)');
SELECT migrate_add('m1', pg_temp.up('m1'), '{}', pg_temp.down('m1'), branch_labels => '{core}');
SELECT migrate_add('m2', pg_temp.up('m2'), '{m1}', pg_temp.down('m2'));
SELECT migrate_add('m3', pg_temp.up('m3'), '{m2}', pg_temp.down('m3'));
SELECT migrate_add('s1', pg_temp.up('s1'), '{}', pg_temp.down('s1'), branch_labels => '{plugin}');
SELECT migrate_add('s3', pg_temp.up('s3'), '{s2}', pg_temp.down('s3'));

SELECT results_eq('SELECT h FROM migrate_heads() AS h ORDER BY h', ARRAY['m3', 's3'],
				  'two heads (dependencies do not count)');
SELECT throws_ok($$SELECT * FROM migrate_upgrade('head')$$, '21000', NULL,
				 'upgrade head with two heads is refused (21000)');
SELECT throws_ok($$SELECT * FROM migrate_pending('head')$$, '21000', NULL,
				 'migrate_pending(head) with two heads is refused (21000)');
SELECT is(pg_temp.logged(), '{}', 'nothing ran');

-- plugin@head pulls in its dependency m2 and m2's parent, not m3
SELECT results_eq($$SELECT revision FROM migrate_upgrade('plugin@head')$$,
				  ARRAY['m1', 'm2', 's1', 's2', 's3'], 'upgrade plugin@head');
SELECT is(pg_temp.logged(), '{m1,m2,s1,s2,s3}', 'each ran once');
SELECT is(pg_temp.cur(), '{s3}', 'one version row: s3 (m2 is implied by the dependency)');
SELECT results_eq($$SELECT revision, applied FROM migrate_history() ORDER BY revision$$,
				  $$VALUES ('m1', true), ('m2', true), ('m3', false),
						   ('s1', true), ('s2', true), ('s3', true)$$,
				  'migrate_history: applied flags');
SELECT results_eq($$SELECT revision FROM migrate_pending('heads')$$, ARRAY['m3'],
				  'only m3 pending');
SELECT throws_ok('SELECT migrate_check()', '55000', NULL, 'migrate_check: m3 pending');
SELECT ok(migrate_check('plugin@head'), 'migrate_check(plugin@head) is true');
SELECT results_eq($$SELECT revision FROM migrate_upgrade('heads')$$, ARRAY['m3'],
				  'upgrade heads applies m3');
SELECT is(pg_temp.cur(), '{m3,s3}', 'two version rows');
SELECT ok(migrate_check(), 'up to date');

-- several current heads: -1 is ambiguous
SELECT throws_ok($$SELECT * FROM migrate_downgrade('-1')$$, '21000', NULL,
				 'downgrade -1 with two current heads is refused (21000)');
SELECT is(pg_temp.cur(), '{m3,s3}', 'refused before anything ran');

-- per-branch relative and labelled targets
SELECT results_eq($$SELECT revision FROM migrate_downgrade('plugin@-1')$$, ARRAY['s3'],
				  'downgrade plugin@-1 reverts s3 only');
SELECT is(pg_temp.cur(), '{m3,s2}', 'rows m3, s2');
SELECT results_eq($$SELECT revision FROM migrate_upgrade('plugin@s3')$$, ARRAY['s3'],
				  'upgrade plugin@s3 applies s3');
SELECT is(pg_temp.cur(), '{m3,s3}', 'rows m3, s3 again');

-- downgrading one branch leaves the other
SELECT results_eq($$SELECT revision FROM migrate_downgrade('plugin@base')$$,
				  ARRAY['s3', 's2', 's1'], 'downgrade plugin@base');
SELECT is(pg_temp.cur(), '{m3}', 'core untouched');
SELECT is(pg_temp.logged(), '{m1,m2,m3}', 'plugin reverted, core still applied');

-- reverting a revision reverts what depends on it, across branches
SELECT results_eq($$SELECT revision FROM migrate_upgrade('heads')$$,
				  ARRAY['s1', 's2', 's3'], 'upgrade heads re-applies plugin');
SELECT results_eq($$SELECT revision FROM migrate_downgrade('m1') ORDER BY revision$$,
				  ARRAY['m2', 'm3', 's2', 's3'],
				  'downgrade m1 reverts m2, m3 and the dependents s2, s3');
SELECT is(pg_temp.cur(), '{m1,s1}', 'rows m1, s1');
SELECT results_eq($$SELECT revision FROM migrate_downgrade('core@base')$$, ARRAY['m1'],
				  'downgrade core@base reverts m1');
SELECT is(pg_temp.cur(), '{s1}', 'only s1 left');
SELECT is(pg_temp.logged(), '{s1}', 'only s1 applied');

-- relative walk along a branch from base
SELECT results_eq($$SELECT revision FROM migrate_upgrade('core@+2')$$, ARRAY['m1', 'm2'],
				  'upgrade core@+2 applies m1, m2');
SELECT is(pg_temp.cur(), '{m2,s1}', 'rows m2, s1');

-- unknown branch
SELECT throws_ok($$SELECT * FROM migrate_upgrade('nosuch@head')$$, '42704', NULL,
				 'unknown branch label (42704)');
SELECT results_eq($$SELECT revision, is_head, is_branch_point, is_merge_point, branch_labels
					FROM migrate_history() WHERE revision IN ('m1', 's1', 's2') ORDER BY revision$$,
				  $$VALUES ('m1', false, false, false, '{core}'::text[]),
						   ('s1', false, false, false, '{plugin}'),
						   ('s2', false, false, false, '{}')$$,
				  'migrate_history: labels and flags');

SELECT * FROM finish();
ROLLBACK;
