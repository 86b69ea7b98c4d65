/*-------------------------------------------------------------------------
 *
 * apply.c
 *	  The verbs that change the current revisions: upgrade, downgrade and
 *	  stamp.
 *
 * The revision files are registered in the same transaction as the change,
 * so a failure leaves neither behind.  A non-transactional revision (such
 * as one running CREATE INDEX CONCURRENTLY) cannot run inside a server
 * function, so when the plan holds one the client takes the run apart:
 * the transactional steps before it run through migrate_upgrade() or
 * migrate_downgrade() in a transaction that is then committed, the
 * revision's own statements run one by one outside any transaction block,
 * migrate_record() notes the step, and the run goes on.
 *
 * Upgrades in that mode go one revision id at a time, which is exact
 * whatever the shape of the graph.  A downgrade to a revision reverts its
 * descendants, so the steps before a non-transactional revision N are
 * reverted with migrate_downgrade(N); any step of the plan that is not a
 * descendant of N is left for the final call with the user's target.
 *
 * IDENTIFICATION
 *	  client/apply.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <time.h>

#include "common/logging.h"
#include "client.h"
#include "pqexpbuffer.h"

#include "common/locks.h"

/* --resume: continue an interrupted non-transactional step */
static bool resume_run = false;

/* --per-revision: commit after each step instead of once for the run */
static bool per_revision = false;

/*
 * The tenant schema of the run (--scope, or one of --scopes), or NULL for
 * the shared run: every call below passes it to the server.
 */
static const char *run_scope = NULL;

/*
 * Steps the server recorded without running their SQL ("skip": a revision
 * of the other kind of run when scopes are used), for the closing line.
 */
static int	skipped_steps = 0;

/* One step of a plan, from migrate_pending() or migrate_script(). */
typedef struct Step
{
	char	   *rev;
	char	   *message;
	bool		transactional;
	char	   *sql;			/* NULL when not fetched or not present */
} Step;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/*
 * The plan for operation ("upgrade" or "downgrade") to target.  With
 * with_sql it comes from migrate_script(), else from migrate_pending().
 */
static Step *
fetch_plan(PGconn *conn, const char *operation, const char *target,
		   bool with_sql, int *n)
{
	PGresult   *res;
	Step	   *steps;
	char	   *sql;
	const char *params[3];
	int			i;

	if (with_sql)
	{
		sql = psprintf("SELECT revision, message, transactional, sql"
					   " FROM %s.migrate_script($1, $2%s) ORDER BY step",
					   ext_schema, run_scope ? ", $3" : "");
		params[0] = operation;
		params[1] = target;
		params[2] = run_scope;
		res = run_query(conn, sql, run_scope ? 3 : 2, params);
	}
	else
	{
		sql = psprintf("SELECT revision, message, transactional"
					   " FROM %s.migrate_pending($1%s) ORDER BY step",
					   ext_schema, run_scope ? ", $2" : "");
		params[0] = target;
		params[1] = run_scope;
		res = run_query(conn, sql, run_scope ? 2 : 1, params);
	}
	*n = PQntuples(res);
	steps = pg_malloc0(sizeof(Step) * (*n + 1));
	for (i = 0; i < *n; i++)
	{
		steps[i].rev = pg_strdup(PQgetvalue(res, i, 0));
		steps[i].message = pg_strdup(PQgetvalue(res, i, 1));
		steps[i].transactional = PQgetvalue(res, i, 2)[0] == 't';
		if (with_sql && !PQgetisnull(res, i, 3))
			steps[i].sql = pg_strdup(PQgetvalue(res, i, 3));
	}
	PQclear(res);
	pg_free(sql);
	return steps;
}

/*
 * Call migrate_upgrade(target) or migrate_downgrade(target), showing
 * progress as step offset+1 onwards of total.  Returns how many steps ran;
 * adds their time to *ms.
 */
static int
call_server(PGconn *conn, const char *operation, const char *target,
			int offset, int total, double *ms)
{
	PGresult   *res;
	char	   *sql;
	int			rows;
	int			i;
	double		last = -1;
	const char *params[2] = {target, run_scope};

	sql = psprintf("SELECT step, revision, message, operation, duration_ms"
				   " FROM %s.migrate_%s($1%s)", ext_schema, operation,
				   run_scope ? ", $2" : "");
	progress_begin(offset, total);
	res = run_query(conn, sql, run_scope ? 2 : 1, params);
	rows = PQntuples(res);
	for (i = 0; i < rows; i++)
	{
		last = atof(PQgetvalue(res, i, 4));
		*ms += last;
		if (strcmp(PQgetvalue(res, i, 3), "skip") == 0)
			skipped_steps++;
	}
	progress_end(rows > 0 ? last : -1);
	PQclear(res);
	pg_free(sql);
	return rows;
}

