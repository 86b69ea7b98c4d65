/*-------------------------------------------------------------------------
 *
 * fuzz_schemadiff.c
 *	  libFuzzer harness for the autogenerate code: the text[] parser of the
 *	  catalog query's result, and the diff between two schema snapshots.
 *
 * The input is split at its first zero byte: the first part goes to
 * migrate_parse_text_array as it is; the bytes of the rest build two
 * snapshots from a fixed pool of objects (tables, columns, constraints,
 * indexes, views, enums, sequences, functions), each byte choosing an
 * object, whether it is in "from", in "to", how it differs, and what it
 * depends on (dependency circles included).  Checks, both ways:
 *
 *	- every statement is one statement ending in ";", or a comment when
 *	  nothing can do it;
 *	- the counts of data-losing and unsupported statements are right;
 *	- a snapshot compared with itself gives no statement and no
 *	  difference.
 *
 * A broken invariant aborts, which libFuzzer reports as a crash.
 *
 * IDENTIFICATION
 *	  test/fuzz/fuzz_schemadiff.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <stdint.h>

#include "common/schemadiff.h"
#include "common/schemasnap.h"

extern int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define POOL 16

static const struct
{
	MigrateObjectKind kind;
	const char *id;
	const char *qname;
	const char *parent;
}			pool[POOL] = {
	{MIGRATE_OBJ_SCHEMA, "schema app", "app", NULL},
	{MIGRATE_OBJ_ENUM, "type app.mood", "app.mood", NULL},
	{MIGRATE_OBJ_SEQUENCE, "sequence app.s", "app.s", NULL},
	{MIGRATE_OBJ_TABLE, "table app.a", "app.a", NULL},
	{MIGRATE_OBJ_COLUMN, "table column app.a.id", "id", "app.a"},
	{MIGRATE_OBJ_COLUMN, "table column app.a.m", "m", "app.a"},
	{MIGRATE_OBJ_CONSTRAINT, "table constraint a_pkey on app.a", "a_pkey", "app.a"},
	{MIGRATE_OBJ_TABLE, "table app.b", "app.b", NULL},
	{MIGRATE_OBJ_COLUMN, "table column app.b.a_id", "a_id", "app.b"},
	{MIGRATE_OBJ_CONSTRAINT, "table constraint b_fk on app.b", "b_fk", "app.b"},
	{MIGRATE_OBJ_INDEX, "index app.b_idx", "app.b_idx", "app.b"},
	{MIGRATE_OBJ_VIEW, "view app.v", "app.v", NULL},
	{MIGRATE_OBJ_FUNCTION, "function app.f()", "app.f()", NULL},
	{MIGRATE_OBJ_TRIGGER, "trigger t on app.b", "t", "app.b"},
	{MIGRATE_OBJ_POLICY, "policy p on app.a", "p", "app.a"},
	{MIGRATE_OBJ_AGGREGATE, "function app.agg(integer)", "app.agg(integer)", NULL},
};

static const char *const variants[4] = {"integer", "bigint", "text", "smallint"};

/* Object i of the pool in its variant v (0..3), depending on deps. */
static void
make_object(MigrateSchemaObject *o, int i, int v, uint16_t deps)
{
	int			k;

	memset(o, 0, sizeof(*o));
	o->kind = pool[i].kind;
	o->id = pstrdup(pool[i].id);
	o->qname = pstrdup(pool[i].qname);
	o->parent = pool[i].parent ? pstrdup(pool[i].parent) : NULL;
	o->def = psprintf("definition %d", v);
	o->attr[0] = pstrdup(variants[v]);
	o->attr[1] = pstrdup(v & 1 ? "t" : "f");
	o->attr[2] = pstrdup(o->kind == MIGRATE_OBJ_CONSTRAINT ? "local" : (v == 3 ? "a" : ""));
	o->attr[3] = pstrdup(v == 2 ? "s" : "");
	o->attr[5] = pstrdup(v == 1 ? "ef" : "");
	o->list = palloc(sizeof(char *) * 3);
	o->nlist = 0;
	if (o->kind == MIGRATE_OBJ_COLUMN)
	{
		o->list[o->nlist++] = psprintf("%d", i);
		o->list[o->nlist++] = pstrdup("local");
	}
	else if (o->kind == MIGRATE_OBJ_ENUM)
	{
		o->list[o->nlist++] = pstrdup(v & 1 ? "b" : "a");
		o->list[o->nlist++] = pstrdup("c");
		if (v >= 2)
			o->list[o->nlist++] = pstrdup("d");
	}
	o->comment = v == 2 ? pstrdup("a 'comment'") : NULL;
	o->has_grants = true;
	o->grants = palloc(sizeof(char *));
	o->ngrants = 0;
	if (v & 2)
		o->grants[o->ngrants++] = pstrdup("SELECT reader");
	o->deps = palloc(sizeof(char *) * POOL);
	o->ndeps = 0;
	for (k = 0; k < POOL; k++)
		if (k != i && (deps & (1 << k)))
			o->deps[o->ndeps++] = pstrdup(pool[k].id);
}

