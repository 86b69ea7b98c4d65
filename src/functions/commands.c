/*-------------------------------------------------------------------------
 *
 * commands.c
 *	  The SQL functions that change the current revisions:
 *	  migrate_upgrade, migrate_downgrade, migrate_stamp, migrate_record,
 *	  migrate_record_script.
 *
 * Each one takes the migration lock, reads the catalog, plans with the
 * revision graph, checks the whole plan, and only then runs it, inside the
 * caller's transaction: a failure anywhere leaves schema, version rows and
 * journal exactly as they were.
 *
 * IDENTIFICATION
 *	  src/functions/commands.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/timestamp.h"

#include "pg_migrate.h"

PG_FUNCTION_INFO_V1(migrate_upgrade);
PG_FUNCTION_INFO_V1(migrate_downgrade);
PG_FUNCTION_INFO_V1(migrate_stamp);
PG_FUNCTION_INFO_V1(migrate_record);
PG_FUNCTION_INFO_V1(migrate_record_script);

static Datum stamp(FunctionCallInfo fcinfo);

/*
 * Run a plan step by step, journal each step with the version rows after
 * it, return one row per step, and finally store the version rows.
 */
static void
run_plan(FunctionCallInfo fcinfo, MigrateState *state, MigratePlan *plan,
		 bool upgrade)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool	   *applied;
	int		   *rows;
	int			nrows;
	MemoryContext step_cxt;
	int			i;

	migrate_order_repeatables(state, plan, upgrade);
	migrate_check_steps(state, plan, upgrade);

	applied = palloc0(sizeof(bool) * Max(state->nrevs, 1));
	migrate_graph_applied(state->graph, state->rows, state->nrows, applied);
	rows = palloc(sizeof(int) * Max(state->nrevs, 1));

	/* what one step's bookkeeping allocates is freed before the next */
	step_cxt = AllocSetContextCreate(CurrentMemoryContext,
									 "pg_migrate step bookkeeping",
									 ALLOCSET_DEFAULT_SIZES);
	for (i = 0; i < plan->nsteps; i++)
	{
		MigrateRevision step_rev = state->revs[plan->steps[i]];
		const MigrateRevision *rev = &step_rev;
		TimestampTz started = GetCurrentTimestamp();
		double		ms;
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};
		MemoryContext old_cxt = MemoryContextSwitchTo(step_cxt);

		/* the catalog was loaded without SQL: this step's, now, reset after */
		if (migrate_scope_runs(rev))
			migrate_catalog_step_sql(&step_rev, upgrade);
		ms = migrate_run_step(rev, upgrade, i + 1, plan->nsteps);

		applied[plan->steps[i]] = upgrade;
		nrows = migrate_graph_rows(state->graph, applied, rows);
		migrate_catalog_journal(rev->revision,
								upgrade ? "upgrade" : "downgrade",
								rev->message, started, ms, state, rows, nrows);

		values[0] = Int32GetDatum(i + 1);
		values[1] = CStringGetTextDatum(rev->revision);
		values[2] = CStringGetTextDatum(rev->message);
		/* a step whose SQL is for the other kind of run: recorded only */
		values[3] = CStringGetTextDatum(!migrate_scope_runs(rev) ? "skip" :
										upgrade ? "upgrade" : "downgrade");
		values[4] = Float8GetDatum(ms);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);

		MemoryContextSwitchTo(old_cxt);
		MemoryContextReset(step_cxt);
	}
	MemoryContextDelete(step_cxt);

	/*
	 * Repeatable revisions applied before whose SQL changed since run again,
	 * after the versioned steps, in name order.
	 */
	if (upgrade)
	{
		int		   *due = palloc(sizeof(int) * Max(state->nrevs, 1));
		int			ndue;
		int			step = plan->nsteps;

		memset(applied, 0, sizeof(bool) * Max(state->nrevs, 1));
		migrate_graph_applied(state->graph, plan->rows, plan->nrows, applied);
		ndue = migrate_catalog_reapply_due(state, applied, due);
		for (i = 0; i < ndue; i++)
		{
			MigrateRevision step_rev = state->revs[due[i]];
			TimestampTz started = GetCurrentTimestamp();
			double		ms;
			Datum		values[5];
			bool		nulls[5] = {false, false, false, false, false};

			if (!migrate_scope_runs(&step_rev))
				continue;
			if (!step_rev.transactional)
				ereport(ERROR,
						(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
						 errmsg("repeatable revision \"%s\" is not transactional and cannot be applied again inside the server",
								step_rev.revision),
						 errhint("Run the upgrade with the pg_migrate client.")));
			migrate_catalog_step_sql(&step_rev, true);
			step++;
			ms = migrate_run_step(&step_rev, true, step, plan->nsteps + ndue);
			migrate_catalog_journal(step_rev.revision, "reapply",
									step_rev.message, started, ms, state,
									plan->rows, plan->nrows);
			values[0] = Int32GetDatum(step);
			values[1] = CStringGetTextDatum(step_rev.revision);
			values[2] = CStringGetTextDatum(step_rev.message);
			values[3] = CStringGetTextDatum("reapply");
			values[4] = Float8GetDatum(ms);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values,
								 nulls);
		}
		if (ndue > 0 && plan->nsteps == 0)
			migrate_catalog_bump_generation();
	}

	if (plan->nsteps > 0)
	{
		migrate_set_version(state, plan->rows, plan->nrows);
		migrate_catalog_bump_generation();
	}
	migrate_catalog_note_heads(state, plan->rows, plan->nrows);
}

