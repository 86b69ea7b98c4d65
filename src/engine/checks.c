/*-------------------------------------------------------------------------
 *
 * checks.c
 *	  Checks of a call's arguments and of a plan, made before anything
 *	  runs: a target, an operation, steps that cannot run in the server.
 *
 * IDENTIFICATION
 *	  src/engine/checks.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "pg_migrate.h"

/*
 * Refuse a plan before anything runs if any step cannot run here: a
 * non-transactional revision, or a downgrade without downgrade SQL.
 */
void
migrate_check_steps(const MigrateState *state, const MigratePlan *plan,
					bool upgrade)
{
	int			i;

	for (i = 0; i < plan->nsteps; i++)
	{
		const MigrateRevision *rev = &state->revs[plan->steps[i]];

		/* a step whose SQL is for the other kind of run runs nothing */
		if (!migrate_scope_runs(rev))
			continue;
		if (!rev->transactional)
			ereport(ERROR,
					(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
					 errmsg("revision \"%s\" cannot run inside a transaction block",
							rev->revision),
					 errdetail("The revision is marked \"transactional: false\"."),
					 migrate_scope() != NULL ?
					 errhint("Apply it with the pg_migrate client and --scope or --scopes, which runs such revisions outside a transaction block.") :
					 errhint("Apply it with the pg_migrate client, which runs such revisions outside a transaction block.")));
		if (!upgrade && !rev->has_downgrade)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision \"%s\" cannot be downgraded", rev->revision),
					 rev->file_name ?
					 errdetail("File \"%s\" has no \"-- migrate:downgrade\" section.",
							   rev->file_name) :
					 errdetail("It was registered without downgrade SQL."),
					 errhint("Add a downgrade section and register the revision again, or stamp past it.")));
	}
}

/*
 * Refuse an empty or blank target, or one with an empty side of "@",
 * outright: an unset variable in a deploy script ("", "$BRANCH@") must not
 * read as "base" or as nothing to do.
 */
void
migrate_check_target(const char *target)
{
	const char *p;
	const char *at = strchr(target, '@');
	bool		blank = true;

	for (p = target; *p; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			blank = false;
	if (blank)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("target must not be empty"),
				 errhint("Name a revision, or use \"head\", \"heads\" or \"base\".")));
	if (at != NULL && (at == target || at[1] == '\0'))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid target \"%s\"", target),
				 errdetail("A branch target has a branch label before \"@\" and a revision, \"head\" or \"base\" after it.")));
}

/*
 * "upgrade" is true, "downgrade" false; anything else is an error.
 */
bool
migrate_parse_operation(const char *operation)
{
	if (strcmp(operation, "upgrade") == 0)
		return true;
	if (strcmp(operation, "downgrade") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid operation \"%s\"", operation),
				 errhint("Use \"upgrade\" or \"downgrade\".")));
	return false;
}
