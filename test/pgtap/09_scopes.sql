/*
 * test/pgtap/09_scopes.sql
 *	  Scopes: the same revisions applied to each tenant schema with their
 *	  own version rows and journal, the revisions' SQL run with search_path
 *	  set to the schema, "-- scope: shared" and "-- scope: tenant"
 *	  revisions recorded without running in the other kind of run, the
 *	  reports of one scope, migrate_scopes(), and the errors.
 */
\set ECHO none
\set QUIET 1
SET client_min_messages = warning;
SET pg_migrate.notice_steps = off;
BEGIN;
SELECT plan(43);

CREATE FUNCTION pg_temp.cur(s text) RETURNS text[] LANGUAGE sql AS
$$ SELECT coalesce(array_agg(c ORDER BY c), '{}') FROM migrate_current(s) AS c $$;
CREATE FUNCTION pg_temp.tables(s text) RETURNS text[] LANGUAGE sql AS
$$ SELECT coalesce(array_agg(relname::text ORDER BY relname), '{}') FROM pg_class
	WHERE relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = s) AND relkind = 'r' $$;

-- sc1 (every run) <- sc2 (shared only) <- sc3 (every run) <- sc4 (tenants only)
SELECT migrate_add_file('001_item.sql', E'-- revision: sc1\n-- migrate:upgrade\n'
	'CREATE TABLE item (id int);\n'
	'CREATE TABLE path_seen AS SELECT pg_catalog.current_setting(''search_path'') AS p;\n'
	'-- migrate:downgrade\nDROP TABLE path_seen;\nDROP TABLE item;\n');
SELECT migrate_add_file('002_shared.sql', E'-- revision: sc2\n-- revises: sc1\n-- scope: shared\n'
	'-- migrate:upgrade\nCREATE TABLE tenant_registry (name text);\n');
SELECT migrate_add_file('003_note.sql', E'-- revision: sc3\n-- revises: sc2\n-- migrate:upgrade\n'
	'ALTER TABLE item ADD COLUMN note text;\n-- migrate:downgrade\nALTER TABLE item DROP COLUMN note;\n');
SELECT migrate_add_file('004_tenant.sql', E'-- revision: sc4\n-- revises: sc3\n-- scope: tenant\n'
	'-- migrate:upgrade\nCREATE TABLE tenant_only (id int);\n-- migrate:downgrade\nDROP TABLE tenant_only;\n');
SELECT results_eq($$SELECT revision, scope FROM migrate.revision ORDER BY revision$$,
				  $$VALUES ('sc1', 'all'), ('sc2', 'shared'), ('sc3', 'all'), ('sc4', 'tenant')$$,
				  'the "-- scope:" header is registered');

-- a new tenant: its schema does not exist yet, the upgrade creates it
SELECT hasnt_schema('scope_a', 'schema scope_a does not exist yet');
SELECT set_config('search_path', 'public', true);
SELECT results_eq($$SELECT step, revision, operation FROM migrate_upgrade('head', scope => 'scope_a')$$,
				  $$VALUES (1, 'sc1', 'upgrade'), (2, 'sc2', 'skip'), (3, 'sc3', 'upgrade'), (4, 'sc4', 'upgrade')$$,
				  'upgrade in scope_a: the shared-only revision is recorded as a skip');
SELECT has_schema('scope_a', 'the upgrade created schema scope_a');
SELECT is(pg_temp.tables('scope_a'), '{item,path_seen,tenant_only}', 'scope_a has its tables, not the shared one');
SELECT has_column('scope_a', 'item', 'note', 'sc3 ran in scope_a');
SELECT is((SELECT p FROM scope_a.path_seen), 'scope_a, pg_catalog', 'the revision ran with search_path = the tenant schema, then pg_catalog');
SELECT is(current_setting('search_path'), 'public', 'the caller''s search_path is unchanged');
SELECT is(pg_temp.cur('scope_a'), '{sc4}', 'scope_a is at sc4');
SELECT is(pg_temp.cur(NULL), '{}', 'the shared run is still at base');
SELECT is((SELECT count(*)::int FROM migrate_current()), 0, 'migrate_current() without a scope is the shared run');
SELECT results_eq($$SELECT scope, revision, operation FROM migrate.journal ORDER BY id$$,
				  $$VALUES ('scope_a', 'sc1', 'upgrade'), ('scope_a', 'sc2', 'upgrade'),
						   ('scope_a', 'sc3', 'upgrade'), ('scope_a', 'sc4', 'upgrade')$$,
				  'the journal entries carry the scope');
SELECT is((SELECT heads_generation FROM migrate.state), NULL, 'a scope does not touch the shared no-op record');

-- a second tenant, made by hand first (an empty schema)
CREATE SCHEMA scope_b;
SELECT results_eq($$SELECT revision FROM migrate_pending('heads', 'scope_b')$$,
				  ARRAY['sc1', 'sc2', 'sc3', 'sc4'], 'pending in scope_b');
SELECT is((SELECT bool_and(transactional) FROM migrate_pending('heads', 'scope_b')), true,
		  'pending: every step runs in the server');
