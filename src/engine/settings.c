/*-------------------------------------------------------------------------
 *
 * settings.c
 *	  The extension's settings (pg_migrate.*): their variables and their
 *	  definitions, which _PG_init makes.
 *
 * IDENTIFICATION
 *	  src/engine/settings.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "utils/guc.h"

#include "pg_migrate.h"

/*
 * How long a state-changing call waits for the migration lock, in
 * milliseconds; 0 leaves the wait to the session's lock_timeout.
 */
int			migrate_lock_timeout = 0;

/*
 * Whether each step, and a wait for another session's migration, sends a
 * NOTICE ("applying 2/3 ...") to the client.
 */
bool		migrate_notice_steps = true;

/*
 * Lock safety (locksafety.c, procedure.c).  Applied while each revision
 * runs: lock_timeout (so that a revision's DDL never queues the
 * application's queries behind it for long), a statement timeout and the
 * search_path.  A lock-timeout failure is retried by migrate_run, with a
 * delay that doubles from lock_retry_delay up to lock_retry_max_delay.
 */
int			migrate_revision_lock_timeout = 3000;
int			migrate_revision_statement_timeout = 0;
int			migrate_lock_retries = 3;
int			migrate_lock_retry_delay = 1000;
int			migrate_lock_retry_max_delay = 30000;
char	   *migrate_search_path = NULL;

/*
 * Define the settings; called once, when the library is loaded.
 */
void
migrate_define_settings(void)
{
	DefineCustomIntVariable("pg_migrate.lock_timeout",
							"Sets how long to wait for the migration lock.",
							"0 waits as long as the session's lock_timeout allows.",
							&migrate_lock_timeout,
							0,
							0,
							INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL,
							NULL,
							NULL);

	DefineCustomBoolVariable("pg_migrate.notice_steps",
							 "Reports each migration step, and any wait for another session's migration, to the client as a NOTICE.",
							 "Each step is written to the server log either way.",
							 &migrate_notice_steps,
							 true,
							 PGC_USERSET,
							 0,
							 NULL,
							 NULL,
							 NULL);

	DefineCustomIntVariable("pg_migrate.revision_lock_timeout",
							"Sets the lock_timeout in force while a revision's SQL runs.",
							"A statement of a revision that waits longer than this for a lock fails, so that the application's queries queued behind it wait no longer.  0 keeps the session's lock_timeout.",
							&migrate_revision_lock_timeout,
							3000,
							0,
							INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL,
							NULL,
							NULL);

	DefineCustomIntVariable("pg_migrate.revision_statement_timeout",
							"Sets the longest time any one statement of a revision may run.",
							"0 turns the limit off.",
							&migrate_revision_statement_timeout,
							0,
							0,
							INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL,
							NULL,
							NULL);

	DefineCustomIntVariable("pg_migrate.lock_retries",
							"Sets how many times migrate_run retries a revision that failed on its lock timeout.",
							NULL,
							&migrate_lock_retries,
							3,
							0,
							1000,
							PGC_USERSET,
							0,
							NULL,
							NULL,
							NULL);

	DefineCustomIntVariable("pg_migrate.lock_retry_delay",
							"Sets how long migrate_run waits before its first retry of a revision that failed on its lock timeout.",
							"The wait doubles with each further retry, up to pg_migrate.lock_retry_max_delay.",
							&migrate_lock_retry_delay,
							1000,
							0,
							INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL,
							NULL,
							NULL);

	DefineCustomIntVariable("pg_migrate.lock_retry_max_delay",
							"Sets the longest wait between two retries of migrate_run.",
							NULL,
							&migrate_lock_retry_max_delay,
							30000,
							0,
							INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL,
							NULL,
							NULL);

	DefineCustomStringVariable("pg_migrate.search_path",
							   "Sets the search_path a revision's SQL runs with.",
							   "The caller's search_path does not apply to revisions.  An empty value keeps the session's.",
							   &migrate_search_path,
							   "\"$user\", public",
							   PGC_USERSET,
							   0,
							   check_search_path,
							   NULL,
							   NULL);

	MarkGUCPrefixReserved("pg_migrate");
}
