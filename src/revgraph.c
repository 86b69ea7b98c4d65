/*-------------------------------------------------------------------------
 *
 * revgraph.c
 *	  The revision graph: validation, target resolution and planning.
 *
 * The semantics are Alembic's (1.8).  A revision has parents ("revises",
 * Alembic's down_revision) and dependencies; a dependency may name a
 * revision or a branch label.  "Heads" are revisions no other revision
 * revises (dependencies do not count: this is what "alembic heads" shows),
 * "real heads" are revisions nothing revises or depends on; the target
 * "heads" means the real heads, as in Alembic.  The applied set implied by
 * version rows is the rows and all their ancestors, dependencies included.
 *
 * Planning an upgrade runs every ancestor of the targets that is not yet
 * applied; a downgrade runs every applied descendant of the revisions just
 * above the target, as Alembic's _collect_upgrade_revisions and
 * _collect_downgrade_revisions do.  Both are one pass over the graph.
 *
 * Order.  Alembic emits a plan newest first by walking down from the
 * targets (upgrade, reversed afterwards) or from the current rows
 * (downgrade): it keeps a list of branch tips, walks the current tip down
 * while nothing still pending descends from it, and otherwise moves to the
 * first tip in the list that does descend from it; new tips from a merge
 * go to the end of the list.  topo_order() below makes the same moves.
 * Alembic recomputes whole ancestor sets to decide whether a tip is
 * blocked; here a counter of pending children decides that in constant
 * time, and only when a tip is blocked is the pending region above it
 * walked to find which tip to move to.  That costs O(V + E) for chains and
 * ordinary branch-and-merge histories; only a branch point with very many
 * long pending branches makes it grow beyond linear.  Where Alembic's
 * order depends on Python set iteration order (a revision with several
 * dependencies), the order of depends_on as given is used.
 *
 * Dependencies already implied by an ancestor's dependencies are dropped
 * from the edges the walk follows, as Alembic's _normalize_depends_on
 * does; this costs one walk per dependency target that two or more
 * revisions depend on.
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
 *	  heads gives an error; stamping several targets replaces, for each
 *	  target, the rows on its line of descent and keeps the others.
 *	- "-N" in a downgrade with several current heads is refused (Alembic
 *	  warns and picks the first row the database returns).
 *	- Stamp targets must be absolute (no "+N" or "-N"): Alembic accepts
 *	  "-N" there only when the version table is empty.  History ranges
 *	  accept absolute targets and "current" only.
 *	- A target is first looked up as a whole, so an id or branch label
 *	  that contains '-' (Alembic forbids these) is never read as a
 *	  relative walk.  A branch named in a target must exist even when the
 *	  operation would not need to look at it.
 *	- A parent that names a branch label instead of a revision id is
 *	  reported as unknown, and a revision may not list a parent twice.
 *
 * IDENTIFICATION
 *	  src/revgraph.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef FRONTEND
#include "postgres.h"
#else
#include "postgres_fe.h"
#endif

#include <limits.h>

#include "common/hashfn.h"
#include "lib/stringinfo.h"

#include "revgraph.h"

/* walk positions other than a revision: above the heads / below the bases */
#define POS_NONE	(-1)
#define POS_BASE	(-2)

/* edge kinds for closure() */
typedef enum EdgeKind
{
	EDGE_PARENTS,				/* down revisions only */
	EDGE_ALL_DOWN,				/* down revisions and dependencies */
	EDGE_KIDS,					/* revisions revising this one */
	EDGE_ALL_KIDS				/* revisions revising or depending on it */
} EdgeKind;

typedef struct GNode
{
	const char *id;
	const MigrateRevNode *src;
	int		   *parents;
	int			nparents;
	int		   *all_down;		/* parents, then dependencies */
	int			nall_down;
	int		   *down;			/* parents, then normalized dependencies */
	int			ndown;
	int		   *kids;
	int			nkids;
	int		   *all_kids;
	int			nall_kids;
} GNode;

typedef struct HashSlot
{
	const char *key;			/* NULL when free */
	int			node;
	bool		is_label;
} HashSlot;

struct MigrateGraph
{
	int			n;
	GNode	   *nodes;
	int		   *pool;			/* all adjacency arrays */
	HashSlot   *slots;
	int			nslots;			/* a power of 2 */
	int		   *topo;			/* parents before children */
};

typedef struct ParsedTarget
{
	char	   *branch;			/* NULL when there is no "branch@" */
	char	   *symbol;			/* NULL for a relative target without one */
	bool		relative;
	int			steps;			/* signed, for relative targets */
} ParsedTarget;

typedef enum WalkResult
{
	WALK_OK,
	WALK_PAST_END,
	WALK_AMBIGUOUS
} WalkResult;

/* Fill *err and return false, so callers can "return set_error(...)". */
static bool
set_error(MigrateGraphError *err, MigrateGraphErrorCode code,
		  char *message, char *detail, char *hint)
{
	if (err)
	{
		err->code = code;
		err->message = message;
		err->detail = detail;
		err->hint = hint;
	}
	return false;
}

static void
clear_error(MigrateGraphError *err)
{
	if (err)
	{
		err->code = MIGRATE_GRAPH_OK;
		err->message = NULL;
		err->detail = NULL;
		err->hint = NULL;
	}
}

/* '"a", "b", "c"' for a list of nodes, for details. */
static char *
quote_nodes(const MigrateGraph *g, const int *nodes, int n)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < n; i++)
		appendStringInfo(&buf, "%s\"%s\"", i > 0 ? ", " : "",
						 g->nodes[nodes[i]].id);
	return buf.data;
}

/* ---------- hash table of ids and branch labels ---------- */

static uint32
key_hash(const char *key)
{
	return hash_bytes((const unsigned char *) key, (int) strlen(key));
}

/* Slot holding key, or the free slot where it would go. */
static HashSlot *
find_slot(const MigrateGraph *g, const char *key)
{
	uint32		mask = (uint32) g->nslots - 1;
	uint32		i = key_hash(key) & mask;

	while (g->slots[i].key != NULL && strcmp(g->slots[i].key, key) != 0)
		i = (i + 1) & mask;
	return &g->slots[i];
}

