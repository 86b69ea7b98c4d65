/*-------------------------------------------------------------------------
 *
 * version.c
 *	  The version rows and the journal: replacing the rows, appending a
 *	  step, and reading when revisions were applied.
 *
 * IDENTIFICATION
 *	  src/catalog/version.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "catalog/catalog_int.h"

/* Replace the version rows. */
void
migrate_catalog_set_version(const MigrateState *state, const int *rows,
							int nrows)
{
	CatalogContext cxt;
	Oid			types[2] = {TEXTARRAYOID, TEXTOID};
	Datum		values[2];
	char	  **ids = palloc(sizeof(char *) * Max(nrows, 1));
	int			i;

	for (i = 0; i < nrows; i++)
		ids[i] = (char *) migrate_graph_id(state->graph, rows[i]);
	values[0] = migrate_text_array(ids, nrows);
	values[1] = migrate_scope_datum();

	migrate_catalog_enter(&cxt);
	migrate_catalog_exec(false, "DELETE FROM migrate.version"
				 " WHERE scope = $2 AND revision <> ALL ($1)",
				 2, types, values, NULL, SPI_OK_DELETE);
	migrate_catalog_exec(false, "INSERT INTO migrate.version (scope, revision)"
				 " SELECT $2, unnest($1) ON CONFLICT DO NOTHING",
				 2, types, values, NULL, SPI_OK_INSERT);
	migrate_catalog_leave(&cxt);
}

/*
 * The applied repeatable revisions (applied[node]) whose upgrade SQL is not
 * the SQL they last ran with (the checksum of their last upgrade, reapply,
 * adopt or stamp entry), in name order.  Fills out, returns how many.
 */
int
migrate_catalog_reapply_due(const MigrateState *state, const bool *applied,
							int *out)
{
	CatalogContext cxt;
	Oid			types[2] = {TEXTARRAYOID, TEXTOID};
	Datum		values[2];
	char	  **ids = palloc(sizeof(char *) * Max(state->nrevs, 1));
	int			nids = 0;
	int			n = 0;
	uint64		i;

	for (i = 0; i < (uint64) state->nrevs; i++)
		if (applied[i] && state->revs[i].repeatable)
			ids[nids++] = state->revs[i].revision;
	if (nids == 0)
		return 0;
	values[0] = migrate_text_array(ids, nids);
	values[1] = migrate_scope_datum();

	migrate_catalog_enter(&cxt);
	migrate_catalog_exec(false, "SELECT r.revision FROM migrate.revision r"
				 " WHERE r.revision = ANY ($1) AND r.upgrade_checksum"
				 " IS DISTINCT FROM (SELECT j.checksum FROM migrate.journal j"
				 " WHERE j.revision = r.revision AND j.scope = $2"
				 " AND j.operation"
				 " IN ('upgrade', 'reapply', 'adopt', 'stamp', 'repair')"
				 " ORDER BY j.id DESC LIMIT 1)"
				 " ORDER BY r.revision COLLATE \"C\"",
				 2, types, values, NULL, SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *id = SPI_getvalue(SPI_tuptable->vals[i],
									  SPI_tuptable->tupdesc, 1);

		out[n++] = migrate_graph_find(state->graph, id);
	}
	migrate_catalog_leave(&cxt);
	return n;
}

/* Append one step to the journal, with the version rows after it. */
void
migrate_catalog_journal(const char *revision, const char *operation,
						const char *message, TimestampTz started,
						double duration_ms, const MigrateState *state,
						const int *rows, int nrows)
{
	static SPIPlanPtr journal_plan = NULL;
	CatalogContext cxt;
	Oid			types[8] = {TEXTOID, TEXTOID, TEXTOID, NAMEOID,
		TIMESTAMPTZOID, FLOAT8OID, TEXTARRAYOID, TEXTOID};
	Datum		values[8];
	char		nulls[8];
	char	  **ids = palloc(sizeof(char *) * Max(nrows, 1));
	int			i;

	/* the role that called, not the owner whose identity writes the row */
	char	   *role = GetUserNameFromId(GetUserId(), false);

	for (i = 0; i < nrows; i++)
		ids[i] = (char *) migrate_graph_id(state->graph, rows[i]);

	memset(nulls, ' ', sizeof(nulls));
	if (revision)
		values[0] = CStringGetTextDatum(revision);
	else
		nulls[0] = 'n';
	values[1] = CStringGetTextDatum(operation);
	values[2] = CStringGetTextDatum(message ? message : "");
	values[3] = DirectFunctionCall1(namein, CStringGetDatum(role));
	values[4] = TimestampTzGetDatum(started);
	values[5] = Float8GetDatum(duration_ms);
	values[6] = migrate_text_array(ids, nrows);
	values[7] = migrate_scope_datum();

	migrate_catalog_enter(&cxt);
	/* the checksum of the SQL the step ran with, or accepted */
	migrate_catalog_exec_kept(&journal_plan, false, "INSERT INTO migrate.journal (revision, operation, message,"
				 " role, started_at, duration_ms, version_after, checksum,"
				 " scope)"
				 " VALUES ($1, $2, $3, $4, $5, $6, $7,"
				 " (SELECT CASE WHEN $2 = 'downgrade' THEN r.downgrade_checksum"
				 " ELSE r.upgrade_checksum END"
				 " FROM migrate.revision r WHERE r.revision = $1), $8)",
				 8, types, values, nulls, SPI_OK_INSERT);
	migrate_catalog_leave(&cxt);
}

