/*-------------------------------------------------------------------------
 *
 * autogen.c
 *	  revision --autogenerate: a revision written from the declared schema,
 *	  and proven before it is written.
 *
 * The upgrade is the SQL from the revisions at head to the declared
 * schema, the downgrade the SQL back.  Both are run in a scratch database
 * at head before anything is written: after the upgrade its schema must be
 * the declared one, after the downgrade the one at head again, object for
 * object.  Only then is the file written.  An upgrade that loses data needs
 * --allow-data-loss; a downgrade undoes the upgrade, so it may drop what
 * the upgrade added.  With --concurrently, index builds on existing tables
 * go into a second revision marked "transactional: false".
 *
 * IDENTIFICATION
 *	  client/autogen.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include "common/logging.h"
#include "common/schemadiff.h"
#include "lib/stringinfo.h"
#include "client.h"

/* Whether id is one of the n objects. */
static bool
among(const char *id, const char **ids, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return true;
	return false;
}

/*
 * The statements of diff for one revision file: the transactional ones
 * (nontx false) or the others, leaving out those about the objects skip
 * names (or keeping only those, with only).
 */
static int
pick(const MigrateDiff *diff, bool nontx, const char **objs, int nobjs,
	 bool only, MigrateDiffStatement **out)
{
	MigrateDiffStatement *picked = pg_malloc(sizeof(MigrateDiffStatement) * (diff->nstmts + 1));
	int			n = 0;
	int			i;

	for (i = 0; i < diff->nstmts; i++)
	{
		const MigrateDiffStatement *s = &diff->stmts[i];
		bool		listed = among(s->object, objs, nobjs);

		if (only ? !listed : (listed || s->nontransactional != nontx))
			continue;
		picked[n++] = *s;
	}
	*out = picked;
	return n;
}

/* The statements as a revision section. */
static char *
section_text(const MigrateDiffStatement *stmts, int n, bool concurrently_drop)
{
	StringInfoData buf;
	bool		functions = false;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < n; i++)
		if (strncmp(stmts[i].sql, "CREATE OR REPLACE FUNCTION", 26) == 0 ||
			strncmp(stmts[i].sql, "CREATE OR REPLACE PROCEDURE", 27) == 0)
			functions = true;
	if (functions)
		appendStringInfoString(&buf, "-- function bodies are checked when they run, not before every object they use exists\nSET LOCAL check_function_bodies = off;\n");
	for (i = 0; i < n; i++)
	{
		const char *sql = stmts[i].sql;

		if (i > 0 || functions)
			appendStringInfoChar(&buf, '\n');
		if (stmts[i].note)
			appendStringInfo(&buf, "%s\n", stmts[i].note);
		if (stmts[i].data_loss && stmts[i].note == NULL)
			appendStringInfoString(&buf, "-- loses data\n");
		if (concurrently_drop && strncmp(sql, "DROP INDEX ", 11) == 0)
			appendStringInfo(&buf, "DROP INDEX CONCURRENTLY %s\n", sql + 11);
		else
			appendStringInfo(&buf, "%s\n", sql);
	}
	return buf.data;
}

