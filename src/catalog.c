/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Reading and writing pg_migrate's catalog tables through SPI.
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
 *	  src/catalog.c
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

#include "pg_migrate.h"
#include "revfile.h"

/* What catalog_enter saved, for catalog_leave to restore. */
typedef struct CatalogContext
{
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
	MemoryContext caller_cxt;
} CatalogContext;

static void catalog_bump_connected(void);

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
static void
catalog_enter(CatalogContext *cxt)
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

/* Undo catalog_enter. */
static void
catalog_leave(CatalogContext *cxt)
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
static void
catalog_exec(bool read_only, const char *sql, int nargs, Oid *types,
			 Datum *values, const char *nulls, int expected)
{
	int			ret;

	ret = SPI_execute_with_args(sql, nargs, types, values, nulls, read_only, 0);
	if (ret != expected)
		elog(ERROR, "SPI_execute_with_args failed (%d): %s", ret, sql);
}

/*
 * Like catalog_exec, for the queries run once per revision (registration,
 * journal): the plan is prepared once per session and kept in *slot, so
 * that registering or applying thousands of revisions does not parse and
 * plan the same statement thousands of times.  A kept plan is re-planned
 * by the plan cache when the catalog tables change (DROP EXTENSION and
 * CREATE EXTENSION again, say); the search_path is always the one
 * catalog_enter pins.
 */
static void
catalog_exec_kept(SPIPlanPtr *slot, bool read_only, const char *sql,
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
static char **
text_array_to_cstrings(Datum value, bool isnull, int *count)
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
static char *
spi_text(HeapTuple tuple, int col)
{
	bool		isnull;
	Datum		value = SPI_getbinval(tuple, SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(value);
}

/*
 * Whether a revision (a text datum) is applied: reachable from a version row
 * through parents and dependencies.  Works on the catalog rows alone, so
 * that it needs no valid graph (registration does not).  SPI is connected.
 */
static bool
catalog_is_applied(Datum revision)
{
	Oid			types[1] = {TEXTOID};

	catalog_exec(false, "WITH RECURSIVE applied(id) AS ("
				 " SELECT revision FROM migrate.version"
				 " UNION"
				 " SELECT p FROM applied a"
				 " JOIN migrate.revision r ON r.revision = a.id,"
				 " unnest(r.revises || r.depends_on) AS p)"
				 " SELECT 1 FROM applied WHERE id = $1",
				 1, types, &revision, NULL, SPI_OK_SELECT);
	return SPI_processed > 0;
}

/*
 * Load every registered revision (with its SQL when with_sql), build the
 * graph, and read the version rows.  With latest, read what is committed
 * now rather than what the statement's snapshot shows.  An invalid graph is
 * an error.
 */
void
migrate_catalog_load(MigrateState *state, bool with_sql, bool latest)
{
	CatalogContext cxt;
	MigrateRevNode *nodes;
	MigrateGraphError err;
	Oid			argtypes[1] = {BOOLOID};
	Datum		args[1];
	uint64		n;
	uint64		i;
	MemoryContext spi_proc_cxt;

	memset(state, 0, sizeof(*state));
	catalog_enter(&cxt);

	args[0] = BoolGetDatum(with_sql);
	catalog_exec(!latest, "SELECT revision, revises, depends_on, branch_labels, message,"
				 " transactional, file_name, upgrade_line, downgrade_line,"
				 " downgrade_sql IS NOT NULL,"
				 " CASE WHEN $1 THEN upgrade_sql END,"
				 " CASE WHEN $1 THEN downgrade_sql END, repeatable"
				 " FROM migrate.revision ORDER BY seq",
				 1, argtypes, args, NULL, SPI_OK_SELECT);

	n = SPI_processed;
	spi_proc_cxt = MemoryContextSwitchTo(cxt.caller_cxt);
	state->nrevs = (int) n;
	state->revs = palloc0(sizeof(MigrateRevision) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		MigrateRevision *rev = &state->revs[i];
		Datum		d[13];
		bool		isnull[13];

		/*
		 * One pass over the row: fetching its 12 columns one by one would
		 * walk the variable-width columns before each of them again.
		 */
		heap_deform_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
						  d, isnull);
		rev->revision = TextDatumGetCString(d[0]);
		rev->revises = text_array_to_cstrings(d[1], isnull[1], &rev->nrevises);
		rev->depends_on = text_array_to_cstrings(d[2], isnull[2],
												 &rev->ndepends_on);
		rev->branch_labels = text_array_to_cstrings(d[3], isnull[3],
													&rev->nbranch_labels);
		rev->message = isnull[4] ? NULL : TextDatumGetCString(d[4]);
		rev->transactional = DatumGetBool(d[5]);
		rev->file_name = isnull[6] ? NULL : TextDatumGetCString(d[6]);
		rev->upgrade_line = isnull[7] ? 0 : DatumGetInt32(d[7]);
		rev->downgrade_line = isnull[8] ? 0 : DatumGetInt32(d[8]);
		rev->has_downgrade = DatumGetBool(d[9]);
		rev->upgrade_sql = isnull[10] ? NULL : TextDatumGetCString(d[10]);
		rev->downgrade_sql = isnull[11] ? NULL : TextDatumGetCString(d[11]);
		rev->repeatable = DatumGetBool(d[12]);
	}
	MemoryContextSwitchTo(spi_proc_cxt);

	catalog_exec(!latest, "SELECT revision FROM migrate.version ORDER BY revision",
				 0, NULL, NULL, NULL, SPI_OK_SELECT);

	MemoryContextSwitchTo(cxt.caller_cxt);
	nodes = palloc0(sizeof(MigrateRevNode) * Max(state->nrevs, 1));
	for (i = 0; i < (uint64) state->nrevs; i++)
	{
		MigrateRevision *rev = &state->revs[i];

		nodes[i].revision = rev->revision;
		nodes[i].revises = (const char *const *) rev->revises;
		nodes[i].nrevises = rev->nrevises;
		nodes[i].depends_on = (const char *const *) rev->depends_on;
		nodes[i].ndepends_on = rev->ndepends_on;
		nodes[i].branch_labels = (const char *const *) rev->branch_labels;
		nodes[i].nbranch_labels = rev->nbranch_labels;
	}
	state->graph = migrate_graph_build(nodes, state->nrevs, &err);
	if (state->graph == NULL)
	{
		MemoryContextSwitchTo(spi_proc_cxt);
		migrate_raise_graph_error(&err);
	}

	state->rows = palloc(sizeof(int) * Max(SPI_processed, 1));
	state->nrows = 0;
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *id = spi_text(SPI_tuptable->vals[i], 1);
		int			node = migrate_graph_find(state->graph, id);

		/* the foreign key makes this can't-happen */
		if (node < 0)
			elog(ERROR, "version row \"%s\" names no registered revision", id);
		state->rows[state->nrows++] = node;
	}
	MemoryContextSwitchTo(spi_proc_cxt);

	catalog_leave(&cxt);
}

