/*-------------------------------------------------------------------------
 *
 * client.h
 *	  Declarations shared by the files of the pg_migrate client program.
 *
 * The client is split by concern: main.c parses the command line and
 * dispatches, conn.c talks to the server, files.c reads and writes
 * revision files (statements are cut by the server's parser, through
 * migrate_statements()), report.c holds the
 * verbs that only read, apply.c the verbs that change the version rows, and
 * offline.c the scripts of "--sql" written from the files alone, author.c
 * the verbs that write new revision files, lint.c the lint verb,
 * import.c and export.c the verbs that read and write other tools' files,
 * fleet.c runs a verb against many databases.  Declarations below are
 * grouped by the file that defines them.
 *
 * IDENTIFICATION
 *	  client/client.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_MIGRATE_CLIENT_H
#define PG_MIGRATE_CLIENT_H

#include "libpq-fe.h"
#include "common/revfile.h"

/*
 * Exit statuses.  They are part of the interface (scripts test them), so
 * they are documented in --help and in the man page; never renumber.
 */
#define EXIT_OK			0		/* success */
#define EXIT_SQL		1		/* the server reported an error */
#define EXIT_USAGE		2		/* bad command line */
#define EXIT_CONNECT	3		/* could not connect */
#define EXIT_NOT_READY	4		/* --wait: the server never came up */
#define EXIT_BAD_FILES	5		/* a revision file is invalid */
#define EXIT_PENDING	6		/* check: revisions are pending */
#define EXIT_OTHER		7		/* anything else (I/O, say) */
#define EXIT_UNKNOWN_REVISION 7 /* a revision named does not exist, whatever
								 * the verb */
#define EXIT_LINT		8		/* lint: an error-severity finding */
#define EXIT_UNVERIFIED	9		/* verify: a revision is irreversible or fails;
								 * revision --autogenerate: the proof failed */
#define EXIT_DIFFERENCES 10		/* diff: the schemas differ */
#define EXIT_DATA_LOSS	11		/* diff, revision --autogenerate: statements
								 * that lose data (or that no statement can
								 * do) were left out */
#define EXIT_SCHEMA_DIFFERS 12	/* check --schema-dir: head differs from the
								 * declared schema */

/* a fleet child's private status: the database has no pg_migrate */
#define EXIT_FLEET_SKIP	64

/* Everything the command line said. */
typedef struct MigrateOptions
{
	const char *verb;
	char	  **args;			/* positional arguments after the verb */
	int			nargs;

	/* connection */
	const char *dbname;			/* -d: a database name, conninfo or URI */
	const char *host;
	const char *port;
	const char *username;
	bool		wait;
	int			max_retries;
	long		retry_interval;	/* microseconds */

	/* revision files */
	const char *dir;

	/* verb options */
	bool		verbose;
	bool		indicate_current;
	bool		sql_only;
	bool		non_transactional;
	bool		strict;			/* verify: warnings are failures */
	bool		keep_version_table; /* adopt: keep the other tool's table */
	const char *rev_range;
	const char *message;
	const char *head;
	const char *rev_id;
	const char *timeout;
	bool		resume;			/* --resume: continue an interrupted step */
	bool		per_revision;	/* --per-revision: one transaction per step */
	char	  **depends_on;
	int			ndepends_on;
	char	  **branch_labels;
	int			nbranch_labels;

	/* autogenerate (diff.c, autogen.c) */
	bool		autogenerate;	/* revision --autogenerate */
	const char *schema_dir;		/* --schema-dir, the declared schema */
	bool		schema_dir_given;
	const char *dev_url;		/* --dev-url: where scratch databases go */
	bool		allow_data_loss;
	bool		concurrently;
	char	  **include_schemas;	/* --schema */
	int			ninclude_schemas;
	char	  **exclude_schemas;	/* --exclude-schema */
	int			nexclude_schemas;
	char	  **renames;		/* --rename OLD=NEW */
	int			nrenames;

	/* many databases (fleet.c) */
	bool		fleet_all;		/* --all-databases */
	const char *fleet_databases;	/* --databases: a LIKE pattern */
	const char *fleet_targets;	/* --targets: a file of connection strings */
	int			fleet_jobs;		/* -j */
	int			fleet_canary;	/* --canary */
	bool		fleet_fail_fast;	/* --fail-fast */
	const char *fleet_format;	/* --format: table or json (status) */

	/* tenant schemas (scopes) */
	const char *scope;			/* --scope: one tenant schema */
	const char *fleet_scopes;	/* --scopes: the schemas LIKE a pattern */
} MigrateOptions;

