/*-------------------------------------------------------------------------
 *
 * importfmt.h
 *	  Parsers of other migration tools' files, for "pg_migrate import".
 *
 * Each parser reads what one tool's documentation says its files hold --
 * file and directory names, dbmate's section markers, Flyway's script
 * configuration, Diesel's metadata.toml, Sqitch's plan, the assignments of
 * an Alembic revision module -- from text given by the caller, and never
 * touches the file system, a server or an interpreter.  They are plain C
 * (palloc and StringInfo, nothing else), so they are unit-tested and
 * fuzzed alone.  Failures come back as a line and a message, in the style
 * of revfile.h.
 *
 * IDENTIFICATION
 *	  src/common/importfmt.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_IMPORTFMT_H
#define MIGRATE_IMPORTFMT_H

#include "common/revfile.h"

/* ---- file and directory names ---- */

/*
 * golang-migrate: "{version}_{title}.{up|down}.{ext}", version digits.
 * Sets *version (the digits as written, leading zeros kept), *title and
 * *up; false when name is not a migration file.
 */
extern bool migrate_import_golang_name(const char *name, char **version,
									   char **title, bool *up);

/* dbmate: "{version}_{name}.sql" or "{version}.sql", version digits. */
extern bool migrate_import_dbmate_name(const char *name, char **version,
									   char **title);

/* What a Flyway file name is. */
typedef enum MigrateFlywayKind
{
	MIGRATE_FLYWAY_NONE,		/* not a migration */
	MIGRATE_FLYWAY_VERSIONED,	/* V1.2__desc.sql */
	MIGRATE_FLYWAY_UNDO,		/* U1.2__desc.sql */
	MIGRATE_FLYWAY_REPEATABLE,	/* R__desc.sql */
	MIGRATE_FLYWAY_BASELINE		/* B1.2__desc.sql */
} MigrateFlywayKind;

/*
 * Flyway, with its default prefixes, separator "__" and suffix ".sql":
 * "{V|U|B}{version}__{description}.sql" or "R__{description}.sql", the
 * version being digits separated by '.' or '_'.  *version is as written
 * (NULL for a repeatable), *description as written (underscores kept).
 */
extern MigrateFlywayKind migrate_import_flyway_name(const char *name,
													char **version,
													char **description);

/*
 * Compare two Flyway versions as Flyway does: numerically part by part,
 * '.' and '_' alike, missing parts as zero ("1.0" equals "1").
 */
extern int	migrate_import_flyway_compare(const char *a, const char *b);

/* Diesel: a directory "{version}_{name}", version digits and dashes. */
extern bool migrate_import_diesel_name(const char *name, char **version,
									   char **title);

/* ---- contents ---- */

/*
 * dbmate: split a migration file at "-- migrate:up" and "-- migrate:down"
 * (each possibly followed by options such as "transaction:false").
 * *down is NULL when there is no down marker.  *up_transaction and
 * *down_transaction are false when the marker says "transaction:false".
 */
extern bool migrate_import_dbmate_split(const char *text, size_t len,
										char **up, char **down,
										bool *up_transaction,
										bool *down_transaction,
										MigrateParseError *err);

/*
 * A Flyway script configuration file ("key=value" lines, '#' comments):
 * *in_transaction is false when it says executeInTransaction=false; other
 * keys are ignored.  False on a line that is not "key=value".
 */
extern bool migrate_import_flyway_conf(const char *text, size_t len,
									   bool *in_transaction,
									   MigrateParseError *err);

/*
 * Diesel's metadata.toml: *in_transaction is false when it says
 * run_in_transaction = false.  Other keys and tables are ignored.
 */
extern bool migrate_import_diesel_metadata(const char *text, size_t len,
										   bool *in_transaction,
										   MigrateParseError *err);

/*
 * If the SQL's first statement is BEGIN (or START TRANSACTION) and its
 * last COMMIT, each alone on its line, return a copy without those two
 * lines (a revision runs in the migration's transaction and refuses
 * transaction control); otherwise NULL.
 */
extern char *migrate_import_strip_transaction(const char *sql);

/* ---- Sqitch ---- */

typedef struct MigrateSqitchChange
{
	char	   *name;			/* the change name */
	char	   *script;			/* script base name: "name" or "name@tag" */
	char	  **requires;		/* dependencies as written, no '!' */
	int			nrequires;
	char	  **conflicts;		/* "!x" dependencies, without the '!' */
	int			nconflicts;
	char	  **tags;			/* tags on this change, without '@' */
	int			ntags;
	char	   *note;			/* "" when none */
	char	   *planner;		/* "Name <email>" */
	char	   *timestamp;		/* as written */
	int			line;
} MigrateSqitchChange;

typedef struct MigrateSqitchPlan
{
	char	   *project;		/* %project, NULL when absent */
	char	   *syntax_version; /* %syntax-version, NULL when absent */
	MigrateSqitchChange *changes;	/* in plan order */
	int			nchanges;
} MigrateSqitchPlan;

/*
 * Parse a sqitch.plan.  A reworked change (a name given again after a
 * tag) keeps its name; the earlier copies' script is "name@tag", tag being
 * the first tag after that copy, as "sqitch rework" names the files.
 */
extern bool migrate_import_sqitch_plan(const char *text, size_t len,
									   MigrateSqitchPlan *plan,
									   MigrateParseError *err);

/*
 * The value of key in [section] (or [section "subsection"]) of a
 * sqitch.conf (git-config syntax), the last one set; NULL when none.
 */
extern char *migrate_import_sqitch_conf_value(const char *text, size_t len,
											  const char *section,
											  const char *subsection,
											  const char *key);

/* ---- Alembic ---- */

typedef struct MigrateAlembicRev
{
	char	   *revision;		/* NULL when the module assigns none */
	char	  **down_revisions; /* empty for a root */
	int			ndown_revisions;
	char	  **depends_on;
	int			ndepends_on;
	char	  **branch_labels;
	int			nbranch_labels;
	char	   *message;		/* first line of the docstring, or "" */
	bool		autocommit;		/* uses autocommit_block() */
} MigrateAlembicRev;

/*
 * Read the module-level assignments of an Alembic revision module
 * (revision, down_revision, branch_labels, depends_on: a string, None, or
 * a tuple or list of strings, with or without a type annotation) and its
 * docstring, without running it.  False when a value is not such a
 * literal, or the file is not UTF-8.
 */
extern bool migrate_import_alembic_module(const char *text, size_t len,
										  MigrateAlembicRev *rev,
										  MigrateParseError *err);

/*
 * The value of key in the [section] of an INI file (Alembic's alembic.ini),
 * with "%(here)s" replaced by here; NULL when absent.
 */
extern char *migrate_import_ini_value(const char *text, size_t len,
									  const char *section, const char *key,
									  const char *here);

#endif							/* MIGRATE_IMPORTFMT_H */
