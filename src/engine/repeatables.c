/*-------------------------------------------------------------------------
 *
 * repeatables.c
 *	  Where repeatable revisions go in a plan.
 *
 * IDENTIFICATION
 *	  src/engine/repeatables.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"


#include "pg_migrate.h"

/*
 * Repeatable revisions come after the versioned steps of an upgrade, in
 * name order (nothing builds on them, so this keeps the plan's order
 * valid); a downgrade leaves them applied: their steps are dropped and
 * their version rows kept.
 */
void
migrate_order_repeatables(const MigrateState *state, MigratePlan *plan,
						  bool upgrade)
{
	int		   *reps = palloc(sizeof(int) * Max(plan->nsteps, 1));
	int			nreps = 0;
	int			n = 0;
	int			i;
	int			j;

	/* nothing may build on a repeatable revision: it moves to the end */
	for (i = 0; i < state->nrevs; i++)
	{
		const MigrateRevision *rev = &state->revs[i];
		int			nedges = rev->nrevises + rev->ndepends_on;

		for (j = 0; j < nedges; j++)
		{
			const char *parent = j < rev->nrevises ? rev->revises[j] :
				rev->depends_on[j - rev->nrevises];
			int			node = migrate_graph_find(state->graph, parent);

			if (node >= 0 && state->revs[node].repeatable)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
						 errmsg("revision \"%s\" builds on repeatable revision \"%s\"",
								rev->revision, state->revs[node].revision),
						 errdetail("A repeatable revision runs after the versioned revisions of an upgrade, so nothing may revise or depend on it."),
						 errhint("Remove \"%s\" from the revises or depends-on of revision \"%s\".",
								 state->revs[node].revision, rev->revision)));
		}
	}

	for (i = 0; i < plan->nsteps; i++)
	{
		if (state->revs[plan->steps[i]].repeatable)
			reps[nreps++] = plan->steps[i];
		else
			plan->steps[n++] = plan->steps[i];
	}
	if (nreps == 0)
		return;
	if (!upgrade)
	{
		/* a repeatable revision has no children: it was a row, and stays */
		for (i = 0; i < nreps; i++)
		{
			bool		found = false;

			for (j = 0; j < plan->nrows; j++)
				if (plan->rows[j] == reps[i])
					found = true;
			if (!found)
				plan->rows[plan->nrows++] = reps[i];
		}
		plan->nsteps = n;
		return;
	}
	/* insertion sort by id: a handful of revisions */
	for (i = 1; i < nreps; i++)
	{
		int			v = reps[i];

		for (j = i; j > 0 && strcmp(state->revs[reps[j - 1]].revision,
									state->revs[v].revision) > 0; j--)
			reps[j] = reps[j - 1];
		reps[j] = v;
	}
	for (i = 0; i < nreps; i++)
		plan->steps[n++] = reps[i];
}
