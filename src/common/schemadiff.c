/*-------------------------------------------------------------------------
 *
 * schemadiff.c
 *	  The SQL that turns one schema snapshot into another.
 *
 * Every object of either snapshot gets a fate: kept, altered in place,
 * dropped, created, or dropped and created again.  Tables and columns
 * present on both sides are altered in place; PostgreSQL offers no
 * in-place change for a few things (a table becoming partitioned, a new
 * generation expression), and those are recreated, which for a table
 * loses its data and is marked so.  Whatever depends on an object that is
 * dropped or recreated, or on a column whose type changes (views,
 * materialized views, policies, triggers, foreign keys, functions), is
 * dropped first and created again after.
 *
 * The statements run in three phases: drops, in the reverse of the order
 * the "from" snapshot's dependencies give; creations and changes, in the
 * order the "to" snapshot's dependencies give; then ownership of
 * sequences, comments and grants.  Both orders come from pg_depend, which
 * the catalog query reads (schemaorder.c sorts).
 *
 * Statements that lose data (dropping a table or a column, a type change
 * that can narrow values, removing an enum value) are marked; the caller
 * decides whether they may run.  What no statement can do is returned as
 * an "unsupported" comment, never left out silently.
 *
 * Pure C, shared by the client and the unit tests.
 *
 * IDENTIFICATION
 *	  src/common/schemadiff.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef FRONTEND
#include "postgres.h"
#else
#include "postgres_fe.h"
#endif

#include "common/schemadiff.h"
#include "common/schemaorder.h"
#include "lib/stringinfo.h"

/* What happens to an object. */
typedef enum Fate
{
	FATE_KEEP,					/* the same on both sides */
	FATE_ALTER,					/* changed in place */
	FATE_DROP,					/* only in "from" */
	FATE_CREATE,				/* only in "to" */
	FATE_RECREATE				/* dropped and created again */
} Fate;

typedef struct DiffState
{
	const MigrateSchemaSnapshot *from;
	const MigrateSchemaSnapshot *to;
	const MigrateDiffOptions *opts;
	int		   *match_to;		/* from index -> to index, or -1 */
	int		   *match_from;		/* to index -> from index, or -1 */
	Fate	   *fate_from;
	Fate	   *fate_to;
	char	  **renamed_id;		/* from index -> the id it has in "to" */
	MigrateDiff *diff;
	int			cap;
} DiffState;

/* Statements gathered per object, then put in order. */
typedef struct StmtList
{
	MigrateDiffStatement *items;
	int			n;
	int			cap;
} StmtList;

static void
list_add(StmtList *list, const char *object, char *sql, bool data_loss,
		 bool nontransactional, const char *note)
{
	MigrateDiffStatement *s;

	if (list->n == list->cap)
	{
		list->cap = list->cap ? list->cap * 2 : 4;
		list->items = list->items ?
			repalloc(list->items, sizeof(MigrateDiffStatement) * list->cap) :
			palloc(sizeof(MigrateDiffStatement) * list->cap);
	}
	s = &list->items[list->n++];
	memset(s, 0, sizeof(*s));
	s->sql = sql;
	s->object = object;
	s->data_loss = data_loss;
	s->nontransactional = nontransactional;
	s->note = note ? pstrdup(note) : NULL;
}

static void
list_unsupported(StmtList *list, const char *object, const char *why)
{
	list_add(list, object, psprintf("-- %s: %s", object, why), false, false,
			 NULL);
	list->items[list->n - 1].unsupported = true;
}

/* s as an SQL string literal. */
char *
migrate_sql_literal(const char *s)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '\'');
	for (; *s; s++)
	{
		if (*s == '\'')
			appendStringInfoChar(&buf, '\'');
		appendStringInfoChar(&buf, *s);
	}
	appendStringInfoChar(&buf, '\'');
	return buf.data;
}

static bool
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/* s without its trailing ";" and blanks (pg_get_viewdef ends in one). */
static char *
without_semicolon(const char *s)
{
	char	   *out = pstrdup(s);
	size_t		n = strlen(out);

	while (n > 0 && (out[n - 1] == ';' || out[n - 1] == ' ' ||
					 out[n - 1] == '\n'))
		out[--n] = '\0';
	return out;
}


/* ------------------------------------------------------------------------
 * Renames
 * ------------------------------------------------------------------------
 */

/* "task" or "public.task" as the identity pg_identify_object prints. */
static char *
qualify(const char *name)
{
	return strchr(name, '.') ? pstrdup(name) : psprintf("public.%s", name);
}

/* The last dot-separated part of an identity ("public.task" -> "task"). */
static const char *
last_part(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : name;
}

/*
 * The id a "from" object has under the renames: the renamed table's own
 * id, its columns', and those of its constraints, triggers and policies
 * ("... on OLD").
 */
static char *
renamed_id(const MigrateSchemaObject *o, const MigrateDiffOptions *opts)
{
	int			r;

	for (r = 0; r < opts->nrenames; r++)
	{
		char	   *from = qualify(opts->rename_from[r]);
		char	   *to = qualify(opts->rename_to[r]);
		char	   *id;
		size_t		flen = strlen(from);
		int			dots = 0;
		const char *p;

		for (p = from; *p; p++)
			dots += *p == '.';
		if (dots == 2)
		{
			/* a column */
			id = psprintf("table column %s", from);
			if (strcmp(o->id, id) == 0)
				return psprintf("table column %s", to);
			continue;
		}
		id = psprintf("table %s", from);
		if (strcmp(o->id, id) == 0)
			return psprintf("table %s", to);
		id = psprintf("table column %s.", from);
		if (strncmp(o->id, id, strlen(id)) == 0)
			return psprintf("table column %s.%s", to, o->id + strlen(id));
		if (strlen(o->id) > flen + 4 &&
			strcmp(o->id + strlen(o->id) - flen - 4, psprintf(" on %s", from)) == 0)
			return psprintf("%.*s on %s", (int) (strlen(o->id) - flen - 4),
							o->id, to);
	}
	return o->id;
}

/* ------------------------------------------------------------------------
 * Statements for one object
 * ------------------------------------------------------------------------
 */

