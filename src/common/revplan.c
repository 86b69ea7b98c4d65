/*-------------------------------------------------------------------------
 *
 * revplan.c
 *	  Planning upgrades, downgrades and stamps; history ranges.
 *
 * Planning an upgrade runs every ancestor of the targets that is not yet
 * applied; a downgrade runs every applied descendant of the revisions just
 * above the target, as Alembic's _collect_upgrade_revisions and
 * _collect_downgrade_revisions do.  Both are one pass over the graph; the
 * order is revorder.c's.  A stamp runs nothing and only computes the
 * version rows Alembic's _stamp_revs would leave.
 *
 * Each entry point registers its temporaries in a MigrateScratch and
 * frees them on the way out, whether it succeeds or fails.
 *
 * Deliberate differences from Alembic:
 *
 *	- Version rows are always canonical: after any operation there is one
 *	  row per revision that no other applied revision revises or depends
 *	  on.  Alembic sometimes keeps a row that is an ancestor of another row
 *	  (for instance after stamping two revisions of one line).
 *	- Where Alembic fails with an internal error (an assertion, a missing
 *	  row while updating the version table), this code either gives the
 *	  evident result or a clear error: "rev+N" or "rev-N" that walks past
 *	  the end gives an error, "rev-N" in an upgrade that lands exactly on
 *	  base plans nothing; "branch@-N" when the branch has several current
 *	  heads gives an error.
 *	- Stamping several targets is stamping each in turn, in the order
 *	  given, each acting on the canonical rows the previous one left.
 *	  Alembic instead picks the rows in play once, from the rows before the
 *	  stamp, so that "stamp a1 a2" over rows {a2, b1} (a2 and b1 children
 *	  of a1) leaves {a1}: a2 is skipped as already present although
 *	  stamping a1 removed it.  Here the result is {a2}.  It often fails
 *	  outright on such cases.
 *	- "-N" in a downgrade with several current heads is refused (Alembic
 *	  warns and picks the first row the database returns).
 *	- Stamp targets must be absolute (no "+N" or "-N"): Alembic accepts
 *	  "-N" there only when the version table is empty.
 *	- History ranges accept absolute targets and "current" only.  Alembic
 *	  also accepts relative ends, with rules of their own: a relative upper
 *	  end walks up from the lower end without failing at the last
 *	  revision, a relative lower end walks down from the upper end, and a
 *	  "branch@" lower end filters the upper end by branch label.
 *	- A target is first looked up as a whole, so an id or branch label
 *	  that contains '-' (Alembic forbids these) is never read as a
 *	  relative walk.  A branch named in a target must exist even when the
 *	  operation would not need to look at it.
 *	- A parent that names a branch label instead of a revision id is
 *	  reported as unknown, and a revision may not list a parent twice.
 *
 * IDENTIFICATION
 *	  src/common/revplan.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef FRONTEND
#include "postgres.h"
#else
#include "postgres_fe.h"
#endif

#include "common/revgraph_int.h"

/* Canonical rows and applied set of the current version rows. */
static void
current_state(const MigrateGraph *g, const int *rows, int nrows,
			  bool **applied, int **crows, int *ncrows, MigrateScratch *s)
{
	*applied = migrate_scratch_alloc(s, sizeof(bool) * (g->n + 1));
	*crows = migrate_scratch_alloc(s, sizeof(int) * (g->n + 1));
	migrate_graph_applied(g, rows, nrows, *applied);
	*ncrows = migrate_graph_rows(g, *applied, *crows);
}

/* Error unless no target is an ancestor of another (Alembic checks too). */
static bool
check_overlap(const MigrateGraph *g, const int *targets, int ntargets,
			  MigrateScratch *s, MigrateGraphError *err)
{
	bool	   *mark = migrate_scratch_alloc0(s, sizeof(bool) * (g->n + 1));
	int			i,
				j;

	for (i = 0; i < ntargets; i++)
		for (j = 0; j < g->nodes[targets[i]].nall_down; j++)
			mark[g->nodes[targets[i]].all_down[j]] = true;
	migrate_graph_closure(g, mark, EDGE_ALL_DOWN);
	for (i = 0; i < ntargets; i++)
		if (mark[targets[i]])
			return migrate_graph_set_error(err, MIGRATE_GRAPH_BAD_TARGET,
										   pstrdup("target revisions overlap"),
										   psprintf("Revision \"%s\" is an ancestor of another target.",
													g->nodes[targets[i]].id),
										   NULL);
	return true;
}

