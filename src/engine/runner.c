/*-------------------------------------------------------------------------
 *
 * runner.c
 *	  Running one revision's SQL.
 *
 * A revision's SQL runs as the caller, statement by statement
 * through SPI, inside the caller's transaction: any error aborts the whole
 * migration.  Each revision gets a GUC nest level of its own, so a SET in
 * one does not leak into the next, and an error context that names the
 * revision, its file and the line in that file.  The settings applied at
 * that level, and the error a lock timeout gives, are in locksafety.c.
 *
 * IDENTIFICATION
 *	  src/engine/runner.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "commands/defrem.h"
#include "nodes/parsenodes.h"
#include "portability/instr_time.h"
#include "storage/lock.h"
#include "tcop/dest.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "pg_migrate.h"

/*
 * Set while a revision's SQL runs: a revision that calls migrate_upgrade()
 * (or any other state-changing function) would plan from version rows that
 * are not written yet, and apply revisions twice.
 */
static bool running_revision = false;

/* Whether a revision's SQL is running (locks.c refuses changes then). */
bool
migrate_in_revision(void)
{
	return running_revision;
}

/* Where in a revision we are, for the error context callback. */
typedef struct StepContext
{
	const MigrateRevision *rev;
	const char *sql;			/* the whole section being run */
	int			first_line;		/* its first line in the file, or 0 */
	int			stmt_offset;	/* byte offset of the running statement */
	bool		upgrade;
	bool		checking;		/* parsing at registration, not running */
	MigrateStatementHook hook;	/* NULL for ordinary runs */
	void	   *hook_arg;
} StepContext;

static void step_error_callback(void *arg);

/*
 * Set up the context of one section of rev and push its error context
 * callback; the caller pops it (error_context_stack = callback->previous).
 */
static void
step_begin(StepContext *step, ErrorContextCallback *callback,
		   const MigrateRevision *rev, bool upgrade, bool checking)
{
	step->rev = rev;
	step->upgrade = upgrade;
	step->checking = checking;
	step->sql = upgrade ? rev->upgrade_sql : rev->downgrade_sql;
	step->first_line = upgrade ? rev->upgrade_line : rev->downgrade_line;
	step->stmt_offset = 0;
	step->hook = NULL;
	step->hook_arg = NULL;

	callback->callback = step_error_callback;
	callback->arg = step;
	callback->previous = error_context_stack;
	error_context_stack = callback;
}

/* Byte offset of the 1-based character position pos in s. */
static int
char_pos_to_offset(const char *s, int pos)
{
	int			offset = 0;
	int			chars;

	for (chars = 1; chars < pos && s[offset] != '\0'; chars++)
		offset += pg_mblen(s + offset);
	return offset;
}

/*
 * The context line of an error in step, whose statement starts on line
 * line_in_sql (0-based) of its section, into buf.  A fixed buffer: this
 * runs while the error is being raised.
 */
static char last_error_where[1024];

static void
step_where(const StepContext *step, int line_in_sql, char *buf, size_t size)
{
	const char *what = step->upgrade ? "upgrade" : "downgrade";

	if (step->checking && step->rev->file_name && step->first_line > 0)
		snprintf(buf, size, "%s section of revision \"%s\" (file \"%s\", line %d)",
				 what, step->rev->revision, step->rev->file_name,
				 step->first_line + line_in_sql);
	else if (step->checking)
		snprintf(buf, size, "%s SQL of revision \"%s\", line %d",
				 what, step->rev->revision, line_in_sql + 1);
	else if (step->rev->file_name && step->first_line > 0)
		snprintf(buf, size, "%s of revision \"%s\" (file \"%s\", line %d)",
				 what, step->rev->revision, step->rev->file_name,
				 step->first_line + line_in_sql);
	else
		snprintf(buf, size, "%s of revision \"%s\" (line %d of its %s SQL)",
				 what, step->rev->revision, line_in_sql + 1, what);
}

