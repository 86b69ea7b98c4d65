/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  migrate_verify: check that each pending revision's downgrade undoes
 *	  its upgrade, and that it can be upgraded again, leaving nothing
 *	  behind.
 *
 * Everything runs inside one subtransaction (a "trial") that is rolled
 * back at the end, also when an error escapes, so schema, version rows,
 * journal and migrate.state are as they were.  Each upgrade or downgrade
 * runs in an inner subtransaction of its own, so that a failing one is
 * reported with its error rather than aborting the call; verification
 * stops at the first revision that fails (the later ones build on it) or
 * that is not transactional (it cannot run inside a subtransaction), and
 * the revisions after it are reported as "not checked".  The migration
 * lock is taken first, at the caller's transaction level, so that no real
 * migration interleaves.  Verify writes no journal or version rows: the
 * revisions' SQL runs as an upgrade would run it, nothing else.
 *
 * IDENTIFICATION
 *	  src/engine/verify.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "pg_migrate.h"
#include "engine/verify.h"

PG_FUNCTION_INFO_V1(migrate_verify);

/*
 * Start a subtransaction, staying in the caller's memory context (so that
 * what is allocated survives its rollback), as PL/pgSQL does for a block
 * with an exception handler.
 */
static void
migrate_trial_begin(MigrateTrial *trial)
{
	trial->cxt = CurrentMemoryContext;
	trial->owner = CurrentResourceOwner;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(trial->cxt);
}

/* Roll the trial's subtransaction back, undoing all it did. */
static void
migrate_trial_rollback(MigrateTrial *trial)
{
	migrate_outcome_forget_subxact();
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(trial->cxt);
	CurrentResourceOwner = trial->owner;
}

/* Commit the trial's subtransaction into its parent. */
static void
migrate_trial_release(MigrateTrial *trial)
{
	ReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(trial->cxt);
	CurrentResourceOwner = trial->owner;
}

/*
 * The frame migrate_verify and migrate_explain share: plan an upgrade to
 * the target of the function's first argument under the migration lock,
 * then run body over the plan inside a subtransaction that is rolled back
 * whatever happens, with the step notices off (they would tell of changes
 * that are undone).  An error is raised again after the rollback.
 */
void
migrate_trial_plan(FunctionCallInfo fcinfo, const char *what,
				   MigrateTrialBody body)
{
	char	   *target = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrateState state;
	MigratePlan plan;
	MigrateGraphError err;
	MigrateTrial outer;
	bool		save_notice_steps;

	InitMaterializedSRF(fcinfo, 0);
	migrate_check_target(target);
	migrate_begin_change();
	migrate_catalog_load(&state, true, true);
	if (!migrate_plan_upgrade(state.graph, state.rows, state.nrows, target,
							  &plan, &err))
		migrate_raise_graph_error(&err);

	ereport(LOG,
			(errmsg("migration %s of %d revisions, rolled back at the end",
					what, plan.nsteps),
			 errhidestmt(true)));

	save_notice_steps = migrate_notice_steps;
	migrate_notice_steps = false;
	migrate_trial_begin(&outer);
	PG_TRY();
	{
		body(rsinfo, &state, &plan);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		migrate_notice_steps = save_notice_steps;
		MemoryContextSwitchTo(outer.cxt);
		edata = CopyErrorData();
		FlushErrorState();
		migrate_trial_rollback(&outer);
		ReThrowError(edata);
	}
	PG_END_TRY();
	migrate_notice_steps = save_notice_steps;
	migrate_trial_rollback(&outer);
}

/*
 * The error's message, followed by where in the revision it was raised
 * (the runner's context line), when a step raised it.
 */
static char *
error_text(const ErrorData *edata)
{
	const char *where = migrate_step_error_where();

	if (where != NULL)
		return psprintf("%s (%s)", edata->message, where);
	return pstrdup(edata->message);
}

/*
 * Run one upgrade or downgrade of rev in a subtransaction of its own.
 * Returns NULL when it worked, else its error (the subtransaction rolled
 * back).  A cancel or shutdown is not caught.
 */
