/*-------------------------------------------------------------------------
 *
 * report.c
 *	  The verbs that only read: current, heads, branches, history, show,
 *	  status, pending, check and wait.
 *
 * Each registers the revision files in a transaction, reads, and rolls
 * back, so that the report reflects the files without changing anything;
 * wait alone commits the files first, since it must not hold a
 * transaction open while it waits for another session's upgrade.  The
 * text follows Alembic's: "parent -> rev (head), message" and the like.
 *
 * IDENTIFICATION
 *	  client/report.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <time.h>

#include "common/logging.h"
#include "client.h"
#include "pqexpbuffer.h"

/* Read the files and open a transaction that has them registered. */
static PGconn *
read_session(const MigrateOptions *opts)
{
	RevFileSet	set;

	read_revision_files(opts->dir, &set);
	return open_session(opts, &set);
}

/*
 * The files of the verbs that only report (status, current, heads,
 * branches, history, show): read tolerantly, so that a broken file is
 * named in a warning (and in status's "broken" list) and the verb still
 * answers from the other files and what the server has registered.
 */
static RevFileSet report_set;

/* Like read_session, with the broken files set aside (report_set). */
static PGconn *
report_session(const MigrateOptions *opts)
{
	PGconn	   *conn;

	read_revision_files_tolerant(opts->dir, &report_set);
	conn = open_session(opts, &report_set);
	if (report_set.nbroken > 0)
		pg_log_warning("%d revision file(s) of \"%s\" left out; the answer shows the revisions registered without them",
					   report_set.nbroken, opts->dir);
	return conn;
}

/*
 * The broken files of report_set as three text[] literals (file names,
 * lines, messages), for the server to build JSON from: params[0..2].
 */
static void
broken_params(char **params)
{
	PQExpBufferData names;
	PQExpBufferData lines;
	PQExpBufferData messages;
	int			i;

	initPQExpBuffer(&names);
	initPQExpBuffer(&lines);
	initPQExpBuffer(&messages);
	for (i = 0; i < report_set.nbroken; i++)
	{
		char		line[16];

		snprintf(line, sizeof(line), "%d", report_set.broken[i].line);
		append_array_element(&names, report_set.broken[i].name);
		append_array_element(&lines, line);
		append_array_element(&messages, report_set.broken[i].message);
	}
	if (report_set.nbroken == 0)
	{
		appendPQExpBufferChar(&names, '{');
		appendPQExpBufferChar(&lines, '{');
		appendPQExpBufferChar(&messages, '{');
	}
	appendPQExpBufferChar(&names, '}');
	appendPQExpBufferChar(&lines, '}');
	appendPQExpBufferChar(&messages, '}');
	params[0] = names.data;
	params[1] = lines.data;
	params[2] = messages.data;
}

/* Roll back the read-only transaction and exit successfully. */
static int
end_read_session(PGconn *conn)
{
	run_command(conn, "ROLLBACK");
	PQfinish(conn);
	return EXIT_OK;
}

/* Append words joined by ", ", or "<base>" when there are none. */
static void
append_list(PQExpBuffer buf, char **words, int n, bool base_if_empty)
{
	int			i;

	if (n == 0 && base_if_empty)
		appendPQExpBufferStr(buf, "<base>");
	for (i = 0; i < n; i++)
		appendPQExpBuffer(buf, "%s%s", i > 0 ? ", " : "", words[i]);
}

/*
 * The one-line form: "[parents [(deps)] -> ]rev [(labels)] (head)
 * (current) (branchpoint) (mergepoint)[, message]".  With parents (history
 * lines) the branch and merge points are marked; current and heads, like
 * Alembic's, mark only the heads.
 */
