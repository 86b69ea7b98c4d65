/*-------------------------------------------------------------------------
 *
 * catalog_lookup.c
 *	  What lint asks the catalog: whether a function is volatile, whether
 *	  a column type change rewrites the table, whether a column is known
 *	  not to hold nulls.
 *
 * Lint runs inside the server, so the answers come from the database the
 * revisions are meant for, as it is now.  Lookups take no lock on the
 * application's tables (NoLock, missing_ok): a name that is not there
 * yet, because an earlier revision that creates it has not run, gives
 * "cannot tell", and the rule reports on the safe side.
 *
 * IDENTIFICATION
 *	  src/lint/catalog_lookup.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "lint/lint.h"

/*
 * Is a function of that name volatile?  Every function of the name that
 * the call could mean counts (the schema given, or those of the search
 * path): one volatile candidate is enough.  *found says whether there was
 * any candidate at all.
 */
bool
migrate_lint_func_volatile(List *funcname, bool *found)
{
	char	   *schemaname;
	char	   *proname;
	Oid			nspid = InvalidOid;
	List	   *path = NIL;
	CatCList   *candidates;
	bool		result = false;
	int			i;

	*found = false;
	DeconstructQualifiedName(funcname, &schemaname, &proname);
	if (schemaname != NULL)
	{
		nspid = get_namespace_oid(schemaname, true);
		if (!OidIsValid(nspid))
			return false;
	}
	else
		path = fetch_search_path(true);

	candidates = SearchSysCacheList1(PROCNAMEARGSNSP, CStringGetDatum(proname));
	for (i = 0; i < candidates->n_members; i++)
	{
		Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(&candidates->members[i]->tuple);

		if (schemaname != NULL ? proc->pronamespace != nspid :
			!list_member_oid(path, proc->pronamespace))
			continue;
		*found = true;
		if (proc->provolatile == PROVOLATILE_VOLATILE)
			result = true;
	}
	ReleaseSysCacheList(candidates);
	list_free(path);
	return result;
}

/* The relation's kind, or '\0' when it is not in the catalog. */
char
migrate_lint_relkind(const RangeVar *rv)
{
	Oid			relid = RangeVarGetRelid(rv, NoLock, true);

	return OidIsValid(relid) ? get_rel_relkind(relid) : '\0';
}

/*
 * Does changing a column of type typid from typmod oldmod to newmod keep
 * the stored data as it is?  These are the cases in which the type's
 * length-coercion support function makes the change a no-op: a longer
 * varchar or bit varying, a numeric of the same scale and more precision,
 * a finer time or timestamp, or no limit at all.
 */
static bool
typmod_change_keeps_data(Oid typid, int32 oldmod, int32 newmod)
{
	if (newmod == oldmod)
		return true;
	switch (typid)
	{
		case VARCHAROID:
		case VARBITOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
		case TIMEOID:
		case TIMETZOID:
			return newmod < 0 || (oldmod >= 0 && newmod >= oldmod);
		case NUMERICOID:
			if (newmod < 0)
				return true;
			if (oldmod < 0)
				return false;
			/* typmod - VARHDRSZ is precision << 16 | scale */
			return ((newmod - VARHDRSZ) & 0xFFFF) == ((oldmod - VARHDRSZ) & 0xFFFF) &&
				((newmod - VARHDRSZ) >> 16) >= ((oldmod - VARHDRSZ) >> 16);
		default:
			return false;
	}
}

/*
 * Does ALTER COLUMN column TYPE newtype rewrite the table?  No when the
 * types are the same and the type modifier change keeps the data, or when
 * the old type is binary coercible to the new one and the new one has no
 * modifier (varchar(n) to text).  Unknown when the table, the column or
 * the new type is not in the catalog.  *oldname and *newname get the two
 * types as SQL writes them, when known.
 */
LintRewrite
migrate_lint_type_change(const RangeVar *rv, const char *column, TypeName *newtype,
				 char **oldname, char **newname)
{
	Oid			relid = RangeVarGetRelid(rv, NoLock, true);
	AttrNumber	attnum;
	Oid			oldtypid;
	int32		oldmod;
	Oid			collid;
	Type		tup;
	Oid			newtypid;
	int32		newmod;

	if (!OidIsValid(relid))
		return LINT_REWRITE_UNKNOWN;
	attnum = get_attnum(relid, column);
	if (attnum == InvalidAttrNumber)
		return LINT_REWRITE_UNKNOWN;
	get_atttypetypmodcoll(relid, attnum, &oldtypid, &oldmod, &collid);

	tup = LookupTypeName(NULL, newtype, &newmod, true);
	if (tup == NULL)
		return LINT_REWRITE_UNKNOWN;
	newtypid = typeTypeId(tup);
	ReleaseSysCache(tup);

	*oldname = format_type_with_typemod(oldtypid, oldmod);
	*newname = format_type_with_typemod(newtypid, newmod);
	if (oldtypid == newtypid)
		return typmod_change_keeps_data(oldtypid, oldmod, newmod) ?
			LINT_REWRITE_NO : LINT_REWRITE_YES;
	if (newmod < 0 && IsBinaryCoercible(oldtypid, newtypid))
		return LINT_REWRITE_NO;
	return LINT_REWRITE_YES;
}

