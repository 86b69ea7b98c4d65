/*-------------------------------------------------------------------------
 *
 * syncstate.c
 *	  What the client last registered from each directory: the digests
 *	  its directory sync compares before sending any file.
 *
 * IDENTIFICATION
 *	  src/catalog/syncstate.c
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

/*
 * Whether the client directory dir_key was last registered in full with
 * this digest, and nothing changed since.  The caller holds the migration
 * lock.
 */
bool
migrate_catalog_sync_check(const char *dir_key, const char *digest)
{
	static SPIPlanPtr plan = NULL;
	CatalogContext cxt;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	bool		synced;

	values[0] = CStringGetTextDatum(dir_key);
	values[1] = CStringGetTextDatum(digest);
	migrate_catalog_enter(&cxt);
	migrate_catalog_exec_kept(&plan, false,
					  "SELECT 1 FROM migrate.sync s, migrate.state t"
					  " WHERE s.dir_key = $1 AND s.digest = $2"
					  " AND s.generation = t.generation",
					  2, types, values, NULL, SPI_OK_SELECT);
	synced = SPI_processed > 0;
	migrate_catalog_leave(&cxt);
	return synced;
}

/*
 * The content digest recorded for the client directory dir_key when the
 * client's stat digest of its files (names, sizes, times, inodes) is
 * stat_digest and nothing changed since; NULL otherwise.  The caller holds
 * the migration lock.
 */
char *
migrate_catalog_sync_stat(const char *dir_key, const char *stat_digest)
{
	static SPIPlanPtr plan = NULL;
	CatalogContext cxt;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	char	   *digest = NULL;

	values[0] = CStringGetTextDatum(dir_key);
	values[1] = CStringGetTextDatum(stat_digest);
	migrate_catalog_enter(&cxt);
	migrate_catalog_exec_kept(&plan, false,
					  "SELECT s.digest FROM migrate.sync s, migrate.state t"
					  " WHERE s.dir_key = $1 AND s.stat_digest = $2"
					  " AND s.generation = t.generation",
					  2, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
	{
		char	   *d = SPI_getvalue(SPI_tuptable->vals[0],
									 SPI_tuptable->tupdesc, 1);

		digest = d ? MemoryContextStrdup(cxt.caller_cxt, d) : NULL;
	}
	migrate_catalog_leave(&cxt);
	return digest;
}

/*
 * One row (file_name, revision, file_sha256) per revision registered from
 * a file, into the materialized result of fcinfo.
 */
void
migrate_catalog_sync_files(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CatalogContext cxt;
	uint64		i;

	migrate_catalog_enter(&cxt);
	migrate_catalog_exec(false, "SELECT file_name, revision, file_sha256"
				 " FROM migrate.revision"
				 " WHERE file_name IS NOT NULL AND file_sha256 IS NOT NULL",
				 0, NULL, NULL, NULL, SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};
		int			col;

		for (col = 0; col < 3; col++)
			values[col] = SPI_getbinval(SPI_tuptable->vals[i],
										SPI_tuptable->tupdesc, col + 1,
										&nulls[col]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	migrate_catalog_leave(&cxt);
}

/*
 * Record that every file of the client directory dir_key, whose digest is
 * digest, is registered as it is now; returns the generation recorded.
 * The caller holds the migration lock, and checked or sent every file in
 * this transaction.
 */
int64
migrate_catalog_sync_done(const char *dir_key, const char *digest,
						  const char *stat_digest)
{
	static SPIPlanPtr plan = NULL;
	CatalogContext cxt;
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};
	bool		isnull;
	int64		generation;

	values[0] = CStringGetTextDatum(dir_key);
	values[1] = CStringGetTextDatum(digest);
	/* no stat digest: the next check reads the files */
	values[2] = stat_digest ? CStringGetTextDatum(stat_digest) : (Datum) 0;
	nulls[2] = stat_digest ? ' ' : 'n';
	migrate_catalog_enter(&cxt);
	migrate_catalog_exec_kept(&plan, false,
					  "INSERT INTO migrate.sync (dir_key, digest, generation,"
					  " stat_digest)"
					  " SELECT $1, $2, generation, $3 FROM migrate.state"
					  " ON CONFLICT (dir_key) DO UPDATE"
					  " SET digest = excluded.digest,"
					  " stat_digest = excluded.stat_digest,"
					  " generation = excluded.generation,"
					  " synced_at = pg_catalog.now()"
					  " RETURNING generation",
					  3, types, values, nulls, SPI_OK_INSERT_RETURNING);
	if (SPI_processed != 1)
		elog(ERROR, "migrate.state has no row");
	generation = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											 SPI_tuptable->tupdesc, 1,
											 &isnull));
	migrate_catalog_leave(&cxt);
	/* a later change in this transaction must move the generation again */
	migrate_catalog_forget_bump();
	return generation;
}
