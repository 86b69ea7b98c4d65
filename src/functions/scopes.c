/*-------------------------------------------------------------------------
 *
 * scopes.c
 *	  migrate_scopes(): the tenant schemas the revisions were applied to.
 *
 * A scope exists once it has a journal entry: its first upgrade or stamp.
 * Its version rows are planned against the graph once loaded, so the
 * report costs one catalog load whatever the number of scopes.
 *
 * IDENTIFICATION
 *	  src/functions/scopes.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "pg_migrate.h"

PG_FUNCTION_INFO_V1(migrate_scopes);

/*
 * migrate_scopes()
 *	 RETURNS TABLE (scope text, current text[], pending integer,
 *					schema_exists boolean, changed_at timestamptz)
 *
 * One row per scope, in name order: its version rows, how many steps an
 * upgrade to heads would run (NULL when no plan can be made, such as for
 * a version row of an unregistered revision), whether its schema exists,
 * and the start of its newest step.
 */
Datum
migrate_scopes(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrateState state;
	char	  **names;
	char	 ***rows;
	int		   *nrows;
	TimestampTz *changed;
	int			nscopes;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	migrate_scope_enter(fcinfo, PG_NARGS());
	migrate_catalog_load(&state, false, false);
	nscopes = migrate_catalog_scopes(&names, &rows, &nrows, &changed);

	for (i = 0; i < nscopes; i++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};
		int		   *nodes = palloc(sizeof(int) * Max(nrows[i], 1));
		bool		known = true;
		int			j;

		for (j = 0; j < nrows[i]; j++)
		{
			nodes[j] = migrate_graph_find(state.graph, rows[i][j]);
			if (nodes[j] < 0)
				known = false;
		}
		values[0] = CStringGetTextDatum(names[i]);
		values[1] = migrate_text_array(rows[i], nrows[i]);
		nulls[2] = true;
		if (known)
		{
			MigratePlan plan;
			MigrateGraphError err;

			if (migrate_plan_upgrade(state.graph, nodes, nrows[i], "heads",
									 &plan, &err))
			{
				values[2] = Int32GetDatum(plan.nsteps);
				nulls[2] = false;
			}
		}
		values[3] = BoolGetDatum(OidIsValid(get_namespace_oid(names[i], true)));
		values[4] = TimestampTzGetDatum(changed[i]);
		nulls[4] = changed[i] == 0;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