/*
 * Set the session's search_path to pg_migrate.search_path (in a scope, to
 * the tenant schema), as the server does for the revisions it runs, and
 * return the old one for
 * leave_revision_search_path().  lock_timeout is left alone: the
 * statements of such a revision (CONCURRENTLY) do not block the
 * application's queries while they wait, and a timeout would leave an
 * invalid index behind.
 */
static char *
enter_revision_search_path(PGconn *conn)
{
	PGresult   *res;
	char	   *saved;
	const char *want;

	/* in a scope, the tenant schema then pg_catalog, as the server sets it */
	res = run_query(conn, "SELECT pg_catalog.current_setting('search_path'),"
					" CASE WHEN $1::pg_catalog.text IS NULL"
					" THEN pg_catalog.current_setting('pg_migrate.search_path', true)"
					" ELSE pg_catalog.quote_ident($1) OPERATOR(pg_catalog.||) ', pg_catalog' END",
					1, &run_scope);
	saved = pg_strdup(PQgetvalue(res, 0, 0));
	want = PQgetisnull(res, 0, 1) ? "" : PQgetvalue(res, 0, 1);
	if (want[0] != '\0')
		PQclear(run_query(conn, "SELECT pg_catalog.set_config('search_path', $1, false)",
						  1, &want));
	PQclear(res);
	return saved;
}

static void
leave_revision_search_path(PGconn *conn, char *saved)
{
	const char *params[1] = {saved};

	PQclear(run_query(conn, "SELECT pg_catalog.set_config('search_path', $1, false)",
					  1, params));
	pg_free(saved);
}

/*
 * The statements of a non-transactional step as the server's parser cuts
 * them (migrate_statements), one row each: the server counts the same ones
 * for progress, resume checksums and the lines it reports, so the two can
 * never disagree about where a statement ends.
 */
static PGresult *
step_statements(PGconn *conn, const char *sql)
{
	const char *params[1] = {sql ? sql : ""};
	char	   *query;
	PGresult   *res;

	query = psprintf("SELECT sql FROM %s.migrate_statements($1) ORDER BY statement",
					 ext_schema);
	res = run_query(conn, query, 1, params);
	pg_free(query);
	return res;
}

/*
 * Run a non-transactional step from the client: its statements one at a
 * time outside any transaction block, then migrate_record().
 */