/* Free a list of strings and the strings. */
static void
free_strings(char **list, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (list[i])
			pfree(list[i]);
	if (list)
		pfree(list);
}

/*
 * Free what this harness allocated for a snapshot: without it every input
 * would leak its objects (outside the server palloc is malloc), and a long
 * run would end in libFuzzer's out-of-memory report.
 */
static void
free_snapshot(MigrateSchemaSnapshot *snap)
{
	int			i;
	int			a;

	for (i = 0; i < snap->nobjs; i++)
	{
		MigrateSchemaObject *o = &snap->objs[i];

		pfree(o->id);
		pfree(o->qname);
		if (o->parent)
			pfree(o->parent);
		pfree(o->def);
		for (a = 0; a < MIGRATE_OBJ_NATTRS; a++)
			if (o->attr[a])
				pfree(o->attr[a]);
		free_strings(o->list, o->nlist);
		if (o->comment)
			pfree(o->comment);
		free_strings(o->grants, o->ngrants);
		free_strings(o->deps, o->ndeps);
	}
	pfree(snap->objs);
}

/* Free a diff's statements (the diff's own temporaries are not tracked). */
static void
free_diff(MigrateDiff *d)
{
	int			i;

	for (i = 0; i < d->nstmts; i++)
	{
		pfree(d->stmts[i].sql);
		if (d->stmts[i].note)
			pfree(d->stmts[i].note);
	}
	if (d->stmts)
		pfree(d->stmts);
	pfree(d);
}

static void
check_diff(MigrateDiff *d)
{
	int			loss = 0;
	int			unsupported = 0;
	int			i;

	for (i = 0; i < d->nstmts; i++)
	{
		const char *sql = d->stmts[i].sql;
		size_t		len = strlen(sql);

		if (d->stmts[i].unsupported)
		{
			unsupported++;
			if (strncmp(sql, "-- ", 3) != 0)
				abort();
		}
		else if (len == 0 || sql[len - 1] != ';')
			abort();
		if (d->stmts[i].data_loss)
			loss++;
		if (d->stmts[i].object == NULL)
			abort();
	}
	if (loss != d->ndata_loss || unsupported != d->nunsupported)
		abort();
	free_diff(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *zero = memchr(data, 0, size);
	size_t		textlen = zero ? (size_t) (zero - data) : size;
	char	   *text = pnstrdup((const char *) data, textlen);
	char	  **items;
	int			nitems;
	MigrateSchemaSnapshot from = {0};
	MigrateSchemaSnapshot to = {0};
	MigrateDiffOptions opts;
	MigrateDiff *d;
	char	  **ids;
	size_t		pos;
	int			i;

	if (migrate_parse_text_array(text, &items, &nitems))
	{
		if (nitems < 0)
			abort();
		free_strings(items, nitems);
	}
	pfree(text);

	from.objs = palloc(sizeof(MigrateSchemaObject) * POOL);
	to.objs = palloc(sizeof(MigrateSchemaObject) * POOL);
	pos = zero ? textlen + 1 : size;
	for (i = 0; i < POOL && pos + 2 < size; i++, pos += 3)
	{
		uint8_t		what = data[pos];
		uint16_t	deps = (uint16_t) (data[pos + 1] | (data[pos + 2] << 8));

		if (what & 1)
			make_object(&from.objs[from.nobjs++], i, (what >> 2) & 3, deps);
		if (what & 2)
			make_object(&to.objs[to.nobjs++], i, (what >> 4) & 3,
						(what & 0x40) ? deps : (uint16_t) (deps >> 1));
	}
	migrate_snapshot_sort(&from);
	migrate_snapshot_sort(&to);

	memset(&opts, 0, sizeof(opts));
	opts.concurrently = size > 0 && (data[size - 1] & 1);
	check_diff(migrate_schema_diff(&from, &to, &opts));
	check_diff(migrate_schema_diff(&to, &from, &opts));
	d = migrate_schema_diff(&from, &from, &opts);
	if (d->nstmts != 0 || migrate_snapshot_differences(&from, &from, &ids) != 0)
		abort();
	pfree(ids);
	free_diff(d);
	free_snapshot(&from);
	free_snapshot(&to);
	return 0;
}