/*
 * Register one revision.  An identical registration changes nothing; a
 * different one replaces the stored revision unless it is applied (an
 * ancestor of a version row, dependencies included).  An applied
 * revision keeps its place in the graph (revises, depends_on, branch
 * labels, transactional): a change there is refused.  Its SQL may be
 * registered again: the same fingerprint is the same revision (only the
 * text is kept); a different one is drift, kept in migrate.drift with the
 * checksums it was applied with, until migrate_repair() accepts it or the
 * file goes back to what was applied.
 */
MigrateRegisterResult
migrate_catalog_register(const MigrateRevision *rev)
{
	static SPIPlanPtr compare_plan = NULL;
	static SPIPlanPtr insert_plan = NULL;
	static SPIPlanPtr relabel_plan = NULL;
	CatalogContext cxt;
	Oid			types[19] = {TEXTOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
		TEXTOID, TEXTOID, TEXTOID, BOOLOID, TEXTOID, INT4OID, INT4OID, NAMEOID,
	TEXTOID, TEXTOID, TEXTARRAYOID, TEXTOID, BOOLOID, TEXTOID, TEXTOID};
	Datum		values[19];
	char		nulls[19];
	MigrateRegisterResult result;

	memset(nulls, ' ', sizeof(nulls));
	values[0] = CStringGetTextDatum(rev->revision);
	values[1] = migrate_text_array(rev->revises, rev->nrevises);
	values[2] = migrate_text_array(rev->depends_on, rev->ndepends_on);
	values[3] = migrate_text_array(rev->branch_labels, rev->nbranch_labels);
	values[4] = CStringGetTextDatum(rev->message ? rev->message : "");
	values[5] = CStringGetTextDatum(rev->upgrade_sql);
	values[12] = CStringGetTextDatum(migrate_fingerprint_sql(rev->upgrade_sql));
	if (rev->downgrade_sql)
	{
		values[6] = CStringGetTextDatum(rev->downgrade_sql);
		values[13] = CStringGetTextDatum(migrate_fingerprint_sql(rev->downgrade_sql));
	}
	else
	{
		values[6] = (Datum) 0;
		nulls[6] = 'n';
		values[13] = (Datum) 0;
		nulls[13] = 'n';
	}
	values[7] = BoolGetDatum(rev->transactional);
	if (rev->file_name)
		values[8] = CStringGetTextDatum(rev->file_name);
	else
	{
		values[8] = (Datum) 0;
		nulls[8] = 'n';
	}
	values[9] = Int32GetDatum(rev->upgrade_line);
	nulls[9] = rev->upgrade_line > 0 ? ' ' : 'n';
	values[10] = Int32GetDatum(rev->downgrade_line);
	nulls[10] = rev->downgrade_line > 0 ? ' ' : 'n';
	/* the role that called, as the journal records it */
	values[11] = DirectFunctionCall1(namein,
									 CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
	values[14] = migrate_text_array(rev->lint_ignores, rev->nlint_ignores);
	/* the file's digest goes with its name: none without a file */
	if (rev->file_name && rev->file_sha256)
		values[15] = CStringGetTextDatum(rev->file_sha256);
	else
	{
		values[15] = (Datum) 0;
		nulls[15] = 'n';
	}
	values[16] = BoolGetDatum(rev->repeatable);
	if (rev->source_format && rev->source_version)
	{
		values[17] = CStringGetTextDatum(rev->source_format);
		values[18] = CStringGetTextDatum(rev->source_version);
	}
	else
	{
		values[17] = values[18] = (Datum) 0;
		nulls[17] = nulls[18] = 'n';
	}

	catalog_enter(&cxt);

	catalog_exec_kept(&compare_plan, false,
				 "SELECT (revises, depends_on, branch_labels, message,"
				 " upgrade_sql, downgrade_sql, transactional, repeatable)"
				 " IS NOT DISTINCT FROM ($2, $3, $4, $5, $6, $7, $8, $17),"
				 " (revises, depends_on, branch_labels, transactional,"
				 " repeatable)"
				 " IS NOT DISTINCT FROM ($2, $3, $4, $8, $17),"
				 " (upgrade_checksum, downgrade_checksum)"
				 " IS NOT DISTINCT FROM ($13, $14),"
				 " (SELECT (d.applied_upgrade_checksum, d.applied_downgrade_checksum)"
				 " IS NOT DISTINCT FROM ($13, $14)"
				 " FROM migrate.drift d WHERE d.revision = $1)"
				 " FROM migrate.revision WHERE revision = $1",
				 17, types, values, nulls, SPI_OK_SELECT);

	if (SPI_processed == 0)
	{
		catalog_exec_kept(&insert_plan, false,
					 "INSERT INTO migrate.revision (revision, revises,"
					 " depends_on, branch_labels, message, upgrade_sql,"
					 " downgrade_sql, transactional, file_name, upgrade_line,"
					 " downgrade_line, registered_by, upgrade_checksum,"
					 " downgrade_checksum, lint_ignores, file_sha256,"
					 " repeatable, source_format, source_version)"
					 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
					 " $12, $13, $14, $15, $16, $17, $18, $19)",
					 19, types, values, nulls, SPI_OK_INSERT);
		result = MIGRATE_ADDED;
	}
	else
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		bool		same = DatumGetBool(SPI_getbinval(tuple, desc, 1, &isnull));
		bool		same_edges = DatumGetBool(SPI_getbinval(tuple, desc, 2, &isnull));
		bool		same_meaning = DatumGetBool(SPI_getbinval(tuple, desc, 3, &isnull));
		bool		drifted;
		bool		back_to_applied = DatumGetBool(SPI_getbinval(tuple, desc, 4,
																 &drifted));

		/* the fourth column is null when there is no drift row */
		drifted = !drifted;

		if (same)
		{
			/*
			 * Same revision, perhaps from a renamed or re-laid-out file: keep
			 * the file name and lines that error contexts cite up to date,
			 * and the lint rules it silences.  This is metadata, so it is
			 * allowed for applied revisions too.  It still counts as a
			 * change for the generation: the client's directory digests
			 * (migrate_sync_check) rely on every change of a revision row
			 * moving it.
			 */
			catalog_exec_kept(&relabel_plan, false,
						 "UPDATE migrate.revision SET file_name = $9,"
						 " upgrade_line = $10, downgrade_line = $11,"
						 " lint_ignores = $15, file_sha256 = $16,"
						 " source_format = $18, source_version = $19"
						 " WHERE revision = $1"
						 " AND (file_name, upgrade_line, downgrade_line,"
						 " lint_ignores, file_sha256, source_format,"
						 " source_version)"
						 " IS DISTINCT FROM ($9, $10, $11, $15, $16, $18, $19)",
						 19, types, values, nulls, SPI_OK_UPDATE);
			if (SPI_processed > 0)
				catalog_bump_connected();
			result = MIGRATE_UNCHANGED;
		}
		else if (!catalog_is_applied(values[0]))
		{
			catalog_exec(false, "UPDATE migrate.revision SET revises = $2,"
						 " depends_on = $3, branch_labels = $4, message = $5,"
						 " upgrade_sql = $6, downgrade_sql = $7,"
						 " transactional = $8, file_name = $9,"
						 " upgrade_line = $10, downgrade_line = $11,"
						 " registered_at = pg_catalog.now(), registered_by = $12,"
						 " upgrade_checksum = $13, downgrade_checksum = $14,"
						 " lint_ignores = $15, file_sha256 = $16,"
						 " repeatable = $17, source_format = $18,"
						 " source_version = $19"
						 " WHERE revision = $1",
						 19, types, values, nulls, SPI_OK_UPDATE);
			result = MIGRATE_REPLACED;
		}
		else if (!same_edges)
		{
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision \"%s\" is applied and cannot be changed",
							rev->revision),
					 rev->file_name ?
					 errdetail("File \"%s\" changes the revision's revises, depends-on, branch labels or transactional flag.",
							   rev->file_name) :
					 errdetail("The new definition changes the revision's revises, depends_on, branch labels or transactional flag."),
					 errhint("Write a new revision instead, or downgrade past this one first.")));
			result = MIGRATE_UNCHANGED; /* keep compiler quiet */
		}
		else if (rev->repeatable)
		{
			/*
			 * An applied repeatable revision with other SQL is not drift:
			 * the next upgrade applies it again (migrate_catalog_reapply_due).
			 */
			catalog_exec(false, "UPDATE migrate.revision SET message = $5,"
						 " upgrade_sql = $6, downgrade_sql = $7, file_name = $9,"
						 " upgrade_line = $10, downgrade_line = $11,"
						 " upgrade_checksum = $13, downgrade_checksum = $14,"
						 " lint_ignores = $15, file_sha256 = $16,"
						 " source_format = $18, source_version = $19"
						 " WHERE revision = $1",
						 19, types, values, nulls, SPI_OK_UPDATE);
			catalog_bump_connected();
			result = same_meaning ? MIGRATE_UNCHANGED : MIGRATE_REPLACED;
		}
		else
		{
			/*
			 * Applied, same place in the graph, other text: the text and
			 * checksums are stored in all cases, so that what the catalog
			 * shows is what the file says.
			 */
			if (same_meaning)
				result = MIGRATE_UNCHANGED;
			else if (!drifted)
			{
				/* first change since it was applied: remember what was */
				catalog_exec(false, "INSERT INTO migrate.drift (revision,"
							 " applied_upgrade_checksum, applied_downgrade_checksum)"
							 " SELECT revision, upgrade_checksum, downgrade_checksum"
							 " FROM migrate.revision WHERE revision = $1",
							 1, types, values, nulls, SPI_OK_INSERT);
				result = MIGRATE_DRIFTED;
			}
			else if (back_to_applied)
			{
				/* the file went back to what was applied: no drift left */
				catalog_exec(false, "DELETE FROM migrate.drift WHERE revision = $1",
							 1, types, values, nulls, SPI_OK_DELETE);
				result = MIGRATE_REPLACED;
			}
			else
				result = MIGRATE_DRIFTED;

			catalog_exec(false, "UPDATE migrate.revision SET message = $5,"
						 " upgrade_sql = $6, downgrade_sql = $7, file_name = $9,"
						 " upgrade_line = $10, downgrade_line = $11,"
						 " upgrade_checksum = $13, downgrade_checksum = $14,"
						 " lint_ignores = $15, file_sha256 = $16,"
						 " source_format = $18, source_version = $19"
						 " WHERE revision = $1",
						 19, types, values, nulls, SPI_OK_UPDATE);

			if (result == MIGRATE_DRIFTED)
				ereport(WARNING,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("applied revision \"%s\" was registered with different SQL",
								rev->revision),
						 rev->file_name ?
						 errdetail("File \"%s\" no longer holds the SQL the revision was applied with.",
								   rev->file_name) :
						 errdetail("The new SQL differs from the SQL the revision was applied with."),
						 errhint("Upgrades and downgrades are refused until the file is restored or migrate_repair('%s') accepts the change.",
								 rev->revision)));
		}
	}

	catalog_leave(&cxt);
	return result;
}