/*
 * Error context callback for a running revision: "revision "x" (file "f",
 * line n)".  A syntax error raised by our own parse of the whole section
 * gets its position moved into the internal query, as SPI does for its
 * own statements, so that psql shows the revision's text and not the
 * caller's.
 */
static void
step_error_callback(void *arg)
{
	StepContext *step = (StepContext *) arg;
	int			line_in_sql;
	int			pos = geterrposition();

	if (pos > 0)
	{
		/* raised by pg_parse_query on the whole section */
		errposition(0);
		internalerrposition(pos);
		internalerrquery(step->sql);
		line_in_sql = migrate_count_lines(step->sql, char_pos_to_offset(step->sql, pos));
	}
	else
	{
		/*
		 * Raised while a statement ran: name the line it starts on.  An
		 * internal position may belong to a query nested inside it (a
		 * function's), so it cannot refine the line; psql shows it.
		 */
		line_in_sql = migrate_count_lines(step->sql, step->stmt_offset);
	}

	step_where(step, line_in_sql, last_error_where, sizeof(last_error_where));
	errcontext("%s", last_error_where);
}

/*
 * Where the last error raised in a step happened, as its context line
 * says ("upgrade of revision "x" (file "f", line n)"), or NULL when no
 * step raised one since migrate_step_error_reset.  Trial runs (verify.c)
 * report it next to the message.
 */
const char *
migrate_step_error_where(void)
{
	return last_error_where[0] != '\0' ? last_error_where : NULL;
}

void
migrate_step_error_reset(void)
{
	last_error_where[0] = '\0';
}

/*
 * The statement, if any, that PostgreSQL runs only outside a transaction
 * block: a revision holding one must be marked "transactional: false".
 */
static const char *
needs_own_transaction(Node *stmt)
{
	ListCell   *lc;

	switch (nodeTag(stmt))
	{
		case T_IndexStmt:
			return ((IndexStmt *) stmt)->concurrent ? "CREATE INDEX CONCURRENTLY" : NULL;
		case T_DropStmt:
			return ((DropStmt *) stmt)->concurrent ? "DROP INDEX CONCURRENTLY" : NULL;
		case T_ReindexStmt:
			foreach(lc, ((ReindexStmt *) stmt)->params)
			{
				DefElem    *opt = lfirst_node(DefElem, lc);

				if (strcmp(opt->defname, "concurrently") == 0 &&
					(opt->arg == NULL || defGetBoolean(opt)))
					return "REINDEX CONCURRENTLY";
			}
			return NULL;
		case T_AlterTableStmt:
			foreach(lc, ((AlterTableStmt *) stmt)->cmds)
			{
				AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

				if (cmd->subtype == AT_DetachPartition &&
					((PartitionCmd *) cmd->def)->concurrent)
					return "DETACH PARTITION CONCURRENTLY";
			}
			return NULL;
		case T_VacuumStmt:
			return ((VacuumStmt *) stmt)->is_vacuumcmd ? "VACUUM" : NULL;
		case T_CreatedbStmt:
			return "CREATE DATABASE";
		case T_DropdbStmt:
			return "DROP DATABASE";
		case T_AlterSystemStmt:
			return "ALTER SYSTEM";
		case T_CreateTableSpaceStmt:
			return "CREATE TABLESPACE";
		case T_DropTableSpaceStmt:
			return "DROP TABLESPACE";
		default:
			return NULL;
	}
}

/*
 * Parse a section into raw statements, refusing before anything runs what
 * a revision cannot hold: transaction control, COPY to or from the client,
 * and, unless the revision is non-transactional, statements that need a
 * transaction of their own.  A syntax error gets the step's error context: file, line
 * and position within the section.
 */
