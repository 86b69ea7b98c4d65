/* sql/pg_migrate--0.2--0.3.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION pg_migrate UPDATE" to load this file. \quit

/*
 * Version 0.3 is installed as 0.2 followed by this script.  The script is
 * grouped by concern; each group keeps its own objects.
 */

-- ==== interop: revisions from other tools, repeatable revisions, adopt ====

/*
 * "-- source: FORMAT VERSION" names the migration of another tool a
 * revision was imported from, VERSION as that tool writes it in its own
 * version table; "-- repeatable: true" marks a revision that has no
 * parents and runs again whenever its upgrade SQL changes.
 */
ALTER TABLE migrate.revision
	ADD COLUMN repeatable boolean NOT NULL DEFAULT false,
	ADD COLUMN source_format text,
	ADD COLUMN source_version text,
	ADD CONSTRAINT revision_source_check
		CHECK ((source_format IS NULL) OPERATOR(pg_catalog.=) (source_version IS NULL)
			   AND source_format OPERATOR(pg_catalog.=)
			   ANY (ARRAY['alembic', 'golang-migrate', 'dbmate', 'flyway',
						  'diesel', 'sqitch']::pg_catalog.text[])),
	ADD CONSTRAINT revision_repeatable_check
		CHECK (NOT repeatable
			   OR (revises OPERATOR(pg_catalog.=) '{}'::pg_catalog.text[]
				   AND depends_on OPERATOR(pg_catalog.=) '{}'::pg_catalog.text[]
				   AND branch_labels OPERATOR(pg_catalog.=) '{}'::pg_catalog.text[]));
CREATE UNIQUE INDEX revision_source_key
	ON migrate.revision (source_format, source_version);
COMMENT ON COLUMN migrate.revision.repeatable IS 'no parents; applied again whenever its upgrade SQL changes';
COMMENT ON COLUMN migrate.revision.source_format IS 'the tool the revision was imported from ("-- source:" header)';
COMMENT ON COLUMN migrate.revision.source_version IS 'the version that tool writes in its version table for it';

ALTER TABLE migrate.journal
	DROP CONSTRAINT journal_operation_check,
	ADD CONSTRAINT journal_operation_check
		CHECK (operation OPERATOR(pg_catalog.=)
			   ANY (ARRAY['upgrade', 'downgrade', 'stamp', 'repair',
						  'resolve', 'adopt', 'reapply']::pg_catalog.text[]));
COMMENT ON TABLE migrate.journal IS 'every step ever run: upgrade, downgrade or stamp, every repair or resolve, the revisions an adopt found applied, and every repeatable revision applied again';

/*
 * The other tool whose version table a database was adopted from, and
 * whether that table is kept up to date by every later change.
 */
CREATE TABLE migrate.adopted (
	singleton			boolean NOT NULL DEFAULT true,
	format				text NOT NULL,
	keep_version_table	boolean NOT NULL,
	version_table		text NOT NULL,
	adopted_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	adopted_by			name NOT NULL DEFAULT CURRENT_USER,
	CONSTRAINT adopted_pkey PRIMARY KEY (singleton),
	CONSTRAINT adopted_singleton_check CHECK (singleton),
	CONSTRAINT adopted_format_check
		CHECK (format OPERATOR(pg_catalog.=)
			   ANY (ARRAY['alembic', 'golang-migrate', 'dbmate', 'flyway',
						  'diesel', 'sqitch']::pg_catalog.text[]))
);
COMMENT ON TABLE migrate.adopted IS 'the tool a database was adopted from, and whether its version table is kept';
COMMENT ON COLUMN migrate.adopted.version_table IS 'that table, schema-qualified, as it was found at adoption';
SELECT pg_catalog.pg_extension_config_dump('migrate.adopted', '');

CREATE FUNCTION migrate_adopt(format text, keep_version_table boolean DEFAULT false)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'migrate_adopt'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_adopt(text, boolean)
	IS 'stamp the revisions another tool''s version table says are applied, matched by their "-- source:" headers; returns the new version rows';
REVOKE ALL ON FUNCTION migrate_adopt(text, boolean) FROM PUBLIC;

-- ==== end interop ====

-- ==== statements: one cutter of SQL into statements ====

CREATE FUNCTION migrate_statements(source text)
RETURNS TABLE (statement integer, line integer, sql text)
AS 'MODULE_PATHNAME', 'migrate_statements'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION migrate_statements(text)
	IS 'the statements of the SQL as the server''s parser cuts them, each with the line of its first token: what the client runs one by one for a non-transactional revision';

-- ==== end statements ====

-- ==== scopes: the same revisions applied to each tenant schema ====

