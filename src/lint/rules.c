/*-------------------------------------------------------------------------
 *
 * rules.c
 *	  The lint rules: id, severity, what each finds, why it is dangerous
 *	  and how to do the same thing safely.
 *
 * Ids are stable: a rule is never renumbered, so that "-- lint-ignore:"
 * lines keep meaning what they meant.  docs/lint.md explains each rule at
 * more length; migrate_lint_rules() returns this table.
 *
 * IDENTIFICATION
 *	  src/lint/rules.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lint/lint.h"

static const MigrateLintRule rules[] = {
	{"PM000", LINT_ERROR, "SQL that does not parse",
		"The revision fails as soon as it runs, and registration refuses it.",
	"Fix the syntax error."},
	{"PM001", LINT_ERROR, "index built without CONCURRENTLY on an existing table",
		"CREATE INDEX holds a SHARE lock on the table while it reads all of it: writes wait for as long as the build takes.",
	"Use CREATE INDEX CONCURRENTLY in a revision of its own marked \"transactional: false\"."},
	{"PM002", LINT_ERROR, "column added with a volatile default",
		"A volatile default (or a serial, identity or stored generated column) is computed for every row: the table is rewritten under an ACCESS EXCLUSIVE lock that blocks reads and writes.",
	"Add the column without a default (or with a constant one), set the default with ALTER COLUMN ... SET DEFAULT, and fill existing rows in batches."},
	{"PM003", LINT_ERROR, "column type change that rewrites the table",
		"Changing a column to a type that is not binary coercible rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE lock.",
	"Add a column of the new type, fill it in batches, keep it in step with a trigger, then switch the application over and drop the old column."},
	{"PM004", LINT_ERROR, "SET NOT NULL without a validated CHECK constraint",
		"SET NOT NULL reads the whole table under an ACCESS EXCLUSIVE lock to check that no row is null.",
	"Add CHECK (column IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it (which does not block writes), then SET NOT NULL, which uses the constraint and skips the scan; the CHECK can then be dropped."},
	{"PM005", LINT_ERROR, "foreign key added without NOT VALID",
		"Adding a foreign key checks every existing row while holding a SHARE ROW EXCLUSIVE lock on both tables: writes to both wait.",
	"Add the constraint with NOT VALID, then run ALTER TABLE ... VALIDATE CONSTRAINT, which lets writes go on."},
	{"PM006", LINT_ERROR, "CHECK constraint added without NOT VALID",
		"Adding a CHECK constraint reads the whole table under an ACCESS EXCLUSIVE lock.",
	"Add the constraint with NOT VALID, then run ALTER TABLE ... VALIDATE CONSTRAINT, which lets reads and writes go on."},
	{"PM007", LINT_WARNING, "table dropped",
		"The data is gone for good, and the application still running the previous release fails as soon as it touches the table.",
	"Stop using the table in a release first, back it up or rename it aside, and drop it in a later revision."},
	{"PM008", LINT_WARNING, "column dropped",
		"The data is gone for good, and the application still running the previous release fails on queries that name the column (or insert into it without a default).",
	"Stop using the column in a release first, then drop it in a later revision."},
	{"PM009", LINT_WARNING, "table or view renamed",
		"The application still running the previous release uses the old name and fails until it is replaced.",
	"Create the new name alongside (a view named after the old table, or the other way round), move the application over, then remove the old name in a later revision."},
	{"PM010", LINT_WARNING, "column renamed",
		"The application still running the previous release uses the old column name and fails until it is replaced.",
	"Add a new column, write to both from the application, backfill, switch reads, then drop the old column in a later revision."},
	{"PM011", LINT_ERROR, "PRIMARY KEY, UNIQUE or EXCLUDE constraint without an existing index",
		"The constraint builds its index while ALTER TABLE holds an ACCESS EXCLUSIVE lock: reads and writes wait for the whole build.",
	"Build the index with CREATE UNIQUE INDEX CONCURRENTLY in a non-transactional revision, then add the constraint with ADD CONSTRAINT ... UNIQUE USING INDEX (or PRIMARY KEY USING INDEX)."},
	{"PM012", LINT_ERROR, "VACUUM FULL",
		"VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock, and cannot run in a transaction block.",
	"Use plain VACUUM, or a tool that rebuilds tables online, outside the migrations."},
	{"PM013", LINT_ERROR, "CLUSTER",
		"CLUSTER rewrites the table in index order under an ACCESS EXCLUSIVE lock.",
	"Leave physical reordering to maintenance outside the migrations, with a tool that works online."},
	{"PM014", LINT_WARNING, "LOCK TABLE",
		"An explicit lock is held until the migration's transaction ends, across every later statement and revision of the run.",
	"Rely on the locks statements take themselves, and keep the revision short; set lock_timeout so that a blocked lock fails instead of queueing the application behind it."},
	{"PM015", LINT_ERROR, "transaction control inside a revision",
		"Each revision runs inside the migration's transaction; BEGIN, COMMIT, ROLLBACK or SAVEPOINT in it is refused when the revision is registered.",
	"Remove the statement; mark the revision \"transactional: false\" if it must run outside a transaction block."},
	{"PM016", LINT_ERROR, "statement that cannot run in a transaction block, in a transactional revision",
		"CREATE INDEX CONCURRENTLY, VACUUM and similar statements fail inside the migration's transaction; registration refuses the revision.",
	"Put the statement in a revision of its own marked \"transactional: false\"; the pg_migrate client runs such revisions."},
	{"PM017", LINT_WARNING, "revision without a downgrade",
		"Without a \"-- migrate:downgrade\" section the revision cannot be reverted, and neither can anything before it.",
	"Add a \"-- migrate:downgrade\" section; leave it empty if there is truly nothing to undo."},
	{"PM018", LINT_ERROR, "NOT NULL column added without a default",
		"Adding a NOT NULL column without a default fails as soon as the table has a row.",
	"Give the column a constant default, or add it nullable, backfill it, and set NOT NULL afterwards (see PM004)."},
	{"PM019", LINT_WARNING, "index dropped without CONCURRENTLY",
		"DROP INDEX takes an ACCESS EXCLUSIVE lock on the table; while it waits for running queries, every new query on the table queues behind it.",
	"Use DROP INDEX CONCURRENTLY in a revision marked \"transactional: false\"."},
	{"PM020", LINT_ERROR, "REINDEX without CONCURRENTLY",
		"REINDEX blocks writes to the table, and reads that use the index, while it rebuilds.",
	"Use REINDEX CONCURRENTLY in a revision marked \"transactional: false\"."},
	{"PM021", LINT_ERROR, "REFRESH MATERIALIZED VIEW without CONCURRENTLY",
		"A plain refresh holds an ACCESS EXCLUSIVE lock on the view: reads of it wait for the whole query.",
	"Use REFRESH MATERIALIZED VIEW CONCURRENTLY (the view needs a unique index), outside the migration's transaction if it is long."},
	{"PM022", LINT_ERROR, "table rewritten by SET TABLESPACE, SET LOGGED, SET UNLOGGED or SET ACCESS METHOD",
		"The statement copies the whole table under an ACCESS EXCLUSIVE lock.",
	"Do it in a maintenance window, or copy the data online into a new table and switch over."},
	{"PM023", LINT_WARNING, "TRUNCATE",
		"TRUNCATE removes every row for good and takes an ACCESS EXCLUSIVE lock; the application still running may depend on the rows.",
	"Make sure the data is not needed (back it up first), or delete in batches."},
	{"PM024", LINT_ERROR, "UPDATE or DELETE of a whole table",
		"An UPDATE or DELETE without WHERE locks every row of the table until the migration commits: any write to the table waits, and the dead rows bloat it.",
	"Backfill outside the migration, in batches of a few thousand rows, each in its own transaction."},
	{"PM025", LINT_WARNING, "ALTER TYPE ... ADD VALUE",
		"A new enum value cannot be used before its transaction commits, and every revision of a run shares one transaction: a later revision that uses the value fails.",
	"Add the value in a revision marked \"transactional: false\", or make sure no revision applied in the same run uses it."},
	{"PM026", LINT_ERROR, "COPY to or from the client",
		"A revision has no client connection to read from or write to; registration refuses it.",
	"Use INSERT statements, or COPY from a file on the server."},
	{"PM027", LINT_INFO, "non-transactional revision with several statements",
		"A revision marked \"transactional: false\" runs statement by statement: when one fails, those before it stay done and the revision is not recorded, so running it again repeats them.",
	"Give each non-transactional statement a revision of its own, or make every statement safe to run twice (IF NOT EXISTS, IF EXISTS)."},
	{"PM028", LINT_INFO, "lint-ignore that silences nothing",
		"The revision silences a rule that reports nothing in it: the line is stale, or names the wrong rule.",
	"Remove the \"-- lint-ignore:\" line, or correct the rule id."},
};

StaticAssertDecl(lengthof(rules) == MIGRATE_LINT_RULE_COUNT + 1,
				 "every rule id up to MIGRATE_LINT_RULE_COUNT needs an entry");

/* The rule with number rule (0 to MIGRATE_LINT_RULE_COUNT). */
const MigrateLintRule *
migrate_lint_rule(int rule)
{
	if (rule < 0 || rule > MIGRATE_LINT_RULE_COUNT)
		elog(ERROR, "unknown lint rule %d", rule);
	return &rules[rule];
}

const char *
migrate_lint_severity_name(MigrateLintSeverity severity)
{
	switch (severity)
	{
		case LINT_ERROR:
			return "error";
		case LINT_WARNING:
			return "warning";
		case LINT_INFO:
			return "info";
	}
	return "error";				/* keep compiler quiet */
}
