/*-------------------------------------------------------------------------
 *
 * interrupted.c
 *	  Non-transactional steps that stop half-way: the client's notes in
 *	  migrate.interrupted, and migrate_resolve.
 *
 * A non-transactional revision runs from the client, statement by
 * statement, each committed on its own.  The client notes in
 * migrate.interrupted that it starts (migrate_outside_start), how many
 * statements succeeded (migrate_outside_progress), and which one failed
 * (migrate_outside_failed); migrate_record() clears the note in the
 * transaction that records the step.  A note left behind (a failure, or a
 * client that died) blocks every migration until migrate_resolve() says
 * what became of the step, or migrate_outside_resume() takes it over to
 * continue.  The client holds a session advisory lock (MIGRATE_LOCK_KEY1,
 * MIGRATE_OUTSIDE_LOCK_KEY2) while it runs, so the note of a run still in
 * progress is told from a dead one by that lock, and other sessions wait
 * for it rather than fail.
 *
 * IDENTIFICATION
 *	  src/interrupted.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "pg_migrate.h"
#include "integrity.h"

/* the client's session lock around non-transactional runs (objid 2) */
#define MIGRATE_OUTSIDE_LOCK_KEY2	2

PG_FUNCTION_INFO_V1(migrate_outside_start);
PG_FUNCTION_INFO_V1(migrate_outside_progress);
PG_FUNCTION_INFO_V1(migrate_outside_failed);
PG_FUNCTION_INFO_V1(migrate_outside_resume);
PG_FUNCTION_INFO_V1(migrate_resolve);

/* An interrupted step, as read from migrate.interrupted. */
typedef struct Interrupted
{
	char	   *revision;
	char	   *operation;
	int			statements;
	int			done;
	int			pid;
	bool		failed;
	int			failed_statement;
	int			failed_line;
	char	   *failed_sqlstate;
	char	   *failed_message;
	char	   *file_name;
	char	   *done_checksum;
	bool		alive;			/* its session still holds the client lock */
} Interrupted;

/*
 * The oldest note in migrate.interrupted (or, with revision, that
 * revision's); false when there is none.  Whether its session is alive is
 * looked up only when there is one.
 */
static bool
read_interrupted(const char *revision, bool latest, bool check_alive,
				 Interrupted *out)
{
	MemoryContext caller = CurrentMemoryContext;
	void	   *h;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	char		nulls[1] = {' '};
	bool		found;

	memset(out, 0, sizeof(*out));
	if (revision)
		values[0] = CStringGetTextDatum(revision);
	else
	{
		values[0] = (Datum) 0;
		nulls[0] = 'n';
	}
	h = migrate_catalog_begin();
	migrate_catalog_query(!latest,
						  "SELECT i.revision, i.operation, i.statements, i.done,"
						  " i.backend_pid, i.failed_at IS NOT NULL,"
						  " i.failed_statement, i.failed_line, i.failed_sqlstate,"
						  " i.failed_message, r.file_name, i.done_checksum"
						  " FROM migrate.interrupted i"
						  " JOIN migrate.revision r USING (revision)"
						  " WHERE $1 IS NULL OR i.revision = $1"
						  " ORDER BY i.started_at LIMIT 1",
						  1, types, values, nulls, SPI_OK_SELECT);
	found = SPI_processed > 0;
	if (found)
	{
		bool		isnull;

		out->revision = migrate_row_text(caller, 1);
		out->operation = migrate_row_text(caller, 2);
		out->statements = migrate_row_int(3);
		out->done = migrate_row_int(4);
		out->pid = migrate_row_int(5);
		out->failed = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
												 SPI_tuptable->tupdesc, 6,
												 &isnull));
		out->failed_statement = migrate_row_int(7);
		out->failed_line = migrate_row_int(8);
		out->failed_sqlstate = migrate_row_text(caller, 9);
		out->failed_message = migrate_row_text(caller, 10);
		out->file_name = migrate_row_text(caller, 11);
		out->done_checksum = migrate_row_text(caller, 12);
	}
	if (found && check_alive)
	{
		{
			Oid			ltypes[3] = {OIDOID, OIDOID, INT4OID};
			Datum		lvalues[3];

			lvalues[0] = ObjectIdGetDatum((Oid) MIGRATE_LOCK_KEY1);
			lvalues[1] = ObjectIdGetDatum((Oid) MIGRATE_OUTSIDE_LOCK_KEY2);
			lvalues[2] = Int32GetDatum(out->pid);
			migrate_catalog_query(false,
								  "SELECT 1 FROM pg_catalog.pg_locks"
								  " WHERE locktype = 'advisory' AND database = ("
								  " SELECT oid FROM pg_catalog.pg_database"
								  " WHERE datname = pg_catalog.current_database())"
								  " AND classid = $1 AND objid = $2 AND objsubid = 2"
								  " AND pid = $3 AND granted",
								  3, ltypes, lvalues, NULL, SPI_OK_SELECT);
			out->alive = SPI_processed > 0;
		}
	}
	migrate_catalog_end(h);
	return found;
}