static void
format_short(PQExpBuffer buf, const RevInfo *r, bool parents, bool doc,
			 bool indicate_current)
{
	if (parents)
	{
		append_list(buf, r->revises, r->nrevises, true);
		if (r->ndepends_on > 0)
		{
			appendPQExpBufferStr(buf, " (");
			append_list(buf, r->depends_on, r->ndepends_on, false);
			appendPQExpBufferStr(buf, ")");
		}
		appendPQExpBufferStr(buf, " -> ");
	}
	appendPQExpBufferStr(buf, r->id);
	if (r->nlabels > 0)
	{
		appendPQExpBufferStr(buf, " (");
		append_list(buf, r->labels, r->nlabels, false);
		appendPQExpBufferStr(buf, ")");
	}
	if (r->is_head)
		appendPQExpBufferStr(buf, " (head)");
	if (indicate_current && r->is_current)
		appendPQExpBufferStr(buf, " (current)");
	if (parents && r->is_branch_point)
		appendPQExpBufferStr(buf, " (branchpoint)");
	if (parents && r->is_merge_point)
		appendPQExpBufferStr(buf, " (mergepoint)");
	if (doc)
		appendPQExpBuffer(buf, ", %s", r->message);
}

/* True if r lists parent among the revisions it revises. */
static bool
revises(const RevInfo *r, const char *parent)
{
	int			i;

	for (i = 0; i < r->nrevises; i++)
		if (strcmp(r->revises[i], parent) == 0)
			return true;
	return false;
}

/* The detailed form, as Alembic's --verbose prints a revision. */
static void
format_verbose(PQExpBuffer buf, const RevInfo *r, const RevInfo *all, int n,
			   bool indicate_current)
{
	int			i;
	int			nchildren = 0;

	appendPQExpBuffer(buf, "Rev: %s%s%s%s%s\n", r->id,
					  r->is_head ? " (head)" : "",
					  r->is_branch_point ? " (branchpoint)" : "",
					  r->is_merge_point ? " (mergepoint)" : "",
					  indicate_current && r->is_current ? " (current)" : "");
	appendPQExpBufferStr(buf, r->is_merge_point ? "Merges: " : "Parent: ");
	append_list(buf, r->revises, r->nrevises, true);
	appendPQExpBufferChar(buf, '\n');
	if (r->ndepends_on > 0)
	{
		appendPQExpBufferStr(buf, "Also depends on: ");
		append_list(buf, r->depends_on, r->ndepends_on, false);
		appendPQExpBufferChar(buf, '\n');
	}
	if (r->is_branch_point)
	{
		appendPQExpBufferStr(buf, "Branches into: ");
		for (i = 0; i < n; i++)
			if (revises(&all[i], r->id))
				appendPQExpBuffer(buf, "%s%s", nchildren++ > 0 ? ", " : "",
								  all[i].id);
		appendPQExpBufferChar(buf, '\n');
	}
	if (r->nlabels > 0)
	{
		appendPQExpBufferStr(buf, "Branch names: ");
		append_list(buf, r->labels, r->nlabels, false);
		appendPQExpBufferChar(buf, '\n');
	}
	if (r->file_name)
		appendPQExpBuffer(buf, "Path: %s\n", r->file_name);
	if (r->applied)
		appendPQExpBuffer(buf, "Applied: %s\n",
						  r->applied_at ? r->applied_at : "yes");
	else
		appendPQExpBufferStr(buf, "Applied: no\n");
	appendPQExpBuffer(buf, "\n    %s\n", r->message);
}

/* Print the revisions of all (n of them) for which pick is true. */
static void
print_revisions(const RevInfo *all, int n, const bool *pick, bool verbose,
				bool parents, bool doc, bool indicate_current)
{
	PQExpBuffer buf = createPQExpBuffer();
	bool		first = true;
	int			i;

	for (i = 0; i < n; i++)
	{
		if (!pick[i])
			continue;
		resetPQExpBuffer(buf);
		if (verbose)
		{
			if (!first)
				printf("\n");
			format_verbose(buf, &all[i], all, n, indicate_current);
			printf("%s", buf->data);
		}
		else
		{
			format_short(buf, &all[i], parents, doc, indicate_current);
			printf("%s\n", buf->data);
		}
		first = false;
	}
	destroyPQExpBuffer(buf);
}

/* current --scope: the current revisions of a tenant schema. */
static int
current_in_scope(const MigrateOptions *opts, PGconn *conn)
{
	PGresult   *res;
	char	   *sql;
	int			i;

	sql = psprintf("SELECT c, c IN (SELECT h FROM %s.migrate_heads() h)"
				   " FROM %s.migrate_current($1) c ORDER BY 1",
				   ext_schema, ext_schema);
	res = run_query(conn, sql, 1, &opts->scope);
	for (i = 0; i < PQntuples(res); i++)
		printf("%s%s\n", PQgetvalue(res, i, 0),
			   PQgetvalue(res, i, 1)[0] == 't' ? " (head)" : "");
	PQclear(res);
	pg_free(sql);
	return end_read_session(conn);
}

