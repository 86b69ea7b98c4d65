/*-------------------------------------------------------------------------
 *
 * fleet.c
 *	  Running one verb against many databases: --all-databases,
 *	  --databases, --targets, -j, --canary, --fail-fast; against many
 *	  tenant schemas of one database: --scopes; and against the tenant
 *	  schemas of many databases: --scopes with one of the others.
 *
 * Each target is run by a child process forked from this one, which calls
 * the same verb function a single-database run calls, with its standard
 * output and error sent to a temporary file.  A process per worker rather
 * than non-blocking libpq connections in one process: every verb keeps its
 * single-database code (which exits on an error, holds session advisory
 * locks, runs non-transactional steps statement by statement), a failure
 * in one database cannot leave state behind in another's connection, and
 * the cost, one fork per database, is small beside the connection itself.
 * The parent only schedules: it starts up to -j children, waits for any to
 * end, reads its output and exit status, and draws the progress.
 *
 * A failure stops that database only.  --fail-fast starts no new target
 * after one failed (those running are left to finish: each of their steps
 * commits or rolls back as a whole), and --canary N runs the first N
 * targets alone and stops if any of them failed.  A rerun does only what
 * is left because every verb is idempotent against the version rows: a
 * database already at the target reports nothing to do.
 *
 * --scopes with --all-databases, --databases or --targets makes a target
 * of every (database, tenant schema) pair.  The pairs are found before
 * anything runs, one database after another, each by a child of its own
 * (list_pairs): it connects, registers the files for an upgrade or a
 * downgrade (once per database, as --scopes does for its one database),
 * and prints the matching schemas.  A database whose listing fails is one
 * failed target; one without the extension is skipped (--all-databases,
 * --databases) or failed (--targets), as without --scopes; one where no
 * schema matches is skipped with that reason, not an error of the run.
 *
 * IDENTIFICATION
 *	  client/fleet.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/logging.h"
#include "fe_utils/cancel.h"
#include "lib/stringinfo.h"
#include "client.h"

const char *fleet_label = NULL;
const char *fleet_format = NULL;

/* the targets are (database, scope) pairs: status prints both */
static bool fleet_pairs = false;

/* in a child of pairs: the label of its database */
static const char *fleet_database = NULL;

/* the signal mask the children run with (SIGCHLD is blocked here) */
static sigset_t child_mask;

typedef enum TargetState
{
	TARGET_WAITING,
	TARGET_RUNNING,
	TARGET_DONE,
	TARGET_FAILED,
	TARGET_SKIPPED,				/* --all-databases: no extension there; pairs:
								 * no schema matches there */
	TARGET_NOT_STARTED			/* stopped by --fail-fast or --canary */
} TargetState;

typedef struct Target
{
	char	   *label;			/* what the lines and the table show */
	char	   *conninfo;		/* given to the child as -d */
	char	   *scope;			/* --scopes: the tenant schema, else NULL */
	char	   *database;		/* pairs: the database's own label */
	TargetState state;
	pid_t		pid;
	FILE	   *out;			/* the child's stdout and stderr */
	int			status;			/* the child's exit status */
	double		started;
	double		seconds;
	char	   *output;			/* everything the child printed */
} Target;

typedef struct Fleet
{
	Target	   *targets;
	int			n;
	int			running;
	int			finished;		/* done, failed or skipped */
	int			failed;
	int			skipped;
	double		started;
	double		busy_seconds;	/* summed over finished targets */
	int			jobs;
	bool		bar;			/* draw a progress bar (a terminal) */
	bool		bar_drawn;
	bool		stop;			/* start nothing more */
	bool		scopes;			/* the targets are tenant schemas (--scopes) */
	bool		pairs;			/* ... of many databases: (database, scope) */
} Fleet;

static char *slurp(FILE *f);

/* Seconds on a monotonic clock. */
static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Append s to buf as a JSON string. */
static void
append_json_string(StringInfo buf, const char *s)
{
	const unsigned char *p;

	appendStringInfoChar(buf, '"');
	for (p = (const unsigned char *) s; *p; p++)
	{
		if (*p == '"' || *p == '\\')
			appendStringInfo(buf, "\\%c", *p);
		else if (*p < 0x20)
			appendStringInfo(buf, "\\u%04x", *p);
		else
			appendStringInfoChar(buf, *p);
	}
	appendStringInfoChar(buf, '"');
}

/* Append a target. */
static void
add_target(Fleet *fleet, char *label, char *conninfo)
{
	Target	   *t;

	fleet->targets = pg_realloc(fleet->targets,
								sizeof(Target) * (fleet->n + 1));
	t = &fleet->targets[fleet->n++];
	memset(t, 0, sizeof(Target));
	t->label = label;
	t->conninfo = conninfo;
	t->state = TARGET_WAITING;
}

/*
 * The connection string of database dbname on the server that -d (if it
 * is a connection string or URI), -h, -p and -U name: -d's parameters with
 * dbname replaced.  -h, -p and -U are applied by the child as usual.
 */
