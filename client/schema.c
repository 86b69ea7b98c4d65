/*-------------------------------------------------------------------------
 *
 * schema.c
 *	  Schema snapshots for autogenerate: reading one from a database,
 *	  scratch databases, and loading a declared schema into one.
 *
 * A scratch database is created from template0 on the server the client
 * is connected to (or on --dev-url), and always dropped: at exit, after an
 * error, Ctrl-C or SIGTERM as well, by an atexit handler that connects
 * again.  Its name starts with "pg_migrate_scratch_" and carries the
 * client's process id, so that one left by a client killed outright
 * (SIGKILL) is easy to find.
 *
 * IDENTIFICATION
 *	  client/schema.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/logging.h"
#include "common/schemasnap.h"
#include "lib/stringinfo.h"
#include "client.h"

/* the scratch databases this process made, and how to reach the server */
static char **scratch_names = NULL;
static int	nscratch = 0;
static char *scratch_admin = NULL;

/*
 * The connection string of conn's server and user, for database dbname:
 * every parameter the connection used, the database replaced.
 */
char *
conninfo_of_connection(PGconn *conn, const char *dbname)
{
	PQconninfoOption *opts = PQconninfo(conn);
	PQconninfoOption *o;
	StringInfoData buf;

	initStringInfo(&buf);
	for (o = opts; o && o->keyword; o++)
	{
		if (o->val == NULL || o->val[0] == '\0' ||
			strcmp(o->keyword, "dbname") == 0)
			continue;
		appendStringInfo(&buf, "%s=", o->keyword);
		append_conn_value(&buf, o->val);
		appendStringInfoChar(&buf, ' ');
	}
	appendStringInfoString(&buf, "dbname=");
	append_conn_value(&buf, dbname);
	PQconninfoFree(opts);
	return buf.data;
}

/*
 * SIGTERM: do what Ctrl-C does (the cancel handler of fe_utils cancels the
 * running query), so that the client fails its statement and exits through
 * the atexit handler below, which drops the scratch databases.
 */
static void
terminate_as_interrupt(SIGNAL_ARGS)
{
	raise(SIGINT);
}

/* atexit: drop every scratch database this process made. */
static void
drop_scratch_databases(void)
{
	PGconn	   *conn;
	int			i;

	if (nscratch == 0)
		return;
	conn = PQconnectdb(scratch_admin);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		pg_log_warning("could not drop the scratch databases: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return;
	}
	for (i = 0; i < nscratch; i++)
	{
		char	   *quoted = PQescapeIdentifier(conn, scratch_names[i], strlen(scratch_names[i]));
		char	   *sql = psprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", quoted);
		PGresult   *res = PQexec(conn, sql);

		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			pg_log_warning("could not drop scratch database \"%s\": %s",
						   scratch_names[i], PQresultErrorMessage(res));
		PQclear(res);
		PQfreemem(quoted);
	}
	nscratch = 0;
	PQfinish(conn);
}

/*
 * Create a scratch database on admin's server; returns a connection to it
 * and sets *conninfo to its connection string.
 */
PGconn *
scratch_create(PGconn *admin, char **conninfo)
{
	static int	counter = 0;
	char	   *name = psprintf("pg_migrate_scratch_%d_%d", (int) getpid(), ++counter);
	char	   *sql;
	PGresult   *res;
	PGconn	   *conn;

	if (scratch_admin == NULL)
	{
		scratch_admin = conninfo_of_connection(admin, PQdb(admin));
		atexit(drop_scratch_databases);
		pqsignal(SIGTERM, terminate_as_interrupt);
	}
	sql = psprintf("CREATE DATABASE %s TEMPLATE template0", name);
	res = PQexec(admin, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		pg_log_error("could not create a scratch database: %s", PQresultErrorMessage(res));
		pg_log_error_hint("The role needs CREATEDB on the server it connects to, or name another server with --dev-url.");
		exit(EXIT_SQL);
	}
	PQclear(res);
	scratch_names = scratch_names ?
		pg_realloc(scratch_names, sizeof(char *) * (nscratch + 1)) :
		pg_malloc(sizeof(char *));
	scratch_names[nscratch++] = name;

	*conninfo = conninfo_of_connection(admin, name);
	conn = PQconnectdb(*conninfo);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		pg_log_error("could not connect to scratch database \"%s\": %s", name,
					 PQerrorMessage(conn));
		exit(EXIT_CONNECT);
	}
	return conn;
}

