/*-------------------------------------------------------------------------
 *
 * locksafety.c
 *	  Settings in force while a revision runs, and errors that say which
 *	  lock a revision could not get and who holds it.
 *
 * Settings.  Each revision runs at a GUC nest level of its own (runner.c);
 * migrate_revision_settings() applies, at that level and with
 * GUC_ACTION_SAVE, lock_timeout = pg_migrate.revision_lock_timeout and
 * search_path = pg_migrate.search_path (in a scope: the tenant schema,
 * then pg_catalog), so that a SET inside the revision still overrides them
 * for that revision and nothing outlives it.
 * pg_migrate.revision_statement_timeout cannot be a plain statement_timeout:
 * PostgreSQL arms that timer once per top-level statement, not for the
 * statements SPI runs, so the runner arms STATEMENT_TIMEOUT itself around
 * each statement of a revision and puts the caller's timer back after it.
 *
 * Naming the lock.  When lock_timeout fires, PostgreSQL takes the backend
 * off the lock's wait queue (LockErrorCleanup) before it raises "canceling
 * statement due to lock timeout", so by the time the error reaches us
 * nothing says which lock it was.  We therefore watch: while a revision
 * runs with a lock timeout, a repeating timer of ours, at most a quarter of
 * the timeout apart, copies the tag and mode of the lock the backend is
 * waiting for, if any, from MyProc->waitLock.  A wait that times out lasts
 * the whole timeout, so the last copy taken is of that wait.  The handler
 * runs in signal context and only copies memory: the LOCK object cannot go
 * away while this backend waits on it or holds it, and only this backend
 * can release what it holds.  A lock this transaction now holds (a wait
 * that ended with a grant) is never reported.
 *
 * When a revision then fails with the lock-timeout error, the runner's
 * PG_CATCH calls migrate_lock_failure_rethrow().  The transaction is not
 * aborted yet, so it reads only shared memory: the lock table
 * (GetLockStatusData, under the lock manager's LWLocks) for the sessions
 * holding the lock in a conflicting mode, and the backend status array
 * for their application_name, state and transaction start.  As in
 * pg_stat_activity, state and times are shown only for the caller's own
 * role's sessions unless the caller has pg_read_all_stats (checked when the
 * watch starts, since the error path cannot); no query text and no role
 * name are reported.  Relation names need the
 * catalog too: in that state the relation is given by OID, as PostgreSQL's
 * own deadlock reports do; migrate_run, which rolls back before it reports,
 * names it.  Nothing of this runs unless an error occurs; the watch costs
 * one timer per revision.
 *
 * IDENTIFICATION
 *	  src/engine/locksafety.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"

#include "pg_migrate.h"

/* The watch over lock waits: see the file header. */
static TimeoutId watch_timeout_id = MAX_TIMEOUTS;
static bool watch_armed = false;
static volatile sig_atomic_t watch_seen = false;
static volatile LOCKTAG watch_tag;
static volatile LOCKMODE watch_mode;
static volatile TimestampTz watch_since;	/* when that wait began */

/*
 * Whether the caller may see every session's state in pg_stat_activity
 * (pg_read_all_stats), worked out when the watch starts: the error path
 * cannot look it up.
 */
static bool watch_sees_all = false;

/* Saved outer statement timer while a revision's statement runs. */
static bool stmt_timer_armed = false;
static bool stmt_timer_outer_active = false;
static TimestampTz stmt_timer_outer_fin = 0;

/* One session holding the lock that was waited for. */
typedef struct LockHolder
{
	int			pid;
	Oid			userid;
	char	   *modes;			/* the conflicting modes it holds */
	char	   *appname;		/* NULL when its status was not found */
	const char *state;
	TimestampTz state_since;
	TimestampTz xact_start;
} LockHolder;

/*
 * The last lock-timeout failure identified, kept in a context of its own
 * so that migrate_run can still report it after rolling back.
 */
typedef struct LockFailure
{
	bool		valid;
	char	   *revision;
	LOCKTAG		tag;
	LOCKMODE	mode;
	TimestampTz since;			/* when the wait began, or 0 */
	int			timeout_ms;
	LockHolder *holders;
	int			nholders;
} LockFailure;

static LockFailure failure;
static MemoryContext failure_cxt = NULL;

/*
 * Apply the revision settings at the current (the revision's) GUC nest
 * level.  Called by the runner right after NewGUCNestLevel().
 */
