/*-------------------------------------------------------------------------
 *
 * report.c
 *	  The read-only SQL functions: migrate_current, migrate_heads,
 *	  migrate_history, migrate_pending, migrate_check, migrate_status,
 *	  migrate_script, and migrate_wait.
 *
 * None of them takes the migration lock: they read the catalog as the
 * statement's snapshot shows it.
 *
 * IDENTIFICATION
 *	  src/functions/report.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "commands/dbcommands.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "pg_migrate.h"

PG_FUNCTION_INFO_V1(migrate_current);
PG_FUNCTION_INFO_V1(migrate_heads);
PG_FUNCTION_INFO_V1(migrate_history);
PG_FUNCTION_INFO_V1(migrate_history_range);
PG_FUNCTION_INFO_V1(migrate_pending);
PG_FUNCTION_INFO_V1(migrate_check);
PG_FUNCTION_INFO_V1(migrate_status);
PG_FUNCTION_INFO_V1(migrate_script);
PG_FUNCTION_INFO_V1(migrate_wait);

static Datum current_in_scope(FunctionCallInfo fcinfo);
static Datum history_range_in_scope(FunctionCallInfo fcinfo);
static Datum pending_in_scope(FunctionCallInfo fcinfo);
static Datum check_in_scope(FunctionCallInfo fcinfo);
static Datum status_in_scope(FunctionCallInfo fcinfo);

/* How often migrate_wait looks again, in milliseconds. */
#define WAIT_POLL_MS 100

/* Emit ids[] as a set of text (a SETOF text function's result). */
static void
put_id_strings(FunctionCallInfo fcinfo, char **ids, int n)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	for (i = 0; i < n; i++)
	{
		Datum		value = CStringGetTextDatum(ids[i]);
		bool		isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value,
							 &isnull);
	}
}

/* The body of migrate_current: the version rows of the call's scope. */
static Datum
current_in_scope(FunctionCallInfo fcinfo)
{
	MigrateState state;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);

	/*
	 * At the heads, as migrate.state tells, the graph was valid when that
	 * was noted and nothing was registered since: the version rows can be
	 * read alone.  Otherwise loading the graph also refuses an invalid one.
	 */
	if (migrate_catalog_at_heads(false, false))
	{
		int			n;
		char	  **ids = migrate_catalog_version_ids(&n, NULL);

		put_id_strings(fcinfo, ids, n);
		return (Datum) 0;
	}
	migrate_catalog_load(&state, false, false);
	migrate_put_ids(fcinfo, &state, state.rows, state.nrows);
	return (Datum) 0;
}

/* migrate_heads() RETURNS SETOF text */
Datum
migrate_heads(PG_FUNCTION_ARGS)
{
	MigrateState state;
	int		   *heads;
	int			n;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	/* at the one head, as migrate.state tells: the version row is it */
	if (migrate_catalog_at_heads(true, false))
	{
		char	  **ids = migrate_catalog_version_ids(&n, NULL);

		put_id_strings(fcinfo, ids, n);
		return (Datum) 0;
	}
	migrate_catalog_load(&state, false, false);
	heads = palloc(sizeof(int) * Max(state.nrevs, 1));
	n = migrate_graph_heads(state.graph, heads);
	migrate_put_ids(fcinfo, &state, heads, n);
	return (Datum) 0;
}

