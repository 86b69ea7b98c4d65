/*-------------------------------------------------------------------------
 *
 * integrity.c
 *	  migrate_drift and migrate_repair: the applied revisions registered
 *	  again with other SQL, and accepting that SQL.
 *
 * IDENTIFICATION
 *	  src/functions/integrity.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "pg_migrate.h"
#include "engine/integrity.h"

PG_FUNCTION_INFO_V1(migrate_drift);
PG_FUNCTION_INFO_V1(migrate_repair);

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
	migrate_outcome_at_commit(psprintf("repair of revision \"%s\"", revision),
							  psprintf(" by %s: checksum %s accepted",
									   GetUserNameFromId(GetUserId(), false),
									   new_sum));
	PG_RETURN_TEXT_P(cstring_to_text(new_sum));
}
