/*-------------------------------------------------------------------------
 *
 * main.c
 *	  Command line of the pg_migrate client: options, verbs, dispatch.
 *
 * Options may stand before or after the verb, as with Alembic.  Relative
 * targets such as "-1" or history ranges such as "-3:" begin with a dash
 * and would be taken for options by getopt, so any argument that starts
 * with a dash and a digit is hidden from getopt (marked with a leading
 * byte) and unmarked once parsing is done; no option is a digit.
 *
 * IDENTIFICATION
 *	  client/main.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <sys/stat.h>
#include <unistd.h>

#include "common/logging.h"
#include "fe_utils/cancel.h"
#include "getopt_long.h"
#include "client.h"

/* marks an argument that getopt must not take for an option */
#define HIDDEN_DASH '\001'


/* bits naming the verb-specific options, to reject misplaced ones */
#define OPT_VERBOSE		(1 << 0)
#define OPT_RANGE		(1 << 1)
#define OPT_INDICATE	(1 << 2)
#define OPT_SQL			(1 << 3)
#define OPT_MESSAGE		(1 << 4)
#define OPT_HEAD		(1 << 5)
#define OPT_DEPENDS		(1 << 6)
#define OPT_LABEL		(1 << 7)
#define OPT_REVID		(1 << 8)
#define OPT_NONTX		(1 << 9)
#define OPT_TIMEOUT		(1 << 10)
#define OPT_RESUME		(1 << 20)
#define OPT_PERREV		(1 << 21)
#define OPT_STRICT		(1 << 11)
#define OPT_KEEPTABLE	(1 << 12)
#define OPT_AUTOGEN		(1 << 13)
#define OPT_SCHEMADIR	(1 << 14)
#define OPT_DEVURL		(1 << 15)
#define OPT_SCHEMAS		(1 << 16)
#define OPT_DATALOSS	(1 << 17)
#define OPT_CONCURRENT	(1 << 18)
#define OPT_RENAME		(1 << 19)
/* what the schema comparisons of diff, check and revision take */
#define OPT_SCHEMADIFF	(OPT_DEVURL | OPT_SCHEMAS | OPT_RENAME)

typedef struct VerbDef
{
	const char *name;
	int			(*fn) (const MigrateOptions *opts);
	int			min_args;
	int			max_args;		/* -1: no limit */
	int			allowed;		/* OPT_* bits */
} VerbDef;

static const VerbDef verbs[] = {
	{"upgrade", verb_upgrade, 0, 1, OPT_SQL | OPT_RESUME | OPT_PERREV},
	{"downgrade", verb_downgrade, 1, 1, OPT_SQL | OPT_RESUME},
	{"current", verb_current, 0, 0, OPT_VERBOSE},
	{"history", verb_history, 0, 0, OPT_VERBOSE | OPT_RANGE | OPT_INDICATE},
	{"heads", verb_heads, 0, 0, OPT_VERBOSE},
	{"branches", verb_branches, 0, 0, OPT_VERBOSE},
	{"show", verb_show, 1, 1, 0},
	{"stamp", verb_stamp, 1, -1, 0},
	{"check", verb_check, 0, 1, OPT_SCHEMADIR | OPT_SCHEMADIFF},
	{"status", verb_status, 0, 0, 0},
	{"pending", verb_pending, 0, 1, 0},
	{"merge", verb_merge, 1, -1, OPT_MESSAGE | OPT_LABEL | OPT_REVID},
	{"revision", verb_revision, 0, 0,
	OPT_MESSAGE | OPT_HEAD | OPT_DEPENDS | OPT_LABEL | OPT_REVID | OPT_NONTX |
	OPT_AUTOGEN | OPT_SCHEMADIR | OPT_SCHEMADIFF | OPT_DATALOSS | OPT_CONCURRENT},
	{"diff", verb_diff, 2, 2, OPT_SCHEMADIFF | OPT_DATALOSS | OPT_CONCURRENT},
	{"init", verb_init, 0, 0, 0},
	{"wait", verb_wait, 0, 1, OPT_TIMEOUT},
	{"lint", verb_lint, 0, -1, OPT_VERBOSE},
	{"repair", verb_repair, 1, 1, 0},
	{"resolve", verb_resolve, 2, 2, 0},
	{"remove", verb_remove, 1, 1, 0},
	{"verify", verb_verify, 0, 1, OPT_STRICT},
	{"explain", verb_explain, 0, 1, 0},
	{"import", verb_import, 2, 2, 0},
	{"export", verb_export, 2, 2, 0},
	{"adopt", verb_adopt, 1, 1, OPT_KEEPTABLE},
	{NULL, NULL, 0, 0, 0}
};