/* current: the current revisions, "rev (head)" as Alembic prints them. */
int
verb_current(const MigrateOptions *opts)
{
	PGconn	   *conn = report_session(opts);
	int			n;
	RevInfo    *all;
	bool	   *pick;
	int			i;

	if (opts->scope != NULL)
		return current_in_scope(opts, conn);
	all = fetch_history(conn, NULL, &n);
	pick = pg_malloc0(sizeof(bool) * (n + 1));

	for (i = 0; i < n; i++)
		pick[i] = all[i].is_current;
	print_revisions(all, n, pick, opts->verbose, false, false, false);
	return end_read_session(conn);
}

/* heads: the head revisions of the graph. */
int
verb_heads(const MigrateOptions *opts)
{
	PGconn	   *conn = report_session(opts);
	int			n;
	RevInfo    *all = fetch_history(conn, NULL, &n);
	bool	   *pick = pg_malloc0(sizeof(bool) * (n + 1));
	int			i;

	for (i = 0; i < n; i++)
		pick[i] = all[i].is_head;
	print_revisions(all, n, pick, opts->verbose, false, false, false);
	return end_read_session(conn);
}

/* branches: each branch point, then an arrow line per revision above it. */
int
verb_branches(const MigrateOptions *opts)
{
	PGconn	   *conn = report_session(opts);
	PQExpBuffer buf = createPQExpBuffer();
	int			n;
	RevInfo    *all = fetch_history(conn, NULL, &n);
	int			i;
	int			j;

	for (i = 0; i < n; i++)
	{
		if (!all[i].is_branch_point)
			continue;
		resetPQExpBuffer(buf);
		if (opts->verbose)
			format_verbose(buf, &all[i], all, n, false);
		else
		{
			format_short(buf, &all[i], false, false, false);
			appendPQExpBufferStr(buf, " (branchpoint)\n");
		}
		for (j = 0; j < n; j++)
		{
			if (!revises(&all[j], all[i].id))
				continue;
			appendPQExpBuffer(buf, "%*s -> ", (int) strlen(all[i].id), "");
			format_short(buf, &all[j], false, true, false);
			appendPQExpBufferChar(buf, '\n');
		}
		printf("%s", buf->data);
	}
	destroyPQExpBuffer(buf);
	return end_read_session(conn);
}

/* history [-r RANGE] [-v] [-i]: revisions, newest first. */
int
verb_history(const MigrateOptions *opts)
{
	PGconn	   *conn = report_session(opts);
	int			n;
	RevInfo    *all = fetch_history(conn, NULL, &n);
	bool	   *pick = pg_malloc0(sizeof(bool) * (n + 1));
	int			i;
	int			j;

	if (opts->rev_range == NULL)
	{
		for (i = 0; i < n; i++)
			pick[i] = true;
	}
	else
	{
		int			nrange;
		RevInfo    *range = fetch_history(conn, opts->rev_range, &nrange);

		/* both lists are newest first; keep the full one's details */
		for (i = 0; i < nrange; i++)
			for (j = 0; j < n; j++)
				if (strcmp(range[i].id, all[j].id) == 0)
					pick[j] = true;
	}
	print_revisions(all, n, pick, opts->verbose, true, true,
					opts->indicate_current);
	return end_read_session(conn);
}

/*
 * show REV: one revision in detail.  REV may be an id, a unique prefix of
 * one, a branch label, "current", "head" or "heads".
 */
