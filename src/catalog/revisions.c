/*-------------------------------------------------------------------------
 *
 * revisions.c
 *	  The registered revisions: loading them with their graph, registering,
 *	  removing, batch registration, and the SQL of one step.
 *
 * IDENTIFICATION
 *	  src/catalog/revisions.c
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
#include "common/revfile.h"

/*
 * Whether a revision (a text datum) is applied: reachable from a version row
 * through parents and dependencies.  Works on the catalog rows alone, so
 * that it needs no valid graph (registration does not).  SPI is connected.
 */
static bool
migrate_catalog_is_applied(Datum revision)
{
	Oid			types[1] = {TEXTOID};

	migrate_catalog_exec(false, MIGRATE_APPLIED_CTE
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
	Oid			scope_type[1] = {TEXTOID};
	Datum		scope_value[1];
	uint64		n;
	uint64		i;
	MemoryContext spi_proc_cxt;

	memset(state, 0, sizeof(*state));
	migrate_catalog_enter(&cxt);

	args[0] = BoolGetDatum(with_sql);
	migrate_catalog_exec(!latest, "SELECT revision, revises, depends_on, branch_labels, message,"
				 " transactional, file_name, upgrade_line, downgrade_line,"
				 " downgrade_sql IS NOT NULL,"
				 " CASE WHEN $1 THEN upgrade_sql END,"
				 " CASE WHEN $1 THEN downgrade_sql END, repeatable, scope"
				 " FROM migrate.revision ORDER BY seq",
				 1, argtypes, args, NULL, SPI_OK_SELECT);

	n = SPI_processed;
	spi_proc_cxt = MemoryContextSwitchTo(cxt.caller_cxt);
	state->nrevs = (int) n;
	state->revs = palloc0(sizeof(MigrateRevision) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		MigrateRevision *rev = &state->revs[i];
		Datum		d[14];
		bool		isnull[14];
		char	   *kind;

		/*
		 * One pass over the row: fetching its 12 columns one by one would
		 * walk the variable-width columns before each of them again.
		 */
		heap_deform_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
						  d, isnull);
		rev->revision = TextDatumGetCString(d[0]);
		rev->revises = migrate_text_array_items(d[1], isnull[1], &rev->nrevises);
		rev->depends_on = migrate_text_array_items(d[2], isnull[2],
												 &rev->ndepends_on);
		rev->branch_labels = migrate_text_array_items(d[3], isnull[3],
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
		kind = TextDatumGetCString(d[13]);
		if (!migrate_scope_kind_parse(kind, strlen(kind), &rev->scope_kind))
			elog(ERROR, "revision \"%s\" has an invalid scope \"%s\"",
				 rev->revision, kind);
	}
	MemoryContextSwitchTo(spi_proc_cxt);

	/* the version rows of this call's scope ('' for the shared run) */
	scope_value[0] = migrate_scope_datum();
	migrate_catalog_exec(!latest, "SELECT revision FROM migrate.version"
				 " WHERE scope = $1 ORDER BY revision",
				 1, scope_type, scope_value, NULL, SPI_OK_SELECT);

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
		char	   *id = migrate_spi_text(SPI_tuptable->vals[i], 1);
		int			node = migrate_graph_find(state->graph, id);

		/* the foreign key makes this can't-happen */
		if (node < 0)
			elog(ERROR, "version row \"%s\" names no registered revision", id);
		state->rows[state->nrows++] = node;
	}
	MemoryContextSwitchTo(spi_proc_cxt);

	migrate_catalog_leave(&cxt);
}

/*
 * The columns of migrate.revision that registering writes, in the order of
 * the parameters of both registration queries ($1 .. $20): one place that
 * turns a revision into its row.  Column 11 (registered_by) is the calling
 * role; a batch passes it once, as a scalar.  With literal_arrays, text[] columns
 * are their text form, for a batch that unnests them.
 */
#define REVISION_ROW_COLUMNS 20

static Datum batch_array_literal(char *const *items, int count);

