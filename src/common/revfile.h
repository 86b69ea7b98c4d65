/*-------------------------------------------------------------------------
 *
 * revfile.h
 *	  Parsing and writing of revision files.
 *
 * A revision file is plain SQL with a header of "-- key: value" comment
 * lines, then a "-- migrate:upgrade" section and an optional
 * "-- migrate:downgrade" section.  This code is shared by the server
 * extension and the client program: it uses palloc (the frontend build
 * gets it from libpgcommon) and never raises errors itself; failures come
 * back as a line number and a message.
 *
 * IDENTIFICATION
 *	  src/common/revfile.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_REVFILE_H
#define MIGRATE_REVFILE_H

/* longest revision id or branch label accepted, in bytes */
#define MIGRATE_MAX_ID_LEN 128

/*
 * Lint rules are named "PM" and three digits, numbered from PM001 to
 * PM<MIGRATE_LINT_RULE_COUNT> without gaps (src/lintrules.c describes
 * them); a "-- lint-ignore:" header line may name any of them.
 */
#define MIGRATE_LINT_RULE_COUNT 28

/* One "-- lint-ignore: PMnnn reason" header line. */
typedef struct MigrateLintIgnore
{
	char	   *rule;			/* canonical id, "PM003" */
	char	   *reason;			/* never empty */
	int			line;			/* line of the header, 0 when unknown */
} MigrateLintIgnore;

/*
 * Which runs a revision belongs to when revisions are applied per tenant
 * schema ("scopes"): the "-- scope:" header.  The unscoped run is the
 * shared one.
 */
typedef enum MigrateScopeKind
{
	MIGRATE_SCOPE_ALL = 0,		/* every run: shared and each tenant (default) */
	MIGRATE_SCOPE_SHARED,		/* "-- scope: shared": the unscoped run only */
	MIGRATE_SCOPE_TENANT		/* "-- scope: tenant": the scoped runs only */
} MigrateScopeKind;

/* The header value of a scope kind ("all", "shared", "tenant"). */
extern const char *migrate_scope_kind_name(MigrateScopeKind kind);

/*
 * The scope kind a header value names (any case); false when it names
 * none.
 */
extern bool migrate_scope_kind_parse(const char *s, size_t len,
									 MigrateScopeKind *kind);

/* One parsed revision file.  All strings are palloc'd. */
typedef struct MigrateRevFile
{
	char	   *revision;		/* the id; letters, digits, '_' and '-' */
	char	  **revises;		/* parent ids; empty for a root */
	int			nrevises;
	char	  **depends_on;		/* ids this revision depends on */
	int			ndepends_on;
	char	  **branch_labels;
	int			nbranch_labels;
	char	   *message;		/* "" when absent */
	bool		transactional;	/* default true */
	char	   *upgrade;		/* SQL of the upgrade section, never NULL */
	int			upgrade_line;	/* 1-based file line where it starts */
	char	   *downgrade;		/* NULL when there is no downgrade section */
	int			downgrade_line; /* 0 when there is none */
	MigrateLintIgnore *lint_ignores;	/* lint rules silenced, in file order */
	int			nlint_ignores;
	bool		repeatable;		/* "-- repeatable: true": no parents, run
								 * again whenever its upgrade SQL changes */
	char	   *source_format;	/* "-- source: FORMAT VERSION", the other
								 * tool's name; NULL when absent */
	char	   *source_version; /* its VERSION; NULL when absent */
	MigrateScopeKind scope;		/* "-- scope:", MIGRATE_SCOPE_ALL when absent */
} MigrateRevFile;

/* What went wrong, and where.  line is 0 when not tied to a line. */
typedef struct MigrateParseError
{
	int			line;
	char		message[256];
} MigrateParseError;

/*
 * Parse len bytes of content.  On success fills *out and returns true; on
 * failure fills *err (message in PostgreSQL style: lower case, no period)
 * and returns false, leaving *out unspecified.
 */
extern bool migrate_parse_revfile(const char *content, size_t len,
								  MigrateRevFile *out,
								  MigrateParseError *err);

/*
 * The number of the lint rule s (len bytes) names, "PM003" or "pm003"
 * giving 3; 0 when it names none.
 */
extern int	migrate_lint_rule_number(const char *s, size_t len);

/* True if id is a valid revision id or branch label. */
extern bool migrate_valid_id(const char *id, size_t len);

/*
 * True if id is one of the words targets use ("head", "heads", "base",
 * "current", and "None" for no parent): valid, but no revision id or
 * branch label may be one, since a target naming it would mean the word.
 */
extern bool migrate_reserved_id(const char *id, size_t len);

/* Characters allowed in revision ids, branch labels and header keys. */
static inline bool
migrate_is_id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* The reserved words, for messages. */
#define MIGRATE_RESERVED_IDS "\"head\", \"heads\", \"base\", \"current\" and \"None\""

/*
 * Render a revision as file text that migrate_parse_revfile reads back to
 * the same revision.  The result is palloc'd.
 */
extern char *migrate_format_revfile(const MigrateRevFile *rev);

/*
 * True if two revisions have the same values.  Line numbers are not
 * compared, as they depend on the layout of the file only.
 */
extern bool migrate_revfile_equal(const MigrateRevFile *a,
								  const MigrateRevFile *b);

/* Free everything a successful parse allocated (frontend convenience). */
extern void migrate_free_revfile(MigrateRevFile *rev);

#endif							/* MIGRATE_REVFILE_H */
