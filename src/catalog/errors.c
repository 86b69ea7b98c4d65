/*-------------------------------------------------------------------------
 *
 * errors.c
 *	  Raising the revision graph's errors (src/common/revgraph.c reports
 *	  them as data, being pure C) with the SQLSTATE each kind calls for.
 *
 * IDENTIFICATION
 *	  src/catalog/errors.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "pg_migrate.h"

/*
 * Raise a graph or planning error with the SQLSTATE its kind calls for
 * (documented in README.md).
 */
void
migrate_raise_graph_error(const MigrateGraphError *err)
{
	int			sqlstate;

	switch (err->code)
	{
		case MIGRATE_GRAPH_INVALID:
			sqlstate = ERRCODE_INVALID_OBJECT_DEFINITION;
			break;
		case MIGRATE_GRAPH_UNKNOWN_REVISION:
			sqlstate = ERRCODE_UNDEFINED_OBJECT;
			break;
		case MIGRATE_GRAPH_AMBIGUOUS:
			sqlstate = ERRCODE_AMBIGUOUS_PARAMETER;
			break;
		case MIGRATE_GRAPH_MULTIPLE_HEADS:
			sqlstate = ERRCODE_CARDINALITY_VIOLATION;
			break;
		case MIGRATE_GRAPH_BAD_TARGET:
		default:
			sqlstate = ERRCODE_INVALID_PARAMETER_VALUE;
			break;
	}
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("%s", err->message ? err->message : "invalid revision graph"),
			 err->detail ? errdetail_internal("%s", err->detail) : 0,
			 err->hint ? errhint("%s", err->hint) : 0));
}
