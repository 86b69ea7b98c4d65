/*-------------------------------------------------------------------------
 *
 * session.c
 *	  Opening a session for a verb: connect, find the extension, begin a
 *	  transaction and register the revision files in it; and the history
 *	  as the server reports it, which several verbs read.
 *
 * IDENTIFICATION
 *	  client/session.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include "common/logging.h"
#include "client.h"
#include "pqexpbuffer.h"

/* --all-databases, --databases: a database without the extension is skipped */
bool		fleet_skip_missing = false;

/*
 * The files were registered and committed once for the whole run (--scopes
 * does so before it starts the runs of the tenant schemas): a session
 * sends them no more.
 */
bool		files_registered = false;

/*
 * Look up the schema holding the extension's functions, so that queries
 * name them whatever the search_path.  False if it is not installed.
 */
bool
find_extension(PGconn *conn)
{
	PGresult   *res;
	const char *version;

	/*
	 * One table, and no join or subquery: this is every run's first query,
	 * and each catalog a query touches is a cache miss in a new session.
	 * regnamespace prints the schema quoted where needed.
	 */
	res = run_query(conn,
					"SELECT e.extnamespace::pg_catalog.regnamespace::pg_catalog.text,"
					" e.extversion, pg_catalog.pg_is_in_recovery(),"
					" pg_catalog.has_function_privilege(pg_catalog.format("
					"  '%s.migrate_add_file(pg_catalog.text, pg_catalog.text)',"
					"  e.extnamespace::pg_catalog.regnamespace), 'EXECUTE')"
					" FROM pg_catalog.pg_extension e"
					" WHERE e.extname OPERATOR(pg_catalog.=) 'pg_migrate'", 0, NULL);
	if (PQntuples(res) == 0)
	{
		PQclear(res);
		/* --all-databases, --databases: such a database is skipped */
		if (fleet_skip_missing)
			finish_and_exit(conn, EXIT_FLEET_SKIP);
		return false;
	}
	ext_schema = pg_strdup(PQgetvalue(res, 0, 0));
	version = PQgetvalue(res, 0, 1);
	ext_has_sync = strcmp(version, "0.1") != 0;
	ext_has_prune = ext_has_sync && strcmp(version, "0.2") != 0;
	server_in_recovery = PQgetvalue(res, 0, 2)[0] == 't';
	ext_can_register = PQgetvalue(res, 0, 3)[0] == 't';
	PQclear(res);
	return true;
}

/*
 * A role that may read but not register (a monitoring role) reports what
 * the server has registered: say so when the files hold revisions the
 * server lacks, which those reports cannot count.
 */
static void
warn_unregistered(PGconn *conn, RevFileSet *set)
{
	PQExpBufferData ids;
	PGresult   *res;
	char	   *sql;
	const char *params[1];
	int			missing;
	int			i;

	ensure_parsed(set);
	initPQExpBuffer(&ids);
	appendPQExpBufferChar(&ids, '{');
	/* revision ids are letters, digits, '_' and '-': no quoting needed */
	for (i = 0; i < set->nfiles; i++)
		appendPQExpBuffer(&ids, "%s%s", i > 0 ? "," : "",
						  set->files[i].rev.revision);
	appendPQExpBufferChar(&ids, '}');
	params[0] = ids.data;
	sql = psprintf("SELECT pg_catalog.count(*) FROM pg_catalog.unnest($1::pg_catalog.text[]) AS f(id)"
				   " WHERE f.id OPERATOR(pg_catalog.<>) ALL"
				   " (ARRAY(SELECT h.revision FROM %s.migrate_history() h))",
				   ext_schema);
	res = run_query(conn, sql, 1, params);
	missing = atoi(PQgetvalue(res, 0, 0));
	if (missing > 0)
	{
		pg_log_warning("%d revision file(s) in \"%s\" are not registered, and role \"%s\" cannot register them",
					   missing, set->check_dir ? set->check_dir : ".", PQuser(conn));
		pg_log_warning_detail("What follows counts only the revisions the server has registered.");
		pg_log_warning_hint("Run \"pg_migrate upgrade\" as a role that may register revisions, such as the migrator.");
	}
	PQclear(res);
	pg_free(sql);
	termPQExpBuffer(&ids);
}

