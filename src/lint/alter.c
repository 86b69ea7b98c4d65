/*-------------------------------------------------------------------------
 *
 * alter.c
 *	  Lint of ALTER TABLE: each subcommand on its own.
 *
 * On a table created earlier in the same section nothing is reported,
 * but what the subcommands do is still remembered: the columns added
 * (which the downgrade may drop), and the CHECK (column IS NOT NULL)
 * constraints validated, which make a later SET NOT NULL cheap.
 *
 * IDENTIFICATION
 *	  src/lint/alter.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"

#include "lint/lint.h"

/* The noun for the relation an ALTER works on, for messages. */
static const char *
object_noun(ObjectType objtype)
{
	switch (objtype)
	{
		case OBJECT_INDEX:
			return "index";
		case OBJECT_MATVIEW:
			return "materialized view";
		case OBJECT_FOREIGN_TABLE:
			return "foreign table";
		default:
			return "table";
	}
}

typedef struct VolatileContext
{
	char	   *func;			/* set when something volatile is found */
	bool		unknown;		/* ... and it is not in the catalog */
} VolatileContext;

static bool
volatile_walker(Node *node, VolatileContext *cxt)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncCall))
	{
		FuncCall   *call = (FuncCall *) node;
		bool		found;

		if (migrate_lint_func_volatile(call->funcname, &found) || !found)
		{
			cxt->func = NameListToString(call->funcname);
			cxt->unknown = !found;
			return true;
		}
	}
	return raw_expression_tree_walker(node, volatile_walker, (void *) cxt);
}

/*
 * Does a raw default expression call a volatile function, or one the
 * catalog does not know (*unknown)?  *func then names it.  now() and
 * CURRENT_TIMESTAMP are stable: the value is computed once.
 */
static bool
migrate_lint_volatile_expr(Node *expr, char **func, bool *unknown)
{
	VolatileContext cxt = {NULL, false};
	bool		result = volatile_walker(expr, &cxt);

	*func = cxt.func;
	*unknown = cxt.unknown;
	return result;
}

/* serial, bigserial and smallserial are integers with a nextval() default */
static bool
is_serial(TypeName *type)
{
	const char *name;

	if (type == NULL || type->names == NIL)
		return false;
	if (list_length(type->names) == 2 &&
		strcmp(strVal(linitial(type->names)), "pg_catalog") != 0)
		return false;
	if (list_length(type->names) > 2)
		return false;
	name = strVal(llast(type->names));
	return strcmp(name, "serial") == 0 || strcmp(name, "serial4") == 0 ||
		strcmp(name, "bigserial") == 0 || strcmp(name, "serial8") == 0 ||
		strcmp(name, "smallserial") == 0 || strcmp(name, "serial2") == 0;
}

/* ALTER TABLE rv ADD COLUMN col, rv existing. */
static void
lint_add_column(LintSection *sec, RangeVar *rv, ColumnDef *col)
{
	Node	   *def = col->raw_default;
	bool		not_null = col->is_not_null;
	char	   *rewrite = NULL;
	char	   *func;
	bool		unknown;
	ListCell   *lc;

	foreach(lc, col->constraints)
	{
		Constraint *con = lfirst_node(Constraint, lc);

		switch (con->contype)
		{
			case CONSTR_DEFAULT:
				def = con->raw_expr;
				break;
			case CONSTR_NOTNULL:
				not_null = true;
				break;
			case CONSTR_IDENTITY:
				rewrite = "an identity value";
				break;
			case CONSTR_GENERATED:
				rewrite = "a stored generated value";
				break;
			case CONSTR_PRIMARY:
			case CONSTR_UNIQUE:
				not_null |= con->contype == CONSTR_PRIMARY;
				migrate_lint_report(sec, LINT_UNIQUE_NO_INDEX, NULL,
							"adding column \"%s\" with a %s constraint to table \"%s\" builds its index under an ACCESS EXCLUSIVE lock",
							col->colname,
							con->contype == CONSTR_PRIMARY ? "PRIMARY KEY" : "UNIQUE",
							migrate_lint_relname(rv));
				break;
			case CONSTR_FOREIGN:
				migrate_lint_report(sec, LINT_FK_NOT_VALID,
							"Add the column without REFERENCES, then add the foreign key with ADD CONSTRAINT ... NOT VALID and VALIDATE CONSTRAINT.",
							"adding column \"%s\" with REFERENCES \"%s\" to table \"%s\" checks every existing row while blocking writes to both tables",
							col->colname, migrate_lint_relname(con->pktable),
							migrate_lint_relname(rv));
				break;
			case CONSTR_CHECK:
				migrate_lint_report(sec, LINT_CHECK_NOT_VALID,
							"Add the column without CHECK, then add the constraint with ADD CONSTRAINT ... NOT VALID and VALIDATE CONSTRAINT.",
							"adding column \"%s\" with a CHECK constraint to table \"%s\" reads the whole table under an ACCESS EXCLUSIVE lock",
							col->colname, migrate_lint_relname(rv));
				break;
			default:
				break;
		}
	}

	if (rewrite == NULL && is_serial(col->typeName))
		rewrite = psprintf("type %s (its default, nextval(), is volatile)",
						   strVal(llast(col->typeName->names)));
	if (rewrite == NULL && def != NULL && migrate_lint_volatile_expr(def, &func, &unknown))
	{
		if (unknown)
		{
			migrate_lint_report(sec, LINT_VOLATILE_DEFAULT, NULL,
						"adding column \"%s\" to table \"%s\" with a default that calls %s(), which is not in the catalog: if it is volatile, the table is rewritten under an ACCESS EXCLUSIVE lock",
						col->colname, migrate_lint_relname(rv), func);
			return;
		}
		rewrite = psprintf("a volatile default (it calls %s())", func);
	}

	if (rewrite != NULL)
		migrate_lint_report(sec, LINT_VOLATILE_DEFAULT, NULL,
					"adding column \"%s\" to table \"%s\" with %s rewrites the table under an ACCESS EXCLUSIVE lock",
					col->colname, migrate_lint_relname(rv), rewrite);
	else if (not_null && def == NULL)
		migrate_lint_report(sec, LINT_NOT_NULL_NO_DEFAULT, NULL,
					"adding NOT NULL column \"%s\" without a default to table \"%s\" fails as soon as the table has a row",
					col->colname, migrate_lint_relname(rv));
}

