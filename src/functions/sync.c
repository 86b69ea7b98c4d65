/*-------------------------------------------------------------------------
 *
 * sync.c
 *	  What the client needs to send only the revision files that changed:
 *	  migrate_sync_check, migrate_sync_files, migrate_sync_done; and
 *	  migrate_sync_prune, which drops what the directory no longer holds.
 *
 * The client computes the SHA-256 of each file of its directory and a
 * digest over all of them (names and contents).  migrate_sync_check tells
 * whether that directory was registered in full with that digest at the
 * current generation: as every registration, removal and state change
 * bumps the generation, registering the files again would then change
 * nothing, and the client sends none.  Otherwise migrate_sync_files
 * returns the file name and SHA-256 of every revision registered from a
 * file, the client sends the files whose digest differs, and
 * migrate_sync_done records the digest at the generation reached.  All
 * three take the migration lock, which lasts until the transaction ends,
 * so that nobody registers anything between the check and the record.
 *
 * IDENTIFICATION
 *	  src/functions/sync.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "pg_migrate.h"

PG_FUNCTION_INFO_V1(migrate_sync_check);
PG_FUNCTION_INFO_V1(migrate_sync_files);
PG_FUNCTION_INFO_V1(migrate_sync_done);
PG_FUNCTION_INFO_V1(migrate_sync_stat);
PG_FUNCTION_INFO_V1(migrate_sync_prune);

/* Refuse an empty directory key or digest. */
static void
check_sync_args(const char *dir_key, const char *digest)
{
	if (dir_key[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("directory key must not be empty")));
	if (digest[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("directory digest must not be empty")));
}

/*
 * migrate_sync_check(dir_key text, digest text) RETURNS boolean
 *
 * Takes the migration lock; true when the directory dir_key was last
 * registered in full with this digest and nothing changed since.
 */
Datum
migrate_sync_check(PG_FUNCTION_ARGS)
{
	char	   *dir_key = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *digest = text_to_cstring(PG_GETARG_TEXT_PP(1));

	check_sync_args(dir_key, digest);
	migrate_begin_change();
	PG_RETURN_BOOL(migrate_catalog_sync_check(dir_key, digest));
}

/*
 * migrate_sync_files()
 *	 RETURNS TABLE (file_name text, revision text, file_sha256 text)
 *
 * Takes the migration lock; one row per revision registered from a file.
 */
Datum
migrate_sync_files(PG_FUNCTION_ARGS)
{
	InitMaterializedSRF(fcinfo, 0);
	migrate_begin_change();
	migrate_catalog_sync_files(fcinfo);
	return (Datum) 0;
}

/*
 * migrate_sync_done(dir_key text, digest text, stat_digest text DEFAULT NULL)
 *	  RETURNS bigint
 *
 * Records that every file of the directory dir_key, whose digest is
 * digest, is registered as it is; returns the generation recorded.  Call
 * it in the transaction that checked or sent every file.  stat_digest
 * (may be null) is the client's digest of the files' names, sizes, times
 * and inodes, which migrate_sync_stat() compares.
 */
Datum
migrate_sync_done(PG_FUNCTION_ARGS)
{
	char	   *dir_key;
	char	   *digest;
	char	   *stat_digest = NULL;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("directory key and digest must not be null")));
	dir_key = text_to_cstring(PG_GETARG_TEXT_PP(0));
	digest = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (!PG_ARGISNULL(2))
	{
		stat_digest = text_to_cstring(PG_GETARG_TEXT_PP(2));
		if (stat_digest[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("stat digest must not be empty")));
	}
	check_sync_args(dir_key, digest);
	migrate_begin_change();
	PG_RETURN_INT64(migrate_catalog_sync_done(dir_key, digest, stat_digest));
}

/*
 * migrate_sync_stat(dir_key text, stat_digest text) RETURNS text
 *
 * Takes the migration lock; the content digest recorded for the directory
 * dir_key when it was last registered in full with this stat digest and
 * nothing changed since, else null.  The client then takes its files as
 * unchanged without reading them.
 */
Datum
migrate_sync_stat(PG_FUNCTION_ARGS)
{
	char	   *dir_key = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *stat_digest = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *digest;

	if (stat_digest[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stat digest must not be empty")));
	check_sync_args(dir_key, stat_digest);
	migrate_begin_change();
	digest = migrate_catalog_sync_stat(dir_key, stat_digest);
	if (digest == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(digest));
}

/*
 * migrate_sync_prune(names text[])
 *	 RETURNS TABLE (revision text, file_name text, dropped boolean)
 *
 * Takes the migration lock.  names are the file names of every revision
 * file of the client's directory (the broken ones included): a revision
 * registered from a file that is not among them is unregistered when it
 * is not applied (dropped), and kept with a warning when it is.  One row
 * per such revision.
 */
Datum
migrate_sync_prune(PG_FUNCTION_ARGS)
{
	InitMaterializedSRF(fcinfo, 0);
	migrate_begin_change();
	if (migrate_catalog_sync_prune(PG_GETARG_DATUM(0), fcinfo) > 0)
		migrate_catalog_bump_generation();
	return (Datum) 0;
}