static List *
parse_section(StepContext *step)
{
	List	   *stmts = pg_parse_query(step->sql);
	ListCell   *lc;

	foreach(lc, stmts)
	{
		RawStmt    *raw = lfirst_node(RawStmt, lc);

		if (IsA(raw->stmt, TransactionStmt))
		{
			step->stmt_offset = migrate_skip_blanks(step->sql, raw->stmt_location,
											strlen(step->sql));
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
					 errmsg("revision \"%s\" contains a transaction control statement",
							step->rev->revision),
					 errdetail("Each revision runs inside the migration's transaction."),
					 errhint("Remove BEGIN, COMMIT and similar statements from the revision.")));
		}
		if (IsA(raw->stmt, CopyStmt) && ((CopyStmt *) raw->stmt)->filename == NULL)
		{
			step->stmt_offset = migrate_skip_blanks(step->sql, raw->stmt_location,
											strlen(step->sql));
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("revision \"%s\" contains COPY to or from the client",
							step->rev->revision),
					 errdetail("A revision has no client connection to read from or write to."),
					 errhint("Use INSERT statements, or COPY from a server file.")));
		}
		if (step->rev->transactional)
		{
			const char *what = needs_own_transaction(raw->stmt);

			if (what != NULL)
			{
				step->stmt_offset = migrate_skip_blanks(step->sql, raw->stmt_location,
												strlen(step->sql));
				ereport(ERROR,
						(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
						 errmsg("revision \"%s\" contains %s, which cannot run inside a transaction block",
								step->rev->revision, what),
						 errhint("Mark the revision \"transactional: false\"; the pg_migrate client runs such revisions.")));
			}
		}
	}
	return stmts;
}

/*
 * Line of the running statement: in its file when known, else in its
 * section (1-based).
 */
static int
statement_line(const StepContext *step)
{
	int			line = migrate_count_lines(step->sql, step->stmt_offset);

	return step->first_line > 0 ? step->first_line + line : line + 1;
}

/*
 * Run every statement of sql through SPI.  Statements are run one by one
 * (not as one string) so that an error's position, and the line in the
 * error context, point at the statement that failed.
 */
static void
run_statements(StepContext *step)
{
	List	   *stmts = parse_section(step);
	ListCell   *lc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	foreach(lc, stmts)
	{
		RawStmt    *raw = lfirst_node(RawStmt, lc);
		int			start = raw->stmt_location;
		int			end;
		char	   *text;
		SPIExecuteOptions options;
		int			ret;

		end = raw->stmt_len > 0 ? start + raw->stmt_len : (int) strlen(step->sql);
		start = migrate_skip_blanks(step->sql, start, end);
		text = pnstrdup(step->sql + start, end - start);
		step->stmt_offset = start;

		if (step->hook)
			step->hook(step->hook_arg, raw, statement_line(step), true);

		/* results of a SELECT in a revision are not kept: none piles up */
		memset(&options, 0, sizeof(options));
		options.dest = None_Receiver;
		if (migrate_revision_statement_timeout > 0 &&
			migrate_statement_timeout_begin())
		{
			ret = SPI_execute_extended(text, &options);
			migrate_statement_timeout_end();
		}
		else
			ret = SPI_execute_extended(text, &options);
		if (ret < 0)
			elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
		pfree(text);

		if (step->hook)
			step->hook(step->hook_arg, raw, statement_line(step), false);
	}

	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}

/*
 * Run one step: the upgrade or downgrade SQL of rev, as step stepno of
 * nsteps.  Returns its duration in milliseconds.
 */
double
migrate_run_step(const MigrateRevision *rev, bool upgrade, int stepno,
				 int nsteps)
{
	return migrate_run_step_hooked(rev, upgrade, stepno, nsteps, NULL, NULL);
}

/*
 * migrate_run_step, calling hook (when not NULL) before and after each
 * statement: what explain uses to watch locks and rewrites.
 */
