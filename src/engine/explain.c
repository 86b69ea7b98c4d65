/*-------------------------------------------------------------------------
 *
 * explain.c
 *	  migrate_explain: run the pending revisions on trial, inside a
 *	  subtransaction that is rolled back, and report per statement the
 *	  relation locks it took and the relations it rewrote.
 *
 * Around each statement (a hook of runner.c's statement loop) it takes the
 * relation locks this backend holds and the storage (relfilenode) of every
 * user relation.  After the statement:
 *   - a lock mode held now and not before was acquired by the statement;
 *     locks are held to the end of the transaction, so a relation locked
 *     by an earlier statement (or revision) shows at the first statement
 *     that took each mode, as in a real upgrade;
 *   - a relation whose relfilenode or tablespace changed was rewritten
 *     (ALTER COLUMN TYPE, VACUUM FULL, CLUSTER, TRUNCATE, ...).  Its old
 *     files still exist until the transaction ends, so their size is the
 *     size of what was rewritten.
 * Relations are named as they were before the statement, so a relation
 * the statement dropped keeps its name; relations it created are marked.
 * System catalogs and TOAST tables are left out.
 *
 * IDENTIFICATION
 *	  src/engine/explain.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "storage/backendid.h"
#include "storage/lock.h"
#include "storage/smgr.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "pg_migrate.h"
#include "engine/verify.h"

PG_FUNCTION_INFO_V1(migrate_explain);

/* A user relation as it was before the statement. */
typedef struct ExplainRel
{
	Oid			relid;
	Oid			filenode;		/* 0: no storage of its own */
	Oid			tablespace;
	char		persistence;
	bool		toast;
	char	   *name;			/* schema-qualified, quoted as needed */
} ExplainRel;

/* A relation lock held by this backend: the modes as a LOCKMASK. */
typedef struct ExplainLock
{
	Oid			relid;
	LOCKMASK	modes;
} ExplainLock;

/* One result row in the making. */
typedef struct ExplainRow
{
	char	   *relation;
	int			mode;
	bool		created;
	bool		rewritten;
	int64		size;			/* -1: unknown */
} ExplainRow;

typedef struct ExplainState
{
	ReturnSetInfo *rsinfo;
	const MigrateRevision *rev;
	int			stepno;
	int			stmtno;			/* within the step */
	MemoryContext stmt_cxt;		/* what one statement's snapshots use */
	ExplainRel *rels;			/* sorted by relid */
	int			nrels;
	ExplainLock *locks;			/* sorted by relid */
	int			nlocks;
} ExplainState;

