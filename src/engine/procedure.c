/*-------------------------------------------------------------------------
 *
 * procedure.c
 *	  CALL migrate_run(target): apply revisions one transaction each.
 *
 * migrate_upgrade() applies a whole plan inside the caller's transaction.
 * migrate_run() is the per-revision mode instead: a procedure that commits
 * after each revision, so that a long deployment holds each revision's
 * locks only while that revision runs, and a failure keeps the revisions
 * before it.  It needs a non-atomic CALL (not inside BEGIN ... COMMIT, not
 * from a function).
 *
 * Locking.  The run spans several transactions, so it holds the session-
 * level advisory lock (1886218599, 2) for its whole length: the lock the
 * client holds while it runs non-transactional revisions, so that a
 * migrate_run and such a client run never interleave.  Each revision then
 * runs under the usual transaction-level migration lock (objid 1), planned
 * from what is committed at that moment: a plain migrate_upgrade() in
 * another session between two of our transactions is harmless, we find
 * its revisions applied and skip them.  Locks are always taken in the
 * order objid 2, then objid 1, as the client does, so the two cannot
 * deadlock.
 *
 * The plan is made once, in the first transaction, and followed revision
 * id by revision id, as the client does: a relative target ("+2") keeps
 * the meaning it had when the call started.
 *
 * Retries.  A revision that fails on its lock timeout
 * (pg_migrate.revision_lock_timeout) is rolled back and retried after a
 * wait that doubles from pg_migrate.lock_retry_delay up to
 * pg_migrate.lock_retry_max_delay, at most pg_migrate.lock_retries times;
 * the wait holds no snapshot and no lock but the session lock, and can be
 * cancelled.  Any other error, or the last lock timeout, rolls back that
 * revision and ends the call with the error; the revisions committed
 * before it stay applied and journaled.
 *
 * Non-transactional revisions are refused before anything runs: their
 * statements (CREATE INDEX CONCURRENTLY, ...) must be top-level commands,
 * and a procedure's SPI statements never are.  The reasoning is in
 * docs/locking-and-privileges.md.
 *
 * IDENTIFICATION
 *	  src/engine/procedure.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "tcop/pquery.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "pg_migrate.h"

PG_FUNCTION_INFO_V1(migrate_run);

/* What a run keeps across its transactions. */
typedef struct RunState
{
	const char *target;
	bool		planned;
	char	  **ids;			/* the plan, as revision ids */
	int			nids;
	int			next;			/* index into ids of the next to apply */
	int			done;			/* steps run so far */
	char	   *running;		/* revision of the step being run */
} RunState;

/*
 * In the current transaction: plan if not done yet, then apply the next
 * revision of the plan, if any, and journal it.  Returns false when there
 * was nothing left to apply.
 */