/*
 * Unregister a revision that is not applied and that no other registered
 * revision revises or depends on (one that revises itself, a mistake the
 * graph refuses, can be removed).  Returns false when it was not
 * registered.
 */
bool
migrate_catalog_remove(const char *revision)
{
	CatalogContext cxt;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	bool		found;

	values[0] = CStringGetTextDatum(revision);
	catalog_enter(&cxt);

	if (catalog_is_applied(values[0]))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" is applied and cannot be removed",
						revision),
				 errhint("Downgrade past it first.")));

	catalog_exec(false, "SELECT string_agg('\"' || revision || '\"', ', ' ORDER BY seq)"
				 " FROM migrate.revision"
				 " WHERE ($1 = ANY (revises) OR $1 = ANY (depends_on))"
				 " AND revision <> $1"
				 " HAVING count(*) > 0",
				 1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("revision \"%s\" cannot be removed because other revisions build on it",
						revision),
				 errdetail("Revisions revising or depending on it: %s.",
						   spi_text(SPI_tuptable->vals[0], 1)),
				 errhint("Remove those first.")));

	catalog_exec(false, "SELECT 1 FROM migrate.interrupted WHERE revision = $1",
				 1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" cannot be removed while its non-transactional run is recorded as interrupted",
						revision),
				 errhint("Run migrate_resolve('%s', 'not applied') once its partial effects are undone.",
						 revision)));

	catalog_exec(false, "DELETE FROM migrate.revision WHERE revision = $1",
				 1, types, values, NULL, SPI_OK_DELETE);
	found = SPI_processed > 0;
	catalog_leave(&cxt);
	return found;
}

