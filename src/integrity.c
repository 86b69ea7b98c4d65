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
 *	  src/integrity.c
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
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "pg_migrate.h"
#include "integrity.h"

PG_FUNCTION_INFO_V1(migrate_drift);
PG_FUNCTION_INFO_V1(migrate_repair);

/*
 * Whether table migrate.<relname> has a row visible to the newest snapshot
 * (latest) or to the statement's.  This is the upgrade path's question,
 * asked on every call, and the answer is nearly always no: a scan that
 * stops at the first row of an empty table is far cheaper than a query
 * through SPI (owner identity, pinned search_path, parse and plan).  The
 * tables belong to the extension, and nothing of the caller's is run, so
 * reading them directly is safe.
 */
bool
migrate_catalog_has_rows(const char *relname, bool latest)
{
	Oid			nspid = get_namespace_oid("migrate", false);
	Oid			relid = get_relname_relid(relname, nspid);
	Relation	rel;
	Snapshot	snapshot;
	TableScanDesc scan;
	TupleTableSlot *slot;
	bool		found;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"migrate.%s\" does not exist", relname),
				 errhint("Update the extension: ALTER EXTENSION pg_migrate UPDATE.")));
	rel = table_open(relid, AccessShareLock);
	snapshot = RegisterSnapshot(latest ? GetLatestSnapshot() :
								GetActiveSnapshot());
	slot = table_slot_create(rel, NULL);
	scan = table_beginscan(rel, snapshot, 0, NULL);
	found = table_scan_getnextslot(scan, ForwardScanDirection, slot);
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snapshot);
	table_close(rel, AccessShareLock);
	return found;
}

/* Text column col of SPI row 0, copied into cxt, or NULL. */
char *
migrate_row_text(MemoryContext cxt, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
								  col, &isnull);

	return isnull ? NULL : MemoryContextStrdup(cxt, TextDatumGetCString(d));
}

/* int4 column col of SPI row 0, or 0 when null. */
int
migrate_row_int(int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
								  col, &isnull);

	return isnull ? 0 : DatumGetInt32(d);
}

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

/*
 * Append the "drift" and "interrupted" members of migrate_status(), each
 * followed by ", ".
 */
void
migrate_integrity_status(StringInfo buf)
{
	MemoryContext caller = CurrentMemoryContext;
	void	   *h;
	char	   *drift;
	char	   *interrupted;

	h = migrate_catalog_begin();
	migrate_catalog_query(true,
						  "SELECT (SELECT coalesce(jsonb_agg(jsonb_build_object("
						  " 'revision', d.revision, 'file', r.file_name,"
						  " 'applied_checksum', d.applied_upgrade_checksum,"
						  " 'registered_checksum', r.upgrade_checksum,"
						  " 'applied_downgrade_checksum', d.applied_downgrade_checksum,"
						  " 'registered_downgrade_checksum', r.downgrade_checksum,"
						  " 'detected_at', d.detected_at) ORDER BY r.seq), '[]')"
						  " FROM migrate.drift d JOIN migrate.revision r USING (revision))::text,"
						  " (SELECT jsonb_build_object('revision', i.revision,"
						  " 'file', r.file_name, 'operation', i.operation,"
						  " 'statements', i.statements, 'done', i.done,"
						  " 'backend_pid', i.backend_pid, 'started_at', i.started_at,"
						  " 'failed_statement', i.failed_statement,"
						  " 'failed_line', i.failed_line,"
						  " 'failed_sqlstate', i.failed_sqlstate,"
						  " 'failed_message', i.failed_message)"
						  " FROM migrate.interrupted i JOIN migrate.revision r USING (revision)"
						  " ORDER BY i.started_at LIMIT 1)::text",
						  0, NULL, NULL, NULL, SPI_OK_SELECT);
	drift = migrate_row_text(caller, 1);
	interrupted = migrate_row_text(caller, 2);
	migrate_catalog_end(h);

	appendStringInfo(buf, "\"drift\": %s, \"interrupted\": %s, ",
					 drift, interrupted ? interrupted : "null");
}

/*
 * migrate_drift()
 *	 RETURNS TABLE (revision, file_name, applied_upgrade_checksum,
 *					upgrade_checksum, applied_downgrade_checksum,
 *					downgrade_checksum, detected_at)
 *
 * The applied revisions registered again with other SQL.
 */
