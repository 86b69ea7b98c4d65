/*-------------------------------------------------------------------------
 *
 * walk.c
 *	  Walking a revision's statements for lint: parse each section with
 *	  the server's raw parser, look at each statement in order, report
 *	  findings with the statement's number and file line.
 *
 * Only the raw parse tree is used: nothing is analysed or run, so a
 * revision can be linted before the objects it names exist.  Where the
 * tree alone cannot tell (is this function volatile, does this type change
 * rewrite the table), catalog_lookup.c asks the catalog.
 *
 * "Existing" tables are those not created earlier in the same section: a
 * table created by the revision itself is empty while it runs, and
 * nothing done to it can block the application.  The downgrade section may
 * drop what the upgrade section created; that is what undoing it means.
 *
 * SQL that does not parse is reported as PM000 rather than raised, so
 * that linting many files reports all of them; the parser runs in a
 * subtransaction for that, so that its error can be caught cleanly.
 *
 * IDENTIFICATION
 *	  src/lint/walk.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/defrem.h"
#include "mb/pg_wchar.h"
#include "nodes/makefuncs.h"
#include "parser/parser.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "lint/lint.h"

/* Do two qualified names (Lists of String) name the same object? */
static bool
same_name_list(List *a, List *b)
{
	RangeVar   *ra = makeRangeVarFromNameList(a);
	RangeVar   *rb = makeRangeVarFromNameList(b);

	return migrate_lint_same_relation(ra, rb);
}

static bool
in_name_lists(List *lists, List *name)
{
	ListCell   *lc;

	foreach(lc, lists)
	{
		if (same_name_list(lfirst_node(List, lc), name))
			return true;
	}
	return false;
}

/* Is an index of that name one this section created? */
static bool
is_new_index(LintSection *sec, List *names)
{
	const char *name = strVal(llast(names));
	ListCell   *lc;

	foreach(lc, sec->new_indexes)
	{
		if (strcmp(strVal(lfirst(lc)), name) == 0)
			return true;
	}
	return false;
}

/* True if a VACUUM, REINDEX or CLUSTER option list turns option on. */
static bool
option_on(List *options, const char *option)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);

		if (strcmp(opt->defname, option) == 0)
			return opt->arg == NULL || defGetBoolean(opt);
	}
	return false;
}

static const char *
transaction_stmt_name(TransactionStmtKind kind)
{
	switch (kind)
	{
		case TRANS_STMT_BEGIN:
			return "BEGIN";
		case TRANS_STMT_START:
			return "START TRANSACTION";
		case TRANS_STMT_COMMIT:
			return "COMMIT";
		case TRANS_STMT_ROLLBACK:
			return "ROLLBACK";
		case TRANS_STMT_SAVEPOINT:
			return "SAVEPOINT";
		case TRANS_STMT_RELEASE:
			return "RELEASE SAVEPOINT";
		case TRANS_STMT_ROLLBACK_TO:
			return "ROLLBACK TO SAVEPOINT";
		case TRANS_STMT_PREPARE:
			return "PREPARE TRANSACTION";
		case TRANS_STMT_COMMIT_PREPARED:
			return "COMMIT PREPARED";
		case TRANS_STMT_ROLLBACK_PREPARED:
			return "ROLLBACK PREPARED";
	}
	return "transaction control";	/* keep compiler quiet */
}

/* A lock mode as LOCK TABLE spells it. */
static const char *
lock_mode_name(int mode)
{
	static const char *const names[] = {
		"", "ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE",
		"SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE",
		"EXCLUSIVE", "ACCESS EXCLUSIVE"
	};

	if (mode < 1 || mode >= (int) lengthof(names))
		return "ACCESS EXCLUSIVE";
	return names[mode];
}