static void
init_plan(MigratePlan *plan)
{
	plan->steps = NULL;
	plan->nsteps = 0;
	plan->rows = NULL;
	plan->nrows = 0;
}

/* Free what a successful plan holds (frontend convenience). */
void
migrate_plan_free(MigratePlan *plan)
{
	if (plan == NULL)
		return;
	if (plan->steps)
		pfree(plan->steps);
	if (plan->rows)
		pfree(plan->rows);
	init_plan(plan);
}

/*
 * Fill plan->rows with the canonical rows of applied; the caller has
 * already set plan->steps.
 */
static void
finish_plan(const MigrateGraph *g, const bool *applied, MigratePlan *plan)
{
	plan->rows = palloc(sizeof(int) * (g->n + 1));
	plan->nrows = migrate_graph_rows(g, applied, plan->rows);
}

/* The work of migrate_plan_upgrade, with its temporaries in s. */
static bool
plan_upgrade(const MigrateGraph *g, const int *rows, int nrows,
			 const char *target, MigratePlan *plan, MigrateScratch *s,
			 MigrateGraphError *err)
{
	bool	   *applied;
	int		   *crows;
	int			ncrows;
	int		   *targets = migrate_scratch_alloc(s, sizeof(int) * (g->n + 1));
	int			ntargets;
	bool	   *todo;
	int		   *order;
	int			norder;
	int			v,
				i;

	current_state(g, rows, nrows, &applied, &crows, &ncrows, s);
	if (!migrate_target_upgrade(g, applied, crows, ncrows, target, targets,
								&ntargets, s, err))
		return false;
	if (!check_overlap(g, targets, ntargets, s, err))
		return false;

	todo = migrate_scratch_keep(s, migrate_graph_mark(g, targets, ntargets));
	migrate_graph_closure(g, todo, EDGE_ALL_DOWN);
	for (v = 0; v < g->n; v++)
		if (applied[v])
			todo[v] = false;
	order = migrate_scratch_alloc(s, sizeof(int) * (g->n + 1));
	norder = migrate_graph_order(g, todo, targets, ntargets, order);

	plan->steps = palloc(sizeof(int) * (norder + 1));
	for (i = 0; i < norder; i++)
	{
		plan->steps[i] = order[norder - 1 - i];
		applied[order[i]] = true;
	}
	plan->nsteps = norder;
	finish_plan(g, applied, plan);
	return true;
}

/* Plan an upgrade: every unapplied ancestor of the targets, oldest first. */
bool
migrate_plan_upgrade(const MigrateGraph *graph, const int *rows, int nrows,
					 const char *target, MigratePlan *plan,
					 MigrateGraphError *err)
{
	MigrateScratch s;
	bool		ok;

	migrate_graph_clear_error(err);
	init_plan(plan);
	migrate_scratch_init(&s);
	ok = plan_upgrade(graph, rows, nrows, target, plan, &s, err);
	migrate_scratch_free(&s);
	return ok;
}

