/*-------------------------------------------------------------------------
 *
 * register.c
 *	  Registering revisions: migrate_add, migrate_add_file, migrate_load,
 *	  and unregistering one: migrate_remove.
 *
 * Registration never runs a revision and never needs the graph to be
 * complete: a child may be registered before its parent.  The graph is
 * validated when it is used.  Registration takes the migration lock like
 * every other change, so that replicas sending the same files at once
 * serialise and the later ones find them unchanged.
 *
 * IDENTIFICATION
 *	  src/functions/register.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "common/digest.h"
#include "pg_migrate.h"
#include "common/revfile.h"

PG_FUNCTION_INFO_V1(migrate_add);
PG_FUNCTION_INFO_V1(migrate_add_file);
PG_FUNCTION_INFO_V1(migrate_add_files);

/* New revisions registered by one INSERT (migrate_load, migrate_add_files). */
#define LOAD_BATCH_ROWS 1000
PG_FUNCTION_INFO_V1(migrate_load);
PG_FUNCTION_INFO_V1(migrate_remove);

/* The word a registration result is reported as. */
static const char *
result_name(MigrateRegisterResult result)
{
	switch (result)
	{
		case MIGRATE_ADDED:
			return "added";
		case MIGRATE_REPLACED:
			return "replaced";
		case MIGRATE_UNCHANGED:
			return "unchanged";
		case MIGRATE_DRIFTED:
			return "drifted";
	}
	return "unchanged";			/* keep compiler quiet */
}

/*
 * Register under the migration lock (taken by the caller) and, when that
 * changed the catalog, bump the state generation so that a REPEATABLE READ
 * caller with an older snapshot fails instead of missing the change.
 */
static MigrateRegisterResult
register_and_bump(MigrateRevision *rev)
{
	MigrateRegisterResult result;

	migrate_fingerprint_revision(rev);
	result = migrate_catalog_register(rev);

	if (result != MIGRATE_UNCHANGED)
		migrate_catalog_bump_generation();
	return result;
}

/*
 * Refuse an id that the file format could not carry; message is the error
 * message, with one %s for the id.
 */
static void
check_id(const char *id, const char *message)
{
	if (!migrate_valid_id(id, strlen(id)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg_internal(message, id),
				 errdetail("Identifiers are 1 to %d letters, digits, \"_\" or \"-\".",
						   MIGRATE_MAX_ID_LEN)));
}

/*
 * Refuse a word of the target grammar as a revision id or branch label: a
 * target naming it would mean the word, never the revision.
 */
static void
check_not_reserved(const char *id, const char *what)
{
	if (migrate_reserved_id(id, strlen(id)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s \"%s\": it is a reserved word", what, id),
				 errdetail("The words %s name targets, not revisions.",
						   MIGRATE_RESERVED_IDS)));
}

/* A text[] argument as checked C strings. */
static char **
id_array_arg(FunctionCallInfo fcinfo, int argno, const char *what,
			 const char *message, int *count)
{
	ArrayType  *array;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	char	  **result;
	int			i;

	*count = 0;
	if (PG_ARGISNULL(argno))
		return NULL;
	array = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	result = palloc(sizeof(char *) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain nulls", what)));
		result[i] = TextDatumGetCString(elems[i]);
		check_id(result[i], message);
	}
	*count = n;
	return result;
}

/*
 * migrate_add(revision text, upgrade text, revises text[], downgrade text,
 *			   message text, depends_on text[], branch_labels text[],
 *			   transactional boolean) RETURNS text
 */