/*
 * In a scope, under its lock: make sure its schema exists, creating it
 * (as the calling role, in this transaction) when create, the first
 * upgrade of a new tenant.
 */
static void
prepare_scope_schema(bool create)
{
	const char *scope = migrate_scope();

	if (scope == NULL)
		return;
	/* a schema another holder of the scope's lock created is seen */
	AcceptInvalidationMessages();
	if (OidIsValid(get_namespace_oid(scope, true)))
		return;
	if (!create)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_SCHEMA),
				 errmsg("schema \"%s\" of the scope does not exist", scope),
				 errhint("Stamp the scope to base with migrate_stamp(ARRAY['base'], '%s') to forget it.",
						 scope)));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(psprintf("CREATE SCHEMA %s", quote_identifier(scope)),
					false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not create schema \"%s\"", scope);
	SPI_finish();
	CommandCounterIncrement();
}

/* Common body of migrate_upgrade and migrate_downgrade. */
static Datum
upgrade_or_downgrade(FunctionCallInfo fcinfo, bool upgrade)
{
	char	   *target;
	MigrateState state;
	MigratePlan plan;
	MigrateGraphError err;
	bool		ok;

	/* the scoped overload is not strict: NULL is the shared run */
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target must not be null")));
	target = text_to_cstring(PG_GETARG_TEXT_PP(0));
	InitMaterializedSRF(fcinfo, 0);
	migrate_check_target(target);
	migrate_integrity_wait();
	migrate_begin_change();
	migrate_integrity_check(NULL, true);
	prepare_scope_schema(upgrade);

	/*
	 * The common no-op: an upgrade to head while the version rows are the
	 * heads, and nothing changed since.  One row of migrate.state tells;
	 * other targets take the full path.
	 */
	if (upgrade && (strcmp(target, "heads") == 0 || strcmp(target, "head") == 0) &&
		migrate_catalog_at_heads(strcmp(target, "head") == 0, true))
		return (Datum) 0;

	migrate_catalog_load(&state, false, true);

	if (upgrade)
		ok = migrate_plan_upgrade(state.graph, state.rows, state.nrows,
								  target, &plan, &err);
	else
		ok = migrate_plan_downgrade(state.graph, state.rows, state.nrows,
									target, &plan, &err);
	if (!ok)
		migrate_raise_graph_error(&err);

	run_plan(fcinfo, &state, &plan, upgrade);
	return (Datum) 0;
}

