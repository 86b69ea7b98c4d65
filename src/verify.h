/*-------------------------------------------------------------------------
 *
 * verify.h
 *	  Declarations shared by schemaprint.c, verify.c and explain.c: schema
 *	  fingerprints, and running revisions on trial inside a subtransaction
 *	  that is rolled back.
 *
 * IDENTIFICATION
 *	  src/verify.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_MIGRATE_VERIFY_H
#define PG_MIGRATE_VERIFY_H

#include "utils/resowner.h"

#include "schemadiff.h"

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

/* verify.c */
extern void migrate_trial_begin(MigrateTrial *trial);
extern void migrate_trial_rollback(MigrateTrial *trial);
extern void migrate_trial_release(MigrateTrial *trial);

#endif							/* PG_MIGRATE_VERIFY_H */