static char *
conninfo_for_database(const MigrateOptions *opts, const char *dbname)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (opts->dbname != NULL &&
		(strchr(opts->dbname, '=') != NULL ||
		 strncmp(opts->dbname, "postgresql://", 13) == 0 ||
		 strncmp(opts->dbname, "postgres://", 11) == 0))
	{
		char	   *errmsg = NULL;
		PQconninfoOption *given = PQconninfoParse(opts->dbname, &errmsg);
		PQconninfoOption *o;

		if (given == NULL)
		{
			pg_log_error("invalid connection string: %s",
						 errmsg ? errmsg : "out of memory");
			exit(EXIT_USAGE);
		}
		for (o = given; o->keyword != NULL; o++)
		{
			if (o->val == NULL || strcmp(o->keyword, "dbname") == 0)
				continue;
			appendStringInfo(&buf, "%s=", o->keyword);
			append_conn_value(&buf, o->val);
			appendStringInfoChar(&buf, ' ');
		}
		PQconninfoFree(given);
	}
	appendStringInfoString(&buf, "dbname=");
	append_conn_value(&buf, dbname);
	return buf.data;
}

/*
 * --all-databases and --databases: the databases of the server that accept
 * connections, in name order, whose names are LIKE the pattern.  A
 * database without the extension is not part of the fleet: its run skips
 * it.  None at all is a usage error.
 */
static void
list_databases(const MigrateOptions *opts, Fleet *fleet)
{
	PGconn	   *conn = connect_server(opts, false);
	PGresult   *res;
	const char *pattern = opts->fleet_databases;
	int			i;

	res = run_query(conn,
					"SELECT datname FROM pg_catalog.pg_database"
					" WHERE datallowconn AND NOT datistemplate"
					" AND ($1::pg_catalog.text IS NULL"
					"      OR datname::pg_catalog.text OPERATOR(pg_catalog.~~) $1)"
					" ORDER BY datname COLLATE \"C\"",
					1, &pattern);
	for (i = 0; i < PQntuples(res); i++)
	{
		const char *name = PQgetvalue(res, i, 0);

		add_target(fleet, pg_strdup(name), conninfo_for_database(opts, name));
	}
	PQclear(res);
	PQfinish(conn);
	fleet_skip_missing = true;
	if (fleet->n == 0)
	{
		pg_log_error("no database matches \"%s\"",
					 pattern ? pattern : "%");
		exit(EXIT_USAGE);
	}
}

/*
 * The schemas of conn's database whose names are LIKE pattern, in name
 * order: the tenant schemas of --scopes.  System schemas and the
 * catalog's are never scopes, nor a name with a line break, which the
 * pair listing's lines could not carry.
 */
static PGresult *
query_scopes(PGconn *conn, const char *pattern)
{
	return run_query(conn,
					 "SELECT nspname FROM pg_catalog.pg_namespace"
					 " WHERE nspname::pg_catalog.text OPERATOR(pg_catalog.~~) $1"
					 " AND nspname::pg_catalog.text OPERATOR(pg_catalog.!~~) 'pg\\_%'"
					 " AND nspname OPERATOR(pg_catalog.<>) ALL"
					 "  (ARRAY['information_schema', 'migrate']::pg_catalog.name[])"
					 " AND pg_catalog.strpos(nspname, E'\\n') OPERATOR(pg_catalog.=) 0"
					 " ORDER BY nspname COLLATE \"C\"",
					 1, &pattern);
}

/*
 * --scopes: the schemas of the database -d names whose names are LIKE the
 * pattern, in name order, each a target of its own on the same database.
 * System schemas and the catalog's are never scopes.
 */
static void
list_scopes(const MigrateOptions *opts, Fleet *fleet)
{
	PGconn	   *conn = connect_server(opts, false);
	PGresult   *res;
	int			i;

	res = query_scopes(conn, opts->fleet_scopes);
	for (i = 0; i < PQntuples(res); i++)
	{
		const char *name = PQgetvalue(res, i, 0);

		add_target(fleet, pg_strdup(name),
				   opts->dbname ? pg_strdup(opts->dbname) : NULL);
		fleet->targets[fleet->n - 1].scope = pg_strdup(name);
	}
	PQclear(res);
	PQfinish(conn);
	if (fleet->n == 0)
	{
		pg_log_error("no schema matches \"%s\"", opts->fleet_scopes);
		pg_log_error_hint("--scopes takes a LIKE pattern of existing schemas; create a new tenant with --scope NAME.");
		exit(EXIT_USAGE);
	}
}

/* A short name for a connection string: [host[:port]/]dbname. */
static char *
label_of(const char *conninfo, const char *file, int lineno)
{
	char	   *errmsg = NULL;
	PQconninfoOption *opts;
	PQconninfoOption *o;
	const char *host = NULL;
	const char *port = NULL;
	const char *dbname = NULL;
	char	   *label;

	if (strchr(conninfo, '=') == NULL &&
		strncmp(conninfo, "postgresql://", 13) != 0 &&
		strncmp(conninfo, "postgres://", 11) != 0)
		return pg_strdup(conninfo);
	opts = PQconninfoParse(conninfo, &errmsg);
	if (opts == NULL)
	{
		pg_log_error("%s:%d: invalid connection string: %s", file, lineno,
					 errmsg ? errmsg : "out of memory");
		exit(EXIT_USAGE);
	}
	for (o = opts; o->keyword != NULL; o++)
	{
		if (o->val == NULL || o->val[0] == '\0')
			continue;
		if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "port") == 0)
			port = o->val;
		else if (strcmp(o->keyword, "dbname") == 0)
			dbname = o->val;
	}
	label = psprintf("%s%s%s%s%s", host ? host : "",
					 port ? ":" : "", port ? port : "",
					 host || port ? "/" : "", dbname ? dbname : "(default)");
	PQconninfoFree(opts);
	return label;
}

