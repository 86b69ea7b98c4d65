/*-------------------------------------------------------------------------
 *
 * lint.c
 *	  The lint functions: migrate_lint, migrate_lint_file and
 *	  migrate_lint_rules.
 *
 * migrate_lint reads registered revisions from the catalog and lints them
 * oldest first (the order an upgrade from base runs them);
 * migrate_lint_file lints the text of a file without registering it, so
 * it also reports what registration would refuse (transaction control,
 * statements that need a transaction of their own, SQL that does not
 * parse).  Both return every finding: those a "-- lint-ignore:" line of
 * the revision silences come back with silenced = true and the reason.
 *
 * Within a revision findings come header first, then the upgrade section,
 * then the downgrade section, each in statement order.
 *
 * IDENTIFICATION
 *	  src/functions/lint.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "lint/lint.h"

PG_FUNCTION_INFO_V1(migrate_lint);
PG_FUNCTION_INFO_V1(migrate_lint_file);
PG_FUNCTION_INFO_V1(migrate_lint_rules);

#define LINT_COLUMNS 11

static const char *
section_name(MigrateLintSection section)
{
	switch (section)
	{
		case LINT_SECTION_HEADER:
			return "header";
		case LINT_SECTION_UPGRADE:
			return "upgrade";
		case LINT_SECTION_DOWNGRADE:
			return "downgrade";
	}
	return "header";			/* keep compiler quiet */
}

/*
 * Mark the findings whose rule the revision silences, and return the
 * findings to put first: one PM028 per lint-ignore line that silenced
 * nothing.  ignores are "PM003 reason" strings; lines their file lines
 * (NULL or 0 when unknown).
 */
static List *
apply_ignores(List *findings, char **ignores, int nignores, const int *lines)
{
	List	   *header = NIL;
	int			i;

	for (i = 0; i < nignores; i++)
	{
		int			rule = migrate_lint_rule_number(ignores[i], 5);
		const char *reason = ignores[i] + 5;
		bool		used = false;
		ListCell   *lc;

		while (*reason == ' ')
			reason++;
		foreach(lc, findings)
		{
			MigrateLintFinding *f = lfirst(lc);

			if (f->rule == rule)
			{
				f->silenced = true;
				f->reason = pstrdup(reason);
				used = true;
			}
		}
		if (!used && rule != LINT_UNUSED_IGNORE)
		{
			MigrateLintFinding *f = palloc0(sizeof(MigrateLintFinding));

			f->rule = LINT_UNUSED_IGNORE;
			f->section = LINT_SECTION_HEADER;
			f->line = lines ? lines[i] : 0;
			f->message = psprintf("lint-ignore of rule \"%.5s\" silences nothing: the rule reports nothing in this revision",
								  ignores[i]);
			f->hint = pstrdup(migrate_lint_rule(LINT_UNUSED_IGNORE)->safe);
			header = lappend(header, f);
		}
	}

	/* a PM028 line may silence the others' stale-line findings */
	for (i = 0; i < nignores; i++)
	{
		ListCell   *lc;

		if (migrate_lint_rule_number(ignores[i], 5) != LINT_UNUSED_IGNORE)
			continue;
		foreach(lc, header)
		{
			MigrateLintFinding *f = lfirst(lc);
			const char *reason = ignores[i] + 5;

			while (*reason == ' ')
				reason++;
			f->silenced = true;
			f->reason = pstrdup(reason);
		}
	}
	return list_concat(header, findings);
}