/* One revision file read from the directory. */
typedef struct RevFileEntry
{
	char	   *path;			/* as found, for messages */
	char	   *name;			/* file name alone, sent to the server */
	char	   *content;
	size_t		len;
	char		sha256[65];		/* hex SHA-256 of content */
	MigrateRevFile rev;
	bool		broken;			/* set aside: unreadable, malformed or refused */
} RevFileEntry;

/* A file set aside by a verb that answers despite broken files. */
typedef struct RevFileBroken
{
	char	   *name;			/* file name alone */
	int			line;			/* 0 when no line applies */
	char	   *message;
} RevFileBroken;

typedef struct RevFileSet
{
	bool		dir_exists;
	RevFileEntry *files;
	int			nfiles;
	char	   *dir_key;		/* absolute path of the directory */
	char		digest[65];		/* hex SHA-256 over names and contents */
	bool		synced;			/* the server had every file already */
	bool		stat_synced;	/* ... and said so from the stat digest */
	bool		parsed;			/* every file parsed and checked */
	char	   *check_dir;		/* the directory, for ensure_parsed() */
	bool		read;			/* contents read, digest computed */
	bool		lazy;			/* read and parse only when needed */
	bool		stat_ok;		/* stat_digest is valid and safe to keep */
	char		stat_digest[65];	/* over names, sizes, times, inodes */
	bool		tolerant;		/* set broken files aside instead of exiting */
	RevFileBroken *broken;		/* the files set aside, as found */
	int			nbroken;
} RevFileSet;

/* One row of migrate_history(), with its arrays split. */
typedef struct RevInfo
{
	char	   *id;
	char	  **revises;
	int			nrevises;
	char	  **depends_on;
	int			ndepends_on;
	char	  **labels;
	int			nlabels;
	char	   *message;
	bool		is_head;
	bool		is_branch_point;
	bool		is_merge_point;
	bool		is_current;
	bool		applied;
	char	   *applied_at;		/* NULL when not applied */
	char	   *file_name;		/* NULL when not known */
} RevInfo;

/* main.c */
extern bool stdout_is_tty;
extern const char *program_argv0;	/* argv[0], to find files installed beside it */

/* conn.c */
extern const char *ext_schema;	/* quoted schema of the extension's functions */
extern bool ext_has_sync;		/* the extension has migrate_sync_check() */
extern bool ext_has_prune;		/* ... and migrate_sync_prune() (0.3) */
extern bool server_in_recovery;	/* the server is a standby */
extern bool ext_can_register;	/* this role may run migrate_add_file() */
extern void wait_for_server(const MigrateOptions *opts);
extern PGconn *connect_server(const MigrateOptions *opts, bool quiet);
extern bool find_extension(PGconn *conn);
extern PGconn *open_session(const MigrateOptions *opts, RevFileSet *set);
extern void register_files_once(const MigrateOptions *opts);
extern bool is_conninfo(const char *s);
struct StringInfoData;
extern void append_conn_value(struct StringInfoData *buf, const char *value);
extern PGresult *run_query(PGconn *conn, const char *sql,
						   int nparams, const char *const *params);
extern void run_command(PGconn *conn, const char *sql);
extern void report_server_error(const PGresult *res, const char *query);
extern int	server_error_status(const PGresult *res);
extern void finish_and_exit(PGconn *conn, int status);
extern void note_migration_run(const char *what);
extern void progress_begin(int offset, int total);
extern void progress_end(double last_duration_ms);
extern void progress_step(const char *verb, const char *rev,
						  const char *message, int n, int total);
extern int	split_words(const char *s, char ***out);