double
migrate_run_step_hooked(const MigrateRevision *rev, bool upgrade, int stepno,
						int nsteps, MigrateStatementHook hook, void *hook_arg)
{
	StepContext step;
	ErrorContextCallback callback;
	MemoryContext step_cxt;
	MemoryContext old_cxt;
	instr_time	start;
	instr_time	duration;
	int			nestlevel;
	double		ms;

	/* a revision of the other kind of run is recorded, not run (scope.c) */
	if (!migrate_scope_runs(rev))
	{
		if (migrate_notice_steps)
			ereport(NOTICE,
					(errmsg("skipping %d/%d \"%s\": its SQL is for %s",
							stepno, nsteps, rev->revision,
							rev->scope_kind == MIGRATE_SCOPE_SHARED ?
							_("the shared run only") :
							_("tenant schemas only"))));
		return 0;
	}
	if ((upgrade ? rev->upgrade_sql : rev->downgrade_sql) == NULL)
		elog(ERROR, "revision \"%s\" was loaded without its SQL", rev->revision);
	if (migrate_notice_steps)
		ereport(NOTICE,
				(errmsg("%s %d/%d \"%s\"%s%s",
						upgrade ? "applying" : "reverting",
						stepno, nsteps, rev->revision,
						rev->message[0] ? ": " : "", rev->message)));

	step_cxt = AllocSetContextCreate(CurrentMemoryContext,
									 "pg_migrate step",
									 ALLOCSET_DEFAULT_SIZES);
	old_cxt = MemoryContextSwitchTo(step_cxt);

	step_begin(&step, &callback, rev, upgrade, false);
	step.hook = hook;
	step.hook_arg = hook_arg;
	nestlevel = NewGUCNestLevel();
	/* lock and statement timeouts, search_path: see locksafety.c */
	migrate_revision_settings();
	migrate_lock_watch_begin();

	migrate_outcome_step_start(rev, upgrade, stepno, nsteps);
	INSTR_TIME_SET_CURRENT(start);
	running_revision = true;
	PG_TRY();
	{
		run_statements(&step);
	}
	PG_CATCH();
	{
		running_revision = false;
		migrate_statement_timeout_end();
		/* a lock timeout is re-thrown naming the lock and its holders */
		migrate_lock_failure_rethrow(rev->revision, step_cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	running_revision = false;
	migrate_lock_watch_end();
	INSTR_TIME_SET_CURRENT(duration);
	INSTR_TIME_SUBTRACT(duration, start);
	ms = INSTR_TIME_GET_MILLISEC(duration);

	/*
	 * Undo every SET the revision made, even a plain SET that would outlive
	 * a function: each revision starts from the caller's settings.
	 */
	AtEOXact_GUC(false, nestlevel);
	error_context_stack = callback.previous;

	MemoryContextSwitchTo(old_cxt);
	MemoryContextDelete(step_cxt);

	/* the log says "done" when the transaction commits */
	migrate_outcome_step_end(rev, ms);
	return ms;
}

/*
 * Parse both sections of a revision being registered, so that a syntax
 * error or a statement parse_section refuses is reported now, naming file
 * and line, rather than halfway through a deployment.  Parsing is only the
 * grammar: names are resolved when the revision runs.
 */
void
migrate_check_syntax(const MigrateRevision *rev)
{
	int			pass;

	for (pass = 0; pass < 2; pass++)
	{
		StepContext step;
		ErrorContextCallback callback;
		MemoryContext cxt;
		MemoryContext old_cxt;

		if ((pass == 0 ? rev->upgrade_sql : rev->downgrade_sql) == NULL)
			continue;

		cxt = AllocSetContextCreate(CurrentMemoryContext, "pg_migrate parse",
									ALLOCSET_DEFAULT_SIZES);
		old_cxt = MemoryContextSwitchTo(cxt);
		step_begin(&step, &callback, rev, pass == 0, true);

		(void) parse_section(&step);

		error_context_stack = callback.previous;
		MemoryContextSwitchTo(old_cxt);
		MemoryContextDelete(cxt);
	}
}

/*
 * For lint, which reports what registration refuses: the statement, if
 * any, that needs a transaction of its own.
 */
const char *
migrate_stmt_needs_own_transaction(Node *stmt)
{
	return needs_own_transaction(stmt);
}