/*
 * --targets FILE: one database name, connection string or URI a line;
 * blank lines and lines starting with # are ignored.
 */
static void
read_targets(const char *path, Fleet *fleet)
{
	FILE	   *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char		line[8192];
	int			lineno = 0;

	if (f == NULL)
	{
		pg_log_error("could not open file \"%s\": %m", path);
		exit(EXIT_OTHER);
	}
	while (fgets(line, sizeof(line), f) != NULL)
	{
		char	   *s = line;
		char	   *e;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f))
		{
			pg_log_error("%s:%d: line too long", path, lineno);
			exit(EXIT_USAGE);
		}
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' ||
						 e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		add_target(fleet, label_of(s, path, lineno), pg_strdup(s));
	}
	if (ferror(f))
	{
		pg_log_error("could not read file \"%s\": %m", path);
		exit(EXIT_OTHER);
	}
	if (f != stdin)
		fclose(f);
	if (fleet->n == 0)
	{
		pg_log_error("file \"%s\" names no target", path);
		pg_log_error_hint("Write one connection string or database name a line; lines starting with # are comments.");
		exit(EXIT_USAGE);
	}
}

/*
 * A listing child of list_pairs: in the database opts->dbname, register
 * the files when register (committed, so that the pairs' runs send none),
 * and print "scope<TAB>NAME" for each schema LIKE opts->fleet_scopes.
 * Exits as a verb does: EXIT_FLEET_SKIP without the extension under
 * --all-databases and --databases, an error status on any failure.
 */
static void
list_database_scopes(const MigrateOptions *opts, bool register_files)
{
	PGconn	   *conn = connect_server(opts, false);
	PGresult   *res;
	int			i;

	/* without the extension: skipped (exits here), or open_session's error */
	if (!find_extension(conn))
	{
		RevFileSet	set;

		PQfinish(conn);
		read_revision_files(opts->dir, &set);
		(void) open_session(opts, &set);
		exit(EXIT_OTHER);		/* not reached */
	}
	res = query_scopes(conn, opts->fleet_scopes);
	PQfinish(conn);
	/* the files go to a database that has pairs to run, once */
	if (register_files && PQntuples(res) > 0)
		register_files_once(opts);
	for (i = 0; i < PQntuples(res); i++)
		printf("scope\t%s\n", PQgetvalue(res, i, 0));
	PQclear(res);
	exit(EXIT_OK);
}

/*
 * Fork a child whose output is to go to a new temporary file, *out (the
 * child redirects to it); returns what fork() returns.
 */