static void
lint_index(LintSection *sec, IndexStmt *stmt)
{
	const char *what = stmt->unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX";
	const char *name = stmt->idxname ? psprintf(" \"%s\"", stmt->idxname) : "";

	if (stmt->idxname)
		sec->new_indexes = lappend(sec->new_indexes, makeString(stmt->idxname));
	if (stmt->concurrent || migrate_lint_is_new(sec, stmt->relation))
		return;

	if (migrate_lint_relkind(stmt->relation) == RELKIND_PARTITIONED_TABLE)
	{
		/* ON ONLY builds nothing: the index stays invalid until attached */
		if (!stmt->relation->inh)
			return;
		migrate_lint_report(sec, LINT_INDEX_NOT_CONCURRENT,
					"Create the index ON ONLY the partitioned table, build the index of each partition with CREATE INDEX CONCURRENTLY, and attach those with ALTER INDEX ... ATTACH PARTITION.",
					"%s%s on partitioned table \"%s\" builds the index of every partition while blocking writes to it",
					what, name, migrate_lint_relname(stmt->relation));
		return;
	}
	migrate_lint_report(sec, LINT_INDEX_NOT_CONCURRENT, NULL,
				"%s%s on existing table \"%s\" without CONCURRENTLY blocks writes to the table while the index is built",
				what, name, migrate_lint_relname(stmt->relation));
}

static void
lint_rename(LintSection *sec, RenameStmt *stmt)
{
	switch (stmt->renameType)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_FOREIGN_TABLE:
			if (migrate_lint_is_new(sec, stmt->relation))
			{
				/* still new under its new name */
				sec->new_relations = lappend(sec->new_relations,
											 makeRangeVar(stmt->relation->schemaname,
														  stmt->newname, -1));
				return;
			}
			migrate_lint_report(sec, LINT_RENAME_TABLE, NULL,
						"renaming %s \"%s\" to \"%s\" breaks the application still running the previous release, which uses the old name",
						stmt->renameType == OBJECT_TABLE ? "table" :
						stmt->renameType == OBJECT_VIEW ? "view" :
						stmt->renameType == OBJECT_MATVIEW ? "materialized view" :
						"foreign table",
						migrate_lint_relname(stmt->relation), stmt->newname);
			return;
		case OBJECT_COLUMN:
			if (stmt->relation == NULL || migrate_lint_is_new(sec, stmt->relation) ||
				migrate_lint_in_columns(sec->added_columns, stmt->relation, stmt->subname))
				return;
			migrate_lint_report(sec, LINT_RENAME_COLUMN, NULL,
						"renaming column \"%s\" of table \"%s\" to \"%s\" breaks the application still running the previous release, which uses the old name",
						stmt->subname, migrate_lint_relname(stmt->relation), stmt->newname);
			return;
		default:
			return;
	}
}

static void
lint_drop(LintSection *sec, DropStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		List	   *names = lfirst_node(List, lc);
		RangeVar   *rv;

		switch (stmt->removeType)
		{
			case OBJECT_TABLE:
				rv = makeRangeVarFromNameList(names);
				if (migrate_lint_is_new(sec, rv) ||
					migrate_lint_in_relations(sec->upgrade_relations, rv))
					break;
				migrate_lint_report(sec, LINT_DROP_TABLE, NULL,
							"dropping table \"%s\" deletes its data and breaks the application still running the previous release",
							migrate_lint_relname(rv));
				break;
			case OBJECT_INDEX:
				if (stmt->concurrent || is_new_index(sec, names))
					break;
				migrate_lint_report(sec, LINT_DROP_INDEX, NULL,
							"DROP INDEX \"%s\" without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table, queueing every query on it while it waits",
							NameListToString(names));
				break;
			default:
				return;
		}
	}
}

/* One relation a statement works on, whose rule fires unless it is new. */
static void
lint_relation_rule(LintSection *sec, RangeVar *rv, int rule, const char *fmt)
{
	if (rv != NULL && migrate_lint_is_new(sec, rv))
		return;
	migrate_lint_report(sec, rule, NULL, fmt, migrate_lint_relname(rv));
}