/*
 * The column a CHECK expression (raw, or from the catalog) tests with IS
 * NOT NULL, when that is all it does.  Raw trees name the column; catalog
 * trees give its number, returned through *attnum with NULL.
 */
static char *
not_null_test(Node *expr, AttrNumber *attnum)
{
	NullTest   *test;

	*attnum = InvalidAttrNumber;
	if (expr == NULL || !IsA(expr, NullTest))
		return NULL;
	test = (NullTest *) expr;
	if (test->nulltesttype != IS_NOT_NULL || test->argisrow)
		return NULL;
	if (IsA(test->arg, ColumnRef))
	{
		List	   *fields = ((ColumnRef *) test->arg)->fields;

		if (list_length(fields) == 1 && IsA(linitial(fields), String))
			return strVal(linitial(fields));
	}
	else if (IsA(test->arg, Var))
		*attnum = ((Var *) test->arg)->varattno;
	return NULL;
}

/* The column a raw CHECK expression tests with IS NOT NULL, or NULL. */
char *
migrate_lint_not_null_test_column(Node *expr)
{
	AttrNumber	attnum;

	return not_null_test(expr, &attnum);
}

/*
 * Look through the CHECK constraints of relid: with conname, for that
 * constraint (validated or not), returning the column it tests with IS
 * NOT NULL; without, for a validated one testing column attnum.  Returns
 * the column number found, or InvalidAttrNumber.
 */
static AttrNumber
scan_not_null_checks(Oid relid, const char *conname, AttrNumber want)
{
	Relation	rel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	AttrNumber	result = InvalidAttrNumber;

	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, ConstraintRelidTypidNameIndexId, true,
							  NULL, 1, &key);
	while ((tuple = systable_getnext(scan)) != NULL)
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);
		bool		isnull;
		Datum		bin;
		AttrNumber	attnum;

		if (con->contype != CONSTRAINT_CHECK)
			continue;
		if (conname != NULL ? strcmp(NameStr(con->conname), conname) != 0 :
			!con->convalidated)
			continue;
		bin = heap_getattr(tuple, Anum_pg_constraint_conbin,
						   RelationGetDescr(rel), &isnull);
		if (isnull)
			continue;
		(void) not_null_test(stringToNode(TextDatumGetCString(bin)), &attnum);
		if (attnum != InvalidAttrNumber && (conname != NULL || attnum == want))
		{
			result = attnum;
			break;
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return result;
}

/*
 * Is column of rv known to hold no nulls: NOT NULL already, or covered by
 * a validated CHECK (column IS NOT NULL)?  Then SET NOT NULL does not scan.
 */
bool
migrate_lint_column_known_not_null(const RangeVar *rv, const char *column)
{
	Oid			relid = RangeVarGetRelid(rv, NoLock, true);
	HeapTuple	tuple;
	AttrNumber	attnum;
	bool		notnull;

	if (!OidIsValid(relid))
		return false;
	tuple = SearchSysCacheAttName(relid, column);
	if (!HeapTupleIsValid(tuple))
		return false;
	attnum = ((Form_pg_attribute) GETSTRUCT(tuple))->attnum;
	notnull = ((Form_pg_attribute) GETSTRUCT(tuple))->attnotnull;
	ReleaseSysCache(tuple);
	return notnull || scan_not_null_checks(relid, NULL, attnum) != InvalidAttrNumber;
}

/*
 * The column that constraint conname of rv tests with IS NOT NULL, when
 * it is such a CHECK constraint in the catalog; NULL otherwise.
 */
char *
migrate_lint_check_not_null_column(const RangeVar *rv, const char *conname)
{
	Oid			relid = RangeVarGetRelid(rv, NoLock, true);
	AttrNumber	attnum;

	if (!OidIsValid(relid))
		return NULL;
	attnum = scan_not_null_checks(relid, conname, InvalidAttrNumber);
	return attnum != InvalidAttrNumber ? get_attname(relid, attnum, false) : NULL;
}

/*
 * The columns of index indexname (in the schema of rv, or on the search
 * path) that are not known to hold no nulls: ADD PRIMARY KEY USING INDEX
 * sets them NOT NULL, which reads the whole table.  NIL when the index is
 * not in the catalog.  A List of String.
 */
List *
migrate_lint_index_nullable_columns(const RangeVar *rv, const char *indexname)
{
	RangeVar   *index = makeRangeVar(rv->schemaname, (char *) indexname, -1);
	Oid			indexid = RangeVarGetRelid(index, NoLock, true);
	HeapTuple	tuple;
	Form_pg_index form;
	List	   *result = NIL;
	int			i;

	if (!OidIsValid(indexid))
		return NIL;
	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexid));
	if (!HeapTupleIsValid(tuple))
		return NIL;
	form = (Form_pg_index) GETSTRUCT(tuple);
	for (i = 0; i < form->indnkeyatts; i++)
	{
		AttrNumber	attnum = form->indkey.values[i];
		char	   *attname;
		RangeVar   *table;

		if (attnum <= 0)
			continue;			/* an expression: the constraint refuses it */
		attname = get_attname(form->indrelid, attnum, false);
		table = makeRangeVar(get_namespace_name(get_rel_namespace(form->indrelid)),
							 get_rel_name(form->indrelid), -1);
		if (!migrate_lint_column_known_not_null(table, attname))
			result = lappend(result, makeString(attname));
	}
	ReleaseSysCache(tuple);
	return result;
}