static bool
run_next(RunState *run, MemoryContext run_cxt)
{
	MigrateState state;
	MigratePlan plan;
	MigrateGraphError err;
	const MigrateRevision *rev;
	bool	   *applied;
	int		   *rows;
	int			nrows;
	int			node;
	TimestampTz started;
	double		ms;

	migrate_begin_change();
	migrate_catalog_load(&state, true, true);

	if (!run->planned)
	{
		MemoryContext old;
		int			i;

		if (!migrate_plan_upgrade(state.graph, state.rows, state.nrows,
								  run->target, &plan, &err))
			migrate_raise_graph_error(&err);
		/* repeatable revisions after the versioned ones, as an upgrade */
		migrate_order_repeatables(&state, &plan, true);
		migrate_check_steps(&state, &plan, true);
		old = MemoryContextSwitchTo(run_cxt);
		run->ids = palloc(sizeof(char *) * Max(plan.nsteps, 1));
		for (i = 0; i < plan.nsteps; i++)
			run->ids[i] = pstrdup(migrate_graph_id(state.graph, plan.steps[i]));
		run->nids = plan.nsteps;
		MemoryContextSwitchTo(old);
		run->planned = true;
	}

	for (;;)
	{
		if (run->next >= run->nids)
		{
			int		   *due = palloc(sizeof(int) * Max(state.nrevs, 1));

			/*
			 * Then, one per transaction, the repeatable revisions whose SQL
			 * changed since they last ran: once run, one is no longer due.
			 */
			applied = palloc0(sizeof(bool) * Max(state.nrevs, 1));
			migrate_graph_applied(state.graph, state.rows, state.nrows, applied);
			if (migrate_catalog_reapply_due(&state, applied, due) > 0)
			{
				MigrateRevision step_rev = state.revs[due[0]];

				if (!step_rev.transactional)
					ereport(ERROR,
							(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
							 errmsg("repeatable revision \"%s\" is not transactional and cannot be applied again inside the server",
									step_rev.revision),
							 errhint("Run the upgrade with the pg_migrate client.")));
				migrate_catalog_step_sql(&step_rev, true);
				run->running = MemoryContextStrdup(run_cxt, step_rev.revision);
				started = GetCurrentTimestamp();
				ms = migrate_run_step(&step_rev, true, run->done + 1,
									  run->done + 1);
				migrate_catalog_journal(step_rev.revision, "reapply",
										step_rev.message, started, ms, &state,
										state.rows, state.nrows);
				migrate_catalog_bump_generation();
				migrate_catalog_note_heads(&state, state.rows, state.nrows);
				run->done++;
				return true;
			}
			/* as after a full upgrade: the fast path may know the heads */
			migrate_catalog_note_heads(&state, state.rows, state.nrows);
			return false;
		}
		/* what applying the next revision of the plan takes now */
		if (!migrate_plan_upgrade(state.graph, state.rows, state.nrows,
								  run->ids[run->next], &plan, &err))
			migrate_raise_graph_error(&err);
		if (plan.nsteps > 0)
			break;
		/* another session applied it meanwhile */
		run->next++;
	}
	migrate_check_steps(&state, &plan, true);

	node = plan.steps[0];
	rev = &state.revs[node];
	run->running = MemoryContextStrdup(run_cxt, rev->revision);
	started = GetCurrentTimestamp();
	ms = migrate_run_step(rev, true, run->done + 1,
						  Max(run->nids, run->done + plan.nsteps));

	applied = palloc0(sizeof(bool) * Max(state.nrevs, 1));
	migrate_graph_applied(state.graph, state.rows, state.nrows, applied);
	applied[node] = true;
	rows = palloc(sizeof(int) * Max(state.nrevs, 1));
	nrows = migrate_graph_rows(state.graph, applied, rows);
	migrate_catalog_journal(rev->revision, "upgrade", rev->message, started,
							ms, &state, rows, nrows);
	migrate_set_version(&state, rows, nrows);
	migrate_catalog_bump_generation();
	/* left at the heads: the next upgrade to head can tell from one row */
	migrate_catalog_note_heads(&state, rows, nrows);

	run->done++;
	if (strcmp(rev->revision, run->ids[run->next]) == 0)
		run->next++;
	return true;
}

/*
 * Wait before retry number attempt (1-based): pg_migrate.lock_retry_delay
 * doubled attempt - 1 times, at most pg_migrate.lock_retry_max_delay.
 * Interruptible.
 */
static void
backoff(const char *revision, int attempt)
{
	int64		delay = migrate_lock_retry_delay;
	TimestampTz end;
	int			i;

	for (i = 1; i < attempt && delay < migrate_lock_retry_max_delay; i++)
		delay *= 2;
	delay = Min(delay, migrate_lock_retry_max_delay);

	ereport(migrate_notice_steps ? NOTICE : LOG,
			(errmsg("revision \"%s\" could not get its locks; retry %d of %d in %d ms",
					revision, attempt, migrate_lock_retries, (int) delay)));

	end = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), delay);
	for (;;)
	{
		long		remaining;

		CHECK_FOR_INTERRUPTS();
		remaining = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), end);
		if (remaining <= 0)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 remaining, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* The body of migrate_run, holding the run lock. */