Datum
migrate_add(PG_FUNCTION_ARGS)
{
	MigrateRevision rev;
	int			i;

	memset(&rev, 0, sizeof(rev));
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("revision must not be null")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("upgrade SQL must not be null"),
				 errhint("Use an empty string for a revision that changes nothing.")));

	rev.revision = text_to_cstring(PG_GETARG_TEXT_PP(0));
	check_id(rev.revision, "invalid revision id \"%s\"");
	check_not_reserved(rev.revision, "revision id");
	rev.upgrade_sql = text_to_cstring(PG_GETARG_TEXT_PP(1));
	rev.revises = id_array_arg(fcinfo, 2, "revises",
							   "invalid parent revision id \"%s\"", &rev.nrevises);
	rev.downgrade_sql = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	rev.has_downgrade = rev.downgrade_sql != NULL;
	rev.message = PG_ARGISNULL(4) ? pstrdup("") : text_to_cstring(PG_GETARG_TEXT_PP(4));
	rev.depends_on = id_array_arg(fcinfo, 5, "depends_on",
								  "invalid dependency \"%s\"", &rev.ndepends_on);
	rev.branch_labels = id_array_arg(fcinfo, 6, "branch_labels",
									 "invalid branch label \"%s\"",
									 &rev.nbranch_labels);
	for (i = 0; i < rev.nbranch_labels; i++)
		check_not_reserved(rev.branch_labels[i], "branch label");
	rev.transactional = PG_ARGISNULL(7) ? true : PG_GETARG_BOOL(7);

	migrate_check_syntax(&rev);
	migrate_begin_change();
	PG_RETURN_TEXT_P(cstring_to_text(result_name(register_and_bump(&rev))));
}

/*
 * Register a parsed revision file, after checking its SQL.  content (UTF-8,
 * len bytes) is the file's text, whose SHA-256 the catalog keeps so that
 * the client can tell which files it need not send again.  The caller
 * holds the migration lock.
 */
static MigrateRegisterResult
register_file(const char *name, MigrateRevFile *file, const char *content,
			  size_t len)
{
	MigrateRevision rev;
	char		sha[MIGRATE_SHA256_HEX_LEN];

	migrate_revision_from_file(name, file, &rev);
	if (!migrate_sha256_hex(content, len, sha))
		elog(ERROR, "could not compute the SHA-256 of file \"%s\"", name);
	rev.file_sha256 = sha;
	migrate_check_syntax(&rev);
	return register_and_bump(&rev);
}

/*
 * migrate_add_file(name text, content text) RETURNS text
 */
Datum
migrate_add_file(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	text	   *content = PG_GETARG_TEXT_PP(1);
	char	   *data = VARDATA_ANY(content);
	size_t		len = VARSIZE_ANY_EXHDR(content);
	MigrateRevFile file;

	/* the parser reads UTF-8 */
	if (GetDatabaseEncoding() != PG_UTF8)
	{
		data = pg_server_to_any(data, len, PG_UTF8);
		len = strlen(data);
	}

	migrate_revision_parse_file(name, data, len, &file);
	migrate_begin_change();
	PG_RETURN_TEXT_P(cstring_to_text(result_name(register_file(name, &file, data, len))));
}

/* What a file that is not a regular one is, for the error's detail. */
static const char *
file_kind(mode_t mode)
{
	if (S_ISLNK(mode))
		return "a symbolic link";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "not a regular file";
}

/*
 * Refuse a revision file that is not a regular file.  A symbolic link is
 * refused too, wherever it points: migrate_load reads what is in the
 * named directory and nothing else, and a skipped file would be a
 * revision silently missing from the graph.
 */
static void
refuse_not_regular(const char *path, mode_t mode)
{
	ereport(ERROR,
			(errcode(ERRCODE_WRONG_OBJECT_TYPE),
			 errmsg("revision file \"%s\" is not a regular file", path),
			 errdetail("It is %s; migrate_load reads only regular files.",
					   file_kind(mode)),
			 errhint("Put a regular file in its place, or rename it so that its name does not end in \".sql\".")));
}

/*
 * Register n checked revisions, in order, under the migration lock (taken
 * by the caller).  Revisions registered already are compared one by one
 * (unchanged, replaced, drifted or refused); the new ones go in with one
 * INSERT per batch of LOAD_BATCH_ROWS.
 */
static void
register_revisions(MigrateRevision *revs, int n)
{
	bool	   *registered = palloc(sizeof(bool) * Max(n, 1));
	MigrateRevision *batch = palloc(sizeof(MigrateRevision) * LOAD_BATCH_ROWS);
	int			nbatch = 0;
	int			i;

	migrate_catalog_registered(revs, n, registered);
	for (i = 0; i < n; i++)
	{
		migrate_fingerprint_revision(&revs[i]);
		if (registered[i])
		{
			(void) register_and_bump(&revs[i]);
			continue;
		}
		batch[nbatch++] = revs[i];
		if (nbatch == LOAD_BATCH_ROWS)
		{
			migrate_catalog_insert_batch(batch, nbatch);
			migrate_catalog_bump_generation();
			nbatch = 0;
		}
	}
	if (nbatch > 0)
	{
		migrate_catalog_insert_batch(batch, nbatch);
		migrate_catalog_bump_generation();
	}
}

