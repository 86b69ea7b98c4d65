/*-------------------------------------------------------------------------
 *
 * revtarget.c
 *	  The target grammar: parsing and resolving upgrade, downgrade and
 *	  stamp targets.
 *
 * Alembic's grammar: "head", "heads", "base", a revision id or a prefix
 * of one (four characters or more), a branch label, "+N" and "-N" from the
 * current rows, "rev+N" and "rev-N" from a revision, and each of those
 * after "branch@" to stay on one branch.  Upgrades and downgrades read
 * relative targets differently (Alembic's _parse_upgrade_target and
 * _parse_downgrade_target), so each has its own entry point here.
 *
 * A target is first looked up as a whole, so an id or branch label that
 * contains '-' (Alembic forbids these) is never read as a relative walk.
 *
 * IDENTIFICATION
 *	  src/common/revtarget.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef FRONTEND
#include "postgres.h"
#else
#include "postgres_fe.h"
#endif

#include <limits.h>

#include "lib/stringinfo.h"

#include "common/revgraph_int.h"

typedef enum WalkResult
{
	WALK_OK,
	WALK_PAST_END,
	WALK_AMBIGUOUS
} WalkResult;

/*
 * Resolve an identifier as Alembic does: an exact revision id or branch
 * label, or else a prefix of exactly one id or label longer than three
 * characters.  When filter is given, prefix candidates off it are ignored.
 */
static int
resolve_ident(const MigrateGraph *g, const char *s, const bool *filter,
			  MigrateGraphError *err)
{
	int			v = migrate_graph_lookup(g, s, NULL);
	size_t		len = strlen(s);
	int			found = -1;
	int			nfound = 0;
	StringInfoData names;
	char	   *detail;
	int			i;

	if (v >= 0)
		return v;
	initStringInfo(&names);
	for (i = 0; i < g->nslots && len > 0; i++)
	{
		const HashSlot *slot = &g->slots[i];

		if (slot->key == NULL || strlen(slot->key) <= 3 ||
			strncmp(slot->key, s, len) != 0)
			continue;
		if (filter && !filter[slot->node])
			continue;
		appendStringInfo(&names, "%s\"%s\"", nfound > 0 ? ", " : "", slot->key);
		found = slot->node;
		nfound++;
	}
	if (nfound == 1)
	{
		pfree(names.data);
		return found;
	}
	if (nfound == 0)
	{
		pfree(names.data);
		migrate_graph_set_error(err, MIGRATE_GRAPH_UNKNOWN_REVISION,
								psprintf("revision \"%s\" does not exist", s),
								NULL,
								len < 4 ? pstrdup("A prefix only matches ids and branch labels of four characters or more.") : NULL);
		return -1;
	}
	detail = psprintf("It matches %s.", names.data);
	pfree(names.data);
	migrate_graph_set_error(err, MIGRATE_GRAPH_AMBIGUOUS,
							psprintf("revision prefix \"%s\" is ambiguous", s),
							detail,
							pstrdup("Give more characters of the revision id."));
	return -1;
}

/* The revision a branch name stands for: a label, an id or a prefix. */
int
migrate_target_branch(const MigrateGraph *g, const char *branch,
					  MigrateGraphError *err)
{
	int			v = resolve_ident(g, branch, NULL, err);

	if (v < 0 && err && err->code == MIGRATE_GRAPH_UNKNOWN_REVISION)
		migrate_graph_set_error(err, MIGRATE_GRAPH_UNKNOWN_REVISION,
								psprintf("branch \"%s\" does not exist", branch),
								NULL, NULL);
	return v;
}

/*
 * The revisions an absolute symbol names, optionally within a branch
 * (Alembic's get_revisions): "heads", "head", "base" or "" (none), or an
 * identifier; with check_branch an identifier must be on the branch.
 * Temporaries go to s.
 */
