/*-------------------------------------------------------------------------
 *
 * record.c
 *	  Recording changes of the version rows: after a step, and for a step
 *	  that ran outside the server (a non-transactional revision).
 *
 * IDENTIFICATION
 *	  src/engine/record.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/timestamp.h"

#include "engine/integrity.h"
#include "pg_migrate.h"

/*
 * Replace the version rows after a change (of the call's scope), and bring
 * the version table of the tool the database was adopted from in line
 * (adopted.c) after a change of the shared run.
 */
void
migrate_set_version(const MigrateState *state, const int *rows, int nrows)
{
	migrate_catalog_set_version(state, rows, nrows);
	/* the other tool's table follows the shared run, not the tenants */
	if (migrate_scope() == NULL)
		migrate_adopted_sync(state, rows, nrows);
}

/*
 * Record one step of revision that ran outside the server, under the
 * migration lock (taken by the caller): check that it is exactly one that
 * could run next, journal it, store the version rows, and clear its record
 * in migrate.interrupted.  from_script: the step ran from a script that
 * "upgrade --sql" wrote, where any revision's SQL runs outside the server;
 * otherwise only a non-transactional revision may be recorded.
 */
void
migrate_record_outside_step(const char *revision, bool upgrade, double ms,
							bool from_script, MigrateState *state,
							MigratePlan *plan)
{
	const char *operation = upgrade ? "upgrade" : "downgrade";
	MigrateGraphError err;
	bool		ok;
	int			node;

	migrate_catalog_load(state, false, true);
	node = migrate_graph_find(state->graph, revision);
	if (node < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("revision \"%s\" does not exist", revision)));
	if (state->revs[node].transactional && !from_script)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" runs in the server", revision),
				 errdetail("Only a revision marked \"transactional: false\" is run outside the server and recorded."),
				 errhint("Use migrate_upgrade() or migrate_downgrade(), or migrate_stamp() to record without running.")));

	if (upgrade)
		ok = migrate_plan_upgrade(state->graph, state->rows, state->nrows,
								  revision, plan, &err);
	else
	{
		/* a downgrade takes one current head off the applied set */
		bool	   *applied = palloc0(sizeof(bool) * Max(state->nrevs, 1));
		int		   *steps = palloc(sizeof(int));
		int			i;

		migrate_graph_applied(state->graph, state->rows, state->nrows, applied);
		ok = true;
		steps[0] = node;
		plan->steps = steps;
		plan->nsteps = 0;
		for (i = 0; i < state->nrows; i++)
			if (state->rows[i] == node)
				plan->nsteps = 1;
		applied[node] = false;
		plan->rows = palloc(sizeof(int) * Max(state->nrevs, 1));
		plan->nrows = migrate_graph_rows(state->graph, applied, plan->rows);
	}
	if (!ok)
		migrate_raise_graph_error(&err);
	if (plan->nsteps != 1 || plan->steps[0] != node)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" cannot be recorded as the next %s",
						revision, operation),
				 !upgrade ?
				 errdetail("Only a current head can be downgraded.") :
				 plan->nsteps == 0 ?
				 errdetail("It is applied already.") :
				 errdetail("Its upgrade needs %d revisions applied first.",
						   plan->nsteps - 1),
				 errhint("Record steps one at a time, in the order migrate_pending() gives.")));

	migrate_catalog_journal(revision, operation, state->revs[node].message,
							GetCurrentTimestamp(), ms, state,
							plan->rows, plan->nrows);
	migrate_set_version(state, plan->rows, plan->nrows);
	migrate_outside_clear(revision);
	migrate_catalog_bump_generation();
	migrate_catalog_note_heads(state, plan->rows, plan->nrows);

	migrate_outcome_at_commit(psprintf("%s of revision \"%s\"", operation,
										 revision),
							  psprintf(" recorded, run %s in %.3f ms: %s",
									   from_script ? "from a script" :
									   "outside the server",
									   ms, state->revs[node].message));
}

/*
 * Record a step without returning the version rows (migrate_resolve);
 * the caller holds the migration lock.
 */
void
migrate_record_step(const char *revision, bool upgrade, double ms)
{
	MigrateState state;
	MigratePlan plan;

	migrate_record_outside_step(revision, upgrade, ms, false, &state, &plan);
}
