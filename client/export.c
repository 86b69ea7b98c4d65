/*-------------------------------------------------------------------------
 *
 * export.c
 *	  "pg_migrate export FORMAT DIR": the registered history as
 *	  golang-migrate or Flyway files.
 *
 * The revisions registered in the server (migrate.revision) are put in
 * one line -- parents and dependencies before children, registration
 * order between revisions that are free to go either way -- and numbered
 * from 1.  golang-migrate gets "{N}_{id}[_{slug}].up.sql" and, where there
 * is a downgrade, ".down.sql"; Flyway gets "V{N}__{id}[_{slug}].sql", an
 * undo script "U{N}__...sql" for the downgrade, and a script configuration
 * "V{N}__...sql.conf" with executeInTransaction=false for a
 * non-transactional revision.  The SQL is written as registered.  Nothing
 * is written when a file exists already.
 *
 * IDENTIFICATION
 *	  client/export.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <fcntl.h>
#include <unistd.h>

#include "common/logging.h"
#include "common/interop.h"
#include "client.h"

typedef struct ExportRev
{
	char	   *id;
	char	  **parents;		/* revises and depends_on */
	int			nparents;
	char	   *message;
	char	   *upgrade;
	char	   *downgrade;		/* NULL when none */
	bool		transactional;
	bool		placed;
} ExportRev;

/* Write text to a new file; exit on failure. */
static void
write_new(const char *path, const char *text)
{
	size_t		len = strlen(text);
	int			fd = open(path, O_WRONLY | O_CREAT | O_EXCL | PG_BINARY, 0666);

	if (fd < 0 || write(fd, text, len) != (ssize_t) len || close(fd) != 0)
	{
		pg_log_error("could not write file \"%s\": %m", path);
		exit(EXIT_OTHER);
	}
}

/* SQL ending with a newline. */
static char *
with_newline(const char *sql)
{
	size_t		len = strlen(sql);

	if (len > 0 && sql[len - 1] != '\n')
		return psprintf("%s\n", sql);
	return pg_strdup(sql);
}

/* Are all of r's parents placed (or unknown, so never to be placed)? */
static bool
ready(const ExportRev *revs, int n, const ExportRev *r)
{
	int			i;
	int			j;

	for (i = 0; i < r->nparents; i++)
		for (j = 0; j < n; j++)
			if (!revs[j].placed && strcmp(revs[j].id, r->parents[i]) == 0)
				return false;
	return true;
}