static char *
try_step(const MigrateRevision *rev, bool upgrade, int stepno, int nsteps)
{
	MigrateTrial trial;
	char	   *volatile error = NULL;

	migrate_trial_begin(&trial);
	migrate_step_error_reset();
	PG_TRY();
	{
		(void) migrate_run_step(rev, upgrade, stepno, nsteps);
		migrate_trial_release(&trial);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(trial.cxt);
		edata = CopyErrorData();
		FlushErrorState();
		migrate_trial_rollback(&trial);
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
			edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
			ReThrowError(edata);
		error = error_text(edata);
	}
	PG_END_TRY();
	return error;
}

/* Add one result row. */
static void
put_row(ReturnSetInfo *rsinfo, int stepno, const char *revision,
		const char *status, char **diffs, int ndiffs, bool compared,
		const char *error)
{
	Datum		values[5];
	bool		nulls[5] = {false, false, false, !compared, error == NULL};

	values[0] = Int32GetDatum(stepno);
	values[1] = CStringGetTextDatum(revision);
	values[2] = CStringGetTextDatum(status);
	values[3] = compared ? migrate_text_array(diffs, ndiffs) : (Datum) 0;
	values[4] = error ? CStringGetTextDatum(error) : (Datum) 0;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * Verify the plan's revisions in order, inside the caller's trial.  Rows
 * go to rsinfo's tuplestore, which lives outside every subtransaction.
 */
static void
verify_plan(ReturnSetInfo *rsinfo, const MigrateState *state,
			const MigratePlan *plan)
{
	MemoryContext rev_cxt = AllocSetContextCreate(CurrentMemoryContext,
												  "pg_migrate verify",
												  ALLOCSET_DEFAULT_SIZES);
	bool		stopped = false;
	int			i;

	for (i = 0; i < plan->nsteps; i++)
	{
		const MigrateRevision *rev = &state->revs[plan->steps[i]];
		MemoryContext old_cxt = MemoryContextSwitchTo(rev_cxt);
		MigrateSchemaPrint before;
		MigrateSchemaPrint after;
		char	  **diffs = NULL;
		int			ndiffs = 0;
		char	   *error;

		if (stopped)
			put_row(rsinfo, i + 1, rev->revision, "not checked", NULL, 0,
					false, NULL);
		else if (!rev->transactional)
		{
			put_row(rsinfo, i + 1, rev->revision, "skipped", NULL, 0, false,
					"the revision is marked \"transactional: false\" and cannot run inside a subtransaction");
			stopped = true;
		}
		else
		{
			migrate_schemaprint_take(&before);
			if ((error = try_step(rev, true, i + 1, plan->nsteps)) != NULL)
			{
				put_row(rsinfo, i + 1, rev->revision, "fails", NULL, 0, false,
						psprintf("upgrade: %s", error));
				stopped = true;
			}
			else if (!rev->has_downgrade)
				put_row(rsinfo, i + 1, rev->revision, "no downgrade", NULL, 0,
						false, NULL);
			else if ((error = try_step(rev, false, i + 1, plan->nsteps)) != NULL)
			{
				put_row(rsinfo, i + 1, rev->revision, "fails", NULL, 0, false,
						psprintf("downgrade: %s", error));
				stopped = true;
			}
			else
			{
				migrate_schemaprint_take(&after);
				ndiffs = migrate_schemaprint_diff(&before, &after, &diffs);
				if ((error = try_step(rev, true, i + 1, plan->nsteps)) != NULL)
				{
					put_row(rsinfo, i + 1, rev->revision, "fails", diffs,
							ndiffs, true,
							psprintf("upgrade after downgrade: %s", error));
					stopped = true;
				}
				else
					put_row(rsinfo, i + 1, rev->revision,
							ndiffs > 0 ? "irreversible" : "ok", diffs, ndiffs,
							true, NULL);
			}
		}
		MemoryContextSwitchTo(old_cxt);
		MemoryContextReset(rev_cxt);
	}
	MemoryContextDelete(rev_cxt);
}

/*
 * migrate_verify(target text DEFAULT 'heads')
 *	 RETURNS TABLE (step integer, revision text, status text,
 *					differences text[], error text)
 *
 * One row per revision an upgrade to target would apply, in order.
 * status is "ok", "no downgrade", "irreversible" (differences lists what
 * the downgrade did not undo), "fails" (error says which pass failed and
 * why), "skipped" (not transactional) or "not checked" (after a failure
 * or a skip).  differences is NULL when no comparison was made.
 */
Datum
migrate_verify(PG_FUNCTION_ARGS)
{
	migrate_trial_plan(fcinfo, "verify", verify_plan);
	return (Datum) 0;
}
