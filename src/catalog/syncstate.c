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
 * Server log lines about revisions dropped by migrate_sync_prune, written
 * when the transaction commits: a client's read-only verb prunes in a
 * transaction it rolls back, and nothing was dropped then.
 */
static List *prune_log = NIL;
static bool prune_callback_registered = false;

/* Write the pending prune lines at commit; forget them at abort. */
static void
prune_xact_callback(XactEvent event, void *arg)
{
	ListCell   *lc;

	if (event == XACT_EVENT_COMMIT)
	{
		foreach(lc, prune_log)
			ereport(LOG,
					(errmsg("%s", (char *) lfirst(lc)),
					 errhidestmt(true)));
	}
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT)
		prune_log = NIL;		/* its memory goes with the transaction */
}

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

/* What migrate_catalog_sync_stat looks for in migrate.sync. */
typedef struct SyncStatMatch
{
	const char *dir_key;
	const char *stat_digest;
	Datum		generation;		/* of migrate.state */
	char	   *digest;			/* the result, or NULL */
} SyncStatMatch;

/*
 * The row of the directory, if recorded with this stat digest at the
 * current generation: its content digest goes to match->digest.  Every
 * row is visited until the directory's: the table holds one row per
 * client directory, a handful, which a scan reads faster than an index.
 */