/* Replace the version rows. */
void
migrate_catalog_set_version(const MigrateState *state, const int *rows,
							int nrows)
{
	CatalogContext cxt;
	Oid			types[1] = {TEXTARRAYOID};
	Datum		values[1];
	char	  **ids = palloc(sizeof(char *) * Max(nrows, 1));
	int			i;

	for (i = 0; i < nrows; i++)
		ids[i] = (char *) migrate_graph_id(state->graph, rows[i]);
	values[0] = migrate_text_array(ids, nrows);

	catalog_enter(&cxt);
	catalog_exec(false, "DELETE FROM migrate.version WHERE revision <> ALL ($1)",
				 1, types, values, NULL, SPI_OK_DELETE);
	catalog_exec(false, "INSERT INTO migrate.version (revision)"
				 " SELECT unnest($1) ON CONFLICT DO NOTHING",
				 1, types, values, NULL, SPI_OK_INSERT);
	/* the other tool's table, when an adopted database keeps it */
	migrate_adopted_sync(state, rows, nrows);
	catalog_leave(&cxt);
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
	Oid			types[1] = {TEXTARRAYOID};
	Datum		values[1];
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

	catalog_enter(&cxt);
	catalog_exec(false, "SELECT r.revision FROM migrate.revision r"
				 " WHERE r.revision = ANY ($1) AND r.upgrade_checksum"
				 " IS DISTINCT FROM (SELECT j.checksum FROM migrate.journal j"
				 " WHERE j.revision = r.revision AND j.operation"
				 " IN ('upgrade', 'reapply', 'adopt', 'stamp', 'repair')"
				 " ORDER BY j.id DESC LIMIT 1)"
				 " ORDER BY r.revision COLLATE \"C\"",
				 1, types, values, NULL, SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *id = SPI_getvalue(SPI_tuptable->vals[i],
									  SPI_tuptable->tupdesc, 1);

		out[n++] = migrate_graph_find(state->graph, id);
	}
	catalog_leave(&cxt);
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
	Oid			types[7] = {TEXTOID, TEXTOID, TEXTOID, NAMEOID,
		TIMESTAMPTZOID, FLOAT8OID, TEXTARRAYOID};
	Datum		values[7];
	char		nulls[7];
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

	catalog_enter(&cxt);
	/* the checksum of the SQL the step ran with, or accepted */
	catalog_exec_kept(&journal_plan, false, "INSERT INTO migrate.journal (revision, operation, message,"
				 " role, started_at, duration_ms, version_after, checksum)"
				 " VALUES ($1, $2, $3, $4, $5, $6, $7,"
				 " (SELECT CASE WHEN $2 = 'downgrade' THEN r.downgrade_checksum"
				 " ELSE r.upgrade_checksum END"
				 " FROM migrate.revision r WHERE r.revision = $1))",
				 7, types, values, nulls, SPI_OK_INSERT);
	catalog_leave(&cxt);
}

