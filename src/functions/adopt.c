/*-------------------------------------------------------------------------
 *
 * adopt.c
 *	  migrate_adopt: take over a database another migration tool manages.
 *
 * The other tool's own version table says which of its migrations are
 * applied.  Each registered revision imported from that tool carries the
 * tool's version in its "-- source: FORMAT VERSION" header (the catalog's
 * source_format and source_version), so the table's versions map to
 * revisions, and those are stamped: the version rows are set, each
 * revision found applied is journaled as "adopt", and no SQL runs.
 *
 * Nothing changes when the table says a migration failed half-way
 * (golang-migrate's dirty flag, a Flyway row with success = false), when
 * it names a version no registered revision carries, or when a tool that
 * keeps one row per applied migration lacks one that an applied
 * revision's ancestors need.
 *
 * IDENTIFICATION
 *	  src/functions/adopt.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/timestamp.h"

#include "pg_migrate.h"
#include "common/interop.h"

PG_FUNCTION_INFO_V1(migrate_adopt);

/* One version read from the other tool's table, and its revision. */
typedef struct AdoptVersion
{
	char	   *version;		/* as the other tool wrote it */
	char	   *revision;		/* the registered revision carrying it */
} AdoptVersion;

/*
 * The relation name (schema-qualified or not) stands for in the current
 * search path, schema-qualified and quoted; NULL when there is none.
 */
static char *
qualified_table(const char *name)
{
	List	   *names = stringToQualifiedNameList(name);
	Oid			relid = RangeVarGetRelid(makeRangeVarFromNameList(names),
										 NoLock, true);

	if (!OidIsValid(relid))
		return NULL;
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid));
}


/*
 * The SELECT that lists what the other tool's table says is applied: its
 * first column the version as text, its second true when that row says a
 * migration failed half-way, its third false when a later row undid it.
 */
static const char *
applied_query(MigrateInteropFormat format)
{
	switch (format)
	{
		case MIGRATE_INTEROP_ALEMBIC:
			/* the rows are the heads */
			return "SELECT version_num::pg_catalog.text, false, true"
				" FROM @T@";
		case MIGRATE_INTEROP_GOLANG_MIGRATE:
			/* one row: the newest applied version */
			return "SELECT version::pg_catalog.text, dirty, true"
				" FROM @T@";
		case MIGRATE_INTEROP_DBMATE:
			return "SELECT version::pg_catalog.text, false, true"
				" FROM @T@";
		case MIGRATE_INTEROP_DIESEL:
			return "SELECT version::pg_catalog.text, false, true"
				" FROM @T@";
		case MIGRATE_INTEROP_FLYWAY:

			/*
			 * Every row is a step; the last row of a version decides (an
			 * undo removes it).  A repeatable script has no version: its
			 * revision is "R__" and the description as in the file name.
			 * The schema-creation marker is no migration.
			 */
			return "SELECT DISTINCT ON (v) v, NOT success,"
				" type OPERATOR(pg_catalog.!~~) 'UNDO%'"
				" FROM (SELECT COALESCE(version, 'R__' OPERATOR(pg_catalog.||)"
				" pg_catalog.replace(description, ' ', '_')) AS v,"
				" success, type, installed_rank"
				" FROM @T@"
				" WHERE type OPERATOR(pg_catalog.<>) 'SCHEMA') h"
				" ORDER BY v, NOT success DESC, installed_rank DESC";
		case MIGRATE_INTEROP_SQITCH:
			/* sqitch deletes a change's row when it reverts it */
			return "SELECT change::pg_catalog.text, false, true"
				" FROM @T@";
		case MIGRATE_INTEROP_INVALID:
			break;
	}
	elog(ERROR, "unexpected interop format %d", (int) format);
	return NULL;				/* keep compiler quiet */
}

/*
 * Read the other tool's table and find the revision of every version it
 * says is applied.  Raises the refusals; reads only.
 */