static void
run_outside(PGconn *conn, const char *operation, const Step *step,
			int n, int total, double *ms)
{
	PGresult   *stmts = step_statements(conn, step->sql);
	int			nstmts = PQntuples(stmts);
	double		start;
	double		elapsed;
	char	   *sql;
	char	   *progress_sql;
	char		duration[64];
	char		count[32];
	const char *params[4];
	const char *scope_arg = run_scope ? ", $4" : "";
	int			nscope = run_scope ? 1 : 0;
	int			first;
	bool		resumed;
	char	   *saved_path;
	int			i;

	Assert(PQtransactionStatus(conn) == PQTRANS_IDLE);
	progress_step(strcmp(operation, "upgrade") == 0 ? "applying" : "reverting",
				  step->rev, step->message, n, total);

	/*
	 * Each statement commits on its own, so the server keeps a note of how
	 * far the step got, in autocommit: a failure, or this client dying,
	 * leaves the note behind, and migrations are refused until
	 * migrate_resolve() settles it.  migrate_record() clears it.
	 */
	snprintf(count, sizeof(count), "%d", nstmts);
	params[0] = step->rev;
	params[1] = operation;
	params[2] = count;
	params[3] = run_scope;
	first = 0;
	resumed = false;
	if (resume_run)
	{
		PGresult   *res;
		const char *sparams[2] = {step->rev, run_scope};

		/* the step left interrupted, if it is this one, is taken over */
		sql = psprintf("SELECT s->'interrupted'->>'revision' = $1"
					   " FROM %s.migrate_status(%s) s", ext_schema,
					   run_scope ? "$2" : "");
		res = run_query(conn, sql, 1 + nscope, sparams);
		resumed = PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
		pg_free(sql);
		if (resumed)
		{
			sql = psprintf("SELECT %s.migrate_outside_resume($1, $2, $3%s)",
						   ext_schema, scope_arg);
			res = run_query(conn, sql, 3 + nscope, params);
			first = atoi(PQgetvalue(res, 0, 0));
			printf("resuming \"%s\" after statement %d of %d\n", step->rev,
				   first, nstmts);
			PQclear(res);
			pg_free(sql);
		}
	}
	if (!resumed)
	{
		sql = psprintf("SELECT %s.migrate_outside_start($1, $2, $3%s)",
					   ext_schema, scope_arg);
		PQclear(run_query(conn, sql, 3 + nscope, params));
		pg_free(sql);
	}
	progress_sql = psprintf("SELECT %s.migrate_outside_progress($1, $2%s)",
							ext_schema, run_scope ? ", $3" : "");

	/* the statements see pg_migrate.search_path, as the server's revisions do */
	saved_path = enter_revision_search_path(conn);
	start = now_ms();
	for (i = first; i < nstmts; i++)
	{
		PGresult   *res = PQexec(conn, PQgetvalue(stmts, i, 0));
		ExecStatusType st = PQresultStatus(res);

		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		{
			const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
			const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
			const char *fparams[5];
			char		stmtno[32];

			report_server_error(res, PQgetvalue(stmts, i, 0));
			snprintf(stmtno, sizeof(stmtno), "%d", i + 1);
			fparams[0] = step->rev;
			fparams[1] = stmtno;
			fparams[2] = state ? state : "XX000";
			fparams[3] = msg ? msg : PQerrorMessage(conn);
			fparams[4] = run_scope;
			sql = psprintf("SELECT %s.migrate_outside_failed($1, $2, $3, $4%s)",
						   ext_schema, run_scope ? ", $5" : "");
			PQclear(run_query(conn, sql, 4 + nscope, fparams));
			pg_log_error("statement %d of %d of non-transactional revision \"%s\" failed",
						 i + 1, nstmts, step->rev);
			pg_log_error_detail("The statements before it are committed; the failure is recorded, and migrations are refused until it is resolved.");
			if (run_scope)
				pg_log_error_hint("Fix the cause, then run \"pg_migrate --scope %s %s --resume\" to go on from statement %d; or complete or undo the statements by hand and run \"pg_migrate --scope %s resolve %s applied\" or \"pg_migrate --scope %s resolve %s not-applied\".",
								  run_scope, operation, i + 1, run_scope,
								  step->rev, run_scope, step->rev);
			else
				pg_log_error_hint("Fix the cause, then run \"pg_migrate %s --resume\" to go on from statement %d; or complete or undo the statements by hand and run \"pg_migrate resolve %s applied\" or \"pg_migrate resolve %s not-applied\".",
								  operation, i + 1, step->rev, step->rev);
			PQclear(res);
			finish_and_exit(conn, EXIT_SQL);
		}
		PQclear(res);
		snprintf(count, sizeof(count), "%d", i + 1);
		params[1] = count;
		params[2] = run_scope;
		PQclear(run_query(conn, progress_sql, 2 + nscope, params));
	}
	pg_free(progress_sql);
	PQclear(stmts);
	elapsed = now_ms() - start;
	leave_revision_search_path(conn, saved_path);
	*ms += elapsed;
	progress_end(elapsed);

	snprintf(duration, sizeof(duration), "%.3f", elapsed);
	params[0] = step->rev;
	params[1] = operation;
	params[2] = duration;
	params[3] = run_scope;
	sql = psprintf("SELECT %s.migrate_record($1, $2, $3%s)", ext_schema,
				   scope_arg);
	PQclear(run_query(conn, sql, 3 + nscope, params));
	pg_free(sql);
}

/* True for a target relative to the current revision, such as -2 or +1. */
static bool
purely_relative(const char *target)
{
	const char *p = target;

	if (*p != '-' && *p != '+')
		return false;
	for (p++; *p; p++)
		if (!isdigit((unsigned char) *p))
			return false;
	return p > target + 1;
}

/*
 * Print the closing line of a run; the steps recorded without running
 * (skipped_steps: "skip" rows of a run with scopes) are told apart.
 */
