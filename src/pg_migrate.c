/*-------------------------------------------------------------------------
 *
 * pg_migrate.c
 *	  Module entry point of the pg_migrate extension, and the map of its
 *	  source files.
 *
 * pg_migrate keeps revisions in the database (schema "migrate") and applies
 * them with Alembic's semantics inside the caller's transaction, under an
 * advisory lock.  The sources are in layers; a file calls into its own
 * layer and the ones listed before it, never after (test/layers checks
 * this on the built objects):
 *
 * src/common: pure C, shared with the client and the unit tests
 *	revfile.c		parsing revision files
 *	revid.c			what a revision id or branch label may be
 *	revgraph.c		the revision graph: nodes, edges, heads, applied sets
 *	revorder.c		topological order and branch points
 *	revtarget.c		parsing targets ("head", "ae1027+2", "base:head")
 *	revplan.c		upgrade, downgrade and stamp plans
 *	interop.c		"-- source:" headers naming another tool's migration
 *	importnames.c, importsqitch.c, importalembic.c
 *					reading other tools' histories (the client's import)
 *	digest.c		SHA-256 as hex
 *	sqltext.c		lines and blanks in SQL text
 *	schemacompare.c	comparing two schema fingerprints
 *	locks.h			the advisory lock keys
 *
 * src/catalog: the tables of schema "migrate", through one SPI frame
 *	spi.c			the frame: owner identity, safe search_path, version check
 *	errors.c		the graph's errors raised with their SQLSTATEs
 *	revisions.c		loading, registering and removing revisions
 *	version.c		version rows, the journal, when revisions were applied
 *	generation.c	the state generation and the no-op fast path
 *	syncstate.c		what the client last registered from each directory
 *	scope.c			the tenant schema (scope) of the current call
 *
 * src/engine: running and checking steps
 *	settings.c		the pg_migrate.* settings
 *	locks.c			the migration lock, and waiting for it
 *	checks.c		checks of targets, operations and plans before a run
 *	runner.c		running one revision's SQL
 *	outcome.c		log lines of steps, written when their transaction ends
 *	locksafety.c	settings in force while a revision runs; lock-timeout
 *					errors naming the lock and its holders
 *	record.c		recording version-row changes and steps run outside
 *	repeatables.c	where repeatable revisions go in a plan
 *	result.c		rows shared by the set-returning functions
 *	parse_revision.c	a revision file's text as a revision
 *	fingerprint.c	fingerprints of SQL, by the server's parser
 *	integrity.c		drift: applied revisions registered with other SQL
 *	interrupted.c	non-transactional steps left unfinished
 *	procedure.c		CALL migrate_run(), one transaction per revision
 *	schemaprint.c	the schema's fingerprint, for verify
 *	verify.c		trial runs: upgrade, downgrade, upgrade again
 *	explain.c		what a plan would lock and rewrite
 *	adopted.c		the version table of a tool a database was adopted from
 *
 * src/lint: the lint rules and their walker
 *	walk.c			walking a revision's statements
 *	context.c		reporting a finding at the current statement
 *	alter.c			ALTER TABLE, subcommand by subcommand
 *	catalog_lookup.c	what lint asks the system catalogs
 *	rules.c			the rules, their codes and advice
 *
 * src/functions: the SQL-callable functions
 *	commands.c		migrate_upgrade, migrate_downgrade, migrate_stamp,
 *					migrate_record
 *	report.c		the read-only reports and migrate_wait
 *	register.c		migrate_add, migrate_add_file(s), migrate_load,
 *					migrate_remove
 *	sync.c			the client's directory sync
 *	integrity.c		migrate_drift, migrate_repair
 *	outside.c		notes of steps run outside the server, migrate_resolve
 *	lint.c			migrate_lint, migrate_lint_file, migrate_lint_rules
 *	adopt.c			migrate_adopt
 *	statements.c	migrate_statements
 *	scopes.c		migrate_scopes
 *	(verify.c, explain.c, fingerprint.c and procedure.c in src/engine
 *	define migrate_verify, migrate_explain, migrate_fingerprint and
 *	migrate_run themselves: each is that file's one entry point)
 *
 * IDENTIFICATION
 *	  src/pg_migrate.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

#include "pg_migrate.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * Module load callback: define the settings.
 */
void
_PG_init(void)
{
	migrate_define_settings();
}
