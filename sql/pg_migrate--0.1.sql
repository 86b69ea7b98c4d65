/* sql/pg_migrate--0.1.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION pg_migrate" to load this file. \quit

/*
 * Every operator in a constraint is schema-qualified: the constraints are
 * evaluated with the extension owner's privileges, and an unqualified
 * operator could resolve to one a user created in the extension's schema.
 *
 * The catalog lives in a schema of its own, "migrate", so that it never
 * collides with the application's tables; the functions live in the
 * extension's schema ("public" by default) so that they are callable
 * unqualified.  Every table is kept by pg_dump (pg_extension_config_dump)
 * except migrate.state, which only serialises concurrent callers.
 */
CREATE SCHEMA migrate;
COMMENT ON SCHEMA migrate IS 'pg_migrate catalog: registered revisions, current version rows and the journal';

CREATE SEQUENCE migrate.revision_seq;

CREATE TABLE migrate.revision (
	revision		text NOT NULL,
	revises			text[] NOT NULL DEFAULT '{}',
	depends_on		text[] NOT NULL DEFAULT '{}',
	branch_labels	text[] NOT NULL DEFAULT '{}',
	message			text NOT NULL DEFAULT '',
	upgrade_sql		text NOT NULL,
	downgrade_sql	text,
	transactional	boolean NOT NULL DEFAULT true,
	file_name		text,
	upgrade_line	integer,
	downgrade_line	integer,
	seq				bigint NOT NULL DEFAULT pg_catalog.nextval('migrate.revision_seq'),
	registered_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	registered_by	name NOT NULL DEFAULT CURRENT_USER,
	CONSTRAINT revision_pkey PRIMARY KEY (revision),
	CONSTRAINT revision_seq_key UNIQUE (seq),
	CONSTRAINT revision_id_check
		CHECK (revision OPERATOR(pg_catalog.~) '^[A-Za-z0-9_-]+$'::pg_catalog.text),
	CONSTRAINT revision_revises_check
		CHECK (pg_catalog.array_position(revises, NULL::pg_catalog.text) IS NULL),
	CONSTRAINT revision_depends_on_check
		CHECK (pg_catalog.array_position(depends_on, NULL::pg_catalog.text) IS NULL),
	CONSTRAINT revision_branch_labels_check
		CHECK (pg_catalog.array_position(branch_labels, NULL::pg_catalog.text) IS NULL)
);
COMMENT ON TABLE migrate.revision IS 'every registered revision, with the SQL to apply and to revert it';
COMMENT ON COLUMN migrate.revision.seq IS 'registration order; breaks ties between independent branches';

CREATE TABLE migrate.version (
	revision		text NOT NULL,
	CONSTRAINT version_pkey PRIMARY KEY (revision),
	CONSTRAINT version_revision_fkey FOREIGN KEY (revision)
		REFERENCES migrate.revision (revision)
);
COMMENT ON TABLE migrate.version IS 'one row per current head, as alembic_version keeps them';

CREATE SEQUENCE migrate.journal_id_seq;

CREATE TABLE migrate.journal (
	id				bigint NOT NULL DEFAULT pg_catalog.nextval('migrate.journal_id_seq'),
	revision		text,
	operation		text NOT NULL,
	message			text NOT NULL DEFAULT '',
	role			name NOT NULL,
	started_at		timestamptz NOT NULL,
	duration_ms		double precision NOT NULL,
	backend_pid		integer NOT NULL DEFAULT pg_catalog.pg_backend_pid(),
	xact_id			xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
	version_after	text[] NOT NULL DEFAULT '{}',
	CONSTRAINT journal_pkey PRIMARY KEY (id),
	CONSTRAINT journal_operation_check
		CHECK (operation OPERATOR(pg_catalog.=)
			   ANY (ARRAY['upgrade', 'downgrade', 'stamp']::pg_catalog.text[])),
	CONSTRAINT journal_duration_check
		CHECK (duration_ms OPERATOR(pg_catalog.>=) 0::pg_catalog.float8
			   AND duration_ms OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.float8)
);
CREATE INDEX journal_revision_idx ON migrate.journal (revision, id);
COMMENT ON TABLE migrate.journal IS 'every step ever run: upgrade, downgrade or stamp';
COMMENT ON COLUMN migrate.journal.version_after IS 'the version rows once the step had run';
COMMENT ON COLUMN migrate.journal.xact_id IS 'the transaction that ran the step: one migration call, or several in one transaction';

CREATE TABLE migrate.state (
	singleton		boolean NOT NULL DEFAULT true,
	generation		bigint NOT NULL DEFAULT 0,
	changed_at		timestamptz,
	CONSTRAINT state_pkey PRIMARY KEY (singleton),
	CONSTRAINT state_singleton_check CHECK (singleton)
);
INSERT INTO migrate.state DEFAULT VALUES;
COMMENT ON TABLE migrate.state IS 'bumped by every change, so that a waiter with an older snapshot can tell';

SELECT pg_catalog.pg_extension_config_dump('migrate.revision', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.revision_seq', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.version', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.journal', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.journal_id_seq', '');

-- Registration