/* pg_migrate export FORMAT DIR */
int
verb_export(const MigrateOptions *opts)
{
	const char *fmt = opts->args[0];
	const char *dir = opts->args[1];
	MigrateInteropFormat format = migrate_interop_format_from_name(fmt, strlen(fmt));
	PGconn	   *conn;
	PGresult   *res;
	ExportRev  *revs;
	int		   *order;
	char	  **paths;
	char	  **texts;
	int			npaths = 0;
	int			n;
	int			i;
	int			k;
	char	   *dircopy;

	if (format != MIGRATE_INTEROP_GOLANG_MIGRATE && format != MIGRATE_INTEROP_FLYWAY)
	{
		pg_log_error("cannot export to format \"%s\"", fmt);
		pg_log_error_hint("The formats export writes are \"golang-migrate\" and \"flyway\".");
		exit(EXIT_USAGE);
	}
	conn = connect_server(opts, false);
	if (!find_extension(conn))
	{
		pg_log_error("extension \"pg_migrate\" is not installed in database \"%s\"",
					 PQdb(conn));
		finish_and_exit(conn, EXIT_SQL);
	}
	res = run_query(conn,
					"SELECT revision, revises || depends_on, message, upgrade_sql,"
					" downgrade_sql, transactional"
					" FROM migrate.revision ORDER BY seq", 0, NULL);
	n = PQntuples(res);
	if (n == 0)
	{
		pg_log_error("no revisions are registered in database \"%s\"", PQdb(conn));
		finish_and_exit(conn, EXIT_OTHER);
	}
	revs = pg_malloc0(sizeof(ExportRev) * n);
	for (i = 0; i < n; i++)
	{
		ExportRev  *r = &revs[i];
		char	   *arr = PQgetvalue(res, i, 1);

		r->id = pg_strdup(PQgetvalue(res, i, 0));
		/* ids hold no quotes, commas or blanks: "{a,b}" splits plainly */
		if (strlen(arr) > 2)
		{
			char	   *copy = pg_strdup(arr + 1);
			char	   *tok;

			copy[strlen(copy) - 1] = '\0';
			r->parents = pg_malloc(sizeof(char *) * (strlen(copy) / 2 + 2));
			for (tok = strtok(copy, ","); tok; tok = strtok(NULL, ","))
				r->parents[r->nparents++] = tok;
		}
		r->message = pg_strdup(PQgetvalue(res, i, 2));
		r->upgrade = with_newline(PQgetvalue(res, i, 3));
		r->downgrade = PQgetisnull(res, i, 4) ? NULL :
			with_newline(PQgetvalue(res, i, 4));
		r->transactional = PQgetvalue(res, i, 5)[0] == 't';
	}
	PQclear(res);
	PQfinish(conn);

	/* one line: the first ready revision in registration order, each time */
	order = pg_malloc(sizeof(int) * n);
	for (k = 0; k < n; k++)
	{
		for (i = 0; i < n; i++)
			if (!revs[i].placed && ready(revs, n, &revs[i]))
				break;
		if (i == n)
		{
			pg_log_error("the registered revisions form a cycle");
			exit(EXIT_OTHER);
		}
		revs[i].placed = true;
		order[k] = i;
	}

	/* every path first, so that nothing is written when one exists */
	paths = pg_malloc(sizeof(char *) * n * 3);
	texts = pg_malloc(sizeof(char *) * n * 3);
	for (k = 0; k < n; k++)
	{
		ExportRev  *r = &revs[order[k]];
		char	   *slug = slugify(r->message);
		char	   *name = slug[0] ? psprintf("%s_%s", r->id, slug) : pg_strdup(r->id);

		if (format == MIGRATE_INTEROP_GOLANG_MIGRATE)
		{
			paths[npaths] = psprintf("%s/%06d_%s.up.sql", dir, k + 1, name);
			texts[npaths++] = r->upgrade;
			if (r->downgrade != NULL)
			{
				paths[npaths] = psprintf("%s/%06d_%s.down.sql", dir, k + 1, name);
				texts[npaths++] = r->downgrade;
			}
		}
		else
		{
			paths[npaths] = psprintf("%s/V%d__%s.sql", dir, k + 1, name);
			texts[npaths++] = r->upgrade;
			if (!r->transactional)
			{
				paths[npaths] = psprintf("%s/V%d__%s.sql.conf", dir, k + 1, name);
				texts[npaths++] = "executeInTransaction=false\n";
			}
			if (r->downgrade != NULL)
			{
				paths[npaths] = psprintf("%s/U%d__%s.sql", dir, k + 1, name);
				texts[npaths++] = r->downgrade;
			}
		}
	}
	for (i = 0; i < npaths; i++)
		if (access(paths[i], F_OK) == 0)
		{
			pg_log_error("file \"%s\" exists already; nothing was written", paths[i]);
			pg_log_error_hint("Export into an empty directory.");
			exit(EXIT_OTHER);
		}
	dircopy = pg_strdup(dir);
	if (pg_mkdir_p(dircopy, 0777) != 0 && errno != EEXIST)
	{
		pg_log_error("could not create directory \"%s\": %m", dir);
		exit(EXIT_OTHER);
	}
	for (i = 0; i < npaths; i++)
	{
		write_new(paths[i], texts[i]);
		printf("%s\n", paths[i]);
	}
	printf("exported %d revision(s) as %s files into \"%s\"\n", n, fmt, dir);
	return EXIT_OK;
}