/*
 * The upgrade or downgrade SQL of a revision (NULL when none) and the line
 * of its first line in the file (0 when unknown).
 */
static char *
read_section(const char *revision, bool upgrade, int *first_line)
{
	MemoryContext caller = CurrentMemoryContext;
	void	   *h;
	Oid			types[2] = {TEXTOID, BOOLOID};
	Datum		values[2];
	char	   *sql = NULL;

	*first_line = 0;
	values[0] = CStringGetTextDatum(revision);
	values[1] = BoolGetDatum(upgrade);
	h = migrate_catalog_begin();
	migrate_catalog_query(false,
						  "SELECT CASE WHEN $2 THEN upgrade_sql ELSE downgrade_sql END,"
						  " CASE WHEN $2 THEN upgrade_line ELSE downgrade_line END"
						  " FROM migrate.revision WHERE revision = $1",
						  2, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
	{
		sql = migrate_row_text(caller, 1);
		*first_line = migrate_row_int(2);
	}
	migrate_catalog_end(h);
	return sql;
}

/*
 * The line of the n-th statement (1-based) of a revision's upgrade or
 * downgrade SQL: in its file when it has one, else within the SQL.  0 when
 * there is no such statement.
 */
static int
statement_line(const char *revision, bool upgrade, int n)
{
	int			first_line;
	char	   *sql = read_section(revision, upgrade, &first_line);
	List	   *stmts;
	int			line = 0;

	if (sql == NULL || n < 1)
		return 0;
	stmts = raw_parser(sql, RAW_PARSE_DEFAULT);
	if (n <= list_length(stmts))
	{
		RawStmt    *raw = list_nth_node(RawStmt, stmts, n - 1);

		/* first_line is the line of the SQL's first line in the file */
		line = migrate_statement_line(sql, raw->stmt_location) - 1 +
			(first_line > 0 ? first_line : 1);
	}
	return line;
}

/*
 * Wait, before taking the migration lock, for a non-transactional step
 * that another session's client is running: its note shows it, and its
 * client holds the session lock until it is done.  Waiting here, before
 * the migration lock, keeps the order in which the client takes them.
 * Waits at most pg_migrate.lock_timeout when set.
 */
void
migrate_integrity_wait(void)
{
	void	   *h;
	bool		running;
	LOCKTAG		tag;

	if (!migrate_catalog_has_rows("interrupted", true))
		return;
	h = migrate_catalog_begin();
	migrate_catalog_query(false,
						  "SELECT 1 FROM migrate.interrupted"
						  " WHERE failed_at IS NULL"
						  " AND backend_pid <> pg_catalog.pg_backend_pid()",
						  0, NULL, NULL, NULL, SPI_OK_SELECT);
	running = SPI_processed > 0;
	migrate_catalog_end(h);
	if (!running)
		return;

	/*
	 * A transaction that holds the migration lock already (it registered
	 * files first, as the client does) must not wait: the running client
	 * needs that lock to record its step, and the two would deadlock.  The
	 * check after the migration lock then refuses instead.
	 */
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, MIGRATE_LOCK_KEY1,
						 MIGRATE_LOCK_KEY2, 2);
	if (LockHeldByMe(&tag, ExclusiveLock))
		return;

	migrate_acquire_advisory(MIGRATE_OUTSIDE_LOCK_KEY2, false,
							 _("waiting for another session's non-transactional revision to finish"),
							 "lock of a non-transactional revision");
}

