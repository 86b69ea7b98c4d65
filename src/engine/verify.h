/*-------------------------------------------------------------------------
 *
 * verify.h
 *	  Declarations shared by schemaprint.c, verify.c and explain.c: schema
 *	  fingerprints, and running revisions on trial inside a subtransaction
 *	  that is rolled back.
 *
 * IDENTIFICATION
 *	  src/engine/verify.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_MIGRATE_VERIFY_H
#define PG_MIGRATE_VERIFY_H

#include "nodes/execnodes.h"
#include "utils/resowner.h"

#include "pg_migrate.h"

#include "common/schemacompare.h"

/* schemaprint.c */
extern void migrate_schemaprint_take(MigrateSchemaPrint *print);
extern int	migrate_schemaprint_diff(const MigrateSchemaPrint *before,
									 const MigrateSchemaPrint *after,
									 char ***diffs);

/* What a trial subtransaction must give back when it ends. */
typedef struct MigrateTrial
{
	MemoryContext cxt;
	ResourceOwner owner;
} MigrateTrial;

/* What migrate_trial_plan() runs over the plan, inside its trial. */
typedef void (*MigrateTrialBody) (ReturnSetInfo *rsinfo,
								  const MigrateState *state,
								  const MigratePlan *plan);

/* verify.c */
extern void migrate_trial_plan(FunctionCallInfo fcinfo, const char *what,
							   MigrateTrialBody body);

#endif							/* PG_MIGRATE_VERIFY_H */
