/*-------------------------------------------------------------------------
 *
 * test_interop.c
 *	  Unit tests of the rules shared by import and adopt: format names,
 *	  revision ids and "-- source:" versions.
 *
 * IDENTIFICATION
 *	  test/unit/test_interop.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include "common/revfile.h"
#include "common/interop.h"
#include "tap.h"

/* Check one revision id and one source version. */
static void
check_ids(MigrateInteropFormat f, const char *source_id,
		  const char *want_id, const char *want_version)
{
	char	   *id = migrate_interop_revision_id(f, source_id);
	char	   *version = migrate_interop_source_version(f, source_id);

	TAP_STREQ(id, want_id, "%s \"%s\": revision id",
			  migrate_interop_format_name(f), source_id);
	TAP_STREQ(version, want_version, "%s \"%s\": source version",
			  migrate_interop_format_name(f), source_id);
	TAP_OK(migrate_valid_id(id, strlen(id)), "\"%s\" is a valid id", id);
}

int
main(void)
{
	int			i;
	char	   *s;
	char		longid[300];
	MigrateInteropFormat f;
	const char *v;
	size_t		vlen;

	for (i = 0; i < MIGRATE_INTEROP_NFORMATS; i++)
	{
		const char *name = migrate_interop_format_name(i);

		TAP_OK(migrate_interop_format_from_name(name, strlen(name)) == i,
			   "format \"%s\" round-trips", name);
		TAP_OK(migrate_interop_version_table(i) != NULL,
			   "format \"%s\" has a version table", name);
	}
	TAP_OK(migrate_interop_format_from_name("Flyway", 6) == MIGRATE_INTEROP_INVALID,
		   "format names are exact");
	TAP_OK(migrate_interop_format_name(MIGRATE_INTEROP_INVALID) == NULL,
		   "no name for an invalid format");

	check_ids(MIGRATE_INTEROP_ALEMBIC, "ae1027a6acf", "ae1027a6acf", "ae1027a6acf");
	check_ids(MIGRATE_INTEROP_GOLANG_MIGRATE, "000001", "000001", "1");
	check_ids(MIGRATE_INTEROP_GOLANG_MIGRATE, "0", "0", "0");
	check_ids(MIGRATE_INTEROP_GOLANG_MIGRATE, "1500360784", "1500360784", "1500360784");
	check_ids(MIGRATE_INTEROP_DBMATE, "20151129054053", "20151129054053", "20151129054053");
	check_ids(MIGRATE_INTEROP_FLYWAY, "1.2", "1_2", "1.2");
	check_ids(MIGRATE_INTEROP_FLYWAY, "1_2", "1_2", "1.2");
	check_ids(MIGRATE_INTEROP_FLYWAY, "R__refresh_views", "R__refresh_views", "R__refresh_views");
	check_ids(MIGRATE_INTEROP_FLYWAY, "R__a.b", "R__a_b", "R__a.b");
	check_ids(MIGRATE_INTEROP_DIESEL, "2017-11-08-142003", "2017-11-08-142003", "20171108142003");
	check_ids(MIGRATE_INTEROP_DIESEL, "20171108142003", "20171108142003", "20171108142003");
	check_ids(MIGRATE_INTEROP_SQITCH, "add_users", "add_users", "add_users");
	check_ids(MIGRATE_INTEROP_SQITCH, "users@v1.0", "users_v1_0", "users@v1.0");

	s = migrate_interop_sanitize_id("a b\xc3\xa9", 5);
	TAP_STREQ(s, "a_b__", "each invalid byte becomes '_'");
	s = migrate_interop_sanitize_id("", 0);
	TAP_STREQ(s, "_", "an empty id becomes \"_\"");
	s = migrate_interop_sanitize_id("head", 4);
	TAP_STREQ(s, "head_", "a reserved word gets a '_'");
	memset(longid, 'x', sizeof(longid));
	s = migrate_interop_sanitize_id(longid, sizeof(longid));
	TAP_OK(strlen(s) == MIGRATE_MAX_ID_LEN, "a long id is cut to %d bytes",
		   MIGRATE_MAX_ID_LEN);

	TAP_OK(migrate_interop_parse_source(" flyway 1.2 ", 12, &f, &v, &vlen) &&
		   f == MIGRATE_INTEROP_FLYWAY && vlen == 3 && memcmp(v, "1.2", 3) == 0,
		   "source header \"flyway 1.2\"");
	TAP_OK(migrate_interop_parse_source("sqitch add_users", 16, &f, &v, &vlen) &&
		   f == MIGRATE_INTEROP_SQITCH && vlen == 9,
		   "source header \"sqitch add_users\"");
	TAP_OK(!migrate_interop_parse_source("liquibase 1", 11, &f, &v, &vlen),
		   "unknown format refused");
	TAP_OK(!migrate_interop_parse_source("flyway", 6, &f, &v, &vlen),
		   "missing version refused");
	TAP_OK(!migrate_interop_parse_source("flyway 1 2", 10, &f, &v, &vlen),
		   "blank inside the version refused");

	return tap_done();
}
