/*-------------------------------------------------------------------------
 *
 * schemacompare.h
 *	  Schema fingerprints and their comparison: pure C, no SPI, shared by
 *	  the extension and the unit tests.
 *
 * IDENTIFICATION
 *	  src/common/schemacompare.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_MIGRATE_SCHEMADIFF_H
#define PG_MIGRATE_SCHEMADIFF_H

/* One object of a schema fingerprint. */
typedef struct MigrateSchemaObject
{
	char	   *identity;		/* kind and names, e.g. "index public.t_a_idx" */
	char	   *definition;
} MigrateSchemaObject;

/* A schema fingerprint: objects sorted by identity, in byte order. */
typedef struct MigrateSchemaPrint
{
	MigrateSchemaObject *objs;
	int			nobjs;
} MigrateSchemaPrint;

typedef enum MigrateSchemaChangeKind
{
	MIGRATE_SCHEMA_ADDED,		/* in after only */
	MIGRATE_SCHEMA_REMOVED,		/* in before only */
	MIGRATE_SCHEMA_CHANGED		/* in both, with other definitions */
} MigrateSchemaChangeKind;

/* One difference: indexes into before and after, -1 for none. */
typedef struct MigrateSchemaChange
{
	MigrateSchemaChangeKind kind;
	int			before;
	int			after;
} MigrateSchemaChange;

extern int	migrate_schema_compare(const MigrateSchemaPrint *before,
								   const MigrateSchemaPrint *after,
								   MigrateSchemaChange **changes);

#endif							/* PG_MIGRATE_SCHEMADIFF_H */