/*
 * The files of one migrate_add_files or migrate_load call, parsed and
 * checked before any is registered; seen maps each revision id to the
 * file that defined it, so that a second definition is refused.
 */
typedef struct FileBatch
{
	MigrateRevision *revs;
	int			n;
	HTAB	   *seen;
} FileBatch;

typedef struct SeenFile
{
	char		id[MIGRATE_MAX_ID_LEN + 1];
	const char *file;
} SeenFile;

static void
batch_init(FileBatch *batch, int nfiles)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = MIGRATE_MAX_ID_LEN + 1;
	ctl.entrysize = sizeof(SeenFile);
	ctl.hcxt = CurrentMemoryContext;
	batch->seen = hash_create("pg_migrate file batch", Max(nfiles, 16), &ctl,
							  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	batch->revs = palloc(sizeof(MigrateRevision) * Max(nfiles, 1));
	batch->n = 0;
}

/*
 * Parse and check one file (UTF-8 text of len bytes) into the batch: its
 * syntax, a revision defined twice, and the SQL of both sections.
 */
static void
batch_add(FileBatch *batch, const char *name, const char *data, size_t len)
{
	MigrateRevision *rev = &batch->revs[batch->n++];
	MigrateRevFile file;
	SeenFile   *entry;
	bool		found;

	migrate_revision_parse_file(name, data, len, &file);
	entry = hash_search(batch->seen, file.revision, HASH_ENTER, &found);
	if (found)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("revision \"%s\" is defined twice", file.revision),
				 errdetail("Files \"%s\" and \"%s\" both define it.",
						   entry->file, name)));
	entry->file = name;
	migrate_revision_from_file(name, &file, rev);
	rev->file_sha256 = palloc(MIGRATE_SHA256_HEX_LEN);
	if (!migrate_sha256_hex(data, len, rev->file_sha256))
		elog(ERROR, "could not compute the SHA-256 of file \"%s\"", name);
	migrate_check_syntax(rev);
}

/*
 * migrate_add_files(names text[], contents text[]) RETURNS integer
 *
 * Registers revision files sent by a client, as migrate_add_file would one
 * at a time, and returns how many: every file is parsed and checked first
 * (a bad one, or two defining one revision, is an error naming it and
 * changes nothing), then the new revisions are inserted together.
 */
Datum
migrate_add_files(PG_FUNCTION_ARGS)
{
	ArrayType  *names_arr;
	ArrayType  *contents_arr;
	Datum	   *names;
	Datum	   *contents;
	bool	   *names_null;
	bool	   *contents_null;
	int			nnames;
	int			ncontents;
	FileBatch	batch;
	int			i;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("file names and contents must not be null")));
	names_arr = PG_GETARG_ARRAYTYPE_P(0);
	contents_arr = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(names_arr) > 1 || ARR_NDIM(contents_arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("file names and contents must be one-dimensional arrays")));
	deconstruct_array(names_arr, TEXTOID, -1, false, TYPALIGN_INT,
					  &names, &names_null, &nnames);
	deconstruct_array(contents_arr, TEXTOID, -1, false, TYPALIGN_INT,
					  &contents, &contents_null, &ncontents);
	if (nnames != ncontents)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%d file names but %d contents", nnames, ncontents)));

	batch_init(&batch, nnames);
	for (i = 0; i < nnames; i++)
	{
		char	   *name;
		text	   *content;
		char	   *data;
		size_t		len;

		if (names_null[i] || contents_null[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("file names and contents must not contain nulls")));
		name = TextDatumGetCString(names[i]);
		content = DatumGetTextPP(contents[i]);
		data = VARDATA_ANY(content);
		len = VARSIZE_ANY_EXHDR(content);
		/* the parser reads UTF-8 */
		if (GetDatabaseEncoding() != PG_UTF8)
		{
			data = pg_server_to_any(data, len, PG_UTF8);
			len = strlen(data);
		}
		batch_add(&batch, name, data, len);
	}

	migrate_begin_change();
	register_revisions(batch.revs, batch.n);
	PG_RETURN_INT32(batch.n);
}