static int
cmp_relid(const void *a, const void *b)
{
	Oid			x = *(const Oid *) a;
	Oid			y = *(const Oid *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

static int
cmp_row(const void *a, const void *b)
{
	return strcmp(((const ExplainRow *) a)->relation,
				  ((const ExplainRow *) b)->relation);
}

/* Every user relation, sorted by OID. */
static ExplainRel *
take_relations(int *count)
{
	Relation	pg_class = table_open(RelationRelationId, AccessShareLock);
	SysScanDesc scan = systable_beginscan(pg_class, InvalidOid, false, NULL,
										  0, NULL);
	HeapTuple	tuple;
	int			n = 0;
	int			cap = 256;
	ExplainRel *rels = palloc(sizeof(ExplainRel) * cap);

	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_class form = (Form_pg_class) GETSTRUCT(tuple);
		char	   *nspname;

		if (form->oid < FirstNormalObjectId)
			continue;
		if (n == cap)
		{
			cap *= 2;
			rels = repalloc(rels, sizeof(ExplainRel) * cap);
		}
		nspname = get_namespace_name(form->relnamespace);
		rels[n].relid = form->oid;
		rels[n].filenode = RELKIND_HAS_STORAGE(form->relkind) ? form->relfilenode : InvalidOid;
		rels[n].tablespace = form->reltablespace;
		rels[n].persistence = form->relpersistence;
		rels[n].toast = form->relnamespace == PG_TOAST_NAMESPACE ||
			form->relkind == RELKIND_TOASTVALUE;
		rels[n].name = quote_qualified_identifier(nspname ? nspname : "?",
												  NameStr(form->relname));
		n++;
	}
	systable_endscan(scan);
	table_close(pg_class, AccessShareLock);

	qsort(rels, n, sizeof(ExplainRel), cmp_relid);
	*count = n;
	return rels;
}

/* The relation locks this backend holds in this database, sorted by OID. */
static ExplainLock *
take_locks(int *count)
{
	LockData   *data = GetLockStatusData();
	ExplainLock *locks = palloc(sizeof(ExplainLock) * Max(data->nelements, 1));
	int			n = 0;
	int			i;

	for (i = 0; i < data->nelements; i++)
	{
		LockInstanceData *inst = &data->locks[i];

		if (inst->pid != MyProcPid ||
			inst->locktag.locktag_type != LOCKTAG_RELATION ||
			inst->locktag.locktag_field1 != MyDatabaseId ||
			inst->holdMask == 0)
			continue;
		locks[n].relid = inst->locktag.locktag_field2;
		locks[n].modes = inst->holdMask;
		n++;
	}
	qsort(locks, n, sizeof(ExplainLock), cmp_relid);

	/* one relation can show twice: a fast-path entry and a shared one */
	if (n > 1)
	{
		int			j = 0;

		for (i = 1; i < n; i++)
		{
			if (locks[i].relid == locks[j].relid)
				locks[j].modes |= locks[i].modes;
			else
				locks[++j] = locks[i];
		}
		n = j + 1;
	}
	*count = n;
	return locks;
}

/* The strongest mode of a non-empty mask (modes are numbered by strength). */
static int
strongest(LOCKMASK mask)
{
	int			mode;

	for (mode = MaxLockMode; mode > NoLock; mode--)
		if (mask & LOCKBIT_ON(mode))
			return mode;
	return NoLock;
}

/* Size in bytes of the main fork of the files of a relation, or -1. */
static int64
storage_size(const ExplainRel *rel)
{
	RelFileNode node;
	SMgrRelation srel;

	if (!OidIsValid(rel->filenode))
		return -1;
	node.spcNode = OidIsValid(rel->tablespace) ? rel->tablespace : MyDatabaseTableSpace;
	node.dbNode = MyDatabaseId;
	node.relNode = rel->filenode;
	srel = smgropen(node, rel->persistence == RELPERSISTENCE_TEMP ?
					BackendIdForTempRelations() : InvalidBackendId);
	if (!smgrexists(srel, MAIN_FORKNUM))
		return -1;
	return (int64) smgrnblocks(srel, MAIN_FORKNUM) * BLCKSZ;
}

/* Whether rel's storage is not what it was: a new relfilenode. */
static bool
was_rewritten(const ExplainRel *rel)
{
	HeapTuple	tuple;
	bool		rewritten = false;

	if (!OidIsValid(rel->filenode))
		return false;
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(rel->relid));
	if (HeapTupleIsValid(tuple))
	{
		Form_pg_class form = (Form_pg_class) GETSTRUCT(tuple);

		rewritten = form->relfilenode != rel->filenode ||
			form->reltablespace != rel->tablespace;
		ReleaseSysCache(tuple);
	}
	return rewritten;
}

/* Put the rows of one statement into the result. */
static void
put_rows(ExplainState *st, RawStmt *raw, int line, ExplainRow *rows,
		 int nrows)
{
	const char *command = GetCommandTagName(CreateCommandTag(raw->stmt));
	int			i;

	qsort(rows, nrows, sizeof(ExplainRow), cmp_row);
	for (i = 0; i < Max(nrows, 1); i++)
	{
		Datum		values[10];
		bool		nulls[10] = {0};

		values[0] = Int32GetDatum(st->stepno);
		values[1] = CStringGetTextDatum(st->rev->revision);
		values[2] = Int32GetDatum(st->stmtno);
		values[3] = Int32GetDatum(line);
		values[4] = CStringGetTextDatum(command);
		if (nrows == 0)
		{
			/* a statement that took no relation lock */
			nulls[5] = nulls[6] = nulls[7] = nulls[8] = nulls[9] = true;
		}
		else
		{
			values[5] = CStringGetTextDatum(rows[i].relation);
			values[6] = CStringGetTextDatum(GetLockmodeName(DEFAULT_LOCKMETHOD,
															rows[i].mode));
			values[7] = BoolGetDatum(rows[i].created);
			values[8] = BoolGetDatum(rows[i].rewritten);
			values[9] = Int64GetDatum(rows[i].size);
			nulls[9] = rows[i].size < 0;
		}
		tuplestore_putvalues(st->rsinfo->setResult, st->rsinfo->setDesc,
							 values, nulls);
	}
}