/*
 * migrate_upgrade(target text DEFAULT 'head')
 * migrate_upgrade(target text, scope text)
 *	 RETURNS TABLE (step, revision, message, operation, duration_ms)
 *
 * operation is "upgrade", "reapply", or "skip" for a step recorded without
 * running its SQL ("-- scope: shared" in a scope, "-- scope: tenant"
 * outside one).
 */
Datum
migrate_upgrade(PG_FUNCTION_ARGS)
{
	Datum		result;

	migrate_scope_enter(fcinfo, 1);
	result = upgrade_or_downgrade(fcinfo, true);
	migrate_scope_leave();
	return result;
}

/*
 * migrate_downgrade(target text)
 * migrate_downgrade(target text, scope text)
 *	 RETURNS TABLE (step, revision, message, operation, duration_ms)
 */
Datum
migrate_downgrade(PG_FUNCTION_ARGS)
{
	Datum		result;

	migrate_scope_enter(fcinfo, 1);
	result = upgrade_or_downgrade(fcinfo, false);
	migrate_scope_leave();
	return result;
}

/*
 * A stamp, as a downgrade, leaves the repeatable revisions that were rows
 * applied: they have no place in the chain a stamp moves along.  Only a
 * stamp that clears every row ("base") takes them away.
 */
static void
keep_repeatables(const MigrateState *state, MigratePlan *plan)
{
	int		   *rows = palloc(sizeof(int) * (plan->nrows + state->nrows + 1));
	int			nrows = plan->nrows;
	int			i;
	int			j;

	memcpy(rows, plan->rows, sizeof(int) * plan->nrows);
	for (i = 0; i < state->nrows; i++)
	{
		bool		found = false;

		if (!state->revs[state->rows[i]].repeatable)
			continue;
		for (j = 0; j < nrows; j++)
			if (rows[j] == state->rows[i])
				found = true;
		if (!found)
			rows[nrows++] = state->rows[i];
	}
	plan->rows = rows;
	plan->nrows = nrows;
}

/*
 * migrate_stamp(VARIADIC targets text[]) RETURNS SETOF text
 * migrate_stamp(targets text[], scope text) RETURNS SETOF text
 *
 * Sets the version rows without running SQL, and journals one "stamp"
 * entry per row it adds, or a single one naming no revision when it only
 * removes rows (stamping "base", say).
 */
Datum
migrate_stamp(PG_FUNCTION_ARGS)
{
	Datum		result;

	migrate_scope_enter(fcinfo, 1);
	result = stamp(fcinfo);
	migrate_scope_leave();
	return result;
}

/* The body of migrate_stamp, in the call's scope. */
static Datum
stamp(FunctionCallInfo fcinfo)
{
	ArrayType  *array;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	const char **targets;
	MigrateState state;
	MigratePlan plan;
	MigrateGraphError err;
	TimestampTz now;
	int			added = 0;
	int			i;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("stamp targets must not be null")));
	array = PG_GETARG_ARRAYTYPE_P(0);
	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("stamp targets must be a one-dimensional array")));
	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no stamp target given"),
				 errhint("Name one or more revisions, or \"base\" to clear the version rows.")));
	targets = palloc(sizeof(char *) * n);
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("stamp target must not be null")));
		targets[i] = TextDatumGetCString(elems[i]);
		migrate_check_target(targets[i]);
	}

	migrate_integrity_wait();
	migrate_begin_change();
	migrate_integrity_check(NULL, true);
	migrate_catalog_load(&state, false, true);
	if (!migrate_plan_stamp(state.graph, state.rows, state.nrows,
							targets, n, &plan, &err))
		migrate_raise_graph_error(&err);
	if (plan.nrows > 0)
		keep_repeatables(&state, &plan);

	now = GetCurrentTimestamp();
	for (i = 0; i < plan.nrows; i++)
	{
		bool		was_row = false;
		int			j;

		/* a row that was there already was not stamped by this call */
		for (j = 0; j < state.nrows; j++)
			if (state.rows[j] == plan.rows[i])
				was_row = true;
		if (!was_row)
		{
			migrate_catalog_journal(migrate_graph_id(state.graph, plan.rows[i]),
									"stamp",
									state.revs[plan.rows[i]].message, now, 0,
									&state, plan.rows, plan.nrows);
			added++;
		}
	}
	/* rows removed and none added: one entry naming no revision */
	if (added == 0 && plan.nrows != state.nrows)
		migrate_catalog_journal(NULL, "stamp", "", now, 0, &state,
								plan.rows, plan.nrows);
	migrate_set_version(&state, plan.rows, plan.nrows);
	migrate_catalog_bump_generation();
	migrate_catalog_note_heads(&state, plan.rows, plan.nrows);

	migrate_outcome_at_commit(psprintf("stamp to %d version row%s", plan.nrows,
										 plan.nrows == 1 ? "" : "s"),
							  psprintf(" by %s",
									   GetUserNameFromId(GetUserId(), false)));

	migrate_put_ids(fcinfo, &state, plan.rows, plan.nrows);
	return (Datum) 0;
}