/* Node of an exact id or branch label, or -1. */
static int
lookup_key(const MigrateGraph *g, const char *key, bool *is_label)
{
	HashSlot   *slot;

	if (g->nslots == 0)
		return -1;
	slot = find_slot(g, key);
	if (slot->key == NULL)
		return -1;
	if (is_label)
		*is_label = slot->is_label;
	return slot->node;
}

/* ---------- traversal helpers ---------- */

static const int *
edges_of(const GNode *nd, EdgeKind kind, int *count)
{
	switch (kind)
	{
		case EDGE_PARENTS:
			*count = nd->nparents;
			return nd->parents;
		case EDGE_ALL_DOWN:
			*count = nd->nall_down;
			return nd->all_down;
		case EDGE_KIDS:
			*count = nd->nkids;
			return nd->kids;
		case EDGE_ALL_KIDS:
			*count = nd->nall_kids;
			return nd->all_kids;
	}
	*count = 0;
	return NULL;
}

/*
 * Extend the marked set to everything reachable from it along kind, so a
 * set of seeds becomes seeds plus all their ancestors or descendants.
 */
static void
closure(const MigrateGraph *g, bool *mark, EdgeKind kind)
{
	int		   *stack = palloc(sizeof(int) * (g->n + 1));
	int			top = 0;
	int			v;

	for (v = 0; v < g->n; v++)
		if (mark[v])
			stack[top++] = v;
	while (top > 0)
	{
		int			cnt;
		const int  *e = edges_of(&g->nodes[stack[--top]], kind, &cnt);
		int			i;

		for (i = 0; i < cnt; i++)
			if (!mark[e[i]])
			{
				mark[e[i]] = true;
				stack[top++] = e[i];
			}
	}
	pfree(stack);
}

/* New flag array, with the given nodes set. */
static bool *
mark_nodes(const MigrateGraph *g, const int *nodes, int n)
{
	bool	   *mark = palloc0(sizeof(bool) * (g->n + 1));
	int			i;

	for (i = 0; i < n; i++)
		mark[nodes[i]] = true;
	return mark;
}

/*
 * Alembic's "shares lineage": a node is on the line of node b when it is
 * an ancestor or a descendant of b (or b itself).  With deps, dependencies
 * count as edges; without, only down revisions do.
 */
static bool *
lineage_of(const MigrateGraph *g, const int *nodes, int n, bool deps)
{
	bool	   *up = mark_nodes(g, nodes, n);
	bool	   *down = mark_nodes(g, nodes, n);
	int			v;

	closure(g, up, deps ? EDGE_ALL_DOWN : EDGE_PARENTS);
	closure(g, down, deps ? EDGE_ALL_KIDS : EDGE_KIDS);
	for (v = 0; v < g->n; v++)
		up[v] = up[v] || down[v];
	pfree(down);
	return up;
}

/* ---------- building ---------- */

/* A revision id or label must be non-empty and free of '@'. */
static bool
valid_name(const char *s)
{
	return s != NULL && s[0] != '\0' && strchr(s, '@') == NULL;
}

/*
 * Find a revision on a cycle, given that the nodes not in done all sit on
 * or above a cycle: each of them has a parent or dependency not in done,
 * so following such edges must come back to a node already seen.
 */
static MigrateGraph *
report_cycle(MigrateGraph *g, const bool *done, MigrateGraphError *err)
{
	int		   *seen = palloc0(sizeof(int) * g->n);
	int		   *path = palloc(sizeof(int) * g->n);
	int			len = 0;
	int			v;
	int			start;

	for (v = 0; v < g->n && done[v]; v++)
		;
	while (seen[v] == 0)
	{
		const GNode *nd = &g->nodes[v];
		int			i;

		path[len++] = v;
		seen[v] = len;
		for (i = 0; i < nd->nall_down && done[nd->all_down[i]]; i++)
			;
		v = nd->all_down[i];
	}
	start = seen[v] - 1;
	/* the cycle is path[start..len), each revising or depending on the next */
	set_error(err, MIGRATE_GRAPH_INVALID,
			  psprintf("revisions form a cycle through \"%s\"", g->nodes[v].id),
			  psprintf("The cycle is %s.",
					   quote_nodes(g, path + start, len - start)),
			  NULL);
	migrate_graph_free(g);
	return NULL;
}

/*
 * Drop each dependency that a down-revision ancestor also depends on, as
 * Alembic's _normalize_depends_on does, and build the down arrays.  For
 * each dependency target with two or more dependents, walk the descendants
 * of its dependents: a dependent reached that way has such an ancestor.
 */
