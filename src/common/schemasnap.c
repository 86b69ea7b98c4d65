/*-------------------------------------------------------------------------
 *
 * schemasnap.c
 *	  The schema snapshot: object kinds, the text[] columns of the catalog
 *	  query, lookup by id, and the comparison the autogenerate proof uses.
 *
 * Pure C, shared by the client and the unit tests.
 *
 * IDENTIFICATION
 *	  src/common/schemasnap.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef FRONTEND
#include "postgres.h"
#else
#include "postgres_fe.h"
#endif

#include "common/schemasnap.h"
#include "lib/stringinfo.h"

static const char *const kind_names[] = {
	[MIGRATE_OBJ_SCHEMA] = "schema",
	[MIGRATE_OBJ_EXTENSION] = "extension",
	[MIGRATE_OBJ_ENUM] = "enum",
	[MIGRATE_OBJ_DOMAIN] = "domain",
	[MIGRATE_OBJ_COMPOSITE] = "composite",
	[MIGRATE_OBJ_RANGE] = "range",
	[MIGRATE_OBJ_SEQUENCE] = "sequence",
	[MIGRATE_OBJ_TABLE] = "table",
	[MIGRATE_OBJ_COLUMN] = "column",
	[MIGRATE_OBJ_CONSTRAINT] = "constraint",
	[MIGRATE_OBJ_INDEX] = "index",
	[MIGRATE_OBJ_VIEW] = "view",
	[MIGRATE_OBJ_MATVIEW] = "matview",
	[MIGRATE_OBJ_FUNCTION] = "function",
	[MIGRATE_OBJ_PROCEDURE] = "procedure",
	[MIGRATE_OBJ_AGGREGATE] = "aggregate",
	[MIGRATE_OBJ_TRIGGER] = "trigger",
	[MIGRATE_OBJ_POLICY] = "policy",
	[MIGRATE_OBJ_UNKNOWN] = "unknown",
};

/* The kind the query's first column names. */
MigrateObjectKind
migrate_object_kind(const char *name)
{
	int			k;

	for (k = 0; k < MIGRATE_OBJ_UNKNOWN; k++)
		if (strcmp(kind_names[k], name) == 0)
			return (MigrateObjectKind) k;
	return MIGRATE_OBJ_UNKNOWN;
}

const char *
migrate_object_kind_name(MigrateObjectKind kind)
{
	return kind_names[kind];
}

/*
 * Split the text form of a one-dimensional text[] ("{a,"b c",NULL}") into
 * palloc'd strings; a NULL element becomes NULL.  False on a malformed
 * literal.
 */
bool
migrate_parse_text_array(const char *literal, char ***items, int *nitems)
{
	const char *p = literal;
	int			cap = 8;
	int			n = 0;
	char	  **out;

	*items = NULL;
	*nitems = 0;
	if (p == NULL || *p != '{')
		return false;
	p++;
	out = palloc(sizeof(char *) * cap);
	if (*p == '}')
	{
		*items = out;
		return p[1] == '\0';
	}
	for (;;)
	{
		StringInfoData buf;
		bool		quoted = false;

		initStringInfo(&buf);
		if (*p == '"')
		{
			quoted = true;
			p++;
			while (*p != '"')
			{
				if (*p == '\0')
					return false;
				if (*p == '\\')
				{
					p++;
					if (*p == '\0')
						return false;
				}
				appendStringInfoChar(&buf, *p++);
			}
			p++;
		}
		else
		{
			while (*p != ',' && *p != '}')
			{
				if (*p == '\0' || *p == '"' || *p == '{')
					return false;
				appendStringInfoChar(&buf, *p++);
			}
		}
		if (n == cap)
		{
			cap *= 2;
			out = repalloc(out, sizeof(char *) * cap);
		}
		if (!quoted && strcmp(buf.data, "NULL") == 0)
		{
			pfree(buf.data);
			out[n++] = NULL;
		}
		else
			out[n++] = buf.data;
		if (*p == '}')
			break;
		if (*p != ',')
			return false;		/* after a closing quote: the end, or junk */
		p++;
	}
	if (p[1] != '\0')
		return false;
	*items = out;
	*nitems = n;
	return true;
}