/* The work of migrate_plan_downgrade, with its temporaries in s. */
static bool
plan_downgrade(const MigrateGraph *g, const int *rows, int nrows,
			   const char *target, MigratePlan *plan, MigrateScratch *s,
			   MigrateGraphError *err)
{
	bool	   *applied;
	int		   *crows;
	int			ncrows;
	int			tnode;
	const char *branch;
	bool	   *drop;
	int			nroots = 0;
	int			ndrop = 0;
	int			v,
				i;

	current_state(g, rows, nrows, &applied, &crows, &ncrows, s);
	if (!migrate_target_downgrade(g, applied, crows, ncrows, target, &tnode,
								  &branch, s, err))
		return false;

	drop = migrate_scratch_alloc0(s, sizeof(bool) * (g->n + 1));
	if (tnode == POS_NONE)
	{
		for (v = 0; v < g->n; v++)
			if (g->nodes[v].nparents == 0)
			{
				drop[v] = true;
				nroots++;
			}
	}
	else
		for (i = 0; i < g->nodes[tnode].nkids; i++)
		{
			drop[g->nodes[tnode].kids[i]] = true;
			nroots++;
		}
	if (branch && nroots > 1)
	{
		int			b = migrate_target_branch(g, branch, err);
		bool	   *anc;

		if (b < 0)
			return false;
		anc = migrate_scratch_keep(s, migrate_graph_mark(g, &b, 1));
		migrate_graph_closure(g, anc, EDGE_PARENTS);
		nroots = 0;
		for (v = 0; v < g->n; v++)
		{
			drop[v] = drop[v] && anc[v];
			nroots += drop[v];
		}
		if (nroots == 0)
			return migrate_graph_set_error(err, MIGRATE_GRAPH_BAD_TARGET,
										   psprintf("\"%s\" is not a valid downgrade target from the current heads", target),
										   psprintf("No revision above the target is on branch \"%s\".", branch),
										   NULL);
	}
	migrate_graph_closure(g, drop, EDGE_ALL_KIDS);
	for (v = 0; v < g->n; v++)
	{
		drop[v] = drop[v] && applied[v];
		ndrop += drop[v];
	}
	if (tnode >= 0 && ndrop == 0)
	{
		for (i = 0; i < ncrows && crows[i] != tnode; i++)
			;
		if (i == ncrows)
			return migrate_graph_set_error(err, MIGRATE_GRAPH_BAD_TARGET,
										   psprintf("\"%s\" is not a valid downgrade target from the current heads", target),
										   psprintf("Revision \"%s\" is not below the current heads.", g->nodes[tnode].id),
										   NULL);
	}

	plan->steps = palloc(sizeof(int) * (ndrop + 1));
	plan->nsteps = migrate_graph_order(g, drop, crows, ncrows, plan->steps);
	for (v = 0; v < g->n; v++)
		if (drop[v])
			applied[v] = false;
	finish_plan(g, applied, plan);
	return true;
}

/*
 * Plan a downgrade: every applied descendant of the revisions just above
 * the target (all bases for "base"), newest first.
 */
bool
migrate_plan_downgrade(const MigrateGraph *graph, const int *rows, int nrows,
					   const char *target, MigratePlan *plan,
					   MigrateGraphError *err)
{
	MigrateScratch s;
	bool		ok;

	migrate_graph_clear_error(err);
	init_plan(plan);
	migrate_scratch_init(&s);
	ok = plan_downgrade(graph, rows, nrows, target, plan, &s, err);
	migrate_scratch_free(&s);
	return ok;
}

/*
 * One stamp target, following Alembic's _stamp_revs: the canonical rows
 * crows[0..*ncrows) are replaced by the rows after the stamp.  The rows on
 * the line of descent of the target (dependencies count; "base" alone
 * matches every row) are the rows in play.  With no revision named (only
 * "base" or "branch@base"), they are removed.  Otherwise each named
 * revision that is not already a row either replaces all rows in play,
 * when one of them is its ancestor or descendant, or is added beside them.
 */
