/*-------------------------------------------------------------------------
 *
 * context.c
 *	  What the lint rules know of the section being walked: reporting a
 *	  finding at the current statement and its line, and the relations the
 *	  section created itself.
 *
 * IDENTIFICATION
 *	  src/lint/context.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/makefuncs.h"
#include "nodes/pg_list.h"

#include "lint/lint.h"

/*
 * The line of byte offset in the section: a file line when the file is
 * known, else the line within the section's SQL (1-based).
 */
int
migrate_lint_line_of_offset(const LintSection *sec, int offset)
{
	int			line = migrate_count_lines(sec->sql, offset);

	return sec->first_line > 0 ? sec->first_line + line : line + 1;
}

/*
 * Record a finding of rule at the statement being looked at.  hint NULL
 * means the rule's own advice.
 */
void
migrate_lint_report(LintSection *sec, int rule, const char *hint, const char *fmt,...)
{
	MigrateLintFinding *f = palloc0(sizeof(MigrateLintFinding));
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}

	f->rule = rule;
	f->section = sec->section;
	f->statement = sec->stmtno;
	f->line = sec->line;
	f->message = buf.data;
	f->hint = pstrdup(hint ? hint : migrate_lint_rule(rule)->safe);
	sec->findings = lappend(sec->findings, f);
}

/*
 * Do two relation names mean the same relation?  A name without a schema
 * matches the same name in any schema: the search path decides, and a
 * revision rarely creates two tables of one name.
 */
bool
migrate_lint_same_relation(const RangeVar *a, const RangeVar *b)
{
	if (strcmp(a->relname, b->relname) != 0)
		return false;
	return a->schemaname == NULL || b->schemaname == NULL ||
		strcmp(a->schemaname, b->schemaname) == 0;
}

bool
migrate_lint_in_relations(List *relations, const RangeVar *rv)
{
	ListCell   *lc;

	foreach(lc, relations)
	{
		if (migrate_lint_same_relation(lfirst_node(RangeVar, lc), rv))
			return true;
	}
	return false;
}

/* Was the relation created earlier in this section? */
bool
migrate_lint_is_new(LintSection *sec, const RangeVar *rv)
{
	return rv != NULL && migrate_lint_in_relations(sec->new_relations, rv);
}

/* "schema.name" or "name", for messages. */
const char *
migrate_lint_relname(const RangeVar *rv)
{
	if (rv->schemaname)
		return psprintf("%s.%s", rv->schemaname, rv->relname);
	return rv->relname;
}

/* Is (rv, col) among pairs, a List of two-element Lists (RangeVar, String)? */
bool
migrate_lint_in_columns(List *pairs, const RangeVar *rv, const char *col)
{
	ListCell   *lc;

	foreach(lc, pairs)
	{
		List	   *pair = lfirst_node(List, lc);

		if (migrate_lint_same_relation(linitial_node(RangeVar, pair), rv) &&
			strcmp(strVal(lsecond(pair)), col) == 0)
			return true;
	}
	return false;
}
