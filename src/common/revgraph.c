/*-------------------------------------------------------------------------
 *
 * revgraph.c
 *	  The revision graph: building, validation and simple queries.
 *
 * The semantics are Alembic's (1.8).  A revision has parents ("revises",
 * Alembic's down_revision) and dependencies; a dependency may name a
 * revision or a branch label.  "Heads" are revisions no other revision
 * revises (dependencies do not count: this is what "alembic heads" shows),
 * "real heads" are revisions nothing revises or depends on; the target
 * "heads" means the real heads, as in Alembic.  The applied set implied by
 * version rows is the rows and all their ancestors, dependencies included.
 *
 * Revisions are kept in arrays indexed by their position in the input; ids
 * and branch labels go into one open-addressing hash table, and all the
 * adjacency lists (parents, dependencies, children) share one pool.
 *
 * Dependencies already implied by an ancestor's dependencies are dropped
 * from the edges the ordering walk follows, as Alembic's
 * _normalize_depends_on does; this costs one walk per dependency target
 * that two or more revisions depend on.
 *
 * The rest of the graph code: revorder.c (Alembic's order), revtarget.c
 * (the target grammar) and revplan.c (planning, and the list of the places
 * where this code deliberately differs from Alembic).
 *
 * IDENTIFICATION
 *	  src/common/revgraph.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef FRONTEND
#include "postgres.h"
#else
#include "postgres_fe.h"
#endif

#include "common/hashfn.h"
#include "lib/stringinfo.h"

#include "common/revgraph_int.h"

/* ---------- errors and temporaries ---------- */

/*
 * Fill *err and return false, so callers can "return
 * migrate_graph_set_error(...)".  Strings of an earlier error are freed:
 * every entry point clears *err first, so they are this call's own.
 */
bool
migrate_graph_set_error(MigrateGraphError *err, MigrateGraphErrorCode code,
						char *message, char *detail, char *hint)
{
	if (err)
	{
		migrate_graph_error_free(err);
		err->code = code;
		err->message = message;
		err->detail = detail;
		err->hint = hint;
	}
	return false;
}

/* Reset *err to "no error" without freeing anything. */
void
migrate_graph_clear_error(MigrateGraphError *err)
{
	if (err)
	{
		err->code = MIGRATE_GRAPH_OK;
		err->message = NULL;
		err->detail = NULL;
		err->hint = NULL;
	}
}

/* Free the strings of an error filled by this module and reset it. */
void
migrate_graph_error_free(MigrateGraphError *err)
{
	if (err == NULL)
		return;
	if (err->message)
		pfree(err->message);
	if (err->detail)
		pfree(err->detail);
	if (err->hint)
		pfree(err->hint);
	migrate_graph_clear_error(err);
}

/*
 * prefix, then '"a", "b", "c"' for a list of nodes, then a period: the
 * detail sentences that name revisions.
 */
char *
migrate_graph_describe(const MigrateGraph *g, const char *prefix,
					   const int *nodes, int n)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoString(&buf, prefix);
	for (i = 0; i < n; i++)
		appendStringInfo(&buf, "%s\"%s\"", i > 0 ? ", " : "",
						 g->nodes[nodes[i]].id);
	appendStringInfoChar(&buf, '.');
	return buf.data;
}

void
migrate_scratch_init(MigrateScratch *s)
{
	s->ptrs = NULL;
	s->n = 0;
	s->cap = 0;
}

/* Register ptr (which may be NULL) to be freed with s; returns ptr. */
void *
migrate_scratch_keep(MigrateScratch *s, void *ptr)
{
	if (ptr == NULL)
		return NULL;
	if (s->n == s->cap)
	{
		s->cap = s->cap > 0 ? 2 * s->cap : 16;
		s->ptrs = s->ptrs ? repalloc(s->ptrs, sizeof(void *) * s->cap) :
			palloc(sizeof(void *) * s->cap);
	}
	s->ptrs[s->n++] = ptr;
	return ptr;
}

void *
migrate_scratch_alloc(MigrateScratch *s, size_t size)
{
	return migrate_scratch_keep(s, palloc(size));
}

void *
migrate_scratch_alloc0(MigrateScratch *s, size_t size)
{
	return migrate_scratch_keep(s, palloc0(size));
}