SELECT results_eq($$SELECT operation FROM migrate_upgrade('sc3', 'scope_b')$$,
				  ARRAY['upgrade', 'skip', 'upgrade'], 'upgrade scope_b to sc3');
SELECT is(pg_temp.tables('scope_b'), '{item,path_seen}', 'scope_b has the tables up to sc3');
SELECT throws_ok($$SELECT migrate_check('heads', 'scope_b')$$, '55000', '1 revision is pending',
				 'check in scope_b: sc4 pending');
SELECT ok(migrate_check('heads', 'scope_a'), 'check in scope_a: nothing pending');
SELECT is(migrate_status('scope_b')->>'scope', 'scope_b', 'status names the scope');
SELECT is(migrate_status('scope_b')->'current', '["sc3"]', 'status of scope_b: current');
SELECT is(migrate_status('scope_b')->'pending', '["sc4"]', 'status of scope_b: pending');
SELECT is(migrate_status()->'current', '[]', 'status without a scope: the shared run');
SELECT ok(NOT (migrate_status() ? 'scope'), 'status without a scope has no "scope" key');
SELECT results_eq($$SELECT revision, is_current, applied FROM migrate_history('base:heads', 'scope_b') ORDER BY revision$$,
				  $$VALUES ('sc1', false, true), ('sc2', false, true), ('sc3', true, true), ('sc4', false, false)$$,
				  'history of scope_b');

-- the shared run: sc4 (tenants only) is recorded, not run
SELECT results_eq($$SELECT revision, transactional, sql FROM migrate_script('upgrade', 'heads') WHERE revision = 'sc4'$$,
				  $$VALUES ('sc4', true, E'-- recorded without running: its SQL is for tenant schemas only\n')$$,
				  'the shared run''s script shows the tenant-only revision as recorded, not run');
SELECT results_eq($$SELECT operation FROM migrate_upgrade('heads')$$,
				  ARRAY['upgrade', 'upgrade', 'upgrade', 'skip'], 'shared upgrade skips the tenant-only revision');
SELECT is(pg_temp.tables('public'), '{item,path_seen,tenant_registry}', 'the shared run created the shared table, not the tenant one');
SELECT is(pg_temp.cur('scope_b'), '{sc3}', 'scope_b is left at sc3');

-- migrate_scopes()
SELECT results_eq($$SELECT scope, current, pending, schema_exists FROM migrate_scopes()$$,
				  $$VALUES ('scope_a', '{sc4}'::text[], 0, true), ('scope_b', '{sc3}', 1, true)$$,
				  'migrate_scopes lists both scopes');

-- a downgrade of one tenant leaves the other alone
SELECT results_eq($$SELECT revision, operation FROM migrate_downgrade('sc1', scope => 'scope_a')$$,
				  $$VALUES ('sc4', 'downgrade'), ('sc3', 'downgrade'), ('sc2', 'skip')$$,
				  'downgrade scope_a to sc1: the shared-only revision needs no downgrade SQL there');
SELECT is(pg_temp.tables('scope_a'), '{item,path_seen}', 'scope_a is back at sc1');
SELECT hasnt_column('scope_a', 'item', 'note', 'sc3 reverted in scope_a');
SELECT has_column('scope_b', 'item', 'note', 'scope_b keeps sc3');
SELECT is(pg_temp.cur('scope_b'), '{sc3}', 'scope_b still at sc3');
SELECT is(pg_temp.cur(NULL), '{sc4}', 'the shared run still at head');

-- stamp in a scope: no SQL, no schema needed
SELECT results_eq($$SELECT * FROM migrate_stamp(ARRAY['sc3'], 'scope_c')$$, ARRAY['sc3'], 'stamp scope_c');
SELECT is((SELECT schema_exists FROM migrate_scopes() WHERE scope = 'scope_c'), false, 'scope_c has no schema');
SELECT throws_ok($$SELECT migrate_downgrade('base', 'scope_c')$$, '3F000',
				 'schema "scope_c" of the scope does not exist', 'downgrade in a scope without its schema');

-- a revision's scope kind is part of its place once applied
SELECT throws_ok($$SELECT migrate_add_file('003_note.sql', E'-- revision: sc3\n-- revises: sc2\n-- scope: tenant\n-- migrate:upgrade\nALTER TABLE item ADD COLUMN note text;\n-- migrate:downgrade\nALTER TABLE item DROP COLUMN note;\n')$$,
				 '55000', 'revision "sc3" is applied and cannot be changed', 'an applied revision cannot change its scope');

-- errors
SELECT throws_ok($$SELECT migrate_upgrade('head', '')$$, '3F000', 'scope must not be empty', 'empty scope');
SELECT throws_ok($$SELECT migrate_upgrade('head', 'pg_catalog')$$, '42939', 'schema "pg_catalog" cannot be a scope', 'system schema refused');
SELECT throws_ok($$SELECT migrate_current('migrate')$$, '42939', 'schema "migrate" cannot be a scope', 'the catalog schema refused');

SELECT * FROM finish();
ROLLBACK;
