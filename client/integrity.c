/*-------------------------------------------------------------------------
 *
 * integrity.c
 *	  The verbs that settle what blocks migrations: repair (accept the
 *	  edited SQL of an applied revision) and resolve (say what became of a
 *	  non-transactional revision that stopped half-way).
 *
 * Both register the directory's files first, in the same transaction, so
 * that repair accepts the SQL the file holds now.
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
	const char *params[2];

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
	sql = psprintf("SELECT %s.migrate_resolve($1, $2)", ext_schema);
	res = run_query(conn, sql, 2, params);
	run_command(conn, "COMMIT");
	printf("resolved: %s %s\n", opts->args[0], PQgetvalue(res, 0, 0));
	PQclear(res);
	pg_free(sql);
	PQfinish(conn);
	return EXIT_OK;
}