static void
print_summary(const char *operation, int nsteps, double ms)
{
	const char *done = strcmp(operation, "upgrade") == 0 ? "applied" : "reverted";

	if (nsteps == 0)
		printf("nothing to %s\n", operation);
	else if (skipped_steps > 0)
		printf("%d revision(s) %s, %d recorded without running, in %.1f ms\n",
			   nsteps - skipped_steps, done, skipped_steps, ms);
	else
		printf("%d revision(s) %s in %.1f ms\n", nsteps, done, ms);
}

/*
 * Run a plan that holds non-transactional steps.  The connection is in
 * the transaction that registered the files.
 */
static int
run_split(PGconn *conn, const char *operation, const char *target,
		  const Step *steps, int n, double *ms)
{
	bool		upgrade = strcmp(operation, "upgrade") == 0;
	bool		in_tx = true;
	int			done = 0;
	int			i = 0;

	while (i < n)
	{
		if (!steps[i].transactional)
		{
			if (in_tx)
				run_command(conn, "COMMIT");
			in_tx = false;
			run_outside(conn, operation, &steps[i], done + 1, n, ms);
			done++;
			i++;
			continue;
		}
		if (!in_tx)
			run_command(conn, "BEGIN");
		in_tx = true;
		if (upgrade)
		{
			done += call_server(conn, operation, steps[i].rev, done, n, ms);
			i++;
			if (per_revision)
			{
				run_command(conn, "COMMIT");
				in_tx = false;
			}
		}
		else
		{
			int			j = i;

			while (j < n && steps[j].transactional)
				j++;
			if (j == n)
				break;			/* the final call below reverts the rest */
			done += call_server(conn, operation, steps[j].rev, done, n, ms);
			i = j;
		}
	}
	if (!upgrade && done < n)
	{
		char	   *last = purely_relative(target) ?
			psprintf("-%d", n - done) : pg_strdup(target);

		if (!in_tx)
			run_command(conn, "BEGIN");
		in_tx = true;
		done += call_server(conn, operation, last, done, n, ms);
	}
	if (in_tx)
		run_command(conn, "COMMIT");
	return done;
}

/*
 * A downgrade run in several transactions must not start when a step has
 * no downgrade SQL: the steps before it would be committed before the
 * server refuses it.  Refuse the whole plan, as the server refuses a plan
 * run in one transaction.
 */
static void
refuse_missing_downgrade(PGconn *conn, const Step *steps, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		if (steps[i].sql != NULL)
			continue;
		run_command(conn, "ROLLBACK");
		pg_log_error("revision \"%s\" cannot be downgraded", steps[i].rev);
		pg_log_error_detail("It has no downgrade section; nothing was reverted.");
		pg_log_error_hint("Add a downgrade section and register the revision again, or stamp past it.");
		finish_and_exit(conn, EXIT_SQL);
	}
}

/*
 * upgrade or downgrade in the tenant schema opts->scope.  The files are
 * registered and committed first, so that the migration lock registration
 * takes is not held while the scope's revisions run: runs in other scopes
 * (-j with --scopes, or other clients) go on meanwhile.  The server runs
 * the whole plan in one transaction; a plan that holds a non-transactional
 * revision is taken apart as in the shared run (run_split), under the
 * scope's own lock held for the session, so that other scopes go on.
 */