/* One migrate_history row per node of nodes[], in that order. */
static void
put_history(FunctionCallInfo fcinfo, const MigrateState *state,
			const int *nodes, int n)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool	   *applied = palloc0(sizeof(bool) * Max(state->nrevs, 1));
	bool	   *current = palloc0(sizeof(bool) * Max(state->nrevs, 1));
	TimestampTz *times = migrate_catalog_applied_times(state);
	Datum		empty = migrate_text_array(NULL, 0);	/* shared by all rows */
	int			i;

	migrate_graph_applied(state->graph, state->rows, state->nrows, applied);
	for (i = 0; i < state->nrows; i++)
		current[state->rows[i]] = true;

	for (i = 0; i < n; i++)
	{
		int			node = nodes[i];
		const MigrateRevision *rev = &state->revs[node];
		MigrateNodeInfo info;
		Datum		values[12];
		bool		nulls[12];

		memset(nulls, false, sizeof(nulls));
		migrate_graph_node_info(state->graph, node, &info);
		values[0] = CStringGetTextDatum(rev->revision);
		values[1] = rev->nrevises == 0 ? empty :
			migrate_text_array(rev->revises, rev->nrevises);
		values[2] = rev->ndepends_on == 0 ? empty :
			migrate_text_array(rev->depends_on, rev->ndepends_on);
		values[3] = CStringGetTextDatum(rev->message);
		values[4] = rev->nbranch_labels == 0 ? empty :
			migrate_text_array(rev->branch_labels, rev->nbranch_labels);
		values[5] = BoolGetDatum(info.is_head);
		values[6] = BoolGetDatum(info.is_branch_point);
		values[7] = BoolGetDatum(info.is_merge_point);
		values[8] = BoolGetDatum(current[node]);
		values[9] = BoolGetDatum(applied[node]);
		if (applied[node] && times[node] != 0)
			values[10] = TimestampTzGetDatum(times[node]);
		else
			nulls[10] = true;
		if (rev->file_name)
			values[11] = CStringGetTextDatum(rev->file_name);
		else
			nulls[11] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/* migrate_history() RETURNS TABLE (...): every revision, newest first */
Datum
migrate_history(PG_FUNCTION_ARGS)
{
	MigrateState state;
	int		   *nodes;
	int			n;

	InitMaterializedSRF(fcinfo, 0);
	migrate_catalog_load(&state, false, false);
	nodes = palloc(sizeof(int) * Max(state.nrevs, 1));
	n = migrate_graph_history(state.graph, nodes);
	put_history(fcinfo, &state, nodes, n);
	return (Datum) 0;
}

/* The body of migrate_history(range): the revisions of an Alembic range. */
static Datum
history_range_in_scope(FunctionCallInfo fcinfo)
{
	char	   *range;
	MigrateState state;
	MigrateGraphError err;
	int		   *nodes;
	int			n;

	InitMaterializedSRF(fcinfo, 0);
	/* a NULL range gives nothing, as the strict one-argument form does */
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	range = text_to_cstring(PG_GETARG_TEXT_PP(0));
	migrate_check_target(range);
	migrate_catalog_load(&state, false, false);
	nodes = palloc(sizeof(int) * Max(state.nrevs, 1));
	if (!migrate_graph_range(state.graph, state.rows, state.nrows, range,
							 nodes, &n, &err))
		migrate_raise_graph_error(&err);
	put_history(fcinfo, &state, nodes, n);
	return (Datum) 0;
}

/* Plan an upgrade to target from the current rows, or raise the error. */
static void
plan_or_raise(const MigrateState *state, const char *target, bool upgrade,
			  MigratePlan *plan)
{
	MigrateGraphError err;
	bool		ok;

	migrate_check_target(target);
	if (upgrade)
		ok = migrate_plan_upgrade(state->graph, state->rows, state->nrows,
								  target, plan, &err);
	else
		ok = migrate_plan_downgrade(state->graph, state->rows, state->nrows,
									target, plan, &err);
	if (!ok)
		migrate_raise_graph_error(&err);
}

/*
 * True when target is "head" or "heads" and migrate.state says, as the
 * statement's snapshot shows it, that the version rows are the heads:
 * nothing is pending, and the graph need not be loaded.
 */
static bool
at_heads_fast(const char *target)
{
	if (strcmp(target, "heads") != 0 && strcmp(target, "head") != 0)
		return false;
	return migrate_catalog_at_heads(strcmp(target, "head") == 0, false);
}

/*
 * The body of migrate_pending: the steps an upgrade to target would run.
 * A step whose SQL is for the other kind of run (scope.c) is transactional
 * whatever its flag: it runs nothing.
 */
static Datum
pending_in_scope(FunctionCallInfo fcinfo)
{
	char	   *target;
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrateState state;
	MigratePlan plan;
	bool	   *applied;
	int		   *due;
	int			ndue;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	target = text_to_cstring(PG_GETARG_TEXT_PP(0));
	/* nothing pending, as one row of migrate.state can tell */
	if (at_heads_fast(target))
		return (Datum) 0;
	migrate_catalog_load(&state, false, false);
	plan_or_raise(&state, target, true, &plan);
	/* in the order an upgrade runs them: repeatable revisions last */
	migrate_order_repeatables(&state, &plan, true);
	/* then those applied before whose SQL changed, run again */
	applied = palloc0(sizeof(bool) * Max(state.nrevs, 1));
	migrate_graph_applied(state.graph, plan.rows, plan.nrows, applied);
	due = palloc(sizeof(int) * Max(state.nrevs, 1));
	ndue = migrate_catalog_reapply_due(&state, applied, due);
	for (i = 0; i < plan.nsteps + ndue; i++)
	{
		const MigrateRevision *rev = &state.revs[i < plan.nsteps ?
												 plan.steps[i] :
												 due[i - plan.nsteps]];
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = Int32GetDatum(i + 1);
		values[1] = CStringGetTextDatum(rev->revision);
		values[2] = CStringGetTextDatum(rev->message);
		/* a step whose SQL is for the other kind of run runs nothing */
		values[3] = BoolGetDatum(rev->transactional || !migrate_scope_runs(rev));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* "a", "b", "c" for the steps of a plan, for messages. */
static char *
quoted_steps(const MigrateState *state, const MigratePlan *plan)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < plan->nsteps; i++)
		appendStringInfo(&buf, "%s\"%s\"", i > 0 ? ", " : "",
						 migrate_graph_id(state->graph, plan->steps[i]));
	return buf.data;
}

/*
 * The body of migrate_check.
 *
 * True when nothing is pending; otherwise raises SQLSTATE 55000
 * (object_not_in_prerequisite_state), so that
 * psql -v ON_ERROR_STOP=1 -c 'SELECT migrate_check()' fails.
 */
static Datum
check_in_scope(FunctionCallInfo fcinfo)
{
	char	   *target;
	MigrateState state;
	MigratePlan plan;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	target = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (at_heads_fast(target))
		PG_RETURN_BOOL(true);
	migrate_catalog_load(&state, false, false);
	plan_or_raise(&state, target, true, &plan);
	migrate_integrity_check(NULL, false);
	if (plan.nsteps > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg_plural("%d revision is pending",
							   "%d revisions are pending",
							   plan.nsteps, plan.nsteps),
				 errdetail("Pending, in order: %s.", quoted_steps(&state, &plan)),
				 errhint("Run \"pg_migrate upgrade %s\" or, in SQL, migrate_upgrade('%s') to apply them.", target, target)));
	PG_RETURN_BOOL(true);
}