/* ALTER TABLE rv ALTER COLUMN name TYPE ..., rv existing. */
static void
lint_alter_type(LintSection *sec, RangeVar *rv, const char *column,
				ColumnDef *def)
{
	char	   *oldname = NULL;
	char	   *newname = NULL;
	LintRewrite rewrite;

	if (def->raw_default != NULL)
	{
		migrate_lint_report(sec, LINT_TYPE_REWRITE, NULL,
					"changing the type of column \"%s\" of table \"%s\" with USING rewrites the table under an ACCESS EXCLUSIVE lock",
					column, migrate_lint_relname(rv));
		return;
	}
	rewrite = migrate_lint_type_change(rv, column, def->typeName, &oldname, &newname);
	if (rewrite == LINT_REWRITE_NO)
		return;
	if (rewrite == LINT_REWRITE_YES)
		migrate_lint_report(sec, LINT_TYPE_REWRITE, NULL,
					"changing column \"%s\" of table \"%s\" from %s to %s rewrites the table and its indexes under an ACCESS EXCLUSIVE lock",
					column, migrate_lint_relname(rv), oldname, newname);
	else
		migrate_lint_report(sec, LINT_TYPE_REWRITE, NULL,
					"changing the type of column \"%s\" of table \"%s\" rewrites the table under an ACCESS EXCLUSIVE lock unless the change is binary coercible, which cannot be told here (the column is not in the catalog)",
					column, migrate_lint_relname(rv));
}

/* Remember that (rv, column) has a validated IS NOT NULL check. */
static void
add_not_null_check(LintSection *sec, RangeVar *rv, const char *column)
{
	sec->notnull_checks = lappend(sec->notnull_checks,
								  list_make2(rv, makeString(pstrdup(column))));
}

/* ALTER TABLE rv ADD CONSTRAINT; report only when reportable. */
static void
lint_add_constraint(LintSection *sec, RangeVar *rv, Constraint *con,
					bool reportable)
{
	char	   *column;

	switch (con->contype)
	{
		case CONSTR_FOREIGN:
			if (reportable && !con->skip_validation)
				migrate_lint_report(sec, LINT_FK_NOT_VALID, NULL,
							"adding foreign key%s%s%s on table \"%s\" referencing \"%s\" without NOT VALID checks every existing row while blocking writes to both tables",
							con->conname ? " \"" : "",
							con->conname ? con->conname : "",
							con->conname ? "\"" : "",
							migrate_lint_relname(rv), migrate_lint_relname(con->pktable));
			break;
		case CONSTR_CHECK:
			column = migrate_lint_not_null_test_column(con->raw_expr);
			if (!con->skip_validation)
			{
				if (column != NULL)
					add_not_null_check(sec, rv, column);
				if (reportable)
					migrate_lint_report(sec, LINT_CHECK_NOT_VALID, NULL,
								"adding CHECK constraint%s%s%s on table \"%s\" without NOT VALID reads the whole table under an ACCESS EXCLUSIVE lock",
								con->conname ? " \"" : "",
								con->conname ? con->conname : "",
								con->conname ? "\"" : "",
								migrate_lint_relname(rv));
			}
			else if (column != NULL && con->conname != NULL)
				sec->pending_checks = lappend(sec->pending_checks,
											  list_make3(rv, makeString(con->conname),
														 makeString(column)));
			break;
		case CONSTR_PRIMARY:
			/* USING INDEX: the index is there, but NOT NULL may scan */
			if (reportable && con->indexname != NULL)
			{
				ListCell   *lc;

				foreach(lc, migrate_lint_index_nullable_columns(rv, con->indexname))
				{
					if (!migrate_lint_in_columns(sec->notnull_checks, rv, strVal(lfirst(lc))))
						migrate_lint_report(sec, LINT_SET_NOT_NULL, NULL,
									"PRIMARY KEY USING INDEX \"%s\" sets column \"%s\" of table \"%s\" NOT NULL, which reads the whole table under an ACCESS EXCLUSIVE lock without a validated CHECK (%s IS NOT NULL) constraint",
									con->indexname, strVal(lfirst(lc)),
									migrate_lint_relname(rv), strVal(lfirst(lc)));
				}
			}
			/* FALLTHROUGH */
		case CONSTR_UNIQUE:
		case CONSTR_EXCLUSION:
			if (reportable && con->indexname == NULL)
				migrate_lint_report(sec, LINT_UNIQUE_NO_INDEX, NULL,
							"adding %s constraint to table \"%s\" builds its index under an ACCESS EXCLUSIVE lock",
							con->contype == CONSTR_PRIMARY ? "a PRIMARY KEY" :
							con->contype == CONSTR_UNIQUE ? "a UNIQUE" : "an EXCLUDE",
							migrate_lint_relname(rv));
			break;
		default:
			break;
	}
}

