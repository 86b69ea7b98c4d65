/*-------------------------------------------------------------------------
 *
 * conn.c
 *	  Connecting to the server, running queries and reporting their errors.
 *
 * Connection parameters come from libpq as usual (-d, PG* variables,
 * .pgpass); the DB_* variables of container set-ups stand in for a PG*
 * variable that is unset when -d does not give the same parameter either.
 * The server announces each step of an upgrade or downgrade with a NOTICE;
 * the notice receiver here turns those into progress lines and passes any
 * other notice on to stderr.
 *
 * IDENTIFICATION
 *	  client/conn.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <time.h>
#include <unistd.h>

#include "common/logging.h"
#include "fe_utils/cancel.h"
#include "lib/stringinfo.h"
#include "client.h"

const char *ext_schema = NULL;
bool		ext_has_sync = false;
bool		ext_has_prune = false;
bool		ext_can_register = true;
bool		server_in_recovery = false;

/* whether standard output is a terminal (progress lines, colours) */
bool		stdout_is_tty = false;

/* argv[0], for finding the programs installed next to this one */
const char *program_argv0 = NULL;

#define MAX_CONN_PARAMS 16

typedef struct ConnParams
{
	const char *keywords[MAX_CONN_PARAMS + 1];
	const char *values[MAX_CONN_PARAMS + 1];
	int			n;
} ConnParams;

/* What the progress display knows about the run in progress. */
static struct
{
	bool		active;
	int			offset;			/* steps done by earlier server calls */
	int			total;			/* 0: take the server's count */
	bool		line_open;		/* a terminal line awaits its timing */
	double		started;		/* when the open line's step began */
} progress;

/* Seconds on a monotonic clock. */
static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
add_param(ConnParams *p, const char *keyword, const char *value)
{
	Assert(p->n < MAX_CONN_PARAMS);
	p->keywords[p->n] = keyword;
	p->values[p->n] = value;
	p->n++;
	p->keywords[p->n] = NULL;
	p->values[p->n] = NULL;
}

/* Append value to buf as a single-quoted conninfo value. */
void
append_conn_value(StringInfo buf, const char *value)
{
	const char *p;

	appendStringInfoChar(buf, '\'');
	for (p = value; *p; p++)
	{
		if (*p == '\'' || *p == '\\')
			appendStringInfoChar(buf, '\\');
		appendStringInfoChar(buf, *p);
	}
	appendStringInfoChar(buf, '\'');
}

/* True if -d holds a connection string or URI rather than a bare name. */
bool
is_conninfo(const char *s)
{
	return strchr(s, '=') != NULL ||
		strncmp(s, "postgresql://", 13) == 0 ||
		strncmp(s, "postgres://", 11) == 0;
}

/*
 * Add keyword=DB_xxx when neither the command line, nor -d, nor the PG*
 * variable gives the parameter.
 */
static void
add_fallback(ConnParams *p, PQconninfoOption *given, const char *keyword,
			 const char *option_value, const char *pgvar, const char *dbvar)
{
	PQconninfoOption *o;
	const char *v;

	if (option_value != NULL)
		return;
	for (o = given; o != NULL && o->keyword != NULL; o++)
		if (strcmp(o->keyword, keyword) == 0 && o->val != NULL &&
			o->val[0] != '\0')
			return;
	v = getenv(pgvar);
	if (v != NULL && v[0] != '\0')
		return;
	v = getenv(dbvar);
	if (v != NULL && v[0] != '\0')
		add_param(p, keyword, v);
}

/*
 * The keyword/value arrays for PQconnectdbParams and PQpingParams.  Later
 * entries override earlier ones, so -d comes after application_name (a
 * connection string may name its own) and before -h, -p and -U.
 */
static void
build_params(const MigrateOptions *opts, ConnParams *p)
{
	PQconninfoOption *given = NULL;
	static PQconninfoOption dbname_only[] = {
		{"dbname", NULL, NULL, NULL, NULL, NULL, 0},
		{NULL, NULL, NULL, NULL, NULL, NULL, 0}
	};

	memset(p, 0, sizeof(*p));
	add_param(p, "application_name", "pg_migrate");
	if (opts->dbname != NULL)
	{
		add_param(p, "dbname", opts->dbname);
		if (is_conninfo(opts->dbname))
		{
			char	   *errmsg = NULL;

			given = PQconninfoParse(opts->dbname, &errmsg);
			if (given == NULL)
			{
				pg_log_error("invalid connection string: %s",
							 errmsg ? errmsg : "out of memory");
				exit(EXIT_USAGE);
			}
		}
		else
		{
			dbname_only[0].val = (char *) opts->dbname;
			given = dbname_only;
		}
	}
	if (opts->host)
		add_param(p, "host", opts->host);
	if (opts->port)
		add_param(p, "port", opts->port);
	if (opts->username)
		add_param(p, "user", opts->username);
	add_fallback(p, given, "host", opts->host, "PGHOST", "DB_HOST");
	add_fallback(p, given, "port", opts->port, "PGPORT", "DB_PORT");
	add_fallback(p, given, "user", opts->username, "PGUSER", "DB_USER");
	add_fallback(p, given, "dbname", NULL, "PGDATABASE", "DB_NAME");
	add_fallback(p, given, "password", NULL, "PGPASSWORD", "DB_PASSWORD");
}