bool
migrate_target_symbol(const MigrateGraph *g, const char *branch,
					  const char *sym, bool check_branch, int *out, int *nout,
					  MigrateScratch *s, MigrateGraphError *err)
{
	bool	   *bmask = NULL;
	int			v;

	*nout = 0;
	if (branch)
	{
		int			b = migrate_target_branch(g, branch, err);

		if (b < 0)
			return false;
		bmask = migrate_scratch_keep(s, migrate_graph_lineage(g, &b, 1, false));
	}
	if (strcmp(sym, "heads") == 0 || strcmp(sym, "head") == 0)
	{
		int			n = branch ? migrate_graph_heads(g, out) : 0;

		if (branch)
		{
			int			i;

			for (i = 0; i < n; i++)
				if (bmask[out[i]])
					out[(*nout)++] = out[i];
		}
		else if (strcmp(sym, "heads") == 0)
			*nout = migrate_graph_real_heads(g, out);
		else
			*nout = migrate_graph_heads(g, out);
		if (strcmp(sym, "head") == 0 && *nout > 1)
			return migrate_graph_set_error(err, MIGRATE_GRAPH_MULTIPLE_HEADS,
										   branch ?
										   psprintf("multiple heads are present on branch \"%s\"", branch) :
										   pstrdup("multiple heads are present"),
										   migrate_graph_describe(g, "The heads are ", out, *nout),
										   pstrdup("Name one head, or use \"heads\" to name them all."));
		return true;
	}
	if (strcmp(sym, "base") == 0 || sym[0] == '\0')
		return true;
	v = resolve_ident(g, sym, check_branch ? bmask : NULL, err);
	if (v < 0)
		return false;
	if (branch && check_branch && !bmask[v])
		return migrate_graph_set_error(err, MIGRATE_GRAPH_BAD_TARGET,
									   psprintf("revision \"%s\" is not on branch \"%s\"",
												g->nodes[v].id, branch),
									   NULL, NULL);
	out[(*nout)++] = v;
	return true;
}

/* One revision or POS_NONE for base (Alembic's get_revision). */
static bool
resolve_one(const MigrateGraph *g, const char *branch, const char *sym,
			int *result, MigrateGraphError *err)
{
	MigrateScratch s;
	int		   *buf;
	int			n;
	bool		ok = true;

	migrate_scratch_init(&s);
	buf = migrate_scratch_alloc(&s, sizeof(int) * (g->n + 1));
	if (!migrate_target_symbol(g, branch, sym, branch != NULL, buf, &n, &s,
							   err))
		ok = false;
	else if (n > 1)
		ok = migrate_graph_set_error(err, MIGRATE_GRAPH_MULTIPLE_HEADS,
									 psprintf("\"%s\" names several revisions", sym),
									 migrate_graph_describe(g, "The revisions are ", buf, n),
									 pstrdup("Name one revision."));
	else
		*result = n == 1 ? buf[0] : POS_NONE;
	migrate_scratch_free(&s);
	return ok;
}

/*
 * Split a target into branch, symbol and relative steps following
 * Alembic's pattern "[branch@][symbol](+|-)N"; anything else is absolute
 * (its branch is what precedes the first '@').  The strings go to s.
 */
void
migrate_target_parse(const MigrateGraph *g, const char *target,
					 ParsedTarget *pt, MigrateScratch *s)
{
	const char *at = strchr(target, '@');
	const char *rest = target;
	const char *p;

	memset(pt, 0, sizeof(ParsedTarget));
	if (at != NULL && at != target)
	{
		pt->branch = migrate_scratch_keep(s, pnstrdup(target, at - target));
		rest = at + 1;
	}
	if (migrate_graph_lookup(g, target, NULL) < 0)
	{
		for (p = rest; *p && (isalnum((unsigned char) *p) || *p == '_'); p++)
			;
		if ((*p == '+' || *p == '-') && isdigit((unsigned char) p[1]))
		{
			const char *d = p + 1;
			long		steps = 0;

			/*
			 * Saturate at INT_MAX: a walk that long always runs off the
			 * end of the graph, and the sign written is kept.
			 */
			while (isdigit((unsigned char) *d))
			{
				steps = Min((long) INT_MAX, steps * 10 + (*d - '0'));
				d++;
			}
			if (*d == '\0')
			{
				pt->relative = true;
				pt->steps = (int) (*p == '-' ? -steps : steps);
				pt->symbol = p > rest ?
					migrate_scratch_keep(s, pnstrdup(rest, p - rest)) : NULL;
				return;
			}
		}
	}
	else
	{
		pt->branch = NULL;
		rest = target;
	}
	pt->symbol = migrate_scratch_keep(s, pstrdup(rest));
}

/*
 * Walk steps up (positive, children, only those on bmask when given) or
 * down (negative, parents) from start, as Alembic's _walk does; POS_NONE
 * walks up from the bases or down from the heads.
 */
static WalkResult
walk(const MigrateGraph *g, int start, int steps, const bool *bmask,
	 int *result)
{
	int			pos = start;
	int			s;

	for (s = 0; s < abs(steps); s++)
	{
		int			next = -1;
		int			count = 0;
		int			i;

		if (steps > 0)
		{
			if (pos == POS_BASE)
				pos = POS_NONE;
			if (pos == POS_NONE)
			{
				for (i = 0; i < g->n; i++)
					if (g->nodes[i].nparents == 0 && (!bmask || bmask[i]))
					{
						next = i;
						count++;
					}
			}
			else
			{
				const GNode *nd = &g->nodes[pos];

				for (i = 0; i < nd->nkids; i++)
					if (!bmask || bmask[nd->kids[i]])
					{
						next = nd->kids[i];
						count++;
					}
			}
		}
		else if (pos == POS_BASE)
			count = 0;
		else if (pos == POS_NONE)
		{
			for (i = 0; i < g->n; i++)
				if (g->nodes[i].nkids == 0)
				{
					next = i;
					count++;
				}
			if (count == 0)
			{
				next = POS_BASE;
				count = 1;
			}
		}
		else
		{
			const GNode *nd = &g->nodes[pos];

			count = nd->nparents;
			next = count == 0 ? POS_BASE : nd->parents[0];
			if (count == 0)
				count = 1;
		}
		if (count == 0)
			return WALK_PAST_END;
		if (count > 1)
			return WALK_AMBIGUOUS;
		pos = next;
	}
	*result = pos;
	return WALK_OK;
}

