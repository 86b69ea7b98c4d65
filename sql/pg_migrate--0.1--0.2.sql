/* sql/pg_migrate--0.1--0.2.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION pg_migrate UPDATE TO '0.2'" to load this file. \quit

/*
 * Version 0.2 is installed as 0.1 followed by this script, so a fresh
 * CREATE EXTENSION and an update from 0.1 give the same result.  The
 * script is grouped by concern; each group keeps its own objects.
 */

-- ==== integrity: checksums, drift, repair ====

CREATE FUNCTION migrate_fingerprint(sql text)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_fingerprint'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION migrate_fingerprint(text)
	IS 'SHA-256 of the SQL''s token stream: layout, comments, line endings and keyword case do not change it';

-- registered under 0.1: the checksums of the stored SQL, which is what ran
/*
 * The checks say "64 lower-case hex digits" as a length and a one-character
 * class that must not occur: the same set of values as the anchored
 * ^[0-9a-f]{64}$, but a bounded repetition costs the regular expression
 * engine about 90,000 instructions per row, which made these checks a third
 * of the cost of registering a file.
 */
ALTER TABLE migrate.revision
	ADD COLUMN upgrade_checksum text,
	ADD COLUMN downgrade_checksum text;
UPDATE migrate.revision
   SET upgrade_checksum = @extschema@.migrate_fingerprint(upgrade_sql),
	   downgrade_checksum = @extschema@.migrate_fingerprint(downgrade_sql);
ALTER TABLE migrate.revision
	ALTER COLUMN upgrade_checksum SET NOT NULL,
	ADD CONSTRAINT revision_upgrade_checksum_check
		CHECK (pg_catalog.octet_length(upgrade_checksum) OPERATOR(pg_catalog.=) 64
			   AND upgrade_checksum OPERATOR(pg_catalog.!~) '[^0-9a-f]'::pg_catalog.text),
	ADD CONSTRAINT revision_downgrade_checksum_check
		CHECK ((downgrade_checksum IS NULL) OPERATOR(pg_catalog.=) (downgrade_sql IS NULL)
			   AND pg_catalog.octet_length(downgrade_checksum) OPERATOR(pg_catalog.=) 64
			   AND downgrade_checksum OPERATOR(pg_catalog.!~) '[^0-9a-f]'::pg_catalog.text);
COMMENT ON COLUMN migrate.revision.upgrade_checksum IS 'migrate_fingerprint(upgrade_sql)';
COMMENT ON COLUMN migrate.revision.downgrade_checksum IS 'migrate_fingerprint(downgrade_sql)';

ALTER TABLE migrate.journal ADD COLUMN checksum text;
UPDATE migrate.journal j
   SET checksum = CASE j.operation WHEN 'downgrade' THEN r.downgrade_checksum
				  ELSE r.upgrade_checksum END
  FROM migrate.revision r
 WHERE r.revision OPERATOR(pg_catalog.=) j.revision;
COMMENT ON COLUMN migrate.journal.checksum IS 'the checksum the step ran with: upgrade (or stamp, repair, resolve) or downgrade SQL';

ALTER TABLE migrate.journal
	DROP CONSTRAINT journal_operation_check,
	ADD CONSTRAINT journal_operation_check
		CHECK (operation OPERATOR(pg_catalog.=)
			   ANY (ARRAY['upgrade', 'downgrade', 'stamp', 'repair',
						  'resolve']::pg_catalog.text[]));
COMMENT ON TABLE migrate.journal IS 'every step ever run: upgrade, downgrade or stamp, and every repair or resolve';

-- an applied revision whose registered SQL is not the SQL it was applied with
CREATE TABLE migrate.drift (
	revision		text NOT NULL,
	applied_upgrade_checksum text NOT NULL,
	applied_downgrade_checksum text,
	detected_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT drift_pkey PRIMARY KEY (revision),
	CONSTRAINT drift_revision_fkey FOREIGN KEY (revision)
		REFERENCES migrate.revision (revision)
);
COMMENT ON TABLE migrate.drift IS 'applied revisions registered again with different SQL, until migrate_repair() accepts them';
SELECT pg_catalog.pg_extension_config_dump('migrate.drift', '');