/*
 * When each applied revision was applied: the start of its newest upgrade
 * or stamp in the journal (0 when the journal does not say).
 */
TimestampTz *
migrate_catalog_applied_times(const MigrateState *state)
{
	CatalogContext cxt;
	TimestampTz *times = palloc0(sizeof(TimestampTz) * Max(state->nrevs, 1));
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	uint64		i;

	values[0] = migrate_scope_datum();
	migrate_catalog_enter(&cxt);
	migrate_catalog_exec(true, "SELECT DISTINCT ON (revision) revision, operation, started_at"
				 " FROM migrate.journal WHERE revision IS NOT NULL AND scope = $1"
				 " ORDER BY revision, id DESC",
				 1, types, values, NULL, SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		char	   *id = migrate_spi_text(tuple, 1);
		char	   *op = migrate_spi_text(tuple, 2);
		int			node = migrate_graph_find(state->graph, id);
		bool		isnull;

		if (node >= 0 && strcmp(op, "downgrade") != 0)
			times[node] = DatumGetTimestampTz(SPI_getbinval(tuple,
															SPI_tuptable->tupdesc,
															3, &isnull));
	}
	migrate_catalog_leave(&cxt);
	return times;
}

/*
 * The newest migration: the steps of the transaction that wrote the newest
 * journal entry.  Returns the revision of its last step (NULL when the
 * journal is empty or the step names none), with the start of its first
 * step, the total duration, the role, the last operation and the number of
 * steps.
 */
char *
migrate_catalog_last_step(TimestampTz *started, double *duration_ms,
						  char **role, char **operation, int *nsteps)
{
	CatalogContext cxt;
	char	   *revision = NULL;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];

	*started = 0;
	*duration_ms = 0;
	*role = NULL;
	*operation = NULL;
	*nsteps = 0;

	values[0] = migrate_scope_datum();
	migrate_catalog_enter(&cxt);
	migrate_catalog_exec(true, "WITH last AS (SELECT xact_id, backend_pid FROM migrate.journal"
				 " WHERE scope = $1 ORDER BY id DESC LIMIT 1)"
				 " SELECT (array_agg(j.revision ORDER BY j.id DESC))[1],"
				 " (array_agg(j.operation ORDER BY j.id DESC))[1],"
				 " min(j.started_at), sum(j.duration_ms),"
				 " (array_agg(j.role::text ORDER BY j.id DESC))[1],"
				 " count(*)::int4"
				 " FROM migrate.journal j JOIN last USING (xact_id, backend_pid)"
				 " WHERE j.scope = $1"
				 " HAVING count(*) > 0",
				 1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];
		bool		isnull;
		MemoryContext spi_proc_cxt = MemoryContextSwitchTo(cxt.caller_cxt);

		revision = migrate_spi_text(tuple, 1);
		*operation = migrate_spi_text(tuple, 2);
		*started = DatumGetTimestampTz(SPI_getbinval(tuple,
													 SPI_tuptable->tupdesc,
													 3, &isnull));
		*duration_ms = DatumGetFloat8(SPI_getbinval(tuple,
													SPI_tuptable->tupdesc,
													4, &isnull));
		*role = migrate_spi_text(tuple, 5);
		*nsteps = DatumGetInt32(SPI_getbinval(tuple, SPI_tuptable->tupdesc,
											  6, &isnull));
		MemoryContextSwitchTo(spi_proc_cxt);
	}
	migrate_catalog_leave(&cxt);
	return revision;
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
 * The version rows of this call's scope, in the order migrate_catalog_load
 * gives them (by revision id), as the statement's snapshot sees them, with
 * their count in *n and, unless nrevs is NULL, the number of registered
 * revisions in *nrevs.  The reports that need no more than this (current
 * revisions, and the heads when migrate.state says the rows are the heads)
 * read it instead of loading every revision and building the graph: at
 * 10,000 revisions that is one short query instead of tens of
 * milliseconds.
 */
char	  **
migrate_catalog_version_ids(int *n, int *nrevs)
{
	CatalogContext cxt;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	bool		isnull;
	char	  **ids;
	MemoryContext spi_cxt;

	values[0] = migrate_scope_datum();
	migrate_catalog_enter(&cxt);
	/* the count reads every revision's row: only when asked for */
	migrate_catalog_exec(true, nrevs ?
						 "SELECT ARRAY(SELECT revision FROM migrate.version"
						 " WHERE scope = $1 ORDER BY revision),"
						 " (SELECT count(*) FROM migrate.revision)::int4" :
						 "SELECT ARRAY(SELECT revision FROM migrate.version"
						 " WHERE scope = $1 ORDER BY revision)",
						 1, types, values, NULL, SPI_OK_SELECT);
	if (nrevs)
		*nrevs = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
											 SPI_tuptable->tupdesc, 2,
											 &isnull));
	spi_cxt = MemoryContextSwitchTo(cxt.caller_cxt);
	ids = migrate_text_array_items(SPI_getbinval(SPI_tuptable->vals[0],
												 SPI_tuptable->tupdesc, 1,
												 &isnull),
								   isnull, n);
	MemoryContextSwitchTo(spi_cxt);
	migrate_catalog_leave(&cxt);
	return ids;
}