/*
 * A scope is a tenant schema that the registered revisions are applied to
 * separately: its own version rows and journal entries (column "scope",
 * the schema's name; '' for the unscoped, shared run, which is what every
 * call without a scope does), its own advisory lock, the revisions' SQL
 * run with search_path set to the schema.  "-- scope: shared" or
 * "-- scope: tenant" in a revision file says which runs it belongs to
 * (migrate.revision.scope); every other run records it without running
 * its SQL.
 */
ALTER TABLE migrate.revision
	ADD COLUMN scope text NOT NULL DEFAULT 'all',
	ADD CONSTRAINT revision_scope_check
		CHECK (scope OPERATOR(pg_catalog.=)
			   ANY (ARRAY['all', 'shared', 'tenant']::pg_catalog.text[]));
COMMENT ON COLUMN migrate.revision.scope IS 'the runs the revision''s SQL belongs to: all, shared (the unscoped run only) or tenant (each scope only); "-- scope:" header';

ALTER TABLE migrate.version
	ADD COLUMN scope text NOT NULL DEFAULT '',
	DROP CONSTRAINT version_pkey,
	ADD CONSTRAINT version_pkey PRIMARY KEY (scope, revision),
	ADD CONSTRAINT version_scope_check
		CHECK (pg_catalog.octet_length(scope) OPERATOR(pg_catalog.<) 64);
COMMENT ON COLUMN migrate.version.scope IS 'the tenant schema the row belongs to; '''' for the shared (unscoped) run';

ALTER TABLE migrate.journal
	ADD COLUMN scope text NOT NULL DEFAULT '',
	ADD CONSTRAINT journal_scope_check
		CHECK (pg_catalog.octet_length(scope) OPERATOR(pg_catalog.<) 64);
CREATE INDEX journal_scope_idx ON migrate.journal (scope, id);
COMMENT ON COLUMN migrate.journal.scope IS 'the tenant schema the step ran in; '''' for the shared (unscoped) run';

/*
 * The changing and reporting functions take the scope as an overload with
 * one more parameter, "scope" (NULL: the shared run), so that the
 * one-parameter forms, and the grants made on them, stay as they were.
 */
CREATE FUNCTION migrate_upgrade(target text, scope text)
RETURNS TABLE (step integer, revision text, message text, operation text,
			   duration_ms double precision)
AS 'MODULE_PATHNAME', 'migrate_upgrade'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_upgrade(text, text)
	IS 'apply revisions up to target in the tenant schema scope (NULL: the shared run); one row per revision';

CREATE FUNCTION migrate_downgrade(target text, scope text)
RETURNS TABLE (step integer, revision text, message text, operation text,
			   duration_ms double precision)
AS 'MODULE_PATHNAME', 'migrate_downgrade'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_downgrade(text, text)
	IS 'revert revisions down to target in the tenant schema scope (NULL: the shared run); one row per revision';

CREATE FUNCTION migrate_stamp(targets text[], scope text)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'migrate_stamp'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_stamp(text[], text)
	IS 'set the current revisions of the tenant schema scope (NULL: the shared run) without running any SQL; returns the new version rows';

CREATE FUNCTION migrate_current(scope text)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'migrate_current'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_current(text)
	IS 'the current revisions (version rows) of the tenant schema scope (NULL: the shared run)';

CREATE FUNCTION migrate_history(range text, scope text)
RETURNS TABLE (revision text, revises text[], depends_on text[], message text,
			   branch_labels text[], is_head boolean, is_branch_point boolean,
			   is_merge_point boolean, is_current boolean, applied boolean,
			   applied_at timestamptz, file_name text)
AS 'MODULE_PATHNAME', 'migrate_history_range'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_history(text, text)
	IS 'the revisions of a history range, newest first, current and applied as in the tenant schema scope (NULL: the shared run)';

CREATE FUNCTION migrate_pending(target text, scope text)
RETURNS TABLE (step integer, revision text, message text, transactional boolean)
AS 'MODULE_PATHNAME', 'migrate_pending'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_pending(text, text)
	IS 'what migrate_upgrade(target, scope) would apply, in order, without applying it';