static int
compare_objects(const void *a, const void *b)
{
	return strcmp(((const MigrateSchemaObject *) a)->id,
				  ((const MigrateSchemaObject *) b)->id);
}

/* Sort the objects by id, as the query does (COLLATE "C"). */
void
migrate_snapshot_sort(MigrateSchemaSnapshot *snap)
{
	if (snap->nobjs > 1)
		qsort(snap->objs, snap->nobjs, sizeof(MigrateSchemaObject),
			  compare_objects);
}

/* The index of the object with this id, or -1. */
int
migrate_snapshot_find(const MigrateSchemaSnapshot *snap, const char *id)
{
	int			lo = 0;
	int			hi = snap->nobjs - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = strcmp(snap->objs[mid].id, id);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/*
 * The index of the table named qname (quoted, as a column's parent is), or
 * -1: its id is "table " and that name, as pg_identify_object prints it.
 */
int
migrate_snapshot_find_table(const MigrateSchemaSnapshot *snap,
							const char *qname)
{
	char	   *id = psprintf("table %s", qname);
	int			i = migrate_snapshot_find(snap, id);

	pfree(id);
	return i;
}

static bool
same_string(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Whether two lists hold the same strings in the same order. */
bool
migrate_same_list(char **a, int na, char **b, int nb)
{
	int			i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (!same_string(a[i], b[i]))
			return false;
	return true;
}

/* Whether two lists hold the same strings, in any order. */
bool
migrate_same_set(char **a, int na, char **b, int nb)
{
	int			i;
	int			j;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
	{
		for (j = 0; j < nb; j++)
			if (same_string(a[i], b[j]))
				break;
		if (j == nb)
			return false;
	}
	return true;
}

/*
 * Whether two objects of the same id are the same object for the proof.
 * Left out: a column's position (a column added to an existing table comes
 * last, as ALTER TABLE puts it), a constraint's validation state, and the
 * dependencies (they follow from the definitions).
 */
static bool
same_object(const MigrateSchemaObject *a, const MigrateSchemaObject *b)
{
	int			i;

	if (a->kind != b->kind || !same_string(a->qname, b->qname) ||
		!same_string(a->parent, b->parent) || !same_string(a->def, b->def) ||
		!same_string(a->comment, b->comment))
		return false;
	for (i = 0; i < MIGRATE_OBJ_NATTRS; i++)
	{
		if (a->kind == MIGRATE_OBJ_CONSTRAINT && i == 1)
			continue;
		if (!same_string(a->attr[i], b->attr[i]))
			return false;
	}
	/* a composite type's attributes: ADD ATTRIBUTE puts a new one last */
	if (a->kind == MIGRATE_OBJ_COMPOSITE ?
		!migrate_same_set(a->list, a->nlist, b->list, b->nlist) :
		a->kind != MIGRATE_OBJ_COLUMN &&
		!migrate_same_list(a->list, a->nlist, b->list, b->nlist))
		return false;
	return migrate_same_list(a->grants, a->ngrants, b->grants, b->ngrants);
}

/*
 * The ids of the objects that differ between a and b (present in one
 * only, or different), palloc'd, in id order; returns how many.
 */
int
migrate_snapshot_differences(const MigrateSchemaSnapshot *a,
							 const MigrateSchemaSnapshot *b, char ***ids)
{
	int			i = 0;
	int			j = 0;
	int			n = 0;
	char	  **out = palloc(sizeof(char *) * (a->nobjs + b->nobjs + 1));

	while (i < a->nobjs || j < b->nobjs)
	{
		int			c;

		if (i == a->nobjs)
			c = 1;
		else if (j == b->nobjs)
			c = -1;
		else
			c = strcmp(a->objs[i].id, b->objs[j].id);
		if (c < 0)
			out[n++] = a->objs[i++].id;
		else if (c > 0)
			out[n++] = b->objs[j++].id;
		else
		{
			if (!same_object(&a->objs[i], &b->objs[j]))
				out[n++] = a->objs[i].id;
			i++;
			j++;
		}
	}
	*ids = out;
	return n;
}
