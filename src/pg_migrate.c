/*-------------------------------------------------------------------------
 *
 * pg_migrate.c
 *	  Module entry point and settings of the pg_migrate extension.
 *
 * pg_migrate keeps revisions in the database (schema "migrate") and applies
 * them with Alembic's semantics inside the caller's transaction, under an
 * advisory lock.  The files of this directory, one concern each:
 *
 *	revfile.c	parsing revision files (shared with the client)
 *	revgraph.c	the revision graph and planning (shared with the client)
 *	catalog.c	reading and writing the catalog tables through SPI
 *	runner.c	locking, and running one revision's SQL
 *	register.c	migrate_add, migrate_add_file, migrate_load,
 *				migrate_remove
 *	commands.c	migrate_upgrade, migrate_downgrade, migrate_stamp,
 *				migrate_record
 *	report.c	the read-only reports and migrate_wait
 *
 * IDENTIFICATION
 *	  src/pg_migrate.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/guc.h"

#include "pg_migrate.h"

PG_MODULE_MAGIC;

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

void		_PG_init(void);

/*
 * Module load callback: define the settings.
 */
void
_PG_init(void)
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

	MarkGUCPrefixReserved("pg_migrate");
}