/*
 * Common body of migrate_record and migrate_record_script: record one step
 * of revision that ran outside the server, taking ms, and return the new
 * version rows.
 */
static Datum
record_step(FunctionCallInfo fcinfo, const char *revision,
			const char *operation, double ms, bool from_script)
{
	bool		upgrade;
	MigrateState state;
	MigratePlan plan;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	upgrade = migrate_parse_operation(operation);
	migrate_begin_change();
	/* the step's own record, while it is not a failure, is what ends here */
	migrate_integrity_check(revision, true);
	migrate_record_outside_step(revision, upgrade, ms, from_script,
								&state, &plan);
	migrate_put_ids(fcinfo, &state, plan.rows, plan.nrows);
	return (Datum) 0;
}

/*
 * migrate_record(revision text, operation text, duration_ms float8)
 * migrate_record(revision text, operation text, duration_ms float8,
 *				  scope text)
 *	 RETURNS SETOF text
 *
 * Records one step that ran outside the server: the client runs a
 * non-transactional revision (CREATE INDEX CONCURRENTLY, say) on its own
 * connection, then calls this.  The step must be exactly one that could run
 * next: an upgrade of a revision whose ancestors are all applied, or a
 * downgrade of a current head.  Returns the new version rows.
 */
Datum
migrate_record(PG_FUNCTION_ARGS)
{
	double		ms;
	Datum		result;

	/* the scoped overload is not strict: NULL is the shared run */
	migrate_scope_require_args(fcinfo, 3);
	ms = PG_GETARG_FLOAT8(2);
	if (isnan(ms) || isinf(ms) || ms < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("duration must be a finite, non-negative number of milliseconds")));
	migrate_scope_enter(fcinfo, 3);
	result = record_step(fcinfo, text_to_cstring(PG_GETARG_TEXT_PP(0)),
						 text_to_cstring(PG_GETARG_TEXT_PP(1)), ms, false);
	migrate_scope_leave();
	return result;
}

/*
 * migrate_record_script(revision text, operation text, started timestamptz)
 *	 RETURNS SETOF text
 *
 * Records one step of a script that "pg_migrate upgrade --sql" wrote, as
 * run from the script since started: the script records a transactional
 * step first and runs its SQL after, in the same transaction (so that a
 * database at another revision stops the script before any SQL runs), and
 * a non-transactional one after its statements.  As for migrate_record,
 * the step must be exactly one that could run next.  Returns the new
 * version rows.
 */
Datum
migrate_record_script(PG_FUNCTION_ARGS)
{
	TimestampTz started = PG_GETARG_TIMESTAMPTZ(2);
	double		ms = Max(0, (double) (GetCurrentTimestamp() - started) / 1000.0);

	return record_step(fcinfo, text_to_cstring(PG_GETARG_TEXT_PP(0)),
					   text_to_cstring(PG_GETARG_TEXT_PP(1)), ms, true);
}