CREATE FUNCTION migrate_drift()
RETURNS TABLE (revision text, file_name text,
			   applied_upgrade_checksum text, upgrade_checksum text,
			   applied_downgrade_checksum text, downgrade_checksum text,
			   detected_at timestamptz)
AS 'MODULE_PATHNAME', 'migrate_drift'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_drift()
	IS 'applied revisions whose registered SQL differs from the SQL they were applied with';

CREATE FUNCTION migrate_repair(revision text)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_repair'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_repair(text)
	IS 'accept the registered SQL of a drifted applied revision; journaled; returns the accepted upgrade checksum';
REVOKE ALL ON FUNCTION migrate_repair(text) FROM PUBLIC;

-- ==== non-transactional runs: recorded progress, resolve ====

-- a non-transactional step the client started and has not recorded as done
CREATE TABLE migrate.interrupted (
	revision		text NOT NULL,
	operation		text NOT NULL,
	statements		integer NOT NULL,
	done			integer NOT NULL DEFAULT 0,
	backend_pid		integer NOT NULL DEFAULT pg_catalog.pg_backend_pid(),
	role			name NOT NULL,
	started_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	failed_statement integer,
	failed_line		integer,
	failed_sqlstate	text,
	failed_message	text,
	failed_at		timestamptz,
	done_checksum	text,
	CONSTRAINT interrupted_pkey PRIMARY KEY (revision),
	CONSTRAINT interrupted_revision_fkey FOREIGN KEY (revision)
		REFERENCES migrate.revision (revision),
	CONSTRAINT interrupted_operation_check
		CHECK (operation OPERATOR(pg_catalog.=)
			   ANY (ARRAY['upgrade', 'downgrade']::pg_catalog.text[])),
	CONSTRAINT interrupted_done_check
		CHECK (done OPERATOR(pg_catalog.>=) 0
			   AND done OPERATOR(pg_catalog.<=) statements),
	CONSTRAINT interrupted_failed_check
		CHECK ((failed_statement IS NULL) OPERATOR(pg_catalog.=) (failed_at IS NULL)
			   AND failed_statement OPERATOR(pg_catalog.>) done
			   AND failed_statement OPERATOR(pg_catalog.<=) statements)
);
COMMENT ON TABLE migrate.interrupted IS 'a non-transactional step in progress, or one that failed or whose client died half-way';
COMMENT ON COLUMN migrate.interrupted.done IS 'statements that succeeded (each committed on its own)';
COMMENT ON COLUMN migrate.interrupted.done_checksum IS 'fingerprint of those statements as registered when they ran: a resumed run checks them unchanged';
SELECT pg_catalog.pg_extension_config_dump('migrate.interrupted', '');

CREATE FUNCTION migrate_outside_start(revision text, operation text,
									  statements integer)
RETURNS void
AS 'MODULE_PATHNAME', 'migrate_outside_start'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_outside_start(text, text, integer)
	IS 'note that the client starts running a non-transactional step (call in autocommit)';

CREATE FUNCTION migrate_outside_progress(revision text, done integer)
RETURNS void
AS 'MODULE_PATHNAME', 'migrate_outside_progress'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_outside_progress(text, integer)
	IS 'note how many statements of a non-transactional step succeeded';

CREATE FUNCTION migrate_outside_failed(revision text, statement integer,
									   sqlstate text, message text)
RETURNS void
AS 'MODULE_PATHNAME', 'migrate_outside_failed'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_outside_failed(text, integer, text, text)
	IS 'note which statement of a non-transactional step failed, and why';

CREATE FUNCTION migrate_outside_resume(revision text, operation text,
									   statements integer)