/* Raise the error that an interrupted step blocks migrations with. */
static void
raise_interrupted(const Interrupted *it)
{
	bool		upgrade = strcmp(it->operation, "upgrade") == 0;
	int			stmt = it->failed ? it->failed_statement : it->done + 1;
	int			line = it->failed ? it->failed_line :
		statement_line(it->revision, upgrade, stmt);
	char	   *where;
	char	   *hint;

	if (it->file_name && line > 0)
		where = psprintf("statement %d of %d (file \"%s\", line %d)",
						 stmt, it->statements, it->file_name, line);
	else if (line > 0)
		where = psprintf("statement %d of %d (line %d of its %s SQL)",
						 stmt, it->statements, line, it->operation);
	else
		where = psprintf("statement %d of %d", stmt, it->statements);
	hint = psprintf("Complete or undo its statements by hand, then call migrate_resolve('%s', 'applied') or migrate_resolve('%s', 'not applied').",
					it->revision, it->revision);

	if (it->failed)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s of non-transactional revision \"%s\" failed at %s",
						it->operation, it->revision, where),
				 errdetail("The statement failed with SQLSTATE %s: %s.  The %d statement(s) before it are committed.",
						   it->failed_sqlstate ? it->failed_sqlstate : "?",
						   it->failed_message ? it->failed_message : "",
						   it->done),
				 errhint("%s", hint)));
	if (it->pid == MyProcPid)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("non-transactional revision \"%s\" is being run by this session",
						it->revision),
				 errdetail("Its %s is at %s.", it->operation, where),
				 errhint("Record it with migrate_record() once its statements are done, or note the failure with migrate_outside_failed().")));
	if (it->alive)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_IN_USE),
				 errmsg("non-transactional revision \"%s\" is being run by another session",
						it->revision),
				 errdetail("Session %d is running its %s, at %s.",
						   it->pid, it->operation, where),
				 errhint("Try again when it has finished.")));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("%s of non-transactional revision \"%s\" was interrupted before %s",
					it->operation, it->revision, where),
			 errdetail("The session (pid %d) that ran it ended; the %d statement(s) before it are committed, and that statement may have taken effect or not.",
					   it->pid, it->done),
			 errhint("%s", hint)));
}

/*
 * Refuse while a non-transactional step was left interrupted (see
 * migrate_integrity_check).
 */
void
migrate_interrupted_check(const char *own_revision, bool latest)
{
	Interrupted it;

	if (!migrate_catalog_has_rows("interrupted", latest))
		return;
	if (!read_interrupted(NULL, latest, true, &it))
		return;					/* gone meanwhile */
	/* migrate_outside_start allows one note at a time */
	if (own_revision && !it.failed && strcmp(it.revision, own_revision) == 0)
		return;
	raise_interrupted(&it);
}

/* Clear the note of a step that is being recorded (migrate_record). */
void
migrate_outside_clear(const char *revision)
{
	void	   *h;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];

	values[0] = CStringGetTextDatum(revision);
	h = migrate_catalog_begin();
	migrate_catalog_query(false, "DELETE FROM migrate.interrupted WHERE revision = $1",
						  1, types, values, NULL, SPI_OK_DELETE);
	migrate_catalog_end(h);
}