/* The keyword COMMENT ON and GRANT name the object by. */
static char *
object_target(const MigrateSchemaObject *o)
{
	switch (o->kind)
	{
		case MIGRATE_OBJ_SCHEMA:
			return psprintf("SCHEMA %s", o->qname);
		case MIGRATE_OBJ_EXTENSION:
			return psprintf("EXTENSION %s", o->qname);
		case MIGRATE_OBJ_ENUM:
		case MIGRATE_OBJ_COMPOSITE:
		case MIGRATE_OBJ_RANGE:
			return psprintf("TYPE %s", o->qname);
		case MIGRATE_OBJ_DOMAIN:
			return psprintf("DOMAIN %s", o->qname);
		case MIGRATE_OBJ_SEQUENCE:
			return psprintf("SEQUENCE %s", o->qname);
		case MIGRATE_OBJ_TABLE:
			return psprintf("TABLE %s", o->qname);
		case MIGRATE_OBJ_COLUMN:
			return psprintf("COLUMN %s.%s", o->parent, o->qname);
		case MIGRATE_OBJ_CONSTRAINT:
			return psprintf("CONSTRAINT %s ON %s", o->qname, o->parent);
		case MIGRATE_OBJ_INDEX:
			return psprintf("INDEX %s", o->qname);
		case MIGRATE_OBJ_VIEW:
			return psprintf("VIEW %s", o->qname);
		case MIGRATE_OBJ_MATVIEW:
			return psprintf("MATERIALIZED VIEW %s", o->qname);
		case MIGRATE_OBJ_FUNCTION:
			return psprintf("FUNCTION %s", o->qname);
		case MIGRATE_OBJ_PROCEDURE:
			return psprintf("PROCEDURE %s", o->qname);
		case MIGRATE_OBJ_AGGREGATE:
			return psprintf("AGGREGATE %s", o->qname);
		case MIGRATE_OBJ_TRIGGER:
			return psprintf("TRIGGER %s ON %s", o->qname, o->parent);
		case MIGRATE_OBJ_POLICY:
			return psprintf("POLICY %s ON %s", o->qname, o->parent);
		case MIGRATE_OBJ_UNKNOWN:
			break;
	}
	return pstrdup(o->qname);
}

/* A column's privileges name it after the privilege: SELECT (col). */
static char *
column_list(const MigrateSchemaObject *o)
{
	return o->kind == MIGRATE_OBJ_COLUMN ? psprintf(" (%s)", o->qname) : "";
}

/* The object GRANT and REVOKE name: ON TABLE x, ON SEQUENCE x, ... */
static char *
grant_target(const MigrateSchemaObject *o)
{
	if (o->kind == MIGRATE_OBJ_COLUMN)
		return psprintf("TABLE %s", o->parent);
	if (o->kind == MIGRATE_OBJ_VIEW || o->kind == MIGRATE_OBJ_MATVIEW)
		return psprintf("TABLE %s", o->qname);
	if (o->kind == MIGRATE_OBJ_ENUM || o->kind == MIGRATE_OBJ_COMPOSITE ||
		o->kind == MIGRATE_OBJ_RANGE)
		return psprintf("TYPE %s", o->qname);
	return object_target(o);
}

/* One column as CREATE TABLE and ADD COLUMN write it. */
static char *
column_definition(const MigrateSchemaObject *c)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s %s", c->qname, c->attr[0]);
	if (!empty(c->attr[4]))
		appendStringInfo(&buf, " COLLATE %s", c->attr[4]);
	if (same(c->attr[3], "s"))
		appendStringInfo(&buf, " GENERATED ALWAYS AS (%s) STORED", c->def);
	else if (!empty(c->attr[2]))
		appendStringInfo(&buf, " GENERATED %s AS IDENTITY%s%s%s",
						 same(c->attr[2], "a") ? "ALWAYS" : "BY DEFAULT",
						 empty(c->attr[5]) ? "" : " (",
						 empty(c->attr[5]) ? "" : c->attr[5],
						 empty(c->attr[5]) ? "" : ")");
	else if (c->def != NULL)
		appendStringInfo(&buf, " DEFAULT %s", c->def);
	if (same(c->attr[1], "t"))
		appendStringInfoString(&buf, " NOT NULL");
	return buf.data;
}

static bool
column_is_local(const MigrateSchemaObject *c)
{
	return c->nlist < 2 || !same(c->list[1], "inherited");
}

/* The columns of table (a qname) in snap, in their order. */
static int
table_columns(const MigrateSchemaSnapshot *snap, const char *table,
			  const MigrateSchemaObject ***out)
{
	const MigrateSchemaObject **cols =
		palloc(sizeof(MigrateSchemaObject *) * (snap->nobjs + 1));
	int			n = 0;
	int			i;
	int			j;

	for (i = 0; i < snap->nobjs; i++)
		if (snap->objs[i].kind == MIGRATE_OBJ_COLUMN &&
			same(snap->objs[i].parent, table))
			cols[n++] = &snap->objs[i];
	/* by column number, the first element of the list */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && atoi(cols[j - 1]->list[0]) > atoi(cols[j]->list[0]); j--)
		{
			const MigrateSchemaObject *t = cols[j];

			cols[j] = cols[j - 1];
			cols[j - 1] = t;
		}
	*out = cols;
	return n;
}

static char *
create_table(const MigrateSchemaSnapshot *snap, const MigrateSchemaObject *t)
{
	StringInfoData buf;
	const MigrateSchemaObject **cols;
	int			ncols = table_columns(snap, t->qname, &cols);
	int			i;
	int			shown = 0;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE %sTABLE %s",
					 same(t->attr[0], "u") ? "UNLOGGED " : "", t->qname);
	if (!empty(t->attr[3]))
		appendStringInfo(&buf, " PARTITION OF %s", t->attr[3]);
	if (empty(t->attr[3]) || ncols > 0)
	{
		for (i = 0; i < ncols; i++)
		{
			if (!column_is_local(cols[i]))
				continue;
			appendStringInfoString(&buf, shown == 0 ? " (\n    " : ",\n    ");
			appendStringInfoString(&buf, column_definition(cols[i]));
			shown++;
		}
		if (shown > 0)
			appendStringInfoString(&buf, "\n)");
		else if (empty(t->attr[3]))
			appendStringInfoString(&buf, " ()");
	}
	if (!empty(t->attr[3]))
		appendStringInfo(&buf, " %s", t->attr[2]);
	if (!empty(t->attr[4]))
		appendStringInfo(&buf, " INHERITS (%s)", t->attr[4]);
	if (!empty(t->attr[1]))
		appendStringInfo(&buf, " PARTITION BY %s", t->attr[1]);
	if (t->nlist > 0)
	{
		appendStringInfoString(&buf, " WITH (");
		for (i = 0; i < t->nlist; i++)
			appendStringInfo(&buf, "%s%s", i ? ", " : "", t->list[i]);
		appendStringInfoChar(&buf, ')');
	}
	appendStringInfoChar(&buf, ';');
	return buf.data;
}

/* items joined with ", ". */
static char *
joined(char **items, int n)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", items[i]);
	return buf.data;
}

/*
 * The name that starts item ("name rest": a quoted identifier may hold
 * blanks), palloc'd; *rest points after it.
 */
static char *
split_name(const char *item, const char **rest)
{
	const char *p = item;

	if (*p == '"')
	{
		for (p++; *p; p++)
			if (*p == '"')
			{
				if (p[1] != '"')
					break;
				p++;
			}
		if (*p)
			p++;
	}
	else
		while (*p && *p != ' ')
			p++;
	*rest = *p == ' ' ? p + 1 : p;
	return psprintf("%.*s", (int) (p - item), item);
}

/* The index of the item of list named name, or -1. */
static int
find_named(char **list, int n, const char *name)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		const char *rest;

		if (strcmp(split_name(list[i], &rest), name) == 0)
			return i;
	}
	return -1;
}

static char *
enum_labels(const MigrateSchemaObject *e)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < e->nlist; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "",
						 migrate_sql_literal(e->list[i]));
	return buf.data;
}