static bool
match_sync_row(TupleDesc desc, TupleTableSlot *slot, void *arg)
{
	SyncStatMatch *match = (SyncStatMatch *) arg;
	int			key_col = migrate_catalog_column(desc, "dir_key");
	int			stat_col = migrate_catalog_column(desc, "stat_digest");
	int			gen_col = migrate_catalog_column(desc, "generation");
	int			digest_col = migrate_catalog_column(desc, "digest");

	if (key_col < 0 || stat_col < 0 || gen_col < 0 || digest_col < 0 ||
		slot->tts_isnull[key_col] ||
		strcmp(TextDatumGetCString(slot->tts_values[key_col]),
			   match->dir_key) != 0)
		return false;
	/* the directory's row: a match or not, the scan ends here */
	if (!slot->tts_isnull[stat_col] && !slot->tts_isnull[gen_col] &&
		!slot->tts_isnull[digest_col] &&
		DatumGetInt64(slot->tts_values[gen_col]) ==
		DatumGetInt64(match->generation) &&
		strcmp(TextDatumGetCString(slot->tts_values[stat_col]),
			   match->stat_digest) == 0)
		match->digest = TextDatumGetCString(slot->tts_values[digest_col]);
	return true;
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
	static const char *const names[1] = {"generation"};
	SyncStatMatch match;
	bool		null;

	/* direct reads: this is the first call of nearly every client run */
	if (!migrate_catalog_state_row(1, names, &match.generation, &null, true) ||
		null)
		return NULL;
	match.dir_key = dir_key;
	match.stat_digest = stat_digest;
	match.digest = NULL;
	(void) migrate_catalog_scan("sync", true, match_sync_row, &match);
	return match.digest;
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

/* Why migrate_catalog_sync_prune keeps a revision whose file is gone. */
typedef enum PruneKeep
{
	PRUNE_DROP,					/* not applied: unregistered */
	PRUNE_APPLIED,				/* applied, or recorded as interrupted */
	PRUNE_BUILT_ON				/* a revision that stays builds on it */
} PruneKeep;

/*
 * The revisions registered from a file that is not among names (every
 * file of the client directory), into the materialized result of fcinfo
 * as (revision, file_name, dropped).  The directory is the source of truth
 * for what is not applied yet: such a revision that is neither applied
 * nor recorded as interrupted is unregistered, with a NOTICE, and a server
 * log line at commit.  An applied one stays, with a WARNING: downgrading
 * it needs the SQL the catalog keeps.  So does one that a revision staying
 * registered (one without a file, say) revises or depends on: dropping it
 * would leave that revision's parent unknown, and every call refused.
 * The caller holds the migration lock.  Returns how many were dropped.
 */
int
migrate_catalog_sync_prune(Datum names, FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CatalogContext cxt;
	Oid			types[1] = {TEXTARRAYOID};
	Datum		values[1];
	char	  **revs;
	char	  **files;
	char	  **dependents;
	PruneKeep  *keep;
	char	  **drop;
	int			n;
	int			ndrop;
	int			ndropped = 0;
	int			i;
	bool		changed;

	values[0] = names;
	migrate_catalog_enter(&cxt);
	migrate_catalog_exec(false, MIGRATE_APPLIED_CTE
				 " SELECT r.revision, r.file_name,"
				 " r.revision IN (SELECT id FROM applied)"
				 " OR r.revision IN (SELECT revision FROM migrate.interrupted)"
				 " FROM migrate.revision r"
				 " WHERE r.file_name IS NOT NULL AND r.file_sha256 IS NOT NULL"
				 " AND r.file_name <> ALL ($1)"
				 " ORDER BY r.seq",
				 1, types, values, NULL, SPI_OK_SELECT);
	n = (int) SPI_processed;
	revs = MemoryContextAlloc(cxt.caller_cxt, sizeof(char *) * (n + 1));
	files = MemoryContextAlloc(cxt.caller_cxt, sizeof(char *) * (n + 1));
	dependents = MemoryContextAllocZero(cxt.caller_cxt, sizeof(char *) * (n + 1));
	keep = MemoryContextAlloc(cxt.caller_cxt, sizeof(PruneKeep) * (n + 1));
	drop = MemoryContextAlloc(cxt.caller_cxt, sizeof(char *) * (n + 1));
	for (i = 0; i < n; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		bool		isnull;

		revs[i] = MemoryContextStrdup(cxt.caller_cxt, migrate_spi_text(tup, 1));
		files[i] = MemoryContextStrdup(cxt.caller_cxt, migrate_spi_text(tup, 2));
		keep[i] = DatumGetBool(SPI_getbinval(tup, SPI_tuptable->tupdesc, 3,
											 &isnull)) ?
			PRUNE_APPLIED : PRUNE_DROP;
	}

	/*
	 * Keep, until nothing changes, each candidate that a revision staying
	 * registered builds on: a chain whose files are all gone goes at once.
	 */
	do
	{
		MemoryContext old;

		changed = false;
		ndrop = 0;
		for (i = 0; i < n; i++)
			if (keep[i] == PRUNE_DROP)
				drop[ndrop++] = revs[i];
		if (ndrop == 0)
			break;
		old = MemoryContextSwitchTo(cxt.caller_cxt);
		values[0] = migrate_text_array(drop, ndrop);
		MemoryContextSwitchTo(old);
		migrate_catalog_exec(false, "SELECT d, min(r.revision)"
					 " FROM unnest($1) AS d, migrate.revision r"
					 " WHERE r.revision <> ALL ($1)"
					 " AND (d = ANY (r.revises) OR d = ANY (r.depends_on))"
					 " GROUP BY d",
					 1, types, values, NULL, SPI_OK_SELECT);
		for (i = 0; i < (int) SPI_processed; i++)
		{
			char	   *d = migrate_spi_text(SPI_tuptable->vals[i], 1);
			int			j;

			for (j = 0; j < n; j++)
			{
				if (keep[j] == PRUNE_DROP && strcmp(revs[j], d) == 0)
				{
					keep[j] = PRUNE_BUILT_ON;
					dependents[j] = MemoryContextStrdup(cxt.caller_cxt,
														migrate_spi_text(SPI_tuptable->vals[i], 2));
					changed = true;
				}
			}
		}
	} while (changed);

	if (ndrop > 0)
	{
		migrate_catalog_exec(false, "DELETE FROM migrate.revision WHERE revision = ANY ($1)",
					 1, types, values, NULL, SPI_OK_DELETE);
		ndropped = (int) SPI_processed;
	}
	migrate_catalog_leave(&cxt);

	for (i = 0; i < n; i++)
	{
		Datum		row[3];
		bool		nulls[3] = {false, false, false};

		if (keep[i] == PRUNE_APPLIED)
			ereport(WARNING,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("applied revision \"%s\" has no file", revs[i]),
					 errdetail("File \"%s\" is not in the revisions' directory; the revision stays registered, as downgrading it needs its SQL.",
							   files[i])));
		else if (keep[i] == PRUNE_BUILT_ON)
			ereport(WARNING,
					(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
					 errmsg("revision \"%s\" has no file but stays registered",
							revs[i]),
					 errdetail("File \"%s\" is not in the revisions' directory, but registered revision \"%s\" builds on it.",
							   files[i], dependents[i]),
					 errhint("Restore the file, or remove \"%s\" too.",
							 dependents[i])));
		else
		{
			MemoryContext old;

			ereport(NOTICE,
					(errmsg("revision \"%s\" is no longer registered", revs[i]),
					 errdetail("Its file \"%s\" is not in the revisions' directory, and it was not applied.",
							   files[i])));
			if (!prune_callback_registered)
			{
				RegisterXactCallback(prune_xact_callback, NULL);
				prune_callback_registered = true;
			}
			old = MemoryContextSwitchTo(TopTransactionContext);
			prune_log = lappend(prune_log,
								psprintf("migration sync dropped revision \"%s\": its file \"%s\" is gone and it was not applied",
										 revs[i], files[i]));
			MemoryContextSwitchTo(old);
		}
		row[0] = CStringGetTextDatum(revs[i]);
		row[1] = CStringGetTextDatum(files[i]);
		row[2] = BoolGetDatum(keep[i] == PRUNE_DROP);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row, nulls);
	}
	return ndropped;
}