static void
normalize_dependencies(MigrateGraph *g, int *pool_next)
{
	int			n = g->n;
	int		   *nusers = palloc0(sizeof(int) * (n + 1));
	int		   *start = palloc0(sizeof(int) * (n + 1));
	int		   *users;
	int		   *fill = palloc0(sizeof(int) * (n + 1));
	int		   *stamp = palloc0(sizeof(int) * (n + 1));
	int		   *stack = palloc(sizeof(int) * (n + 1));
	bool	   *drop;
	int		   *dep_base = palloc0(sizeof(int) * (n + 1));
	int			total = 0;
	int			v,
				d,
				i;

	/* who depends on what: users of d, and each node's deps offset */
	for (v = 0; v < n; v++)
	{
		const GNode *nd = &g->nodes[v];

		dep_base[v] = total;
		for (i = nd->nparents; i < nd->nall_down; i++)
			nusers[nd->all_down[i]]++;
		total += nd->nall_down - nd->nparents;
	}
	drop = palloc0(sizeof(bool) * (total + 1));
	for (d = 0, i = 0; d < n; d++)
	{
		start[d] = i;
		i += nusers[d];
	}
	users = palloc(sizeof(int) * (total + 1));
	for (v = 0; v < n; v++)
	{
		const GNode *nd = &g->nodes[v];

		for (i = nd->nparents; i < nd->nall_down; i++)
		{
			d = nd->all_down[i];
			users[start[d] + fill[d]++] = v;
		}
	}

	for (d = 0; d < n; d++)
	{
		int			top = 0;
		int			u;
		int			epoch = d + 1;

		if (nusers[d] < 2)
			continue;
		for (u = 0; u < nusers[d]; u++)
		{
			const GNode *nd = &g->nodes[users[start[d] + u]];

			for (i = 0; i < nd->nkids; i++)
				if (stamp[nd->kids[i]] != epoch)
				{
					stamp[nd->kids[i]] = epoch;
					stack[top++] = nd->kids[i];
				}
		}
		while (top > 0)
		{
			const GNode *nd = &g->nodes[stack[--top]];

			for (i = 0; i < nd->nkids; i++)
				if (stamp[nd->kids[i]] != epoch)
				{
					stamp[nd->kids[i]] = epoch;
					stack[top++] = nd->kids[i];
				}
		}
		for (u = 0; u < nusers[d]; u++)
		{
			v = users[start[d] + u];
			if (stamp[v] == epoch)
			{
				const GNode *nd = &g->nodes[v];

				for (i = nd->nparents; i < nd->nall_down; i++)
					if (nd->all_down[i] == d)
						drop[dep_base[v] + i - nd->nparents] = true;
			}
		}
	}

	for (v = 0; v < n; v++)
	{
		GNode	   *nd = &g->nodes[v];

		nd->down = g->pool + *pool_next;
		nd->ndown = 0;
		for (i = 0; i < nd->nall_down; i++)
			if (i < nd->nparents || !drop[dep_base[v] + i - nd->nparents])
				nd->down[nd->ndown++] = nd->all_down[i];
		*pool_next += nd->ndown;
	}

	pfree(nusers);
	pfree(start);
	pfree(users);
	pfree(fill);
	pfree(stamp);
	pfree(stack);
	pfree(drop);
	pfree(dep_base);
}

/*
 * Build and validate the graph.  Nodes may come in any order; their index
 * is their identity and their order breaks ties like Alembic's map order.
 */
MigrateGraph *
migrate_graph_build(const MigrateRevNode *nodes, int nnodes,
					MigrateGraphError *err)
{
	MigrateGraph *g = palloc0(sizeof(MigrateGraph));
	int			nkeys = 0;
	int			nedges = 0;
	int			pool_next = 0;
	int		   *pending;
	int		   *queue;
	bool	   *done;
	int			head,
				tail;
	int			v,
				i,
				j;

	clear_error(err);
	g->n = nnodes > 0 ? nnodes : 0;
	g->nodes = palloc0(sizeof(GNode) * (g->n + 1));
	g->topo = palloc(sizeof(int) * (g->n + 1));

	for (v = 0; v < g->n; v++)
	{
		nkeys += 1 + Max(nodes[v].nbranch_labels, 0);
		nedges += Max(nodes[v].nrevises, 0) + Max(nodes[v].ndepends_on, 0);
	}
	g->nslots = 16;
	while (g->nslots < 2 * nkeys)
		g->nslots *= 2;
	g->slots = palloc0(sizeof(HashSlot) * g->nslots);
	g->pool = palloc(sizeof(int) * (4 * nedges + 1));

	/* ids, then branch labels, into the hash table */
	for (v = 0; v < g->n; v++)
	{
		HashSlot   *slot;

		g->nodes[v].src = &nodes[v];
		g->nodes[v].id = nodes[v].revision;
		if (!valid_name(nodes[v].revision))
		{
			set_error(err, MIGRATE_GRAPH_INVALID,
					  psprintf("invalid revision id \"%s\"",
							   nodes[v].revision ? nodes[v].revision : ""),
					  pstrdup("A revision id must be non-empty and must not contain \"@\"."),
					  NULL);
			migrate_graph_free(g);
			return NULL;
		}
		slot = find_slot(g, nodes[v].revision);
		if (slot->key != NULL)
		{
			set_error(err, MIGRATE_GRAPH_INVALID,
					  psprintf("revision \"%s\" is defined more than once",
							   nodes[v].revision),
					  NULL, NULL);
			migrate_graph_free(g);
			return NULL;
		}
		slot->key = nodes[v].revision;
		slot->node = v;
		slot->is_label = false;
	}
	for (v = 0; v < g->n; v++)
	{
		for (i = 0; i < nodes[v].nbranch_labels; i++)
		{
			const char *label = nodes[v].branch_labels[i];
			HashSlot   *slot;

			if (!valid_name(label))
			{
				set_error(err, MIGRATE_GRAPH_INVALID,
						  psprintf("invalid branch label \"%s\" in revision \"%s\"",
								   label ? label : "", nodes[v].revision),
						  pstrdup("A branch label must be non-empty and must not contain \"@\"."),
						  NULL);
				migrate_graph_free(g);
				return NULL;
			}
			slot = find_slot(g, label);
			if (slot->key != NULL)
			{
				set_error(err, MIGRATE_GRAPH_INVALID,
						  psprintf("branch label \"%s\" of revision \"%s\" is already used",
								   label, nodes[v].revision),
						  slot->is_label ?
						  psprintf("Revision \"%s\" has the same branch label.",
								   g->nodes[slot->node].id) :
						  psprintf("A revision has the id \"%s\".", label),
						  NULL);
				migrate_graph_free(g);
				return NULL;
			}
			slot->key = label;
			slot->node = v;
			slot->is_label = true;
		}
	}

	/* parents and dependencies */
	for (v = 0; v < g->n; v++)
	{
		GNode	   *nd = &g->nodes[v];

		nd->parents = nd->all_down = g->pool + pool_next;
		for (i = 0; i < nodes[v].nrevises; i++)
		{
			const char *pid = nodes[v].revises[i];
			bool		is_label = false;
			int			p = pid ? lookup_key(g, pid, &is_label) : -1;

			if (p == v)
			{
				set_error(err, MIGRATE_GRAPH_INVALID,
						  psprintf("revision \"%s\" revises itself", nd->id),
						  NULL, NULL);
				migrate_graph_free(g);
				return NULL;
			}
			if (p < 0 || is_label)
			{
				set_error(err, MIGRATE_GRAPH_INVALID,
						  psprintf("revision \"%s\" revises unknown revision \"%s\"",
								   nd->id, pid ? pid : ""),
						  NULL, NULL);
				migrate_graph_free(g);
				return NULL;
			}
			for (j = 0; j < nd->nparents; j++)
				if (nd->parents[j] == p)
				{
					set_error(err, MIGRATE_GRAPH_INVALID,
							  psprintf("revision \"%s\" revises \"%s\" twice",
									   nd->id, pid),
							  NULL, NULL);
					migrate_graph_free(g);
					return NULL;
				}
			nd->parents[nd->nparents++] = p;
		}
		nd->nall_down = nd->nparents;
		for (i = 0; i < nodes[v].ndepends_on; i++)
		{
			const char *did = nodes[v].depends_on[i];
			int			d = did ? lookup_key(g, did, NULL) : -1;

			if (d < 0)
			{
				set_error(err, MIGRATE_GRAPH_INVALID,
						  psprintf("revision \"%s\" depends on unknown revision or branch \"%s\"",
								   nd->id, did ? did : ""),
						  NULL, NULL);
				migrate_graph_free(g);
				return NULL;
			}
			if (d == v)
			{
				set_error(err, MIGRATE_GRAPH_INVALID,
						  psprintf("revision \"%s\" depends on itself", nd->id),
						  NULL, NULL);
				migrate_graph_free(g);
				return NULL;
			}
			for (j = 0; j < nd->nall_down && nd->all_down[j] != d; j++)
				;
			if (j == nd->nall_down)
				nd->all_down[nd->nall_down++] = d;
		}
		pool_next += nd->nall_down;
	}

	/* children: count, carve, fill */
	for (v = 0; v < g->n; v++)
	{
		GNode	   *nd = &g->nodes[v];

		for (i = 0; i < nd->nall_down; i++)
		{
			if (i < nd->nparents)
				g->nodes[nd->all_down[i]].nkids++;
			g->nodes[nd->all_down[i]].nall_kids++;
		}
	}
	for (v = 0; v < g->n; v++)
	{
		GNode	   *nd = &g->nodes[v];

		nd->kids = g->pool + pool_next;
		pool_next += nd->nkids;
		nd->all_kids = g->pool + pool_next;
		pool_next += nd->nall_kids;
		nd->nkids = nd->nall_kids = 0;
	}
	for (v = 0; v < g->n; v++)
	{
		GNode	   *nd = &g->nodes[v];

		for (i = 0; i < nd->nall_down; i++)
		{
			GNode	   *pn = &g->nodes[nd->all_down[i]];

			if (i < nd->nparents)
				pn->kids[pn->nkids++] = v;
			pn->all_kids[pn->nall_kids++] = v;
		}
	}

	/* topological order (Kahn), which also finds cycles */
	pending = palloc(sizeof(int) * (g->n + 1));
	queue = g->topo;
	done = palloc0(sizeof(bool) * (g->n + 1));
	head = tail = 0;
	for (v = 0; v < g->n; v++)
	{
		pending[v] = g->nodes[v].nall_down;
		if (pending[v] == 0)
			queue[tail++] = v;
	}
	while (head < tail)
	{
		GNode	   *nd = &g->nodes[queue[head]];

		done[queue[head++]] = true;
		for (i = 0; i < nd->nall_kids; i++)
			if (--pending[nd->all_kids[i]] == 0)
				queue[tail++] = nd->all_kids[i];
	}
	pfree(pending);
	if (tail < g->n)
	{
		MigrateGraph *r = report_cycle(g, done, err);

		pfree(done);
		return r;
	}
	pfree(done);

	normalize_dependencies(g, &pool_next);
	return g;
}