static bool
stamp_one(const MigrateGraph *g, int *crows, int *ncrows, const char *target,
		  MigrateScratch *s, MigrateGraphError *err)
{
	ParsedTarget pt;
	int		   *dests = migrate_scratch_alloc(s, sizeof(int) * (g->n + 1));
	int			ndests;
	int			shares[2];
	int			nshares = 0;
	bool	   *line = NULL;
	bool	   *in_play = migrate_scratch_alloc0(s, sizeof(bool) * (g->n + 1));
	bool	   *keep;
	bool	   *applied;
	int			nkeep = 0;
	int			t,
				i,
				v;

	migrate_target_parse(g, target, &pt, s);
	if (pt.relative)
		return migrate_graph_set_error(err, MIGRATE_GRAPH_BAD_TARGET,
									   psprintf("relative target \"%s\" cannot be stamped", target),
									   NULL,
									   pstrdup("Name the revision to stamp."));
	if (!migrate_target_symbol(g, pt.branch, pt.symbol, pt.branch != NULL,
							   dests, &ndests, s, err))
		return false;
	if (pt.branch)
	{
		shares[nshares] = migrate_target_branch(g, pt.branch, err);
		if (shares[nshares++] < 0)
			return false;
	}

	/* the rows in play: all of them for "base", else those on the line */
	if (ndests > 0)
		line = migrate_scratch_keep(s,
									migrate_graph_lineage(g, dests, ndests, true));
	if (nshares > 0)
	{
		bool	   *l1 = migrate_scratch_keep(s,
											  migrate_graph_lineage(g, shares, nshares, true));

		if (line == NULL)
			line = l1;
		else
			for (v = 0; v < g->n; v++)
				line[v] = line[v] || l1[v];
	}
	for (i = 0; i < *ncrows; i++)
		if (line == NULL || line[crows[i]])
			in_play[crows[i]] = true;

	keep = migrate_scratch_keep(s, migrate_graph_mark(g, crows, *ncrows));
	if (ndests == 0)
	{
		for (v = 0; v < g->n; v++)
			if (in_play[v])
				keep[v] = false;
	}
	for (t = 0; t < ndests; t++)
	{
		int			d = dests[t];
		bool	   *dline;
		bool		related = false;

		if (in_play[d])
			continue;
		dline = migrate_graph_lineage(g, &d, 1, true);
		for (i = 0; i < *ncrows; i++)
			if (in_play[crows[i]] && dline[crows[i]])
				related = true;
		pfree(dline);
		if (related)
			for (v = 0; v < g->n; v++)
				if (in_play[v])
					keep[v] = false;
		keep[d] = true;
	}

	/* canonical rows of what is kept */
	for (v = 0; v < g->n; v++)
		if (keep[v])
			dests[nkeep++] = v;
	applied = migrate_scratch_alloc(s, sizeof(bool) * (g->n + 1));
	migrate_graph_applied(g, dests, nkeep, applied);
	*ncrows = migrate_graph_rows(g, applied, crows);
	return true;
}

/*
 * Version rows after stamping targets: each target in turn, as a stamp of
 * that target alone (see the file header for how this differs from
 * Alembic when there are several).
 */
bool
migrate_plan_stamp(const MigrateGraph *graph, const int *rows, int nrows,
				   const char *const *targets, int ntargets,
				   MigratePlan *plan, MigrateGraphError *err)
{
	const MigrateGraph *g = graph;
	MigrateScratch s;
	bool	   *applied;
	int		   *crows;
	int			ncrows;
	bool		ok = true;
	int			t;

	migrate_graph_clear_error(err);
	init_plan(plan);
	migrate_scratch_init(&s);
	current_state(g, rows, nrows, &applied, &crows, &ncrows, &s);
	for (t = 0; t < ntargets && ok; t++)
		ok = stamp_one(g, crows, &ncrows, targets[t], &s, err);
	if (ok)
	{
		plan->steps = palloc(sizeof(int));
		plan->rows = palloc(sizeof(int) * (ncrows + 1));
		memcpy(plan->rows, crows, sizeof(int) * ncrows);
		plan->nrows = ncrows;
	}
	migrate_scratch_free(&s);
	return ok;
}

/*
 * One end of a history range: "current" (the current rows), or an
 * absolute target (Alembic's get_revisions).
 */
static bool
range_end(const MigrateGraph *g, const char *text, const int *crows,
		  int ncrows, int *out, int *nout, MigrateScratch *s,
		  MigrateGraphError *err)
{
	ParsedTarget pt;

	if (strcmp(text, "current") == 0)
	{
		memcpy(out, crows, sizeof(int) * ncrows);
		*nout = ncrows;
		return true;
	}
	migrate_target_parse(g, text, &pt, s);
	if (pt.relative)
		return migrate_graph_set_error(err, MIGRATE_GRAPH_BAD_TARGET,
									   psprintf("relative target \"%s\" is not allowed in a history range", text),
									   NULL, NULL);
	return migrate_target_symbol(g, pt.branch, pt.symbol, pt.branch != NULL,
								 out, nout, s, err);
}