int
verb_show(const MigrateOptions *opts)
{
	const char *rev = opts->args[0];
	PGconn	   *conn = report_session(opts);
	int			n;
	RevInfo    *all = fetch_history(conn, NULL, &n);
	bool	   *pick = pg_malloc0(sizeof(bool) * (n + 1));
	int			found = 0;
	bool		keyword = strcmp(rev, "current") == 0 ||
		strcmp(rev, "base") == 0 || strcmp(rev, "head") == 0 ||
		strcmp(rev, "heads") == 0;
	int			i;
	int			j;

	for (i = 0; i < n; i++)
	{
		if (strcmp(rev, "current") == 0)
			pick[i] = all[i].is_current;
		else if (strcmp(rev, "head") == 0 || strcmp(rev, "heads") == 0)
			pick[i] = all[i].is_head;
		else
			pick[i] = strcmp(all[i].id, rev) == 0;
		found += pick[i];
	}
	if (strcmp(rev, "head") == 0 && found > 1)
	{
		pg_log_error("multiple heads are present");
		pg_log_error_hint("Name one of them, or use \"heads\".");
		finish_and_exit(conn, EXIT_OTHER);
	}
	for (i = 0; i < n && found == 0 && !keyword; i++)
	{
		for (j = 0; j < all[i].nlabels; j++)
		{
			if (strcmp(all[i].labels[j], rev) == 0)
			{
				pick[i] = true;
				found++;
			}
		}
	}
	/* as in Alembic, a prefix needs four characters at least */
	if (found == 0 && !keyword && strlen(rev) >= 4)
	{
		for (i = 0; i < n; i++)
		{
			pick[i] = strncmp(all[i].id, rev, strlen(rev)) == 0;
			found += pick[i];
		}
		if (found > 1)
		{
			pg_log_error("revision prefix \"%s\" is ambiguous", rev);
			pg_log_error_hint("Give more characters of the revision id.");
			finish_and_exit(conn, EXIT_UNKNOWN_REVISION);
		}
	}
	if (found == 0 && !keyword)
	{
		pg_log_error("revision \"%s\" does not exist", rev);
		if (strlen(rev) < 4)
			pg_log_error_hint("A prefix needs at least four characters.");
		finish_and_exit(conn, EXIT_UNKNOWN_REVISION);
	}
	print_revisions(all, n, pick, true, false, false, true);
	return end_read_session(conn);
}

/* Print s as a Prometheus label value: backslash, quote and newline escaped. */
static void
print_label(const char *s)
{
	for (; *s; s++)
	{
		if (*s == '\\' || *s == '"')
			printf("\\%c", *s);
		else if (*s == '\n')
			printf("\\n");
		else
			putchar(*s);
	}
}

/* One metric with its HELP and TYPE lines, labelled with the database. */
static void
print_metric(const char *name, const char *help, const char *db,
			 const char *value)
{
	printf("# HELP %s %s\n# TYPE %s gauge\n%s{database=\"", name, help, name,
		   name);
	print_label(db);
	printf("\"} %s\n", value);
}

/*
 * status --format=prometheus: the health report's facts in Prometheus' text
 * exposition format, for a node_exporter textfile collector.  The numbers
 * are worked out by the server from migrate_status(), so both always agree.
 */
