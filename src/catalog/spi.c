/*-------------------------------------------------------------------------
 *
 * spi.c
 *	  The one SPI frame of the catalog: the extension owner's identity, a
 *	  safe search_path, typed queries, and the library's version check.
 *
 *
 * The catalog (schema "migrate") belongs to the extension owner and is
 * accessed with the owner's identity, as amcheck does, so that a role that
 * was granted EXECUTE on the functions needs no privilege on the tables.
 * That identity is a superuser's, so the access is also a security-
 * restricted operation, and the catalog's constraints name only
 * pg_catalog operators (see the install script).
 * The revisions' own SQL, by contrast, runs as the caller (runner.c).
 * Every query runs with search_path = pg_catalog, pg_temp, so that nothing
 * in the caller's search path can capture an operator or function.
 *
 * IDENTIFICATION
 *	  src/catalog/spi.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "executor/tuptable.h"
#include "access/tableam.h"
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
 * Refuse a database whose extension is at another version than this
 * library, as between installing a new release and running ALTER
 * EXTENSION ... UPDATE: the library's queries name the catalog of its own
 * version and would fail with messages about missing columns.  Looked up
 * once per transaction; an update cannot move the version back.
 */
static void
catalog_check_version(void)
{
	static LocalTransactionId checked = InvalidLocalTransactionId;
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tuple;
	char	   *version = NULL;

	if (checked == MyProc->lxid)
		return;
	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum("pg_migrate"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
	{
		bool		isnull;
		Datum		d = heap_getattr(tuple, Anum_pg_extension_extversion,
									 RelationGetDescr(rel), &isnull);

		if (!isnull)
			version = text_to_cstring(DatumGetTextPP(d));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	if (version != NULL && strcmp(version, PG_MIGRATE_VERSION) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"pg_migrate\" is at version %s in this database, but its library is version %s",
						version, PG_MIGRATE_VERSION),
				 errhint("Run ALTER EXTENSION pg_migrate UPDATE.")));
	checked = MyProc->lxid;
}

/*
 * The extension owner: the owner of schema "migrate", which CREATE
 * EXTENSION made.
 */
static Oid
catalog_owner(void)
{
	Oid			nspid = get_namespace_oid("migrate", true);
	HeapTuple	tuple;
	Oid			owner;

	if (!OidIsValid(nspid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_SCHEMA),
				 errmsg("schema \"migrate\" does not exist"),
				 errhint("Run CREATE EXTENSION pg_migrate in this database.")));

	catalog_check_version();
	tuple = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nspid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for namespace %u", nspid);
	owner = ((Form_pg_namespace) GETSTRUCT(tuple))->nspowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * Switch to the owner's identity and a safe search_path, and connect SPI.
 */
