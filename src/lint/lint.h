/*-------------------------------------------------------------------------
 *
 * lint.h
 *	  Declarations shared by the files of the revision linter.
 *
 * The linter parses each section of a revision with the server's raw
 * parser and walks the statements (lintwalk.c for the statements,
 * lintalter.c for the subcommands of ALTER TABLE), asking the catalog
 * where the parse tree alone cannot tell (lintcat.c).  Each finding names
 * a rule of lintrules.c; lint.c turns the findings into the rows of the
 * SQL functions, silencing the rules a revision's header names.
 *
 * IDENTIFICATION
 *	  src/lint/lint.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_LINT_H
#define MIGRATE_LINT_H

#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"

#include "pg_migrate.h"
#include "common/revfile.h"

/*
 * error: the revision will fail, or will block the application for a time
 * that grows with the size of a table; warning: it breaks the running
 * application or loses data, or blocks it briefly; info: worth knowing.
 */
typedef enum MigrateLintSeverity
{
	LINT_ERROR,
	LINT_WARNING,
	LINT_INFO
} MigrateLintSeverity;

/* Rule numbers: PMnnn is rule nnn.  PM000 reports SQL that does not parse. */
typedef enum MigrateLintRuleNo
{
	LINT_SYNTAX = 0,
	LINT_INDEX_NOT_CONCURRENT = 1,
	LINT_VOLATILE_DEFAULT = 2,
	LINT_TYPE_REWRITE = 3,
	LINT_SET_NOT_NULL = 4,
	LINT_FK_NOT_VALID = 5,
	LINT_CHECK_NOT_VALID = 6,
	LINT_DROP_TABLE = 7,
	LINT_DROP_COLUMN = 8,
	LINT_RENAME_TABLE = 9,
	LINT_RENAME_COLUMN = 10,
	LINT_UNIQUE_NO_INDEX = 11,
	LINT_VACUUM_FULL = 12,
	LINT_CLUSTER = 13,
	LINT_LOCK_TABLE = 14,
	LINT_TRANSACTION_CONTROL = 15,
	LINT_NEEDS_OWN_TRANSACTION = 16,
	LINT_NO_DOWNGRADE = 17,
	LINT_NOT_NULL_NO_DEFAULT = 18,
	LINT_DROP_INDEX = 19,
	LINT_REINDEX = 20,
	LINT_REFRESH_MATVIEW = 21,
	LINT_TABLE_REWRITE = 22,
	LINT_TRUNCATE = 23,
	LINT_WHOLE_TABLE_DML = 24,
	LINT_ENUM_ADD_VALUE = 25,
	LINT_COPY_CLIENT = 26,
	LINT_NONTX_SEVERAL = 27,
	LINT_UNUSED_IGNORE = 28
} MigrateLintRuleNo;

typedef struct MigrateLintRule
{
	const char *id;				/* "PM001" */
	MigrateLintSeverity severity;
	const char *title;			/* what it finds, a short phrase */
	const char *why;			/* why it is dangerous: a sentence */
	const char *safe;			/* how to do it safely: the default hint */
} MigrateLintRule;

/* Where a finding is: the revision as a whole, or one of its sections. */
typedef enum MigrateLintSection
{
	LINT_SECTION_HEADER,
	LINT_SECTION_UPGRADE,
	LINT_SECTION_DOWNGRADE
} MigrateLintSection;

typedef struct MigrateLintFinding
{
	int			rule;			/* a MigrateLintRuleNo */
	MigrateLintSection section;
	int			statement;		/* 1-based within the section; 0: none */
	int			line;			/* file line (section line without a
								 * file); 0: none */
	char	   *message;		/* what and why, errmsg style */
	char	   *hint;			/* the safe way, full sentences */
	bool		silenced;
	char	   *reason;			/* the lint-ignore's reason when silenced */
} MigrateLintFinding;

/* lintrules.c */
extern const MigrateLintRule *migrate_lint_rule(int rule);
extern const char *migrate_lint_severity_name(MigrateLintSeverity severity);

/* lintwalk.c */
extern List *migrate_lint_revision(const MigrateRevision *rev);

/*
 * What the walk of one section knows: the revision, where the statement
 * being looked at is, and the objects created so far (a table created in
 * the same section is new and empty: nothing on it can block anyone).
 */
typedef struct LintSection
{
	const MigrateRevision *rev;
	MigrateLintSection section;
	const char *sql;
	int			first_line;		/* file line of the section's first line */
	int			stmtno;			/* the statement being looked at */
	int			line;			/* its line */
	List	   *findings;		/* MigrateLintFinding, in order */
	List	   *new_relations;	/* RangeVar: tables, views, matviews */
	List	   *new_indexes;	/* String */
	List	   *new_types;		/* qualified names: Lists of String */
	List	   *added_columns;	/* List (RangeVar, String) */
	List	   *notnull_checks; /* List (RangeVar, String column): validated */
	List	   *pending_checks; /* List (RangeVar, String conname, String
								 * column): NOT VALID so far */
	/* for the downgrade: what the upgrade created, which it may drop */
	List	   *upgrade_relations;
	List	   *upgrade_columns;
} LintSection;

/* lintwalk.c, for lintalter.c */
extern int	migrate_lint_line_of_offset(const LintSection *sec, int offset);
extern void migrate_lint_report(LintSection *sec, int rule, const char *hint,
						const char *fmt,...) pg_attribute_printf(4, 5);
extern bool migrate_lint_same_relation(const RangeVar *a, const RangeVar *b);
extern bool migrate_lint_in_relations(List *relations, const RangeVar *rv);
extern bool migrate_lint_is_new(LintSection *sec, const RangeVar *rv);
extern const char *migrate_lint_relname(const RangeVar *rv);
extern bool migrate_lint_in_columns(List *pairs, const RangeVar *rv, const char *col);

/* lintalter.c */
extern void migrate_lint_alter_table(LintSection *sec, AlterTableStmt *stmt);

/* lintcat.c */
typedef enum LintRewrite
{
	LINT_REWRITE_NO,
	LINT_REWRITE_YES,
	LINT_REWRITE_UNKNOWN
} LintRewrite;

extern bool migrate_lint_func_volatile(List *funcname, bool *found);
extern char migrate_lint_relkind(const RangeVar *rv);
extern LintRewrite migrate_lint_type_change(const RangeVar *rv, const char *column,
									TypeName *newtype, char **oldname,
									char **newname);
extern bool migrate_lint_column_known_not_null(const RangeVar *rv, const char *column);
extern char *migrate_lint_check_not_null_column(const RangeVar *rv,
										const char *conname);
extern char *migrate_lint_not_null_test_column(Node *expr);
extern List *migrate_lint_index_nullable_columns(const RangeVar *rv,
										 const char *indexname);

#endif							/* MIGRATE_LINT_H */
