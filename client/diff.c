/*-------------------------------------------------------------------------
 *
 * diff.c
 *	  pg_migrate diff FROM TO, and check --schema-dir: the SQL between two
 *	  schemas, each a live database, a declared schema, or the revisions
 *	  applied up to a target.
 *
 * A declared schema or a revision target is built in a scratch database
 * (schema.c); the two snapshots are compared by the pure C of
 * src/common/schemadiff.c.
 *
 * IDENTIFICATION
 *	  client/diff.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/logging.h"
#include "common/schemadiff.h"
#include "client.h"

/* The server scratch databases are made on: --dev-url, or the -d one. */
PGconn *
diff_admin_connection(const MigrateOptions *opts)
{
	PGconn	   *conn;

	if (opts->dev_url == NULL)
		return connect_server(opts, false);
	conn = PQconnectdb(opts->dev_url);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		pg_log_error("could not connect to --dev-url: %s", PQerrorMessage(conn));
		exit(EXIT_CONNECT);
	}
	return conn;
}

/*
 * Apply the revisions of --dir up to target in a new scratch database, as
 * "pg_migrate upgrade" would (non-transactional revisions included), its
 * progress lines kept off standard output.
 */
PGconn *
scratch_at_revision(PGconn *admin, const char *target,
					const MigrateOptions *opts, char **conninfo)
{
	PGconn	   *conn = scratch_create(admin, conninfo);
	PGresult   *res;
	MigrateOptions sub = *opts;
	char	   *args[1];
	int			saved;
	int			devnull;
	int			rc;

	res = PQexec(conn, "CREATE EXTENSION pg_migrate");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		pg_log_error("could not create extension \"pg_migrate\" in a scratch database: %s",
					 PQresultErrorMessage(res));
		pg_log_error_hint("Building revisions needs the extension installed on the server that holds the scratch databases.");
		exit(EXIT_SQL);
	}
	PQclear(res);
	PQfinish(conn);

	sub.dbname = *conninfo;
	sub.host = sub.port = sub.username = NULL;
	args[0] = (char *) target;
	sub.args = args;
	sub.nargs = 1;
	sub.sql_only = false;
	sub.resume = false;
	sub.per_revision = false;
	fflush(stdout);
	saved = dup(fileno(stdout));
	devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, fileno(stdout));
	rc = verb_upgrade(&sub);
	fflush(stdout);
	dup2(saved, fileno(stdout));
	close(saved);
	close(devnull);
	if (rc != EXIT_OK)
		exit(rc);

	conn = PQconnectdb(*conninfo);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		pg_log_error("could not connect to a scratch database: %s", PQerrorMessage(conn));
		exit(EXIT_CONNECT);
	}
	scratch_analyze(conn);
	return conn;
}

/*
 * The snapshot one side of a diff names: a connection string or URI, a
 * declared schema (a directory or an .sql file), or a revision target.
 */
MigrateSchemaSnapshot *
side_snapshot(const char *spec, PGconn *admin, const MigrateOptions *opts)
{
	struct stat st;
	PGconn	   *conn;
	char	   *conninfo;
	MigrateSchemaSnapshot *snap;

	if (is_conninfo(spec))
	{
		conn = PQconnectdb(spec);
		if (PQstatus(conn) != CONNECTION_OK)
		{
			pg_log_error("could not connect to \"%s\": %s", spec, PQerrorMessage(conn));
			exit(EXIT_CONNECT);
		}
	}
	else if (stat(spec, &st) == 0)
	{
		conn = scratch_create(admin, &conninfo);
		schema_load_declared(conn, spec);
	}
	else
		conn = scratch_at_revision(admin, spec, opts, &conninfo);
	snap = schema_snapshot(conn, opts);
	PQfinish(conn);
	return snap;
}

/*
 * Print diff as a script.  Statements that lose data are commented out
 * unless allowed; the non-transactional ones come after the transaction.
 * Returns how many were withheld (data loss not allowed, or unsupported).
 */
