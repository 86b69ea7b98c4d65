/*-------------------------------------------------------------------------
 *
 * lint.c
 *	  The lint verb: report dangerous statements in revision files.
 *
 * The files (those named, or every file of --dir) are parsed locally as
 * for any verb, then each is sent to migrate_lint_file(), which parses its
 * SQL with the server's own parser and looks at the catalog; nothing is
 * registered.  Findings print as compilers print theirs,
 * "file:line: severity: RULE message", each followed by its hint; with -v
 * the findings a "-- lint-ignore:" line silences are shown too.  The exit
 * status is EXIT_LINT when any finding of severity error is not silenced.
 *
 * IDENTIFICATION
 *	  client/lint.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include "common/logging.h"
#include "client.h"

/* Counts over every file, for the summary and the exit status. */
typedef struct LintTotals
{
	int			errors;
	int			warnings;
	int			infos;
	int			silenced;
} LintTotals;

/* Lint one file on the server and print its findings. */
static void
lint_one(PGconn *conn, const RevFileEntry *file, bool verbose,
		 LintTotals *totals)
{
	PGresult   *res;
	char	   *sql;
	const char *params[2];
	int			i;

	sql = psprintf("SELECT severity, rule, line, message, hint, silenced, reason"
				   " FROM %s.migrate_lint_file($1, $2)", ext_schema);
	params[0] = file->path;
	params[1] = file->content;
	res = run_query(conn, sql, 2, params);
	for (i = 0; i < PQntuples(res); i++)
	{
		const char *severity = PQgetvalue(res, i, 0);
		bool		silenced = PQgetvalue(res, i, 5)[0] == 't';

		if (silenced)
		{
			totals->silenced++;
			if (!verbose)
				continue;
		}
		else if (strcmp(severity, "error") == 0)
			totals->errors++;
		else if (strcmp(severity, "warning") == 0)
			totals->warnings++;
		else
			totals->infos++;

		printf("%s:", file->path);
		if (!PQgetisnull(res, i, 2))
			printf("%s:", PQgetvalue(res, i, 2));
		printf(" %s: %s %s", severity, PQgetvalue(res, i, 1),
			   PQgetvalue(res, i, 3));
		if (silenced)
			printf(" (silenced: %s)", PQgetvalue(res, i, 6));
		printf("\n    hint: %s\n", PQgetvalue(res, i, 4));
	}
	PQclear(res);
	pg_free(sql);
}

/*
 * pg_migrate lint [FILE...]
 */
int
verb_lint(const MigrateOptions *opts)
{
	RevFileSet	set;
	PGconn	   *conn;
	LintTotals	totals;
	int			i;

	if (opts->nargs > 0)
		load_named_files(opts->args, opts->nargs, &set);
	else
	{
		load_revision_files(opts->dir, &set);
		if (!set.dir_exists)
		{
			pg_log_error("directory \"%s\" does not exist", opts->dir);
			pg_log_error_hint("Name the files to lint, or the directory with --dir.");
			exit(EXIT_USAGE);
		}
	}

	conn = connect_server(opts, false);
	if (!find_extension(conn))
	{
		pg_log_error("extension \"pg_migrate\" is not installed in database \"%s\"",
					 PQdb(conn));
		pg_log_error_hint("Lint runs in the server: run \"pg_migrate init\", or CREATE EXTENSION pg_migrate.");
		finish_and_exit(conn, EXIT_SQL);
	}

	memset(&totals, 0, sizeof(totals));
	for (i = 0; i < set.nfiles; i++)
		lint_one(conn, &set.files[i], opts->verbose, &totals);
	PQfinish(conn);

	printf("%d file(s): %d error(s), %d warning(s), %d info, %d silenced\n",
		   set.nfiles, totals.errors, totals.warnings, totals.infos,
		   totals.silenced);
	return totals.errors > 0 ? EXIT_LINT : EXIT_OK;
}