CREATE FUNCTION migrate_check(target text, scope text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'migrate_check'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_check(text, text)
	IS 'true when nothing is pending in the tenant schema scope (NULL: the shared run); raises SQLSTATE 55000 naming the pending revisions otherwise';

CREATE FUNCTION migrate_status(scope text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'migrate_status'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_status(text)
	IS 'health report as one jsonb document, of the tenant schema scope (NULL: the shared run)';

CREATE FUNCTION migrate_scopes()
RETURNS TABLE (scope text, current text[], pending integer,
			   schema_exists boolean, changed_at timestamptz)
AS 'MODULE_PATHNAME', 'migrate_scopes'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_scopes()
	IS 'every tenant schema revisions were applied to: its current revisions, how many an upgrade to heads would apply, its last change';

REVOKE ALL ON FUNCTION migrate_upgrade(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_downgrade(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_stamp(text[], text) FROM PUBLIC;

-- ==== end scopes ====

-- ==== offline scripts: what "upgrade --sql" writes records its steps ====

CREATE FUNCTION migrate_record_script(revision text, operation text,
									  started timestamptz)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'migrate_record_script'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_record_script(text, text, timestamptz)
	IS 'record one step of a script written by "pg_migrate upgrade --sql", run from the script since started; it must be the next step; returns the new version rows';
REVOKE ALL ON FUNCTION migrate_record_script(text, text, timestamptz) FROM PUBLIC;

-- ==== end offline scripts ====

-- ==== sync prune: the directory is the source of truth for what is not applied ====

CREATE FUNCTION migrate_sync_prune(names text[])
RETURNS TABLE (revision text, file_name text, dropped boolean)
AS 'MODULE_PATHNAME', 'migrate_sync_prune'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_sync_prune(text[])
	IS 'take the migration lock; unregister each revision registered from a file not among names (the client directory''s files) that is not applied, keep the applied ones with a warning; one row per such revision';
REVOKE ALL ON FUNCTION migrate_sync_prune(text[]) FROM PUBLIC;

-- ==== end sync prune ====

-- ==== scoped non-transactional runs: the client's notes per tenant schema ====

/*
 * A non-transactional revision runs in a scope from the client, as in the
 * shared run: its notes in migrate.interrupted are the scope's own
 * (column "scope", '' for the shared run), so that a step left
 * interrupted in one tenant schema blocks that scope only and is resolved
 * there.  The functions the client calls take the scope as an overload
 * with one more parameter (NULL: the shared run).
 */
ALTER TABLE migrate.interrupted
	ADD COLUMN scope text NOT NULL DEFAULT '',
	DROP CONSTRAINT interrupted_pkey,
	ADD CONSTRAINT interrupted_pkey PRIMARY KEY (scope, revision),
	ADD CONSTRAINT interrupted_scope_check
		CHECK (pg_catalog.octet_length(scope) OPERATOR(pg_catalog.<) 64);
COMMENT ON COLUMN migrate.interrupted.scope IS 'the tenant schema the step runs in; '''' for the shared (unscoped) run';

CREATE FUNCTION migrate_outside_start(revision text, operation text,
									  statements integer, scope text)
RETURNS void
AS 'MODULE_PATHNAME', 'migrate_outside_start'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_outside_start(text, text, integer, text)
	IS 'note that the client starts running a non-transactional step in the tenant schema scope (NULL: the shared run; call in autocommit)';

CREATE FUNCTION migrate_outside_progress(revision text, done integer,
										 scope text)
RETURNS void
AS 'MODULE_PATHNAME', 'migrate_outside_progress'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_outside_progress(text, integer, text)
	IS 'note how many statements of a non-transactional step in the tenant schema scope (NULL: the shared run) succeeded';

CREATE FUNCTION migrate_outside_failed(revision text, statement integer,
									   sqlstate text, message text,
									   scope text)
RETURNS void
AS 'MODULE_PATHNAME', 'migrate_outside_failed'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_outside_failed(text, integer, text, text, text)
	IS 'note which statement of a non-transactional step in the tenant schema scope (NULL: the shared run) failed, and why';

CREATE FUNCTION migrate_outside_resume(revision text, operation text,
									   statements integer, scope text)
RETURNS integer
AS 'MODULE_PATHNAME', 'migrate_outside_resume'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_outside_resume(text, text, integer, text)
	IS 'take over an interrupted non-transactional step of the tenant schema scope (NULL: the shared run) to continue it; returns how many statements are done';

CREATE FUNCTION migrate_resolve(revision text, outcome text, scope text)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_resolve'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_resolve(text, text, text)
	IS 'settle an interrupted non-transactional step of the tenant schema scope (NULL: the shared run) as ''applied'' or ''not applied''; journaled in the scope';

CREATE FUNCTION migrate_record(revision text, operation text,
							   duration_ms double precision, scope text)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'migrate_record'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_record(text, text, double precision, text)
	IS 'record one step run outside the server in the tenant schema scope (NULL: the shared run); returns the scope''s new version rows';

CREATE FUNCTION migrate_script(operation text, target text, scope text)
RETURNS TABLE (step integer, revision text, message text,
			   transactional boolean, sql text)
AS 'MODULE_PATHNAME', 'migrate_script'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_script(text, text, text)
	IS 'the SQL an upgrade or downgrade to target would run in the tenant schema scope (NULL: the shared run), step by step';

REVOKE ALL ON FUNCTION migrate_outside_start(text, text, integer, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_outside_progress(text, integer, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_outside_failed(text, integer, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_outside_resume(text, text, integer, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_resolve(text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_record(text, text, double precision, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_script(text, text, text) FROM PUBLIC;

-- ==== end scoped non-transactional runs ====
