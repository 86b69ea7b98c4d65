/*-------------------------------------------------------------------------
 *
 * test_import.c
 *	  Unit tests of the parsers of the other tools' files, as each tool
 *	  documents them: golang-migrate, dbmate, Flyway and Diesel file names,
 *	  dbmate markers, Flyway script configuration, Diesel metadata, sqitch
 *	  plans and sqitch.conf, Alembic revision modules and alembic.ini.
 *
 * IDENTIFICATION
 *	  test/unit/test_import.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include "common/importfmt.h"
#include "tap.h"

/* golang-migrate: one file name, or NULL want_version for a refusal. */
static void
check_golang(const char *name, const char *want_version,
			 const char *want_title, bool want_up)
{
	char	   *version = NULL;
	char	   *title = NULL;
	bool		up = false;
	bool		ok = migrate_import_golang_name(name, &version, &title, &up);

	if (want_version == NULL)
	{
		TAP_OK(!ok, "golang-migrate: \"%s\" is not a migration", name);
		return;
	}
	TAP_OK(ok && strcmp(version, want_version) == 0 &&
		   strcmp(title, want_title) == 0 && up == want_up,
		   "golang-migrate: \"%s\" is %s \"%s\" %s", name, want_version,
		   want_title, want_up ? "up" : "down");
}

/* Flyway: one file name. */
static void
check_flyway(const char *name, MigrateFlywayKind want_kind,
			 const char *want_version, const char *want_description)
{
	char	   *version = NULL;
	char	   *description = NULL;
	MigrateFlywayKind kind = migrate_import_flyway_name(name, &version,
														&description);

	if (want_kind == MIGRATE_FLYWAY_NONE)
	{
		TAP_OK(kind == MIGRATE_FLYWAY_NONE, "flyway: \"%s\" is not a migration",
			   name);
		return;
	}
	TAP_OK(kind == want_kind &&
		   ((version == NULL && want_version == NULL) ||
			(version != NULL && want_version != NULL &&
			 strcmp(version, want_version) == 0)) &&
		   strcmp(description, want_description) == 0,
		   "flyway: \"%s\" is version %s \"%s\"", name,
		   want_version ? want_version : "(none)", want_description);
}

