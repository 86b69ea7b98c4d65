/*-------------------------------------------------------------------------
 *
 * scope.c
 *	  The scope of the current call: the tenant schema whose version rows
 *	  and journal entries the catalog reads and writes, or none (the
 *	  shared run).
 *
 * A call that takes a scope sets it on entry (migrate_scope_enter) and
 * clears it on return (migrate_scope_leave); an error clears it when its
 * transaction or subtransaction aborts, so that no later call in the
 * session inherits it.  In the tables the shared run is the scope ''.
 *
 * IDENTIFICATION
 *	  src/catalog/scope.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "catalog/catalog_int.h"

/* the scope of the running call; "" for none */
static char current_scope[NAMEDATALEN];
static bool callbacks_registered = false;

/* Clear the scope when the transaction ends. */
static void
scope_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		current_scope[0] = '\0';
}

/* Clear the scope when a subtransaction aborts (an error caught). */
static void
scope_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					   SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		current_scope[0] = '\0';
}

/*
 * Refuse a name that cannot be a tenant schema: empty, too long, or a
 * schema of the system or of pg_migrate's catalog.
 */
static void
check_scope_name(const char *name)
{
	if (name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_SCHEMA_NAME),
				 errmsg("scope must not be empty"),
				 errhint("Pass NULL for the shared run, or the name of a tenant schema.")));
	if (strlen(name) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("scope \"%s\" is too long", name),
				 errdetail("A scope is a schema name, at most %d bytes.",
						   NAMEDATALEN - 1)));
	if (strncmp(name, "pg_", 3) == 0 ||
		strcmp(name, "information_schema") == 0 ||
		strcmp(name, "migrate") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_RESERVED_NAME),
				 errmsg("schema \"%s\" cannot be a scope", name),
				 errdetail("System schemas and pg_migrate's catalog schema \"migrate\" are not tenant schemas.")));
}

/*
 * Set the scope of this call from argument argno of fcinfo: none when the
 * function has no such argument or it is NULL.
 */
void
migrate_scope_enter(FunctionCallInfo fcinfo, int argno)
{
	current_scope[0] = '\0';
	if (!callbacks_registered)
	{
		RegisterXactCallback(scope_xact_callback, NULL);
		RegisterSubXactCallback(scope_subxact_callback, NULL);
		callbacks_registered = true;
	}
	if (PG_NARGS() > argno && !PG_ARGISNULL(argno))
	{
		char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(argno));

		check_scope_name(name);
		strlcpy(current_scope, name, NAMEDATALEN);
	}
}

/*
 * The scoped overloads are not strict (a NULL scope is the shared run):
 * refuse NULL in any of their first nargs arguments, which a strict form
 * would have answered with NULL without running.
 */
void
migrate_scope_require_args(FunctionCallInfo fcinfo, int nargs)
{
	int			i;

	for (i = 0; i < nargs && i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument %d of %s() must not be null", i + 1,
							get_func_name(fcinfo->flinfo->fn_oid))));
}

/*
 * The second key of a scope's advisory lock (MIGRATE_SCOPE_LOCK_KEY1,
 * this).  It is the hash of the name's bytes that hashtext() computes,
 * so that the client takes the same lock with
 * pg_advisory_lock(1886221155, pg_catalog.hashtext(scope)).
 */
uint32
migrate_scope_lock_key(const char *scope)
{
	return hash_bytes((const unsigned char *) scope, strlen(scope));
}

/*
 * Run body with the scope given by argument argno of the call (none when
 * the function has no such argument or it is NULL), then clear it; an
 * error clears it too (the transaction callbacks above).  The SQL-callable
 * forms of the scoped functions are this around their bodies.
 */
Datum
migrate_call_in_scope(FunctionCallInfo fcinfo, int argno, PGFunction body)
{
	Datum		result;

	migrate_scope_enter(fcinfo, argno);
	result = body(fcinfo);
	migrate_scope_leave();
	return result;
}

/* Clear the scope at the end of a call. */
void
migrate_scope_leave(void)
{
	current_scope[0] = '\0';
}

