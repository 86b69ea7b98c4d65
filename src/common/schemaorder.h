/*-------------------------------------------------------------------------
 *
 * schemaorder.h
 *	  Objects of a schema snapshot in the order their dependencies give.
 *
 * IDENTIFICATION
 *	  src/common/schemaorder.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_SCHEMAORDER_H
#define MIGRATE_SCHEMAORDER_H

#include "common/schemasnap.h"

extern int	migrate_schema_order(const MigrateSchemaSnapshot *snap,
								 const bool *want, int **order);

#endif							/* MIGRATE_SCHEMAORDER_H */