Datum
migrate_drift(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext caller = CurrentMemoryContext;
	void	   *h;
	uint64		i;

	InitMaterializedSRF(fcinfo, 0);
	h = migrate_catalog_begin();
	migrate_catalog_query(true,
						  "SELECT d.revision, r.file_name, d.applied_upgrade_checksum,"
						  " r.upgrade_checksum, d.applied_downgrade_checksum,"
						  " r.downgrade_checksum, d.detected_at"
						  " FROM migrate.drift d JOIN migrate.revision r USING (revision)"
						  " ORDER BY r.seq",
						  0, NULL, NULL, NULL, SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
	{
		Datum		values[7];
		bool		nulls[7];
		int			col;
		MemoryContext old = MemoryContextSwitchTo(caller);

		/* tuplestore_putvalues copies the values out of SPI's memory */
		for (col = 0; col < 7; col++)
			values[col] = SPI_getbinval(SPI_tuptable->vals[i],
										SPI_tuptable->tupdesc, col + 1,
										&nulls[col]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(old);
	}
	migrate_catalog_end(h);
	return (Datum) 0;
}

/* Journal one repair or resolve entry with the current version rows. */
void
migrate_journal_entry(const char *revision, const char *operation,
					  const char *message)
{
	MigrateState state;

	migrate_catalog_load(&state, false, true);
	migrate_catalog_journal(revision, operation, message,
							GetCurrentTimestamp(), 0, &state,
							state.rows, state.nrows);
	migrate_catalog_bump_generation();
}

/*
 * migrate_repair(revision text) RETURNS text
 *
 * Accepts the registered SQL of a drifted applied revision as the SQL it
 * stands for from now on; journals a "repair" with the new checksum and
 * returns it.  A revision without drift is an error: the call names a
 * change that is not there (a mistyped id, say).
 */
Datum
migrate_repair(PG_FUNCTION_ARGS)
{
	char	   *revision = text_to_cstring(PG_GETARG_TEXT_PP(0));
	MemoryContext caller = CurrentMemoryContext;
	void	   *h;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	bool		registered;
	bool		drifted = false;
	char	   *old_sum = NULL;
	char	   *new_sum = NULL;
	char	   *old_down = NULL;
	char	   *new_down = NULL;
	char	   *file = NULL;
	StringInfoData msg;

	migrate_begin_change();

	values[0] = CStringGetTextDatum(revision);
	h = migrate_catalog_begin();
	migrate_catalog_query(false,
						  "SELECT d.applied_upgrade_checksum, r.upgrade_checksum,"
						  " d.applied_downgrade_checksum, r.downgrade_checksum,"
						  " r.file_name, d.revision IS NOT NULL"
						  " FROM migrate.revision r"
						  " LEFT JOIN migrate.drift d USING (revision)"
						  " WHERE r.revision = $1",
						  1, types, values, NULL, SPI_OK_SELECT);
	registered = SPI_processed > 0;
	if (registered)
	{
		bool		isnull;

		old_sum = migrate_row_text(caller, 1);
		new_sum = migrate_row_text(caller, 2);
		old_down = migrate_row_text(caller, 3);
		new_down = migrate_row_text(caller, 4);
		file = migrate_row_text(caller, 5);
		drifted = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
											 SPI_tuptable->tupdesc, 6, &isnull));
	}
	if (drifted)
		migrate_catalog_query(false, "DELETE FROM migrate.drift WHERE revision = $1",
							  1, types, values, NULL, SPI_OK_DELETE);
	migrate_catalog_end(h);

	if (!registered)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("revision \"%s\" does not exist", revision)));
	if (!drifted)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" has no drift to repair", revision),
				 errdetail("Its registered SQL is the SQL it was applied with, or it is not applied."),
				 errhint("migrate_drift() lists the revisions that drifted.")));

	/* say which sections changed, by checksum prefix */
	initStringInfo(&msg);
	if (file)
		appendStringInfo(&msg, "accepted file \"%s\":", file);
	else
		appendStringInfoString(&msg, "accepted the registered SQL:");
	if (strcmp(old_sum, new_sum) != 0)
		appendStringInfo(&msg, " upgrade checksum %.12s replaces %.12s",
						 new_sum, old_sum);
	if ((old_down == NULL) != (new_down == NULL) ||
		(old_down && strcmp(old_down, new_down) != 0))
		appendStringInfo(&msg, "%s downgrade checksum %.12s replaces %.12s",
						 strcmp(old_sum, new_sum) != 0 ? "," : "",
						 new_down ? new_down : "(none)",
						 old_down ? old_down : "(none)");
	migrate_journal_entry(revision, "repair", msg.data);
	ereport(LOG,
			(errmsg("migration repair of revision \"%s\" by %s: checksum %s accepted",
					revision, GetUserNameFromId(GetUserId(), false), new_sum),
			 errhidestmt(true)));
	PG_RETURN_TEXT_P(cstring_to_text(new_sum));
}