void
migrate_catalog_enter(CatalogContext *cxt)
{
	Oid			owner = catalog_owner();

	cxt->caller_cxt = CurrentMemoryContext;
	GetUserIdAndSecContext(&cxt->save_userid, &cxt->save_sec_context);
	SetUserIdAndSecContext(owner,
						   cxt->save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	cxt->save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

/* Undo migrate_catalog_enter. */
void
migrate_catalog_leave(CatalogContext *cxt)
{
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	AtEOXact_GUC(false, cxt->save_nestlevel);
	SetUserIdAndSecContext(cxt->save_userid, cxt->save_sec_context);
}

/*
 * Run a query with typed parameters; insist on the expected result code.
 * read_only queries see the statement's snapshot (reports, which are STABLE
 * and must agree with themselves); the others take a fresh one, so that a
 * caller holding the migration lock sees what the previous holder committed.
 */
void
migrate_catalog_exec(bool read_only, const char *sql, int nargs, Oid *types,
			 Datum *values, const char *nulls, int expected)
{
	int			ret;

	ret = SPI_execute_with_args(sql, nargs, types, values, nulls, read_only, 0);
	if (ret != expected)
		elog(ERROR, "SPI_execute_with_args failed (%d): %s", ret, sql);
}

/*
 * Like migrate_catalog_exec, for the queries run once per revision (registration,
 * journal): the plan is prepared once per session and kept in *slot, so
 * that registering or applying thousands of revisions does not parse and
 * plan the same statement thousands of times.  A kept plan is re-planned
 * by the plan cache when the catalog tables change (DROP EXTENSION and
 * CREATE EXTENSION again, say); the search_path is always the one
 * migrate_catalog_enter pins.
 */
void
migrate_catalog_exec_kept(SPIPlanPtr *slot, bool read_only, const char *sql,
				  int nargs, Oid *types, Datum *values, const char *nulls,
				  int expected)
{
	int			ret;

	if (*slot == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed (%s): %s",
				 SPI_result_code_string(SPI_result), sql);
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed: %s", sql);
		*slot = plan;
	}
	ret = SPI_execute_plan(*slot, values, nulls, read_only, 0);
	if (ret != expected)
		elog(ERROR, "SPI_execute_plan failed (%d): %s", ret, sql);
}

/* Copy a text[] column into a palloc'd C array in the current context. */
char **
migrate_text_array_items(Datum value, bool isnull, int *count)
{
	ArrayType  *array;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	char	  **result;
	int			i;

	*count = 0;
	if (isnull)
		return NULL;
	array = DatumGetArrayTypeP(value);
	if (ARR_NDIM(array) == 0)
	{
		/* the common case of depends_on and branch_labels: nothing */
		if ((Pointer) array != DatumGetPointer(value))
			pfree(array);
		return palloc(sizeof(char *));
	}
	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	result = palloc(sizeof(char *) * Max(n, 1));
	for (i = 0; i < n; i++)
		result[i] = nulls[i] ? pstrdup("") : TextDatumGetCString(elems[i]);
	*count = n;
	/* the state of 10,000 revisions keeps only the strings */
	pfree(elems);
	pfree(nulls);
	if ((Pointer) array != DatumGetPointer(value))
		pfree(array);
	return result;
}

/* Build a text[] datum from C strings. */
Datum
migrate_text_array(char *const *items, int count)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(count, 1));
	int			i;

	for (i = 0; i < count; i++)
		elems[i] = CStringGetTextDatum(items[i]);
	return PointerGetDatum(construct_array(elems, count, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/* The text value of column col of the current SPI row, or NULL. */
char *
migrate_spi_text(HeapTuple tuple, int col)
{
	bool		isnull;
	Datum		value = SPI_getbinval(tuple, SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(value);
}

/*
 * The same access path for the other modules that keep catalog tables of
 * their own (integrity.c): begin, queries, end.  The handle is palloc'd in
 * the caller's memory context.
 */
void *
migrate_catalog_begin(void)
{
	CatalogContext *cxt = palloc(sizeof(CatalogContext));

	migrate_catalog_enter(cxt);
	return cxt;
}

void
migrate_catalog_query(bool read_only, const char *sql, int nargs, Oid *types,
					  Datum *values, const char *nulls, int expected)
{
	migrate_catalog_exec(read_only, sql, nargs, types, values, nulls, expected);
}

void
migrate_catalog_end(void *handle)
{
	migrate_catalog_leave((CatalogContext *) handle);
	pfree(handle);
}

/*
 * Scan table migrate.<relname> as the newest snapshot (latest) or the
 * statement's sees it, without SPI, handing each row to visit until it
 * returns true; return whether one did.  A NULL visit stops at the first
 * row.
 *
 * This serves the questions that every call asks, and above all a
 * session's first call, the start of an application: whether a table
 * holds a row (nearly never), the one row of migrate.state, the row of
 * one client directory in migrate.sync (a handful of rows).  A scan is far
 * cheaper there than a query through SPI (owner identity, pinned
 * search_path, parse and plan), as each catalog a query touches is a
 * cache miss in a new session.  The tables belong to the extension and
 * nothing of the caller's is run, so reading them directly is safe.
 */
bool
migrate_catalog_scan(const char *relname, bool latest,
					 bool (*visit) (TupleDesc desc, TupleTableSlot *slot,
									void *arg),
					 void *arg)
{
	Oid			nspid = get_namespace_oid("migrate", false);
	Oid			relid = get_relname_relid(relname, nspid);
	Relation	rel;
	Snapshot	snapshot;
	TableScanDesc scan;
	TupleTableSlot *slot;
	bool		found = false;

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
	while (!found && table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		if (visit != NULL)
			slot_getallattrs(slot);
		found = visit == NULL || visit(RelationGetDescr(rel), slot, arg);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snapshot);
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * The index of column name in a row of desc, or -1 when there is none
 * (a catalog of an older version than the library).
 */
int
migrate_catalog_column(TupleDesc desc, const char *name)
{
	int			a;

	for (a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return a;
	}
	return -1;
}

/* Whether table migrate.<relname> has a row (see migrate_catalog_scan). */
bool
migrate_catalog_has_rows(const char *relname, bool latest)
{
	return migrate_catalog_scan(relname, latest, NULL, NULL);
}

/* What migrate_catalog_state_row reads into. */
typedef struct StateRowRead
{
	int			ncols;
	const char *const *names;
	Datum	   *values;
	bool	   *nulls;
} StateRowRead;

/* Take the columns asked for from the one row; false if one is missing. */
static bool
read_state_columns(TupleDesc desc, TupleTableSlot *slot, void *arg)
{
	StateRowRead *read = (StateRowRead *) arg;
	int			i;

	for (i = 0; i < read->ncols; i++)
	{
		int			col = migrate_catalog_column(desc, read->names[i]);

		if (col < 0)
			return false;
		/* by-value columns only (bigint, integer): nothing to copy */
		read->values[i] = slot->tts_values[col];
		read->nulls[i] = slot->tts_isnull[col];
	}
	return true;
}

/*
 * Columns names[] of the one row of migrate.state, read directly (see
 * migrate_catalog_scan); by-value columns only.  False when the row or one
 * of the columns is missing: the callers then take the path that reports
 * a catalog older than the library.
 */
bool
migrate_catalog_state_row(int ncols, const char *const *names, Datum *values,
						  bool *nulls, bool latest)
{
	StateRowRead read;

	read.ncols = ncols;
	read.names = names;
	read.values = values;
	read.nulls = nulls;
	return migrate_catalog_scan("state", latest, read_state_columns, &read);
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