static AdoptVersion *
read_applied(MigrateInteropFormat format, const char *table, int *nout)
{
	const char *fname = migrate_interop_format_name(format);
	MemoryContext outer = CurrentMemoryContext;
	AdoptVersion *out;
	int			n = 0;
	int			i;
	uint64		row;

	SPI_connect();
	if (SPI_execute(migrate_adopted_with_table(applied_query(format), table), true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read \"%s\"", table);
	out = MemoryContextAlloc(outer, sizeof(AdoptVersion) * Max(SPI_processed, 1));
	for (row = 0; row < SPI_processed; row++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[row];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *version = SPI_getvalue(tuple, desc, 1);
		bool		isnull;
		bool		failed = DatumGetBool(SPI_getbinval(tuple, desc, 2, &isnull));
		bool		applied = DatumGetBool(SPI_getbinval(tuple, desc, 3, &isnull));

		if (version == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("version table \"%s\" of %s has a row without a version",
							table, fname)));
		if (failed)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("version table \"%s\" says migration \"%s\" of %s failed part-way",
							table, version, fname),
					 format == MIGRATE_INTEROP_GOLANG_MIGRATE ?
					 errdetail("The row of version %s has dirty = true.", version) :
					 errdetail("The last row of version \"%s\" has success = false.",
							   version),
					 errhint("Repair the database with %s first (finish or undo the migration and clear the mark), then adopt it.",
							 fname)));
		if (!applied)
			continue;
		out[n].version = MemoryContextStrdup(outer, version);
		out[n].revision = NULL;
		n++;
	}

	for (i = 0; i < n; i++)
	{
		Oid			argtypes[2] = {TEXTOID, TEXTOID};
		Datum		args[2];

		args[0] = CStringGetTextDatum(fname);
		args[1] = CStringGetTextDatum(out[i].version);
		if (SPI_execute_with_args("SELECT revision FROM migrate.revision"
								  " WHERE source_format = $1"
								  " AND source_version = $2",
								  2, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not look up version \"%s\"", out[i].version);
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("version \"%s\" of %s is applied but no registered revision carries it",
							out[i].version, fname),
					 errdetail("No revision has the header \"-- source: %s %s\".",
							   fname, out[i].version),
					 errhint("Import the %s migrations with \"pg_migrate import %s\" and register the files, then adopt again.",
							 fname, fname)));
		out[i].revision = MemoryContextStrdup(outer,
											  SPI_getvalue(SPI_tuptable->vals[0],
														   SPI_tuptable->tupdesc, 1));
	}
	SPI_finish();
	*nout = n;
	return out;
}

/*
 * Set own[node] for every registered revision imported from the tool
 * named fname.
 */
