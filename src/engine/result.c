/*-------------------------------------------------------------------------
 *
 * result.c
 *	  Rows of the set-returning functions that several of them share.
 *
 * IDENTIFICATION
 *	  src/engine/result.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"

#include "pg_migrate.h"

/* Emit node ids as a set of text (the result of a SETOF text function). */
void
migrate_put_ids(FunctionCallInfo fcinfo, const MigrateState *state,
				const int *nodes, int n)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	for (i = 0; i < n; i++)
	{
		Datum		value = CStringGetTextDatum(migrate_graph_id(state->graph,
																 nodes[i]));
		bool		isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value,
							 &isnull);
	}
}