/* Push a key of the object being built. */
static void
push_key(JsonbParseState **st, const char *key)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) key;
	v.val.string.len = strlen(key);
	(void) pushJsonbValue(st, WJB_KEY, &v);
}

/* Push a string value, or null for NULL; elem for an array element. */
static void
push_string(JsonbParseState **st, const char *s, bool elem)
{
	JsonbValue	v;

	if (s == NULL)
		v.type = jbvNull;
	else
	{
		v.type = jbvString;
		v.val.string.val = (char *) s;
		v.val.string.len = strlen(s);
	}
	(void) pushJsonbValue(st, elem ? WJB_ELEM : WJB_VALUE, &v);
}

/* Push a number value, given as a numeric datum. */
static void
push_numeric(JsonbParseState **st, Datum numeric)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(numeric);
	(void) pushJsonbValue(st, WJB_VALUE, &v);
}

static void
push_int(JsonbParseState **st, int i)
{
	push_numeric(st, DirectFunctionCall1(int4_numeric, Int32GetDatum(i)));
}

static void
push_bool(JsonbParseState **st, bool b)
{
	JsonbValue	v;

	v.type = jbvBool;
	v.val.boolean = b;
	(void) pushJsonbValue(st, WJB_VALUE, &v);
}

/* Push a jsonb document as a value, or null for NULL. */
static void
push_jsonb(JsonbParseState **st, Jsonb *j)
{
	JsonbValue	v;

	if (j == NULL)
	{
		v.type = jbvNull;
		(void) pushJsonbValue(st, WJB_VALUE, &v);
		return;
	}
	v.type = jbvBinary;
	v.val.binary.data = &j->root;
	v.val.binary.len = VARSIZE(j) - VARHDRSZ;
	(void) pushJsonbValue(st, WJB_VALUE, &v);
}