static int
status_prometheus(PGconn *conn)
{
	PGresult   *res;
	char	   *sql;
	const char *db;
	char	   *revs;
	char	   *rev;
	char	   *save;
	char		broken[16];

	sql = psprintf("WITH s AS (SELECT %s.migrate_status() AS j),"
				   " l AS (SELECT (j->'last_migration'->>'started_at')::timestamptz"
				   "   + coalesce((j->'last_migration'->>'duration_ms')::float8, 0)"
				   "   * interval '1 millisecond' AS at FROM s)"
				   " SELECT j->>'database',"
				   "  coalesce((SELECT string_agg(x, ' ' ORDER BY x)"
				   "            FROM jsonb_array_elements_text(j->'current') AS x), ''),"
				   "  j->>'pending_count', j->>'revision_count',"
				   "  jsonb_array_length(coalesce(j->'drift', '[]')),"
				   "  CASE WHEN jsonb_typeof(j->'interrupted') = 'object' THEN 1 ELSE 0 END,"
				   "  CASE WHEN (j->>'up_to_date')::boolean THEN 1 ELSE 0 END,"
				   "  extract(epoch FROM l.at),"
				   "  extract(epoch FROM pg_catalog.clock_timestamp() - l.at)"
				   " FROM s, l", ext_schema);
	res = run_query(conn, sql, 0, NULL);
	snprintf(broken, sizeof(broken), "%d", report_set.nbroken);
	db = PQgetvalue(res, 0, 0);

	printf("# HELP pg_migrate_revision_info The current schema revisions (value 1 each).\n"
		   "# TYPE pg_migrate_revision_info gauge\n");
	revs = pg_strdup(PQgetvalue(res, 0, 1));
	for (rev = strtok_r(revs, " ", &save); rev; rev = strtok_r(NULL, " ", &save))
	{
		printf("pg_migrate_revision_info{database=\"");
		print_label(db);
		printf("\",revision=\"");
		print_label(rev);
		printf("\"} 1\n");
	}
	pg_free(revs);
	print_metric("pg_migrate_pending_revisions",
				 "Revisions an upgrade to the heads would apply.", db,
				 PQgetvalue(res, 0, 2));
	print_metric("pg_migrate_registered_revisions",
				 "Revisions registered in the database.", db,
				 PQgetvalue(res, 0, 3));
	print_metric("pg_migrate_up_to_date",
				 "1 when nothing is pending and no revision file is broken, else 0.",
				 db, report_set.nbroken > 0 ? "0" : PQgetvalue(res, 0, 6));
	print_metric("pg_migrate_drifted_revisions",
				 "Applied revisions registered again with other SQL.", db,
				 PQgetvalue(res, 0, 4));
	print_metric("pg_migrate_interrupted",
				 "1 while a non-transactional revision is interrupted, else 0.",
				 db, PQgetvalue(res, 0, 5));
	print_metric("pg_migrate_broken_files",
				 "Revision files left out because they are unreadable, malformed or refused.",
				 db, broken);
	/* no migration yet: the two time series are absent, as Prometheus expects */
	if (!PQgetisnull(res, 0, 7))
	{
		print_metric("pg_migrate_last_migration_timestamp_seconds",
					 "When the newest migration ended, as a Unix time.", db,
					 PQgetvalue(res, 0, 7));
		print_metric("pg_migrate_seconds_since_last_migration",
					 "Seconds since the newest migration ended.", db,
					 PQgetvalue(res, 0, 8));
	}
	PQclear(res);
	return end_read_session(conn);
}

/*
 * status: migrate_status() as indented JSON, or as Prometheus metrics.
 * The JSON gets one key the server cannot know: "broken", the files of the
 * directory left out (file, line or null, error), so that the report
 * answers whatever the files hold; with one, "up_to_date" is false, as
 * what the broken file defines is not applied as it says.
 */
int
verb_status(const MigrateOptions *opts)
{
	PGconn	   *conn = report_session(opts);
	PGresult   *res;
	char	   *sql;
	char	   *params[5];
	char		nbroken[16];

	if (opts->fleet_format && strcmp(opts->fleet_format, "prometheus") == 0)
		return status_prometheus(conn);

	broken_params(params);
	/* the health report of the shared run, or of the scope (as $5) */
	sql = psprintf("SELECT pg_catalog.jsonb_pretty(%s.migrate_status(%s)"
				   " || pg_catalog.jsonb_build_object('broken',"
				   " (SELECT coalesce(pg_catalog.jsonb_agg("
				   "  pg_catalog.jsonb_build_object('file', f, 'line', NULLIF(l, 0),"
				   "  'error', e) ORDER BY o), '[]')"
				   "  FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]),"
				   "  pg_catalog.unnest($2::pg_catalog.int4[]),"
				   "  pg_catalog.unnest($3::pg_catalog.text[]))"
				   "  WITH ORDINALITY AS u(f, l, e, o)))"
				   " || CASE WHEN $4::pg_catalog.int4 > 0"
				   "  THEN pg_catalog.jsonb_build_object('up_to_date', false)"
				   "  ELSE '{}' END)",
				   ext_schema, opts->scope ? "$5" : "");
	snprintf(nbroken, sizeof(nbroken), "%d", report_set.nbroken);
	params[3] = nbroken;
	params[4] = (char *) opts->scope;
	res = run_query(conn, sql, opts->scope ? 5 : 4, (const char *const *) params);
	if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		printf("%s\n", PQgetvalue(res, 0, 0));
	PQclear(res);
	return end_read_session(conn);
}