/*
 * migrate_outside_start(revision text, operation text, statements integer)
 *	 RETURNS void
 *
 * The client is about to run a non-transactional step of that many
 * statements.  Called in autocommit, so that the note outlives a failure
 * or the client itself.  Refused while anything blocks migrations.
 */
Datum
migrate_outside_start(PG_FUNCTION_ARGS)
{
	char	   *revision = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *operation = text_to_cstring(PG_GETARG_TEXT_PP(1));
	int32		statements = PG_GETARG_INT32(2);
	MemoryContext caller = CurrentMemoryContext;
	void	   *h;
	Oid			types[4] = {TEXTOID, TEXTOID, INT4OID, NAMEOID};
	Datum		values[4];
	char	   *transactional = NULL;

	(void) migrate_parse_operation(operation);
	if (statements < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("statement count must not be negative")));

	migrate_begin_change();
	migrate_integrity_check(NULL, true);

	values[0] = CStringGetTextDatum(revision);
	values[1] = CStringGetTextDatum(operation);
	values[2] = Int32GetDatum(statements);
	values[3] = DirectFunctionCall1(namein,
									CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
	h = migrate_catalog_begin();
	migrate_catalog_query(false,
						  "SELECT transactional::text FROM migrate.revision"
						  " WHERE revision = $1",
						  1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
		transactional = migrate_row_text(caller, 1);
	if (transactional && strcmp(transactional, "false") == 0)
		migrate_catalog_query(false,
							  "INSERT INTO migrate.interrupted (revision, operation,"
							  " statements, role) VALUES ($1, $2, $3, $4)",
							  4, types, values, NULL, SPI_OK_INSERT);
	migrate_catalog_end(h);

	if (transactional == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("revision \"%s\" does not exist", revision)));
	if (strcmp(transactional, "false") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" runs in the server", revision),
				 errdetail("Only a revision marked \"transactional: false\" is run outside the server.")));
	PG_RETURN_VOID();
}

/* Update this session's note on revision; false when it has none. */
static bool
update_own_note(const char *sql, const char *revision, int nargs,
				Oid *types, Datum *values)
{
	void	   *h = migrate_catalog_begin();
	bool		found;

	values[0] = CStringGetTextDatum(revision);
	types[0] = TEXTOID;
	migrate_catalog_query(false, sql, nargs, types, values, NULL, SPI_OK_UPDATE);
	found = SPI_processed > 0;
	migrate_catalog_end(h);
	return found;
}

static void
no_note(const char *revision)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("no run of non-transactional revision \"%s\" is in progress in this session",
					revision),
			 errhint("Call migrate_outside_start() first.")));
}

/*
 * migrate_outside_progress(revision text, done integer) RETURNS void
 *
 * That many statements of this session's running step succeeded.  Their
 * fingerprint, as registered now, is kept, so that a resumed run can tell
 * that they were not edited since.
 */
Datum
migrate_outside_progress(PG_FUNCTION_ARGS)
{
	char	   *revision = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int32		done = PG_GETARG_INT32(1);
	Interrupted it;
	Oid			types[3] = {TEXTOID, INT4OID, TEXTOID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};
	int			first_line;
	char	   *sql;
	char	   *sum;

	if (!read_interrupted(revision, true, false, &it) ||
		it.pid != MyProcPid || it.failed)
		no_note(revision);
	if (done < it.done || done > it.statements)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("statement count %d is out of range", done),
				 errdetail("%d of %d statements have succeeded.",
						   it.done, it.statements)));
	sql = read_section(revision, strcmp(it.operation, "upgrade") == 0,
					   &first_line);
	sum = sql ? migrate_fingerprint_statements(sql, done) : NULL;

	values[0] = CStringGetTextDatum(revision);
	values[1] = Int32GetDatum(done);
	if (sum)
		values[2] = CStringGetTextDatum(sum);
	else
		nulls[2] = 'n';
	{
		void	   *h = migrate_catalog_begin();

		migrate_catalog_query(false,
							  "UPDATE migrate.interrupted SET done = $2,"
							  " done_checksum = $3"
							  " WHERE revision = $1 AND failed_at IS NULL"
							  " AND backend_pid = pg_catalog.pg_backend_pid()",
							  3, types, values, nulls, SPI_OK_UPDATE);
		migrate_catalog_end(h);
	}
	PG_RETURN_VOID();
}