/* The whole of a file, NUL-terminated; exits on an error. */
static char *
read_file(const char *path)
{
	FILE	   *f = fopen(path, "rb");
	StringInfoData buf;
	char		chunk[8192];
	size_t		n;

	if (f == NULL)
	{
		pg_log_error("could not open declared schema file \"%s\": %m", path);
		exit(EXIT_BAD_FILES);
	}
	initStringInfo(&buf);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		appendBinaryStringInfo(&buf, chunk, n);
	if (ferror(f))
	{
		pg_log_error("could not read declared schema file \"%s\": %m", path);
		exit(EXIT_BAD_FILES);
	}
	fclose(f);
	if (memchr(buf.data, '\0', buf.len) != NULL)
	{
		pg_log_error("declared schema file \"%s\" contains a zero byte", path);
		exit(EXIT_BAD_FILES);
	}
	return buf.data;
}

/* The 1-based line of 1-based character position pos of text (UTF-8). */
static int
line_of_position(const char *text, int pos)
{
	int			line = 1;
	int			chars = 0;
	const char *p;

	for (p = text; *p && chars < pos - 1; p++)
	{
		if (((unsigned char) *p & 0xC0) == 0x80)
			continue;
		chars++;
		if (*p == '\n')
			line++;
	}
	return line;
}

/* Run one declared file; an error names the file and its line. */
static void
load_file(PGconn *conn, const char *path)
{
	char	   *text = read_file(path);
	PGresult   *res = PQexec(conn, text);

	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
		PQresultStatus(res) != PGRES_TUPLES_OK &&
		PQresultStatus(res) != PGRES_EMPTY_QUERY)
	{
		const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		if (pos != NULL)
			pg_log_error("declared schema file \"%s\", line %d: %s", path,
						 line_of_position(text, atoi(pos)), msg ? msg : "error");
		else
			pg_log_error("declared schema file \"%s\": %s", path, msg ? msg : "error");
		pg_log_error_detail("The declared schema is loaded into a scratch database, which is dropped; nothing else changed.");
		exit(EXIT_BAD_FILES);
	}
	PQclear(res);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * Refresh the planner's statistics of the system catalogs of a scratch
 * database just filled: the catalog query joins pg_depend, pg_class and
 * pg_attribute, and with the counts of an empty template0 the planner
 * picks nested loops that take seconds on a thousand tables instead of
 * a fraction of one.
 */
void
scratch_analyze(PGconn *conn)
{
	PGresult   *res = PQexec(conn, "ANALYZE pg_catalog.pg_depend, pg_catalog.pg_class, "
							 "pg_catalog.pg_attribute, pg_catalog.pg_attrdef, "
							 "pg_catalog.pg_constraint, pg_catalog.pg_index, "
							 "pg_catalog.pg_type, pg_catalog.pg_proc, pg_catalog.pg_rewrite, "
							 "pg_catalog.pg_trigger, pg_catalog.pg_policy, "
							 "pg_catalog.pg_description, pg_catalog.pg_namespace");

	/* only the speed of the next query depends on it */
	PQclear(res);
}

/*
 * Load a declared schema into conn: a file, or every *.sql file of a
 * directory in name order.
 */
void
schema_load_declared(PGconn *conn, const char *path)
{
	struct stat st;
	DIR		   *dir;
	struct dirent *de;
	char	  **names = NULL;
	int			n = 0;
	int			i;

	if (stat(path, &st) != 0)
	{
		pg_log_error("could not find declared schema \"%s\": %m", path);
		exit(EXIT_BAD_FILES);
	}
	if (!S_ISDIR(st.st_mode))
	{
		load_file(conn, path);
		scratch_analyze(conn);
		return;
	}
	dir = opendir(path);
	if (dir == NULL)
	{
		pg_log_error("could not open declared schema directory \"%s\": %m", path);
		exit(EXIT_BAD_FILES);
	}
	while ((de = readdir(dir)) != NULL)
	{
		size_t		len = strlen(de->d_name);

		if (len > 4 && strcmp(de->d_name + len - 4, ".sql") == 0 && de->d_name[0] != '.')
		{
			names = names ? pg_realloc(names, sizeof(char *) * (n + 1)) : pg_malloc(sizeof(char *));
			names[n++] = psprintf("%s/%s", path, de->d_name);
		}
	}
	closedir(dir);
	if (n == 0)
	{
		pg_log_error("declared schema directory \"%s\" has no .sql file", path);
		exit(EXIT_BAD_FILES);
	}
	qsort(names, n, sizeof(char *), compare_names);
	for (i = 0; i < n; i++)
		load_file(conn, names[i]);
	scratch_analyze(conn);
}