void
migrate_revision_settings(void)
{
	/*
	 * A value already in force is not set again: setting a GUC makes the
	 * nest level's end walk every GUC, and a new search_path is looked up
	 * again on first use.  Either way a SET in the revision is undone at
	 * the end of its nest level.
	 */
	if (migrate_revision_lock_timeout > 0 &&
		migrate_revision_lock_timeout != LockTimeout)
	{
		char		value[32];

		snprintf(value, sizeof(value), "%d", migrate_revision_lock_timeout);
		(void) set_config_option("lock_timeout", value, PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
								 false);
	}
	if (migrate_scope() != NULL)
	{
		/* in a scope: the tenant schema, then pg_catalog, and nothing else */
		char	   *path = psprintf("%s, pg_catalog",
									quote_identifier(migrate_scope()));

		(void) set_config_option("search_path", path,
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
								 true, 0, false);
		pfree(path);
	}
	else if (migrate_search_path != NULL && migrate_search_path[0] != '\0' &&
			 (namespace_search_path == NULL ||
			  strcmp(migrate_search_path, namespace_search_path) != 0))
		(void) set_config_option("search_path", migrate_search_path,
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
								 true, 0, false);
}

/*
 * Timer handler, in signal context: copy the lock being waited for, if
 * any.  Plain memory reads and writes only.
 */
static void
watch_handler(void)
{
	volatile PGPROC *proc = MyProc;
	LOCK	   *lock;

	if (proc == NULL)
		return;
	lock = proc->waitLock;
	if (lock != NULL)
	{
		watch_tag.locktag_field1 = lock->tag.locktag_field1;
		watch_tag.locktag_field2 = lock->tag.locktag_field2;
		watch_tag.locktag_field3 = lock->tag.locktag_field3;
		watch_tag.locktag_field4 = lock->tag.locktag_field4;
		watch_tag.locktag_type = lock->tag.locktag_type;
		watch_tag.locktag_lockmethodid = lock->tag.locktag_lockmethodid;
		watch_mode = proc->waitLockMode;
		watch_since = (TimestampTz) pg_atomic_read_u64(&proc->waitStart);
		watch_seen = true;
	}
}

/*
 * Start watching lock waits for one revision; a no-op when no lock timeout
 * is in force.  Also forgets any earlier failure.
 */
void
migrate_lock_watch_begin(void)
{
	int			interval;

	watch_seen = false;
	failure.valid = false;
	if (LockTimeout <= 0)
		return;

	/* registered on first use: the timeout table is per backend */
	if (watch_timeout_id == MAX_TIMEOUTS)
		watch_timeout_id = RegisterTimeout(USER_TIMEOUT, watch_handler);

	watch_sees_all = has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);
	interval = Max(1, Min(LockTimeout / 4, 250));
	enable_timeout_every(watch_timeout_id,
						 TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													 interval),
						 interval);
	watch_armed = true;
}

/* Stop watching; safe to call when not watching. */
void
migrate_lock_watch_end(void)
{
	if (watch_armed)
	{
		disable_timeout(watch_timeout_id, false);
		watch_armed = false;
	}
}

/*
 * Arm STATEMENT_TIMEOUT for one statement of a revision, keeping an
 * earlier deadline of the caller's own statement_timeout.  Returns whether
 * migrate_statement_timeout_end() has anything to undo.
 */
bool
migrate_statement_timeout_begin(void)
{
	TimestampTz fin;

	if (migrate_revision_statement_timeout <= 0)
		return false;
	fin = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
									  migrate_revision_statement_timeout);
	stmt_timer_outer_active = get_timeout_active(STATEMENT_TIMEOUT);
	stmt_timer_outer_fin = stmt_timer_outer_active ?
		get_timeout_finish_time(STATEMENT_TIMEOUT) : 0;
	if (stmt_timer_outer_active && stmt_timer_outer_fin <= fin)
		return false;
	enable_timeout_at(STATEMENT_TIMEOUT, fin);
	stmt_timer_armed = true;
	return true;
}

/* Put the caller's statement timer back; safe to call when not armed. */
void
migrate_statement_timeout_end(void)
{
	if (!stmt_timer_armed)
		return;
	stmt_timer_armed = false;
	if (stmt_timer_outer_active)
		enable_timeout_at(STATEMENT_TIMEOUT, stmt_timer_outer_fin);
	else
		disable_timeout(STATEMENT_TIMEOUT, false);
}

/* PostgreSQL's name for a backend state, as pg_stat_activity shows it. */
static const char *
state_name(BackendState state)
{
	switch (state)
	{
		case STATE_IDLE:
			return "idle";
		case STATE_RUNNING:
			return "active";
		case STATE_IDLEINTRANSACTION:
			return "idle in transaction";
		case STATE_FASTPATH:
			return "fastpath function call";
		case STATE_IDLEINTRANSACTION_ABORTED:
			return "idle in transaction (aborted)";
		case STATE_DISABLED:
			return "disabled";
		default:
			return NULL;
	}
}

