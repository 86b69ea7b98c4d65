/*-------------------------------------------------------------------------
 *
 * adopted.c
 *	  Keeping the version table of the tool a database was adopted from
 *	  (migrate_adopt with keep_version_table) in step with the version rows.
 *
 * IDENTIFICATION
 *	  src/engine/adopted.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "pg_migrate.h"
#include "common/interop.h"

/* s with every "@T@" replaced by table. */
char *
migrate_adopted_with_table(const char *s, const char *table)
{
	StringInfoData buf;
	const char *p;

	initStringInfo(&buf);
	while ((p = strstr(s, "@T@")) != NULL)
	{
		appendBinaryStringInfo(&buf, s, p - s);
		appendStringInfoString(&buf, table);
		s = p + 3;
	}
	appendStringInfoString(&buf, s);
	return buf.data;
}

/*
 * The statements that bring the other tool's version table in line with
 * the revisions applied ($1, every applied revision) and the version rows
 * ($2, the heads).  Only revisions imported from that tool (their
 * "-- source:" version) have rows there, except that alembic_version,
 * which holds heads, names a later pg_migrate revision by its id.
 */
static const char *const sync_sql[MIGRATE_INTEROP_NFORMATS] = {
	/* alembic: one row per head */
	"DELETE FROM @T@;"
	" INSERT INTO @T@ (version_num)"
	" SELECT COALESCE(r.source_version, r.revision) FROM migrate.revision r"
	" WHERE r.revision = ANY ($2)",

	/* golang-migrate: one row, the newest applied version, clean */
	"DELETE FROM @T@;"
	" INSERT INTO @T@ (version, dirty)"
	" SELECT r.source_version::pg_catalog.int8, false FROM migrate.revision r"
	" WHERE r.revision = ANY ($1) AND r.source_format = 'golang-migrate'"
	" ORDER BY r.source_version::pg_catalog.int8 DESC LIMIT 1",

	/* dbmate: one row per applied version */
	"DELETE FROM @T@ WHERE version NOT IN"
	" (SELECT r.source_version FROM migrate.revision r"
	" WHERE r.revision = ANY ($1) AND r.source_format = 'dbmate');"
	" INSERT INTO @T@ (version)"
	" SELECT r.source_version FROM migrate.revision r"
	" WHERE r.revision = ANY ($1) AND r.source_format = 'dbmate'"
	" ON CONFLICT DO NOTHING",

	/*
	 * flyway: the history only grows.  A revision applied now whose last
	 * row is not a successful application gets a row of its own; one
	 * whose last row is, and that is no longer applied, gets the row an
	 * undo script would leave.  Rows go in version order (Flyway's, not
	 * the order of registration): applications upwards with repeatable
	 * scripts last, undos downwards.  Repeatable scripts have no version.
	 */
	"WITH cur AS ("
	" SELECT DISTINCT ON (v) v, type"
	" FROM (SELECT COALESCE(version, 'R__' || pg_catalog.replace(description, ' ', '_')) AS v,"
	" type, installed_rank FROM @T@"
	" WHERE success AND type <> 'SCHEMA') h ORDER BY v, installed_rank DESC),"
	" mine AS ("
	" SELECT r.seq, r.source_version AS v, r.revision = ANY ($1) AS applied,"
	" r.message, r.file_name FROM migrate.revision r"
	" WHERE r.source_format = 'flyway'),"
	" steps AS ("
	" SELECT m.*, c.type AS last_type,"
	" CASE WHEN m.v ~ '^[0-9]+([.][0-9]+)*$'"
	" THEN pg_catalog.string_to_array(m.v, '.')::pg_catalog.numeric[] END AS vkey"
	" FROM mine m LEFT JOIN cur c USING (v)"
	" WHERE m.applied IS DISTINCT FROM (c.type IS NOT NULL AND c.type !~~ 'UNDO%'"
	" AND c.type <> 'DELETE'))"
	" INSERT INTO @T@ (installed_rank, version, description,"
	" type, script, checksum, installed_by, installed_on, execution_time, success)"
	" SELECT COALESCE((SELECT max(installed_rank) FROM @T@), 0)"
	" + pg_catalog.row_number() OVER (ORDER BY"
	" CASE WHEN s.applied THEN s.vkey END ASC NULLS LAST,"
	" CASE WHEN NOT s.applied THEN s.vkey END DESC NULLS FIRST, s.v),"
	" CASE WHEN s.v ~~ 'R\\_\\_%' THEN NULL ELSE s.v END,"
	" COALESCE((SELECT f.description FROM @T@ f"
	" WHERE f.version = s.v OR (f.version IS NULL AND"
	" 'R__' || pg_catalog.replace(f.description, ' ', '_') = s.v)"
	" ORDER BY f.installed_rank DESC LIMIT 1),"
	" CASE WHEN s.message <> '' THEN s.message"
	" WHEN s.v ~~ 'R\\_\\_%' THEN pg_catalog.replace(pg_catalog.substr(s.v, 4), '_', ' ')"
	" ELSE s.v END),"
	" CASE WHEN s.applied THEN 'SQL' ELSE 'UNDO_SQL' END,"
	" COALESCE(s.file_name, s.v), NULL, CURRENT_USER, pg_catalog.now(), 0, true"
	" FROM steps s",

	/* diesel: one row per applied version */
	"DELETE FROM @T@ WHERE version NOT IN"
	" (SELECT r.source_version FROM migrate.revision r"
	" WHERE r.revision = ANY ($1) AND r.source_format = 'diesel');"
	" INSERT INTO @T@ (version)"
	" SELECT r.source_version FROM migrate.revision r"
	" WHERE r.revision = ANY ($1) AND r.source_format = 'diesel'"
	" ON CONFLICT DO NOTHING",

	/*
	 * sqitch: one changes row per deployed change, in the plan's project.
	 * A reworked change has a row per deployed instance, all with its
	 * name: the k-th row of a name (in plan order) is the k-th revision
	 * of that name along the chain, "name@tag" copies before "name".  The
	 * rows of reverted instances go, with the tags on them (sqitch.tags
	 * refers to them), newest first; applied instances without a row get
	 * one, in plan order.  Their dependencies rows go first: a later
	 * change's row names an earlier one, and both may go at once.
	 */
	"DELETE FROM sqitch.tags WHERE change_id IN (" MIGRATE_SQITCH_GONE_SQL "); "
	"DELETE FROM sqitch.dependencies WHERE change_id IN (" MIGRATE_SQITCH_GONE_SQL "); "
	"DELETE FROM @T@ WHERE change_id IN (" MIGRATE_SQITCH_GONE_SQL "); "
	MIGRATE_SQITCH_CHAIN_SQL
	" INSERT INTO @T@ (change_id, script_hash, change, project,"
	" note, committed_at, committer_name, committer_email, planned_at,"
	" planner_name, planner_email)"
	" SELECT s.change_id, s.script_hash, s.name, s.project, s.message,"
	" pg_catalog.clock_timestamp(), CURRENT_USER, '', s.registered_at,"
	" s.registered_by, ''"
	" FROM (SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to("
	" p.project || ' ' || m.source_version, 'UTF8')), 'hex') AS change_id,"
	" m.upgrade_checksum AS script_hash, m.name, p.project, m.message,"
	" m.registered_at, m.registered_by"
	" FROM (SELECT r.*, c.depth, pg_catalog.split_part(r.source_version, '@', 1) AS name,"
	" pg_catalog.row_number() OVER (PARTITION BY"
	" pg_catalog.split_part(r.source_version, '@', 1) ORDER BY c.depth) AS k"
	" FROM migrate.revision r JOIN chain c USING (revision)"
	" WHERE r.revision = ANY ($1)) m,"
	" (SELECT COALESCE((SELECT project FROM @T@ LIMIT 1),"
	" (SELECT project FROM sqitch.projects LIMIT 1)) AS project) p"
	" WHERE m.k > (SELECT pg_catalog.count(*) FROM @T@ t WHERE t.change = m.name)"
	" ORDER BY m.depth) s",
};

