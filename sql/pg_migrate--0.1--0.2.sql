/* sql/pg_migrate--0.1--0.2.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION pg_migrate UPDATE TO '0.2'" to load this file. \quit

/*
 * Version 0.2 is installed as 0.1 followed by this script, so a fresh
 * CREATE EXTENSION and an update from 0.1 give the same result.  The
 * script is grouped by concern; each group keeps its own objects.
 */

-- ==== integrity: checksums, drift, repair ====

-- ==== non-transactional runs: recorded progress, resolve ====

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

-- ==== lock safety and per-revision transactions ====

-- ==== performance ====

-- ==== end ====
