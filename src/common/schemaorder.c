/*-------------------------------------------------------------------------
 *
 * schemaorder.c
 *	  Objects of a schema snapshot in the order their dependencies give:
 *	  everything an object depends on comes before it.
 *
 * The dependencies are pg_depend's, as the catalog query reads them.  A
 * table is created with its columns in one statement, so a table also
 * waits for what its columns depend on (a sequence in a default, a type),
 * and for what its constraints reference.
 * Among objects that are free to go, the kind decides (schemas, then
 * extensions, types, sequences, functions, tables, ...), then the id, so
 * that the same snapshots always give the same order.  Should the
 * dependencies form a circle, the first object of the circle by that same
 * rule goes first, and the rest follow.
 *
 * IDENTIFICATION
 *	  src/common/schemaorder.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef FRONTEND
#include "postgres.h"
#else
#include "postgres_fe.h"
#endif

#include "common/schemaorder.h"

static int
kind_rank(MigrateObjectKind k)
{
	switch (k)
	{
		case MIGRATE_OBJ_SCHEMA:
			return 0;
		case MIGRATE_OBJ_EXTENSION:
			return 1;
		case MIGRATE_OBJ_ENUM:
		case MIGRATE_OBJ_DOMAIN:
		case MIGRATE_OBJ_COMPOSITE:
		case MIGRATE_OBJ_RANGE:
			return 2;
		case MIGRATE_OBJ_SEQUENCE:
			return 3;
		case MIGRATE_OBJ_FUNCTION:
		case MIGRATE_OBJ_PROCEDURE:
		case MIGRATE_OBJ_AGGREGATE:
			return 4;
		case MIGRATE_OBJ_TABLE:
			return 5;
		case MIGRATE_OBJ_COLUMN:
			return 6;
		case MIGRATE_OBJ_CONSTRAINT:
			return 7;
		case MIGRATE_OBJ_INDEX:
			return 8;
		case MIGRATE_OBJ_VIEW:
			return 9;
		case MIGRATE_OBJ_MATVIEW:
			return 10;
		case MIGRATE_OBJ_TRIGGER:
			return 11;
		case MIGRATE_OBJ_POLICY:
			return 12;
		case MIGRATE_OBJ_UNKNOWN:
			break;
	}
	return 13;
}

/* A binary heap of object indexes, smallest (rank, index) on top. */
typedef struct Heap
{
	int		   *items;
	int			n;
	const MigrateSchemaSnapshot *snap;
} Heap;

static bool
before(const Heap *h, int a, int b)
{
	int			ra = kind_rank(h->snap->objs[a].kind);
	int			rb = kind_rank(h->snap->objs[b].kind);

	return ra != rb ? ra < rb : a < b;
}

static void
heap_push(Heap *h, int x)
{
	int			i = h->n++;

	h->items[i] = x;
	while (i > 0 && before(h, h->items[i], h->items[(i - 1) / 2]))
	{
		int			p = (i - 1) / 2;
		int			t = h->items[p];

		h->items[p] = h->items[i];
		h->items[i] = t;
		i = p;
	}
}

static int
heap_pop(Heap *h)
{
	int			top = h->items[0];
	int			i = 0;

	h->items[0] = h->items[--h->n];
	for (;;)
	{
		int			l = 2 * i + 1;
		int			r = l + 1;
		int			m = i;
		int			t;

		if (l < h->n && before(h, h->items[l], h->items[m]))
			m = l;
		if (r < h->n && before(h, h->items[r], h->items[m]))
			m = r;
		if (m == i)
			break;
		t = h->items[m];
		h->items[m] = h->items[i];
		h->items[i] = t;
		i = m;
	}
	return top;
}

/* Record that user waits for k. */
static void
add_edge(int k, int user, int **users, int *nusers, int *capusers,
		 int *waiting)
{
	if (nusers[k] == capusers[k])
	{
		capusers[k] = capusers[k] ? capusers[k] * 2 : 4;
		users[k] = users[k] ? repalloc(users[k], sizeof(int) * capusers[k]) :
			palloc(sizeof(int) * capusers[k]);
	}
	users[k][nusers[k]++] = user;
	waiting[user]++;
}

/*
 * The wanted objects of snap (want[i]) in dependency order, as indexes
 * into snap->objs, in *order (palloc'd); returns how many.
 */
int
migrate_schema_order(const MigrateSchemaSnapshot *snap, const bool *want,
					 int **order)
{
	int			n = snap->nobjs;
	int		   *waiting = palloc0(sizeof(int) * (n + 1));	/* unmet deps */
	int		  **users = palloc0(sizeof(int *) * (n + 1));	/* who waits */
	int		   *nusers = palloc0(sizeof(int) * (n + 1));
	int		   *capusers = palloc0(sizeof(int) * (n + 1));
	bool	   *done = palloc0(sizeof(bool) * (n + 1));
	int		   *out = palloc(sizeof(int) * (n + 1));
	int			nout = 0;
	int			nwanted = 0;
	Heap		heap;
	int			i;
	int			d;

	heap.items = palloc(sizeof(int) * (2 * n + 1));
	heap.n = 0;
	heap.snap = snap;

	for (i = 0; i < n; i++)
	{
		const MigrateSchemaObject *o = &snap->objs[i];
		int			owner = -1;

		if (!want[i])
			continue;
		nwanted++;

		/*
		 * What is on a table (a column, a constraint, an index, a trigger, a
		 * policy) also holds its table back, when both are made or dropped:
		 * a table is created with its columns, and dropping a table takes
		 * what is on it along, so a table referenced by another's foreign
		 * key must wait for that table.
		 */
		if (o->parent != NULL)
		{
			owner = migrate_snapshot_find_table(snap, o->parent);
			if (owner >= 0 && !want[owner])
				owner = -1;
		}
		for (d = 0; d < o->ndeps; d++)
		{
			int			k = migrate_snapshot_find(snap, o->deps[d]);

			if (k < 0 || k == i || !want[k])
				continue;
			add_edge(k, i, users, nusers, capusers, waiting);
			/* not the table itself, nor what is on the same table */
			if (owner >= 0 && k != owner &&
				!(snap->objs[k].parent != NULL &&
				  strcmp(snap->objs[k].parent, o->parent) == 0))
				add_edge(k, owner, users, nusers, capusers, waiting);
		}
	}
	for (i = 0; i < n; i++)
		if (want[i] && waiting[i] == 0)
			heap_push(&heap, i);

	while (nout < nwanted)
	{
		int			x;

		if (heap.n == 0)
		{
			/* a circle: let its first object go */
			for (i = 0; i < n; i++)
				if (want[i] && !done[i])
				{
					waiting[i] = 0;
					heap_push(&heap, i);
					break;
				}
		}
		x = heap_pop(&heap);
		if (done[x])
			continue;
		done[x] = true;
		out[nout++] = x;
		for (d = 0; d < nusers[x]; d++)
		{
			int			u = users[x][d];

			if (!done[u] && --waiting[u] == 0)
				heap_push(&heap, u);
		}
	}
	*order = out;
	return nout;
}