/* Free everything registered in s. */
void
migrate_scratch_free(MigrateScratch *s)
{
	int			i;

	for (i = 0; i < s->n; i++)
		pfree(s->ptrs[i]);
	if (s->ptrs)
		pfree(s->ptrs);
	migrate_scratch_init(s);
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
int
migrate_graph_lookup(const MigrateGraph *g, const char *key, bool *is_label)
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
void
migrate_graph_closure(const MigrateGraph *g, bool *mark, EdgeKind kind)
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
bool *
migrate_graph_mark(const MigrateGraph *g, const int *nodes, int n)
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
bool *
migrate_graph_lineage(const MigrateGraph *g, const int *nodes, int n, bool deps)
{
	bool	   *up = migrate_graph_mark(g, nodes, n);
	bool	   *down = migrate_graph_mark(g, nodes, n);
	int			v;

	migrate_graph_closure(g, up, deps ? EDGE_ALL_DOWN : EDGE_PARENTS);
	migrate_graph_closure(g, down, deps ? EDGE_ALL_KIDS : EDGE_KIDS);
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

/* Fail a build: fill *err (code "invalid"), free the graph, return NULL. */
static MigrateGraph *
invalid_graph(MigrateGraph *g, MigrateGraphError *err, char *message,
			  char *detail)
{
	migrate_graph_set_error(err, MIGRATE_GRAPH_INVALID, message, detail, NULL);
	migrate_graph_free(g);
	return NULL;
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
	char	   *message;
	char	   *detail;

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
	message = psprintf("revisions form a cycle through \"%s\"", g->nodes[v].id);
	detail = migrate_graph_describe(g, "The cycle is ", path + start,
									len - start);
	pfree(seen);
	pfree(path);
	return invalid_graph(g, err, message, detail);
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

	migrate_graph_clear_error(err);
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
			return invalid_graph(g, err,
								 psprintf("invalid revision id \"%s\"",
										  nodes[v].revision ? nodes[v].revision : ""),
								 pstrdup("A revision id must be non-empty and must not contain \"@\"."));
		slot = find_slot(g, nodes[v].revision);
		if (slot->key != NULL)
			return invalid_graph(g, err,
								 psprintf("revision \"%s\" is defined more than once",
										  nodes[v].revision),
								 NULL);
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
				return invalid_graph(g, err,
									 psprintf("invalid branch label \"%s\" in revision \"%s\"",
											  label ? label : "", nodes[v].revision),
									 pstrdup("A branch label must be non-empty and must not contain \"@\"."));
			slot = find_slot(g, label);
			if (slot->key != NULL)
				return invalid_graph(g, err,
									 psprintf("branch label \"%s\" of revision \"%s\" is already used",
											  label, nodes[v].revision),
									 slot->is_label ?
									 psprintf("Revision \"%s\" has the same branch label.",
											  g->nodes[slot->node].id) :
									 psprintf("A revision has the id \"%s\".", label));
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
			int			p = pid ? migrate_graph_lookup(g, pid, &is_label) : -1;

			if (p == v)
				return invalid_graph(g, err,
									 psprintf("revision \"%s\" revises itself", nd->id),
									 NULL);
			if (p < 0 || is_label)
				return invalid_graph(g, err,
									 psprintf("revision \"%s\" revises unknown revision \"%s\"",
											  nd->id, pid ? pid : ""),
									 NULL);
			for (j = 0; j < nd->nparents; j++)
				if (nd->parents[j] == p)
					return invalid_graph(g, err,
										 psprintf("revision \"%s\" revises \"%s\" twice",
												  nd->id, pid),
										 NULL);
			nd->parents[nd->nparents++] = p;
		}
		nd->nall_down = nd->nparents;
		for (i = 0; i < nodes[v].ndepends_on; i++)
		{
			const char *did = nodes[v].depends_on[i];
			int			d = did ? migrate_graph_lookup(g, did, NULL) : -1;

			if (d < 0)
				return invalid_graph(g, err,
									 psprintf("revision \"%s\" depends on unknown revision or branch \"%s\"",
											  nd->id, did ? did : ""),
									 NULL);
			if (d == v)
				return invalid_graph(g, err,
									 psprintf("revision \"%s\" depends on itself", nd->id),
									 NULL);
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
	int			v = migrate_graph_lookup(graph, id, &is_label);

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
int
migrate_graph_real_heads(const MigrateGraph *g, int *out)
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
	migrate_graph_closure(graph, applied, EDGE_ALL_DOWN);
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