static bool
same_tag(const LOCKTAG *a, const LOCKTAG *b)
{
	return a->locktag_field1 == b->locktag_field1 &&
		a->locktag_field2 == b->locktag_field2 &&
		a->locktag_field3 == b->locktag_field3 &&
		a->locktag_field4 == b->locktag_field4 &&
		a->locktag_type == b->locktag_type &&
		a->locktag_lockmethodid == b->locktag_lockmethodid;
}

/*
 * Fill failure.holders: the other sessions holding failure.tag in a mode
 * that conflicts with failure.mode.  Shared memory only.
 */
static void
find_holders(void)
{
	LockMethod	method = GetLockTagsMethodTable(&failure.tag);
	LOCKMASK	conflicts = method->conflictTab[failure.mode];
	LockData   *data = GetLockStatusData();
	int			nbackends;
	int			i;

	failure.holders = palloc0(sizeof(LockHolder) * Max(data->nelements, 1));
	failure.nholders = 0;
	for (i = 0; i < data->nelements; i++)
	{
		LockInstanceData *inst = &data->locks[i];
		LOCKMASK	held = inst->holdMask & conflicts;
		StringInfoData modes;
		LockHolder *h = NULL;
		int			j;
		int			m;

		if (held == 0 || inst->pid == MyProcPid ||
			!same_tag(&inst->locktag, &failure.tag))
			continue;
		/* one entry per process, though fast-path and main table both list it */
		for (j = 0; j < failure.nholders; j++)
			if (failure.holders[j].pid == inst->pid)
				h = &failure.holders[j];
		initStringInfo(&modes);
		if (h == NULL)
		{
			h = &failure.holders[failure.nholders++];
			h->pid = inst->pid;
		}
		else
			appendStringInfo(&modes, "%s, ", h->modes);
		for (m = 1; m <= method->numLockModes; m++)
			if (held & LOCKBIT_ON(m))
				appendStringInfo(&modes, "%s%s",
								 modes.len > 0 && modes.data[modes.len - 1] != ' ' ? ", " : "",
								 GetLockmodeName(failure.tag.locktag_lockmethodid, m));
		h->modes = modes.data;
	}

	/* a fresh view of the backend status array, not one cached earlier */
	pgstat_clear_backend_activity_snapshot();
	nbackends = pgstat_fetch_stat_numbackends();
	for (i = 1; i <= nbackends; i++)
	{
		LocalPgBackendStatus *local = pgstat_fetch_stat_local_beentry(i);
		PgBackendStatus *be;
		int			j;

		if (local == NULL)
			continue;
		be = &local->backendStatus;
		for (j = 0; j < failure.nholders; j++)
		{
			LockHolder *h = &failure.holders[j];

			if (h->pid != be->st_procpid)
				continue;
			h->userid = be->st_userid;
			h->appname = pstrdup(be->st_appname ? be->st_appname : "");
			h->state = state_name(be->st_state);
			h->state_since = be->st_state_start_timestamp;
			h->xact_start = be->st_xact_start_timestamp;
		}
	}
	pgstat_clear_backend_activity_snapshot();

	/*
	 * A session whose transaction began after the wait did cannot have
	 * blocked it: a conflicting request made while ours was queued queues
	 * behind ours.  Such a session (typically a read that queued behind the
	 * revision) got the lock when the wait ended; leave it out.
	 */
	for (i = 0, nbackends = 0; i < failure.nholders; i++)
	{
		LockHolder *h = &failure.holders[i];

		if (failure.since != 0 && h->xact_start > failure.since)
			continue;
		failure.holders[nbackends++] = *h;
	}
	failure.nholders = nbackends;
}

/*
 * What was locked, for the message.  With resolve_names (a valid
 * transaction: catalog access is allowed) a relation is named; otherwise
 * it is given by OID.
 */
static char *
describe_lock(bool resolve_names)
{
	const LOCKTAG *tag = &failure.tag;
	StringInfoData buf;

	initStringInfo(&buf);
	if (tag->locktag_type == LOCKTAG_RELATION &&
		tag->locktag_field1 == MyDatabaseId)
	{
		Oid			relid = tag->locktag_field2;
		char	   *relname = resolve_names ? get_rel_name(relid) : NULL;
		char	   *nspname = relname ? get_namespace_name(get_rel_namespace(relid)) : NULL;

		if (relname && nspname)
			appendStringInfo(&buf, "relation \"%s.%s\"", nspname, relname);
		else
			appendStringInfo(&buf, "relation with OID %u", relid);
	}
	else
		DescribeLockTag(&buf, tag);
	return buf.data;
}