/* files.c */
extern void load_revision_files(const char *dir, RevFileSet *set);
extern void read_revision_files(const char *dir, RevFileSet *set);
extern void read_revision_files_tolerant(const char *dir, RevFileSet *set);
extern bool verify_files;		/* --verify-files: never skip the parse */
extern void ensure_parsed(RevFileSet *set);
extern void load_named_files(char **paths, int npaths, RevFileSet *set);
extern void send_revision_files(PGconn *conn, RevFileSet *set);
extern void record_sync(PGconn *conn, const RevFileSet *set);
struct PQExpBufferData;
extern void append_array_element(struct PQExpBufferData *buf, const char *s);
extern char *make_revision_id(void);
extern char *write_revision_file(const char *dir, const MigrateRevFile *rev);
extern char *slugify(const char *message);

/* report.c */
extern RevInfo *fetch_history(PGconn *conn, const char *range, int *n);
extern int	verb_current(const MigrateOptions *opts);
extern int	verb_heads(const MigrateOptions *opts);
extern int	verb_branches(const MigrateOptions *opts);
extern int	verb_history(const MigrateOptions *opts);
extern int	verb_show(const MigrateOptions *opts);
extern int	verb_status(const MigrateOptions *opts);
extern int	verb_pending(const MigrateOptions *opts);
extern int	verb_check(const MigrateOptions *opts);
extern int	verb_wait(const MigrateOptions *opts);

/* apply.c */
extern int	verb_upgrade(const MigrateOptions *opts);
extern int	verb_downgrade(const MigrateOptions *opts);
extern int	verb_stamp(const MigrateOptions *opts);
extern int	verb_adopt(const MigrateOptions *opts);

/* offline.c */
extern int	offline_script(const MigrateOptions *opts, const char *operation,
						   const char *spec);

/* lint.c */
extern int	verb_lint(const MigrateOptions *opts);
/* integrity.c */
extern int	verb_repair(const MigrateOptions *opts);
extern int	verb_resolve(const MigrateOptions *opts);
extern int	verb_remove(const MigrateOptions *opts);

/* verify.c */
extern int	verb_verify(const MigrateOptions *opts);
extern int	verb_explain(const MigrateOptions *opts);

/* fleet.c */
extern bool fleet_skip_missing;
extern bool files_registered;
extern const char *fleet_label;
extern const char *fleet_format;
extern int	verb_fleet_status(const MigrateOptions *opts);
extern int	migrate_fleet_run(const MigrateOptions *opts,
							  int (*fn) (const MigrateOptions *),
							  bool is_status);

/* author.c */
extern int	verb_init(const MigrateOptions *opts);
extern int	verb_revision(const MigrateOptions *opts);
extern int	verb_merge(const MigrateOptions *opts);

/* schema.c */
struct MigrateSchemaSnapshot;
extern char *conninfo_of_connection(PGconn *conn, const char *dbname);
extern PGconn *scratch_create(PGconn *admin, char **conninfo);
extern void schema_load_declared(PGconn *conn, const char *path);
extern void scratch_analyze(PGconn *conn);
extern struct MigrateSchemaSnapshot *schema_snapshot(PGconn *conn,
													 const MigrateOptions *opts);

/* diff.c */
struct MigrateDiff;
struct MigrateDiffOptions;
extern PGconn *diff_admin_connection(const MigrateOptions *opts);
extern PGconn *scratch_at_revision(PGconn *admin, const char *target,
								   const MigrateOptions *opts, char **conninfo);
extern struct MigrateSchemaSnapshot *side_snapshot(const char *spec, PGconn *admin,
												   const MigrateOptions *opts);
extern int	print_diff_script(FILE *out, const struct MigrateDiff *diff,
							  bool allow_data_loss, bool in_transaction);
extern struct MigrateDiffOptions *diff_options(const MigrateOptions *opts);
extern int	verb_diff(const MigrateOptions *opts);
extern int	verb_check_schema(const MigrateOptions *opts);

/* autogen.c */
extern bool autogenerate_revision(const MigrateOptions *opts, MigrateRevFile *rev,
								  MigrateRevFile *extra, bool *has_extra);

/* import.c */
extern int	verb_import(const MigrateOptions *opts);

/* export.c */
extern int	verb_export(const MigrateOptions *opts);

#endif							/* PG_MIGRATE_CLIENT_H */