CREATE FUNCTION migrate_add(
	revision text,
	upgrade text,
	revises text[] DEFAULT '{}',
	downgrade text DEFAULT NULL,
	message text DEFAULT '',
	depends_on text[] DEFAULT '{}',
	branch_labels text[] DEFAULT '{}',
	transactional boolean DEFAULT true)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_add'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_add(text, text, text[], text, text, text[], text[], boolean)
	IS 'register one revision; returns added, replaced or unchanged';

CREATE FUNCTION migrate_add_file(name text, content text)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_add_file'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_add_file(text, text)
	IS 'register one revision from the text of a revision file; returns added, replaced or unchanged';

CREATE FUNCTION migrate_load(directory text)
RETURNS integer
AS 'MODULE_PATHNAME', 'migrate_load'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_load(text)
	IS 'register every *.sql revision file of a server directory; returns how many';

CREATE FUNCTION migrate_remove(revision text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'migrate_remove'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_remove(text)
	IS 'unregister a revision that is not applied and that no other revision builds on';

-- Changing the current revisions

CREATE FUNCTION migrate_upgrade(target text DEFAULT 'head')
RETURNS TABLE (step integer, revision text, message text, operation text,
			   duration_ms double precision)
AS 'MODULE_PATHNAME', 'migrate_upgrade'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_upgrade(text)
	IS 'apply revisions up to target; one row per revision applied';

CREATE FUNCTION migrate_downgrade(target text)
RETURNS TABLE (step integer, revision text, message text, operation text,
			   duration_ms double precision)
AS 'MODULE_PATHNAME', 'migrate_downgrade'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_downgrade(text)
	IS 'revert revisions down to target; one row per revision reverted';

CREATE FUNCTION migrate_stamp(VARIADIC targets text[])
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'migrate_stamp'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_stamp(text[])
	IS 'set the current revisions without running any SQL; returns the new version rows';

-- Reports

CREATE FUNCTION migrate_current()
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'migrate_current'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_current() IS 'the current revisions (version rows)';

CREATE FUNCTION migrate_heads()
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'migrate_heads'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_heads() IS 'the head revisions of the registered graph';

CREATE FUNCTION migrate_history()
RETURNS TABLE (revision text, revises text[], depends_on text[], message text,
			   branch_labels text[], is_head boolean, is_branch_point boolean,
			   is_merge_point boolean, is_current boolean, applied boolean,
			   applied_at timestamptz, file_name text)
AS 'MODULE_PATHNAME', 'migrate_history'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_history() IS 'every registered revision, newest first';

CREATE FUNCTION migrate_history(range text)
RETURNS TABLE (revision text, revises text[], depends_on text[], message text,
			   branch_labels text[], is_head boolean, is_branch_point boolean,
			   is_merge_point boolean, is_current boolean, applied boolean,
			   applied_at timestamptz, file_name text)
AS 'MODULE_PATHNAME', 'migrate_history_range'
LANGUAGE C STRICT STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_history(text)
	IS 'the revisions of an Alembic history range such as base:head or current:, newest first';

CREATE FUNCTION migrate_pending(target text DEFAULT 'heads')
RETURNS TABLE (step integer, revision text, message text, transactional boolean)
AS 'MODULE_PATHNAME', 'migrate_pending'
LANGUAGE C STRICT STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_pending(text)
	IS 'what migrate_upgrade(target) would apply, in order, without applying it';

CREATE FUNCTION migrate_check(target text DEFAULT 'heads')
RETURNS boolean
AS 'MODULE_PATHNAME', 'migrate_check'
LANGUAGE C STRICT STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_check(text)
	IS 'true when nothing is pending; raises SQLSTATE 55000 naming the pending revisions otherwise';

CREATE FUNCTION migrate_status()
RETURNS jsonb
AS 'MODULE_PATHNAME', 'migrate_status'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_status() IS 'health report as one jsonb document';

CREATE FUNCTION migrate_wait(target text DEFAULT 'heads',
							 timeout interval DEFAULT '60s')
RETURNS boolean
AS 'MODULE_PATHNAME', 'migrate_wait'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_wait(text, interval)
	IS 'wait, without taking the migration lock, until target is reached; raises an error at the timeout';

CREATE FUNCTION migrate_script(operation text, target text)
RETURNS TABLE (step integer, revision text, message text, transactional boolean,
			   sql text)
AS 'MODULE_PATHNAME', 'migrate_script'
LANGUAGE C STRICT STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_script(text, text)
	IS 'the SQL an upgrade or downgrade to target would run, step by step, without running it';

CREATE FUNCTION migrate_record(revision text, operation text,
							   duration_ms double precision)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'migrate_record'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_record(text, text, double precision)
	IS 'record one step run outside the server (a non-transactional revision); returns the new version rows';

-- Only the extension owner (and whoever it grants to) may change state.
REVOKE ALL ON FUNCTION migrate_add(text, text, text[], text, text, text[], text[], boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_add_file(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_load(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_remove(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_upgrade(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_downgrade(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_stamp(text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_record(text, text, double precision) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_script(text, text) FROM PUBLIC;
REVOKE ALL ON SCHEMA migrate FROM PUBLIC;