static void
revision_row(const MigrateRevision *rev, bool literal_arrays, Datum *values,
			 bool *isnull)
{
	memset(isnull, 0, sizeof(bool) * REVISION_ROW_COLUMNS);
	values[0] = CStringGetTextDatum(rev->revision);
	if (literal_arrays)
	{
		values[1] = batch_array_literal(rev->revises, rev->nrevises);
		values[2] = batch_array_literal(rev->depends_on, rev->ndepends_on);
		values[3] = batch_array_literal(rev->branch_labels, rev->nbranch_labels);
		values[14] = batch_array_literal(rev->lint_ignores, rev->nlint_ignores);
	}
	else
	{
		values[1] = migrate_text_array(rev->revises, rev->nrevises);
		values[2] = migrate_text_array(rev->depends_on, rev->ndepends_on);
		values[3] = migrate_text_array(rev->branch_labels, rev->nbranch_labels);
		values[14] = migrate_text_array(rev->lint_ignores, rev->nlint_ignores);
	}
	values[4] = CStringGetTextDatum(rev->message ? rev->message : "");
	values[5] = CStringGetTextDatum(rev->upgrade_sql);
	if (rev->upgrade_fingerprint == NULL)
		elog(ERROR, "revision \"%s\" has no fingerprint", rev->revision);
	values[12] = CStringGetTextDatum(rev->upgrade_fingerprint);
	if (rev->downgrade_sql)
	{
		values[6] = CStringGetTextDatum(rev->downgrade_sql);
		values[13] = CStringGetTextDatum(rev->downgrade_fingerprint);
	}
	else
		isnull[6] = isnull[13] = true;
	values[7] = BoolGetDatum(rev->transactional);
	if (rev->file_name)
		values[8] = CStringGetTextDatum(rev->file_name);
	else
		isnull[8] = true;
	values[9] = Int32GetDatum(rev->upgrade_line);
	isnull[9] = rev->upgrade_line <= 0;
	values[10] = Int32GetDatum(rev->downgrade_line);
	isnull[10] = rev->downgrade_line <= 0;
	/* the role that called, as the journal records it */
	values[11] = DirectFunctionCall1(namein,
									 CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
	/* the file's digest goes with its name: none without a file */
	if (rev->file_name && rev->file_sha256)
		values[15] = CStringGetTextDatum(rev->file_sha256);
	else
		isnull[15] = true;
	values[16] = BoolGetDatum(rev->repeatable);
	if (rev->source_format && rev->source_version)
	{
		values[17] = CStringGetTextDatum(rev->source_format);
		values[18] = CStringGetTextDatum(rev->source_version);
	}
	else
		isnull[17] = isnull[18] = true;
	values[19] = CStringGetTextDatum(migrate_scope_kind_name(rev->scope_kind));
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
	Oid			types[20] = {TEXTOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
		TEXTOID, TEXTOID, TEXTOID, BOOLOID, TEXTOID, INT4OID, INT4OID, NAMEOID,
	TEXTOID, TEXTOID, TEXTARRAYOID, TEXTOID, BOOLOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[REVISION_ROW_COLUMNS];
	bool		isnull[REVISION_ROW_COLUMNS];
	char		nulls[REVISION_ROW_COLUMNS];
	MigrateRegisterResult result;
	int			i;

	revision_row(rev, false, values, isnull);
	for (i = 0; i < REVISION_ROW_COLUMNS; i++)
		nulls[i] = isnull[i] ? 'n' : ' ';

	migrate_catalog_enter(&cxt);

	migrate_catalog_exec_kept(&compare_plan, false,
				 "SELECT (revises, depends_on, branch_labels, message,"
				 " upgrade_sql, downgrade_sql, transactional, repeatable,"
				 " scope)"
				 " IS NOT DISTINCT FROM ($2, $3, $4, $5, $6, $7, $8, $17, $20),"
				 " (revises, depends_on, branch_labels, transactional,"
				 " repeatable, scope)"
				 " IS NOT DISTINCT FROM ($2, $3, $4, $8, $17, $20),"
				 " (upgrade_checksum, downgrade_checksum)"
				 " IS NOT DISTINCT FROM ($13, $14),"
				 " (SELECT (d.applied_upgrade_checksum, d.applied_downgrade_checksum)"
				 " IS NOT DISTINCT FROM ($13, $14)"
				 " FROM migrate.drift d WHERE d.revision = $1)"
				 " FROM migrate.revision WHERE revision = $1",
				 20, types, values, nulls, SPI_OK_SELECT);

	if (SPI_processed == 0)
	{
		migrate_catalog_exec_kept(&insert_plan, false,
					 "INSERT INTO migrate.revision (revision, revises,"
					 " depends_on, branch_labels, message, upgrade_sql,"
					 " downgrade_sql, transactional, file_name, upgrade_line,"
					 " downgrade_line, registered_by, upgrade_checksum,"
					 " downgrade_checksum, lint_ignores, file_sha256,"
					 " repeatable, source_format, source_version, scope)"
					 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
					 " $12, $13, $14, $15, $16, $17, $18, $19, $20)",
					 20, types, values, nulls, SPI_OK_INSERT);
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
			migrate_catalog_exec_kept(&relabel_plan, false,
						 "UPDATE migrate.revision SET file_name = $9,"
						 " upgrade_line = $10, downgrade_line = $11,"
						 " lint_ignores = $15, file_sha256 = $16,"
						 " source_format = $18, source_version = $19"
						 " WHERE revision = $1"
						 " AND (file_name, upgrade_line, downgrade_line,"
						 " lint_ignores, file_sha256, source_format,"
						 " source_version)"
						 " IS DISTINCT FROM ($9, $10, $11, $15, $16, $18, $19)",
						 20, types, values, nulls, SPI_OK_UPDATE);
			if (SPI_processed > 0)
				migrate_catalog_bump_connected();
			result = MIGRATE_UNCHANGED;
		}
		else if (!migrate_catalog_is_applied(values[0]))
		{
			migrate_catalog_exec(false, "UPDATE migrate.revision SET revises = $2,"
						 " depends_on = $3, branch_labels = $4, message = $5,"
						 " upgrade_sql = $6, downgrade_sql = $7,"
						 " transactional = $8, file_name = $9,"
						 " upgrade_line = $10, downgrade_line = $11,"
						 " registered_at = pg_catalog.now(), registered_by = $12,"
						 " upgrade_checksum = $13, downgrade_checksum = $14,"
						 " lint_ignores = $15, file_sha256 = $16,"
						 " repeatable = $17, source_format = $18,"
						 " source_version = $19, scope = $20"
						 " WHERE revision = $1",
						 20, types, values, nulls, SPI_OK_UPDATE);
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
			migrate_catalog_exec(false, "UPDATE migrate.revision SET message = $5,"
						 " upgrade_sql = $6, downgrade_sql = $7, file_name = $9,"
						 " upgrade_line = $10, downgrade_line = $11,"
						 " upgrade_checksum = $13, downgrade_checksum = $14,"
						 " lint_ignores = $15, file_sha256 = $16,"
						 " source_format = $18, source_version = $19"
						 " WHERE revision = $1",
						 19, types, values, nulls, SPI_OK_UPDATE);
			migrate_catalog_bump_connected();
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
				migrate_catalog_exec(false, "INSERT INTO migrate.drift (revision,"
							 " applied_upgrade_checksum, applied_downgrade_checksum)"
							 " SELECT revision, upgrade_checksum, downgrade_checksum"
							 " FROM migrate.revision WHERE revision = $1",
							 1, types, values, nulls, SPI_OK_INSERT);
				result = MIGRATE_DRIFTED;
			}
			else if (back_to_applied)
			{
				/* the file went back to what was applied: no drift left */
				migrate_catalog_exec(false, "DELETE FROM migrate.drift WHERE revision = $1",
							 1, types, values, nulls, SPI_OK_DELETE);
				result = MIGRATE_REPLACED;
			}
			else
				result = MIGRATE_DRIFTED;

			migrate_catalog_exec(false, "UPDATE migrate.revision SET message = $5,"
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

	migrate_catalog_leave(&cxt);
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
	migrate_catalog_enter(&cxt);

	if (migrate_catalog_is_applied(values[0]))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" is applied and cannot be removed",
						revision),
				 errhint("Downgrade past it first.")));

	migrate_catalog_exec(false, "SELECT string_agg('\"' || revision || '\"', ', ' ORDER BY seq)"
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
						   migrate_spi_text(SPI_tuptable->vals[0], 1)),
				 errhint("Remove those first.")));

	migrate_catalog_exec(false, "SELECT 1 FROM migrate.interrupted WHERE revision = $1",
				 1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" cannot be removed while its non-transactional run is recorded as interrupted",
						revision),
				 errhint("Run migrate_resolve('%s', 'not applied') once its partial effects are undone.",
						 revision)));

	migrate_catalog_exec(false, "DELETE FROM migrate.revision WHERE revision = $1",
				 1, types, values, NULL, SPI_OK_DELETE);
	found = SPI_processed > 0;
	migrate_catalog_leave(&cxt);
	return found;
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

	migrate_catalog_enter(&cxt);
	migrate_catalog_exec(true, "SELECT revision, lint_ignores FROM migrate.revision"
				 " WHERE lint_ignores <> '{}'",
				 0, NULL, NULL, NULL, SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		char	   *id = migrate_spi_text(tuple, 1);
		int			node = migrate_graph_find(state->graph, id);
		bool		isnull;
		Datum		d = SPI_getbinval(tuple, SPI_tuptable->tupdesc, 2, &isnull);
		MemoryContext spi_proc_cxt;

		/* a revision registered since the state was loaded is not linted */
		if (node < 0)
			continue;
		spi_proc_cxt = MemoryContextSwitchTo(cxt.caller_cxt);
		state->revs[node].lint_ignores =
			migrate_text_array_items(d, isnull, &state->revs[node].nlint_ignores);
		MemoryContextSwitchTo(spi_proc_cxt);
	}
	migrate_catalog_leave(&cxt);
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
	migrate_catalog_enter(&cxt);
	migrate_catalog_exec_kept(&plan, false,
					  "SELECT upgrade_sql, downgrade_sql FROM migrate.revision"
					  " WHERE revision = $1",
					  1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
		elog(ERROR, "revision \"%s\" vanished from the catalog", rev->revision);
	{
		MemoryContext spi_cxt = MemoryContextSwitchTo(cxt.caller_cxt);

		sql = migrate_spi_text(SPI_tuptable->vals[0], upgrade ? 1 : 2);
		MemoryContextSwitchTo(spi_cxt);
	}
	migrate_catalog_leave(&cxt);
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

	migrate_catalog_enter(&cxt);
	migrate_catalog_exec(false, "SELECT revision FROM migrate.revision"
				 " WHERE revision = ANY ($1)",
				 1, types, values, NULL, SPI_OK_SELECT);
	for (row = 0; row < SPI_processed; row++)
	{
		char	   *id = SPI_getvalue(SPI_tuptable->vals[row],
									  SPI_tuptable->tupdesc, 1);

		if (id != NULL && strlen(id) <= MIGRATE_MAX_ID_LEN)
			(void) hash_search(known, id, HASH_ENTER, NULL);
	}
	migrate_catalog_leave(&cxt);

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
	Oid			types[20] = {TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
		TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, BOOLARRAYOID,
		TEXTARRAYOID, INT4ARRAYOID, INT4ARRAYOID, NAMEOID, TEXTARRAYOID,
		TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, BOOLARRAYOID, TEXTARRAYOID,
	TEXTARRAYOID, TEXTARRAYOID};
	Datum		values[REVISION_ROW_COLUMNS];
	Datum	   *col[REVISION_ROW_COLUMNS];
	bool	   *isnull[REVISION_ROW_COLUMNS];
	int			c;
	int			i;

	if (n <= 0)
		return;
	for (c = 0; c < REVISION_ROW_COLUMNS; c++)
	{
		col[c] = palloc(sizeof(Datum) * n);
		isnull[c] = palloc0(sizeof(bool) * n);
	}
	for (i = 0; i < n; i++)
	{
		Datum		row[REVISION_ROW_COLUMNS];
		bool		rownull[REVISION_ROW_COLUMNS];

		revision_row(&revs[i], true, row, rownull);
		for (c = 0; c < REVISION_ROW_COLUMNS; c++)
		{
			col[c][i] = row[c];
			isnull[c][i] = rownull[c];
		}
	}
	for (c = 0; c < REVISION_ROW_COLUMNS; c++)
		if (c != 11)
			values[c] = batch_array(col[c], isnull[c], n,
									(c == 7 || c == 16) ? BOOLOID :
									(c == 9 || c == 10) ? INT4OID : TEXTOID);
	values[11] = col[11][0];

	migrate_catalog_enter(&cxt);
	migrate_catalog_exec_kept(&batch_plan, false,
					  "INSERT INTO migrate.revision (revision, revises,"
					  " depends_on, branch_labels, message, upgrade_sql,"
					  " downgrade_sql, transactional, file_name, upgrade_line,"
					  " downgrade_line, registered_by, upgrade_checksum,"
					  " downgrade_checksum, lint_ignores, file_sha256,"
					  " repeatable, source_format, source_version, scope)"
					  " SELECT r, rv::text[], dep::text[], bl::text[], msg, up,"
					  " down, tr, fn, ul, dl, $12, uc, dc, li::text[], sha,"
					  " rp, sf, sv, sc"
					  " FROM ROWS FROM (unnest($1), unnest($2), unnest($3),"
					  " unnest($4), unnest($5), unnest($6), unnest($7),"
					  " unnest($8), unnest($9), unnest($10), unnest($11),"
					  " unnest($13), unnest($14), unnest($15), unnest($16),"
					  " unnest($17), unnest($18), unnest($19), unnest($20))"
					  " AS f(r, rv, dep, bl, msg, up, down, tr, fn, ul, dl,"
					  " uc, dc, li, sha, rp, sf, sv, sc)",
					  20, types, values, NULL, SPI_OK_INSERT);
	if (SPI_processed != (uint64) n)
		elog(ERROR, "batch registration inserted " UINT64_FORMAT " of %d revisions",
			 SPI_processed, n);
	migrate_catalog_leave(&cxt);
}