int
print_diff_script(FILE *out, const MigrateDiff *diff, bool allow_data_loss,
				  bool in_transaction)
{
	int			withheld = 0;
	bool		functions = false;
	bool		any_tx = false;
	int			pass;
	int			i;

	for (i = 0; i < diff->nstmts; i++)
	{
		if (strncmp(diff->stmts[i].sql, "CREATE OR REPLACE FUNCTION", 26) == 0 ||
			strncmp(diff->stmts[i].sql, "CREATE OR REPLACE PROCEDURE", 27) == 0)
			functions = true;
		if (!diff->stmts[i].nontransactional)
			any_tx = true;
	}
	if (in_transaction && any_tx)
		fprintf(out, "BEGIN;\n\n");
	if (functions)
		fprintf(out, "-- function bodies are checked when they run, not before every object they use exists\nSET LOCAL check_function_bodies = off;\n\n");
	for (pass = 0; pass < 2; pass++)
	{
		for (i = 0; i < diff->nstmts; i++)
		{
			const MigrateDiffStatement *s = &diff->stmts[i];

			if (s->nontransactional != (pass == 1))
				continue;
			if (s->note)
				fprintf(out, "%s\n", s->note);
			if (s->unsupported)
			{
				fprintf(out, "%s\n\n", s->sql);
				withheld++;
			}
			else if (s->data_loss && !allow_data_loss)
			{
				const char *p;

				fprintf(out, "-- loses data; left out without --allow-data-loss:\n-- ");
				for (p = s->sql; *p; p++)
				{
					fputc(*p, out);
					if (*p == '\n' && p[1] != '\0')
						fputs("-- ", out);
				}
				fprintf(out, "\n\n");
				withheld++;
			}
			else
				fprintf(out, "%s\n\n", s->sql);
		}
		if (pass == 0 && in_transaction && any_tx)
			fprintf(out, "COMMIT;\n\n");
	}
	return withheld;
}

/* The options of the diff from the command line. */
MigrateDiffOptions *
diff_options(const MigrateOptions *opts)
{
	MigrateDiffOptions *d = pg_malloc0(sizeof(MigrateDiffOptions));
	int			i;

	d->concurrently = opts->concurrently;
	d->nrenames = opts->nrenames;
	d->rename_from = pg_malloc0(sizeof(char *) * (opts->nrenames + 1));
	d->rename_to = pg_malloc0(sizeof(char *) * (opts->nrenames + 1));
	for (i = 0; i < opts->nrenames; i++)
	{
		const char *eq = strchr(opts->renames[i], '=');

		if (eq == NULL || eq == opts->renames[i] || eq[1] == '\0')
		{
			pg_log_error("invalid --rename \"%s\"", opts->renames[i]);
			pg_log_error_hint("Write --rename OLD=NEW, a table (schema.table) or a column (schema.table.column).");
			exit(EXIT_USAGE);
		}
		d->rename_from[i] = pnstrdup(opts->renames[i], eq - opts->renames[i]);
		d->rename_to[i] = pstrdup(eq + 1);
	}
	return d;
}

/*
 * diff FROM TO: print the SQL that turns FROM's schema into TO's.
 * Exit 0: no differences; 10: differences, all printed as runnable SQL;
 * 11: some left out (data loss without --allow-data-loss, or something no
 * statement can do).
 */
int
verb_diff(const MigrateOptions *opts)
{
	PGconn	   *admin = diff_admin_connection(opts);
	MigrateSchemaSnapshot *from = side_snapshot(opts->args[0], admin, opts);
	MigrateSchemaSnapshot *to = side_snapshot(opts->args[1], admin, opts);
	MigrateDiff *diff = migrate_schema_diff(from, to, diff_options(opts));
	int			withheld;

	PQfinish(admin);
	if (diff->nstmts == 0)
	{
		fprintf(stderr, "pg_migrate: no differences\n");
		return EXIT_OK;
	}
	withheld = print_diff_script(stdout, diff, opts->allow_data_loss, true);
	if (withheld > 0)
	{
		pg_log_warning("%d statement%s left out: %s", withheld, withheld == 1 ? "" : "s",
					   diff->nunsupported > 0 ? "see the comments in the script" :
					   "they lose data");
		return EXIT_DATA_LOSS;
	}
	return EXIT_DIFFERENCES;
}

/*
 * check --schema-dir DIR: the revisions applied up to head, in a scratch
 * database, against the declared schema.  Exits EXIT_SCHEMA_DIFFERS and
 * prints the SQL that would close the gap when they differ.
 */
int
verb_check_schema(const MigrateOptions *opts)
{
	PGconn	   *admin = diff_admin_connection(opts);
	char	   *conninfo;
	PGconn	   *head = scratch_at_revision(admin, opts->nargs > 0 ? opts->args[0] : "heads",
										   opts, &conninfo);
	MigrateSchemaSnapshot *at_head = schema_snapshot(head, opts);
	MigrateSchemaSnapshot *declared;
	MigrateDiff *diff;

	PQfinish(head);
	declared = side_snapshot(opts->schema_dir, admin, opts);
	PQfinish(admin);
	diff = migrate_schema_diff(at_head, declared, diff_options(opts));
	if (diff->nstmts == 0)
	{
		printf("The revisions at head match the declared schema in \"%s\".\n", opts->schema_dir);
		return EXIT_OK;
	}
	pg_log_error("the revisions at head differ from the declared schema in \"%s\"", opts->schema_dir);
	pg_log_error_hint("Generate a revision for the difference: pg_migrate revision --autogenerate -m MESSAGE --schema-dir %s", opts->schema_dir);
	(void) print_diff_script(stdout, diff, true, true);
	return EXIT_SCHEMA_DIFFERS;
}