static void
lint_vacuum(LintSection *sec, VacuumStmt *stmt)
{
	ListCell   *lc;

	if (!stmt->is_vacuumcmd || !option_on(stmt->options, "full"))
		return;
	if (stmt->rels == NIL)
	{
		migrate_lint_report(sec, LINT_VACUUM_FULL, NULL,
					"VACUUM FULL of every table of the database rewrites each under an ACCESS EXCLUSIVE lock");
		return;
	}
	foreach(lc, stmt->rels)
	{
		VacuumRelation *vrel = lfirst_node(VacuumRelation, lc);

		if (vrel->relation != NULL)
			lint_relation_rule(sec, vrel->relation, LINT_VACUUM_FULL,
							   "VACUUM FULL of table \"%s\" rewrites it under an ACCESS EXCLUSIVE lock");
	}
}

static void
lint_reindex(LintSection *sec, ReindexStmt *stmt)
{
	if (option_on(stmt->params, "concurrently"))
		return;
	switch (stmt->kind)
	{
		case REINDEX_OBJECT_INDEX:
			if (is_new_index(sec, list_make1(makeString(stmt->relation->relname))))
				return;
			migrate_lint_report(sec, LINT_REINDEX, NULL,
						"REINDEX INDEX \"%s\" without CONCURRENTLY blocks writes to its table while it rebuilds",
						migrate_lint_relname(stmt->relation));
			return;
		case REINDEX_OBJECT_TABLE:
			lint_relation_rule(sec, stmt->relation, LINT_REINDEX,
							   "REINDEX TABLE \"%s\" without CONCURRENTLY blocks writes to it while its indexes are rebuilt");
			return;
		default:
			migrate_lint_report(sec, LINT_REINDEX, NULL,
						"REINDEX of a whole %s without CONCURRENTLY blocks writes to each table while its indexes are rebuilt",
						stmt->kind == REINDEX_OBJECT_SCHEMA ? "schema" : "database");
			return;
	}
}

/*
 * Remember a relation the section creates.  CREATE ... IF NOT EXISTS of a
 * table that is already there creates nothing: it stays existing.
 */
static void
add_new_relation(LintSection *sec, RangeVar *rv, bool if_not_exists)
{
	if (if_not_exists && migrate_lint_relkind(rv) != '\0')
		return;
	sec->new_relations = lappend(sec->new_relations, rv);
}