static pid_t
fork_capturing(FILE **out)
{
	pid_t		pid;

	*out = tmpfile();
	if (*out == NULL)
	{
		pg_log_error("could not create a temporary file: %m");
		exit(EXIT_OTHER);
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
	{
		pg_log_error("could not fork: %m");
		exit(EXIT_OTHER);
	}
	return pid;
}

/*
 * --scopes with --all-databases, --databases or --targets: a target for
 * each (database, matching schema) pair, database by database.  Each
 * database is listed by a child process (list_database_scopes), so that a
 * database that cannot be reached or read fails alone, as its runs would;
 * such a database, and one that is skipped, becomes one target already
 * finished, shown as its runs would be.
 */
static void
list_pairs(const MigrateOptions *opts, Fleet *fleet)
{
	Fleet		dbs;
	bool		register_files = strcmp(opts->verb, "upgrade") == 0 ||
		strcmp(opts->verb, "downgrade") == 0;
	int			d;

	memset(&dbs, 0, sizeof(dbs));
	if (opts->fleet_targets != NULL)
		read_targets(opts->fleet_targets, &dbs);
	else
		list_databases(opts, &dbs);
	for (d = 0; d < dbs.n; d++)
	{
		Target	   *db = &dbs.targets[d];
		int			wstatus;
		int			found = 0;
		char	   *line;
		char	   *save;

		db->started = now_seconds();
		db->pid = fork_capturing(&db->out);
		if (db->pid == 0)
		{
			MigrateOptions copy = *opts;
			int			fd = fileno(db->out);

			if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
				_exit(EXIT_OTHER);
			stdout_is_tty = false;
			copy.dbname = db->conninfo;
			list_database_scopes(&copy, register_files);
		}
		while (waitpid(db->pid, &wstatus, 0) < 0)
		{
			if (errno != EINTR)
			{
				pg_log_error("could not wait for a child process: %m");
				exit(EXIT_OTHER);
			}
		}
		db->output = slurp(db->out);
		fclose(db->out);
		db->out = NULL;
		db->seconds = now_seconds() - db->started;
		db->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : EXIT_OTHER;

		if (db->status == EXIT_OK)
		{
			for (line = strtok_r(db->output, "\n", &save); line != NULL;
				 line = strtok_r(NULL, "\n", &save))
			{
				Target	   *t;

				if (strncmp(line, "scope\t", 6) != 0)
					continue;
				add_target(fleet, psprintf("%s/%s", db->label, line + 6),
						   pg_strdup(db->conninfo));
				t = &fleet->targets[fleet->n - 1];
				t->scope = pg_strdup(line + 6);
				t->database = db->label;
				found++;
			}
			if (found > 0)
				continue;
			db->output = psprintf("no schema matches \"%s\"\n",
								  opts->fleet_scopes);
		}

		/* a database that gives no pair: one target, finished already */
		add_target(fleet, db->label, db->conninfo);
		fleet->targets[fleet->n - 1] = *db;
		fleet->targets[fleet->n - 1].database = db->label;
		fleet->targets[fleet->n - 1].scope = NULL;
		fleet->finished++;
		if (db->status == EXIT_OK || db->status == EXIT_FLEET_SKIP)
		{
			fleet->targets[fleet->n - 1].state = TARGET_SKIPPED;
			fleet->targets[fleet->n - 1].status = EXIT_OK;
			fleet->skipped++;
		}
		else
		{
			fleet->targets[fleet->n - 1].state = TARGET_FAILED;
			fleet->failed++;
		}
	}
	if (register_files)
		files_registered = true;
}

/*
 * The child's side: run the verb against one target with its output in
 * the target's file, and exit with the verb's status.
 */
static void
run_child(const MigrateOptions *opts, int (*fn) (const MigrateOptions *),
		  Target *t)
{
	MigrateOptions copy = *opts;
	int			fd = fileno(t->out);

	if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
		_exit(EXIT_OTHER);
	sigprocmask(SIG_SETMASK, &child_mask, NULL);
	stdout_is_tty = false;
	copy.dbname = t->conninfo;
	copy.scope = t->scope;
	copy.fleet_scopes = NULL;
	fleet_label = t->label;
	fleet_database = t->database;
	exit(fn(&copy));
}

/* Start target t in a child process. */
static void
start_target(const MigrateOptions *opts, int (*fn) (const MigrateOptions *),
			 Fleet *fleet, Target *t)
{
	t->pid = fork_capturing(&t->out);
	if (t->pid == 0)
		run_child(opts, fn, t);
	t->state = TARGET_RUNNING;
	t->started = now_seconds();
	fleet->running++;
}

/* Everything in f, from its start. */
static char *
slurp(FILE *f)
{
	StringInfoData buf;
	char		chunk[4096];
	size_t		got;

	initStringInfo(&buf);
	rewind(f);
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		appendBinaryStringInfo(&buf, chunk, got);
	return buf.data;
}

/* A database of pairs where no schema matches the pattern. */
static bool
no_pair(const Target *t)
{
	return t->state == TARGET_SKIPPED && t->output != NULL &&
		strncmp(t->output, "no schema matches", 17) == 0;
}

/* The line of text that best sums up a target's output. */
static char *
detail_of(const Target *t)
{
	const char *out = t->output ? t->output : "";
	const char *start = NULL;
	const char *end;

	if (t->state == TARGET_SKIPPED)
	{
		if (!no_pair(t))
			return pg_strdup("extension not installed");
		start = out;
	}
	else if (t->state == TARGET_NOT_STARTED)
		return pg_strdup("not started");
	if (t->state == TARGET_FAILED || t->status == EXIT_PENDING)
	{
		/*
		 * The first error line says what went wrong: the server's, or the
		 * client's own, whichever came first (a failed run's closing
		 * "migration ... failed" comes after the server's)
		 */
		const char *client_error = strstr(out, "error: ");
		const char *server_error = strstr(out, "ERROR:  ");

		if (server_error != NULL &&
			(client_error == NULL || server_error < client_error))
			start = server_error + 8;
		else if (client_error != NULL)
			start = client_error + 7;
	}
	if (start == NULL)
	{
		/* the last non-empty line */
		end = out + strlen(out);
		while (end > out && end[-1] == '\n')
			end--;
		start = end;
		while (start > out && start[-1] != '\n')
			start--;
	}
	end = strchr(start, '\n');
	if (end == NULL)
		end = start + strlen(start);
	return pnstrdup(start, end - start);
}

/* Clear the progress bar so that a line can be printed. */
static void
clear_bar(Fleet *fleet)
{
	if (fleet->bar && fleet->bar_drawn)
	{
		fprintf(stderr, "\r\033[K");
		fleet->bar_drawn = false;
	}
}

/* Draw the progress bar: done, failed, running, waiting and an ETA. */
static void
draw_bar(Fleet *fleet)
{
	int			width = 30;
	int			filled = fleet->n > 0 ? fleet->finished * width / fleet->n : 0;
	int			done = fleet->finished - fleet->failed - fleet->skipped;
	int			waiting = fleet->n - fleet->finished - fleet->running;
	char		eta[32];
	int			i;

	if (!fleet->bar)
		return;
	if (fleet->finished > 0 && !fleet->stop)
	{
		double		elapsed = now_seconds() - fleet->started;
		double		left = elapsed / fleet->finished *
			(fleet->n - fleet->finished);
		int			s = (int) (left + 0.5);

		snprintf(eta, sizeof(eta), "ETA %d:%02d", s / 60, s % 60);
	}
	else
		snprintf(eta, sizeof(eta), "ETA --:--");
	fprintf(stderr, "\r\033[K[");
	for (i = 0; i < width; i++)
		fputc(i < filled ? '#' : '.', stderr);
	fprintf(stderr, "] %d/%d  done %d  failed %d  running %d  waiting %d",
			fleet->finished, fleet->n, done, fleet->failed, fleet->running,
			waiting);
	if (fleet->skipped > 0)
		fprintf(stderr, "  skipped %d", fleet->skipped);
	fprintf(stderr, "  %s", eta);
	fflush(stderr);
	fleet->bar_drawn = true;
}

/* The word a target's outcome is shown with. */
static const char *
outcome_word(const Target *t)
{
	switch (t->state)
	{
		case TARGET_DONE:
			return t->status == EXIT_OK ? "ok" : "pending";
		case TARGET_FAILED:
			if (t->status == EXIT_LINT)
				return "lint error";
			if (t->status == EXIT_UNVERIFIED)
				return "unverified";
			if (t->status == EXIT_CONNECT)
				return "unreachable";
			return "failed";
		case TARGET_SKIPPED:
			return "skipped";
		case TARGET_NOT_STARTED:
			return "not started";
		default:
			return "running";
	}
}

static void print_line(Fleet *fleet, const Target *t);

/* A child ended: record its outcome and print its line. */
static void
finish_target(Fleet *fleet, Target *t, int wstatus)
{
	t->seconds = now_seconds() - t->started;
	fleet->busy_seconds += t->seconds;
	fleet->running--;
	fleet->finished++;
	if (WIFEXITED(wstatus))
		t->status = WEXITSTATUS(wstatus);
	else
		t->status = EXIT_OTHER;
	t->output = slurp(t->out);
	fclose(t->out);
	t->out = NULL;
	if (t->status == EXIT_FLEET_SKIP)
	{
		t->state = TARGET_SKIPPED;
		t->status = EXIT_OK;
		fleet->skipped++;
	}
	else if (t->status == EXIT_OK || t->status == EXIT_PENDING)
		t->state = TARGET_DONE;
	else
	{
		t->state = TARGET_FAILED;
		fleet->failed++;
	}
	print_line(fleet, t);
}

/*
 * Print a finished target's line (on a terminal, only failures get one:
 * the bar shows the rest), with a failure's whole output below it.
 */
static void
print_line(Fleet *fleet, const Target *t)
{
	char	   *detail;

	/* status output is collected for the table; show its failures only */
	if (fleet_format != NULL && t->state != TARGET_FAILED)
		return;
	detail = detail_of(t);
	if (!fleet->bar || t->state == TARGET_FAILED)
	{
		clear_bar(fleet);
		printf("%-11s %s: %s (%.2f s)\n", outcome_word(t), t->label, detail,
			   t->seconds);
		if (t->state == TARGET_FAILED)
		{
			const char *p = t->output;

			/* the whole report, indented, for the log */
			while (*p)
			{
				const char *nl = strchr(p, '\n');
				int			len = nl ? (int) (nl - p) : (int) strlen(p);

				printf("    %.*s\n", len, p);
				p += len + (nl ? 1 : 0);
			}
		}
		fflush(stdout);
	}
	pfree(detail);
}

/* Wait for one child to end and record it. */
static void
reap_one(Fleet *fleet)
{
	int			wstatus;
	pid_t		pid;
	int			i;

	for (;;)
	{
		if (fleet->bar)
		{
			/*
			 * Redraw now and then so that the ETA moves.  SIGCHLD is
			 * blocked (migrate_fleet_run), so sigtimedwait returns as soon
			 * as a child ends, or after the pause.
			 */
			pid = waitpid(-1, &wstatus, WNOHANG);
			if (pid == 0)
			{
				struct timespec pause = {0, 250 * 1000 * 1000};
				sigset_t	chld;

				sigemptyset(&chld);
				sigaddset(&chld, SIGCHLD);
				draw_bar(fleet);
				(void) sigtimedwait(&chld, NULL, &pause);
				continue;
			}
		}
		else
			pid = waitpid(-1, &wstatus, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
		{
			pg_log_error("could not wait for a child process: %m");
			exit(EXIT_OTHER);
		}
		break;
	}
	for (i = 0; i < fleet->n; i++)
		if (fleet->targets[i].state == TARGET_RUNNING &&
			fleet->targets[i].pid == pid)
		{
			finish_target(fleet, &fleet->targets[i], wstatus);
			return;
		}
}

/*
 * Run targets [from, to) with up to fleet->jobs at once; with fail_fast,
 * start none after a failure.
 */
static void
run_range(const MigrateOptions *opts, int (*fn) (const MigrateOptions *),
		  Fleet *fleet, int from, int to)
{
	int			next = from;

	while (next < to || fleet->running > 0)
	{
		if (fleet->failed > 0 && opts->fleet_fail_fast)
			fleet->stop = true;
		if (CancelRequested)
			fleet->stop = true;
		/* a database of pairs that gave none finished when it was listed */
		if (next < to && fleet->targets[next].state != TARGET_WAITING)
		{
			next++;
			continue;
		}
		if (!fleet->stop && next < to && fleet->running < fleet->jobs)
		{
			start_target(opts, fn, fleet, &fleet->targets[next++]);
			draw_bar(fleet);
			continue;
		}
		if (fleet->running == 0)
			break;
		reap_one(fleet);
		draw_bar(fleet);
	}
}

/*
 * Rank of an exit status: the fleet exits with the worst one.  Success,
 * then findings (pending, lint, verify), then failures of a revision or a
 * file, then anything else, then a target that could not be reached.
 */
static int
rank(int status)
{
	switch (status)
	{
		case EXIT_OK:
			return 0;
		case EXIT_PENDING:
			return 1;
		case EXIT_LINT:
			return 2;
		case EXIT_UNVERIFIED:
			return 3;
		case EXIT_BAD_FILES:
			return 4;
		case EXIT_SQL:
			return 5;
		case EXIT_OTHER:
			return 6;
		default:
			return 7;
	}
}

/*
 * The first column(s) of a target's row: its label, or for pairs its
 * database and its scope ("-" for a database that gave no pair) in two
 * columns of widths[0] and widths[1].
 */
static void
print_target_columns(const Fleet *fleet, const Target *t, const int *widths)
{
	if (fleet->pairs)
		printf("%-*s  %-*s", widths[0], t->database, widths[1],
			   t->scope ? t->scope : "-");
	else
		printf("%-*s", widths[0], t->label);
}

/* Print the summary table of a fleet run that is not status. */
static void
print_summary(const Fleet *fleet)
{
	int			widths[2] = {8, 5};
	int			counts[6] = {0};
	int			i;
	int			k;

	for (i = 0; i < fleet->n; i++)
	{
		const Target *t = &fleet->targets[i];

		if (fleet->pairs)
		{
			widths[0] = Max(widths[0], (int) strlen(t->database));
			widths[1] = Max(widths[1], t->scope ? (int) strlen(t->scope) : 1);
		}
		else
			widths[0] = Max(widths[0], (int) strlen(t->label));
	}
	printf("\n");
	if (fleet->pairs)
		printf("%-*s  %-*s", widths[0], "database", widths[1], "scope");
	else
		printf("%-*s", widths[0], "target");
	printf("  %-11s  %8s  %s\n", "outcome", "seconds", "detail");
	for (k = 0; k < (fleet->pairs ? 2 : 1); k++)
	{
		for (i = 0; i < widths[k]; i++)
			putchar('-');
		printf("  ");
	}
	printf("-----------  --------  ------\n");
	for (i = 0; i < fleet->n; i++)
	{
		const Target *t = &fleet->targets[i];
		char	   *detail = detail_of(t);

		print_target_columns(fleet, t, widths);
		if (t->state == TARGET_NOT_STARTED || t->state == TARGET_WAITING)
			printf("  %-11s  %8s  %s\n", "not started", "", "");
		else
			printf("  %-11s  %8.2f  %s\n", outcome_word(t), t->seconds,
				   detail);
		counts[t->state == TARGET_WAITING ? TARGET_NOT_STARTED : t->state]++;
		pfree(detail);
	}
	printf("%d target(s): %d done, %d failed, %d skipped, %d not started;"
		   " %.2f s\n",
		   fleet->n, counts[TARGET_DONE], counts[TARGET_FAILED],
		   counts[TARGET_SKIPPED], counts[TARGET_NOT_STARTED],
		   now_seconds() - fleet->started);
}

/*
 * status over a fleet: each child printed one record (a JSON object with
 * --format=json, else tab-separated fields); print them as one JSON array
 * or as a table.
 */
static void
print_status(const Fleet *fleet, bool json)
{
	const char *const one_heads[] = {
		fleet->scopes ? "scope" : "database", "state", "current", "heads",
		"pending", "drifted", "interrupted"
	};
	const char *const pair_heads[] = {
		"database", "scope", "state", "current", "heads", "pending",
		"drifted", "interrupted"
	};
	const char *const *heads = fleet->pairs ? pair_heads : one_heads;
	int			nheads = fleet->pairs ? lengthof(pair_heads) : lengthof(one_heads);
	int			nlabel = fleet->pairs ? 2 : 1;	/* columns naming the target */
	int			widths[lengthof(pair_heads)];
	int			i;
	int			c;
	bool		first = true;

	if (json)
	{
		printf("[");
		for (i = 0; i < fleet->n; i++)
		{
			const Target *t = &fleet->targets[i];
			char	   *detail;
			StringInfoData buf;

			if (t->state == TARGET_SKIPPED && !no_pair(t))
				continue;
			detail = detail_of(t);
			printf("%s\n  ", first ? "" : ",");
			first = false;
			if (t->state == TARGET_DONE)
			{
				printf("%s", detail);
				pfree(detail);
				continue;
			}
			initStringInfo(&buf);
			appendStringInfoString(&buf, "{\"target\": ");
			append_json_string(&buf, t->label);
			if (fleet->pairs)
			{
				appendStringInfoString(&buf, ", \"database\": ");
				append_json_string(&buf, t->database);
				appendStringInfoString(&buf, ", \"scope\": ");
				if (t->scope)
					append_json_string(&buf, t->scope);
				else
					appendStringInfoString(&buf, "null");
			}
			appendStringInfoString(&buf, ", \"state\": ");
			append_json_string(&buf, t->state == TARGET_FAILED ? "unreachable" :
							   t->state == TARGET_SKIPPED ? "skipped" :
							   "not started");
			appendStringInfoString(&buf, t->state == TARGET_SKIPPED ?
								   ", \"detail\": " : ", \"error\": ");
			append_json_string(&buf, detail);
			appendStringInfoString(&buf, "}");
			printf("%s", buf.data);
			pfree(buf.data);
			pfree(detail);
		}
		printf("%s]\n", first ? "" : "\n");
		return;
	}

	for (c = 0; c < nheads; c++)
		widths[c] = strlen(heads[c]);
	for (i = 0; i < fleet->n; i++)
	{
		const Target *t = &fleet->targets[i];
		char	   *line;
		char	   *field;
		char	   *save;

		if (t->state != TARGET_DONE)
		{
			if (fleet->pairs)
			{
				widths[0] = Max(widths[0], (int) strlen(t->database));
				widths[1] = Max(widths[1], t->scope ? (int) strlen(t->scope) : 1);
			}
			else
				widths[0] = Max(widths[0], (int) strlen(t->label));
			continue;
		}
		line = detail_of(t);
		for (c = 0, field = strtok_r(line, "\t", &save);
			 field != NULL && c < nheads;
			 c++, field = strtok_r(NULL, "\t", &save))
			widths[c] = Max(widths[c], (int) strlen(field));
		pfree(line);
	}
	for (c = 0; c < nheads; c++)
		printf("%s%-*s", c > 0 ? "  " : "", c == nheads - 1 ? 0 : widths[c],
			   heads[c]);
	printf("\n");
	for (c = 0; c < nheads; c++)
	{
		int			k;

		printf("%s", c > 0 ? "  " : "");
		for (k = 0; k < widths[c]; k++)
			putchar('-');
	}
	printf("\n");
	for (i = 0; i < fleet->n; i++)
	{
		const Target *t = &fleet->targets[i];
		char	   *line;
		char	   *field;
		char	   *save;

		if (t->state == TARGET_SKIPPED && !no_pair(t))
			continue;
		if (t->state != TARGET_DONE)
		{
			char	   *detail = detail_of(t);

			print_target_columns(fleet, t, widths);
			printf("  %-*s  %s\n", widths[nlabel],
				   t->state == TARGET_FAILED ? "unreachable" :
				   t->state == TARGET_SKIPPED ? "skipped" : "not started",
				   detail);
			pfree(detail);
			continue;
		}
		line = detail_of(t);
		for (c = 0, field = strtok_r(line, "\t", &save);
			 field != NULL && c < nheads;
			 c++, field = strtok_r(NULL, "\t", &save))
			printf("%s%-*s", c > 0 ? "  " : "", c == nheads - 1 ? 0 : widths[c], field);
		printf("\n");
		pfree(line);
	}
}

/*
 * status in a child: one record for the database, the JSON object or the
 * table's tab-separated fields.  Its state is the worst of interrupted (a
 * non-transactional run to resolve), drifted (an applied revision's SQL
 * changed), behind (revisions pending) and current.
 */
int
verb_fleet_status(const MigrateOptions *opts)
{
	RevFileSet	set;
	PGconn	   *conn;
	PGresult   *res;
	char	   *sql;
	const char *params[3];

	read_revision_files(opts->dir, &set);
	conn = open_session(opts, &set);
	sql = psprintf("WITH s AS (SELECT %s.migrate_status(%s) AS s),"
				   " c AS (SELECT (SELECT pg_catalog.count(*) FROM %s.migrate_drift()) AS drifted,"
				   "  (SELECT pg_catalog.count(*) FROM migrate.interrupted%s) AS interrupted,"
				   "  ((SELECT s FROM s)->>'pending_count')::pg_catalog.int4 AS pending),"
				   " r AS (SELECT CASE WHEN interrupted > 0 THEN 'interrupted'"
				   "  WHEN drifted > 0 THEN 'drifted'"
				   "  WHEN pending > 0 THEN 'behind' ELSE 'current' END AS state,"
				   "  drifted, interrupted, pending FROM c)"
				   " SELECT (pg_catalog.jsonb_build_object("
				   "  'target', $1::pg_catalog.text,"
				   "  'database', pg_catalog.current_database(),"
				   "  'state', r.state,"
				   "  'current', s.s->'current', 'heads', s.s->'heads',"
				   "  'pending', r.pending, 'drifted', r.drifted,"
				   "  'interrupted', r.interrupted,"
				   "  'last_migration', s.s->'last_migration')"
				   "  OPERATOR(pg_catalog.||) CASE WHEN $2::pg_catalog.text IS NULL"
				   "  THEN '{}'::pg_catalog.jsonb"
				   "  ELSE pg_catalog.jsonb_build_object('scope', $2) END)::pg_catalog.text,"
				   " %s || E'\\t' || r.state"
				   " || E'\\t' || COALESCE(NULLIF(pg_catalog.array_to_string(ARRAY("
				   "   SELECT pg_catalog.jsonb_array_elements_text(s.s->'current')), ','), ''), '<base>')"
				   " || E'\\t' || COALESCE(NULLIF(pg_catalog.array_to_string(ARRAY("
				   "   SELECT pg_catalog.jsonb_array_elements_text(s.s->'heads')), ','), ''), '-')"
				   " || E'\\t' || r.pending || E'\\t' || r.drifted"
				   " || E'\\t' || r.interrupted"
				   " FROM s, r",
				   ext_schema, opts->scope ? "$2" : "", ext_schema,
				   opts->scope ? " WHERE scope OPERATOR(pg_catalog.=) $2" : "",
				   fleet_pairs ?
				   "$3::pg_catalog.text || E'\\t' || $2" : "$1");
	params[0] = fleet_label ? fleet_label : PQdb(conn);
	params[1] = opts->scope;
	params[2] = fleet_database;
	res = run_query(conn, sql, fleet_pairs ? 3 : 2, params);
	printf("%s\n", PQgetvalue(res, 0,
							  fleet_format && strcmp(fleet_format, "json") == 0
							  ? 0 : 1));
	PQclear(res);
	run_command(conn, "ROLLBACK");
	PQfinish(conn);
	return EXIT_OK;
}

/*
 * Run verb fn against every target the options name, and return the
 * worst exit status.
 */
int
migrate_fleet_run(const MigrateOptions *opts,
				  int (*fn) (const MigrateOptions *), bool is_status)
{
	Fleet		fleet;
	int			worst = EXIT_OK;
	int			canary;
	int			ncanary;
	int			i;

	memset(&fleet, 0, sizeof(fleet));
	if (opts->fleet_scopes != NULL &&
		(opts->fleet_all || opts->fleet_databases || opts->fleet_targets))
	{
		list_pairs(opts, &fleet);
		fleet.scopes = true;
		fleet.pairs = fleet_pairs = true;
	}
	else if (opts->fleet_scopes != NULL)
	{
		list_scopes(opts, &fleet);
		fleet.scopes = true;
	}
	else if (opts->fleet_targets != NULL)
		read_targets(opts->fleet_targets, &fleet);
	else
		list_databases(opts, &fleet);
	fleet.jobs = Max(opts->fleet_jobs, 1);
	fleet.bar = stdout_is_tty && isatty(fileno(stderr)) && !is_status;
	fleet.started = now_seconds();
	if (fleet.bar)
	{
		sigset_t	chld;

		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigprocmask(SIG_BLOCK, &chld, &child_mask);
	}
	else
		sigprocmask(SIG_BLOCK, NULL, &child_mask);
	if (is_status)
		fleet_format = opts->fleet_format ? opts->fleet_format : "table";
	/* the databases of pairs that gave none finished when listed */
	for (i = 0; i < fleet.n; i++)
		if (fleet.targets[i].state != TARGET_WAITING)
			print_line(&fleet, &fleet.targets[i]);

	/*
	 * The canaries are the first N targets to run: the databases of pairs
	 * that gave none, finished already, are not among them.
	 */
	ncanary = 0;
	for (canary = 0; canary < fleet.n && ncanary < opts->fleet_canary; canary++)
		if (fleet.targets[canary].state == TARGET_WAITING)
			ncanary++;
	if (ncanary > 0)
	{
		int			failed_before = fleet.failed;
		int			left = 0;

		run_range(opts, fn, &fleet, 0, canary);
		for (i = canary; i < fleet.n; i++)
			if (fleet.targets[i].state == TARGET_WAITING)
				left++;
		if (fleet.failed > failed_before)
		{
			clear_bar(&fleet);
			pg_log_error("%d of %d canary target(s) failed; the other %d target(s) were not started",
						 fleet.failed - failed_before, ncanary, left);
			fleet.stop = true;
		}
	}
	if (!fleet.stop)
		run_range(opts, fn, &fleet, canary, fleet.n);
	clear_bar(&fleet);

	for (i = 0; i < fleet.n; i++)
	{
		Target	   *t = &fleet.targets[i];

		if (t->state == TARGET_WAITING)
		{
			/* the failure that stopped the run gives the status */
			t->state = TARGET_NOT_STARTED;
			t->status = EXIT_OK;
		}
		if (rank(t->status) > rank(worst))
			worst = t->status;
	}
	if (is_status)
		print_status(&fleet, strcmp(fleet_format, "json") == 0);
	else
		print_summary(&fleet);
	return worst;
}