/* Print the help text. */
static void
usage(const char *progname)
{
	printf("%s manages schema migrations kept by the pg_migrate extension.\n\n",
		   progname);
	printf("Usage:\n  %s [OPTION]... VERB [ARG]...\n\n", progname);
	printf("Verbs:\n");
	printf("  upgrade [TARGET]        apply revisions up to TARGET (default head)\n");
	printf("  downgrade TARGET        revert revisions down to TARGET\n");
	printf("  current                 show the current revisions\n");
	printf("  history                 list revisions, newest first\n");
	printf("  heads                   show the head revisions\n");
	printf("  branches                show the branch points\n");
	printf("  show REV                show one revision in detail\n");
	printf("  stamp TARGET...         set the current revisions without running SQL\n");
	printf("  check [TARGET]          fail if revisions are pending (default heads); with\n"
		   "                          --schema-dir, if the revisions at head differ from\n"
		   "                          the declared schema\n");
	printf("  status                  print the health report as JSON\n");
	printf("  pending [TARGET]        list the revisions an upgrade would apply\n");
	printf("  merge -m MSG REV...     write a revision merging the given heads\n");
	printf("  revision -m MSG         write a new, empty revision file\n");
	printf("  revision --autogenerate -m MSG\n"
		   "                          write a revision from the declared schema\n"
		   "                          (--schema-dir), after proving it in a scratch database\n");
	printf("  diff FROM TO            print the SQL that turns FROM's schema into TO's; each\n"
		   "                          a connection string or URI, a declared schema (a\n"
		   "                          directory or .sql file) or a revision (head, an id)\n");
	printf("  init                    create the directory and the extension\n");
	printf("  wait [TARGET]           wait until TARGET is reached (default heads)\n");
	printf("  lint [FILE]...          report dangerous statements (default: every file of --dir)\n");
	printf("  repair REV              accept the edited SQL of an applied revision\n");
	printf("  resolve REV OUTCOME     settle an interrupted non-transactional revision:\n"
		   "                          OUTCOME is applied or not-applied\n");
	printf("  remove REV              unregister a revision that is not applied and that\n"
		   "                          no other revision builds on (its file deleted)\n");
	printf("  verify [TARGET]         check that each pending revision downgrades cleanly\n");
	printf("  explain [TARGET]        show the locks and rewrites each pending statement takes\n");
	printf("  import FORMAT SOURCE    write revision files into --dir from another tool's\n"
		   "                          migrations (alembic, golang-migrate, dbmate, flyway,\n"
		   "                          diesel, sqitch)\n");
	printf("  export FORMAT DIR       write the registered history as golang-migrate or\n"
		   "                          flyway files into DIR\n");
	printf("  adopt FORMAT            stamp what another tool's version table in the\n"
		   "                          database says is applied\n");
	printf("\nConnection options:\n");
	printf("  -d, --dbname=CONNSTR    database name, connection string or URI\n");
	printf("  -h, --host=HOSTNAME     database server host or socket directory\n");
	printf("  -p, --port=PORT         database server port\n");
	printf("  -U, --username=USERNAME database user name\n");
	printf("  --wait                  wait for the server to accept connections first\n");
	printf("  --max-retries=N         tries for --wait (default $MAX_RETRIES or 30)\n");
	printf("  --retry-interval=SECS   seconds between tries, fractions allowed\n"
		   "                          (default $RETRY_INTERVAL or 2)\n");
	printf("\nOther options:\n");
	printf("  --dir=DIR               directory of revision files (default ./migrations)\n");
	printf("  --verify-files          parse every file even when the server has this\n"
		   "                          directory's exact contents already\n"
		   "                          (also PG_MIGRATE_VERIFY_FILES=1)\n");
	printf("  -v, --verbose           more detail (current, history, heads, branches;\n"
		   "                          lint: silenced findings too)\n");
	printf("  -r, --rev-range=RANGE   history range such as base:head or current:\n");
	printf("  -i, --indicate-current  mark the current revisions in history\n");
	printf("  --sql                   print the SQL upgrade or downgrade would run\n");
	printf("  -m, --message=MSG       message of a new revision\n");
	printf("  --head=REV              parent of a new revision (default the heads)\n");
	printf("  --depends-on=REV        dependency of a new revision (repeatable)\n");
	printf("  --branch-label=LABEL    branch label of a new revision (repeatable)\n");
	printf("  --rev-id=ID             id of a new revision instead of a random one\n");
	printf("  --non-transactional     a new revision runs outside a transaction\n");
	printf("  --timeout=SECS          how long wait waits (default 60)\n");
	printf("  --resume                continue an interrupted non-transactional revision\n"
		   "                          after its last statement that succeeded\n");
	printf("  --per-revision          upgrade: commit after each revision (CALL migrate_run),\n"
		   "                          retrying lock timeouts\n");
	printf("  --strict                verify: a revision without downgrade fails too\n");
	printf("  --keep-version-table    adopt: keep the other tool's version table up to\n"
		   "                          date on every later upgrade, downgrade and stamp\n");
	printf("\nAutogenerate (diff, revision --autogenerate, check --schema-dir):\n");
	printf("  --schema-dir=DIR        the declared schema: .sql files run in name order\n"
		   "                          (default ./schema)\n");
	printf("  --dev-url=CONNSTR       the server that holds the scratch databases\n"
		   "                          (default: the one -d names)\n");
	printf("  --schema=NAME           compare only this schema (repeatable)\n");
	printf("  --exclude-schema=NAME   leave this schema out (repeatable)\n");
	printf("  --allow-data-loss       let drops and narrowing type changes run\n");
	printf("  --concurrently          build indexes on existing tables CONCURRENTLY\n");
	printf("  --rename=OLD=NEW        a renamed table (schema.table) or column\n"
		   "                          (schema.table.column), rather than a drop and an add\n");
	printf("  -V, --version           print the version and exit\n");
	printf("  -?, --help              print this help and exit\n");
	printf("\nMany databases (upgrade, downgrade, status, check, verify, lint, wait):\n");
	printf("  --all-databases         every database of the server that has the extension\n");
	printf("  --databases=PATTERN     the databases whose names are LIKE PATTERN\n"
		   "                          (%% any characters, _ one character)\n");
	printf("  --targets=FILE          one database name, connection string or URI a line\n"
		   "                          (# starts a comment line; - reads standard input)\n");
	printf("  -j, --jobs=N            run N databases at once (default 1)\n");
	printf("  --canary=N              run the first N targets alone; stop if one fails\n");
	printf("  --fail-fast             start no other database after one failed\n");
	printf("  --format=FORMAT         status: for one database json (default) or\n"
		   "                          prometheus; for many, table (default) or json\n");
	printf("\nTenant schemas (scopes):\n");
	printf("  --scope=NAME            upgrade, downgrade, stamp, current, status, check,\n"
		   "                          resolve: the revisions of tenant schema NAME (an\n"
		   "                          upgrade creates the schema when it does not exist)\n");
	printf("  --scopes=PATTERN        upgrade, downgrade, status, check: each schema whose\n"
		   "                          name is LIKE PATTERN, one after another (-j N: N at\n"
		   "                          once; --canary and --fail-fast apply); with\n"
		   "                          --all-databases, --databases or --targets, those\n"
		   "                          of each database\n");
	printf("\nThe usual PG* environment variables apply; DB_HOST, DB_PORT, DB_USER,\n"
		   "DB_NAME and DB_PASSWORD stand in for unset ones.\n");
	printf("\nExit status:\n");
	printf("  %d  success\n", EXIT_OK);
	printf("  %d  the server reported an error (SQL failure)\n", EXIT_SQL);
	printf("  %d  usage error\n", EXIT_USAGE);
	printf("  %d  connection failure\n", EXIT_CONNECT);
	printf("  %d  --wait: the server did not accept connections in time\n",
		   EXIT_NOT_READY);
	printf("  %d  a revision file is invalid (the verbs that change something)\n",
		   EXIT_BAD_FILES);
	printf("  %d  check: revisions are pending, changed or interrupted\n",
		   EXIT_PENDING);
	printf("  %d  a revision named does not exist or its prefix is ambiguous (every\n"
		   "     verb); or another failure (a file not writable)\n",
		   EXIT_UNKNOWN_REVISION);
	printf("  %d  lint: a finding of severity error is not silenced\n", EXIT_LINT);
	printf("  %d  verify: a revision is irreversible or fails; revision --autogenerate:\n"
		   "     the generated revision failed its proof (nothing was written)\n",
		   EXIT_UNVERIFIED);
	printf("  %d  diff: the schemas differ\n", EXIT_DIFFERENCES);
	printf("  %d  diff, revision --autogenerate: statements that lose data were left out\n"
		   "     (or something no statement can do was found)\n", EXIT_DATA_LOSS);
	printf("  %d  check --schema-dir: the revisions at head differ from the declared schema\n",
		   EXIT_SCHEMA_DIFFERS);
}

