/*-------------------------------------------------------------------------
 *
 * revorder.c
 *	  Ordering revisions as Alembic does: plans and history, newest first.
 *
 * Alembic emits a plan newest first by walking down from the targets
 * (upgrade, reversed afterwards) or from the current rows (downgrade): it
 * keeps a list of branch tips, walks the current tip down while nothing
 * still pending descends from it, and otherwise moves to the first tip in
 * the list that does descend from it; new tips from a merge go to the end
 * of the list.  migrate_graph_order() below makes the same moves.  Alembic
 * recomputes whole ancestor sets to decide whether a tip is blocked; here
 * a counter of pending children decides that in constant time, and only
 * when a tip is blocked is the pending region above it walked to find
 * which tip to move to.  That costs O(V + E) for chains and ordinary
 * branch-and-merge histories; only a branch point with very many long
 * pending branches makes it grow beyond linear.  Where Alembic's order
 * depends on Python set iteration order (a revision with several
 * dependencies), the order of depends_on as given is used.
 *
 * IDENTIFICATION
 *	  src/common/revorder.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef FRONTEND
#include "postgres.h"
#else
#include "postgres_fe.h"
#endif

#include "common/revgraph_int.h"

/*
 * Index in tips (other than cur) of the first tip that descends from c,
 * or -1: walk up from c through pending nodes and see which tips it meets.
 */
static int
find_blocking_tip(const MigrateGraph *g, int c, const bool *todo,
				  const bool *done, const int *tips, int ntips, int cur,
				  int *stamp, int epoch, int *stack)
{
	int			top = 0;
	int			j;

	stamp[c] = epoch;
	stack[top++] = c;
	while (top > 0)
	{
		const GNode *nd = &g->nodes[stack[--top]];
		int			i;

		for (i = 0; i < nd->nall_kids; i++)
		{
			int			k = nd->all_kids[i];

			if (todo[k] && !done[k] && stamp[k] != epoch)
			{
				stamp[k] = epoch;
				stack[top++] = k;
			}
		}
	}
	for (j = 0; j < ntips; j++)
		if (j != cur && stamp[tips[j]] == epoch)
			return j;
	return -1;
}

/*
 * The nodes flagged in todo, newest first, in the order Alembic's
 * _topological_sort gives when started from heads (see the file header).
 * Returns how many were written to out.
 */
int
migrate_graph_order(const MigrateGraph *g, const bool *todo, const int *heads,
					int nheads, int *out)
{
	int			n = g->n;
	int		   *pending = palloc0(sizeof(int) * (n + 1));
	int		   *tips = palloc(sizeof(int) * (n + 1));
	bool	   *in_tips = palloc0(sizeof(bool) * (n + 1));
	bool	   *done = palloc0(sizeof(bool) * (n + 1));
	int		   *stamp = palloc0(sizeof(int) * (n + 1));
	int		   *stack = palloc(sizeof(int) * (n + 1));
	bool	   *is_head = migrate_graph_mark(g, heads, nheads);
	int			ntips = 0;
	int			cur = 0;
	int			nout = 0;
	int			epoch = 0;
	int			v,
				i;

	for (v = 0; v < n; v++)
	{
		const GNode *nd = &g->nodes[v];

		if (!todo[v])
			continue;
		for (i = 0; i < nd->nall_down; i++)
			if (todo[nd->all_down[i]])
				pending[nd->all_down[i]]++;
		if (is_head[v])
		{
			tips[ntips++] = v;
			in_tips[v] = true;
		}
	}

	while (ntips > 0)
	{
		int			c = tips[cur];
		const GNode *nd = &g->nodes[c];
		bool		replaced = false;

		if (pending[c] > 0)
		{
			int			j = find_blocking_tip(g, c, todo, done, tips, ntips,
											  cur, stamp, ++epoch, stack);

			if (j >= 0)
			{
				cur = j;
				continue;
			}
		}
		out[nout++] = c;
		done[c] = true;
		in_tips[c] = false;
		for (i = 0; i < nd->nall_down; i++)
			if (todo[nd->all_down[i]])
				pending[nd->all_down[i]]--;
		for (i = 0; i < nd->ndown; i++)
		{
			int			p = nd->down[i];

			if (!todo[p] || done[p] || in_tips[p])
				continue;
			in_tips[p] = true;
			if (!replaced)
			{
				tips[cur] = p;
				replaced = true;
			}
			else
				tips[ntips++] = p;
		}
		if (!replaced)
		{
			memmove(tips + cur, tips + cur + 1,
					sizeof(int) * (ntips - cur - 1));
			ntips--;
			cur = Max(cur - 1, 0);
		}
	}

	/* anything not reached from the heads, newest first */
	for (i = n - 1; i >= 0; i--)
	{
		v = g->topo[i];
		if (todo[v] && !done[v])
			out[nout++] = v;
	}

	pfree(pending);
	pfree(tips);
	pfree(in_tips);
	pfree(done);
	pfree(stamp);
	pfree(stack);
	pfree(is_head);
	return nout;
}

/* All revisions newest first, as "alembic history" lists them. */
int
migrate_graph_history(const MigrateGraph *graph, int *out)
{
	bool	   *all = palloc(sizeof(bool) * (graph->n + 1));
	int		   *heads = palloc(sizeof(int) * (graph->n + 1));
	int			nheads = migrate_graph_real_heads(graph, heads);
	int			n;

	memset(all, 1, sizeof(bool) * (graph->n + 1));
	n = migrate_graph_order(graph, all, heads, nheads, out);
	pfree(all);
	pfree(heads);
	return n;
}