/*
 * --wait: try the server the way pg_isready does until it accepts
 * connections, up to max_retries tries retry_interval microseconds apart.
 */
void
wait_for_server(const MigrateOptions *opts)
{
	ConnParams	p;
	int			try;

	build_params(opts, &p);
	for (try = 1; try <= opts->max_retries; try++)
	{
		PGPing		rc = PQpingParams(p.keywords, p.values, 1);

		if (rc == PQPING_OK)
			return;
		if (rc == PQPING_NO_ATTEMPT)
		{
			pg_log_error("invalid connection parameters");
			exit(EXIT_CONNECT);
		}
		pg_log_info("waiting for the server (try %d of %d): %s",
					try, opts->max_retries,
					rc == PQPING_REJECT ? "rejecting connections" : "no response");
		if (try < opts->max_retries)
			pg_usleep(opts->retry_interval);
		if (CancelRequested)
			exit(EXIT_NOT_READY);
	}
	pg_log_error("server did not accept connections after %d tries",
				 opts->max_retries);
	pg_log_error_hint("Check the connection settings, or allow more time with MAX_RETRIES and RETRY_INTERVAL.");
	exit(EXIT_NOT_READY);
}

/* Finish an open progress line so that what follows starts on its own. */
static void
progress_abort(void)
{
	if (progress.line_open)
	{
		printf("\n");
		fflush(stdout);
	}
	progress.line_open = false;
	progress.active = false;
}

/*
 * Notice receiver.  "applying N/M "rev": message", "reverting ..." and
 * "skipping ..." (in a scope) from the server become progress lines while a run is active; every other
 * notice goes to stderr as psql would show it.
 */
static void
notice_receiver(void *arg, const PGresult *res)
{
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	char		verb[16];
	int			n;
	int			m;
	int			used = 0;

	if (progress.active && msg != NULL &&
		sscanf(msg, "%15s %d/%d \"%n", verb, &n, &m, &used) == 3 && used > 0 &&
		(strcmp(verb, "applying") == 0 || strcmp(verb, "reverting") == 0 ||
		 strcmp(verb, "skipping") == 0))
	{
		const char *rev = msg + used;
		const char *close = strchr(rev, '"');
		char	   *id;

		/* the server leaves out ": message" when the message is empty */
		if (close != NULL && (close[1] == '\0' || strncmp(close + 1, ": ", 2) == 0))
		{
			id = pnstrdup(rev, close - rev);
			progress_step(verb, id, close[1] ? close + 3 : "",
						  progress.offset + n,
						  progress.total > 0 ? progress.total : m);
			pfree(id);
			return;
		}
	}
	if (progress.line_open)
	{
		printf("\n");
		progress.line_open = false;
	}
	fprintf(stderr, "%s", PQresultErrorMessage(res));
}

/* Start showing progress; offset steps are already done out of total. */
void
progress_begin(int offset, int total)
{
	progress.active = true;
	progress.offset = offset;
	progress.total = total;
	progress.line_open = false;
}

/*
 * Show that a step starts.  On a terminal the line stays open and gets its
 * timing when the next step starts or the run ends; otherwise it is a
 * plain line of its own, flushed at once so that logs show it live.
 */
void
progress_step(const char *verb, const char *rev, const char *message,
			  int n, int total)
{
	double		now = now_seconds();

	if (stdout_is_tty)
	{
		if (progress.line_open)
			printf(" %.1f ms\n", (now - progress.started) * 1000.0);
		printf("[%d/%d] %s %s%s%s ...", n, total, verb, rev,
			   message[0] ? ": " : "", message);
		progress.line_open = true;
		progress.started = now;
	}
	else
		printf("%s %d/%d \"%s\"%s%s\n", verb, n, total, rev,
			   message[0] ? ": " : "", message);
	fflush(stdout);
}

/*
 * Stop showing progress.  last_ms is the server's own timing of the last
 * step (from its result row), or negative when there is none.
 */
void
progress_end(double last_ms)
{
	if (progress.line_open)
	{
		if (last_ms < 0)
			last_ms = (now_seconds() - progress.started) * 1000.0;
		printf(" %.1f ms\n", last_ms);
		fflush(stdout);
	}
	progress.line_open = false;
	progress.active = false;
}

/* Connect; on failure return NULL if quiet, else report and exit. */
PGconn *
connect_server(const MigrateOptions *opts, bool quiet)
{
	ConnParams	p;
	PGconn	   *conn;

	build_params(opts, &p);
	conn = PQconnectdbParams(p.keywords, p.values, 1);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
	{
		if (quiet)
		{
			PQfinish(conn);
			return NULL;
		}
		pg_log_error("%s", conn ? PQerrorMessage(conn) : "out of memory");
		PQfinish(conn);
		exit(EXIT_CONNECT);
	}
	PQsetNoticeReceiver(conn, notice_receiver, NULL);
	/* Ctrl-C cancels the running query; the open transaction rolls back */
	SetCancelConn(conn);
	return conn;
}

