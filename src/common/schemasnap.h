/*-------------------------------------------------------------------------
 *
 * schemasnap.h
 *	  A snapshot of a database's schema, as the catalog query of
 *	  schemasnap_query.c reads it: one object per row, its definition
 *	  rendered by PostgreSQL itself (pg_get_indexdef, pg_get_viewdef, ...),
 *	  its dependencies from pg_depend.  Pure C; the client fills it from
 *	  the query's rows, the diff (schemadiff.c) compares two of them.
 *
 * IDENTIFICATION
 *	  src/common/schemasnap.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_SCHEMASNAP_H
#define MIGRATE_SCHEMASNAP_H

/*
 * The kinds of object, in the order the query names them.  The attributes
 * a kind uses (attr[0] .. attr[5]) are listed beside it.
 */
typedef enum MigrateObjectKind
{
	MIGRATE_OBJ_SCHEMA,
	MIGRATE_OBJ_EXTENSION,		/* version, schema */
	MIGRATE_OBJ_ENUM,			/* list: the labels in order */
	MIGRATE_OBJ_DOMAIN,			/* def: "base [COLLATE] [DEFAULT] [NOT NULL]
								 * [CONSTRAINT ...]" */
	MIGRATE_OBJ_COMPOSITE,		/* def: the attribute list */
	MIGRATE_OBJ_RANGE,			/* def: the range options */
	MIGRATE_OBJ_SEQUENCE,		/* def: options; persistence; owned by */
	MIGRATE_OBJ_TABLE,			/* persistence, partition key, partition
								 * bound, partition parent, inherits, RLS
								 * flags; list: reloptions */
	MIGRATE_OBJ_COLUMN,			/* def: default; type, not null, identity,
								 * generated, collation, identity options;
								 * list: number, local or inherited */
	MIGRATE_OBJ_CONSTRAINT,		/* def; type, validated, local */
	MIGRATE_OBJ_INDEX,			/* def */
	MIGRATE_OBJ_VIEW,			/* def: the query; list: reloptions */
	MIGRATE_OBJ_MATVIEW,		/* def: the query */
	MIGRATE_OBJ_FUNCTION,		/* def: CREATE OR REPLACE ...; result */
	MIGRATE_OBJ_PROCEDURE,
	MIGRATE_OBJ_AGGREGATE,		/* not generated: reported */
	MIGRATE_OBJ_TRIGGER,		/* def */
	MIGRATE_OBJ_POLICY,			/* def: "AS ... FOR ... TO ... USING ..." */
	MIGRATE_OBJ_UNKNOWN
} MigrateObjectKind;

#define MIGRATE_OBJ_NATTRS 6

typedef struct MigrateSchemaObject
{
	MigrateObjectKind kind;
	char	   *id;				/* "table public.task", as pg_identify_object */
	char	   *qname;			/* quoted name, schema-qualified where it has
								 * one; a function's with its arguments */
	char	   *parent;			/* the table of a column, constraint, index,
								 * trigger or policy (quoted) */
	char	   *def;
	char	   *attr[MIGRATE_OBJ_NATTRS];
	char	  **list;
	int			nlist;
	char	   *comment;
	bool		has_grants;		/* grants apply to this kind */
	char	  **grants;			/* "SELECT reader [WITH GRANT OPTION]" */
	int			ngrants;
	char	  **default_grants; /* what a new object of it gets */
	int			ndefault_grants;
	char	  **deps;			/* ids of the objects it depends on */
	int			ndeps;
} MigrateSchemaObject;

typedef struct MigrateSchemaSnapshot
{
	MigrateSchemaObject *objs;	/* sorted by id (byte order) */
	int			nobjs;
} MigrateSchemaSnapshot;

/* the catalog query: $1 text[] schemas to include (NULL: all), $2 to leave out */
extern const char *const migrate_snapshot_query;
#define MIGRATE_SNAPSHOT_COLUMNS 16

extern MigrateObjectKind migrate_object_kind(const char *name);
extern const char *migrate_object_kind_name(MigrateObjectKind kind);
extern bool migrate_parse_text_array(const char *literal, char ***items,
									 int *nitems);
extern void migrate_snapshot_sort(MigrateSchemaSnapshot *snap);
extern int	migrate_snapshot_find(const MigrateSchemaSnapshot *snap,
								  const char *id);
extern int	migrate_snapshot_find_table(const MigrateSchemaSnapshot *snap,
										const char *qname);
extern bool migrate_same_list(char **a, int na, char **b, int nb);
extern bool migrate_same_set(char **a, int na, char **b, int nb);
extern int	migrate_snapshot_differences(const MigrateSchemaSnapshot *a,
										 const MigrateSchemaSnapshot *b,
										 char ***ids);

#endif							/* MIGRATE_SCHEMASNAP_H */