RETURNS integer
AS 'MODULE_PATHNAME', 'migrate_outside_resume'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_outside_resume(text, text, integer)
	IS 'take over an interrupted non-transactional step to continue it; returns how many statements are done';

CREATE FUNCTION migrate_resolve(revision text, outcome text)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_resolve'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_resolve(text, text)
	IS 'settle an interrupted non-transactional step as ''applied'' or ''not applied''; journaled';

REVOKE ALL ON FUNCTION migrate_outside_start(text, text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_outside_progress(text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_outside_failed(text, integer, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_outside_resume(text, text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_resolve(text, text) FROM PUBLIC;

-- ==== lint ====

-- The rules each revision silences, from its "-- lint-ignore:" header
-- lines, as "PM003 reason": kept as registration metadata, like file_name.
ALTER TABLE migrate.revision
	ADD COLUMN lint_ignores text[] NOT NULL DEFAULT '{}',
	ADD CONSTRAINT revision_lint_ignores_check
		CHECK (pg_catalog.array_position(lint_ignores, NULL::pg_catalog.text) IS NULL);
COMMENT ON COLUMN migrate.revision.lint_ignores
	IS 'lint rules the revision silences, as "PM003 reason" (its -- lint-ignore: header lines)';

CREATE FUNCTION migrate_lint(revision text DEFAULT NULL)
RETURNS TABLE (revision text, rule text, severity text, section text,
			   statement integer, line integer, message text, hint text,
			   file_name text, silenced boolean, reason text)
AS 'MODULE_PATHNAME', 'migrate_lint'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_lint(text)
	IS 'lint findings of one registered revision, or of all of them oldest first; silenced ones included';

CREATE FUNCTION migrate_lint_file(name text, content text)
RETURNS TABLE (revision text, rule text, severity text, section text,
			   statement integer, line integer, message text, hint text,
			   file_name text, silenced boolean, reason text)
AS 'MODULE_PATHNAME', 'migrate_lint_file'
LANGUAGE C STRICT STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_lint_file(text, text)
	IS 'lint findings of the text of a revision file, without registering it; silenced ones included';

CREATE FUNCTION migrate_lint_rules()
RETURNS TABLE (rule text, severity text, title text, why text, safe text)
AS 'MODULE_PATHNAME', 'migrate_lint_rules'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION migrate_lint_rules()
	IS 'every lint rule: id, severity, what it finds, why it is dangerous, the safe way';

-- Registered revisions' SQL is not for everyone (as with migrate_script);
-- linting a file one holds, and the rule list, are.
REVOKE ALL ON FUNCTION migrate_lint(text) FROM PUBLIC;


-- ==== verify and explain ====

CREATE FUNCTION migrate_verify(target text DEFAULT 'heads')
RETURNS TABLE (step integer, revision text, status text, differences text[],
			   error text)
AS 'MODULE_PATHNAME', 'migrate_verify'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_verify(text)
	IS 'upgrade, downgrade, compare the schema and upgrade again each pending revision, all rolled back; one row per revision';
REVOKE ALL ON FUNCTION migrate_verify(text) FROM PUBLIC;

CREATE FUNCTION migrate_explain(target text DEFAULT 'heads')
RETURNS TABLE (step integer, revision text, statement integer, line integer,
			   command text, relation text, lock_mode text,
			   new_relation boolean, rewritten boolean, size_bytes bigint)
AS 'MODULE_PATHNAME', 'migrate_explain'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_explain(text)
	IS 'run the pending revisions, rolled back, and report per statement the relation locks taken and the relations rewritten';
REVOKE ALL ON FUNCTION migrate_explain(text) FROM PUBLIC;

-- ==== lock safety and per-revision transactions ====

CREATE PROCEDURE migrate_run(target text DEFAULT 'heads')
AS 'MODULE_PATHNAME', 'migrate_run'
LANGUAGE C;
COMMENT ON PROCEDURE migrate_run(text)
	IS 'apply revisions up to target, committing after each one, under a session-level advisory lock; retries lock timeouts';
REVOKE ALL ON PROCEDURE migrate_run(text) FROM PUBLIC;

-- ==== performance ====

/*
 * The no-op fast path: an upgrade to "head"/"heads" while the version rows
 * equal the heads of the graph has nothing to do.  Every change bumps
 * migrate.state.generation, so when the generation still equals the one at
 * which the rows were last seen to be the heads, the call returns after
 * reading this one row instead of loading the catalog.
 */
ALTER TABLE migrate.state
	ADD COLUMN heads_generation bigint,
	ADD COLUMN heads_count integer;
COMMENT ON COLUMN migrate.state.heads_generation IS 'the generation at which the version rows were last the heads of the graph';
COMMENT ON COLUMN migrate.state.heads_count IS 'how many heads the graph had at heads_generation';

/* SHA-256 of the revision file a revision was registered from. */
ALTER TABLE migrate.revision ADD COLUMN file_sha256 text;
COMMENT ON COLUMN migrate.revision.file_sha256 IS 'SHA-256 (hex) of the file content the revision was last registered from; null when registered by migrate_add';

/*
 * What each client directory last synchronised: the digest of its file
 * names and contents, and the generation once it was registered.  Not kept
 * by pg_dump, like migrate.state, whose generation it refers to.
 */
CREATE TABLE migrate.sync (
	dir_key			text NOT NULL,
	digest			text NOT NULL,
	generation		bigint NOT NULL,
	synced_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT sync_pkey PRIMARY KEY (dir_key)
);
COMMENT ON TABLE migrate.sync IS 'digest of each client directory of revision files, and the generation at which it was last registered in full';

CREATE FUNCTION migrate_sync_check(dir_key text, digest text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'migrate_sync_check'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_sync_check(text, text)
	IS 'take the migration lock; true when the directory dir_key was registered with this digest and nothing changed since';

CREATE FUNCTION migrate_sync_files()
RETURNS TABLE (file_name text, revision text, file_sha256 text)
AS 'MODULE_PATHNAME', 'migrate_sync_files'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_sync_files()
	IS 'take the migration lock; the file name, revision and file SHA-256 of every revision registered from a file';

/*
 * The stat cache: the client's digest of its files' names, sizes, times
 * (modification and change, in nanoseconds) and inodes at the last
 * complete sync.  While they are unchanged the client takes the contents
 * as unchanged too, without reading them (as make and version control
 * indexes do).
 */
ALTER TABLE migrate.sync ADD COLUMN stat_digest text;
COMMENT ON COLUMN migrate.sync.stat_digest IS 'the client''s digest of the files'' names, sizes, times and inodes at that sync; null when it was not safe to keep';

CREATE FUNCTION migrate_sync_stat(dir_key text, stat_digest text)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_sync_stat'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_sync_stat(text, text)
	IS 'take the migration lock; the content digest of directory dir_key when it was registered with this stat digest and nothing changed since, else null';

CREATE FUNCTION migrate_sync_done(dir_key text, digest text,
								  stat_digest text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'migrate_sync_done'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_sync_done(text, text, text)
	IS 'record that every file of the directory dir_key (digest; stat digest, may be null) is registered as it is now; returns the generation';

/* Registering a client's batch of files with one INSERT for the new ones. */
CREATE FUNCTION migrate_add_files(names text[], contents text[])
RETURNS integer
AS 'MODULE_PATHNAME', 'migrate_add_files'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION migrate_add_files(text[], text[])
	IS 'register revision files (names and contents), as migrate_add_file would one at a time; every file is checked first; returns how many';
REVOKE ALL ON FUNCTION migrate_add_files(text[], text[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION migrate_sync_stat(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_sync_done(text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_sync_check(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_sync_files() FROM PUBLIC;

-- ==== end ====