/* Rewrite edata's message, detail and hint from failure. */
static void
describe_failure(ErrorData *edata, bool resolve_names)
{
	StringInfoData detail;
	int			i;

	edata->message = psprintf("revision \"%s\" could not lock %s within %d ms",
							  failure.revision, describe_lock(resolve_names),
							  failure.timeout_ms);

	initStringInfo(&detail);
	appendStringInfo(&detail, "It waited for %s.",
					 GetLockmodeName(failure.tag.locktag_lockmethodid,
									 failure.mode));
	if (failure.nholders == 0)
		appendStringInfoString(&detail, " No other session held the lock any more when the wait ended.");
	for (i = 0; i < failure.nholders; i++)
	{
		LockHolder *h = &failure.holders[i];

		if (h->pid == 0)
		{
			appendStringInfo(&detail, "%s prepared transaction holds %s",
							 i == 0 ? " A" : "; a", h->modes);
			continue;
		}
		appendStringInfo(&detail, "%s %d",
						 i == 0 ? " Process" : "; process", h->pid);
		if (h->appname != NULL)
		{
			/* pg_stat_activity shows the rest only to these callers */
			bool		visible = watch_sees_all || h->userid == GetUserId();

			appendStringInfo(&detail, " (application_name \"%s\"", h->appname);
			if (visible && h->state != NULL)
				appendStringInfo(&detail, ", %s", h->state);
			if (visible && h->state_since != 0)
				appendStringInfo(&detail, " since %s",
								 timestamptz_to_str(h->state_since));
			if (visible && h->xact_start != 0)
				appendStringInfo(&detail, ", transaction started %s",
								 timestamptz_to_str(h->xact_start));
			appendStringInfoChar(&detail, ')');
		}
		appendStringInfo(&detail, " holds %s", h->modes);
	}
	if (failure.nholders > 0)
		appendStringInfoChar(&detail, '.');
	edata->detail = detail.data;
	edata->hint = pstrdup("Find out why those sessions hold the lock so long, or raise pg_migrate.revision_lock_timeout. CALL migrate_run() retries such a revision pg_migrate.lock_retries times.");
}

/*
 * Called in the PG_CATCH of a revision; cxt is where to copy the error
 * (not ErrorContext, where the catch runs).  When the error is PostgreSQL's lock-timeout error and the
 * watch saw the lock, re-throw it as 55P03 naming the lock and its
 * holders, keeping its context.  Otherwise return, and the caller
 * re-throws the original error.
 */
void
migrate_lock_failure_rethrow(const char *revision, MemoryContext cxt)
{
	ErrorData  *edata;
	LOCKTAG		tag;
	LOCKMODE	mode;
	MemoryContext caller_cxt;

	migrate_lock_watch_end();
	if (!watch_seen)
		return;

	caller_cxt = MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE ||
		edata->message_id == NULL ||
		strcmp(edata->message_id, "canceling statement due to lock timeout") != 0)
	{
		FreeErrorData(edata);
		MemoryContextSwitchTo(caller_cxt);
		return;
	}
	tag.locktag_field1 = watch_tag.locktag_field1;
	tag.locktag_field2 = watch_tag.locktag_field2;
	tag.locktag_field3 = watch_tag.locktag_field3;
	tag.locktag_field4 = watch_tag.locktag_field4;
	tag.locktag_type = watch_tag.locktag_type;
	tag.locktag_lockmethodid = watch_tag.locktag_lockmethodid;
	mode = watch_mode;
	/* a wait that ended with a grant is not the one that timed out */
	if (LockHeldByMe(&tag, mode))
	{
		FreeErrorData(edata);
		MemoryContextSwitchTo(caller_cxt);
		return;
	}
	FlushErrorState();

	if (failure_cxt == NULL)
		failure_cxt = AllocSetContextCreate(TopMemoryContext,
											"pg_migrate lock failure",
											ALLOCSET_SMALL_SIZES);
	MemoryContextReset(failure_cxt);
	MemoryContextSwitchTo(failure_cxt);
	failure.revision = pstrdup(revision);
	failure.tag = tag;
	failure.mode = mode;
	failure.since = watch_since;
	failure.timeout_ms = LockTimeout;
	find_holders();
	failure.valid = true;
	MemoryContextSwitchTo(cxt);

	describe_failure(edata, false);
	ReThrowError(edata);
}

/* Whether the last revision failed on a lock this file identified. */
bool
migrate_lock_failure_pending(void)
{
	return failure.valid;
}

/* Forget the last failure. */
void
migrate_lock_failure_forget(void)
{
	failure.valid = false;
}

/*
 * Rewrite a copied lock-timeout error from failure, naming relations;
 * for migrate_run, once it has rolled back and is in a valid transaction.
 */
void
migrate_lock_failure_describe(ErrorData *edata)
{
	if (failure.valid)
		describe_failure(edata, true);
}
