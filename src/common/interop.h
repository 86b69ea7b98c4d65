/*-------------------------------------------------------------------------
 *
 * interop.h
 *	  The other migration tools pg_migrate imports from and adopts
 *	  databases of: their names, and how their versions become revision ids.
 *
 * One set of rules is used by "pg_migrate import" (which writes revision
 * files from another tool's history) and by "pg_migrate adopt" and the
 * catalog (which match those files to the other tool's version table), so
 * that both always agree:
 *
 *	- A revision id is the source's id when it is a valid revision id
 *	  (letters, digits, '_' and '-', at most MIGRATE_MAX_ID_LEN bytes);
 *	  otherwise every other byte becomes '_' (and a longer id is cut).
 *	  Which string is "the source's id" depends on the format:
 *	  alembic: the revision; golang-migrate, dbmate, diesel: the version as
 *	  written in the file or directory name; flyway: the version with '.'
 *	  written '_' ("V1.2__x.sql" gives "1_2"), and for a repeatable script
 *	  "R__" followed by its description ("R__views.sql" gives "R__views");
 *	  sqitch: the change name.
 *	- Each imported file carries a header line "-- source: FORMAT VERSION",
 *	  VERSION being exactly what the other tool writes in its version table:
 *	  alembic: the revision; golang-migrate: the version as a bigint's text
 *	  ("0001" gives "1"); dbmate: the version string; diesel: the version
 *	  with its non-digits removed ("2017-11-08-142003" gives
 *	  "20171108142003"); flyway: the version text with '_' written '.'
 *	  ("V1_2" gives "1.2"); a flyway repeatable script "R__" and its
 *	  description as in the file name ("R__refresh_views": Flyway's table
 *	  has no version for it and the description "refresh views");
 *	  sqitch: the change name (for an older copy of a reworked change,
 *	  "name@tag", as sqitch names its scripts).
 *
 * Plain C without SPI or libpq: compiled into the extension and the client.
 *
 * IDENTIFICATION
 *	  src/common/interop.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_INTEROP_H
#define MIGRATE_INTEROP_H

typedef enum MigrateInteropFormat
{
	MIGRATE_INTEROP_INVALID = -1,
	MIGRATE_INTEROP_ALEMBIC = 0,
	MIGRATE_INTEROP_GOLANG_MIGRATE,
	MIGRATE_INTEROP_DBMATE,
	MIGRATE_INTEROP_FLYWAY,
	MIGRATE_INTEROP_DIESEL,
	MIGRATE_INTEROP_SQITCH
} MigrateInteropFormat;

#define MIGRATE_INTEROP_NFORMATS 6

/* the formats, for messages */
#define MIGRATE_INTEROP_FORMAT_LIST \
	"\"alembic\", \"golang-migrate\", \"dbmate\", \"flyway\", \"diesel\" and \"sqitch\""

/* The header key naming a revision's origin: "-- source: FORMAT VERSION". */
#define MIGRATE_INTEROP_SOURCE_KEY "source"

/* The format's name as written on the command line and in headers. */
extern const char *migrate_interop_format_name(MigrateInteropFormat format);

/* The format named by len bytes of name, or MIGRATE_INTEROP_INVALID. */
extern MigrateInteropFormat migrate_interop_format_from_name(const char *name,
															 size_t len);

/*
 * The other tool's version table, schema-qualified where the tool fixes
 * the schema ("sqitch.changes"); the others live in the search path.
 */
extern const char *migrate_interop_version_table(MigrateInteropFormat format);

/*
 * len bytes of s as a valid revision id: bytes other than letters, digits,
 * '_' and '-' become '_', the result is cut to MIGRATE_MAX_ID_LEN bytes,
 * an empty id becomes "_", and a reserved word ("head", "base", ...)
 * gets a '_' appended.  palloc'd.
 */
extern char *migrate_interop_sanitize_id(const char *s, size_t len);

/*
 * The revision id of a source migration, from the id the format's files
 * give it (see the rules above: flyway's "1.2" gives "1_2").  palloc'd.
 */
extern char *migrate_interop_revision_id(MigrateInteropFormat format,
										 const char *source_id);

/*
 * The VERSION of the "-- source:" header: what the other tool writes in
 * its version table for the migration whose files give it source_id
 * (golang-migrate "0001" gives "1", flyway "1_2" gives "1.2").  palloc'd.
 */
extern char *migrate_interop_source_version(MigrateInteropFormat format,
											const char *source_id);

/*
 * Split the value of a "-- source:" header, "FORMAT VERSION", trimmed.
 * On success sets *format and *version / *version_len (pointing into
 * value) and returns true; false when the format is unknown or the
 * version is missing or holds a blank or a control character.
 */
extern bool migrate_interop_parse_source(const char *value, size_t len,
										 MigrateInteropFormat *format,
										 const char **version,
										 size_t *version_len);

/*
 * SQL (server side): "chain (revision, depth)", every revision imported
 * from sqitch with its place along the chain the plan's order makes, the
 * start of a WITH RECURSIVE; and the change_id of the rows of @T@ (a
 * sqitch.changes table) whose instance of the change is no longer
 * applied ($1: the applied revisions).  A reworked change has one row per
 * deployed instance, all with its name.
 */
#define MIGRATE_SQITCH_CHAIN_SQL \
	"WITH RECURSIVE chain (revision, depth) AS (" \
	" SELECT r.revision, 0 FROM migrate.revision r" \
	" WHERE r.source_format = 'sqitch' AND NOT EXISTS (SELECT FROM migrate.revision q" \
	" WHERE q.revision = ANY (r.revises) AND q.source_format = 'sqitch')" \
	" UNION ALL SELECT r.revision, c.depth + 1 FROM migrate.revision r" \
	" JOIN chain c ON c.revision = ANY (r.revises)" \
	" WHERE r.source_format = 'sqitch')"
#define MIGRATE_SQITCH_GONE_SQL \
	"SELECT d.change_id FROM (SELECT change_id, change," \
	" pg_catalog.row_number() OVER (PARTITION BY change" \
	" ORDER BY planned_at, committed_at) AS k FROM @T@) d" \
	" WHERE d.k > (SELECT pg_catalog.count(*) FROM migrate.revision r" \
	" WHERE r.revision = ANY ($1) AND r.source_format = 'sqitch'" \
	" AND pg_catalog.split_part(r.source_version, '@', 1) = d.change)"

#endif							/* MIGRATE_INTEROP_H */