/* CREATE INDEX with CONCURRENTLY after its first words. */
static char *
index_concurrently(const char *def)
{
	const char *p = strstr(def, "INDEX ");

	if (p == NULL)
		return pstrdup(def);
	p += strlen("INDEX ");
	return psprintf("%.*sCONCURRENTLY %s", (int) (p - def), def, p);
}

/* Whether the table (a qname) of "from" is kept or altered in "to". */
static bool
table_survives(DiffState *st, const char *table)
{
	int			i = migrate_snapshot_find_table(st->from, table);

	return i >= 0 &&
		(st->fate_from[i] == FATE_KEEP || st->fate_from[i] == FATE_ALTER);
}

/* Whether table (a qname) of "to" exists in "from" and is not recreated. */
static bool
table_existed(DiffState *st, const char *table)
{
	int			i = migrate_snapshot_find_table(st->to, table);

	return i >= 0 &&
		(st->fate_to[i] == FATE_KEEP || st->fate_to[i] == FATE_ALTER);
}

/* The statements that create o (of "to"). */
static void
create_object(DiffState *st, const MigrateSchemaObject *o, StmtList *out)
{
	const char *id = o->id;

	switch (o->kind)
	{
		case MIGRATE_OBJ_SCHEMA:
			list_add(out, id, psprintf("CREATE SCHEMA %s;", o->qname), false, false, NULL);
			break;
		case MIGRATE_OBJ_EXTENSION:
			list_add(out, id, psprintf("CREATE EXTENSION IF NOT EXISTS %s WITH SCHEMA %s VERSION %s;",
									   o->qname, o->attr[1], migrate_sql_literal(o->attr[0])),
					 false, false, NULL);
			break;
		case MIGRATE_OBJ_ENUM:
			list_add(out, id, psprintf("CREATE TYPE %s AS ENUM (%s);", o->qname, enum_labels(o)),
					 false, false, NULL);
			break;
		case MIGRATE_OBJ_DOMAIN:
			list_add(out, id, psprintf("CREATE DOMAIN %s AS %s;", o->qname, o->def), false, false, NULL);
			break;
		case MIGRATE_OBJ_COMPOSITE:
			list_add(out, id, psprintf("CREATE TYPE %s AS (%s);", o->qname, joined(o->list, o->nlist)),
					 false, false, NULL);
			break;
		case MIGRATE_OBJ_RANGE:
			list_add(out, id, psprintf("CREATE TYPE %s AS RANGE (%s);", o->qname, o->def), false, false, NULL);
			break;
		case MIGRATE_OBJ_SEQUENCE:
			list_add(out, id, psprintf("CREATE %sSEQUENCE %s %s;",
									   same(o->attr[0], "u") ? "UNLOGGED " : "",
									   o->qname, o->def), false, false, NULL);
			break;
		case MIGRATE_OBJ_TABLE:
			list_add(out, id, create_table(st->to, o), false, false, NULL);
			if (o->attr[5] && strchr(o->attr[5], 'e'))
				list_add(out, id, psprintf("ALTER TABLE %s ENABLE ROW LEVEL SECURITY;", o->qname),
						 false, false, NULL);
			if (o->attr[5] && strchr(o->attr[5], 'f'))
				list_add(out, id, psprintf("ALTER TABLE %s FORCE ROW LEVEL SECURITY;", o->qname),
						 false, false, NULL);
			break;
		case MIGRATE_OBJ_COLUMN:
			/* a new table's columns come with it */
			if (table_existed(st, o->parent) && column_is_local(o))
				list_add(out, id, psprintf("ALTER TABLE %s ADD COLUMN %s;", o->parent,
										   column_definition(o)),
						 false, false,
						 (same(o->attr[3], "s") || !empty(o->attr[2]) ||
						  (o->def != NULL && strstr(o->def, "(") != NULL)) ?
						 "-- rewrites the table, under an ACCESS EXCLUSIVE lock" : NULL);
			break;
		case MIGRATE_OBJ_CONSTRAINT:
			if (!same(o->attr[2], "local"))
				break;
			if (table_existed(st, o->parent) &&
				(same(o->attr[0], "c") || same(o->attr[0], "f")))
			{
				/* check the rows without blocking writes for the whole scan */
				list_add(out, id, psprintf("ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID;",
										   o->parent, o->qname, o->def), false, false,
						 "-- takes a SHARE ROW EXCLUSIVE lock (foreign key) or an ACCESS EXCLUSIVE lock (check) briefly");
				if (!same(o->attr[1], "f"))
					list_add(out, id, psprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s;",
											   o->parent, o->qname), false, false,
							 "-- scans the table under a SHARE UPDATE EXCLUSIVE lock");
			}
			else
				list_add(out, id, psprintf("ALTER TABLE %s ADD CONSTRAINT %s %s%s;",
										   o->parent, o->qname, o->def,
										   same(o->attr[1], "f") ? " NOT VALID" : ""),
						 false, false,
						 table_existed(st, o->parent) ?
						 "-- builds an index under an ACCESS EXCLUSIVE lock" : NULL);
			break;
		case MIGRATE_OBJ_INDEX:
			if (st->opts->concurrently && table_existed(st, o->parent))
				list_add(out, id, psprintf("%s;", index_concurrently(o->def)), false, true,
						 "-- builds the index without blocking writes, outside a transaction");
			else
				list_add(out, id, psprintf("%s;", o->def), false, false,
						 table_existed(st, o->parent) ?
						 "-- builds an index, blocking writes to the table (use --concurrently)" : NULL);
			break;
		case MIGRATE_OBJ_VIEW:
			if (o->nlist > 0)
			{
				StringInfoData opts;
				int			i;

				initStringInfo(&opts);
				for (i = 0; i < o->nlist; i++)
					appendStringInfo(&opts, "%s%s", i ? ", " : "", o->list[i]);
				list_add(out, id, psprintf("CREATE VIEW %s WITH (%s) AS\n%s;", o->qname, opts.data,
										   without_semicolon(o->def)), false, false, NULL);
			}
			else
				list_add(out, id, psprintf("CREATE VIEW %s AS\n%s;", o->qname,
										   without_semicolon(o->def)), false, false, NULL);
			break;
		case MIGRATE_OBJ_MATVIEW:
			list_add(out, id, psprintf("CREATE MATERIALIZED VIEW %s AS\n%s;", o->qname,
									   without_semicolon(o->def)), false, false, NULL);
			break;
		case MIGRATE_OBJ_FUNCTION:
		case MIGRATE_OBJ_PROCEDURE:
			list_add(out, id, psprintf("%s;", without_semicolon(o->def)), false, false, NULL);
			break;
		case MIGRATE_OBJ_TRIGGER:
			list_add(out, id, psprintf("%s;", o->def), false, false, NULL);
			break;
		case MIGRATE_OBJ_POLICY:
			list_add(out, id, psprintf("CREATE POLICY %s ON %s %s;", o->qname, o->parent, o->def),
					 false, false, NULL);
			break;
		case MIGRATE_OBJ_AGGREGATE:
		case MIGRATE_OBJ_UNKNOWN:
			list_unsupported(out, id, "creating this kind of object is not generated; write it by hand");
			break;
	}
}