/*
 * migrate_outside_resume(revision text, operation text, statements integer)
 *	 RETURNS integer
 *
 * Takes over the interrupted step of revision (one that failed, or whose
 * session ended) to continue it from the statement after the last that
 * succeeded, which is returned.  Refused when the statements that ran were
 * edited since (the registered SQL's first statements no longer have the
 * fingerprint they ran with), when anything else blocks migrations, or
 * while the step's own session is still running it.  statements is the
 * step's statement count now (the failed statement may have been fixed).
 */
Datum
migrate_outside_resume(PG_FUNCTION_ARGS)
{
	char	   *revision = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *operation = text_to_cstring(PG_GETARG_TEXT_PP(1));
	int32		statements = PG_GETARG_INT32(2);
	bool		upgrade = migrate_parse_operation(operation);
	Interrupted it;
	int			first_line;
	char	   *sql;
	char	   *sum;
	void	   *h;
	Oid			types[3] = {TEXTOID, INT4OID, TEXTOID};
	Datum		values[3];

	migrate_begin_change();
	if (!read_interrupted(revision, true, true, &it))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" has no interrupted step to resume",
						revision)));
	if (strcmp(it.operation, operation) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the interrupted step of revision \"%s\" is its %s, not its %s",
						revision, it.operation, operation)));
	if (!it.failed && (it.alive || it.pid == MyProcPid))
		raise_interrupted(&it);
	/*
	 * Drift still blocks (reported as for any migration, drift first);
	 * another note cannot exist, as migrate_outside_start refuses a second.
	 */
	if (migrate_catalog_has_rows("drift", true))
		migrate_integrity_check(NULL, true);

	sql = read_section(revision, upgrade, &first_line);
	sum = (sql && it.done > 0) ? migrate_fingerprint_statements(sql, it.done) : NULL;
	if (it.done > 0 &&
		(sum == NULL || it.done_checksum == NULL ||
		 strcmp(sum, it.done_checksum) != 0))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot resume revision \"%s\": statements that ran were edited since",
						revision),
				 errdetail("The first %d statement(s) of its %s SQL no longer have the fingerprint they ran with.",
						   it.done, it.operation),
				 errhint("Undo or complete the step by hand and call migrate_resolve().")));
	if (statements < it.done)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("statement count %d is below the %d statements done",
						statements, it.done)));

	values[0] = CStringGetTextDatum(revision);
	values[1] = Int32GetDatum(statements);
	h = migrate_catalog_begin();
	migrate_catalog_query(false,
						  "UPDATE migrate.interrupted SET statements = $2,"
						  " backend_pid = pg_catalog.pg_backend_pid(),"
						  " failed_statement = NULL, failed_line = NULL,"
						  " failed_sqlstate = NULL, failed_message = NULL,"
						  " failed_at = NULL"
						  " WHERE revision = $1",
						  2, types, values, NULL, SPI_OK_UPDATE);
	if (SPI_processed != 1)
		elog(ERROR, "interrupted step of revision \"%s\" vanished", revision);
	migrate_catalog_end(h);

	ereport(LOG,
			(errmsg("migration %s of revision \"%s\" resumed after statement %d of %d by %s",
					operation, revision, it.done, statements,
					GetUserNameFromId(GetUserId(), false)),
			 errhidestmt(true)));
	PG_RETURN_INT32(it.done);
}