/*
 * Record that the state changed, for waiters with older snapshots.
 *
 * Once per transaction is enough for them: a snapshot either sees all of a
 * transaction's changes or none.  Updating the one state row again for
 * each of 10,000 registrations in one transaction would also make every
 * update walk the chain of row versions the earlier ones left, which the
 * transaction cannot prune while it runs: quadratic time.  So a bump is
 * skipped when this transaction bumped already, unless something recorded
 * the current generation since (migrate_catalog_note_heads, a directory
 * sync), or a subtransaction aborted, which may have undone the bump.
 */
static LocalTransactionId bumped_lxid = InvalidLocalTransactionId;
static bool bump_callback_registered = false;

/* Forget the bump of this transaction when a subtransaction aborts. */
static void
bump_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					  SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		bumped_lxid = InvalidLocalTransactionId;
}

/* The bump itself; SPI is connected as the owner. */
static void
catalog_bump_connected(void)
{
	static SPIPlanPtr bump_plan = NULL;

	if (bumped_lxid == MyProc->lxid)
		return;
	if (!bump_callback_registered)
	{
		RegisterSubXactCallback(bump_subxact_callback, NULL);
		bump_callback_registered = true;
	}
	catalog_exec_kept(&bump_plan, false,
					  "UPDATE migrate.state SET generation = generation + 1,"
					  " changed_at = pg_catalog.now()",
					  0, NULL, NULL, NULL, SPI_OK_UPDATE);
	bumped_lxid = MyProc->lxid;
}

void
migrate_catalog_bump_generation(void)
{
	CatalogContext cxt;

	if (bumped_lxid == MyProc->lxid)
		return;
	catalog_enter(&cxt);
	catalog_bump_connected();
	catalog_leave(&cxt);
}

/*
 * The state generation, as the transaction's snapshot sees it or, when
 * latest, as the newest snapshot does.
 */