/*
 * Whether a sequence's owning column is dropped (alone or with its
 * table): PostgreSQL then drops the sequence itself.
 */
static bool
owner_goes(DiffState *st, const MigrateSchemaObject *seq)
{
	int			k;

	if (empty(seq->attr[3]))
		return false;
	k = migrate_snapshot_find(st->from, psprintf("table column %s", seq->attr[3]));
	return k >= 0 &&
		(st->fate_from[k] == FATE_DROP || st->fate_from[k] == FATE_RECREATE ||
		 !table_survives(st, st->from->objs[k].parent));
}

/* The statement that drops o (of "from"). */
static void
drop_object(DiffState *st, const MigrateSchemaObject *o, StmtList *out)
{
	const char *id = o->id;

	switch (o->kind)
	{
		case MIGRATE_OBJ_SCHEMA:
			list_add(out, id, psprintf("DROP SCHEMA %s;", o->qname), false, false, NULL);
			break;
		case MIGRATE_OBJ_EXTENSION:
			list_add(out, id, psprintf("DROP EXTENSION %s;", o->qname), false, false, NULL);
			break;
		case MIGRATE_OBJ_ENUM:
		case MIGRATE_OBJ_COMPOSITE:
		case MIGRATE_OBJ_RANGE:
			list_add(out, id, psprintf("DROP TYPE %s;", o->qname), false, false, NULL);
			break;
		case MIGRATE_OBJ_DOMAIN:
			list_add(out, id, psprintf("DROP DOMAIN %s;", o->qname), false, false, NULL);
			break;
		case MIGRATE_OBJ_SEQUENCE:
			if (!owner_goes(st, o))
				list_add(out, id, psprintf("DROP SEQUENCE %s;", o->qname), false, false, NULL);
			break;
		case MIGRATE_OBJ_TABLE:
			list_add(out, id, psprintf("DROP TABLE %s;", o->qname), true, false,
					 "-- drops the table and its rows");
			break;
		case MIGRATE_OBJ_COLUMN:
			if (table_survives(st, o->parent) && column_is_local(o))
				list_add(out, id, psprintf("ALTER TABLE %s DROP COLUMN %s;", o->parent, o->qname),
						 true, false, "-- drops the column and its values");
			break;
		case MIGRATE_OBJ_CONSTRAINT:
			if (table_survives(st, o->parent) && same(o->attr[2], "local"))
				list_add(out, id, psprintf("ALTER TABLE %s DROP CONSTRAINT %s;", o->parent, o->qname),
						 false, false, NULL);
			break;
		case MIGRATE_OBJ_INDEX:
			if (table_survives(st, o->parent))
				list_add(out, id, psprintf("DROP INDEX %s;", o->qname), false, false, NULL);
			break;
		case MIGRATE_OBJ_VIEW:
			list_add(out, id, psprintf("DROP VIEW %s;", o->qname), false, false, NULL);
			break;
		case MIGRATE_OBJ_MATVIEW:
			list_add(out, id, psprintf("DROP MATERIALIZED VIEW %s;", o->qname), false, false, NULL);
			break;
		case MIGRATE_OBJ_FUNCTION:
			list_add(out, id, psprintf("DROP FUNCTION %s;", o->qname), false, false, NULL);
			break;
		case MIGRATE_OBJ_PROCEDURE:
			list_add(out, id, psprintf("DROP PROCEDURE %s;", o->qname), false, false, NULL);
			break;
		case MIGRATE_OBJ_AGGREGATE:
			list_add(out, id, psprintf("DROP AGGREGATE %s;", o->qname), false, false, NULL);
			break;
		case MIGRATE_OBJ_TRIGGER:
			if (table_survives(st, o->parent))
				list_add(out, id, psprintf("DROP TRIGGER %s ON %s;", o->qname, o->parent),
						 false, false, NULL);
			break;
		case MIGRATE_OBJ_POLICY:
			if (table_survives(st, o->parent))
				list_add(out, id, psprintf("DROP POLICY %s ON %s;", o->qname, o->parent),
						 false, false, NULL);
			break;
		case MIGRATE_OBJ_UNKNOWN:
			list_unsupported(out, id, "dropping this kind of object is not generated");
			break;
	}
}

/*
 * Whether a type change keeps every value: the widenings PostgreSQL does
 * without losing anything.  Everything else may narrow, and counts as
 * data loss.
 */
static bool
widening(const char *from, const char *to)
{
	static const char *const chain[] = {"smallint", "integer", "bigint", "numeric"};
	int			a = -1;
	int			b = -1;
	int			i;
	int			n1;
	int			n2;

	for (i = 0; i < (int) lengthof(chain); i++)
	{
		if (strcmp(from, chain[i]) == 0)
			a = i;
		if (strcmp(to, chain[i]) == 0)
			b = i;
	}
	if (a >= 0 && b >= 0)
		return a <= b;
	if (strcmp(from, "real") == 0 && strcmp(to, "double precision") == 0)
		return true;
	if (strcmp(to, "text") == 0 &&
		(strncmp(from, "character varying", 17) == 0 ||
		 strncmp(from, "character(", 10) == 0))
		return true;
	if (strcmp(to, "character varying") == 0 &&
		strncmp(from, "character varying", 17) == 0)
		return true;
	if (sscanf(from, "character varying(%d)", &n1) == 1 &&
		sscanf(to, "character varying(%d)", &n2) == 1)
		return n2 >= n1;
	if (strcmp(from, "timestamp without time zone") == 0 &&
		strcmp(to, "timestamp with time zone") == 0)
		return true;
	return false;
}