/*
 * Connect, check for the extension, open a transaction and register the
 * revision files in it (not on a standby, nor for a role that may not
 * register: a monitoring role reads what is registered).  The caller
 * commits or rolls back.
 */
PGconn *
open_session(const MigrateOptions *opts, RevFileSet *set)
{
	PGconn	   *conn = connect_server(opts, false);

	if (!find_extension(conn))
	{
		pg_log_error("extension \"pg_migrate\" is not installed in database \"%s\"",
					 PQdb(conn));
		pg_log_error_hint("If \"%s\" is the application's database, run \"pg_migrate --dbname=%s --dir=%s init\" to create the extension there; otherwise name the right database with --dbname or PGDATABASE.",
						  PQdb(conn), PQdb(conn), opts->dir);
		finish_and_exit(conn, EXIT_SQL);
	}
	run_command(conn, "BEGIN");

	/*
	 * A standby cannot register files: it shows what the primary registered
	 * as far as replay has gone, which is what wait and status report there.
	 * A verb that migrates fails in the server with its own message.  A run
	 * over tenant schemas registered the files once already.
	 */
	if (server_in_recovery || files_registered)
		return conn;
	if (ext_can_register)
		send_revision_files(conn, set);
	else if (set->nfiles > 0)
		warn_unregistered(conn, set);
	return conn;
}

/* Fetch migrate_history(), or migrate_history(range) when range is set. */
RevInfo *
fetch_history(PGconn *conn, const char *range, int *n)
{
	PGresult   *res;
	RevInfo    *revs;
	char	   *sql;
	int			i;

	sql = psprintf("SELECT revision,"
				   " pg_catalog.array_to_string(revises, ' '),"
				   " pg_catalog.array_to_string(depends_on, ' '),"
				   " pg_catalog.array_to_string(branch_labels, ' '),"
				   " message, is_head, is_branch_point, is_merge_point,"
				   " is_current, applied, applied_at, file_name"
				   " FROM %s.migrate_history(%s)",
				   ext_schema, range ? "$1" : "");
	res = run_query(conn, sql, range ? 1 : 0, &range);
	*n = PQntuples(res);
	revs = pg_malloc0(sizeof(RevInfo) * (*n + 1));
	for (i = 0; i < *n; i++)
	{
		RevInfo    *r = &revs[i];

		r->id = pg_strdup(PQgetvalue(res, i, 0));
		r->nrevises = split_words(PQgetvalue(res, i, 1), &r->revises);
		r->ndepends_on = split_words(PQgetvalue(res, i, 2), &r->depends_on);
		r->nlabels = split_words(PQgetvalue(res, i, 3), &r->labels);
		r->message = pg_strdup(PQgetvalue(res, i, 4));
		r->is_head = PQgetvalue(res, i, 5)[0] == 't';
		r->is_branch_point = PQgetvalue(res, i, 6)[0] == 't';
		r->is_merge_point = PQgetvalue(res, i, 7)[0] == 't';
		r->is_current = PQgetvalue(res, i, 8)[0] == 't';
		r->applied = PQgetvalue(res, i, 9)[0] == 't';
		r->applied_at = PQgetisnull(res, i, 10) ? NULL :
			pg_strdup(PQgetvalue(res, i, 10));
		r->file_name = PQgetisnull(res, i, 11) ? NULL :
			pg_strdup(PQgetvalue(res, i, 11));
	}
	PQclear(res);
	pg_free(sql);
	return revs;
}

/*
 * Register the revision files and commit, once for a run over many tenant
 * schemas: each scope's session then only migrates, and the scopes' runs
 * (with -j, several at once) do not queue for the migration lock that
 * registration takes.
 */
void
register_files_once(const MigrateOptions *opts)
{
	RevFileSet	set;
	PGconn	   *conn;

	read_revision_files(opts->dir, &set);
	conn = open_session(opts, &set);
	record_sync(conn, &set);
	run_command(conn, "COMMIT");
	PQfinish(conn);
	files_registered = true;
}