int64
migrate_catalog_generation(bool latest)
{
	CatalogContext cxt;
	SPIPlanPtr	plan;
	int			ret;
	bool		isnull;
	int64		generation = 0;

	catalog_enter(&cxt);
	plan = SPI_prepare("SELECT generation FROM migrate.state", 0, NULL);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (latest)
		ret = SPI_execute_snapshot(plan, NULL, NULL, GetLatestSnapshot(),
								   InvalidSnapshot, true, false, 1);
	else
		ret = SPI_execute_plan(plan, NULL, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	if (SPI_processed > 0)
		generation = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												 SPI_tuptable->tupdesc,
												 1, &isnull));
	catalog_leave(&cxt);
	return generation;
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
	uint64		i;

	catalog_enter(&cxt);
	catalog_exec(true, "SELECT DISTINCT ON (revision) revision, operation, started_at"
				 " FROM migrate.journal WHERE revision IS NOT NULL"
				 " ORDER BY revision, id DESC",
				 0, NULL, NULL, NULL, SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		char	   *id = spi_text(tuple, 1);
		char	   *op = spi_text(tuple, 2);
		int			node = migrate_graph_find(state->graph, id);
		bool		isnull;

		if (node >= 0 && strcmp(op, "downgrade") != 0)
			times[node] = DatumGetTimestampTz(SPI_getbinval(tuple,
															SPI_tuptable->tupdesc,
															3, &isnull));
	}
	catalog_leave(&cxt);
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

	*started = 0;
	*duration_ms = 0;
	*role = NULL;
	*operation = NULL;
	*nsteps = 0;

	catalog_enter(&cxt);
	catalog_exec(true, "WITH last AS (SELECT xact_id, backend_pid FROM migrate.journal"
				 " ORDER BY id DESC LIMIT 1)"
				 " SELECT (array_agg(j.revision ORDER BY j.id DESC))[1],"
				 " (array_agg(j.operation ORDER BY j.id DESC))[1],"
				 " min(j.started_at), sum(j.duration_ms),"
				 " (array_agg(j.role::text ORDER BY j.id DESC))[1],"
				 " count(*)::int4"
				 " FROM migrate.journal j JOIN last USING (xact_id, backend_pid)"
				 " HAVING count(*) > 0",
				 0, NULL, NULL, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];
		bool		isnull;
		MemoryContext spi_proc_cxt = MemoryContextSwitchTo(cxt.caller_cxt);

		revision = spi_text(tuple, 1);
		*operation = spi_text(tuple, 2);
		*started = DatumGetTimestampTz(SPI_getbinval(tuple,
													 SPI_tuptable->tupdesc,
													 3, &isnull));
		*duration_ms = DatumGetFloat8(SPI_getbinval(tuple,
													SPI_tuptable->tupdesc,
													4, &isnull));
		*role = spi_text(tuple, 5);
		*nsteps = DatumGetInt32(SPI_getbinval(tuple, SPI_tuptable->tupdesc,
											  6, &isnull));
		MemoryContextSwitchTo(spi_proc_cxt);
	}
	catalog_leave(&cxt);
	return revision;
}

/*
 * Lint: the rules each registered revision silences ("PM003 reason"),
 * into state->revs[i].lint_ignores.
 */
void
migrate_catalog_load_lint_ignores(MigrateState *state)
{
	CatalogContext cxt;
	uint64		i;

	catalog_enter(&cxt);
	catalog_exec(true, "SELECT revision, lint_ignores FROM migrate.revision"
				 " WHERE lint_ignores <> '{}'",
				 0, NULL, NULL, NULL, SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		char	   *id = spi_text(tuple, 1);
		int			node = migrate_graph_find(state->graph, id);
		bool		isnull;
		Datum		d = SPI_getbinval(tuple, SPI_tuptable->tupdesc, 2, &isnull);
		MemoryContext spi_proc_cxt;

		/* a revision registered since the state was loaded is not linted */
		if (node < 0)
			continue;
		spi_proc_cxt = MemoryContextSwitchTo(cxt.caller_cxt);
		state->revs[node].lint_ignores =
			text_array_to_cstrings(d, isnull, &state->revs[node].nlint_ignores);
		MemoryContextSwitchTo(spi_proc_cxt);
	}
	catalog_leave(&cxt);
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

	catalog_enter(cxt);
	return cxt;
}

void
migrate_catalog_query(bool read_only, const char *sql, int nargs, Oid *types,
					  Datum *values, const char *nulls, int expected)
{
	catalog_exec(read_only, sql, nargs, types, values, nulls, expected);
}

void
migrate_catalog_end(void *handle)
{
	catalog_leave((CatalogContext *) handle);
	pfree(handle);
}

/* ---- performance: the no-op fast path and directory sync ---- */

/*
 * Whether the version rows are the heads of the graph without loading
 * either: true when migrate.state says they were at the current
 * generation (and, with single_head, that there was one head).  Every
 * registration, removal and state change bumps the generation, so nothing
 * can have changed since.  With latest, read what is committed now (the
 * caller holds the migration lock), else the statement's snapshot.
 */
bool
migrate_catalog_at_heads(bool single_head, bool latest)
{
	static SPIPlanPtr plan = NULL;
	CatalogContext cxt;
	bool		at_heads = false;

	catalog_enter(&cxt);
	catalog_exec_kept(&plan, !latest,
					  "SELECT heads_count FROM migrate.state"
					  " WHERE heads_generation = generation",
					  0, NULL, NULL, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
	{
		bool		isnull;
		Datum		count = SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 1, &isnull);

		at_heads = !isnull && (!single_head || DatumGetInt32(count) == 1);
	}
	catalog_leave(&cxt);
	return at_heads;
}

/*
 * After a change (or a full no-op upgrade) that left the version rows
 * rows[]: when they are exactly the heads of the graph, note the current
 * generation in migrate.state, so that the next upgrade to head can tell
 * from that one row.  Call it after the change's generation bump.
 */
