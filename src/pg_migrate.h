/*-------------------------------------------------------------------------
 *
 * pg_migrate.h
 *	  Internal declarations of the pg_migrate extension, grouped by the
 *	  layer and file that define them (see the module map in pg_migrate.c).
 *
 * IDENTIFICATION
 *	  src/pg_migrate.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_MIGRATE_H
#define PG_MIGRATE_H

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "nodes/nodes.h"
#include "utils/jsonb.h"
#include "common/locks.h"
#include "common/revfile.h"
#include "common/revgraph.h"
#include "common/sqltext.h"

/* One registered revision, as read from migrate.revision. */
typedef struct MigrateRevision
{
	char	   *revision;
	char	  **revises;
	int			nrevises;
	char	  **depends_on;
	int			ndepends_on;
	char	  **branch_labels;
	int			nbranch_labels;
	char	   *message;
	char	   *upgrade_sql;	/* NULL unless loaded with SQL */
	char	   *downgrade_sql;	/* NULL when irreversible or not loaded */
	bool		has_downgrade;
	bool		transactional;
	char	   *file_name;		/* NULL when registered by migrate_add */
	int			upgrade_line;	/* 0 when unknown */
	int			downgrade_line;
	char	  **lint_ignores;	/* "PM003 reason": lint rules silenced */
	int			nlint_ignores;
	char	   *file_sha256;	/* hex SHA-256 of the file, or NULL */
	bool		repeatable;		/* "-- repeatable: true" */
	char	   *source_format;	/* "-- source: FORMAT VERSION", or NULL */
	char	   *source_version;
	MigrateScopeKind scope_kind;	/* "-- scope:": the runs its SQL is for */
	char	   *upgrade_fingerprint;	/* set by migrate_fingerprint_revision */
	char	   *downgrade_fingerprint;	/* before registering */
} MigrateRevision;

/* Everything the planner needs: revisions, their graph, the version rows. */
typedef struct MigrateState
{
	MigrateRevision *revs;		/* in registration order */
	int			nrevs;
	MigrateGraph *graph;		/* node i is revs[i] */
	int		   *rows;			/* current version rows, as node indexes */
	int			nrows;
} MigrateState;

/* What registering a revision did. */
typedef enum MigrateRegisterResult
{
	MIGRATE_ADDED,
	MIGRATE_REPLACED,
	MIGRATE_UNCHANGED,
	MIGRATE_DRIFTED				/* applied, registered with other SQL */
} MigrateRegisterResult;

/* engine/settings.c */
extern void migrate_define_settings(void);
extern int	migrate_lock_timeout;
extern bool migrate_notice_steps;
extern int	migrate_revision_lock_timeout;
extern int	migrate_revision_statement_timeout;
extern int	migrate_lock_retries;
extern int	migrate_lock_retry_delay;
extern int	migrate_lock_retry_max_delay;
extern char *migrate_search_path;

/* catalog/spi.c, revisions.c, version.c, generation.c */
extern Datum migrate_text_array(char *const *items, int count);
extern void migrate_catalog_load(MigrateState *state, bool with_sql,
								 bool latest);
extern MigrateRegisterResult migrate_catalog_register(const MigrateRevision *rev);
extern void migrate_catalog_registered(const MigrateRevision *revs, int n, bool *found);
extern void migrate_catalog_insert_batch(const MigrateRevision *revs, int n);
extern bool migrate_catalog_remove(const char *revision);
extern void migrate_catalog_set_version(const MigrateState *state,
										const int *rows, int nrows);
extern char **migrate_catalog_version_ids(int *n, int *nrevs);
extern void migrate_catalog_journal(const char *revision,
									const char *operation,
									const char *message,
									TimestampTz started, double duration_ms,
									const MigrateState *state,
									const int *rows, int nrows);
extern void migrate_catalog_bump_generation(void);
extern int	migrate_catalog_reapply_due(const MigrateState *state,
										const bool *applied, int *out);
extern int64 migrate_catalog_generation(bool latest);
extern TimestampTz *migrate_catalog_applied_times(const MigrateState *state);
extern char *migrate_catalog_last_step(TimestampTz *started,
									   double *duration_ms, char **role,
									   char **operation, int *nsteps);
extern void *migrate_catalog_begin(void);
extern void migrate_catalog_query(bool read_only, const char *sql, int nargs,
								  Oid *types, Datum *values, const char *nulls,
								  int expected);
extern void migrate_catalog_end(void *handle);

extern bool migrate_catalog_has_rows(const char *relname, bool latest);
extern char *migrate_row_text(MemoryContext cxt, int col);
extern int	migrate_row_int(int col);
extern void migrate_journal_entry(const char *revision, const char *operation,
								  const char *message);

/* catalog/scope.c: the tenant schema of the current call, if any */
extern void migrate_scope_enter(FunctionCallInfo fcinfo, int argno);
extern Datum migrate_call_in_scope(FunctionCallInfo fcinfo, int argno,
								  PGFunction body);
extern void migrate_scope_leave(void);
extern const char *migrate_scope(void);
extern Datum migrate_scope_datum(void);
extern bool migrate_scope_runs(const MigrateRevision *rev);
extern uint32 migrate_scope_lock_key(const char *scope);
extern void migrate_scope_require_args(FunctionCallInfo fcinfo, int nargs);
extern int64 migrate_catalog_scope_mark(bool latest);
extern int	migrate_catalog_scopes(char ***names, char ****rows, int **nrows,
								   TimestampTz **changed);