/* Report a usage error and exit. */
static void
usage_error(const char *fmt, const char *arg)
{
	pg_log_error(fmt, arg);
	pg_log_error_hint("Try \"pg_migrate --help\" for more information.");
	exit(EXIT_USAGE);
}

/* Undo the marking of dash-digit arguments; NULL stays NULL. */
static const char *
unmark(const char *s)
{
	if (s && s[0] == HIDDEN_DASH)
		return s + 1;
	return s;
}

/* Parse a non-negative integer option, or fail with a usage error. */
static int
parse_count(const char *s, const char *what)
{
	char	   *end;
	long		v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 1000000)
		usage_error("invalid value for %s", what);
	return (int) v;
}

/*
 * Parse a non-negative number of seconds, fractions allowed ("0.5"), or fail
 * with a usage error.  Returns microseconds.
 */
static long
parse_seconds(const char *s, const char *what)
{
	char	   *end;
	double		v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0) || v > 3600)
		usage_error("invalid value for %s", what);
	return (long) (v * 1000000.0);
}

/* Read an integer setting from the environment, with a default. */
static int
env_count(const char *name, int dflt)
{
	const char *v = getenv(name);

	if (v == NULL || v[0] == '\0')
		return dflt;
	return parse_count(v, name);
}

/* Append s to a growing array of strings. */
static void
push(char ***arr, int *n, const char *s)
{
	*arr = pg_realloc(*arr, sizeof(char *) * (*n + 1));
	(*arr)[(*n)++] = pg_strdup(s);
}