/*
 * Error for a failed walk of steps revisions (negative: downward); the hint's
 * example walks the same way.
 */
static bool
walk_error(const char *target, int steps, WalkResult r, MigrateGraphError *err)
{
	if (r == WALK_AMBIGUOUS)
		return migrate_graph_set_error(err, MIGRATE_GRAPH_AMBIGUOUS,
									   psprintf("relative target \"%s\" is ambiguous", target),
									   pstrdup("The walk reaches a revision with several children or parents."),
									   psprintf("Name a branch, as in \"branch@%s1\", or give a revision.",
												steps < 0 ? "-" : "+"));
	return migrate_graph_set_error(err, MIGRATE_GRAPH_BAD_TARGET,
								   psprintf("relative target \"%s\" goes past the end of the history", target),
								   NULL, NULL);
}

/*
 * Upgrade targets (Alembic's _parse_upgrade_target); *ntargets may be 0
 * (base: nothing to do).  Temporaries go to s.
 */
bool
migrate_target_upgrade(const MigrateGraph *g, const bool *applied,
					   const int *crows, int ncrows, const char *target,
					   int *targets, int *ntargets, MigrateScratch *s,
					   MigrateGraphError *err)
{
	ParsedTarget pt;
	bool	   *bmask = NULL;
	int			start;
	int			result;
	WalkResult	wr;

	migrate_target_parse(g, target, &pt, s);
	*ntargets = 0;
	if (!pt.relative)
		return migrate_target_symbol(g, pt.branch, pt.symbol, pt.branch != NULL,
									 targets, ntargets, s, err);
	if (pt.branch)
	{
		int			b = migrate_target_branch(g, pt.branch, err);

		if (b < 0)
			return false;
		bmask = migrate_scratch_keep(s, migrate_graph_lineage(g, &b, 1, false));
	}
	if (pt.steps > 0 && pt.symbol == NULL)
	{
		/* up from the current rows, narrowed to the branch */
		int		   *starts = migrate_scratch_alloc(s, sizeof(int) * (g->n + 1));
		int			nstarts = 0;
		int			i,
					v;

		for (i = 0; i < ncrows; i++)
			if (!bmask || bmask[crows[i]])
				starts[nstarts++] = crows[i];
		if (bmask && nstarts == 0)
		{
			/* tips of the applied part of the branch */
			for (v = 0; v < g->n; v++)
			{
				const GNode *nd = &g->nodes[v];

				if (!applied[v] || !bmask[v])
					continue;
				for (i = 0; i < nd->nall_kids; i++)
				{
					int			k = nd->all_kids[i];
					int			d;

					if (!applied[k] || !bmask[k])
						continue;
					for (d = 0; d < g->nodes[k].ndown && g->nodes[k].down[d] != v; d++)
						;
					if (d < g->nodes[k].ndown)
						break;
				}
				if (i == nd->nall_kids)
					starts[nstarts++] = v;
			}
		}
		if (nstarts > 1)
			return migrate_graph_set_error(err, MIGRATE_GRAPH_MULTIPLE_HEADS,
										   psprintf("relative target \"%s\" is ambiguous with several current heads", target),
										   migrate_graph_describe(g, "The current heads are ", starts, nstarts),
										   pstrdup("Name a branch, as in \"branch@+1\", or give a revision."));
		start = nstarts == 1 ? starts[0] : POS_NONE;
		wr = walk(g, start, pt.steps, bmask, &result);
	}
	else if (pt.steps > 0)
	{
		if (!resolve_one(g, NULL, pt.symbol, &start, err))
			return false;
		wr = walk(g, start, pt.steps, bmask, &result);
	}
	else if (pt.symbol == NULL)
		return migrate_graph_set_error(err, MIGRATE_GRAPH_BAD_TARGET,
									   psprintf("relative target \"%s\" goes down, not up", target),
									   NULL,
									   pstrdup("Use a downgrade to go back, or write \"revision-N\"."));
	else
	{
		if (!resolve_one(g, pt.branch, pt.symbol, &start, err))
			return false;
		wr = walk(g, start, pt.steps, NULL, &result);
	}
	if (wr != WALK_OK)
		return walk_error(target, pt.steps, wr, err);
	if (result == POS_NONE)
		return walk_error(target, pt.steps, WALK_PAST_END, err);
	if (result >= 0)
		targets[(*ntargets)++] = result;
	return true;
}