/* The scope of this call, or NULL for the shared run. */
const char *
migrate_scope(void)
{
	return current_scope[0] ? current_scope : NULL;
}

/* The scope as the tables store it: '' for the shared run. */
Datum
migrate_scope_datum(void)
{
	return CStringGetTextDatum(current_scope);
}

/*
 * Whether a revision's SQL belongs to this run: "-- scope: shared" ones to
 * the shared run only, "-- scope: tenant" ones to the scoped runs only.
 * The other runs record the step without running its SQL.
 */
bool
migrate_scope_runs(const MigrateRevision *rev)
{
	if (current_scope[0] == '\0')
		return rev->scope_kind != MIGRATE_SCOPE_TENANT;
	return rev->scope_kind != MIGRATE_SCOPE_SHARED;
}

/*
 * The newest journal entry of this call's scope, as the transaction's
 * snapshot sees it or, with latest, as the newest snapshot does; 0 when
 * there is none.  Scoped changes do not move migrate.state's generation
 * (its one row would make every tenant wait for every other), so this is
 * what tells a scoped call under REPEATABLE READ that it missed a change.
 */
int64
migrate_catalog_scope_mark(bool latest)
{
	CatalogContext cxt;
	SPIPlanPtr	plan;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	int			ret;
	bool		isnull;
	int64		mark = 0;

	values[0] = migrate_scope_datum();
	migrate_catalog_enter(&cxt);
	plan = SPI_prepare("SELECT max(id) FROM migrate.journal WHERE scope = $1",
					   1, types);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (latest)
		ret = SPI_execute_snapshot(plan, values, NULL, GetLatestSnapshot(),
								   InvalidSnapshot, true, false, 1);
	else
		ret = SPI_execute_plan(plan, values, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	if (SPI_processed > 0)
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0],
									  SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			mark = DatumGetInt64(d);
	}
	migrate_catalog_leave(&cxt);
	return mark;
}

/*
 * Every scope with journal entries, in name order (C collation), with its
 * version rows (as revision ids) and its newest step's start.  Returns how
 * many; the arrays are allocated in the caller's memory context.
 */
int
migrate_catalog_scopes(char ***names, char ****rows, int **nrows,
					   TimestampTz **changed)
{
	CatalogContext cxt;
	MemoryContext spi_cxt;
	uint64		i;
	int			n;

	migrate_catalog_enter(&cxt);
	migrate_catalog_exec(true, "SELECT j.scope, j.changed_at,"
						 " (SELECT pg_catalog.array_agg(v.revision ORDER BY v.revision)"
						 " FROM migrate.version v WHERE v.scope = j.scope)"
						 " FROM (SELECT scope, pg_catalog.max(started_at) AS changed_at"
						 " FROM migrate.journal WHERE scope <> '' GROUP BY scope) j"
						 " ORDER BY j.scope COLLATE \"C\"",
						 0, NULL, NULL, NULL, SPI_OK_SELECT);
	n = (int) SPI_processed;
	spi_cxt = MemoryContextSwitchTo(cxt.caller_cxt);
	*names = palloc(sizeof(char *) * Max(n, 1));
	*rows = palloc(sizeof(char **) * Max(n, 1));
	*nrows = palloc(sizeof(int) * Max(n, 1));
	*changed = palloc(sizeof(TimestampTz) * Max(n, 1));
	for (i = 0; i < (uint64) n; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		bool		isnull;
		Datum		d;

		(*names)[i] = migrate_spi_text(tuple, 1);
		d = SPI_getbinval(tuple, SPI_tuptable->tupdesc, 2, &isnull);
		(*changed)[i] = isnull ? 0 : DatumGetTimestampTz(d);
		d = SPI_getbinval(tuple, SPI_tuptable->tupdesc, 3, &isnull);
		(*rows)[i] = migrate_text_array_items(d, isnull, &(*nrows)[i]);
	}
	MemoryContextSwitchTo(spi_cxt);
	migrate_catalog_leave(&cxt);
	return n;
}