/* The in-place changes of a column of a surviving table. */
static void
alter_column(DiffState *st, const MigrateSchemaObject *a,
			 const MigrateSchemaObject *b, StmtList *out)
{
	const char *t = b->parent;
	const char *c = b->qname;
	const char *id = b->id;
	bool		a_gen = same(a->attr[3], "s");
	bool		b_gen = same(b->attr[3], "s");

	if (!same(a->qname, b->qname))
		list_add(out, id, psprintf("ALTER TABLE %s RENAME COLUMN %s TO %s;", t, a->qname, c),
				 false, false, NULL);
	if (!same(a->attr[0], b->attr[0]) || !same(a->attr[4], b->attr[4]))
	{
		bool		loss = !widening(a->attr[0], b->attr[0]);

		list_add(out, id, psprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s%s%s USING %s::%s;",
								   t, c, b->attr[0],
								   empty(b->attr[4]) ? "" : " COLLATE ",
								   empty(b->attr[4]) ? "" : b->attr[4], c, b->attr[0]),
				 loss, false,
				 loss ? "-- may not keep every value; rewrites the table under an ACCESS EXCLUSIVE lock" :
				 "-- may rewrite the table, under an ACCESS EXCLUSIVE lock");
	}
	if (a_gen || b_gen)
	{
		if (a_gen && b_gen && same(a->def, b->def))
			;
		else if (a_gen && !b_gen)
			list_add(out, id, psprintf("ALTER TABLE %s ALTER COLUMN %s DROP EXPRESSION;", t, c),
					 false, false, NULL);
		else
			list_unsupported(out, id, "a column cannot become generated, or change its expression, in place; drop it and add it");
	}
	if (!b_gen && !a_gen && !same(a->def, b->def) && empty(b->attr[2]))
	{
		if (b->def == NULL)
			list_add(out, id, psprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;", t, c),
					 false, false, NULL);
		else
			list_add(out, id, psprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s;", t, c, b->def),
					 false, false, NULL);
	}
	if (!same(a->attr[2], b->attr[2]))
	{
		if (empty(b->attr[2]))
			list_add(out, id, psprintf("ALTER TABLE %s ALTER COLUMN %s DROP IDENTITY;", t, c),
					 false, false, NULL);
		else if (empty(a->attr[2]))
		{
			if (a->def != NULL)
				list_add(out, id, psprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;", t, c),
						 false, false, NULL);
			list_add(out, id, psprintf("ALTER TABLE %s ALTER COLUMN %s ADD GENERATED %s AS IDENTITY%s%s%s;",
									   t, c, same(b->attr[2], "a") ? "ALWAYS" : "BY DEFAULT",
									   empty(b->attr[5]) ? "" : " (",
									   empty(b->attr[5]) ? "" : b->attr[5],
									   empty(b->attr[5]) ? "" : ")"),
					 false, false, NULL);
		}
		else
			list_add(out, id, psprintf("ALTER TABLE %s ALTER COLUMN %s SET GENERATED %s;", t, c,
									   same(b->attr[2], "a") ? "ALWAYS" : "BY DEFAULT"),
					 false, false, NULL);
	}
	else if (!empty(b->attr[2]) && !same(a->attr[5], b->attr[5]) && !empty(b->attr[5]))
		list_add(out, id, psprintf("ALTER TABLE %s ALTER COLUMN %s SET %s;", t, c,
								   b->attr[5]), false, false, NULL);
	if (!same(a->attr[1], b->attr[1]))
		list_add(out, id, psprintf("ALTER TABLE %s ALTER COLUMN %s %s NOT NULL;", t, c,
								   same(b->attr[1], "t") ? "SET" : "DROP"), false, false,
				 same(b->attr[1], "t") ? "-- scans the table under an ACCESS EXCLUSIVE lock" : NULL);
}

/*
 * An enum's new labels, added in place with BEFORE or AFTER a neighbour;
 * false when labels were removed or reordered, which no statement does.
 */
static bool
alter_enum(const MigrateSchemaObject *a, const MigrateSchemaObject *b,
		   StmtList *out)
{
	int			i;
	int			j = 0;

	/* the old labels must come in the same order among the new */
	for (i = 0; i < b->nlist && j < a->nlist; i++)
		if (same(b->list[i], a->list[j]))
			j++;
	if (j < a->nlist)
		return false;
	for (i = 0, j = 0; i < b->nlist; i++)
	{
		if (j < a->nlist && same(b->list[i], a->list[j]))
		{
			j++;
			continue;
		}
		if (i > 0)
			list_add(out, b->id, psprintf("ALTER TYPE %s ADD VALUE %s AFTER %s;", b->qname,
										  migrate_sql_literal(b->list[i]),
										  migrate_sql_literal(b->list[i - 1])), false, false, NULL);
		else
			list_add(out, b->id, psprintf("ALTER TYPE %s ADD VALUE %s BEFORE %s;", b->qname,
										  migrate_sql_literal(b->list[i]),
										  migrate_sql_literal(b->list[i + 1])), false, false, NULL);
	}
	return true;
}

/* A domain's default, NOT NULL and constraints, changed in place. */
static void
alter_domain(const MigrateSchemaObject *a, const MigrateSchemaObject *b,
			 StmtList *out)
{
	int			i;

	if (!same(a->attr[1], b->attr[1]))
	{
		if (b->attr[1] == NULL)
			list_add(out, b->id, psprintf("ALTER DOMAIN %s DROP DEFAULT;", b->qname), false, false, NULL);
		else
			list_add(out, b->id, psprintf("ALTER DOMAIN %s SET DEFAULT %s;", b->qname, b->attr[1]),
					 false, false, NULL);
	}
	if (!same(a->attr[2], b->attr[2]))
		list_add(out, b->id, psprintf("ALTER DOMAIN %s %s NOT NULL;", b->qname,
									  same(b->attr[2], "t") ? "SET" : "DROP"), false, false, NULL);
	for (i = 0; i < a->nlist; i++)
	{
		const char *rest;
		char	   *name = split_name(a->list[i], &rest);
		int			j = find_named(b->list, b->nlist, name);

		if (j < 0 || !same(a->list[i], b->list[j]))
			list_add(out, b->id, psprintf("ALTER DOMAIN %s DROP CONSTRAINT %s;", b->qname, name),
					 false, false, NULL);
	}
	for (i = 0; i < b->nlist; i++)
	{
		const char *rest;
		char	   *name = split_name(b->list[i], &rest);
		int			j = find_named(a->list, a->nlist, name);

		if (j < 0 || !same(a->list[j], b->list[i]))
			list_add(out, b->id, psprintf("ALTER DOMAIN %s ADD CONSTRAINT %s %s;", b->qname, name, rest),
					 false, false, "-- checks every value of the domain in use");
	}
}

/* A composite type's attributes, changed in place. */
static void
alter_composite(const MigrateSchemaObject *a, const MigrateSchemaObject *b,
				StmtList *out)
{
	int			i;

	for (i = 0; i < a->nlist; i++)
	{
		const char *rest;
		char	   *name = split_name(a->list[i], &rest);

		if (find_named(b->list, b->nlist, name) < 0)
			list_add(out, b->id, psprintf("ALTER TYPE %s DROP ATTRIBUTE %s;", b->qname, name),
					 true, false, "-- drops the attribute from every value of the type");
	}
	for (i = 0; i < b->nlist; i++)
	{
		const char *rest;
		char	   *name = split_name(b->list[i], &rest);
		int			j = find_named(a->list, a->nlist, name);

		if (j < 0)
			list_add(out, b->id, psprintf("ALTER TYPE %s ADD ATTRIBUTE %s;", b->qname, b->list[i]),
					 false, false, NULL);
		else if (!same(a->list[j], b->list[i]))
			list_add(out, b->id, psprintf("ALTER TYPE %s ALTER ATTRIBUTE %s TYPE %s;", b->qname, name, rest),
					 true, false, NULL);
	}
}

/*
 * An enum whose labels were removed or reordered: PostgreSQL changes
 * neither in place, so the type is made again under its name and every
 * column of it cast through text; a row holding a removed label makes the
 * cast fail.  Marked as losing data.
 */