/*
 * --scope and --scopes: the verbs that take a tenant schema, and the
 * options that do not go with one.
 */
static void
check_scope_options(const MigrateOptions *opts, const VerbDef *verb)
{
	static const char *const scope_verbs[] = {
		"upgrade", "downgrade", "stamp", "current", "status", "check",
		"resolve", NULL
	};
	static const char *const scopes_verbs[] = {
		"upgrade", "downgrade", "status", "check", NULL
	};
	const char *const *verbs_ok = opts->fleet_scopes ? scopes_verbs : scope_verbs;
	int			i;

	if (opts->scope && opts->fleet_scopes)
		usage_error("%s", "use one of --scope and --scopes");
	for (i = 0; verbs_ok[i] != NULL; i++)
		if (strcmp(verbs_ok[i], verb->name) == 0)
			break;
	if (verbs_ok[i] == NULL)
		usage_error(opts->fleet_scopes ? "\"%s\" does not apply to many tenant schemas" :
					"\"%s\" does not apply to a tenant schema", verb->name);
	if (opts->sql_only || opts->per_revision)
		usage_error("%s", "--sql and --per-revision do not apply to a tenant schema");
	if (opts->fleet_format && strcmp(opts->fleet_format, "prometheus") == 0)
		usage_error("%s", "--format=prometheus describes the shared run only: drop --scope or --scopes");
}

/*
 * Run the verb against many databases (fleet.c), after checking that it is
 * one that makes sense there.
 */