static void
mark_own(const MigrateGraph *graph, const char *fname, bool *own)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	uint64		row;

	args[0] = CStringGetTextDatum(fname);
	SPI_connect();
	if (SPI_execute_with_args("SELECT revision FROM migrate.revision"
							  " WHERE source_format = $1",
							  1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list the revisions of %s", fname);
	for (row = 0; row < SPI_processed; row++)
	{
		char	   *id = SPI_getvalue(SPI_tuptable->vals[row],
									  SPI_tuptable->tupdesc, 1);
		int			node = migrate_graph_find(graph, id);

		if (node >= 0)
			own[node] = true;
	}
	SPI_finish();
}

/* Remember the tool adopted from, and whether its table is kept. */
static void
record_adopted(const char *fname, const char *table, bool keep)
{
	Oid			argtypes[3] = {TEXTOID, BOOLOID, TEXTOID};
	Datum		args[3];

	args[0] = CStringGetTextDatum(fname);
	args[1] = BoolGetDatum(keep);
	args[2] = CStringGetTextDatum(table);
	SPI_connect();
	if (SPI_execute_with_args("INSERT INTO migrate.adopted (format,"
							  " keep_version_table, version_table)"
							  " VALUES ($1, $2, $3)"
							  " ON CONFLICT (singleton) DO UPDATE"
							  " SET format = EXCLUDED.format,"
							  " keep_version_table = EXCLUDED.keep_version_table,"
							  " version_table = EXCLUDED.version_table,"
							  " adopted_at = EXCLUDED.adopted_at,"
							  " adopted_by = EXCLUDED.adopted_by",
							  3, argtypes, args, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record the adoption");
	SPI_finish();
}

/*
 * migrate_adopt(format text, keep_version_table boolean DEFAULT false)
 *		RETURNS SETOF text
 *
 * Stamps the revisions the other tool's version table says are applied
 * and remembers the tool (and whether to keep its table) in
 * migrate.adopted.  Returns the new version rows.
 */
Datum
migrate_adopt(PG_FUNCTION_ARGS)
{
	char	   *fname = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bool		keep = PG_GETARG_BOOL(1);
	MigrateInteropFormat format;
	char	   *table;
	AdoptVersion *versions;
	int			nversions;
	MigrateState state;
	int		   *given;
	bool	   *applied;
	int		   *rows;
	int			nrows;
	int			nnodes;
	TimestampTz now;
	int			i;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	format = migrate_interop_format_from_name(fname, strlen(fname));
	if (format == MIGRATE_INTEROP_INVALID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown migration tool \"%s\"", fname),
				 errhint("The tools are %s.", MIGRATE_INTEROP_FORMAT_LIST)));
	fname = (char *) migrate_interop_format_name(format);
	table = qualified_table(migrate_interop_version_table(format));
	if (table == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("version table \"%s\" of %s does not exist",
						migrate_interop_version_table(format), fname),
				 errhint("Connect to the database the other tool manages, or put the schema of its table in the search path.")));

	migrate_integrity_wait();
	migrate_begin_change();
	migrate_integrity_check(NULL, true);
	migrate_catalog_load(&state, false, true);

	versions = read_applied(format, table, &nversions);

	nnodes = migrate_graph_size(state.graph);
	given = palloc(sizeof(int) * Max(nversions, 1));
	for (i = 0; i < nversions; i++)
	{
		given[i] = migrate_graph_find(state.graph, versions[i].revision);
		if (given[i] < 0)
			elog(ERROR, "revision \"%s\" is not in the graph",
				 versions[i].revision);
	}
	applied = palloc0(sizeof(bool) * Max(nnodes, 1));
	migrate_graph_applied(state.graph, given, nversions, applied);

	/*
	 * A tool that keeps one row per applied migration must list every
	 * revision of its own that the applied ones build on: a missing one was
	 * never run (or was undone out of order), and stamping would pretend it
	 * was.  Alembic and golang-migrate keep the heads only.
	 */
	if (format != MIGRATE_INTEROP_ALEMBIC &&
		format != MIGRATE_INTEROP_GOLANG_MIGRATE)
	{
		bool	   *listed = palloc0(sizeof(bool) * Max(nnodes, 1));
		bool	   *own = palloc0(sizeof(bool) * Max(nnodes, 1));
		StringInfoData missing;
		int			nmissing = 0;

		initStringInfo(&missing);
		for (i = 0; i < nversions; i++)
			listed[given[i]] = true;
		mark_own(state.graph, fname, own);
		for (i = 0; i < nnodes; i++)
		{
			if (!applied[i] || listed[i] || !own[i])
				continue;
			if (nmissing++ > 0)
				appendStringInfoString(&missing, ", ");
			appendStringInfo(&missing, "\"%s\"", state.revs[i].revision);
		}
		if (nmissing > 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("version table \"%s\" of %s lacks revisions that applied ones build on",
							migrate_interop_version_table(format), fname),
					 errdetail("Not listed as applied: %s.", missing.data),
					 errhint("Apply them with %s first, or register files whose order matches the table.",
							 fname)));
	}

	rows = palloc(sizeof(int) * Max(nnodes, 1));
	nrows = migrate_graph_rows(state.graph, applied, rows);

	/* a database pg_migrate already manages must agree with the table */
	if (state.nrows > 0)
	{
		bool	   *current = palloc0(sizeof(bool) * Max(nnodes, 1));
		bool		same = true;

		migrate_graph_applied(state.graph, state.rows, state.nrows, current);
		for (i = 0; i < nnodes; i++)
			if (current[i] != applied[i])
				same = false;
		if (!same)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("database already has version rows that differ from \"%s\"",
							migrate_interop_version_table(format)),
					 errhint("Stamp \"base\" first if the other tool's table is right.")));
	}

	now = GetCurrentTimestamp();
	for (i = 0; i < nnodes; i++)
		if (applied[i])
			migrate_catalog_journal(state.revs[i].revision, "adopt",
									state.revs[i].message, now, 0,
									&state, rows, nrows);
	migrate_set_version(&state, rows, nrows);
	record_adopted(fname, table, keep);
	migrate_catalog_bump_generation();
	migrate_catalog_note_heads(&state, rows, nrows);

	migrate_outcome_at_commit(psprintf("adopt from %s to %d version rows",
										 fname, nrows),
							  psprintf(" by %s",
									   GetUserNameFromId(GetUserId(), false)));

	migrate_put_ids(fcinfo, &state, rows, nrows);
	PG_RETURN_VOID();
}