/* Push "key": ["id", ...] for nodes. */
static void
push_ids(JsonbParseState **st, const char *key, char **ids, int n)
{
	int			i;

	push_key(st, key);
	(void) pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < n; i++)
		push_string(st, ids[i], true);
	(void) pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

/* The revision ids of nodes[] of state's graph. */
static char **
node_ids(const MigrateState *state, const int *nodes, int n)
{
	char	  **ids = palloc(sizeof(char *) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
		ids[i] = (char *) migrate_graph_id(state->graph, nodes[i]);
	return ids;
}

/*
 * The body of migrate_status.
 *
 * The health report: versions, current revisions, heads, what is pending,
 * and the newest migration (all the steps of the transaction that ran
 * last: its start, total duration, role, and last step), with "scope" in
 * a scope.  Built with jsonb's own builder.
 */
static Datum
status_in_scope(FunctionCallInfo fcinfo)
{
	MigrateState state;
	MigratePlan plan;
	JsonbParseState *st = NULL;
	JsonbValue *result;
	Jsonb	   *drift;
	Jsonb	   *interrupted;
	char	  **current;
	char	  **heads;
	char	  **pending;
	int			ncurrent;
	int			nheads;
	int			npending;
	int			nrevs;
	TimestampTz last_at;
	double		last_ms;
	char	   *last_role;
	char	   *last_op;
	char	   *last_rev;
	int			last_steps;

	if (migrate_catalog_at_heads(true, false))
	{
		/*
		 * At the one head, as migrate.state tells: the version row is the
		 * head and nothing is pending, so a health check polling this
		 * does not load every revision.
		 */
		current = migrate_catalog_version_ids(&ncurrent, &nrevs);
		heads = current;
		nheads = ncurrent;
		pending = NULL;
		npending = 0;
	}
	else
	{
		int		   *head_nodes;

		migrate_catalog_load(&state, false, false);
		plan_or_raise(&state, "heads", true, &plan);
		head_nodes = palloc(sizeof(int) * Max(state.nrevs, 1));
		nheads = migrate_graph_heads(state.graph, head_nodes);
		heads = node_ids(&state, head_nodes, nheads);
		current = node_ids(&state, state.rows, state.nrows);
		ncurrent = state.nrows;
		pending = node_ids(&state, plan.steps, plan.nsteps);
		npending = plan.nsteps;
		nrevs = state.nrevs;
	}
	last_rev = migrate_catalog_last_step(&last_at, &last_ms, &last_role,
										 &last_op, &last_steps);
	migrate_integrity_status(&drift, &interrupted);

	(void) pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	push_key(&st, "server_version");
	push_string(&st, GetConfigOption("server_version", false, false), false);
	push_key(&st, "database");
	push_string(&st, get_database_name(MyDatabaseId), false);
	if (migrate_scope() != NULL)
	{
		push_key(&st, "scope");
		push_string(&st, migrate_scope(), false);
	}
	push_ids(&st, "current", current, ncurrent);
	push_ids(&st, "heads", heads, nheads);
	push_ids(&st, "pending", pending, npending);
	push_key(&st, "pending_count");
	push_int(&st, npending);
	push_key(&st, "up_to_date");
	push_bool(&st, npending == 0);
	push_key(&st, "revision_count");
	push_int(&st, nrevs);
	push_key(&st, "drift");
	push_jsonb(&st, drift);
	push_key(&st, "interrupted");
	push_jsonb(&st, interrupted);
	push_key(&st, "last_migration");
	if (last_op != NULL)
	{
		char		iso[MAXDATELEN + 1];

		JsonEncodeDateTime(iso, TimestampTzGetDatum(last_at), TIMESTAMPTZOID,
						   NULL);
		(void) pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		push_key(&st, "revision");
		push_string(&st, last_rev, false);
		push_key(&st, "operation");
		push_string(&st, last_op, false);
		push_key(&st, "started_at");
		push_string(&st, iso, false);
		push_key(&st, "steps");
		push_int(&st, last_steps);
		/* milliseconds to three places; the journal refuses non-finite ones */
		push_key(&st, "duration_ms");
		push_numeric(&st, DirectFunctionCall2(numeric_round,
											  DirectFunctionCall1(float8_numeric,
																  Float8GetDatum(isfinite(last_ms) ? last_ms : 0.0)),
											  Int32GetDatum(3)));
		push_key(&st, "role");
		push_string(&st, last_role, false);
		(void) pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	else
		push_jsonb(&st, NULL);
	result = pushJsonbValue(&st, WJB_END_OBJECT, NULL);

	PG_RETURN_JSONB_P(JsonbValueToJsonb(result));
}

/*
 * The body of migrate_script: the SQL an upgrade or downgrade would run,
 * step by step (offline mode, and the client's non-transactional runs).
 */
static Datum
script_in_scope(FunctionCallInfo fcinfo)
{
	char	   *operation = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *target = text_to_cstring(PG_GETARG_TEXT_PP(1));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrateState state;
	MigratePlan plan;
	bool		upgrade;
	int			i;

	upgrade = migrate_parse_operation(operation);

	InitMaterializedSRF(fcinfo, 0);
	migrate_catalog_load(&state, true, false);
	plan_or_raise(&state, target, upgrade, &plan);
	/* as the upgrade or downgrade runs it: repeatable revisions last */
	migrate_order_repeatables(&state, &plan, upgrade);
	for (i = 0; i < plan.nsteps; i++)
	{
		const MigrateRevision *rev = &state.revs[plan.steps[i]];
		const char *sql = upgrade ? rev->upgrade_sql : rev->downgrade_sql;
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		/* a revision of the other kind of run runs nothing in this one */
		if (!migrate_scope_runs(rev))
			sql = migrate_scope() != NULL ?
				"-- recorded without running: its SQL is for the shared run only\n" :
				"-- recorded without running: its SQL is for tenant schemas only\n";
		values[0] = Int32GetDatum(i + 1);
		values[1] = CStringGetTextDatum(rev->revision);
		values[2] = CStringGetTextDatum(rev->message);
		values[3] = BoolGetDatum(rev->transactional || !migrate_scope_runs(rev));
		if (sql)
			values[4] = CStringGetTextDatum(sql);
		else
			nulls[4] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * migrate_wait(target text DEFAULT 'heads', timeout interval DEFAULT '60s')
 *	 RETURNS boolean
 *
 * Waits until every revision up to target is applied, without taking the
 * migration lock, so that a replica that must not migrate can start once
 * the schema is ready.  A target not registered yet is waited for too.
 * Each look reads the catalog with a fresh snapshot, which only READ
 * COMMITTED gives.
 */
Datum
migrate_wait(PG_FUNCTION_ARGS)
{
	char	   *target = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Interval   *timeout = PG_GETARG_INTERVAL_P(1);
	TimestampTz deadline;
	MemoryContext loop_cxt;
	MemoryContext old_cxt;
	char		last_problem[512] = "";

	migrate_check_target(target);
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("migrate_wait() cannot see other sessions' migrations under REPEATABLE READ or SERIALIZABLE"),
				 errhint("Call it in READ COMMITTED isolation.")));

	{
		TimestampTz now = GetCurrentTimestamp();

		deadline = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
														   TimestampTzGetDatum(now),
														   IntervalPGetDatum(timeout)));
		/* a negative timeout is a mistake, not "do not wait" */
		if (deadline < now)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("timeout must not be negative"),
					 errhint("Use a timeout of zero to look once without waiting.")));
	}
	loop_cxt = AllocSetContextCreate(CurrentMemoryContext, "pg_migrate wait",
									 ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		MigrateState state;
		MigratePlan plan;
		MigrateGraphError err;

		old_cxt = MemoryContextSwitchTo(loop_cxt);
		migrate_catalog_load(&state, false, true);
		if (migrate_plan_upgrade(state.graph, state.rows, state.nrows, target,
								 &plan, &err))
		{
			if (plan.nsteps == 0)
			{
				MemoryContextSwitchTo(old_cxt);
				MemoryContextDelete(loop_cxt);
				PG_RETURN_BOOL(true);
			}
			MemoryContextSwitchTo(old_cxt);
			snprintf(last_problem, sizeof(last_problem),
					 plan.nsteps == 1 ?
					 "%d revision is still pending." :
					 "%d revisions are still pending.",
					 plan.nsteps);
		}
		else if (err.code == MIGRATE_GRAPH_UNKNOWN_REVISION)
		{
			/* the migrating replica may not have registered it yet */
			MemoryContextSwitchTo(old_cxt);
			snprintf(last_problem, sizeof(last_problem),
					 "The target is not registered: %s.", err.message);
		}
		else
			migrate_raise_graph_error(&err);
		MemoryContextReset(loop_cxt);

		if (GetCurrentTimestamp() >= deadline)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("timed out waiting for the database to reach \"%s\"",
							target),
					 errdetail_internal("%s", last_problem)));

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 WAIT_POLL_MS, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/* ---- the SQL-callable forms, in the call's scope ---- */

