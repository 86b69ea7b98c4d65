/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  The verify and explain verbs: run the pending revisions on trial in
 *	  the server (migrate_verify, migrate_explain), which rolls everything
 *	  back, and print what they found.
 *
 * Both register the revision files inside their transaction and roll it
 * back at the end, as the report verbs do: nothing is left behind.
 *
 * IDENTIFICATION
 *	  client/verify.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include "common/logging.h"
#include "pqexpbuffer.h"
#include "client.h"

/* Open a session with the files registered and step notices off. */
static PGconn *
trial_session(const MigrateOptions *opts)
{
	RevFileSet	set;
	PGconn	   *conn;

	load_revision_files(opts->dir, &set);
	conn = open_session(opts, &set);
	run_command(conn, "SET LOCAL pg_migrate.notice_steps = off");
	return conn;
}

/*
 * verify [TARGET] [--strict]: one line per revision an upgrade to TARGET
 * (default heads) would apply, with the differences of an irreversible
 * one indented below it.  Fails with EXIT_UNVERIFIED when a revision is
 * irreversible or fails, and with --strict also when one has no downgrade
 * or could not be checked (non-transactional); otherwise those are
 * warnings.
 */
int
verb_verify(const MigrateOptions *opts)
{
	const char *target = opts->nargs > 0 ? opts->args[0] : "heads";
	PGconn	   *conn = trial_session(opts);
	PGresult   *res;
	char	   *sql;
	int			bad = 0;
	int			warned = 0;
	int			n;
	int			i;

	sql = psprintf("SELECT step, revision, status, error,"
				   " pg_catalog.array_to_string(differences, E'\\n')"
				   " FROM %s.migrate_verify($1)", ext_schema);
	res = run_query(conn, sql, 1, &target);
	n = PQntuples(res);
	if (n == 0)
		printf("nothing to verify: no revision is pending\n");
	for (i = 0; i < n; i++)
	{
		const char *status = PQgetvalue(res, i, 2);
		const char *error = PQgetvalue(res, i, 3);
		const char *diffs = PQgetvalue(res, i, 4);

		printf("%s/%d %s: %s%s%s\n", PQgetvalue(res, i, 0), n,
			   PQgetvalue(res, i, 1), status,
			   error[0] ? ": " : "", error);
		if (diffs[0])
		{
			const char *p = diffs;

			while (*p)
			{
				const char *eol = strchr(p, '\n');
				int			len = eol ? (int) (eol - p) : (int) strlen(p);

				printf("    %.*s\n", len, p);
				p += len + (eol ? 1 : 0);
			}
		}
		if (strcmp(status, "irreversible") == 0 || strcmp(status, "fails") == 0)
			bad++;
		else if (strcmp(status, "no downgrade") == 0 ||
				 strcmp(status, "skipped") == 0)
			warned++;
	}
	PQclear(res);
	run_command(conn, "ROLLBACK");
	PQfinish(conn);

	if (bad > 0 || (opts->strict && warned > 0))
	{
		pg_log_error("%d of %d revisions did not pass verification",
					 bad + (opts->strict ? warned : 0), n);
		return EXIT_UNVERIFIED;
	}
	if (warned > 0)
		pg_log_warning("%d of %d revisions could not be verified fully (no downgrade, or not transactional)",
					   warned, n);
	return EXIT_OK;
}

/*
 * explain [TARGET]: a table of the statements an upgrade to TARGET would
 * run, the relation locks each takes and the relations it rewrites, with
 * their size (for a rewritten one, the size of what was rewritten).
 */
int
verb_explain(const MigrateOptions *opts)
{
	static const char *const heads[] = {
		"step", "revision", "stmt", "line", "command", "relation", "lock",
		"size", "rewrite"
	};
	const int	ncols = lengthof(heads);
	const char *target = opts->nargs > 0 ? opts->args[0] : "heads";
	PGconn	   *conn = trial_session(opts);
	PGresult   *res;
	char	   *sql;
	int			width[lengthof(heads)];
	int			n;
	int			i;
	int			c;

	sql = psprintf("SELECT step::text, revision, statement::text, line::text,"
				   " command,"
				   " COALESCE(relation || CASE WHEN new_relation THEN ' (new)' ELSE '' END, '-'),"
				   " COALESCE(pg_catalog.upper(pg_catalog.regexp_replace("
				   "   pg_catalog.regexp_replace(lock_mode, 'Lock$', ''),"
				   "   '([a-z])([A-Z])', '\\1 \\2', 'g')), '-'),"
				   " COALESCE(pg_catalog.pg_size_pretty(size_bytes), ''),"
				   " CASE WHEN rewritten THEN 'rewritten' ELSE '' END"
				   " FROM %s.migrate_explain($1)", ext_schema);
	res = run_query(conn, sql, 1, &target);
	n = PQntuples(res);
	if (n == 0)
		printf("nothing to explain: no revision is pending\n");
	else
	{
		for (c = 0; c < ncols; c++)
		{
			width[c] = strlen(heads[c]);
			for (i = 0; i < n; i++)
				width[c] = Max(width[c], (int) strlen(PQgetvalue(res, i, c)));
		}
		for (i = -1; i < n; i++)
		{
			PQExpBufferData line;

			initPQExpBuffer(&line);
			for (c = 0; c < ncols; c++)
				appendPQExpBuffer(&line, "%-*s  ", width[c],
								  i < 0 ? heads[c] : PQgetvalue(res, i, c));
			while (line.len > 0 && line.data[line.len - 1] == ' ')
				line.data[--line.len] = '\0';
			printf("%s\n", line.data);
			termPQExpBuffer(&line);
		}
	}
	PQclear(res);
	run_command(conn, "ROLLBACK");
	PQfinish(conn);
	return EXIT_OK;
}