/*
 * Is stmt a DELETE from a table that does not exist?  The statements
 * touch tables beside the version table (sqitch.tags, whose rows refer to
 * the changes); a registry without them has no rows to remove there.
 */
static bool
other_table_missing(const char *stmt)
{
	const char *rel;
	const char *end;
	bool		missing;

	if (strncmp(stmt, "DELETE FROM ", 12) != 0)
		return false;
	rel = stmt + 12;
	end = strchr(rel, ' ');
	if (end == NULL)
		return false;
	if (SPI_execute(psprintf("SELECT pg_catalog.to_regclass(%s)",
							 quote_literal_cstr(pnstrdup(rel, end - rel))),
					true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not look up a table");
	missing = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1) == NULL;
	return missing;
}

/*
 * After the version rows changed (upgrade, downgrade, stamp, a recorded
 * client-run step), and in the same transaction: when the database was
 * adopted with keep_version_table, bring the other tool's table in line.
 * Called by migrate_set_version (record.c).  The other tool's table is
 * written through the catalog's frame, as the extension owner.
 */
void
migrate_adopted_sync(const MigrateState *state, const int *rows, int nrows)
{
	int			nnodes = migrate_graph_size(state->graph);
	bool	   *applied = palloc0(sizeof(bool) * Max(nnodes, 1));
	char	  **applied_ids = palloc(sizeof(char *) * Max(nnodes, 1));
	char	  **head_ids = palloc(sizeof(char *) * Max(nrows, 1));
	int			napplied = 0;
	MigrateInteropFormat format;
	char	   *table;
	Oid			argtypes[2] = {TEXTARRAYOID, TEXTARRAYOID};
	Datum		args[2];
	int			i;
	void	   *frame = migrate_catalog_begin();

	SPI_connect();
	if (SPI_execute("SELECT format, version_table FROM migrate.adopted"
					" WHERE keep_version_table", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read migrate.adopted");
	if (SPI_processed == 0)
	{
		SPI_finish();
		migrate_catalog_end(frame);
		return;
	}
	{
		char	   *fname = SPI_getvalue(SPI_tuptable->vals[0],
										 SPI_tuptable->tupdesc, 1);

		format = migrate_interop_format_from_name(fname, strlen(fname));
		table = SPI_getvalue(SPI_tuptable->vals[0],
							 SPI_tuptable->tupdesc, 2);
	}
	if (format == MIGRATE_INTEROP_INVALID)
		elog(ERROR, "unexpected format in migrate.adopted");
	if (SPI_execute(psprintf("SELECT pg_catalog.to_regclass(%s)",
							 quote_literal_cstr(table)), true, 1) != SPI_OK_SELECT ||
		SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("version table %s of %s does not exist", table,
						migrate_interop_format_name(format)),
				 errdetail("The database was adopted from %s with keep_version_table, so every change of the version rows updates that table.",
						   migrate_interop_format_name(format)),
				 errhint("Restore the table, or adopt again without keep_version_table.")));

	migrate_graph_applied(state->graph, rows, nrows, applied);
	for (i = 0; i < nnodes; i++)
		if (applied[i])
			applied_ids[napplied++] = (char *) migrate_graph_id(state->graph, i);
	for (i = 0; i < nrows; i++)
		head_ids[i] = (char *) migrate_graph_id(state->graph, rows[i]);
	args[0] = migrate_text_array(applied_ids, napplied);
	args[1] = migrate_text_array(head_ids, nrows);

	{
		/* one statement at a time: SPI takes parameters for single ones */
		char	   *all = migrate_adopted_with_table(sync_sql[format], table);
		char	   *stmt = all;
		char	   *semi;

		do
		{
			semi = strstr(stmt, "; ");
			if (semi)
				*semi = '\0';
			if (!other_table_missing(stmt) &&
				SPI_execute_with_args(stmt, 2, argtypes, args, NULL,
									  false, 0) < 0)
				elog(ERROR, "could not update the version table of %s",
					 migrate_interop_format_name(format));
			if (semi)
				stmt = semi + 2;
		} while (semi);
	}
	SPI_finish();
	migrate_catalog_end(frame);
}