static int
scoped_run(const MigrateOptions *opts, const char *operation,
		   const char *target)
{
	bool		upgrade = strcmp(operation, "upgrade") == 0;
	RevFileSet	set;
	PGconn	   *conn;
	Step	   *steps;
	int			n;
	int			i;
	int			ran;
	bool		all_transactional = true;
	double		ms = 0;

	run_scope = opts->scope;
	resume_run = opts->resume;
	read_revision_files(opts->dir, &set);
	conn = open_session(opts, &set);
	if (!files_registered)
	{
		/*
		 * Recording the sync writes (a commit to wait for): only when
		 * something was sent, or the stat digest is worth keeping.  The
		 * commit also ends the migration lock the sync check took.
		 */
		if (!set.synced || (set.stat_ok && !set.stat_synced))
			record_sync(conn, &set);
		run_command(conn, "COMMIT");
		run_command(conn, "BEGIN");
	}

	steps = fetch_plan(conn, operation, target, !upgrade, &n);
	for (i = 0; i < n; i++)
		if (!steps[i].transactional)
			all_transactional = false;
	skipped_steps = 0;
	if (!all_transactional)
	{
		/*
		 * The scope's lock for the session, keyed as the server keys it
		 * (scope.c): two clients never run the same scope's step at once,
		 * the scope's calls wait for the run, and it tells a live note from
		 * a dead one.  Plan again from what is committed once it is held.
		 */
		run_command(conn, "COMMIT");
		PQclear(run_query(conn, "SELECT pg_catalog.pg_advisory_lock("
						  MIGRATE_SCOPE_LOCK_KEY1_SQL ", pg_catalog.hashtext($1))",
						  1, &run_scope));
		run_command(conn, "BEGIN");
		steps = fetch_plan(conn, operation, target, true, &n);
		if (!upgrade)
			refuse_missing_downgrade(conn, steps, n);
		ran = run_split(conn, operation, target, steps, n, &ms);
		PQclear(run_query(conn, "SELECT pg_catalog.pg_advisory_unlock("
						  MIGRATE_SCOPE_LOCK_KEY1_SQL ", pg_catalog.hashtext($1))",
						  1, &run_scope));
	}
	else
	{
		ran = call_server(conn, operation, target, 0, n, &ms);
		run_command(conn, "COMMIT");
	}
	/* a fleet's line names the scope already */
	if (fleet_label == NULL)
		printf("scope \"%s\": ", opts->scope);
	print_summary(operation, ran, ms);
	PQfinish(conn);
	return EXIT_OK;
}

/* upgrade and downgrade share everything but the operation's name. */
static int
upgrade_or_downgrade(const MigrateOptions *opts, const char *operation,
					 const char *target)
{
	bool		upgrade = strcmp(operation, "upgrade") == 0;
	RevFileSet	set;
	PGconn	   *conn;
	Step	   *steps;
	int			n;
	int			i;
	int			done;
	double		ms = 0;
	bool		all_transactional = true;
	char	   *run_name;

	if (opts->sql_only)
		return offline_script(opts, operation, target);
	if (opts->scope != NULL)
		run_name = psprintf("%s to \"%s\" in scope \"%s\"", operation, target,
							opts->scope);
	else
		run_name = psprintf("%s to \"%s\"", operation, target);
	note_migration_run(run_name);
	pg_free(run_name);
	if (opts->scope != NULL)
		return scoped_run(opts, operation, target);
	resume_run = opts->resume;
	per_revision = upgrade && opts->per_revision;
	read_revision_files(opts->dir, &set);
	conn = open_session(opts, &set);

	steps = fetch_plan(conn, operation, target, !upgrade, &n);
	for (i = 0; i < n; i++)
		if (!steps[i].transactional)
			all_transactional = false;

	if (all_transactional && per_revision)
	{
		/*
		 * The server's procedure commits after each revision and retries
		 * one that timed out on a lock; it must be called outside a
		 * transaction block, so the registration is committed first.
		 */
		char	   *literal = PQescapeLiteral(conn, target, strlen(target));
		char	   *sql = psprintf("CALL %s.migrate_run(%s)", ext_schema, literal);
		double		start;

		record_sync(conn, &set);
		run_command(conn, "COMMIT");
		start = now_ms();
		progress_begin(0, n);
		run_command(conn, sql);
		ms = now_ms() - start;
		progress_end(-1);
		done = n;
		PQfreemem(literal);
		pg_free(sql);
		/* the steps moved the generation: note the sync at the new one */
		if (n > 0)
		{
			run_command(conn, "BEGIN");
			record_sync(conn, &set);
			run_command(conn, "COMMIT");
		}
	}
	else if (all_transactional)
	{
		done = call_server(conn, operation, target, 0, n, &ms);

		/*
		 * Also when the contents matched but the stat digest did not (the
		 * files were too fresh to trust their times at the last sync, or
		 * were touched since): recording it now lets the next run skip
		 * reading them.
		 */
		if (!set.synced || done > 0 || (set.stat_ok && !set.stat_synced))
			record_sync(conn, &set);
		run_command(conn, "COMMIT");
	}
	else
	{
		/*
		 * The server's migration lock lasts one transaction, and this run
		 * spans several: hold a session-level advisory lock of its own
		 * (the server's key, objid 2) so that two clients never run the same
		 * non-transactional step at once, and plan again from what is
		 * committed once it is held.
		 */
		record_sync(conn, &set);
		run_command(conn, "COMMIT");
		run_command(conn, "SELECT pg_catalog.pg_advisory_lock(" MIGRATE_LOCK_KEY1_SQL ", " MIGRATE_RUN_LOCK_KEY2_SQL ")");
		run_command(conn, "BEGIN");
		steps = fetch_plan(conn, operation, target, true, &n);
		if (!upgrade)
			refuse_missing_downgrade(conn, steps, n);
		done = run_split(conn, operation, target, steps, n, &ms);
		run_command(conn, "SELECT pg_catalog.pg_advisory_unlock(" MIGRATE_LOCK_KEY1_SQL ", " MIGRATE_RUN_LOCK_KEY2_SQL ")");
	}
	print_summary(operation, done, ms);
	note_migration_run(NULL);
	PQfinish(conn);
	return EXIT_OK;
}