/* catalog/errors.c */
extern void migrate_raise_graph_error(const MigrateGraphError *err);

/* engine/record.c */
extern void migrate_set_version(const MigrateState *state, const int *rows,
								int nrows);
extern void migrate_record_outside_step(const char *revision, bool upgrade,
										double ms, bool from_script,
										MigrateState *state,
										MigratePlan *plan);
extern void migrate_record_step(const char *revision, bool upgrade,
								double ms);

/* engine/fingerprint.c */
extern void migrate_fingerprint_revision(MigrateRevision *rev);
extern char *migrate_fingerprint_statements(const char *sql, int limit);

/* engine/integrity.c, interrupted.c */
extern void migrate_integrity_wait(void);
extern void migrate_integrity_check(const char *own_revision, bool latest);
extern void migrate_outside_clear(const char *revision);
extern void migrate_integrity_status(Jsonb **drift, Jsonb **interrupted);

/* catalog/revisions.c, for lint */
extern void migrate_catalog_load_lint_ignores(MigrateState *state);

/* engine/parse_revision.c */
struct MigrateRevFile;
extern void migrate_parse_revision_text(const char *name, text *content,
										struct MigrateRevFile *file,
										MigrateRevision *rev);
extern void migrate_revision_parse_file(const char *name, const char *content,
										size_t len,
										struct MigrateRevFile *file);
extern void migrate_revision_from_file(const char *name,
									   struct MigrateRevFile *file,
									   MigrateRevision *rev);

/* engine/locks.c */
extern void migrate_acquire_advisory(uint32 key2, bool session,
									 const char *waiting, const char *what);
extern void migrate_begin_change(void);

/* engine/outcome.c */
extern void migrate_outcome_step_start(const MigrateRevision *rev,
									   bool upgrade, int stepno, int nsteps);
extern void migrate_outcome_step_end(const MigrateRevision *rev, double ms);
extern void migrate_outcome_at_commit(const char *subject, const char *detail);
extern void migrate_outcome_forget_subxact(void);

/* engine/checks.c */
extern void migrate_check_steps(const MigrateState *state,
								const MigratePlan *plan, bool upgrade);
extern void migrate_check_target(const char *target);
extern bool migrate_parse_operation(const char *operation);

/* engine/runner.c */

/*
 * Called before (before = true) and after each statement of a step run by
 * migrate_run_step_hooked; line is the statement's line in its file, or
 * in its section when the file is unknown.
 */
struct RawStmt;
typedef void (*MigrateStatementHook) (void *arg, struct RawStmt *raw,
									  int line, bool before);

extern bool migrate_in_revision(void);
extern double migrate_run_step(const MigrateRevision *rev, bool upgrade,
							   int stepno, int nsteps);
extern double migrate_run_step_hooked(const MigrateRevision *rev,
									  bool upgrade, int stepno, int nsteps,
									  MigrateStatementHook hook,
									  void *hook_arg);
extern void migrate_check_syntax(const MigrateRevision *rev);
extern const char *migrate_step_error_where(void);
extern void migrate_step_error_reset(void);
extern const char *migrate_stmt_needs_own_transaction(Node *stmt);

/* engine/locksafety.c */
extern void migrate_revision_settings(void);
extern void migrate_lock_watch_begin(void);
extern void migrate_lock_watch_end(void);
extern bool migrate_statement_timeout_begin(void);
extern void migrate_statement_timeout_end(void);
extern void migrate_lock_failure_rethrow(const char *revision,
										 MemoryContext cxt);
extern void migrate_lock_failure_describe(ErrorData *edata);
extern bool migrate_lock_failure_pending(void);
extern void migrate_lock_failure_forget(void);


/* catalog/generation.c, syncstate.c: the no-op fast path and directory sync */
extern bool migrate_catalog_at_heads(bool single_head, bool latest);
extern void migrate_catalog_note_heads(const MigrateState *state,
									   const int *rows, int nrows);
extern bool migrate_catalog_sync_check(const char *dir_key,
									   const char *digest);
extern void migrate_catalog_sync_files(FunctionCallInfo fcinfo);
extern int64 migrate_catalog_sync_done(const char *dir_key,
									   const char *digest,
									   const char *stat_digest);
extern char *migrate_catalog_sync_stat(const char *dir_key,
									   const char *stat_digest);
extern int	migrate_catalog_sync_prune(Datum names, FunctionCallInfo fcinfo);
extern void migrate_catalog_step_sql(MigrateRevision *rev, bool upgrade);

/* engine/repeatables.c */
extern void migrate_order_repeatables(const MigrateState *state,
									  MigratePlan *plan, bool upgrade);

/* engine/result.c */
extern void migrate_put_ids(FunctionCallInfo fcinfo, const MigrateState *state,
							const int *nodes, int n);

/* engine/adopted.c */
extern void migrate_adopted_sync(const MigrateState *state, const int *rows,
								 int nrows);
extern char *migrate_adopted_with_table(const char *s, const char *table);

#endif							/* PG_MIGRATE_H */