/*
 * Downgrade target (Alembic's _parse_downgrade_target): *target is a node
 * or POS_NONE for base; *branch the branch that narrows the revisions to
 * drop, or NULL.  Temporaries, *branch among them, go to s.
 */
bool
migrate_target_downgrade(const MigrateGraph *g, const bool *applied,
						 const int *crows, int ncrows, const char *target_str,
						 int *target, const char **branch, MigrateScratch *s,
						 MigrateGraphError *err)
{
	ParsedTarget pt;
	bool	   *bmask = NULL;
	int			start;
	int			result;
	WalkResult	wr;

	migrate_target_parse(g, target_str, &pt, s);
	*branch = pt.branch;
	if (!pt.relative)
	{
		const char *at = strrchr(target_str, '@');

		if (at != NULL && at != target_str && migrate_graph_lookup(g, target_str, NULL) < 0)
		{
			*branch = migrate_scratch_keep(s, pnstrdup(target_str, at - target_str));
			return resolve_one(g, NULL, at + 1, target, err);
		}
		*branch = NULL;
		return resolve_one(g, NULL, target_str, target, err);
	}
	if (pt.branch)
	{
		int			b = migrate_target_branch(g, pt.branch, err);

		if (b < 0)
			return false;
		bmask = migrate_scratch_keep(s, migrate_graph_lineage(g, &b, 1, false));
	}
	if (pt.steps >= 0)
	{
		if (pt.symbol == NULL)
			return migrate_graph_set_error(err, MIGRATE_GRAPH_BAD_TARGET,
										   psprintf("relative target \"%s\" goes up, not down", target_str),
										   NULL,
										   pstrdup("Use an upgrade to go forward, or write \"-N\"."));
		if (!resolve_one(g, NULL, pt.symbol, &start, err))
			return false;
		wr = walk(g, start, pt.steps, bmask, &result);
		if (wr == WALK_OK && result == POS_NONE && pt.steps > 0)
			wr = WALK_PAST_END;
	}
	else
	{
		if (pt.symbol == NULL)
		{
			int		   *cands = migrate_scratch_alloc(s, sizeof(int) * (g->n + 1));
			int			ncands = 0;
			int			i,
						v;

			if (bmask)
			{
				for (i = 0; i < ncrows; i++)
					if (bmask[crows[i]])
						cands[ncands++] = crows[i];
				if (ncands == 0)
				{
					/* branch tips of the applied set, by down revisions */
					for (v = 0; v < g->n; v++)
					{
						const GNode *nd = &g->nodes[v];

						if (!applied[v] || !bmask[v])
							continue;
						for (i = 0; i < nd->nkids && !applied[nd->kids[i]]; i++)
							;
						if (i == nd->nkids)
							cands[ncands++] = v;
					}
				}
				if (ncands != 1)
					return migrate_graph_set_error(err,
												   ncands == 0 ?
												   MIGRATE_GRAPH_BAD_TARGET :
												   MIGRATE_GRAPH_MULTIPLE_HEADS,
												   psprintf("relative target \"%s\" has no single starting point", target_str),
												   ncands == 0 ?
												   psprintf("No revision of branch \"%s\" is applied.", pt.branch) :
												   migrate_graph_describe(g, "The current heads on the branch are ", cands, ncands),
												   NULL);
			}
			else
			{
				if (ncrows == 0)
					return migrate_graph_set_error(err, MIGRATE_GRAPH_BAD_TARGET,
												   psprintf("relative target \"%s\" goes past the base", target_str),
												   pstrdup("No revision is applied."),
												   NULL);
				if (ncrows > 1)
					return migrate_graph_set_error(err, MIGRATE_GRAPH_MULTIPLE_HEADS,
												   psprintf("relative target \"%s\" is ambiguous with several current heads", target_str),
												   migrate_graph_describe(g, "The current heads are ", crows, ncrows),
												   pstrdup("Name a branch, as in \"branch@-1\", or give a revision."));
				cands[ncands++] = crows[0];
				*branch = g->nodes[crows[0]].id;
			}
			start = cands[0];
		}
		else if (!resolve_one(g, pt.branch, pt.symbol, &start, err))
			return false;
		wr = walk(g, start, pt.steps, NULL, &result);
	}
	if (wr != WALK_OK)
		return walk_error(target_str, pt.steps, wr, err);
	*target = result >= 0 ? result : POS_NONE;
	return true;
}