/* Free a graph and everything it owns (frontend convenience). */
void
migrate_graph_free(MigrateGraph *graph)
{
	if (graph == NULL)
		return;
	pfree(graph->nodes);
	pfree(graph->pool);
	pfree(graph->slots);
	pfree(graph->topo);
	pfree(graph);
}

int
migrate_graph_size(const MigrateGraph *graph)
{
	return graph->n;
}

/* Node with exactly this revision id (not a label or prefix), or -1. */
int
migrate_graph_find(const MigrateGraph *graph, const char *id)
{
	bool		is_label = false;
	int			v = lookup_key(graph, id, &is_label);

	return is_label ? -1 : v;
}

const char *
migrate_graph_id(const MigrateGraph *graph, int node)
{
	if (node < 0 || node >= graph->n)
		return NULL;
	return graph->nodes[node].id;
}

/* Alembic's is_head, is_base, is_branch_point and is_merge_point. */
void
migrate_graph_node_info(const MigrateGraph *graph, int node,
						MigrateNodeInfo *info)
{
	const GNode *nd = &graph->nodes[node];

	info->is_head = nd->nkids == 0;
	info->is_base = nd->nparents == 0;
	info->is_branch_point = nd->nkids > 1;
	info->is_merge_point = nd->nparents > 1;
}

/* Heads as "alembic heads" lists them: nothing revises them. */
int
migrate_graph_heads(const MigrateGraph *graph, int *out)
{
	int			n = 0;
	int			v;

	for (v = 0; v < graph->n; v++)
		if (graph->nodes[v].nkids == 0)
			out[n++] = v;
	return n;
}

/* Nodes nothing revises or depends on: what the target "heads" means. */
static int
real_heads(const MigrateGraph *g, int *out)
{
	int			n = 0;
	int			v;

	for (v = 0; v < g->n; v++)
		if (g->nodes[v].nall_kids == 0)
			out[n++] = v;
	return n;
}

/* Bases: revisions without parents (they may have dependencies). */
int
migrate_graph_bases(const MigrateGraph *graph, int *out)
{
	int			n = 0;
	int			v;

	for (v = 0; v < graph->n; v++)
		if (graph->nodes[v].nparents == 0)
			out[n++] = v;
	return n;
}