int
main(void)
{
	char	   *version;
	char	   *title;
	char	   *up;
	char	   *down;
	char	   *s;
	bool		uptx;
	bool		downtx;
	bool		intx;
	MigrateParseError err;
	MigrateSqitchPlan plan;
	MigrateAlembicRev rev;
	const char *text;

	/* golang-migrate: {version}_{title}.{up|down}.{extension} */
	check_golang("000001_create_users.up.sql", "000001", "create_users", true);
	check_golang("1500360784_initialize_schema.down.sql", "1500360784",
				 "initialize_schema", false);
	check_golang("3_a.up.b.down.sql", "3", "a.up.b", false);
	check_golang("2_x.up.txt", "2", "x", true);
	check_golang("create_users.up.sql", NULL, NULL, false);
	check_golang("0001_users.sql", NULL, NULL, false);

	/* dbmate: {version}_{description}.sql */
	TAP_OK(migrate_import_dbmate_name("20151129054053_test_migration.sql",
									  &version, &title) &&
		   strcmp(version, "20151129054053") == 0 &&
		   strcmp(title, "test_migration") == 0,
		   "dbmate: version and description");
	TAP_OK(!migrate_import_dbmate_name("schema.sql", &version, &title),
		   "dbmate: schema.sql is not a migration");

	text = "-- migrate:up\nCREATE TABLE t (id int);\n\n-- migrate:down\nDROP TABLE t;\n";
	TAP_OK(migrate_import_dbmate_split(text, strlen(text), &up, &down, &uptx,
									   &downtx, &err) &&
		   strstr(up, "CREATE TABLE t") != NULL && strstr(up, "DROP") == NULL &&
		   down != NULL && strstr(down, "DROP TABLE t") != NULL && uptx && downtx,
		   "dbmate: up and down sections");
	text = "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (id);\n";
	TAP_OK(migrate_import_dbmate_split(text, strlen(text), &up, &down, &uptx,
									   &downtx, &err) &&
		   down == NULL && !uptx,
		   "dbmate: transaction:false, no down section");
	text = "CREATE TABLE t (id int);\n";
	TAP_OK(!migrate_import_dbmate_split(text, strlen(text), &up, &down, &uptx,
										&downtx, &err),
		   "dbmate: a file without \"-- migrate:up\" is refused");

	/* Flyway: V, U, B and R prefixes, "__" separator, '.' or '_' in versions */
	check_flyway("V1__Initial_setup.sql", MIGRATE_FLYWAY_VERSIONED, "1", "Initial_setup");
	check_flyway("V1.1__Add_email.sql", MIGRATE_FLYWAY_VERSIONED, "1.1", "Add_email");
	check_flyway("V2_1_5__x.sql", MIGRATE_FLYWAY_VERSIONED, "2_1_5", "x");
	check_flyway("U1.1__Add_email.sql", MIGRATE_FLYWAY_UNDO, "1.1", "Add_email");
	check_flyway("B5__Baseline.sql", MIGRATE_FLYWAY_BASELINE, "5", "Baseline");
	check_flyway("R__Blue_cars.sql", MIGRATE_FLYWAY_REPEATABLE, NULL, "Blue_cars");
	check_flyway("V1_Missing_separator.sql", MIGRATE_FLYWAY_NONE, NULL, NULL);
	check_flyway("V1.a__Letters.sql", MIGRATE_FLYWAY_NONE, NULL, NULL);
	check_flyway("V1__x.sql.conf", MIGRATE_FLYWAY_NONE, NULL, NULL);
	TAP_OK(migrate_import_flyway_compare("1.1", "1_1") == 0,
		   "flyway: 1.1 and 1_1 are the same version");
	TAP_OK(migrate_import_flyway_compare("1.0", "1") == 0,
		   "flyway: 1.0 and 1 are the same version");
	TAP_OK(migrate_import_flyway_compare("2", "10") < 0,
		   "flyway: 2 comes before 10");
	TAP_OK(migrate_import_flyway_compare("1.10", "1.9") > 0,
		   "flyway: 1.10 comes after 1.9");
	text = "# comment\nexecuteInTransaction=false\n";
	TAP_OK(migrate_import_flyway_conf(text, strlen(text), &intx, &err) && !intx,
		   "flyway: executeInTransaction=false");
	text = "encoding=UTF-8\n";
	TAP_OK(migrate_import_flyway_conf(text, strlen(text), &intx, &err) && intx,
		   "flyway: other keys leave the transaction on");

	/* Diesel: {version}_{name}/, metadata.toml */
	TAP_OK(migrate_import_diesel_name("2017-11-08-142003_create_users",
									  &version, &title) &&
		   strcmp(version, "2017-11-08-142003") == 0 &&
		   strcmp(title, "create_users") == 0,
		   "diesel: dashed version and name");
	TAP_OK(migrate_import_diesel_name("00000000000000_diesel_initial_setup",
									  &version, &title) &&
		   strcmp(version, "00000000000000") == 0,
		   "diesel: the initial setup migration");
	TAP_OK(!migrate_import_diesel_name("create_users", &version, &title),
		   "diesel: a directory without a version is not a migration");
	text = "# comment\nrun_in_transaction = false\n";
	TAP_OK(migrate_import_diesel_metadata(text, strlen(text), &intx, &err) && !intx,
		   "diesel: run_in_transaction = false");

	/* BEGIN/COMMIT wrappers (sqitch's script templates) */
	s = migrate_import_strip_transaction("-- Deploy p:c to pg\n\nBEGIN;\n\nCREATE TABLE t ();\n\nCOMMIT;\n");
	TAP_OK(s != NULL && strstr(s, "BEGIN") == NULL && strstr(s, "COMMIT") == NULL &&
		   strstr(s, "CREATE TABLE t ();") != NULL,
		   "BEGIN/COMMIT lines removed");
	TAP_OK(migrate_import_strip_transaction("CREATE TABLE t ();\n") == NULL,
		   "no wrapper, nothing removed");

	/* sqitch.plan */
	text = "%syntax-version=1.0.0\n"
		"%project=flipr\n"
		"\n"
		"appschema 2013-12-30T23:49:00Z Marge N. O'Vera <marge@example.com> # Add schema.\n"
		"users [appschema] 2013-12-30T23:49:30Z Marge N. O'Vera <marge@example.com> # Users: #1.\n"
		"@v1.0 2013-12-31T00:00:00Z Marge N. O'Vera <marge@example.com> # Tag v1.0.\n"
		"@v1.1 2013-12-31T00:00:01Z Marge N. O'Vera <marge@example.com>\n"
		"# a comment\n"
		"flips [appschema users !legacy other:roles] 2014-01-01T00:58:36Z Marge N. O'Vera <marge@example.com>\n"
		"users [users@v1.0] 2014-01-02T00:00:00Z Marge N. O'Vera <marge@example.com> # Reworked.\n";
	TAP_OK(migrate_import_sqitch_plan(text, strlen(text), &plan, &err),
		   "sqitch: the plan parses");
	TAP_OK(plan.nchanges == 4 && strcmp(plan.project, "flipr") == 0,
		   "sqitch: four changes of project flipr");
	if (plan.nchanges == 4)
	{
		TAP_STREQ(plan.changes[1].note, "Users: #1.", "sqitch: the note after \" # \"");
		TAP_OK(plan.changes[1].ntags == 2, "sqitch: two tags on users");
		TAP_STREQ(plan.changes[1].script, "users@v1.0",
				  "sqitch: the earlier copy of a reworked change");
		TAP_STREQ(plan.changes[3].script, "users", "sqitch: the reworked change");
		TAP_OK(plan.changes[2].nrequires == 3 && plan.changes[2].nconflicts == 1,
			   "sqitch: requirements and a conflict");
		TAP_STREQ(plan.changes[2].note, "", "sqitch: no note");
	}
	text = "%project=p\na 2024-01-01T00:00:00Z X <x@y>\na 2024-01-02T00:00:00Z X <x@y>\n";
	TAP_OK(!migrate_import_sqitch_plan(text, strlen(text), &plan, &err) &&
		   err.line == 3,
		   "sqitch: a change again without a tag between is refused at its line");

	/* sqitch.conf */
	text = "[core]\n"
		"\tengine = pg\n"
		"\ttop_dir = core_dir\n"
		"\t# plan_file = commented\n"
		"[engine \"pg\"]\n"
		"\ttarget = db:pg:\n"
		"\tTop_Dir = \"db/pg\" ; a comment\n"
		"[engine \"sqlite\"]\n"
		"\ttop_dir = db/sqlite\n";
	TAP_STREQ(migrate_import_sqitch_conf_value(text, strlen(text), "core", NULL, "engine"),
			  "pg", "sqitch.conf: core.engine");
	TAP_STREQ(migrate_import_sqitch_conf_value(text, strlen(text), "engine", "pg", "top_dir"),
			  "db/pg", "sqitch.conf: engine.pg.top_dir, quoted, key case ignored");
	TAP_STREQ(migrate_import_sqitch_conf_value(text, strlen(text), "core", NULL, "top_dir"),
			  "core_dir", "sqitch.conf: core.top_dir");
	TAP_STREQ(migrate_import_sqitch_conf_value(text, strlen(text), "core", NULL, "plan_file"),
			  NULL, "sqitch.conf: a commented key is not set");
	TAP_STREQ(migrate_import_sqitch_conf_value(text, strlen(text), "engine", "mysql", "top_dir"),
			  NULL, "sqitch.conf: another engine's section is not read");

	/* Alembic revision modules, read without running them */
	text = "\"\"\"Add a column\n\nRevision ID: ae1027a6acf\nRevises: 1975ea83b712\n\"\"\"\n"
		"from typing import Sequence, Union\n\n"
		"revision: str = 'ae1027a6acf'\n"
		"down_revision: Union[str, None] = '1975ea83b712'\n"
		"branch_labels: Union[str, Sequence[str], None] = ('a', 'b')\n"
		"depends_on: Union[str, Sequence[str], None] = None\n";
	TAP_OK(migrate_import_alembic_module(text, strlen(text), &rev, &err),
		   "alembic: an annotated module (Alembic 1.13's template)");
	TAP_STREQ(rev.revision, "ae1027a6acf", "alembic: revision");
	TAP_OK(rev.ndown_revisions == 1 &&
		   strcmp(rev.down_revisions[0], "1975ea83b712") == 0,
		   "alembic: down_revision");
	TAP_OK(rev.nbranch_labels == 2, "alembic: a tuple of branch labels");
	TAP_STREQ(rev.message, "Add a column", "alembic: the docstring's first line");
	text = "revision = 'c'\ndown_revision = ('a',\n                 'b')\n";
	TAP_OK(migrate_import_alembic_module(text, strlen(text), &rev, &err) &&
		   rev.ndown_revisions == 2, "alembic: a merge over two lines");
	text = "revision = 'c'\ndown_revision = compute()\n";
	TAP_OK(!migrate_import_alembic_module(text, strlen(text), &rev, &err) &&
		   err.line == 2, "alembic: a computed down_revision is refused at its line");

	/* alembic.ini */
	text = "[alembic]\nscript_location = %(here)s/migration\n\n[loggers]\nkeys = root\n";
	TAP_STREQ(migrate_import_ini_value(text, strlen(text), "alembic", "script_location", "/p"),
			  "/p/migration", "alembic.ini: script_location with %%(here)s");
	TAP_STREQ(migrate_import_ini_value(text, strlen(text), "alembic", "keys", "/p"),
			  NULL, "alembic.ini: a key of another section");

	return tap_done();
}
