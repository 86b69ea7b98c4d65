/*-------------------------------------------------------------------------
 *
 * locks.c
 *	  Taking the migration lock.
 *
 * Every state-changing call first takes a transaction-level advisory lock
 * (the keys are in common/locks.h), then reads the catalog.  In READ
 * COMMITTED each catalog query takes a fresh snapshot, so a session that
 * waited for the lock sees everything the holder committed, and finds
 * nothing left to do.  Under REPEATABLE READ or SERIALIZABLE the snapshot
 * was taken before the wait, and cannot see the holder's work: such a
 * caller would apply revisions twice.  migrate.state.generation, bumped by
 * every change, tells: when the transaction's snapshot and the newest one
 * disagree on it, the call fails with a serialization failure, which the
 * application retries as it retries any other.
 *
 * IDENTIFICATION
 *	  src/engine/locks.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/guc.h"

#include "pg_migrate.h"

static void acquire_advisory(uint32 key1, uint32 key2, LOCKMODE mode,
							 bool session, const char *waiting,
							 const char *what);

/* Error context callback while waiting for an advisory lock of ours. */
static void
advisory_wait_callback(void *arg)
{
	errcontext("waiting for the %s", (const char *) arg);
}

/*
 * Take the advisory lock (MIGRATE_LOCK_KEY1, key2) in ExclusiveLock mode,
 * for the session or for the transaction.  When it is not free at once,
 * send the NOTICE waiting (which says what the other session does), and
 * wait at most pg_migrate.lock_timeout when that is set (the session's
 * lock_timeout otherwise); what names the lock in the context of a
 * timeout error ("migration lock").
 */
void
migrate_acquire_advisory(uint32 key2, bool session, const char *waiting,
						 const char *what)
{
	acquire_advisory(MIGRATE_LOCK_KEY1, key2, ExclusiveLock, session,
					 waiting, what);
}

/*
 * The body of migrate_acquire_advisory, for any advisory lock (key1, key2)
 * of ours and mode.
 */
static void
acquire_advisory(uint32 key1, uint32 key2, LOCKMODE mode, bool session,
				 const char *waiting, const char *what)
{
	LOCKTAG		tag;
	ErrorContextCallback callback;
	int			nestlevel;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, key1, key2, 2);
	if (LockAcquire(&tag, mode, session, true) != LOCKACQUIRE_NOT_AVAIL)
		return;

	if (migrate_notice_steps)
		ereport(NOTICE,
				(errmsg_internal("%s", waiting)));

	nestlevel = NewGUCNestLevel();
	if (migrate_lock_timeout > 0)
	{
		char		value[32];

		snprintf(value, sizeof(value), "%d", migrate_lock_timeout);
		(void) set_config_option("lock_timeout", value, PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
								 false);
	}
	callback.callback = advisory_wait_callback;
	callback.arg = (void *) what;
	callback.previous = error_context_stack;
	error_context_stack = &callback;

	(void) LockAcquire(&tag, mode, session, false);

	error_context_stack = callback.previous;
	AtEOXact_GUC(false, nestlevel);
}

/*
 * What every state-changing call does first: refuse on a standby, take the
 * migration lock (and, in a scope, the scope's), and make sure this
 * transaction's snapshot is not older than the last change (see the note
 * at the top of this file).
 */
void
migrate_begin_change(void)
{
	const char *scope = migrate_scope();

	if (migrate_in_revision())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot change the migration state from inside a revision"),
				 errdetail("A revision's SQL called a function that registers, applies or stamps revisions.")));

	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot run migrations during recovery"),
				 errdetail("This server is a standby."),
				 errhint("Run migrations on the primary server.")));

	if (XactReadOnly)
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot run migrations in a read-only transaction")));

	if (scope != NULL)
	{
		/*
		 * A scope's change: shares the migration lock with the other
		 * scopes' (see common/locks.h), and holds its scope's own.
		 */
		acquire_advisory(MIGRATE_LOCK_KEY1, MIGRATE_LOCK_KEY2, ShareLock,
						 false,
						 _("waiting for another session's migration to finish"),
						 "migration lock");
		acquire_advisory(MIGRATE_SCOPE_LOCK_KEY1,
						 migrate_scope_lock_key(scope),
						 ExclusiveLock, false,
						 _("waiting for another session's migration of this scope to finish"),
						 "migration lock of the scope");
		if (IsolationUsesXactSnapshot() &&
			migrate_catalog_scope_mark(false) != migrate_catalog_scope_mark(true))
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to a concurrent migration of scope \"%s\"",
							scope),
					 errdetail("Another session changed the scope's version rows after this transaction took its snapshot."),
					 errhint("Retry the transaction, or call it in READ COMMITTED isolation.")));
		return;
	}

	migrate_acquire_advisory(MIGRATE_LOCK_KEY2, false,
							 _("waiting for another session's migration to finish"),
							 "migration lock");

	if (IsolationUsesXactSnapshot() &&
		migrate_catalog_generation(false) != migrate_catalog_generation(true))
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to a concurrent migration"),
				 errdetail("Another session changed the migration state after this transaction took its snapshot."),
				 errhint("Retry the transaction, or call it in READ COMMITTED isolation.")));
}
