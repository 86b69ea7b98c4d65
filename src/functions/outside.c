/*-------------------------------------------------------------------------
 *
 * outside.c
 *	  The SQL functions of steps run outside the server: the client's notes
 *	  on a non-transactional step (start, progress, failure, resume) and
 *	  migrate_resolve for a step left interrupted.  Each has a form with
 *	  one more parameter, scope: the notes of a tenant schema's run.
 *
 * IDENTIFICATION
 *	  src/functions/outside.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "pg_migrate.h"
#include "engine/integrity.h"

PG_FUNCTION_INFO_V1(migrate_outside_start);
PG_FUNCTION_INFO_V1(migrate_outside_progress);
PG_FUNCTION_INFO_V1(migrate_outside_failed);
PG_FUNCTION_INFO_V1(migrate_outside_resume);
PG_FUNCTION_INFO_V1(migrate_resolve);

/*
 * Run body in the scope given by argument argno (see
 * migrate_call_in_scope); the arguments before it must not be NULL.
 */
static Datum
call_in_scope(FunctionCallInfo fcinfo, int argno, PGFunction body)
{
	migrate_scope_require_args(fcinfo, argno);
	return migrate_call_in_scope(fcinfo, argno, body);
}

/*
 * The body of migrate_outside_start(revision, operation, statements):
 * the client is about to run a non-transactional step of that many
 * statements.  Called in autocommit, so that the note outlives a failure
 * or the client itself.  Refused while anything blocks migrations.
 */
static Datum
outside_start(FunctionCallInfo fcinfo)
{
	char	   *revision = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *operation = text_to_cstring(PG_GETARG_TEXT_PP(1));
	int32		statements = PG_GETARG_INT32(2);
	MemoryContext caller = CurrentMemoryContext;
	void	   *h;
	Oid			types[5] = {TEXTOID, TEXTOID, INT4OID, NAMEOID, TEXTOID};
	Datum		values[5];
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
	values[4] = migrate_scope_datum();
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
							  " statements, role, scope) VALUES ($1, $2, $3, $4, $5)",
							  5, types, values, NULL, SPI_OK_INSERT);
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
	/* the last parameter is the scope */
	values[nargs - 1] = migrate_scope_datum();
	types[nargs - 1] = TEXTOID;
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
 * The body of migrate_outside_progress(revision, done): that many
 * statements of this session's running step succeeded.  Their
 * fingerprint, as registered now, is kept, so that a resumed run can tell
 * that they were not edited since.
 */
static Datum
outside_progress(FunctionCallInfo fcinfo)
{
	char	   *revision = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int32		done = PG_GETARG_INT32(1);
	Interrupted it;
	Oid			types[4] = {TEXTOID, INT4OID, TEXTOID, TEXTOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	int			first_line;
	char	   *sql;
	char	   *sum;

	if (!migrate_read_interrupted(revision, true, false, &it) ||
		it.pid != MyProcPid || it.failed)
		no_note(revision);
	if (done < it.done || done > it.statements)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("statement count %d is out of range", done),
				 errdetail("%d of %d statements have succeeded.",
						   it.done, it.statements)));
	sql = migrate_read_section(revision, strcmp(it.operation, "upgrade") == 0,
					   &first_line);
	sum = sql ? migrate_fingerprint_statements(sql, done) : NULL;

	values[0] = CStringGetTextDatum(revision);
	values[1] = Int32GetDatum(done);
	if (sum)
		values[2] = CStringGetTextDatum(sum);
	else
		nulls[2] = 'n';
	values[3] = migrate_scope_datum();
	{
		void	   *h = migrate_catalog_begin();

		migrate_catalog_query(false,
							  "UPDATE migrate.interrupted SET done = $2,"
							  " done_checksum = $3"
							  " WHERE revision = $1 AND scope = $4 AND failed_at IS NULL"
							  " AND backend_pid = pg_catalog.pg_backend_pid()",
							  4, types, values, nulls, SPI_OK_UPDATE);
		migrate_catalog_end(h);
	}
	PG_RETURN_VOID();
}

/*
 * The body of migrate_outside_resume(revision, operation, statements):
 * takes over the interrupted step of revision (one that failed, or whose
 * session ended) to continue it from the statement after the last that
 * succeeded, which is returned.  Refused when the statements that ran were
 * edited since (the registered SQL's first statements no longer have the
 * fingerprint they ran with), when anything else blocks migrations, or
 * while the step's own session is still running it.  statements is the
 * step's statement count now (the failed statement may have been fixed).
 */
