/*-------------------------------------------------------------------------
 *
 * locks.h
 *	  The advisory lock keys pg_migrate takes, for the extension and the
 *	  client alike.
 *
 * Both are the int4 pair (MIGRATE_LOCK_KEY1, key2) of
 * pg_advisory_xact_lock(int, int) / pg_advisory_lock(int, int); pg_locks
 * shows them as locktype "advisory", classid 1886218599, objid key2,
 * objsubid 2.
 *
 * MIGRATE_LOCK_KEY2		every state-changing call, transaction-level
 * MIGRATE_RUN_LOCK_KEY2	a run spanning several transactions
 *							(migrate_run, and the client running
 *							non-transactional revisions), session-level
 *
 * IDENTIFICATION
 *	  src/common/locks.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_LOCKS_H
#define MIGRATE_LOCKS_H

#define MIGRATE_LOCK_KEY1		0x706d6967	/* "pmig", 1886218599 */
#define MIGRATE_LOCK_KEY2		1
#define MIGRATE_RUN_LOCK_KEY2	2

/* the same keys as SQL literals, for the client */
#define MIGRATE_LOCK_KEY1_SQL		"1886218599"
#define MIGRATE_RUN_LOCK_KEY2_SQL	"2"

#endif							/* MIGRATE_LOCKS_H */