/* A statement of the section, statement sec->stmtno at line sec->line. */
static void
lint_statement(LintSection *sec, Node *stmt)
{
	const char *own = migrate_stmt_needs_own_transaction(stmt);
	ListCell   *lc;

	if (own != NULL && sec->rev->transactional)
		migrate_lint_report(sec, LINT_NEEDS_OWN_TRANSACTION, NULL,
					"%s cannot run inside the transaction of a transactional revision",
					own);

	switch (nodeTag(stmt))
	{
		case T_TransactionStmt:
			migrate_lint_report(sec, LINT_TRANSACTION_CONTROL, NULL,
						"%s inside a revision: each revision runs inside the migration's transaction",
						transaction_stmt_name(((TransactionStmt *) stmt)->kind));
			break;
		case T_CopyStmt:
			if (((CopyStmt *) stmt)->filename == NULL)
				migrate_lint_report(sec, LINT_COPY_CLIENT, NULL,
							"COPY %s: a revision has no client connection",
							((CopyStmt *) stmt)->is_from ? "FROM STDIN" : "TO STDOUT");
			break;
		case T_CreateStmt:
			add_new_relation(sec, ((CreateStmt *) stmt)->relation,
							 ((CreateStmt *) stmt)->if_not_exists);
			break;
		case T_CreateTableAsStmt:
			add_new_relation(sec, ((CreateTableAsStmt *) stmt)->into->rel,
							 ((CreateTableAsStmt *) stmt)->if_not_exists);
			break;
		case T_SelectStmt:
			if (((SelectStmt *) stmt)->intoClause != NULL)
				sec->new_relations = lappend(sec->new_relations,
											 ((SelectStmt *) stmt)->intoClause->rel);
			break;
		case T_ViewStmt:
			sec->new_relations = lappend(sec->new_relations,
										 ((ViewStmt *) stmt)->view);
			break;
		case T_CreateEnumStmt:
			sec->new_types = lappend(sec->new_types,
									 ((CreateEnumStmt *) stmt)->typeName);
			break;
		case T_IndexStmt:
			lint_index(sec, (IndexStmt *) stmt);
			break;
		case T_AlterTableStmt:
			migrate_lint_alter_table(sec, (AlterTableStmt *) stmt);
			break;
		case T_RenameStmt:
			lint_rename(sec, (RenameStmt *) stmt);
			break;
		case T_DropStmt:
			lint_drop(sec, (DropStmt *) stmt);
			break;
		case T_TruncateStmt:
			foreach(lc, ((TruncateStmt *) stmt)->relations)
				lint_relation_rule(sec, lfirst_node(RangeVar, lc), LINT_TRUNCATE,
								   "TRUNCATE of table \"%s\" removes all of its rows for good under an ACCESS EXCLUSIVE lock");
			break;
		case T_UpdateStmt:
			if (((UpdateStmt *) stmt)->whereClause == NULL)
				lint_relation_rule(sec, ((UpdateStmt *) stmt)->relation,
								   LINT_WHOLE_TABLE_DML,
								   "UPDATE of every row of table \"%s\" locks all of them until the migration commits");
			break;
		case T_DeleteStmt:
			if (((DeleteStmt *) stmt)->whereClause == NULL)
				lint_relation_rule(sec, ((DeleteStmt *) stmt)->relation,
								   LINT_WHOLE_TABLE_DML,
								   "DELETE of every row of table \"%s\" locks all of them until the migration commits");
			break;
		case T_VacuumStmt:
			lint_vacuum(sec, (VacuumStmt *) stmt);
			break;
		case T_ClusterStmt:
			if (((ClusterStmt *) stmt)->relation == NULL)
				migrate_lint_report(sec, LINT_CLUSTER, NULL,
							"CLUSTER of every clustered table of the database rewrites each under an ACCESS EXCLUSIVE lock");
			else
				lint_relation_rule(sec, ((ClusterStmt *) stmt)->relation,
								   LINT_CLUSTER,
								   "CLUSTER of table \"%s\" rewrites it under an ACCESS EXCLUSIVE lock");
			break;
		case T_LockStmt:
			{
				LockStmt   *lock = (LockStmt *) stmt;

				foreach(lc, lock->relations)
				{
					RangeVar   *rv = lfirst_node(RangeVar, lc);

					if (migrate_lint_is_new(sec, rv))
						continue;
					migrate_lint_report(sec, LINT_LOCK_TABLE, NULL,
								"LOCK TABLE \"%s\" IN %s MODE holds the lock until the migration commits",
								migrate_lint_relname(rv),
								lock_mode_name(lock->mode));
				}
			}
			break;
		case T_ReindexStmt:
			lint_reindex(sec, (ReindexStmt *) stmt);
			break;
		case T_RefreshMatViewStmt:
			{
				RefreshMatViewStmt *refresh = (RefreshMatViewStmt *) stmt;

				/* WITH NO DATA only empties the view, at once */
				if (!refresh->concurrent && !refresh->skipData)
					lint_relation_rule(sec, refresh->relation, LINT_REFRESH_MATVIEW,
									   "REFRESH MATERIALIZED VIEW \"%s\" without CONCURRENTLY blocks reads of the view while its query runs");
			}
			break;
		case T_AlterEnumStmt:
			{
				AlterEnumStmt *alter = (AlterEnumStmt *) stmt;

				/*
				 * Outside a transaction block (a non-transactional revision)
				 * the value is committed at once.
				 */
				if (alter->newVal != NULL && alter->oldVal == NULL &&
					sec->rev->transactional &&
					!in_name_lists(sec->new_types, alter->typeName))
					migrate_lint_report(sec, LINT_ENUM_ADD_VALUE, NULL,
								"ALTER TYPE \"%s\" ADD VALUE \"%s\": the new value cannot be used until the migration commits",
								NameListToString(alter->typeName), alter->newVal);
			}
			break;
		default:
			break;
	}
}