static int
fleet(MigrateOptions *opts, const VerbDef *verb)
{
	static const char *const fleet_verbs[] = {
		"upgrade", "downgrade", "status", "check", "verify", "lint", "wait",
		NULL
	};
	bool		is_status = strcmp(verb->name, "status") == 0;
	int			i;

	for (i = 0; fleet_verbs[i] != NULL; i++)
		if (strcmp(fleet_verbs[i], verb->name) == 0)
			break;
	if (fleet_verbs[i] == NULL)
		usage_error("\"%s\" does not apply to many databases", verb->name);
	if ((opts->fleet_all ? 1 : 0) + (opts->fleet_databases ? 1 : 0) +
		(opts->fleet_targets ? 1 : 0) > 1)
		usage_error("%s", "use one of --all-databases, --databases and --targets");
	if (opts->sql_only)
		usage_error("%s", "--sql prints one database's script: drop --all-databases, --databases or --targets");
	if (opts->fleet_format && !is_status)
		usage_error("%s", "--format applies to status only");
	if (opts->fleet_format && strcmp(opts->fleet_format, "prometheus") == 0)
		usage_error("%s", "--format=prometheus describes one database: drop --all-databases, --databases or --targets");

	/*
	 * Every target gets the same files: a bad one is reported once, before
	 * any database is touched.
	 */
	if (strcmp(verb->name, "lint") != 0 || opts->nargs == 0)
	{
		RevFileSet	set;

		load_revision_files(opts->dir, &set);
	}
	/*
	 * The tenant schemas of one database: register the files once (with
	 * many databases, fleet.c does so once in each)
	 */
	if (opts->fleet_scopes &&
		!(opts->fleet_all || opts->fleet_databases || opts->fleet_targets) &&
		(strcmp(verb->name, "upgrade") == 0 || strcmp(verb->name, "downgrade") == 0))
		register_files_once(opts);
	return migrate_fleet_run(opts, is_status ? verb_fleet_status : verb->fn,
							 is_status);
}