static void
recreate_enum(DiffState *st, const MigrateSchemaObject *e, StmtList *out)
{
	const char *dot = strrchr(e->qname, '.');
	char	   *old = psprintf("%.*s.pg_migrate_old_enum",
							   dot ? (int) (dot - e->qname) : 0, e->qname);
	const char *note = "-- the enum loses labels: it is made again, and its columns are cast through text (a row holding a removed label fails the cast)";
	int			i;

	for (i = 0; i < st->to->nobjs; i++)
	{
		const MigrateSchemaObject *c = &st->to->objs[i];

		if (c->kind == MIGRATE_OBJ_COLUMN && same(c->attr[0], e->qname) &&
			c->def != NULL && column_is_local(c))
			list_add(out, e->id, psprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;",
										  c->parent, c->qname), true, false, NULL);
	}
	list_add(out, e->id, psprintf("ALTER TYPE %s RENAME TO pg_migrate_old_enum;", e->qname),
			 true, false, note);
	list_add(out, e->id, psprintf("CREATE TYPE %s AS ENUM (%s);", e->qname, enum_labels(e)),
			 true, false, NULL);
	for (i = 0; i < st->to->nobjs; i++)
	{
		const MigrateSchemaObject *c = &st->to->objs[i];

		if (c->kind != MIGRATE_OBJ_COLUMN || !same(c->attr[0], e->qname) ||
			!column_is_local(c))
			continue;
		list_add(out, e->id, psprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s::text::%s;",
									  c->parent, c->qname, e->qname, c->qname, e->qname),
				 true, false, NULL);
		if (c->def != NULL)
			list_add(out, e->id, psprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s;",
										  c->parent, c->qname, c->def), true, false, NULL);
	}
	list_add(out, e->id, psprintf("DROP TYPE %s;", old), true, false, NULL);
}

/* ALTER TABLE t INHERIT or NO INHERIT, for each of the parents ("a, b"). */
static void
each_parent(StmtList *out, const char *id, const char *t, const char *what,
			const char *parents)
{
	const char *p = parents;

	while (*p)
	{
		const char *end = strstr(p, ", ");
		int			len = end ? (int) (end - p) : (int) strlen(p);

		list_add(out, id, psprintf("ALTER TABLE %s %s %.*s;", t, what, len, p), false, false, NULL);
		p += len;
		if (*p)
			p += 2;
	}
}

/* The in-place changes of a table. */
static void
alter_table(DiffState *st, const MigrateSchemaObject *a,
			const MigrateSchemaObject *b, StmtList *out)
{
	const char *id = b->id;
	const char *t = b->qname;
	bool		ae = a->attr[5] && strchr(a->attr[5], 'e');
	bool		be = b->attr[5] && strchr(b->attr[5], 'e');
	bool		af = a->attr[5] && strchr(a->attr[5], 'f');
	bool		bf = b->attr[5] && strchr(b->attr[5], 'f');

	if (!same(a->qname, b->qname))
		list_add(out, id, psprintf("ALTER TABLE %s RENAME TO %s;", a->qname, last_part(b->qname)),
				 false, false, NULL);
	if (!same(a->attr[0], b->attr[0]))
		list_add(out, id, psprintf("ALTER TABLE %s SET %s;", t,
								   same(b->attr[0], "u") ? "UNLOGGED" : "LOGGED"), false, false,
				 "-- rewrites the table under an ACCESS EXCLUSIVE lock");
	if (!same(a->attr[4], b->attr[4]))
	{
		const MigrateSchemaObject **cols;
		int			ncols;
		int			i;

		if (!empty(a->attr[4]))
		{
			each_parent(out, id, t, "NO INHERIT", a->attr[4]);
			/* the columns it inherited stay, as its own: drop those it loses */
			ncols = table_columns(st->from, a->qname, &cols);
			for (i = 0; i < ncols; i++)
				if (!column_is_local(cols[i]) &&
					migrate_snapshot_find(st->to, renamed_id(cols[i], st->opts)) < 0)
					list_add(out, id, psprintf("ALTER TABLE %s DROP COLUMN %s;", t, cols[i]->qname),
							 true, false, "-- drops the column and its values");
		}
		if (!empty(b->attr[4]))
		{
			/* a child must have its parents' columns before it inherits */
			ncols = table_columns(st->to, b->qname, &cols);
			for (i = 0; i < ncols; i++)
			{
				int			k = migrate_snapshot_find(st->from, cols[i]->id);

				if (!column_is_local(cols[i]) && k < 0)
					list_add(out, id, psprintf("ALTER TABLE %s ADD COLUMN %s;", t,
											   column_definition(cols[i])), false, false, NULL);
			}
			each_parent(out, id, t, "INHERIT", b->attr[4]);
		}
	}
	if (ae != be)
		list_add(out, id, psprintf("ALTER TABLE %s %s ROW LEVEL SECURITY;", t, be ? "ENABLE" : "DISABLE"),
				 false, false, NULL);
	if (af != bf)
		list_add(out, id, psprintf("ALTER TABLE %s %s ROW LEVEL SECURITY;", t, bf ? "FORCE" : "NO FORCE"),
				 false, false, NULL);
	if (!migrate_same_list(a->list, a->nlist, b->list, b->nlist))
	{
		StringInfoData buf;
		int			i;

		if (a->nlist > 0)
		{
			initStringInfo(&buf);
			for (i = 0; i < a->nlist; i++)
			{
				const char *eq = strchr(a->list[i], '=');

				appendStringInfo(&buf, "%s%.*s", i ? ", " : "",
								 eq ? (int) (eq - a->list[i]) : (int) strlen(a->list[i]),
								 a->list[i]);
			}
			list_add(out, id, psprintf("ALTER TABLE %s RESET (%s);", t, buf.data), false, false, NULL);
		}
		if (b->nlist > 0)
		{
			initStringInfo(&buf);
			for (i = 0; i < b->nlist; i++)
				appendStringInfo(&buf, "%s%s", i ? ", " : "", b->list[i]);
			list_add(out, id, psprintf("ALTER TABLE %s SET (%s);", t, buf.data), false, false, NULL);
		}
	}
}

/* Whether a and b differ in a way only dropping and creating can change. */
static bool
needs_recreate(const MigrateSchemaObject *a, const MigrateSchemaObject *b)
{
	switch (b->kind)
	{
		case MIGRATE_OBJ_TABLE:
			/* partitioning: PostgreSQL changes none of it in place */
			return !same(a->attr[1], b->attr[1]) || !same(a->attr[2], b->attr[2]) ||
				!same(a->attr[3], b->attr[3]);
		case MIGRATE_OBJ_COLUMN:
			return false;
		case MIGRATE_OBJ_DOMAIN:
			/* a new base type cannot be given in place */
			return !same(a->attr[0], b->attr[0]);
		case MIGRATE_OBJ_COMPOSITE:
			return false;
		case MIGRATE_OBJ_RANGE:
		case MIGRATE_OBJ_CONSTRAINT:
		case MIGRATE_OBJ_INDEX:
		case MIGRATE_OBJ_VIEW:
		case MIGRATE_OBJ_MATVIEW:
		case MIGRATE_OBJ_TRIGGER:
		case MIGRATE_OBJ_POLICY:
			return !same(a->def, b->def) || !same(a->attr[0], b->attr[0]) ||
				!migrate_same_list(a->list, a->nlist, b->list, b->nlist);
		case MIGRATE_OBJ_FUNCTION:
		case MIGRATE_OBJ_PROCEDURE:
		case MIGRATE_OBJ_AGGREGATE:
			/* CREATE OR REPLACE cannot change the result type */
			return !same(a->attr[0], b->attr[0]);
		default:
			return false;
	}
}