/* Put one row per finding into the result. */
static void
put_findings(ReturnSetInfo *rsinfo, const char *revision,
			 const char *file_name, List *findings)
{
	ListCell   *lc;

	foreach(lc, findings)
	{
		MigrateLintFinding *f = lfirst(lc);
		const MigrateLintRule *rule = migrate_lint_rule(f->rule);
		Datum		values[LINT_COLUMNS];
		bool		nulls[LINT_COLUMNS];

		memset(nulls, 0, sizeof(nulls));
		values[0] = CStringGetTextDatum(revision);
		values[1] = CStringGetTextDatum(rule->id);
		values[2] = CStringGetTextDatum(migrate_lint_severity_name(rule->severity));
		values[3] = CStringGetTextDatum(section_name(f->section));
		values[4] = Int32GetDatum(f->statement);
		nulls[4] = f->statement == 0;
		values[5] = Int32GetDatum(f->line);
		nulls[5] = f->line == 0;
		values[6] = CStringGetTextDatum(f->message);
		values[7] = CStringGetTextDatum(f->hint);
		if (file_name != NULL)
			values[8] = CStringGetTextDatum(file_name);
		else
			nulls[8] = true;
		values[9] = BoolGetDatum(f->silenced);
		if (f->reason != NULL)
			values[10] = CStringGetTextDatum(f->reason);
		else
			nulls[10] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/* Lint one registered revision into the result, in a context of its own. */
static void
lint_registered(ReturnSetInfo *rsinfo, const MigrateRevision *rev)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "pg_migrate lint",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	List	   *findings = migrate_lint_revision(rev);

	findings = apply_ignores(findings, rev->lint_ignores, rev->nlint_ignores,
							 NULL);
	put_findings(rsinfo, rev->revision, rev->file_name, findings);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}

/*
 * migrate_lint(revision text DEFAULT NULL)
 *	 RETURNS TABLE (revision text, rule text, severity text, section text,
 *					statement integer, line integer, message text,
 *					hint text, file_name text, silenced boolean,
 *					reason text)
 *
 * One registered revision, or all of them (NULL), oldest first.
 */
Datum
migrate_lint(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrateState state;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	migrate_catalog_load(&state, true, false);
	migrate_catalog_load_lint_ignores(&state);

	if (!PG_ARGISNULL(0))
	{
		char	   *id = text_to_cstring(PG_GETARG_TEXT_PP(0));
		int			node = migrate_graph_find(state.graph, id);

		if (node < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("revision \"%s\" is not registered", id)));
		lint_registered(rsinfo, &state.revs[node]);
	}
	else
	{
		int		   *order = palloc(sizeof(int) * Max(state.nrevs, 1));
		int			n = migrate_graph_history(state.graph, order);
		int			i;

		/* history is newest first */
		for (i = n - 1; i >= 0; i--)
			lint_registered(rsinfo, &state.revs[order[i]]);
	}
	return (Datum) 0;
}

/*
 * migrate_lint_file(name text, content text)
 *	 RETURNS TABLE (same columns as migrate_lint)
 *
 * Lints the text of a revision file without registering it; name is used
 * in messages and as file_name.  A malformed header (an unknown rule in a
 * lint-ignore line, one without a reason) is an error naming file and line.
 */
Datum
migrate_lint_file(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	MigrateRevFile file;
	MigrateRevision rev;
	List	   *findings;
	int		   *lines;
	int			i;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	migrate_parse_revision_text(name, PG_GETARG_TEXT_PP(1), &file, &rev);

	findings = migrate_lint_revision(&rev);
	lines = palloc(sizeof(int) * Max(file.nlint_ignores, 1));
	for (i = 0; i < file.nlint_ignores; i++)
		lines[i] = file.lint_ignores[i].line;
	findings = apply_ignores(findings, rev.lint_ignores, rev.nlint_ignores,
							 lines);
	put_findings(rsinfo, rev.revision, name, findings);
	return (Datum) 0;
}

/*
 * migrate_lint_rules()
 *	 RETURNS TABLE (rule text, severity text, title text, why text,
 *					safe text)
 */
Datum
migrate_lint_rules(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	for (i = 0; i <= MIGRATE_LINT_RULE_COUNT; i++)
	{
		const MigrateLintRule *rule = migrate_lint_rule(i);
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = CStringGetTextDatum(rule->id);
		values[1] = CStringGetTextDatum(migrate_lint_severity_name(rule->severity));
		values[2] = CStringGetTextDatum(rule->title);
		values[3] = CStringGetTextDatum(rule->why);
		values[4] = CStringGetTextDatum(rule->safe);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