int
main(int argc, char **argv)
{
	static struct option long_options[] = {
		{"dbname", required_argument, NULL, 'd'},
		{"host", required_argument, NULL, 'h'},
		{"port", required_argument, NULL, 'p'},
		{"username", required_argument, NULL, 'U'},
		{"verbose", no_argument, NULL, 'v'},
		{"rev-range", required_argument, NULL, 'r'},
		{"indicate-current", no_argument, NULL, 'i'},
		{"message", required_argument, NULL, 'm'},
		{"version", no_argument, NULL, 'V'},
		{"wait", no_argument, NULL, 1},
		{"max-retries", required_argument, NULL, 2},
		{"retry-interval", required_argument, NULL, 3},
		{"dir", required_argument, NULL, 4},
		{"sql", no_argument, NULL, 5},
		{"head", required_argument, NULL, 6},
		{"depends-on", required_argument, NULL, 7},
		{"branch-label", required_argument, NULL, 8},
		{"rev-id", required_argument, NULL, 9},
		{"non-transactional", no_argument, NULL, 10},
		{"timeout", required_argument, NULL, 11},
		{"resume", no_argument, NULL, 40},
		{"per-revision", no_argument, NULL, 41},
		{"verify-files", no_argument, NULL, 42},
		{"strict", no_argument, NULL, 12},
		{"keep-version-table", no_argument, NULL, 13},
		{"all-databases", no_argument, NULL, 50},
		{"databases", required_argument, NULL, 51},
		{"targets", required_argument, NULL, 52},
		{"jobs", required_argument, NULL, 'j'},
		{"canary", required_argument, NULL, 54},
		{"fail-fast", no_argument, NULL, 55},
		{"format", required_argument, NULL, 56},
		{"scope", required_argument, NULL, 57},
		{"scopes", required_argument, NULL, 58},
		{"autogenerate", no_argument, NULL, 70},
		{"schema-dir", required_argument, NULL, 71},
		{"dev-url", required_argument, NULL, 72},
		{"schema", required_argument, NULL, 73},
		{"exclude-schema", required_argument, NULL, 74},
		{"allow-data-loss", no_argument, NULL, 75},
		{"concurrently", no_argument, NULL, 76},
		{"rename", required_argument, NULL, 77},
		{NULL, 0, NULL, 0}
	};
	/* long-option codes stay clear of the characters getopt returns ('?' is 63) */
	static const int bit_of_option[256] = {
		['v'] = OPT_VERBOSE, ['r'] = OPT_RANGE, ['i'] = OPT_INDICATE,
		[70] = OPT_AUTOGEN, [71] = OPT_SCHEMADIR, [72] = OPT_DEVURL,
		[73] = OPT_SCHEMAS, [74] = OPT_SCHEMAS, [75] = OPT_DATALOSS,
		[76] = OPT_CONCURRENT, [77] = OPT_RENAME,
		['m'] = OPT_MESSAGE, [5] = OPT_SQL, [6] = OPT_HEAD,
		[7] = OPT_DEPENDS, [8] = OPT_LABEL, [9] = OPT_REVID,
		[10] = OPT_NONTX, [11] = OPT_TIMEOUT, [12] = OPT_STRICT,
		[13] = OPT_KEEPTABLE, [40] = OPT_RESUME, [41] = OPT_PERREV
	};
	MigrateOptions opts;
	const VerbDef *verb;
	bool		dir_given = false;
	int			used = 0;
	int			c;
	int			i;
	const char *progname;

	pg_logging_init(argv[0]);
	program_argv0 = argv[0];
	progname = get_progname(argv[0]);
	stdout_is_tty = isatty(fileno(stdout));

	memset(&opts, 0, sizeof(opts));
	opts.dir = "migrations";
	opts.schema_dir = "schema";
	opts.max_retries = env_count("MAX_RETRIES", 30);
	opts.retry_interval = 2000000L;
	if (getenv("RETRY_INTERVAL") && getenv("RETRY_INTERVAL")[0] != '\0')
		opts.retry_interval = parse_seconds(getenv("RETRY_INTERVAL"), "RETRY_INTERVAL");

	for (i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-?") == 0)
		{
			usage(progname);
			exit(EXIT_OK);
		}
	}

	for (i = 1; i < argc; i++)
	{
		if (argv[i][0] == '-' && isdigit((unsigned char) argv[i][1]))
		{
			char	   *m = pg_malloc(strlen(argv[i]) + 2);

			m[0] = HIDDEN_DASH;
			strcpy(m + 1, argv[i]);
			argv[i] = m;
		}
	}

	while ((c = getopt_long(argc, argv, "d:h:p:U:vr:im:Vj:", long_options,
							NULL)) != -1)
	{
		const char *arg = unmark(optarg);

		if (c >= 0 && c < 256)
			used |= bit_of_option[c];
		switch (c)
		{
			case 'd':
				opts.dbname = arg;
				break;
			case 'h':
				opts.host = arg;
				break;
			case 'p':
				opts.port = arg;
				break;
			case 'U':
				opts.username = arg;
				break;
			case 'v':
				opts.verbose = true;
				break;
			case 'r':
				opts.rev_range = arg;
				break;
			case 'i':
				opts.indicate_current = true;
				break;
			case 'm':
				opts.message = arg;
				break;
			case 'V':
				printf("pg_migrate %s\n", PG_MIGRATE_VERSION);
				exit(EXIT_OK);
			case 1:
				opts.wait = true;
				break;
			case 2:
				opts.max_retries = parse_count(arg, "--max-retries");
				break;
			case 3:
				opts.retry_interval = parse_seconds(arg, "--retry-interval");
				break;
			case 4:
				opts.dir = arg;
				dir_given = true;
				break;
			case 5:
				opts.sql_only = true;
				break;
			case 6:
				opts.head = arg;
				break;
			case 7:
				push(&opts.depends_on, &opts.ndepends_on, arg);
				break;
			case 8:
				push(&opts.branch_labels, &opts.nbranch_labels, arg);
				break;
			case 9:
				opts.rev_id = arg;
				break;
			case 10:
				opts.non_transactional = true;
				break;
			case 11:
				opts.timeout = arg;
				break;
			case 40:
				opts.resume = true;
				break;
			case 41:
				opts.per_revision = true;
				break;
			case 42:
				verify_files = true;
				break;
			case 12:
				opts.strict = true;
				break;
			case 13:
				opts.keep_version_table = true;
				break;
			case 50:
				opts.fleet_all = true;
				break;
			case 51:
				opts.fleet_databases = arg;
				break;
			case 52:
				opts.fleet_targets = arg;
				break;
			case 'j':
				opts.fleet_jobs = parse_count(arg, "-j");
				if (opts.fleet_jobs < 1)
					usage_error("%s must be at least 1", "-j");
				break;
			case 54:
				opts.fleet_canary = parse_count(arg, "--canary");
				break;
			case 55:
				opts.fleet_fail_fast = true;
				break;
			case 70:
				opts.autogenerate = true;
				break;
			case 71:
				opts.schema_dir = arg;
				opts.schema_dir_given = true;
				break;
			case 72:
				opts.dev_url = arg;
				break;
			case 73:
				push(&opts.include_schemas, &opts.ninclude_schemas, arg);
				break;
			case 74:
				push(&opts.exclude_schemas, &opts.nexclude_schemas, arg);
				break;
			case 75:
				opts.allow_data_loss = true;
				break;
			case 76:
				opts.concurrently = true;
				break;
			case 77:
				push(&opts.renames, &opts.nrenames, arg);
				break;
			case 57:
				if (arg[0] == '\0')
					usage_error("%s", "--scope needs a schema name");
				opts.scope = arg;
				break;
			case 58:
				opts.fleet_scopes = arg;
				break;
			case 56:
				if (strcmp(arg, "json") != 0 && strcmp(arg, "table") != 0 &&
					strcmp(arg, "prometheus") != 0)
					usage_error("invalid value \"%s\" for --format: use table, json or prometheus", arg);
				opts.fleet_format = arg;
				break;
			default:
				pg_log_error_hint("Try \"%s --help\" for more information.",
								  progname);
				exit(EXIT_USAGE);
		}
	}

	if (optind >= argc)
	{
		pg_log_error("no verb given");
		pg_log_error_hint("Try \"pg_migrate --help\" for more information.");
		exit(EXIT_USAGE);
	}
	opts.verb = unmark(argv[optind++]);
	for (; optind < argc; optind++)
		push(&opts.args, &opts.nargs, unmark(argv[optind]));

	for (verb = verbs; verb->name != NULL; verb++)
		if (strcmp(verb->name, opts.verb) == 0)
			break;
	if (verb->name == NULL)
		usage_error("unknown verb \"%s\"", opts.verb);
	if (opts.nargs < verb->min_args)
		usage_error("too few arguments for \"%s\"", verb->name);
	if (verb->max_args >= 0 && opts.nargs > verb->max_args)
		usage_error("too many arguments for \"%s\"", verb->name);
	if ((used & ~verb->allowed) != 0)
		usage_error("an option given does not apply to \"%s\"", verb->name);
	if ((verb->allowed & OPT_MESSAGE) && opts.message == NULL)
		usage_error("\"%s\" needs a message (-m)", verb->name);
	if (opts.max_retries < 1)
		usage_error("%s must be at least 1", "--max-retries");

	/*
	 * A missing directory is allowed (the server keeps every registered
	 * revision), but one named explicitly is more likely mistyped: say so.
	 */
	if (dir_given && strcmp(verb->name, "init") != 0 &&
		strcmp(verb->name, "import") != 0)
	{
		struct stat st;

		if (stat(opts.dir, &st) != 0 && errno == ENOENT)
			pg_log_warning("directory \"%s\" does not exist; only the revisions registered in the server are used",
						   opts.dir);
	}

	setup_cancel_handler(NULL);
	if (opts.wait)
		wait_for_server(&opts);

	if (opts.scope || opts.fleet_scopes)
		check_scope_options(&opts, verb);
	if (opts.fleet_all || opts.fleet_databases || opts.fleet_targets ||
		opts.fleet_scopes)
		return fleet(&opts, verb);
	if (opts.fleet_jobs || opts.fleet_canary || opts.fleet_fail_fast)
		usage_error("%s", "-j, --canary and --fail-fast apply with --all-databases, --databases, --targets or --scopes only");
	if (opts.fleet_format &&
		(strcmp(verb->name, "status") != 0 || strcmp(opts.fleet_format, "table") == 0))
		usage_error("%s", "--format applies to status; for one database it is json (the default) or prometheus");
	if (strcmp(verb->name, "revision") == 0 && !opts.autogenerate &&
		(used & (OPT_SCHEMADIR | OPT_SCHEMADIFF | OPT_DATALOSS | OPT_CONCURRENT)))
		usage_error("%s", "--schema-dir, --dev-url, --schema, --exclude-schema, --rename, --allow-data-loss and --concurrently apply to revision with --autogenerate");
	if (strcmp(verb->name, "check") == 0 && (used & OPT_SCHEMADIFF) && !opts.schema_dir_given)
		usage_error("%s", "--dev-url, --schema, --exclude-schema and --rename apply to check with --schema-dir");
	if (strcmp(verb->name, "check") == 0 && opts.schema_dir_given)
		return verb_check_schema(&opts);
	return verb->fn(&opts);
}