/* "{a,b}" for a list of names, or NULL when there is none. */
static char *
array_literal(char **items, int n)
{
	StringInfoData buf;
	int			i;

	if (n == 0)
		return NULL;
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < n; i++)
	{
		const char *p;

		appendStringInfoString(&buf, i ? ",\"" : "\"");
		for (p = items[i]; *p; p++)
		{
			if (*p == '"' || *p == '\\')
				appendStringInfoChar(&buf, '\\');
			appendStringInfoChar(&buf, *p);
		}
		appendStringInfoChar(&buf, '"');
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

static char *
value_or_null(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : pg_strdup(PQgetvalue(res, row, col));
}

static void
text_array(PGresult *res, int row, int col, char ***items, int *n)
{
	*items = NULL;
	*n = 0;
	if (PQgetisnull(res, row, col))
		return;
	if (!migrate_parse_text_array(PQgetvalue(res, row, col), items, n))
	{
		pg_log_error("unexpected array in the catalog query's result: %s",
					 PQgetvalue(res, row, col));
		exit(EXIT_OTHER);
	}
}

/* The schema of conn's database, as the catalog query reads it. */
MigrateSchemaSnapshot *
schema_snapshot(PGconn *conn, const MigrateOptions *opts)
{
	MigrateSchemaSnapshot *snap = pg_malloc0(sizeof(MigrateSchemaSnapshot));
	const char *params[2];
	PGresult   *res;
	int			i;

	params[0] = array_literal(opts->include_schemas, opts->ninclude_schemas);
	params[1] = array_literal(opts->exclude_schemas, opts->nexclude_schemas);
	/*
	 * With only pg_catalog in the search path, the renderers qualify every
	 * name, so two databases read the same whatever their search_path.  The
	 * query's estimated cost is high (a subquery per object) while its run
	 * is short: JIT compilation would cost seconds for nothing.
	 */
	run_command(conn, "SET search_path = pg_catalog");
	run_command(conn, "SET jit = off");
	res = run_query(conn, migrate_snapshot_query, 2, params);
	run_command(conn, "RESET jit");
	run_command(conn, "RESET search_path");
	if (PQnfields(res) != MIGRATE_SNAPSHOT_COLUMNS)
	{
		pg_log_error("the catalog query returned %d columns, not %d",
					 PQnfields(res), MIGRATE_SNAPSHOT_COLUMNS);
		exit(EXIT_OTHER);
	}
	snap->nobjs = PQntuples(res);
	snap->objs = pg_malloc0(sizeof(MigrateSchemaObject) * (snap->nobjs + 1));
	for (i = 0; i < snap->nobjs; i++)
	{
		MigrateSchemaObject *o = &snap->objs[i];
		int			a;

		o->kind = migrate_object_kind(PQgetvalue(res, i, 0));
		o->id = value_or_null(res, i, 1);
		o->qname = value_or_null(res, i, 2);
		o->parent = value_or_null(res, i, 3);
		o->def = value_or_null(res, i, 4);
		for (a = 0; a < MIGRATE_OBJ_NATTRS; a++)
			o->attr[a] = value_or_null(res, i, 5 + a);
		text_array(res, i, 11, &o->list, &o->nlist);
		o->comment = value_or_null(res, i, 12);
		o->has_grants = !PQgetisnull(res, i, 13);
		text_array(res, i, 13, &o->grants, &o->ngrants);
		text_array(res, i, 14, &o->default_grants, &o->ndefault_grants);
		text_array(res, i, 15, &o->deps, &o->ndeps);
	}
	PQclear(res);
	migrate_snapshot_sort(snap);
	return snap;
}