/*
 * Print "LINE n: ..." and a caret under the 1-based character position pos
 * of query, as psql does.  Characters are counted in UTF-8.
 */
static void
print_position(const char *query, int pos)
{
	const char *line_start = query;
	const char *p;
	int			lineno = 1;
	int			chars = 0;
	int			column = 0;
	int			prefix;
	int			i;

	for (p = query; *p && chars < pos - 1; p++)
	{
		if (((unsigned char) *p & 0xC0) == 0x80)
			continue;
		chars++;
		column++;
		if (*p == '\n')
		{
			lineno++;
			line_start = p + 1;
			column = 0;
		}
	}
	for (p = line_start; *p && *p != '\n'; p++)
		;
	prefix = fprintf(stderr, "LINE %d: ", lineno);
	fprintf(stderr, "%.*s\n", (int) (p - line_start), line_start);
	for (i = 0; i < prefix + column; i++)
		fputc(' ', stderr);
	fprintf(stderr, "^\n");
}

/*
 * Report an error result the way psql shows it: severity and message, the
 * position in the statement, then detail, hint, internal query and
 * context.  query is the statement sent, for the position (may be NULL).
 */
void
report_server_error(const PGresult *res, const char *query)
{
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY);
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	const char *position = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	const char *iquery = PQresultErrorField(res, PG_DIAG_INTERNAL_QUERY);
	const char *iposition = PQresultErrorField(res, PG_DIAG_INTERNAL_POSITION);
	const char *context = PQresultErrorField(res, PG_DIAG_CONTEXT);

	progress_abort();
	fflush(stdout);
	if (primary == NULL)
	{
		/* not from the server: a lost connection, say */
		pg_log_error("%s", PQresultErrorMessage(res));
		return;
	}
	fprintf(stderr, "%s:  %s\n", severity ? severity : "ERROR", primary);
	if (iquery != NULL && iposition != NULL)
		print_position(iquery, atoi(iposition));
	else if (query != NULL && position != NULL)
		print_position(query, atoi(position));
	if (detail)
		fprintf(stderr, "DETAIL:  %s\n", detail);
	if (hint)
		fprintf(stderr, "HINT:  %s\n", hint);
	if (iquery)
		fprintf(stderr, "QUERY:  %s\n", iquery);
	if (context)
		fprintf(stderr, "CONTEXT:  %s\n", context);
}

/*
 * The exit status for the server's error res: a revision, branch or
 * prefix named that does not exist or is ambiguous (SQLSTATE 42704 or
 * 42725 from the revision graph, not from a revision's own SQL, which has
 * a revision in its context) gets the one status every verb uses for an
 * unknown revision; anything else is an SQL failure.
 */
int
server_error_status(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *context = PQresultErrorField(res, PG_DIAG_CONTEXT);

	if (state == NULL || primary == NULL ||
		(strcmp(state, "42704") != 0 && strcmp(state, "42725") != 0))
		return EXIT_SQL;
	if (context != NULL && strstr(context, " of revision \"") != NULL)
		return EXIT_SQL;
	if (strncmp(primary, "revision \"", 10) == 0 ||
		strncmp(primary, "revision prefix \"", 17) == 0 ||
		strncmp(primary, "branch \"", 8) == 0)
		return EXIT_UNKNOWN_REVISION;
	return EXIT_SQL;
}

/*
 * Run one statement with text parameters.  On an error, report it and
 * exit with the SQL failure status (closing the connection rolls back any
 * open transaction).
 */
PGresult *
run_query(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	PGresult   *res;
	ExecStatusType st;

	res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
	{
		int			status = server_error_status(res);

		report_server_error(res, sql);
		PQclear(res);
		finish_and_exit(conn, status);
	}
	return res;
}

/* Run a statement whose result does not matter. */
void
run_command(PGconn *conn, const char *sql)
{
	PQclear(run_query(conn, sql, 0, NULL));
}

/*
 * What the run in progress does ("upgrade to \"head\""), for the line a
 * failure ends with; NULL when no run is in progress.
 */
static char *migration_run = NULL;

/*
 * Name the migration run that starts, or end it (NULL).  A failure while
 * it runs ends with a line saying "migration ... failed", after the
 * server's error: logs filtered for "migration" show failures as well as
 * progress.
 */
void
note_migration_run(const char *what)
{
	pg_free(migration_run);
	migration_run = what ? pg_strdup(what) : NULL;
}

void
finish_and_exit(PGconn *conn, int status)
{
	PQfinish(conn);
	if (status != EXIT_OK && migration_run != NULL)
		pg_log_error("migration %s failed", migration_run);
	exit(status);
}

/*
 * Split s on spaces into *out; returns the count.  Used for the text form
 * of revision id arrays, whose elements never hold a space.
 */
int
split_words(const char *s, char ***out)
{
	int			n = 0;
	const char *p = s;

	*out = NULL;
	while (*p)
	{
		const char *start;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p && *p != ' ')
			p++;
		*out = pg_realloc(*out, sizeof(char *) * (n + 1));
		(*out)[n++] = pnstrdup(start, p - start);
	}
	return n;
}
