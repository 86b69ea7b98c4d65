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
 * MIGRATE_RUN_LOCK_KEY2) while it runs, so the note of a run still in
 * progress is told from a dead one by that lock, and other sessions wait
 * for it rather than fail.
 *
 * In a scope (a tenant schema) the notes are the scope's own
 * (migrate.interrupted.scope): a step left interrupted in one tenant
 * blocks that tenant's migrations only, and is resolved in its scope.
 * There the client holds the scope's lock (MIGRATE_SCOPE_LOCK_KEY1, hash
 * of the name) for the session instead, so that other tenants go on;
 * calls in the scope wait for it where they take that lock
 * (migrate_begin_change), and it tells a live note from a dead one.
 *
 * IDENTIFICATION
 *	  src/engine/interrupted.c
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
#include "engine/integrity.h"

/*
 * The oldest note in migrate.interrupted of the call's scope (or, with
 * revision, that revision's); false when there is none.  Whether its
 * session is alive (holds the lock of the run) is looked up only when
 * there is one.
 */
bool
migrate_read_interrupted(const char *revision, bool latest, bool check_alive,
				 Interrupted *out)
{
	MemoryContext caller = CurrentMemoryContext;
	void	   *h;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	bool		found;

	memset(out, 0, sizeof(*out));
	values[1] = migrate_scope_datum();
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
						  " WHERE ($1 IS NULL OR i.revision = $1) AND i.scope = $2"
						  " ORDER BY i.started_at LIMIT 1",
						  2, types, values, nulls, SPI_OK_SELECT);
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
			const char *scope = migrate_scope();

			/* the client's lock: the run's, or in a scope the scope's */
			if (scope != NULL)
			{
				lvalues[0] = ObjectIdGetDatum((Oid) MIGRATE_SCOPE_LOCK_KEY1);
				lvalues[1] = ObjectIdGetDatum((Oid) migrate_scope_lock_key(scope));
			}
			else
			{
				lvalues[0] = ObjectIdGetDatum((Oid) MIGRATE_LOCK_KEY1);
				lvalues[1] = ObjectIdGetDatum((Oid) MIGRATE_RUN_LOCK_KEY2);
			}
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
char *
migrate_read_section(const char *revision, bool upgrade, int *first_line)
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
int
migrate_interrupted_line(const char *revision, bool upgrade, int n)
{
	int			first_line;
	char	   *sql = migrate_read_section(revision, upgrade, &first_line);
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

	/*
	 * In a scope, the client running a step holds the scope's lock, which
	 * migrate_begin_change waits for: nothing to wait for here.
	 */
	if (migrate_scope() != NULL)
		return;
	if (!migrate_catalog_has_rows("interrupted", true))
		return;
	h = migrate_catalog_begin();
	migrate_catalog_query(false,
						  "SELECT 1 FROM migrate.interrupted"
						  " WHERE failed_at IS NULL AND scope = ''"
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

	migrate_acquire_advisory(MIGRATE_RUN_LOCK_KEY2, false,
							 _("waiting for another session's non-transactional revision to finish"),
							 "lock of a non-transactional revision");
}

/* Raise the error that an interrupted step blocks migrations with. */
void
migrate_raise_interrupted(const Interrupted *it)
{
	bool		upgrade = strcmp(it->operation, "upgrade") == 0;
	int			stmt = it->failed ? it->failed_statement : it->done + 1;
	int			line = it->failed ? it->failed_line :
		migrate_interrupted_line(it->revision, upgrade, stmt);
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
	if (migrate_scope() != NULL)
		hint = psprintf("Complete or undo its statements by hand in schema \"%s\", then call migrate_resolve('%s', 'applied', '%s') or migrate_resolve('%s', 'not applied', '%s').",
						migrate_scope(), it->revision, migrate_scope(),
						it->revision, migrate_scope());
	else
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
	if (!migrate_read_interrupted(NULL, latest, true, &it))
		return;					/* gone meanwhile */
	/* migrate_outside_start allows one note at a time */
	if (own_revision && !it.failed && strcmp(it.revision, own_revision) == 0)
		return;
	migrate_raise_interrupted(&it);
}

/*
 * Clear the note of a step that is being recorded (migrate_record), in
 * the call's scope.
 */
void
migrate_outside_clear(const char *revision)
{
	void	   *h;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];

	values[0] = CStringGetTextDatum(revision);
	values[1] = migrate_scope_datum();
	h = migrate_catalog_begin();
	migrate_catalog_query(false, "DELETE FROM migrate.interrupted"
						  " WHERE revision = $1 AND scope = $2",
						  2, types, values, NULL, SPI_OK_DELETE);
	migrate_catalog_end(h);
}