/*
 * The statement hook: snapshot before, compare and report after.
 */
static void
explain_hook(void *arg, RawStmt *raw, int line, bool before)
{
	ExplainState *st = (ExplainState *) arg;
	MemoryContext old_cxt = MemoryContextSwitchTo(st->stmt_cxt);
	ExplainLock *now;
	int			nnow;
	ExplainRow *rows;
	int			nrows = 0;
	int			i;

	/* make the previous statement's catalog changes visible to us */
	CommandCounterIncrement();

	if (before)
	{
		MemoryContextReset(st->stmt_cxt);
		st->stmtno++;
		st->rels = take_relations(&st->nrels);
		st->locks = take_locks(&st->nlocks);
		MemoryContextSwitchTo(old_cxt);
		return;
	}

	now = take_locks(&nnow);
	rows = palloc(sizeof(ExplainRow) * Max(nnow, 1));
	for (i = 0; i < nnow; i++)
	{
		ExplainLock *had = bsearch(&now[i].relid, st->locks, st->nlocks,
								   sizeof(ExplainLock), cmp_relid);
		ExplainRel *rel = bsearch(&now[i].relid, st->rels, st->nrels,
								  sizeof(ExplainRel), cmp_relid);
		LOCKMASK	gained = now[i].modes & ~(had ? had->modes : 0);
		ExplainRow *row = &rows[nrows];

		if (now[i].relid < FirstNormalObjectId)
			continue;
		if (rel != NULL)
		{
			if (rel->toast)
				continue;
			row->rewritten = was_rewritten(rel);
			if (gained == 0 && !row->rewritten)
				continue;
			row->relation = rel->name;
			row->created = false;
			row->size = storage_size(rel);
		}
		else
		{
			/* created by the statement (or by one whose lock we still hold) */
			char	   *relname = get_rel_name(now[i].relid);
			char	   *nspname;

			if (relname == NULL || gained == 0 ||
				get_rel_namespace(now[i].relid) == PG_TOAST_NAMESPACE)
				continue;
			nspname = get_namespace_name(get_rel_namespace(now[i].relid));
			row->relation = quote_qualified_identifier(nspname, relname);
			row->created = true;
			row->rewritten = false;
			row->size = -1;
		}
		row->mode = strongest(gained != 0 ? gained : now[i].modes);
		nrows++;
	}
	put_rows(st, raw, line, rows, nrows);
	MemoryContextSwitchTo(old_cxt);
}

/*
 * Run the plan's revisions with the hook, inside the caller's trial.  A
 * non-transactional revision cannot run in a subtransaction: explain
 * stops before it, with a notice.
 */
static void
explain_plan(ReturnSetInfo *rsinfo, const MigrateState *state,
			 const MigratePlan *plan)
{
	ExplainState st;
	int			i;

	memset(&st, 0, sizeof(st));
	st.rsinfo = rsinfo;
	st.stmt_cxt = AllocSetContextCreate(CurrentMemoryContext,
										"pg_migrate explain",
										ALLOCSET_DEFAULT_SIZES);
	for (i = 0; i < plan->nsteps; i++)
	{
		const MigrateRevision *rev = &state->revs[plan->steps[i]];

		if (!rev->transactional)
		{
			ereport(NOTICE,
					(errmsg("explain stops before revision \"%s\", which cannot run inside a transaction block",
							rev->revision),
					 errdetail("The revision is marked \"transactional: false\".")));
			break;
		}
		st.rev = rev;
		st.stepno = i + 1;
		st.stmtno = 0;
		(void) migrate_run_step_hooked(rev, true, i + 1, plan->nsteps,
									   explain_hook, &st);
	}
	MemoryContextDelete(st.stmt_cxt);
}

/*
 * migrate_explain(target text DEFAULT 'heads')
 *	 RETURNS TABLE (step integer, revision text, statement integer,
 *					line integer, command text, relation text,
 *					lock_mode text, new_relation boolean, rewritten boolean,
 *					size_bytes bigint)
 *
 * One row per statement and relation it locked or rewrote, and one row
 * with a null relation for a statement that did neither.  Everything runs
 * in a subtransaction that is rolled back; an error in a revision is
 * raised as an upgrade would raise it, after the rollback.
 */
Datum
migrate_explain(PG_FUNCTION_ARGS)
{
	migrate_trial_plan(fcinfo, "explain", explain_plan);
	return (Datum) 0;
}