static void
run_all(RunState *run, MemoryContext run_cxt)
{
	MemoryContext step_cxt = AllocSetContextCreate(run_cxt, "pg_migrate run step",
												   ALLOCSET_DEFAULT_SIZES);
	int			attempt = 0;

	for (;;)
	{
		ErrorData  *edata = NULL;
		ResourceOwner owner = CurrentResourceOwner;
		bool		more = false;

		MemoryContextReset(step_cxt);
		MemoryContextSwitchTo(step_cxt);
		migrate_lock_failure_forget();
		run->running = NULL;
		/* the catalog and the revision's SQL need a snapshot to run with */
		EnsurePortalSnapshotExists();

		/*
		 * The step runs in a subtransaction, so that an error leaves a valid
		 * transaction behind to report it from and to roll back with
		 * SPI_rollback (the subtransaction's abort also drops the SPI
		 * connections the error left open).  It is released before the
		 * commit: one subtransaction per revision, never nested.
		 */
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(step_cxt);
		PG_TRY();
		{
			more = run_next(run, run_cxt);
			ReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(step_cxt);
			CurrentResourceOwner = owner;
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(run_cxt);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(run_cxt);
			CurrentResourceOwner = owner;
		}
		PG_END_TRY();

		if (edata == NULL)
		{
			if (!more)
				break;
			SPI_commit();
			attempt = 0;
			continue;
		}

		if (edata->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE &&
			migrate_lock_failure_pending() && run->running != NULL &&
			attempt < migrate_lock_retries)
		{
			/* end the transaction: the wait holds no snapshot and no lock */
			SPI_rollback();
			attempt++;
			backoff(run->running, attempt);
			FreeErrorData(edata);
			continue;
		}
		/* in a valid transaction again: the relation can be named */
		if (edata->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE &&
			migrate_lock_failure_pending())
			migrate_lock_failure_describe(edata);
		ReThrowError(edata);
	}
	MemoryContextSwitchTo(run_cxt);
}

/*
 * migrate_run(target text DEFAULT 'heads')  (a procedure: CALL migrate_run())
 *
 * Applies the revisions up to target one transaction each, committing
 * after every revision.
 */
Datum
migrate_run(PG_FUNCTION_ARGS)
{
	CallContext *call = (CallContext *) fcinfo->context;
	RunState	run;
	MemoryContext run_cxt;
	MemoryContext caller_cxt = CurrentMemoryContext;
	LOCKTAG		tag;

	if (call == NULL || !IsA(call, CallContext) || call->atomic)
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("migrate_run cannot run inside a transaction block"),
				 errdetail("It commits after each revision, which is not possible inside BEGIN ... COMMIT or when called from a function."),
				 errhint("CALL it on its own, or use migrate_upgrade() to apply every revision in the caller's transaction.")));
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target must not be null")));

	/* survives the commits: the CALL's portal outlives its transactions */
	run_cxt = AllocSetContextCreate(PortalContext, "pg_migrate run",
									ALLOCSET_DEFAULT_SIZES);
	memset(&run, 0, sizeof(run));
	run.target = MemoryContextStrdup(run_cxt,
									 text_to_cstring(PG_GETARG_TEXT_PP(0)));
	migrate_check_target(run.target);

	if (SPI_connect_ext(SPI_OPT_NONATOMIC) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	migrate_acquire_advisory(MIGRATE_RUN_LOCK_KEY2, true,
							 _("waiting for another session's migration run to finish"),
							 "migration run lock");
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, MIGRATE_LOCK_KEY1,
						 MIGRATE_RUN_LOCK_KEY2, 2);
	PG_TRY();
	{
		run_all(&run, run_cxt);
	}
	PG_FINALLY();
	{
		/* a session lock outlives an abort: always release it */
		LockRelease(&tag, ExclusiveLock, true);
	}
	PG_END_TRY();

	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	MemoryContextSwitchTo(caller_cxt);
	MemoryContextDelete(run_cxt);
	PG_RETURN_VOID();
}
