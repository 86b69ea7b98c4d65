/*-------------------------------------------------------------------------
 *
 * generation.c
 *	  The state generation that waiters and the no-op fast path compare,
 *	  and the record of the heads the version rows were last seen at.
 *
 * IDENTIFICATION
 *	  src/catalog/generation.c
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
void
migrate_catalog_bump_connected(void)
{
	static SPIPlanPtr bump_plan = NULL;

	/* a scope's change does not move the shared state (scope.c) */
	if (bumped_lxid == MyProc->lxid || migrate_scope() != NULL)
		return;
	if (!bump_callback_registered)
	{
		RegisterSubXactCallback(bump_subxact_callback, NULL);
		bump_callback_registered = true;
	}
	migrate_catalog_exec_kept(&bump_plan, false,
					  "UPDATE migrate.state SET generation = generation + 1,"
					  " changed_at = pg_catalog.now()",
					  0, NULL, NULL, NULL, SPI_OK_UPDATE);
	bumped_lxid = MyProc->lxid;
}

void
migrate_catalog_bump_generation(void)
{
	CatalogContext cxt;

	if (bumped_lxid == MyProc->lxid || migrate_scope() != NULL)
		return;
	migrate_catalog_enter(&cxt);
	migrate_catalog_bump_connected();
	migrate_catalog_leave(&cxt);
}

/*
 * The state generation, as the transaction's snapshot sees it or, when
 * latest, as the newest snapshot does.
 */
int64
migrate_catalog_generation(bool latest)
{
	static const char *const names[1] = {"generation"};
	Datum		value;
	bool		null;

	if (!migrate_catalog_state_row(1, names, &value, &null, latest) || null)
		return 0;
	return DatumGetInt64(value);
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
	static const char *const names[3] = {"generation", "heads_generation",
	"heads_count"};
	Datum		values[3];
	bool		nulls[3];

	/* the row describes the shared run's version rows only */
	if (migrate_scope() != NULL)
		return false;
	/* one row read directly: the common no-op is a session's first call */
	if (!migrate_catalog_state_row(3, names, values, nulls, latest))
		return false;
	if (nulls[0] || nulls[1] || nulls[2] ||
		DatumGetInt64(values[0]) != DatumGetInt64(values[1]))
		return false;
	return !single_head || DatumGetInt32(values[2]) == 1;
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

	if (nheads != nrows || migrate_scope() != NULL)
		return;
	for (i = 0; i < nrows; i++)
		is_row[rows[i]] = true;
	for (i = 0; i < nheads; i++)
		if (!is_row[heads[i]])
			return;

	values[0] = Int32GetDatum(nheads);
	migrate_catalog_enter(&cxt);
	migrate_catalog_exec_kept(&plan, false,
					  "UPDATE migrate.state SET heads_generation = generation,"
					  " heads_count = $1"
					  " WHERE (heads_generation, heads_count)"
					  " IS DISTINCT FROM (generation, $1)",
					  1, types, values, NULL, SPI_OK_UPDATE);
	migrate_catalog_leave(&cxt);
	/* a later change in this transaction must move the generation again */
	bumped_lxid = InvalidLocalTransactionId;
}

/*
 * Forget that this transaction moved the generation, so that its next
 * change moves it again (the directory sync moved it itself).
 */
void
migrate_catalog_forget_bump(void)
{
	bumped_lxid = InvalidLocalTransactionId;
}