/* pending [TARGET]: what an upgrade to TARGET would apply, in order. */
int
verb_pending(const MigrateOptions *opts)
{
	const char *target = opts->nargs > 0 ? opts->args[0] : "heads";
	PGconn	   *conn = read_session(opts);
	PGresult   *res;
	char	   *sql;
	int			i;

	sql = psprintf("SELECT step, revision, message, transactional"
				   " FROM %s.migrate_pending($1)", ext_schema);
	res = run_query(conn, sql, 1, &target);
	for (i = 0; i < PQntuples(res); i++)
		printf("%s/%d %s, %s%s\n", PQgetvalue(res, i, 0), PQntuples(res),
			   PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
			   PQgetvalue(res, i, 3)[0] == 'f' ? " (non-transactional)" : "");
	PQclear(res);
	return end_read_session(conn);
}

/*
 * check [TARGET]: succeed when nothing is pending.  migrate_check() raises
 * SQLSTATE 55000 naming what is pending; that becomes its own exit status.
 */
int
verb_check(const MigrateOptions *opts)
{
	const char *target = opts->nargs > 0 ? opts->args[0] : "heads";
	PGconn	   *conn = read_session(opts);
	PGresult   *res;
	char	   *sql;
	const char *state;
	const char *params[2] = {target, opts->scope};

	sql = psprintf("SELECT %s.migrate_check($1%s)", ext_schema,
				   opts->scope ? ", $2" : "");
	res = PQexecParams(conn, sql, opts->scope ? 2 : 1, NULL, params, NULL,
					   NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
	{
		printf("No new upgrade operations detected.\n");
		PQclear(res);
		return end_read_session(conn);
	}
	report_server_error(res, sql);
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	finish_and_exit(conn, state && strcmp(state, "55000") == 0 ?
					EXIT_PENDING : server_error_status(res));
	return EXIT_SQL;			/* not reached */
}

/* Seconds on a monotonic clock. */
static double
monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * wait [TARGET] [--timeout SECS]: block until another session has brought
 * the database to TARGET (default heads), 60 seconds at most by default.
 *
 * migrate_wait() is called in slices of a second, each its own
 * transaction, rather than once for the whole time: a statement that runs
 * for long holds back CREATE INDEX CONCURRENTLY in the very upgrade being
 * waited for, which waits out every older snapshot.  A slice that times
 * out (SQLSTATE 55000 after the full slice) is simply followed by another.
 */
int
verb_wait(const MigrateOptions *opts)
{
	const char *target = opts->nargs > 0 ? opts->args[0] : "heads";
	double		timeout = 60;
	double		deadline;
	PGconn	   *conn;
	char	   *sql;

	if (opts->timeout != NULL)
	{
		char	   *end;

		timeout = strtod(opts->timeout, &end);
		if (end == opts->timeout || *end != '\0' || timeout < 0 ||
			timeout > 1e7)
		{
			pg_log_error("invalid value for --timeout: \"%s\"", opts->timeout);
			exit(EXIT_USAGE);
		}
	}
	conn = read_session(opts);
	/* commit the registrations: an open one would block the upgrader */
	run_command(conn, "COMMIT");
	sql = psprintf("SELECT %s.migrate_wait($1, $2::pg_catalog.interval)",
				   ext_schema);
	deadline = monotonic_seconds() + timeout;
	for (;;)
	{
		double		start = monotonic_seconds();
		double		slice = Min(1.0, Max(deadline - start, 0.0));
		char		interval[64];
		const char *params[2];
		PGresult   *res;
		const char *state;

		snprintf(interval, sizeof(interval), "%.3f seconds", slice);
		params[0] = target;
		params[1] = interval;
		res = PQexecParams(conn, sql, 2, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(res) == PGRES_TUPLES_OK &&
			PQgetvalue(res, 0, 0)[0] == 't')
			break;
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (PQresultStatus(res) == PGRES_FATAL_ERROR &&
			state != NULL && strcmp(state, "55000") == 0 &&
			monotonic_seconds() < deadline &&
			monotonic_seconds() - start >= slice * 0.9)
		{
			PQclear(res);
			continue;
		}
		if (PQresultStatus(res) == PGRES_TUPLES_OK)
		{
			pg_log_error("target \"%s\" was not reached", target);
			finish_and_exit(conn, EXIT_OTHER);
		}
		report_server_error(res, sql);
		finish_and_exit(conn, server_error_status(res));
	}
	printf("target \"%s\" reached\n", target);
	PQfinish(conn);
	return EXIT_OK;
}