/* ALTER TABLE rv VALIDATE CONSTRAINT name: is it an IS NOT NULL check? */
static void
lint_validate(LintSection *sec, RangeVar *rv, const char *conname)
{
	ListCell   *lc;
	char	   *column;

	foreach(lc, sec->pending_checks)
	{
		List	   *entry = lfirst_node(List, lc);

		if (migrate_lint_same_relation(linitial_node(RangeVar, entry), rv) &&
			strcmp(strVal(lsecond(entry)), conname) == 0)
		{
			add_not_null_check(sec, rv, strVal(lthird(entry)));
			return;
		}
	}
	/* a NOT VALID check added by an earlier revision */
	column = migrate_lint_check_not_null_column(rv, conname);
	if (column != NULL)
		add_not_null_check(sec, rv, column);
}

void
migrate_lint_alter_table(LintSection *sec, AlterTableStmt *stmt)
{
	RangeVar   *rv = stmt->relation;
	bool		existing = !migrate_lint_is_new(sec, rv);
	ListCell   *lc;

	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		switch (cmd->subtype)
		{
			case AT_AddColumn:
				{
					ColumnDef  *col = castNode(ColumnDef, cmd->def);

					if (existing)
						lint_add_column(sec, rv, col);
					sec->added_columns = lappend(sec->added_columns,
												 list_make2(rv, makeString(col->colname)));
				}
				break;
			case AT_AlterColumnType:
				if (existing)
					lint_alter_type(sec, rv, cmd->name, castNode(ColumnDef, cmd->def));
				break;
			case AT_SetNotNull:
				if (existing &&
					!migrate_lint_in_columns(sec->notnull_checks, rv, cmd->name) &&
					!migrate_lint_column_known_not_null(rv, cmd->name))
					migrate_lint_report(sec, LINT_SET_NOT_NULL, NULL,
								"SET NOT NULL on column \"%s\" of table \"%s\" without a validated CHECK (%s IS NOT NULL) constraint reads the whole table under an ACCESS EXCLUSIVE lock",
								cmd->name, migrate_lint_relname(rv), cmd->name);
				break;
			case AT_AddConstraint:
				lint_add_constraint(sec, rv, castNode(Constraint, cmd->def),
									existing);
				break;
			case AT_ValidateConstraint:
				lint_validate(sec, rv, cmd->name);
				break;
			case AT_DropColumn:
				if (existing &&
					!migrate_lint_in_columns(sec->added_columns, rv, cmd->name) &&
					!migrate_lint_in_columns(sec->upgrade_columns, rv, cmd->name))
					migrate_lint_report(sec, LINT_DROP_COLUMN, NULL,
								"dropping column \"%s\" of table \"%s\" deletes its data and breaks the application still running the previous release",
								cmd->name, migrate_lint_relname(rv));
				break;
			case AT_SetTableSpace:
			case AT_SetLogged:
			case AT_SetUnLogged:
			case AT_SetAccessMethod:
				if (existing)
					migrate_lint_report(sec, LINT_TABLE_REWRITE, NULL,
								"%s of %s \"%s\" copies all of it under an ACCESS EXCLUSIVE lock",
								cmd->subtype == AT_SetTableSpace ? "SET TABLESPACE" :
								cmd->subtype == AT_SetLogged ? "SET LOGGED" :
								cmd->subtype == AT_SetUnLogged ? "SET UNLOGGED" :
								"SET ACCESS METHOD",
								object_noun(stmt->objtype), migrate_lint_relname(rv));
				break;
			default:
				break;
		}
	}
}