void
migrate_graph_applied(const MigrateGraph *graph, const int *rows, int nrows,
					  bool *applied)
{
	int			i;

	memset(applied, 0, sizeof(bool) * graph->n);
	for (i = 0; i < nrows; i++)
		if (rows[i] >= 0 && rows[i] < graph->n)
			applied[rows[i]] = true;
	closure(graph, applied, EDGE_ALL_DOWN);
}

/* Applied revisions that no applied revision revises or depends on. */
int
migrate_graph_rows(const MigrateGraph *graph, const bool *applied, int *out)
{
	int			n = 0;
	int			v,
				i;

	for (v = 0; v < graph->n; v++)
	{
		const GNode *nd = &graph->nodes[v];

		if (!applied[v])
			continue;
		for (i = 0; i < nd->nall_kids && !applied[nd->all_kids[i]]; i++)
			;
		if (i == nd->nall_kids)
			out[n++] = v;
	}
	return n;
}

/* ---------- ordering ---------- */

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
static int
topo_order(const MigrateGraph *g, const bool *todo, const int *heads,
		   int nheads, int *out)
{
	int			n = g->n;
	int		   *pending = palloc0(sizeof(int) * (n + 1));
	int		   *tips = palloc(sizeof(int) * (n + 1));
	bool	   *in_tips = palloc0(sizeof(bool) * (n + 1));
	bool	   *done = palloc0(sizeof(bool) * (n + 1));
	int		   *stamp = palloc0(sizeof(int) * (n + 1));
	int		   *stack = palloc(sizeof(int) * (n + 1));
	bool	   *is_head = mark_nodes(g, heads, nheads);
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
	int			nheads = real_heads(graph, heads);
	int			n;

	memset(all, 1, sizeof(bool) * (graph->n + 1));
	n = topo_order(graph, all, heads, nheads, out);
	pfree(all);
	pfree(heads);
	return n;
}

/* ---------- targets ---------- */

/*
 * Resolve an identifier as Alembic does: an exact revision id or branch
 * label, or else a prefix of exactly one id or label longer than three
 * characters.  When filter is given, prefix candidates off it are ignored.
 */
static int
resolve_ident(const MigrateGraph *g, const char *s, const bool *filter,
			  MigrateGraphError *err)
{
	int			v = lookup_key(g, s, NULL);
	size_t		len = strlen(s);
	int			found = -1;
	int			nfound = 0;
	StringInfoData names;
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
		set_error(err, MIGRATE_GRAPH_UNKNOWN_REVISION,
				  psprintf("revision \"%s\" does not exist", s),
				  NULL,
				  len < 4 ? pstrdup("A prefix only matches ids and branch labels of four characters or more.") : NULL);
		return -1;
	}
	set_error(err, MIGRATE_GRAPH_AMBIGUOUS,
			  psprintf("revision prefix \"%s\" is ambiguous", s),
			  psprintf("It matches %s.", names.data),
			  pstrdup("Give more characters of the revision id."));
	return -1;
}

/* The revision a branch name stands for: a label, an id or a prefix. */
static int
resolve_branch(const MigrateGraph *g, const char *branch,
			   MigrateGraphError *err)
{
	int			v = resolve_ident(g, branch, NULL, err);

	if (v < 0 && err && err->code == MIGRATE_GRAPH_UNKNOWN_REVISION)
		set_error(err, MIGRATE_GRAPH_UNKNOWN_REVISION,
				  psprintf("branch \"%s\" does not exist", branch),
				  NULL, NULL);
	return v;
}

/*
 * The revisions an absolute symbol names, optionally within a branch
 * (Alembic's get_revisions): "heads", "head", "base" or "" (none), or an
 * identifier; with check_branch an identifier must be on the branch.
 */
