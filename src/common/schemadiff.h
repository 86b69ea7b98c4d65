/*-------------------------------------------------------------------------
 *
 * schemadiff.h
 *	  The SQL that turns one schema snapshot into another (autogenerate).
 *
 * IDENTIFICATION
 *	  src/common/schemadiff.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_SCHEMADIFF_H
#define MIGRATE_SCHEMADIFF_H

#include "common/schemasnap.h"

typedef struct MigrateDiffOptions
{
	bool		concurrently;	/* CREATE INDEX CONCURRENTLY on tables that
								 * exist on both sides */
	char	  **rename_from;	/* --rename OLD=NEW: a table "schema.table"
								 * or a column "schema.table.column" */
	char	  **rename_to;
	int			nrenames;
} MigrateDiffOptions;

typedef struct MigrateDiffStatement
{
	char	   *sql;			/* one statement, ending in ";" */
	char	   *note;			/* NULL, or a comment line to print above */
	bool		data_loss;		/* loses data: runnable only when allowed */
	bool		nontransactional;	/* must run outside a transaction block */
	bool		unsupported;	/* no statement can do it: sql is a comment */
	const char *object;			/* the id of the object it concerns */
} MigrateDiffStatement;

typedef struct MigrateDiff
{
	MigrateDiffStatement *stmts;	/* in the order they must run */
	int			nstmts;
	int			ndata_loss;
	int			nunsupported;
} MigrateDiff;

extern MigrateDiff *migrate_schema_diff(const MigrateSchemaSnapshot *from,
										const MigrateSchemaSnapshot *to,
										const MigrateDiffOptions *opts);
extern char *migrate_sql_literal(const char *s);

#endif							/* MIGRATE_SCHEMADIFF_H */