/* Run statements in conn, in one transaction unless nontx; false on an error. */
static bool
run_statements(PGconn *conn, const MigrateDiffStatement *stmts, int n,
			   bool nontx, const char *what, bool concurrently_drop)
{
	int			i;
	PGresult   *res;

	if (!nontx)
		PQclear(PQexec(conn, "BEGIN"));
	if (!nontx)
		PQclear(PQexec(conn, "SET LOCAL check_function_bodies = off"));
	for (i = 0; i < n; i++)
	{
		char	   *sql = concurrently_drop && strncmp(stmts[i].sql, "DROP INDEX ", 11) == 0 ?
			psprintf("DROP INDEX CONCURRENTLY %s", stmts[i].sql + 11) : pg_strdup(stmts[i].sql);

		res = PQexec(conn, sql);
		if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		{
			pg_log_error("the generated %s fails in a scratch database: %s",
						 what, PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
			pg_log_error_detail("The statement was: %s", sql);
			PQclear(res);
			if (!nontx)
				PQclear(PQexec(conn, "ROLLBACK"));
			return false;
		}
		PQclear(res);
	}
	if (!nontx)
		PQclear(PQexec(conn, "COMMIT"));
	return true;
}

/* List the objects that differ between the two snapshots; false if any. */
static bool
report_differences(const MigrateSchemaSnapshot *got,
				   const MigrateSchemaSnapshot *want, const char *after)
{
	char	  **ids;
	int			n = migrate_snapshot_differences(got, want, &ids);
	int			i;

	if (n == 0)
		return true;
	pg_log_error("after the generated %s, %d object%s of the scratch database differ%s from what was expected",
				 after, n, n == 1 ? "" : "s", n == 1 ? "s" : "");
	for (i = 0; i < n && i < 20; i++)
		fprintf(stderr, "    %s\n", ids[i]);
	if (n > 20)
		fprintf(stderr, "    ... and %d more\n", n - 20);
	return false;
}

/*
 * The upgrade section with the findings of the lint rules (migrate_lint_file,
 * run in the scratch database, back at head after the proof) above it, one
 * comment line each, naming the statement.  The file is linted as it will
 * be written.
 */
static char *
with_lint(PGconn *conn, const MigrateRevFile *rev, const char *upgrade)
{
	MigrateRevFile copy = *rev;
	char	   *text;
	const char *params[2];
	PGresult   *res;
	StringInfoData buf;
	int			i;

	if (copy.revision == NULL)
		copy.revision = "autogenerated";
	copy.upgrade = (char *) upgrade;
	text = migrate_format_revfile(&copy);
	params[0] = "autogenerated.sql";
	params[1] = text;
	res = PQexecParams(conn,
					   "SELECT rule, statement, message FROM migrate_lint_file($1, $2)"
					   " WHERE section = 'upgrade' AND NOT silenced ORDER BY statement, rule",
					   2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) == 0)
	{
		PQclear(res);
		return (char *) upgrade;
	}
	initStringInfo(&buf);
	for (i = 0; i < PQntuples(res); i++)
		appendStringInfo(&buf, "-- lint %s, statement %s: %s\n", PQgetvalue(res, i, 0),
						 PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
	appendStringInfoString(&buf, upgrade);
	PQclear(res);
	return buf.data;
}

/*
 * Fill rev's upgrade and downgrade (and, with --concurrently, extra's)
 * from the declared schema, after proving them; returns false when there
 * is nothing to change.  Exits on a failed proof.
 */
bool
autogenerate_revision(const MigrateOptions *opts, MigrateRevFile *rev,
					  MigrateRevFile *extra, bool *has_extra)
{
	PGconn	   *admin = diff_admin_connection(opts);
	char	   *conninfo;
	PGconn	   *work = scratch_at_revision(admin, "heads", opts, &conninfo);
	MigrateSchemaSnapshot *at_head = schema_snapshot(work, opts);
	MigrateSchemaSnapshot *declared = side_snapshot(opts->schema_dir, admin, opts);
	MigrateDiffOptions *dopts = diff_options(opts);
	MigrateDiff *up = migrate_schema_diff(at_head, declared, dopts);
	MigrateDiff *down;
	MigrateDiffStatement *up_tx, *up_nontx, *down_tx, *down_nontx;
	int			nup_tx, nup_nontx, ndown_tx, ndown_nontx;
	const char **nontx_objs;
	int			nnontx_objs = 0;
	bool		ok;
	int			i;

	PQfinish(admin);
	*has_extra = false;
	if (up->nstmts == 0)
		return false;
	dopts->concurrently = false;
	down = migrate_schema_diff(declared, at_head, dopts);

	if (up->nunsupported > 0 || down->nunsupported > 0)
	{
		pg_log_error("the declared schema cannot be reached with generated statements alone");
		for (i = 0; i < up->nstmts; i++)
			if (up->stmts[i].unsupported)
				fprintf(stderr, "    upgrade: %s\n", up->stmts[i].sql + 3);
		for (i = 0; i < down->nstmts; i++)
			if (down->stmts[i].unsupported)
				fprintf(stderr, "    downgrade: %s\n", down->stmts[i].sql + 3);
		pg_log_error_hint("Write this revision by hand: pg_migrate revision -m MESSAGE.");
		exit(EXIT_UNVERIFIED);
	}
	if (up->ndata_loss > 0 && !opts->allow_data_loss)
	{
		pg_log_error("the upgrade would lose data");
		for (i = 0; i < up->nstmts; i++)
			if (up->stmts[i].data_loss)
				fprintf(stderr, "    %s\n", up->stmts[i].sql);
		pg_log_error_hint("If that is meant, run again with --allow-data-loss; to rename rather than drop and add, use --rename OLD=NEW.");
		exit(EXIT_DATA_LOSS);
	}

	/* with --concurrently, index builds go into a revision of their own */
	nontx_objs = pg_malloc(sizeof(char *) * (up->nstmts + 1));
	for (i = 0; i < up->nstmts; i++)
		if (up->stmts[i].nontransactional)
			nontx_objs[nnontx_objs++] = up->stmts[i].object;
	nup_tx = pick(up, false, nontx_objs, nnontx_objs, false, &up_tx);
	nup_nontx = pick(up, true, nontx_objs, nnontx_objs, true, &up_nontx);
	ndown_tx = pick(down, false, nontx_objs, nnontx_objs, false, &down_tx);
	ndown_nontx = pick(down, false, nontx_objs, nnontx_objs, true, &down_nontx);

	/* the proof, in the scratch database at head */
	ok = run_statements(work, up_tx, nup_tx, false, "upgrade", false) &&
		run_statements(work, up_nontx, nup_nontx, true, "upgrade", false);
	if (ok)
		ok = report_differences(schema_snapshot(work, opts), declared, "upgrade");
	if (ok)
		ok = run_statements(work, down_nontx, ndown_nontx, true, "downgrade", true) &&
			run_statements(work, down_tx, ndown_tx, false, "downgrade", false);
	if (ok)
		ok = report_differences(schema_snapshot(work, opts), at_head, "downgrade");
	if (!ok)
	{
		PQfinish(work);
		pg_log_error_hint("No file was written.  Write this revision by hand, or change the declared schema.");
		exit(EXIT_UNVERIFIED);
	}

	rev->upgrade = section_text(up_tx, nup_tx, false);
	rev->downgrade = section_text(down_tx, ndown_tx, false);
	rev->upgrade = with_lint(work, rev, rev->upgrade);
	if (nup_nontx > 0)
	{
		*has_extra = true;
		extra->transactional = false;
		extra->upgrade = section_text(up_nontx, nup_nontx, false);
		extra->downgrade = section_text(down_nontx, ndown_nontx, true);
		extra->upgrade = with_lint(work, extra, extra->upgrade);
	}
	PQfinish(work);
	for (i = 0; i < up->nstmts; i++)
		if (i == 0 || strcmp(up->stmts[i].object, up->stmts[i - 1].object) != 0)
			fprintf(stderr, "pg_migrate: detected %s\n", up->stmts[i].object);
	return true;
}