/*
 * Parse the section into raw statements.  SQL that does not parse becomes
 * a PM000 finding (false is returned); errors that say nothing about the
 * SQL (out of memory, a cancel) are raised again.
 */
static bool
parse_section(LintSection *sec, List **stmts)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool ok = true;

	BeginInternalSubTransaction(NULL);
	/* the parse tree is wanted after the subtransaction */
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		*stmts = raw_parser(sec->sql, RAW_PARSE_DEFAULT);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		int			category;
		int			offset = 0;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;

		category = ERRCODE_TO_CATEGORY(edata->sqlerrcode);
		if (category == ERRCODE_TO_CATEGORY(ERRCODE_INSUFFICIENT_RESOURCES) ||
			category == ERRCODE_TO_CATEGORY(ERRCODE_OPERATOR_INTERVENTION) ||
			category == ERRCODE_TO_CATEGORY(ERRCODE_SYSTEM_ERROR) ||
			category == ERRCODE_TO_CATEGORY(ERRCODE_INTERNAL_ERROR))
			ReThrowError(edata);

		/* cursorpos counts characters from 1 */
		if (edata->cursorpos > 0)
			offset = pg_mbcharcliplen(sec->sql, strlen(sec->sql),
									  edata->cursorpos - 1);
		sec->stmtno = 0;
		sec->line = migrate_lint_line_of_offset(sec, offset);
		migrate_lint_report(sec, LINT_SYNTAX, NULL, "%s", edata->message);
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/* Lint every statement of one section. */
static void
lint_section(LintSection *sec)
{
	List	   *stmts;
	ListCell   *lc;
	int			len = strlen(sec->sql);

	if (!parse_section(sec, &stmts))
		return;

	foreach(lc, stmts)
	{
		RawStmt    *raw = lfirst_node(RawStmt, lc);

		sec->stmtno = foreach_current_index(lc) + 1;
		sec->line = migrate_lint_line_of_offset(sec, migrate_skip_blanks(sec->sql,
															raw->stmt_location,
															len));
		lint_statement(sec, raw->stmt);
	}

	if (!sec->rev->transactional && list_length(stmts) > 1)
	{
		sec->stmtno = 0;
		sec->line = migrate_lint_line_of_offset(sec, 0);
		migrate_lint_report(sec, LINT_NONTX_SEVERAL, NULL,
					"the %s section of a non-transactional revision runs %d statements one by one: a failure part-way leaves the earlier ones done",
					sec->section == LINT_SECTION_UPGRADE ? "upgrade" : "downgrade",
					list_length(stmts));
	}
}

/*
 * Every finding of a revision, silenced or not (lint.c applies its
 * lint-ignore lines): the upgrade section's, then the downgrade's.
 */
List *
migrate_lint_revision(const MigrateRevision *rev)
{
	LintSection up;
	List	   *findings;

	memset(&up, 0, sizeof(up));
	up.rev = rev;
	up.section = LINT_SECTION_UPGRADE;
	up.sql = rev->upgrade_sql;
	up.first_line = rev->upgrade_line;
	lint_section(&up);
	findings = up.findings;

	if (rev->has_downgrade)
	{
		LintSection down;

		memset(&down, 0, sizeof(down));
		down.rev = rev;
		down.section = LINT_SECTION_DOWNGRADE;
		down.sql = rev->downgrade_sql;
		down.first_line = rev->downgrade_line;
		down.upgrade_relations = up.new_relations;
		down.upgrade_columns = up.added_columns;
		lint_section(&down);
		findings = list_concat(findings, down.findings);
	}
	else
	{
		LintSection none;

		memset(&none, 0, sizeof(none));
		none.rev = rev;
		none.section = LINT_SECTION_DOWNGRADE;
		migrate_lint_report(&none, LINT_NO_DOWNGRADE, NULL,
					"revision \"%s\" has no downgrade section: it cannot be reverted",
					rev->revision);
		findings = list_concat(findings, none.findings);
	}
	return findings;
}