static bool
resolve_symbol(const MigrateGraph *g, const char *branch, const char *sym,
			   bool check_branch, int *out, int *nout, MigrateGraphError *err)
{
	bool	   *bmask = NULL;
	int			v;

	*nout = 0;
	if (branch)
	{
		int			b = resolve_branch(g, branch, err);

		if (b < 0)
			return false;
		bmask = lineage_of(g, &b, 1, false);
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
			*nout = real_heads(g, out);
		else
			*nout = migrate_graph_heads(g, out);
		if (strcmp(sym, "head") == 0 && *nout > 1)
			return set_error(err, MIGRATE_GRAPH_MULTIPLE_HEADS,
							 branch ?
							 psprintf("multiple heads are present on branch \"%s\"", branch) :
							 pstrdup("multiple heads are present"),
							 psprintf("The heads are %s.", quote_nodes(g, out, *nout)),
							 pstrdup("Name one head, or use \"heads\" to name them all."));
		return true;
	}
	if (strcmp(sym, "base") == 0 || sym[0] == '\0')
		return true;
	v = resolve_ident(g, sym, check_branch ? bmask : NULL, err);
	if (v < 0)
		return false;
	if (branch && check_branch && !bmask[v])
		return set_error(err, MIGRATE_GRAPH_BAD_TARGET,
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
	int		   *buf = palloc(sizeof(int) * (g->n + 1));
	int			n;

	if (!resolve_symbol(g, branch, sym, branch != NULL, buf, &n, err))
		return false;
	if (n > 1)
		return set_error(err, MIGRATE_GRAPH_MULTIPLE_HEADS,
						 psprintf("\"%s\" names several revisions", sym),
						 psprintf("The revisions are %s.", quote_nodes(g, buf, n)),
						 pstrdup("Name one revision."));
	*result = n == 1 ? buf[0] : POS_NONE;
	pfree(buf);
	return true;
}

/*
 * Split a target into branch, symbol and relative steps following
 * Alembic's pattern "[branch@][symbol](+|-)N"; anything else is absolute
 * (its branch is what precedes the first '@').
 */
static void
parse_target(const MigrateGraph *g, const char *target, ParsedTarget *pt)
{
	const char *at = strchr(target, '@');
	const char *rest = target;
	const char *p;

	memset(pt, 0, sizeof(ParsedTarget));
	if (at != NULL && at != target)
	{
		pt->branch = pnstrdup(target, at - target);
		rest = at + 1;
	}
	if (lookup_key(g, target, NULL) < 0)
	{
		for (p = rest; *p && (isalnum((unsigned char) *p) || *p == '_'); p++)
			;
		if ((*p == '+' || *p == '-') && isdigit((unsigned char) p[1]))
		{
			const char *d = p + 1;
			long		steps = 0;

			while (isdigit((unsigned char) *d))
			{
				if (steps < INT_MAX / 4)
					steps = steps * 10 + (*d - '0');
				d++;
			}
			if (*d == '\0')
			{
				pt->relative = true;
				pt->steps = (int) (*p == '-' ? -steps : steps);
				pt->symbol = p > rest ? pnstrdup(rest, p - rest) : NULL;
				return;
			}
		}
	}
	else
	{
		pt->branch = NULL;
		rest = target;
	}
	pt->symbol = pstrdup(rest);
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

/* Error for a failed walk. */
static bool
walk_error(const char *target, WalkResult r, MigrateGraphError *err)
{
	if (r == WALK_AMBIGUOUS)
		return set_error(err, MIGRATE_GRAPH_AMBIGUOUS,
						 psprintf("relative target \"%s\" is ambiguous", target),
						 pstrdup("The walk reaches a revision with several children or parents."),
						 pstrdup("Name a branch, as in \"branch@+1\", or give a revision."));
	return set_error(err, MIGRATE_GRAPH_BAD_TARGET,
					 psprintf("relative target \"%s\" goes past the end of the history", target),
					 NULL, NULL);
}

/* ---------- planning ---------- */

/* Canonical rows and applied set of the current version rows. */
static void
current_state(const MigrateGraph *g, const int *rows, int nrows,
			  bool **applied, int **crows, int *ncrows)
{
	*applied = palloc(sizeof(bool) * (g->n + 1));
	*crows = palloc(sizeof(int) * (g->n + 1));
	migrate_graph_applied(g, rows, nrows, *applied);
	*ncrows = migrate_graph_rows(g, *applied, *crows);
}

/* Error unless no target is an ancestor of another (Alembic checks too). */
static bool
check_overlap(const MigrateGraph *g, const int *targets, int ntargets,
			  MigrateGraphError *err)
{
	bool	   *mark = palloc0(sizeof(bool) * (g->n + 1));
	int			i,
				j;

	for (i = 0; i < ntargets; i++)
		for (j = 0; j < g->nodes[targets[i]].nall_down; j++)
			mark[g->nodes[targets[i]].all_down[j]] = true;
	closure(g, mark, EDGE_ALL_DOWN);
	for (i = 0; i < ntargets; i++)
		if (mark[targets[i]])
			return set_error(err, MIGRATE_GRAPH_BAD_TARGET,
							 pstrdup("target revisions overlap"),
							 psprintf("Revision \"%s\" is an ancestor of another target.",
									  g->nodes[targets[i]].id),
							 NULL);
	pfree(mark);
	return true;
}

/*
 * Upgrade targets (Alembic's _parse_upgrade_target); *ntargets may be 0
 * (base: nothing to do).
 */
static bool
upgrade_targets(const MigrateGraph *g, const bool *applied,
				const int *crows, int ncrows, const char *target,
				int *targets, int *ntargets, MigrateGraphError *err)
{
	ParsedTarget pt;
	bool	   *bmask = NULL;
	int			start;
	int			result;
	WalkResult	wr;

	parse_target(g, target, &pt);
	*ntargets = 0;
	if (!pt.relative)
		return resolve_symbol(g, pt.branch, pt.symbol, pt.branch != NULL,
							  targets, ntargets, err);
	if (pt.branch)
	{
		int			b = resolve_branch(g, pt.branch, err);

		if (b < 0)
			return false;
		bmask = lineage_of(g, &b, 1, false);
	}
	if (pt.steps > 0 && pt.symbol == NULL)
	{
		/* up from the current rows, narrowed to the branch */
		int		   *starts = palloc(sizeof(int) * (g->n + 1));
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
			return set_error(err, MIGRATE_GRAPH_MULTIPLE_HEADS,
							 psprintf("relative target \"%s\" is ambiguous with several current heads", target),
							 psprintf("The current heads are %s.", quote_nodes(g, starts, nstarts)),
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
		return set_error(err, MIGRATE_GRAPH_BAD_TARGET,
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
		return walk_error(target, wr, err);
	if (result == POS_NONE)
		return walk_error(target, WALK_PAST_END, err);
	if (result >= 0)
		targets[(*ntargets)++] = result;
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

/* Plan an upgrade: every unapplied ancestor of the targets, oldest first. */
bool
migrate_plan_upgrade(const MigrateGraph *graph, const int *rows, int nrows,
					 const char *target, MigratePlan *plan,
					 MigrateGraphError *err)
{
	const MigrateGraph *g = graph;
	bool	   *applied;
	int		   *crows;
	int			ncrows;
	int		   *targets = palloc(sizeof(int) * (g->n + 1));
	int			ntargets;
	bool	   *todo;
	int		   *order;
	int			norder;
	int			v,
				i;

	clear_error(err);
	init_plan(plan);
	current_state(g, rows, nrows, &applied, &crows, &ncrows);
	if (!upgrade_targets(g, applied, crows, ncrows, target, targets,
						 &ntargets, err))
		return false;
	if (!check_overlap(g, targets, ntargets, err))
		return false;

	todo = mark_nodes(g, targets, ntargets);
	closure(g, todo, EDGE_ALL_DOWN);
	for (v = 0; v < g->n; v++)
		if (applied[v])
			todo[v] = false;
	order = palloc(sizeof(int) * (g->n + 1));
	norder = topo_order(g, todo, targets, ntargets, order);

	plan->steps = palloc(sizeof(int) * (norder + 1));
	for (i = 0; i < norder; i++)
	{
		plan->steps[i] = order[norder - 1 - i];
		applied[order[i]] = true;
	}
	plan->nsteps = norder;
	plan->rows = palloc(sizeof(int) * (g->n + 1));
	plan->nrows = migrate_graph_rows(g, applied, plan->rows);
	pfree(order);
	pfree(todo);
	pfree(targets);
	pfree(applied);
	pfree(crows);
	return true;
}

/*
 * Downgrade target (Alembic's _parse_downgrade_target): *target is a node
 * or POS_NONE for base; *branch the branch that narrows the revisions to
 * drop, or NULL.
 */
static bool
downgrade_target(const MigrateGraph *g, const bool *applied,
				 const int *crows, int ncrows, const char *target_str,
				 int *target, const char **branch, MigrateGraphError *err)
{
	ParsedTarget pt;
	bool	   *bmask = NULL;
	int			start;
	int			result;
	WalkResult	wr;

	parse_target(g, target_str, &pt);
	*branch = pt.branch;
	if (!pt.relative)
	{
		const char *at = strrchr(target_str, '@');

		if (at != NULL && at != target_str && lookup_key(g, target_str, NULL) < 0)
		{
			*branch = pnstrdup(target_str, at - target_str);
			return resolve_one(g, NULL, at + 1, target, err);
		}
		*branch = NULL;
		return resolve_one(g, NULL, target_str, target, err);
	}
	if (pt.branch)
	{
		int			b = resolve_branch(g, pt.branch, err);

		if (b < 0)
			return false;
		bmask = lineage_of(g, &b, 1, false);
	}
	if (pt.steps >= 0)
	{
		if (pt.symbol == NULL)
			return set_error(err, MIGRATE_GRAPH_BAD_TARGET,
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
			int		   *cands = palloc(sizeof(int) * (g->n + 1));
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
					return set_error(err, ncands == 0 ? MIGRATE_GRAPH_BAD_TARGET : MIGRATE_GRAPH_MULTIPLE_HEADS,
									 psprintf("relative target \"%s\" has no single starting point", target_str),
									 ncands == 0 ?
									 psprintf("No revision of branch \"%s\" is applied.", pt.branch) :
									 psprintf("The current heads on the branch are %s.", quote_nodes(g, cands, ncands)),
									 NULL);
			}
			else
			{
				if (ncrows == 0)
					return set_error(err, MIGRATE_GRAPH_BAD_TARGET,
									 psprintf("relative target \"%s\" goes past the base", target_str),
									 pstrdup("No revision is applied."),
									 NULL);
				if (ncrows > 1)
					return set_error(err, MIGRATE_GRAPH_MULTIPLE_HEADS,
									 psprintf("relative target \"%s\" is ambiguous with several current heads", target_str),
									 psprintf("The current heads are %s.", quote_nodes(g, crows, ncrows)),
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
		return walk_error(target_str, wr, err);
	*target = result >= 0 ? result : POS_NONE;
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
	const MigrateGraph *g = graph;
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

	clear_error(err);
	init_plan(plan);
	current_state(g, rows, nrows, &applied, &crows, &ncrows);
	if (!downgrade_target(g, applied, crows, ncrows, target, &tnode,
						  &branch, err))
		return false;

	drop = palloc0(sizeof(bool) * (g->n + 1));
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
		int			b = resolve_branch(g, branch, err);
		bool	   *anc;

		if (b < 0)
			return false;
		anc = mark_nodes(g, &b, 1);
		closure(g, anc, EDGE_PARENTS);
		nroots = 0;
		for (v = 0; v < g->n; v++)
		{
			drop[v] = drop[v] && anc[v];
			nroots += drop[v];
		}
		if (nroots == 0)
			return set_error(err, MIGRATE_GRAPH_BAD_TARGET,
							 psprintf("\"%s\" is not a valid downgrade target from the current heads", target),
							 psprintf("No revision above the target is on branch \"%s\".", branch),
							 NULL);
	}
	closure(g, drop, EDGE_ALL_KIDS);
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
			return set_error(err, MIGRATE_GRAPH_BAD_TARGET,
							 psprintf("\"%s\" is not a valid downgrade target from the current heads", target),
							 psprintf("Revision \"%s\" is not below the current heads.", g->nodes[tnode].id),
							 NULL);
	}

	plan->steps = palloc(sizeof(int) * (ndrop + 1));
	plan->nsteps = topo_order(g, drop, crows, ncrows, plan->steps);
	for (v = 0; v < g->n; v++)
		if (drop[v])
			applied[v] = false;
	plan->rows = palloc(sizeof(int) * (g->n + 1));
	plan->nrows = migrate_graph_rows(g, applied, plan->rows);
	pfree(drop);
	pfree(applied);
	pfree(crows);
	return true;
}

/*
 * Version rows after stamping targets, following Alembic's _stamp_revs:
 * the current rows on the line of descent of any target (dependencies
 * count; "base" alone matches every row) are the rows in play.  With no
 * revision named (only "base" or "branch@base"), they are removed.
 * Otherwise each named revision that is not already a row either replaces
 * all rows in play, when one of them is its ancestor or descendant, or is
 * added beside them.
 */
bool
migrate_plan_stamp(const MigrateGraph *graph, const int *rows, int nrows,
				   const char *const *targets, int ntargets,
				   MigratePlan *plan, MigrateGraphError *err)
{
	const MigrateGraph *g = graph;
	bool	   *applied;
	int		   *crows;
	int			ncrows;
	bool	   *in_play;
	bool	   *keep;
	bool	   *is_dest;
	int		   *buf = palloc(sizeof(int) * (g->n + 1));
	int		   *dests = palloc(sizeof(int) * (g->n + 1));
	int			ndests = 0;
	int			nkeep = 0;
	int			t,
				i,
				v;

	clear_error(err);
	init_plan(plan);
	current_state(g, rows, nrows, &applied, &crows, &ncrows);
	in_play = palloc0(sizeof(bool) * (g->n + 1));
	is_dest = palloc0(sizeof(bool) * (g->n + 1));

	for (t = 0; t < ntargets; t++)
	{
		ParsedTarget pt;
		int			n;
		int			shares[2];
		int			nshares = 0;
		bool	   *line = NULL;

		parse_target(g, targets[t], &pt);
		if (pt.relative)
			return set_error(err, MIGRATE_GRAPH_BAD_TARGET,
							 psprintf("relative target \"%s\" cannot be stamped", targets[t]),
							 NULL,
							 pstrdup("Name the revision to stamp."));
		if (!resolve_symbol(g, pt.branch, pt.symbol, pt.branch != NULL,
							buf, &n, err))
			return false;
		if (pt.branch)
		{
			shares[nshares] = resolve_branch(g, pt.branch, err);
			if (shares[nshares++] < 0)
				return false;
		}
		if (nshares > 0 || n > 0)
		{
			bool	   *l1 = nshares > 0 ? lineage_of(g, shares, nshares, true) : NULL;

			line = n > 0 ? lineage_of(g, buf, n, true) : l1;
			if (l1 && line != l1)
			{
				for (v = 0; v < g->n; v++)
					line[v] = line[v] || l1[v];
				pfree(l1);
			}
		}
		for (i = 0; i < ncrows; i++)
			if (line == NULL || line[crows[i]])
				in_play[crows[i]] = true;
		if (line)
			pfree(line);
		for (i = 0; i < n; i++)
			if (!is_dest[buf[i]])
			{
				is_dest[buf[i]] = true;
				dests[ndests++] = buf[i];
			}
	}

	keep = mark_nodes(g, crows, ncrows);
	if (ndests == 0)
	{
		for (v = 0; v < g->n; v++)
			if (in_play[v])
				keep[v] = false;
	}
	for (t = 0; t < ndests; t++)
	{
		int			d = dests[t];
		bool	   *line;
		bool		related = false;

		if (in_play[d])
			continue;
		line = lineage_of(g, &d, 1, true);
		for (i = 0; i < ncrows; i++)
			if (in_play[crows[i]] && line[crows[i]])
				related = true;
		if (related)
			for (v = 0; v < g->n; v++)
				if (in_play[v])
					keep[v] = false;
		keep[d] = true;
		pfree(line);
	}

	for (v = 0; v < g->n; v++)
		if (keep[v])
			buf[nkeep++] = v;
	migrate_graph_applied(g, buf, nkeep, applied);
	plan->rows = palloc(sizeof(int) * (g->n + 1));
	plan->nrows = migrate_graph_rows(g, applied, plan->rows);
	plan->steps = palloc(sizeof(int));
	pfree(in_play);
	pfree(is_dest);
	pfree(keep);
	pfree(dests);
	pfree(buf);
	pfree(applied);
	pfree(crows);
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
	const MigrateGraph *g = graph;
	const char *colon = strchr(range, ':');
	char	   *lower;
	char	   *upper;
	bool	   *applied;
	int		   *crows;
	int			ncrows;
	int		   *tops = palloc(sizeof(int) * (g->n + 1));
	int		   *lows = palloc(sizeof(int) * (g->n + 1));
	int			ntops = 0;
	int			nlows = 0;
	bool	   *todo;
	bool	   *below;
	int			v,
				i;

	clear_error(err);
	*nout = 0;
	if (colon == NULL || strchr(colon + 1, ':') != NULL)
		return set_error(err, MIGRATE_GRAPH_BAD_TARGET,
						 psprintf("invalid history range \"%s\"", range),
						 NULL,
						 pstrdup("Write \"lower:upper\", \"lower:\" or \":upper\"."));
	lower = pnstrdup(range, colon - range);
	upper = pstrdup(colon + 1);
	current_state(g, rows, nrows, &applied, &crows, &ncrows);

	if (strcmp(upper, "current") == 0 && ncrows > 0)
	{
		memcpy(tops, crows, sizeof(int) * ncrows);
		ntops = ncrows;
	}
	else
	{
		ParsedTarget pt;
		const char *u = (upper[0] == '\0' || strcmp(upper, "current") == 0) ? "heads" : upper;

		parse_target(g, u, &pt);
		if (pt.relative)
			return set_error(err, MIGRATE_GRAPH_BAD_TARGET,
							 psprintf("relative target \"%s\" is not allowed in a history range", u),
							 NULL, NULL);
		if (!resolve_symbol(g, pt.branch, pt.symbol, pt.branch != NULL,
							tops, &ntops, err))
			return false;
	}
	if (strcmp(lower, "current") == 0)
	{
		memcpy(lows, crows, sizeof(int) * ncrows);
		nlows = ncrows;
	}
	else if (lower[0] != '\0')
	{
		ParsedTarget pt;

		parse_target(g, lower, &pt);
		if (pt.relative)
			return set_error(err, MIGRATE_GRAPH_BAD_TARGET,
							 psprintf("relative target \"%s\" is not allowed in a history range", lower),
							 NULL, NULL);
		if (!resolve_symbol(g, pt.branch, pt.symbol, pt.branch != NULL,
							lows, &nlows, err))
			return false;
	}
	if (!check_overlap(g, tops, ntops, err))
		return false;

	todo = mark_nodes(g, tops, ntops);
	closure(g, todo, EDGE_ALL_DOWN);
	for (i = 0; i < nlows; i++)
		if (!todo[lows[i]])
			return set_error(err, MIGRATE_GRAPH_BAD_TARGET,
							 psprintf("history range \"%s\" is not along one line of descent", range),
							 psprintf("Revision \"%s\" is not an ancestor of the upper end.",
									  g->nodes[lows[i]].id),
							 NULL);
	if (nlows > 0)
	{
		bool	   *above = mark_nodes(g, lows, nlows);

		below = mark_nodes(g, lows, nlows);
		closure(g, below, EDGE_ALL_DOWN);
		closure(g, above, EDGE_KIDS);
		for (v = 0; v < g->n; v++)
			todo[v] = todo[v] && above[v] && !below[v];
		for (i = 0; i < nlows; i++)
			todo[lows[i]] = true;
		pfree(above);
		pfree(below);
	}
	*nout = topo_order(g, todo, tops, ntops, out);
	pfree(todo);
	pfree(tops);
	pfree(lows);
	pfree(applied);
	pfree(crows);
	return true;
}
