/*-------------------------------------------------------------------------
 *
 * integrity.c
 *	  The verbs that settle what blocks migrations: repair (accept the
 *	  edited SQL of an applied revision), resolve (say what became of a
 *	  non-transactional revision that stopped half-way) and remove
 *	  (unregister a revision that should not be applied).
 *
 * repair and resolve register the directory's files first, in the same
 * transaction, so that repair accepts the SQL the file holds now.  remove
 * does not: the sync would register the revision again if its file is
 * there, and unregister it already if its file is gone.
 *
 * IDENTIFICATION
 *	  client/integrity.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include "common/logging.h"
#include "client.h"

/* repair REV: accept the registered SQL of a drifted applied revision. */
int
verb_repair(const MigrateOptions *opts)
{
	RevFileSet	set;
	PGconn	   *conn;
	PGresult   *res;
	char	   *sql;

	load_revision_files(opts->dir, &set);
	conn = open_session(opts, &set);
	sql = psprintf("SELECT %s.migrate_repair($1)", ext_schema);
	res = run_query(conn, sql, 1, (const char *const *) &opts->args[0]);
	run_command(conn, "COMMIT");
	printf("repaired: %s (checksum %s)\n", opts->args[0], PQgetvalue(res, 0, 0));
	PQclear(res);
	pg_free(sql);
	PQfinish(conn);
	return EXIT_OK;
}

/* resolve REV applied|not-applied: settle an interrupted revision. */
int
verb_resolve(const MigrateOptions *opts)
{
	RevFileSet	set;
	PGconn	   *conn;
	PGresult   *res;
	char	   *sql;
	const char *params[3];

	if (strcmp(opts->args[1], "applied") != 0 &&
		strcmp(opts->args[1], "not-applied") != 0)
	{
		pg_log_error("invalid outcome \"%s\"", opts->args[1]);
		pg_log_error_hint("Use \"applied\" or \"not-applied\".");
		exit(EXIT_USAGE);
	}
	load_revision_files(opts->dir, &set);
	conn = open_session(opts, &set);
	params[0] = opts->args[0];
	params[1] = opts->args[1];
	params[2] = opts->scope;
	/* --scope: the step left interrupted in that tenant schema */
	sql = psprintf("SELECT %s.migrate_resolve($1, $2%s)", ext_schema,
				   opts->scope ? ", $3" : "");
	res = run_query(conn, sql, opts->scope ? 3 : 2, params);
	run_command(conn, "COMMIT");
	if (opts->scope)
		printf("scope \"%s\": ", opts->scope);
	printf("resolved: %s %s\n", opts->args[0], PQgetvalue(res, 0, 0));
	PQclear(res);
	pg_free(sql);
	PQfinish(conn);
	return EXIT_OK;
}

/*
 * remove REV: unregister a revision that is not applied and that no other
 * registered revision revises or depends on (migrate_remove, which refuses
 * the others with its own message).  A revision whose file is still in the
 * directory is refused: the next command would register it again.
 */
int
verb_remove(const MigrateOptions *opts)
{
	const char *rev = opts->args[0];
	RevFileSet	files;
	RevFileSet	none;
	PGconn	   *conn;
	PGresult   *res;
	char	   *sql;
	int			i;

	/* broken files do not matter here: only the one defining rev does */
	read_revision_files_tolerant(opts->dir, &files);
	ensure_parsed(&files);
	for (i = 0; i < files.nfiles; i++)
	{
		const RevFileEntry *e = &files.files[i];

		if (!e->broken && e->rev.revision != NULL &&
			strcmp(e->rev.revision, rev) == 0)
		{
			pg_log_error("revision \"%s\" is still defined by file \"%s\"",
						 rev, e->path);
			pg_log_error_hint("Delete the file first: the next command would register the revision again.");
			exit(EXIT_OTHER);
		}
	}

	memset(&none, 0, sizeof(none));
	conn = open_session(opts, &none);
	sql = psprintf("SELECT %s.migrate_remove($1)", ext_schema);
	res = run_query(conn, sql, 1, &rev);
	if (PQgetvalue(res, 0, 0)[0] != 't')
	{
		pg_log_error("revision \"%s\" does not exist", rev);
		pg_log_error_hint("Give the full revision id, as \"pg_migrate history\" lists it.");
		finish_and_exit(conn, EXIT_UNKNOWN_REVISION);
	}
	run_command(conn, "COMMIT");
	printf("removed: %s\n", rev);
	PQclear(res);
	pg_free(sql);
	PQfinish(conn);
	return EXIT_OK;
}
