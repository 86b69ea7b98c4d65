/*-------------------------------------------------------------------------
 *
 * test_autogen.c
 *	  Unit tests of schema snapshots and the SQL between two of them
 *	  (src/common/schemasnap.c, schemaorder.c, schemadiff.c), on snapshots
 *	  built by hand.
 *
 * IDENTIFICATION
 *	  test/unit/test_autogen.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include "common/schemadiff.h"
#include "common/schemasnap.h"
#include "lib/stringinfo.h"
#include "tap.h"

/* A snapshot being built. */
typedef struct Builder
{
	MigrateSchemaSnapshot snap;
	int			cap;
} Builder;

static MigrateSchemaObject *
add(Builder *b, MigrateObjectKind kind, const char *id, const char *qname,
	const char *parent, const char *def)
{
	MigrateSchemaObject *o;

	if (b->snap.nobjs == b->cap)
	{
		b->cap = b->cap ? b->cap * 2 : 8;
		b->snap.objs = b->snap.objs ?
			repalloc(b->snap.objs, sizeof(MigrateSchemaObject) * b->cap) :
			palloc(sizeof(MigrateSchemaObject) * b->cap);
	}
	o = &b->snap.objs[b->snap.nobjs++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->id = pstrdup(id);
	o->qname = pstrdup(qname);
	o->parent = parent ? pstrdup(parent) : NULL;
	o->def = def ? pstrdup(def) : NULL;
	return o;
}

static void
set_list(MigrateSchemaObject *o, const char *a, const char *b, const char *c)
{
	o->list = palloc(sizeof(char *) * 3);
	o->nlist = 0;
	if (a)
		o->list[o->nlist++] = pstrdup(a);
	if (b)
		o->list[o->nlist++] = pstrdup(b);
	if (c)
		o->list[o->nlist++] = pstrdup(c);
}

static void
set_deps(MigrateSchemaObject *o, const char *a, const char *b)
{
	o->deps = palloc(sizeof(char *) * 2);
	o->ndeps = 0;
	if (a)
		o->deps[o->ndeps++] = pstrdup(a);
	if (b)
		o->deps[o->ndeps++] = pstrdup(b);
}

static MigrateSchemaObject *
column(Builder *b, const char *table, const char *name, const char *type,
	   int number, bool notnull, const char *def)
{
	MigrateSchemaObject *c = add(b, MIGRATE_OBJ_COLUMN,
								 psprintf("table column %s.%s", table, name),
								 name, table, def);
	char		num[16];

	c->attr[0] = pstrdup(type);
	c->attr[1] = pstrdup(notnull ? "t" : "f");
	snprintf(num, sizeof(num), "%d", number);
	set_list(c, num, "local", NULL);
	set_deps(c, psprintf("table %s", table), NULL);
	return c;
}

static MigrateSchemaObject *
table(Builder *b, const char *name)
{
	MigrateSchemaObject *t = add(b, MIGRATE_OBJ_TABLE, psprintf("table %s", name), name, NULL, NULL);

	t->attr[0] = pstrdup("p");
	t->attr[5] = pstrdup("");
	return t;
}

/* The diff's statements, one a line. */
static char *
script(Builder *from, Builder *to)
{
	MigrateDiffOptions opts;
	MigrateDiff *d;
	StringInfoData buf;
	int			i;

	memset(&opts, 0, sizeof(opts));
	migrate_snapshot_sort(&from->snap);
	migrate_snapshot_sort(&to->snap);
	d = migrate_schema_diff(&from->snap, &to->snap, &opts);
	initStringInfo(&buf);
	for (i = 0; i < d->nstmts; i++)
		appendStringInfo(&buf, "%s%s%s\n", d->stmts[i].data_loss ? "[loss] " : "",
						 d->stmts[i].unsupported ? "[unsupported] " : "", d->stmts[i].sql);
	return buf.data;
}

/* Whether needle comes before later in haystack (both present). */
static bool
before(const char *haystack, const char *needle, const char *later)
{
	const char *a = strstr(haystack, needle);
	const char *b = strstr(haystack, later);

	return a != NULL && b != NULL && a < b;
}

static void
test_arrays(void)
{
	char	  **items;
	int			n;

	TAP_OK(migrate_parse_text_array("{}", &items, &n) && n == 0, "an empty array");
	TAP_OK(migrate_parse_text_array("{a,\"b c\",NULL,\"NULL\",\"q\\\"uote\"}", &items, &n) &&
		   n == 5 && strcmp(items[1], "b c") == 0 && items[2] == NULL &&
		   strcmp(items[3], "NULL") == 0 && strcmp(items[4], "q\"uote") == 0,
		   "quoted elements, NULL and a quoted \"NULL\"");
	TAP_OK(!migrate_parse_text_array("{a,b", &items, &n), "an unterminated array is refused");
	TAP_OK(!migrate_parse_text_array("a,b", &items, &n), "no braces is refused");
	TAP_OK(!migrate_parse_text_array("{\"a}", &items, &n), "an unterminated quote is refused");
	TAP_OK(!migrate_parse_text_array("{\"a\"", &items, &n),
		   "an array ending after a closing quote is refused");
	TAP_OK(!migrate_parse_text_array("{\"a\"x,b}", &items, &n),
		   "text after a closing quote is refused");
	TAP_OK(!migrate_parse_text_array("{a}x", &items, &n), "text after the array is refused");
}

static void
test_create_order(void)
{
	Builder		a = {0};
	Builder		b = {0};
	MigrateSchemaObject *o;
	char	   *s;

	/* b: a sequence, a table whose column uses it, a referencing table */
	add(&b, MIGRATE_OBJ_SEQUENCE, "sequence public.s", "public.s", NULL, "AS bigint");
	table(&b, "public.parent");
	o = column(&b, "public.parent", "id", "bigint", 1, true, "nextval('public.s'::regclass)");
	set_deps(o, "table public.parent", "sequence public.s");
	o = add(&b, MIGRATE_OBJ_CONSTRAINT, "table constraint parent_pkey on public.parent",
			"parent_pkey", "public.parent", "PRIMARY KEY (id)");
	o->attr[0] = pstrdup("p");
	o->attr[1] = pstrdup("t");
	o->attr[2] = pstrdup("local");
	set_deps(o, "table public.parent", NULL);
	table(&b, "public.child");
	column(&b, "public.child", "parent_id", "bigint", 1, false, NULL);
	o = add(&b, MIGRATE_OBJ_CONSTRAINT, "table constraint child_fk on public.child",
			"child_fk", "public.child", "FOREIGN KEY (parent_id) REFERENCES public.parent(id)");
	o->attr[0] = pstrdup("f");
	o->attr[1] = pstrdup("t");
	o->attr[2] = pstrdup("local");
	set_deps(o, "table public.child", "table constraint parent_pkey on public.parent");
	s = script(&a, &b);
	TAP_OK(before(s, "CREATE SEQUENCE public.s", "CREATE TABLE public.parent"),
		   "a sequence a column's default uses comes before the table");
	TAP_OK(strstr(s, "id bigint DEFAULT nextval('public.s'::regclass) NOT NULL") != NULL,
		   "a new table's columns come with it");
	TAP_OK(before(s, "ADD CONSTRAINT parent_pkey", "ADD CONSTRAINT child_fk"),
		   "a foreign key comes after the key it references");
	TAP_OK(strstr(s, "NOT VALID") == NULL, "a constraint on a new table is not added NOT VALID");

	/* and back: the foreign key goes before the table it references */
	s = script(&b, &a);
	TAP_OK(before(s, "DROP TABLE public.child", "DROP TABLE public.parent"),
		   "drops run in the reverse order of the dependencies");
	TAP_OK(strstr(s, "[loss] DROP TABLE public.parent") != NULL, "dropping a table loses data");
	TAP_OK(strstr(s, "DROP CONSTRAINT") == NULL, "a dropped table's constraints go with it");
}

static void
test_columns(void)
{
	Builder		a = {0};
	Builder		b = {0};
	char	   *s;

	table(&a, "public.t");
	column(&a, "public.t", "id", "integer", 1, false, NULL);
	column(&a, "public.t", "gone", "text", 2, false, NULL);
	column(&a, "public.t", "n", "bigint", 3, false, NULL);
	column(&a, "public.t", "w", "integer", 4, false, "1");
	table(&b, "public.t");
	column(&b, "public.t", "id", "bigint", 1, true, NULL);
	column(&b, "public.t", "n", "integer", 3, false, NULL);
	column(&b, "public.t", "w", "integer", 4, false, NULL);
	column(&b, "public.t", "added", "text", 5, false, "'x'::text");
	s = script(&a, &b);
	TAP_OK(strstr(s, "[loss] ALTER TABLE public.t DROP COLUMN gone;") != NULL,
		   "dropping a column loses data");
	TAP_OK(strstr(s, "ALTER TABLE public.t ALTER COLUMN id TYPE bigint USING id::bigint;") != NULL &&
		   strstr(s, "[loss] ALTER TABLE public.t ALTER COLUMN id TYPE") == NULL,
		   "integer to bigint is altered in place, without loss");
	TAP_OK(strstr(s, "[loss] ALTER TABLE public.t ALTER COLUMN n TYPE integer") != NULL,
		   "bigint to integer may narrow: data loss");
	TAP_OK(strstr(s, "ALTER TABLE public.t ALTER COLUMN id SET NOT NULL;") != NULL, "NOT NULL set in place");
	TAP_OK(strstr(s, "ALTER TABLE public.t ALTER COLUMN w DROP DEFAULT;") != NULL, "a default dropped");
	TAP_OK(strstr(s, "ALTER TABLE public.t ADD COLUMN added text DEFAULT 'x'::text;") != NULL,
		   "a column added to an existing table");
	TAP_OK(strstr(s, "DROP TABLE") == NULL && strstr(s, "CREATE TABLE") == NULL,
		   "a table on both sides is never dropped and created");
}

static void
test_enums_and_differences(void)
{
	Builder		a = {0};
	Builder		b = {0};
	MigrateSchemaObject *e;
	char	  **ids;
	char	   *s;

	e = add(&a, MIGRATE_OBJ_ENUM, "type public.mood", "public.mood", NULL, NULL);
	set_list(e, "sad", "happy", NULL);
	e = add(&b, MIGRATE_OBJ_ENUM, "type public.mood", "public.mood", NULL, NULL);
	set_list(e, "sad", "ok", "happy");
	s = script(&a, &b);
	TAP_STREQ(s, "ALTER TYPE public.mood ADD VALUE 'ok' AFTER 'sad';\n", "a new enum label is added in place");
	s = script(&b, &a);
	TAP_OK(strstr(s, "[loss] ALTER TYPE public.mood RENAME TO pg_migrate_old_enum;") != NULL &&
		   strstr(s, "[loss] DROP TYPE public.pg_migrate_old_enum;") != NULL,
		   "a removed label makes the type again, as data loss");
	TAP_OK(migrate_snapshot_differences(&a.snap, &b.snap, &ids) == 1 &&
		   strcmp(ids[0], "type public.mood") == 0, "the proof names the object that differs");
	TAP_OK(migrate_snapshot_differences(&a.snap, &a.snap, &ids) == 0, "a snapshot does not differ from itself");
	e = add(&b, MIGRATE_OBJ_AGGREGATE, "function public.agg(integer)", "public.agg(integer)", NULL, NULL);
	s = script(&a, &b);
	TAP_OK(strstr(s, "[unsupported] -- function public.agg(integer):") != NULL,
		   "an object no statement is generated for is reported, not left out");
}

static void
test_recreate_dependents(void)
{
	Builder		a = {0};
	Builder		b = {0};
	MigrateSchemaObject *v;
	char	   *s;

	table(&a, "public.t");
	column(&a, "public.t", "n", "integer", 1, false, NULL);
	v = add(&a, MIGRATE_OBJ_VIEW, "view public.v", "public.v", NULL, " SELECT t.n FROM public.t;");
	set_deps(v, "table public.t", "table column public.t.n");
	table(&b, "public.t");
	column(&b, "public.t", "n", "bigint", 1, false, NULL);
	v = add(&b, MIGRATE_OBJ_VIEW, "view public.v", "public.v", NULL, " SELECT t.n FROM public.t;");
	set_deps(v, "table public.t", "table column public.t.n");
	s = script(&a, &b);
	TAP_OK(before(s, "DROP VIEW public.v;", "ALTER COLUMN n TYPE bigint") &&
		   before(s, "ALTER COLUMN n TYPE bigint", "CREATE VIEW public.v AS"),
		   "a view on a column whose type changes is dropped before and made again after");
}

int
main(void)
{
	test_arrays();
	test_create_order();
	test_columns();
	test_enums_and_differences();
	test_recreate_dependents();
	return tap_done();
}
