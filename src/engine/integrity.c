/*-------------------------------------------------------------------------
 *
 * integrity.c
 *	  Refusing to migrate from a state that is not what it claims to be,
 *	  and drift: applied revisions registered again with other SQL.
 *
 * Registration (catalog.c) keeps in migrate.drift every applied revision
 * that was registered again with SQL of another fingerprint, with the
 * checksums it was applied with.  Migrations are refused while any is
 * there (and while a non-transactional step is left interrupted, which
 * interrupted.c keeps); migrate_repair() accepts the registered SQL, and
 * restoring the file ends the drift too.
 *
 * The checks on the upgrade path look for a first row in tables that are
 * empty unless something is wrong, so they cost the same with 10 or
 * 10,000 revisions.
 *
 * IDENTIFICATION
 *	  src/engine/integrity.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "pg_migrate.h"
#include "engine/integrity.h"


/*
 * Refuse to migrate while a revision has drifted or a non-transactional
 * step was left interrupted.  own_revision names a step whose note, while
 * it shows no failure, is the caller's own (migrate_record).  With latest,
 * read what is committed now (the caller holds the migration lock), else
 * the statement's snapshot.
 */
void
migrate_integrity_check(const char *own_revision, bool latest)
{
	MemoryContext caller = CurrentMemoryContext;
	void	   *h;
	int			ndrift;
	char	   *drifted;
	char	   *first;

	if (migrate_catalog_has_rows("drift", latest))
	{
		h = migrate_catalog_begin();
		migrate_catalog_query(!latest,
							  "SELECT count(*)::int4,"
							  " string_agg(pg_catalog.format('\"%s\"%s', d.revision,"
							  " CASE WHEN r.file_name IS NOT NULL"
							  " THEN pg_catalog.format(' (file \"%s\")', r.file_name)"
							  " ELSE '' END), ', ' ORDER BY r.seq),"
							  " min(d.revision)"
							  " FROM migrate.drift d JOIN migrate.revision r USING (revision)",
							  0, NULL, NULL, NULL, SPI_OK_SELECT);
		ndrift = migrate_row_int(1);
		drifted = migrate_row_text(caller, 2);
		first = migrate_row_text(caller, 3);
		migrate_catalog_end(h);

		if (ndrift == 1)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision \"%s\" has changed since it was applied", first),
					 errdetail("Revision %s is registered with SQL other than the SQL it was applied with.",
							   drifted),
					 errhint("Restore the file, or accept the change with migrate_repair('%s').",
							 first)));
		if (ndrift > 1)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("%d revisions have changed since they were applied", ndrift),
					 errdetail("Registered with SQL other than the SQL they were applied with: %s.",
							   drifted),
					 errhint("Restore the files, or accept each change with migrate_repair(), as in migrate_repair('%s').",
							 first)));
	}
	migrate_interrupted_check(own_revision, latest);
}

/* jsonb column col of SPI row 0, copied into cxt, or NULL. */
static Jsonb *
row_jsonb(MemoryContext cxt, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
								  col, &isnull);
	MemoryContext old;
	Jsonb	   *j;

	if (isnull)
		return NULL;
	old = MemoryContextSwitchTo(cxt);
	j = DatumGetJsonbPCopy(d);
	MemoryContextSwitchTo(old);
	return j;
}

/*
 * The health report's "drift" (an array) and "interrupted" (an object, or
 * NULL when nothing was left unfinished), read through the catalog's frame
 * and copied into the caller's memory context.
 */
void
migrate_integrity_status(Jsonb **drift, Jsonb **interrupted)
{
	MemoryContext caller = CurrentMemoryContext;
	void	   *h;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];

	/* drift is the registered SQL's, an interrupted step the scope's */
	values[0] = migrate_scope_datum();
	h = migrate_catalog_begin();
	migrate_catalog_query(true,
						  "SELECT (SELECT coalesce(jsonb_agg(jsonb_build_object("
						  " 'revision', d.revision, 'file', r.file_name,"
						  " 'applied_checksum', d.applied_upgrade_checksum,"
						  " 'registered_checksum', r.upgrade_checksum,"
						  " 'applied_downgrade_checksum', d.applied_downgrade_checksum,"
						  " 'registered_downgrade_checksum', r.downgrade_checksum,"
						  " 'detected_at', d.detected_at) ORDER BY r.seq), '[]')"
						  " FROM migrate.drift d JOIN migrate.revision r USING (revision)),"
						  " (SELECT jsonb_build_object('revision', i.revision,"
						  " 'file', r.file_name, 'operation', i.operation,"
						  " 'statements', i.statements, 'done', i.done,"
						  " 'backend_pid', i.backend_pid, 'started_at', i.started_at,"
						  " 'failed_statement', i.failed_statement,"
						  " 'failed_line', i.failed_line,"
						  " 'failed_sqlstate', i.failed_sqlstate,"
						  " 'failed_message', i.failed_message)"
						  " FROM migrate.interrupted i JOIN migrate.revision r USING (revision)"
						  " WHERE i.scope = $1"
						  " ORDER BY i.started_at LIMIT 1)",
						  1, types, values, NULL, SPI_OK_SELECT);
	*drift = row_jsonb(caller, 1);
	*interrupted = row_jsonb(caller, 2);
	migrate_catalog_end(h);
}