void
migrate_catalog_note_heads(const MigrateState *state, const int *rows,
						   int nrows)
{
	static SPIPlanPtr plan = NULL;
	CatalogContext cxt;
	int		   *heads = palloc(sizeof(int) * Max(state->nrevs, 1));
	bool	   *is_row = palloc0(sizeof(bool) * Max(state->nrevs, 1));
	int			nheads = migrate_graph_heads(state->graph, heads);
	Oid			types[1] = {INT4OID};
	Datum		values[1];
	int			i;

	if (nheads != nrows)
		return;
	for (i = 0; i < nrows; i++)
		is_row[rows[i]] = true;
	for (i = 0; i < nheads; i++)
		if (!is_row[heads[i]])
			return;

	values[0] = Int32GetDatum(nheads);
	catalog_enter(&cxt);
	catalog_exec_kept(&plan, false,
					  "UPDATE migrate.state SET heads_generation = generation,"
					  " heads_count = $1"
					  " WHERE (heads_generation, heads_count)"
					  " IS DISTINCT FROM (generation, $1)",
					  1, types, values, NULL, SPI_OK_UPDATE);
	catalog_leave(&cxt);
	/* a later change in this transaction must move the generation again */
	bumped_lxid = InvalidLocalTransactionId;
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
	catalog_enter(&cxt);
	catalog_exec_kept(&plan, false,
					  "SELECT 1 FROM migrate.sync s, migrate.state t"
					  " WHERE s.dir_key = $1 AND s.digest = $2"
					  " AND s.generation = t.generation",
					  2, types, values, NULL, SPI_OK_SELECT);
	synced = SPI_processed > 0;
	catalog_leave(&cxt);
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
	catalog_enter(&cxt);
	catalog_exec_kept(&plan, false,
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
	catalog_leave(&cxt);
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

	catalog_enter(&cxt);
	catalog_exec(false, "SELECT file_name, revision, file_sha256"
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
	catalog_leave(&cxt);
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
	catalog_enter(&cxt);
	catalog_exec_kept(&plan, false,
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
	catalog_leave(&cxt);
	/* a later change in this transaction must move the generation again */
	bumped_lxid = InvalidLocalTransactionId;
	return generation;
}

/*
 * The SQL of one step, read when the step runs rather than with the whole
 * catalog: an upgrade of 10,000 revisions then holds one revision's SQL at
 * a time, in the caller's (per-step) memory context.  Sets rev's
 * upgrade_sql or downgrade_sql; NULL when the revision has none.
 */
void
migrate_catalog_step_sql(MigrateRevision *rev, bool upgrade)
{
	static SPIPlanPtr plan = NULL;
	CatalogContext cxt;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	char	   *sql = NULL;

	values[0] = CStringGetTextDatum(rev->revision);
	catalog_enter(&cxt);
	catalog_exec_kept(&plan, false,
					  "SELECT upgrade_sql, downgrade_sql FROM migrate.revision"
					  " WHERE revision = $1",
					  1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
		elog(ERROR, "revision \"%s\" vanished from the catalog", rev->revision);
	{
		MemoryContext spi_cxt = MemoryContextSwitchTo(cxt.caller_cxt);

		sql = spi_text(SPI_tuptable->vals[0], upgrade ? 1 : 2);
		MemoryContextSwitchTo(spi_cxt);
	}
	catalog_leave(&cxt);
	if (upgrade)
		rev->upgrade_sql = sql;
	else
		rev->downgrade_sql = sql;
}

/*
 * Batch registration (migrate_load): checking constraints and starting an
 * executor for every INSERT cost more than the row itself, because
 * PostgreSQL reads the table's CHECK constraints back from their stored
 * text each time an INSERT starts.  New revisions therefore go in with one
 * INSERT per batch of rows, from parallel arrays.
 */

/* A one-dimensional array of n datums of type elemtype, nulls allowed. */
static Datum
batch_array(Datum *values, bool *nulls, int n, Oid elemtype)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			dims[1];
	int			lbs[1];

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	dims[0] = n;
	lbs[0] = 1;
	return PointerGetDatum(construct_md_array(values, nulls, 1, dims, lbs,
											  elemtype, typlen, typbyval,
											  typalign));
}

/* The text form of a text[] of C strings ("{a,b}"), for a text[] column. */
static Datum
batch_array_literal(char *const *items, int count)
{
	return CStringGetTextDatum(OidOutputFunctionCall(F_ARRAY_OUT,
													 migrate_text_array(items, count)));
}

/*
 * Which of the n revisions are registered already: found[i] is set for
 * each.
 */
void
migrate_catalog_registered(const MigrateRevision *revs, int n, bool *found)
{
	CatalogContext cxt;
	Oid			types[1] = {TEXTARRAYOID};
	Datum		values[1];
	Datum	   *ids = palloc(sizeof(Datum) * Max(n, 1));
	HTAB	   *known;
	HASHCTL		ctl;
	uint64		row;
	int			i;

	for (i = 0; i < n; i++)
		ids[i] = CStringGetTextDatum(revs[i].revision);
	values[0] = PointerGetDatum(construct_array(ids, n, TEXTOID, -1, false,
												TYPALIGN_INT));
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = MIGRATE_MAX_ID_LEN + 1;
	ctl.entrysize = MIGRATE_MAX_ID_LEN + 1;
	ctl.hcxt = CurrentMemoryContext;
	known = hash_create("pg_migrate registered ids", 64, &ctl,
						HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	catalog_enter(&cxt);
	catalog_exec(false, "SELECT revision FROM migrate.revision"
				 " WHERE revision = ANY ($1)",
				 1, types, values, NULL, SPI_OK_SELECT);
	for (row = 0; row < SPI_processed; row++)
	{
		char	   *id = SPI_getvalue(SPI_tuptable->vals[row],
									  SPI_tuptable->tupdesc, 1);

		if (id != NULL && strlen(id) <= MIGRATE_MAX_ID_LEN)
			(void) hash_search(known, id, HASH_ENTER, NULL);
	}
	catalog_leave(&cxt);

	for (i = 0; i < n; i++)
		found[i] = hash_search(known, revs[i].revision, HASH_FIND, NULL) != NULL;
	hash_destroy(known);
}

/*
 * Insert n revisions that are not registered (the caller checked, under
 * the migration lock) with one statement: the same rows as n calls of
 * migrate_catalog_register would add.
 */
void
migrate_catalog_insert_batch(const MigrateRevision *revs, int n)
{
	static SPIPlanPtr batch_plan = NULL;
	CatalogContext cxt;
	Oid			types[19] = {TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
		TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, BOOLARRAYOID,
		TEXTARRAYOID, INT4ARRAYOID, INT4ARRAYOID, NAMEOID, TEXTARRAYOID,
		TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, BOOLARRAYOID, TEXTARRAYOID,
	TEXTARRAYOID};
	Datum		values[19];
	Datum	   *col[19];
	bool	   *isnull[19];
	int			c;
	int			i;

	if (n <= 0)
		return;
	for (c = 0; c < 19; c++)
	{
		col[c] = palloc(sizeof(Datum) * n);
		isnull[c] = palloc0(sizeof(bool) * n);
	}
	for (i = 0; i < n; i++)
	{
		const MigrateRevision *rev = &revs[i];

		col[0][i] = CStringGetTextDatum(rev->revision);
		col[1][i] = batch_array_literal(rev->revises, rev->nrevises);
		col[2][i] = batch_array_literal(rev->depends_on, rev->ndepends_on);
		col[3][i] = batch_array_literal(rev->branch_labels, rev->nbranch_labels);
		col[4][i] = CStringGetTextDatum(rev->message ? rev->message : "");
		col[5][i] = CStringGetTextDatum(rev->upgrade_sql);
		col[12][i] = CStringGetTextDatum(migrate_fingerprint_sql(rev->upgrade_sql));
		if (rev->downgrade_sql)
		{
			col[6][i] = CStringGetTextDatum(rev->downgrade_sql);
			col[13][i] = CStringGetTextDatum(migrate_fingerprint_sql(rev->downgrade_sql));
		}
		else
			isnull[6][i] = isnull[13][i] = true;
		col[7][i] = BoolGetDatum(rev->transactional);
		if (rev->file_name)
			col[8][i] = CStringGetTextDatum(rev->file_name);
		else
			isnull[8][i] = true;
		col[9][i] = Int32GetDatum(rev->upgrade_line);
		isnull[9][i] = rev->upgrade_line <= 0;
		col[10][i] = Int32GetDatum(rev->downgrade_line);
		isnull[10][i] = rev->downgrade_line <= 0;
		col[14][i] = batch_array_literal(rev->lint_ignores, rev->nlint_ignores);
		/* the file's digest goes with its name: none without a file */
		if (rev->file_name && rev->file_sha256)
			col[15][i] = CStringGetTextDatum(rev->file_sha256);
		else
			isnull[15][i] = true;
		col[16][i] = BoolGetDatum(rev->repeatable);
		if (rev->source_format && rev->source_version)
		{
			col[17][i] = CStringGetTextDatum(rev->source_format);
			col[18][i] = CStringGetTextDatum(rev->source_version);
		}
		else
			isnull[17][i] = isnull[18][i] = true;
	}
	for (c = 0; c < 19; c++)
		if (c != 11)
			values[c] = batch_array(col[c], isnull[c], n,
									(c == 7 || c == 16) ? BOOLOID :
									(c == 9 || c == 10) ? INT4OID : TEXTOID);
	/* the role that called, as the journal records it */
	values[11] = DirectFunctionCall1(namein,
									 CStringGetDatum(GetUserNameFromId(GetUserId(), false)));

	catalog_enter(&cxt);
	catalog_exec_kept(&batch_plan, false,
					  "INSERT INTO migrate.revision (revision, revises,"
					  " depends_on, branch_labels, message, upgrade_sql,"
					  " downgrade_sql, transactional, file_name, upgrade_line,"
					  " downgrade_line, registered_by, upgrade_checksum,"
					  " downgrade_checksum, lint_ignores, file_sha256,"
					  " repeatable, source_format, source_version)"
					  " SELECT r, rv::text[], dep::text[], bl::text[], msg, up,"
					  " down, tr, fn, ul, dl, $12, uc, dc, li::text[], sha,"
					  " rp, sf, sv"
					  " FROM ROWS FROM (unnest($1), unnest($2), unnest($3),"
					  " unnest($4), unnest($5), unnest($6), unnest($7),"
					  " unnest($8), unnest($9), unnest($10), unnest($11),"
					  " unnest($13), unnest($14), unnest($15), unnest($16),"
					  " unnest($17), unnest($18), unnest($19))"
					  " AS f(r, rv, dep, bl, msg, up, down, tr, fn, ul, dl,"
					  " uc, dc, li, sha, rp, sf, sv)",
					  19, types, values, NULL, SPI_OK_INSERT);
	if (SPI_processed != (uint64) n)
		elog(ERROR, "batch registration inserted " UINT64_FORMAT " of %d revisions",
			 SPI_processed, n);
	catalog_leave(&cxt);
}