/*
 * Read a whole regular file into memory; errors name the file.  The file
 * is opened without following a symbolic link and without blocking, and
 * checked with fstat, so that an entry swapped for a link or a FIFO after
 * the directory was listed is refused rather than read or waited on.
 */
static char *
read_whole_file(const char *path, size_t *len)
{
	int			fd;
	struct stat st;
	char	   *buf;
	size_t		done = 0;

	fd = OpenTransientFile(path, O_RDONLY | PG_BINARY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0 && errno == ELOOP)
		refuse_not_regular(path, S_IFLNK);
	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open file \"%s\" for reading: %m", path)));
	if (fstat(fd, &st) < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat file \"%s\": %m", path)));
	if (!S_ISREG(st.st_mode))
		refuse_not_regular(path, st.st_mode);
	if (st.st_size > (off_t) (MaxAllocSize - 1))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("file \"%s\" is too large", path)));
	buf = palloc(st.st_size + 1);
	/* read what fstat saw; a file growing meanwhile is read up to that */
	while (done < (size_t) st.st_size)
	{
		ssize_t		n = read(fd, buf + done, st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read file \"%s\": %m", path)));
		if (n == 0)
			break;
		done += n;
	}
	buf[done] = '\0';
	*len = done;
	CloseTransientFile(fd);
	return buf;
}

/* qsort comparator for file names */
static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/*
 * migrate_load(directory text) RETURNS integer
 *
 * Registers every *.sql file of a server directory, in file-name order,
 * and returns how many.  Every such entry must be a regular file: a
 * directory, symbolic link, FIFO or other special file named *.sql is an
 * error, and since the call is one transaction nothing is registered.
 * Reading server files is reserved to superusers and members of
 * pg_read_server_files.
 */
Datum
migrate_load(PG_FUNCTION_ARGS)
{
	char	   *dirname = text_to_cstring(PG_GETARG_TEXT_PP(0));
	DIR		   *dir;
	struct dirent *de;
	char	  **names;
	int			nnames = 0;
	int			maxnames = 64;
	FileBatch	batch;
	int			i;

	if (!has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to load revision files from the server"),
				 errdetail("Only roles with privileges of the \"%s\" role may read server files.",
						   "pg_read_server_files"),
				 errhint("Send the files with migrate_add_file(), as the pg_migrate client does.")));

	names = palloc(sizeof(char *) * maxnames);
	dir = AllocateDir(dirname);
	while ((de = ReadDir(dir, dirname)) != NULL)
	{
		size_t		len = strlen(de->d_name);
		char	   *path;
		struct stat st;

		if (len < 5 || de->d_name[0] == '.' ||
			strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		path = psprintf("%s/%s", dirname, de->d_name);
		/* lstat: a link is judged as itself, not as what it points to */
		if (lstat(path, &st) < 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not stat file \"%s\": %m", path)));
		if (!S_ISREG(st.st_mode))
			refuse_not_regular(path, st.st_mode);
		if (nnames == maxnames)
		{
			maxnames *= 2;
			names = repalloc(names, sizeof(char *) * maxnames);
		}
		names[nnames++] = pstrdup(de->d_name);
	}
	FreeDir(dir);
	qsort(names, nnames, sizeof(char *), compare_names);

	/*
	 * Parse and check every file first, in name order, so that a bad file
	 * is reported before anything is registered.
	 */
	batch_init(&batch, nnames);
	for (i = 0; i < nnames; i++)
	{
		char	   *path = psprintf("%s/%s", dirname, names[i]);
		size_t		len;
		char	   *content = read_whole_file(path, &len);

		batch_add(&batch, path, content, len);
		pfree(content);
	}

	migrate_begin_change();
	register_revisions(batch.revs, batch.n);

	PG_RETURN_INT32(nnames);
}

/*
 * migrate_remove(revision text) RETURNS boolean
 *
 * Unregisters a revision that was registered by mistake: only one that is
 * not applied and that nothing else builds on.  False when there was no
 * such revision.
 */
Datum
migrate_remove(PG_FUNCTION_ARGS)
{
	char	   *revision = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bool		found;

	migrate_begin_change();
	found = migrate_catalog_remove(revision);
	if (found)
		migrate_catalog_bump_generation();
	PG_RETURN_BOOL(found);
}