/* Whether a and b differ at all (in what the diff generates). */
static bool
differs(const MigrateSchemaObject *a, const MigrateSchemaObject *b)
{
	int			i;

	if (!same(a->qname, b->qname) || !same(a->def, b->def) ||
		!same(a->comment, b->comment))
		return true;
	for (i = 0; i < MIGRATE_OBJ_NATTRS; i++)
		if (!same(a->attr[i], b->attr[i]))
		{
			if (b->kind == MIGRATE_OBJ_CONSTRAINT && i == 1)
				continue;
			return true;
		}
	if (b->kind == MIGRATE_OBJ_COMPOSITE ?
		!migrate_same_set(a->list, a->nlist, b->list, b->nlist) :
		b->kind != MIGRATE_OBJ_COLUMN &&
		!migrate_same_list(a->list, a->nlist, b->list, b->nlist))
		return true;
	return !migrate_same_list(a->grants, a->ngrants, b->grants, b->ngrants);
}

/* Whether the object's definition itself (not its comment, grants) differs. */
static bool
body_differs(const MigrateSchemaObject *a, const MigrateSchemaObject *b)
{
	MigrateSchemaObject a2 = *a;

	a2.comment = b->comment;
	a2.grants = b->grants;
	a2.ngrants = b->ngrants;
	return differs(&a2, b);
}

/* ------------------------------------------------------------------------
 * Fates
 * ------------------------------------------------------------------------
 */

static bool
is_dependent_kind(MigrateObjectKind k)
{
	return k == MIGRATE_OBJ_VIEW || k == MIGRATE_OBJ_MATVIEW ||
		k == MIGRATE_OBJ_POLICY || k == MIGRATE_OBJ_TRIGGER ||
		k == MIGRATE_OBJ_CONSTRAINT || k == MIGRATE_OBJ_INDEX ||
		k == MIGRATE_OBJ_FUNCTION || k == MIGRATE_OBJ_PROCEDURE;
}

/*
 * Objects of "from" that must go before something they depend on changes:
 * whatever depends on a dropped or recreated object, and the views,
 * materialized views and policies that use a column whose type changes.
 * Repeated until nothing more is found.
 */
static void
spread_recreation(DiffState *st)
{
	const MigrateSchemaSnapshot *from = st->from;
	bool		changed = true;
	int			i;
	int			d;

	while (changed)
	{
		changed = false;
		for (i = 0; i < from->nobjs; i++)
		{
			const MigrateSchemaObject *o = &from->objs[i];

			if (st->fate_from[i] == FATE_DROP || st->fate_from[i] == FATE_RECREATE)
				continue;
			if (!is_dependent_kind(o->kind))
				continue;
			for (d = 0; d < o->ndeps; d++)
			{
				int			k = migrate_snapshot_find(from, o->deps[d]);
				bool		forced = false;

				if (k < 0)
					continue;
				if (st->fate_from[k] == FATE_DROP || st->fate_from[k] == FATE_RECREATE)
					forced = !(from->objs[k].kind == MIGRATE_OBJ_COLUMN &&
							   (o->kind == MIGRATE_OBJ_INDEX ||
								o->kind == MIGRATE_OBJ_CONSTRAINT) &&
							   same(o->parent, from->objs[k].parent));
				else if (st->fate_from[k] == FATE_ALTER &&
						 from->objs[k].kind == MIGRATE_OBJ_COLUMN &&
						 st->match_to[k] >= 0 &&
						 !same(from->objs[k].attr[0], st->to->objs[st->match_to[k]].attr[0]) &&
						 (o->kind == MIGRATE_OBJ_VIEW || o->kind == MIGRATE_OBJ_MATVIEW ||
						  o->kind == MIGRATE_OBJ_POLICY || o->kind == MIGRATE_OBJ_TRIGGER))
					forced = true;
				if (forced)
				{
					if (st->match_to[i] >= 0)
					{
						st->fate_from[i] = FATE_RECREATE;
						st->fate_to[st->match_to[i]] = FATE_RECREATE;
					}
					else
						st->fate_from[i] = FATE_DROP;
					changed = true;
					break;
				}
			}
		}
	}
}

static void
decide_fates(DiffState *st)
{
	const MigrateSchemaSnapshot *from = st->from;
	const MigrateSchemaSnapshot *to = st->to;
	int			i;

	for (i = 0; i < from->nobjs; i++)
	{
		int			j;

		st->renamed_id[i] = renamed_id(&from->objs[i], st->opts);
		j = migrate_snapshot_find(to, st->renamed_id[i]);
		if (j >= 0 && to->objs[j].kind != from->objs[i].kind)
			j = -1;
		st->match_to[i] = j;
		if (j >= 0)
			st->match_from[j] = i;
	}
	for (i = 0; i < from->nobjs; i++)
	{
		int			j = st->match_to[i];

		if (j < 0)
			st->fate_from[i] = FATE_DROP;
		else if (!differs(&from->objs[i], &to->objs[j]))
			st->fate_from[i] = st->fate_to[j] = FATE_KEEP;
		else if (needs_recreate(&from->objs[i], &to->objs[j]))
			st->fate_from[i] = st->fate_to[j] = FATE_RECREATE;
		else
			st->fate_from[i] = st->fate_to[j] = FATE_ALTER;
	}
	for (i = 0; i < to->nobjs; i++)
		if (st->match_from[i] < 0)
			st->fate_to[i] = FATE_CREATE;
	spread_recreation(st);

	/* a recreated table takes its columns and everything on it along */
	for (i = 0; i < from->nobjs; i++)
	{
		const MigrateSchemaObject *o = &from->objs[i];
		int			k;

		if (o->parent == NULL || st->fate_from[i] == FATE_DROP ||
			st->fate_from[i] == FATE_RECREATE)
			continue;
		k = migrate_snapshot_find_table(from, o->parent);
		if (k >= 0 && st->fate_from[k] == FATE_RECREATE)
		{
			st->fate_from[i] = FATE_RECREATE;
			if (st->match_to[i] >= 0)
				st->fate_to[st->match_to[i]] = FATE_RECREATE;
		}
	}
}

/* ------------------------------------------------------------------------
 * The diff
 * ------------------------------------------------------------------------
 */

static void
append_all(MigrateDiff *diff, int *cap, const StmtList *list)
{
	int			i;

	for (i = 0; i < list->n; i++)
	{
		if (diff->nstmts == *cap)
		{
			*cap = *cap ? *cap * 2 : 16;
			diff->stmts = diff->stmts ?
				repalloc(diff->stmts, sizeof(MigrateDiffStatement) * *cap) :
				palloc(sizeof(MigrateDiffStatement) * *cap);
		}
		diff->stmts[diff->nstmts] = list->items[i];
		if (list->items[i].data_loss)
			diff->ndata_loss++;
		if (list->items[i].unsupported)
			diff->nunsupported++;
		diff->nstmts++;
	}
}