static Datum
outside_resume(FunctionCallInfo fcinfo)
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
	if (!migrate_read_interrupted(revision, true, true, &it))
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
		migrate_raise_interrupted(&it);
	/*
	 * Drift still blocks (reported as for any migration, drift first);
	 * another note cannot exist, as migrate_outside_start refuses a second.
	 */
	if (migrate_catalog_has_rows("drift", true))
		migrate_integrity_check(NULL, true);

	sql = migrate_read_section(revision, upgrade, &first_line);
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
	values[2] = migrate_scope_datum();
	h = migrate_catalog_begin();
	migrate_catalog_query(false,
						  "UPDATE migrate.interrupted SET statements = $2,"
						  " backend_pid = pg_catalog.pg_backend_pid(),"
						  " failed_statement = NULL, failed_line = NULL,"
						  " failed_sqlstate = NULL, failed_message = NULL,"
						  " failed_at = NULL"
						  " WHERE revision = $1 AND scope = $3",
						  3, types, values, NULL, SPI_OK_UPDATE);
	if (SPI_processed != 1)
		elog(ERROR, "interrupted step of revision \"%s\" vanished", revision);
	migrate_catalog_end(h);

	migrate_outcome_at_commit(psprintf("%s of revision \"%s\"", operation,
										 revision),
							  psprintf(" resumed after statement %d of %d by %s",
									   it.done, statements,
									   GetUserNameFromId(GetUserId(), false)));
	PG_RETURN_INT32(it.done);
}

/*
 * The body of migrate_outside_failed(revision, statement, sqlstate,
 * message): statement number statement (1-based) of this session's
 * running step failed with that error.  The line it starts on is found from the
 * registered SQL.
 */
static Datum
outside_failed(FunctionCallInfo fcinfo)
{
	char	   *revision = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int32		statement = PG_GETARG_INT32(1);
	Interrupted it;
	Oid			types[6] = {TEXTOID, INT4OID, INT4OID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[6];

	if (!migrate_read_interrupted(revision, true, false, &it) || it.pid != MyProcPid ||
		it.failed)
		no_note(revision);
	if (statement <= it.done || statement > it.statements)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("statement %d is not the running one", statement),
				 errdetail("%d of %d statements have succeeded.",
						   it.done, it.statements)));
	values[1] = Int32GetDatum(statement);
	values[2] = Int32GetDatum(migrate_interrupted_line(revision,
											 strcmp(it.operation, "upgrade") == 0,
											 statement));
	values[3] = PG_GETARG_DATUM(2);
	values[4] = PG_GETARG_DATUM(3);
	if (!update_own_note("UPDATE migrate.interrupted SET failed_statement = $2,"
						 " failed_line = NULLIF($3, 0),"
						 " failed_sqlstate = $4, failed_message = $5,"
						 " failed_at = pg_catalog.now()"
						 " WHERE revision = $1 AND scope = $6 AND failed_at IS NULL"
						 " AND backend_pid = pg_catalog.pg_backend_pid()",
						 revision, 6, types, values))
		no_note(revision);
	PG_RETURN_VOID();
}

/*
 * The body of migrate_resolve(revision, outcome): settles an
 * interrupted non-transactional step.  'applied': its statements were completed by hand; the step is recorded as done.
 * 'not applied' (or 'not-applied'): what it did was undone by hand; the
 * note goes and the revision stays where it was, so that the next upgrade
 * runs it from its first statement.  Either is journaled as "resolve".
 * Returns the outcome.
 */
static Datum
resolve(FunctionCallInfo fcinfo)
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
	if (!migrate_read_interrupted(revision, true, true, &it))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" has no interrupted step to resolve",
						revision),
				 errhint("migrate_status() shows the interrupted step, if any.")));
	if (!it.failed && it.alive && it.pid != MyProcPid)
		migrate_raise_interrupted(&it);

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
	migrate_outcome_at_commit(psprintf("%s of revision \"%s\"", it.operation,
										 revision),
							  psprintf(" resolved as %s by %s",
									   applied ? "applied" : "not applied",
									   GetUserNameFromId(GetUserId(), false)));
	PG_RETURN_TEXT_P(cstring_to_text(applied ? "applied" : "not applied"));
}

/* ---- the SQL-callable forms, in the call's scope ---- */

/*
 * migrate_outside_start(revision text, operation text, statements integer)
 * migrate_outside_start(revision text, operation text, statements integer,
 *						 scope text)
 *	 RETURNS void
 */
Datum
migrate_outside_start(PG_FUNCTION_ARGS)
{
	return call_in_scope(fcinfo, 3, outside_start);
}

/*
 * migrate_outside_progress(revision text, done integer) RETURNS void
 * migrate_outside_progress(revision text, done integer, scope text)
 *	 RETURNS void
 */
Datum
migrate_outside_progress(PG_FUNCTION_ARGS)
{
	return call_in_scope(fcinfo, 2, outside_progress);
}

/*
 * migrate_outside_resume(revision text, operation text, statements integer)
 * migrate_outside_resume(revision text, operation text, statements integer,
 *						  scope text)
 *	 RETURNS integer
 */
Datum
migrate_outside_resume(PG_FUNCTION_ARGS)
{
	return call_in_scope(fcinfo, 3, outside_resume);
}

/*
 * migrate_outside_failed(revision text, statement integer, sqlstate text,
 *						  message text)
 * migrate_outside_failed(revision text, statement integer, sqlstate text,
 *						  message text, scope text)
 *	 RETURNS void
 */
Datum
migrate_outside_failed(PG_FUNCTION_ARGS)
{
	return call_in_scope(fcinfo, 4, outside_failed);
}

/*
 * migrate_resolve(revision text, outcome text) RETURNS text
 * migrate_resolve(revision text, outcome text, scope text) RETURNS text
 */
Datum
migrate_resolve(PG_FUNCTION_ARGS)
{
	return call_in_scope(fcinfo, 2, resolve);
}
