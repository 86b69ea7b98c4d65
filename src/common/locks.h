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
 * MIGRATE_LOCK_KEY2		every state-changing call, transaction-level;
 *							a call in a scope (a tenant schema) takes it
 *							in ShareLock mode, the others ExclusiveLock
 * MIGRATE_RUN_LOCK_KEY2	a run spanning several transactions
 *							(migrate_run, and the client running
 *							non-transactional revisions), session-level
 *
 * A call in a scope also takes (MIGRATE_SCOPE_LOCK_KEY1, hash of the
 * scope's name), transaction-level, ExclusiveLock: calls in one scope
 * serialise, calls in different scopes do not wait for each other (two
 * names with the same hash do, which is harmless), and registration or a
 * shared run waits for every scoped call and blocks new ones.  The hash
 * is hashtext()'s, so that the client running a scope's non-transactional
 * revision holds the same lock for its session.
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
#define MIGRATE_SCOPE_LOCK_KEY1	0x706d7363	/* "pmsc", 1886221155 */

/* the same keys as SQL literals, for the client */
#define MIGRATE_LOCK_KEY1_SQL		"1886218599"
#define MIGRATE_RUN_LOCK_KEY2_SQL	"2"
#define MIGRATE_SCOPE_LOCK_KEY1_SQL	"1886221155"

#endif							/* MIGRATE_LOCKS_H */