/* GRANT and REVOKE that turn grants "have" into "want". */
static void
grant_changes(const MigrateSchemaObject *o, char **have, int nhave,
			  char **want, int nwant, StmtList *out)
{
	int			i;
	int			j;

	for (i = 0; i < nhave; i++)
	{
		bool		found = false;

		for (j = 0; j < nwant && !found; j++)
			found = same(have[i], want[j]);
		if (!found)
		{
			/* "PRIV grantee [WITH GRANT OPTION]" */
			const char *sp = strchr(have[i], ' ');
			char	   *grantee = pstrdup(sp ? sp + 1 : "");
			char	   *opt = strstr(grantee, " WITH GRANT OPTION");

			if (opt)
				*opt = '\0';
			list_add(out, o->id, psprintf("REVOKE %.*s%s ON %s FROM %s;",
										  sp ? (int) (sp - have[i]) : 0, have[i],
										  column_list(o), grant_target(o), grantee),
					 false, false, NULL);
		}
	}
	for (j = 0; j < nwant; j++)
	{
		bool		found = false;

		for (i = 0; i < nhave && !found; i++)
			found = same(have[i], want[j]);
		if (!found)
		{
			const char *sp = strchr(want[j], ' ');

			list_add(out, o->id, psprintf("GRANT %.*s%s ON %s TO %s;",
										  sp ? (int) (sp - want[j]) : 0, want[j],
										  column_list(o), grant_target(o), sp ? sp + 1 : ""),
					 false, false, NULL);
		}
	}
}

MigrateDiff *
migrate_schema_diff(const MigrateSchemaSnapshot *from,
					const MigrateSchemaSnapshot *to,
					const MigrateDiffOptions *opts)
{
	DiffState	st;
	MigrateDiff *diff = palloc0(sizeof(MigrateDiff));
	int			cap = 0;
	int		   *order;
	int			norder;
	bool	   *want;
	StmtList	drops = {0};
	StmtList	creates = {0};
	StmtList	post = {0};
	int			i;
	int			k;

	memset(&st, 0, sizeof(st));
	st.from = from;
	st.to = to;
	st.opts = opts;
	st.match_to = palloc(sizeof(int) * (from->nobjs + 1));
	st.match_from = palloc(sizeof(int) * (to->nobjs + 1));
	st.fate_from = palloc0(sizeof(Fate) * (from->nobjs + 1));
	st.fate_to = palloc0(sizeof(Fate) * (to->nobjs + 1));
	st.renamed_id = palloc(sizeof(char *) * (from->nobjs + 1));
	for (i = 0; i < to->nobjs; i++)
		st.match_from[i] = -1;
	decide_fates(&st);

	/* drops, dependents first */
	want = palloc0(sizeof(bool) * (from->nobjs + 1));
	for (i = 0; i < from->nobjs; i++)
		want[i] = st.fate_from[i] == FATE_DROP || st.fate_from[i] == FATE_RECREATE;
	norder = migrate_schema_order(from, want, &order);
	for (k = norder - 1; k >= 0; k--)
		drop_object(&st, &from->objs[order[k]], &drops);

	/* creations and changes, what they depend on first */
	want = palloc0(sizeof(bool) * (to->nobjs + 1));
	for (i = 0; i < to->nobjs; i++)
		want[i] = st.fate_to[i] != FATE_KEEP;
	norder = migrate_schema_order(to, want, &order);
	for (k = 0; k < norder; k++)
	{
		const MigrateSchemaObject *b = &to->objs[order[k]];
		int			f = st.match_from[order[k]];
		const MigrateSchemaObject *a = f >= 0 ? &from->objs[f] : NULL;

		if (st.fate_to[order[k]] == FATE_ALTER)
		{
			if (!body_differs(a, b))
				continue;
			switch (b->kind)
			{
				case MIGRATE_OBJ_COLUMN:
					alter_column(&st, a, b, &creates);
					break;
				case MIGRATE_OBJ_TABLE:
					alter_table(&st, a, b, &creates);
					break;
				case MIGRATE_OBJ_ENUM:
					if (!alter_enum(a, b, &creates))
						recreate_enum(&st, b, &creates);
					break;
				case MIGRATE_OBJ_DOMAIN:
					alter_domain(a, b, &creates);
					break;
				case MIGRATE_OBJ_COMPOSITE:
					alter_composite(a, b, &creates);
					break;
				case MIGRATE_OBJ_EXTENSION:
					if (!same(a->attr[0], b->attr[0]))
						list_add(&creates, b->id, psprintf("ALTER EXTENSION %s UPDATE TO %s;", b->qname,
														   migrate_sql_literal(b->attr[0])), false, false, NULL);
					if (!same(a->attr[1], b->attr[1]))
						list_add(&creates, b->id, psprintf("ALTER EXTENSION %s SET SCHEMA %s;", b->qname,
														   b->attr[1]), false, false, NULL);
					break;
				case MIGRATE_OBJ_SEQUENCE:
					if (!same(a->def, b->def))
						list_add(&creates, b->id, psprintf("ALTER SEQUENCE %s %s;", b->qname, b->def),
								 false, false, NULL);
					if (!same(a->attr[0], b->attr[0]))
						list_add(&creates, b->id, psprintf("ALTER SEQUENCE %s SET %s;", b->qname,
														   same(b->attr[0], "u") ? "UNLOGGED" : "LOGGED"),
								 false, false, NULL);
					break;
				case MIGRATE_OBJ_FUNCTION:
				case MIGRATE_OBJ_PROCEDURE:
					list_add(&creates, b->id, psprintf("%s;", without_semicolon(b->def)), false, false, NULL);
					break;
				default:
					break;
			}
		}
		else
			create_object(&st, b, &creates);
	}

	/* sequence ownership, comments and grants */
	for (i = 0; i < to->nobjs; i++)
	{
		const MigrateSchemaObject *b = &to->objs[i];
		int			f = st.match_from[i];
		const MigrateSchemaObject *a = f >= 0 ? &from->objs[f] : NULL;
		bool		fresh = st.fate_to[i] == FATE_CREATE || st.fate_to[i] == FATE_RECREATE;

		if (b->kind == MIGRATE_OBJ_SEQUENCE &&
			(fresh ? !empty(b->attr[3]) : !same(a->attr[3], b->attr[3])))
			list_add(&post, b->id, psprintf("ALTER SEQUENCE %s OWNED BY %s;", b->qname,
											empty(b->attr[3]) ? "NONE" : b->attr[3]),
					 false, false, NULL);
		if (fresh ? b->comment != NULL : !same(a->comment, b->comment))
		{
			if (b->kind == MIGRATE_OBJ_COLUMN && !column_is_local(b))
				continue;
			list_add(&post, b->id, psprintf("COMMENT ON %s IS %s;", object_target(b),
											b->comment ? migrate_sql_literal(b->comment) : "NULL"),
					 false, false, NULL);
		}
		if (b->has_grants)
		{
			if (fresh)
				grant_changes(b, b->default_grants, b->ndefault_grants, b->grants, b->ngrants, &post);
			else
				grant_changes(b, a->grants, a->ngrants, b->grants, b->ngrants, &post);
		}
	}

	append_all(diff, &cap, &drops);
	append_all(diff, &cap, &creates);
	append_all(diff, &cap, &post);
	return diff;
}