/* The work of migrate_graph_range, with its temporaries in s. */
static bool
graph_range(const MigrateGraph *g, const int *rows, int nrows,
			const char *range, int *out, int *nout, MigrateScratch *s,
			MigrateGraphError *err)
{
	const char *colon = strchr(range, ':');
	char	   *lower;
	char	   *upper;
	bool	   *applied;
	int		   *crows;
	int			ncrows;
	int		   *tops = migrate_scratch_alloc(s, sizeof(int) * (g->n + 1));
	int		   *lows = migrate_scratch_alloc(s, sizeof(int) * (g->n + 1));
	int			ntops = 0;
	int			nlows = 0;
	bool	   *todo;
	int			v,
				i;

	if (colon == NULL || strchr(colon + 1, ':') != NULL)
		return migrate_graph_set_error(err, MIGRATE_GRAPH_BAD_TARGET,
									   psprintf("invalid history range \"%s\"", range),
									   NULL,
									   pstrdup("Write \"lower:upper\", \"lower:\" or \":upper\"."));
	lower = migrate_scratch_keep(s, pnstrdup(range, colon - range));
	upper = migrate_scratch_keep(s, pstrdup(colon + 1));
	current_state(g, rows, nrows, &applied, &crows, &ncrows, s);

	/* "current" with nothing applied means every head, as in Alembic */
	if (upper[0] == '\0' || (strcmp(upper, "current") == 0 && ncrows == 0))
		upper = "heads";
	if (!range_end(g, upper, crows, ncrows, tops, &ntops, s, err))
		return false;
	if (lower[0] != '\0' &&
		!range_end(g, lower, crows, ncrows, lows, &nlows, s, err))
		return false;
	if (!check_overlap(g, tops, ntops, s, err))
		return false;

	todo = migrate_scratch_keep(s, migrate_graph_mark(g, tops, ntops));
	migrate_graph_closure(g, todo, EDGE_ALL_DOWN);
	for (i = 0; i < nlows; i++)
		if (!todo[lows[i]])
			return migrate_graph_set_error(err, MIGRATE_GRAPH_BAD_TARGET,
										   psprintf("history range \"%s\" is not along one line of descent", range),
										   psprintf("Revision \"%s\" is not an ancestor of the upper end.",
													g->nodes[lows[i]].id),
										   NULL);
	if (nlows > 0)
	{
		bool	   *above = migrate_scratch_keep(s, migrate_graph_mark(g, lows, nlows));
		bool	   *below = migrate_scratch_keep(s, migrate_graph_mark(g, lows, nlows));

		migrate_graph_closure(g, below, EDGE_ALL_DOWN);
		migrate_graph_closure(g, above, EDGE_KIDS);
		for (v = 0; v < g->n; v++)
			todo[v] = todo[v] && above[v] && !below[v];
		for (i = 0; i < nlows; i++)
			todo[lows[i]] = true;
	}
	*nout = migrate_graph_order(g, todo, tops, ntops, out);
	return true;
}

/*
 * Revisions of a history range "[lower]:[upper]", newest first, as
 * "alembic history -r lower:upper" lists them: the ancestors of upper
 * (default: all heads) that are not below lower (default: base), lower
 * included, restricted to the descendants of lower.
 */
bool
migrate_graph_range(const MigrateGraph *graph, const int *rows, int nrows,
					const char *range, int *out, int *nout,
					MigrateGraphError *err)
{
	MigrateScratch s;
	bool		ok;

	migrate_graph_clear_error(err);
	*nout = 0;
	migrate_scratch_init(&s);
	ok = graph_range(graph, rows, nrows, range, out, nout, &s, err);
	migrate_scratch_free(&s);
	return ok;
}