/*
 * migrate_outside_failed(revision text, statement integer, sqlstate text,
 *						  message text) RETURNS void
 *
 * Statement number statement (1-based) of this session's running step
 * failed with that error.  The line it starts on is found from the
 * registered SQL.
 */
Datum
migrate_outside_failed(PG_FUNCTION_ARGS)
{
	char	   *revision = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int32		statement = PG_GETARG_INT32(1);
	Interrupted it;
	Oid			types[5] = {TEXTOID, INT4OID, INT4OID, TEXTOID, TEXTOID};
	Datum		values[5];

	if (!read_interrupted(revision, true, false, &it) || it.pid != MyProcPid ||
		it.failed)
		no_note(revision);
	if (statement <= it.done || statement > it.statements)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("statement %d is not the running one", statement),
				 errdetail("%d of %d statements have succeeded.",
						   it.done, it.statements)));
	values[1] = Int32GetDatum(statement);
	values[2] = Int32GetDatum(statement_line(revision,
											 strcmp(it.operation, "upgrade") == 0,
											 statement));
	values[3] = PG_GETARG_DATUM(2);
	values[4] = PG_GETARG_DATUM(3);
	if (!update_own_note("UPDATE migrate.interrupted SET failed_statement = $2,"
						 " failed_line = NULLIF($3, 0),"
						 " failed_sqlstate = $4, failed_message = $5,"
						 " failed_at = pg_catalog.now()"
						 " WHERE revision = $1 AND failed_at IS NULL"
						 " AND backend_pid = pg_catalog.pg_backend_pid()",
						 revision, 5, types, values))
		no_note(revision);
	PG_RETURN_VOID();
}

/*
 * migrate_resolve(revision text, outcome text) RETURNS text
 *
 * Settles an interrupted non-transactional step.  'applied': its
 * statements were completed by hand; the step is recorded as done.
 * 'not applied' (or 'not-applied'): what it did was undone by hand; the
 * note goes and the revision stays where it was, so that the next upgrade
 * runs it from its first statement.  Either is journaled as "resolve".
 * Returns the outcome.
 */
Datum
migrate_resolve(PG_FUNCTION_ARGS)
{
	char	   *revision = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *outcome = text_to_cstring(PG_GETARG_TEXT_PP(1));
	bool		applied;
	Interrupted it;
	char	   *what;

	if (strcmp(outcome, "applied") == 0)
		applied = true;
	else if (strcmp(outcome, "not applied") == 0 ||
			 strcmp(outcome, "not-applied") == 0)
		applied = false;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid outcome \"%s\"", outcome),
				 errhint("Use \"applied\" or \"not applied\".")));

	migrate_begin_change();
	if (!read_interrupted(revision, true, true, &it))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" has no interrupted step to resolve",
						revision),
				 errhint("migrate_status() shows the interrupted step, if any.")));
	if (!it.failed && it.alive && it.pid != MyProcPid)
		raise_interrupted(&it);

	what = it.failed ?
		psprintf("statement %d of %d failed (SQLSTATE %s)", it.failed_statement,
				 it.statements, it.failed_sqlstate ? it.failed_sqlstate : "?") :
		psprintf("interrupted after %d of %d statements", it.done,
				 it.statements);

	if (applied)
		migrate_record_step(revision, strcmp(it.operation, "upgrade") == 0, 0);
	else
		migrate_outside_clear(revision);

	migrate_journal_entry(revision, "resolve",
				  psprintf("%s %s: %s", it.operation,
						   applied ? "applied" : "not applied", what));
	ereport(LOG,
			(errmsg("migration %s of revision \"%s\" resolved as %s by %s",
					it.operation, revision, applied ? "applied" : "not applied",
					GetUserNameFromId(GetUserId(), false)),
			 errhidestmt(true)));
	PG_RETURN_TEXT_P(cstring_to_text(applied ? "applied" : "not applied"));
}