/*
 * migrate_current() RETURNS SETOF text
 * migrate_current(scope text) RETURNS SETOF text
 */
Datum
migrate_current(PG_FUNCTION_ARGS)
{
	return migrate_call_in_scope(fcinfo, 0, current_in_scope);
}

/*
 * migrate_history(range text) RETURNS TABLE (...): an Alembic range
 * migrate_history(range text, scope text): current and applied in scope
 */
Datum
migrate_history_range(PG_FUNCTION_ARGS)
{
	return migrate_call_in_scope(fcinfo, 1, history_range_in_scope);
}

/*
 * migrate_script(operation text, target text)
 * migrate_script(operation text, target text, scope text)
 *	 RETURNS TABLE (step, revision, message, transactional, sql)
 */
Datum
migrate_script(PG_FUNCTION_ARGS)
{
	/* the scoped overload is not strict: NULL is the shared run */
	migrate_scope_require_args(fcinfo, 2);
	return migrate_call_in_scope(fcinfo, 2, script_in_scope);
}

/*
 * migrate_pending(target text DEFAULT 'heads')
 * migrate_pending(target text, scope text)
 *	 RETURNS TABLE (step, revision, message, transactional)
 */
Datum
migrate_pending(PG_FUNCTION_ARGS)
{
	return migrate_call_in_scope(fcinfo, 1, pending_in_scope);
}

/*
 * migrate_check(target text DEFAULT 'heads') RETURNS boolean
 * migrate_check(target text, scope text) RETURNS boolean
 */
Datum
migrate_check(PG_FUNCTION_ARGS)
{
	return migrate_call_in_scope(fcinfo, 1, check_in_scope);
}

/*
 * migrate_status() RETURNS jsonb
 * migrate_status(scope text) RETURNS jsonb
 */
Datum
migrate_status(PG_FUNCTION_ARGS)
{
	return migrate_call_in_scope(fcinfo, 0, status_in_scope);
}