/* upgrade [TARGET]: apply revisions up to TARGET, head by default. */
int
verb_upgrade(const MigrateOptions *opts)
{
	return upgrade_or_downgrade(opts, "upgrade",
								opts->nargs > 0 ? opts->args[0] : "head");
}

/* downgrade TARGET: revert revisions down to TARGET. */
int
verb_downgrade(const MigrateOptions *opts)
{
	return upgrade_or_downgrade(opts, "downgrade", opts->args[0]);
}

/*
 * adopt FORMAT: register the revision files, then stamp the revisions the
 * other tool's version table says are applied (migrate_adopt), with
 * --keep-version-table keeping that table up to date from then on.
 */
int
verb_adopt(const MigrateOptions *opts)
{
	RevFileSet	set;
	PGconn	   *conn;
	PGresult   *res;
	PQExpBufferData sql;
	const char *params[2];
	int			i;

	read_revision_files(opts->dir, &set);
	conn = open_session(opts, &set);
	initPQExpBuffer(&sql);
	appendPQExpBuffer(&sql, "SELECT s FROM %s.migrate_adopt($1, $2::boolean) s",
					  ext_schema);
	params[0] = opts->args[0];
	params[1] = opts->keep_version_table ? "true" : "false";
	res = run_query(conn, sql.data, 2, params);
	record_sync(conn, &set);
	run_command(conn, "COMMIT");
	if (PQntuples(res) == 0)
		printf("adopted: base\n");
	for (i = 0; i < PQntuples(res); i++)
		printf("adopted: %s\n", PQgetvalue(res, i, 0));
	if (opts->keep_version_table)
		printf("keeping the version table of %s up to date\n", opts->args[0]);
	PQclear(res);
	termPQExpBuffer(&sql);
	PQfinish(conn);
	return EXIT_OK;
}

/* stamp TARGET...: set the current revisions without running any SQL. */
int
verb_stamp(const MigrateOptions *opts)
{
	RevFileSet	set;
	PGconn	   *conn;
	PGresult   *res;
	PQExpBufferData sql;
	int			i;

	read_revision_files(opts->dir, &set);
	conn = open_session(opts, &set);
	initPQExpBuffer(&sql);
	appendPQExpBuffer(&sql, "SELECT s FROM %s.migrate_stamp(", ext_schema);
	if (opts->scope != NULL)
		appendPQExpBufferStr(&sql, "ARRAY[");
	for (i = 0; i < opts->nargs; i++)
		appendPQExpBuffer(&sql, "%s$%d", i > 0 ? ", " : "", i + 1);
	if (opts->scope != NULL)
	{
		/* the scope's overload: the targets as an array, then the scope */
		const char **params = pg_malloc(sizeof(char *) * (opts->nargs + 1));

		memcpy(params, opts->args, sizeof(char *) * opts->nargs);
		params[opts->nargs] = opts->scope;
		appendPQExpBuffer(&sql, "]::pg_catalog.text[], $%d) s", opts->nargs + 1);
		res = run_query(conn, sql.data, opts->nargs + 1, params);
		pg_free(params);
	}
	else
	{
		appendPQExpBufferStr(&sql, ") s");
		res = run_query(conn, sql.data, opts->nargs,
						(const char *const *) opts->args);
	}
	record_sync(conn, &set);
	run_command(conn, "COMMIT");
	if (PQntuples(res) == 0)
		printf("stamped: base\n");
	for (i = 0; i < PQntuples(res); i++)
		printf("stamped: %s\n", PQgetvalue(res, i, 0));
	PQclear(res);
	termPQExpBuffer(&sql);
	PQfinish(conn);
	return EXIT_OK;
}
