/*-------------------------------------------------------------------------
 *
 * files.c
 *	  Reading, registering and writing revision files.
 *
 * The files of the migrations directory are the source of truth where
 * they exist: each one is parsed here with the parser the server uses, so
 * that a bad file is reported with its line before anything is sent, and
 * then registered with migrate_add_file() in the verb's transaction.  A
 * missing directory is not an error: the server keeps the SQL of every
 * registered revision, so it can still report and downgrade.
 *
 * Sending every file on every start would cost a round trip and a
 * registration per file, so the client sends only what the server does
 * not have: it hashes each file (SHA-256) and the directory as a whole
 * (names and per-file digests).  When the server says that this directory
 * was registered with this digest and nothing changed since
 * (migrate_sync_check), nothing is sent; otherwise the files whose digest
 * differs from the one the server keeps for that file name are
 * (migrate_sync_files).  After the verb's change, migrate_sync_done
 * records the digest at the generation reached, in the same transaction.
 *
 * IDENTIFICATION
 *	  client/files.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/logging.h"
#include "client.h"
#include "common/digest.h"
#include "pqexpbuffer.h"

/*
 * --verify-files (or PG_MIGRATE_VERIFY_FILES set to anything but "" or
 * "0"): parse every file even when the server vouches for the directory.
 */
bool		verify_files = false;

/* qsort comparator: file entries by name */
static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const RevFileEntry *) a)->name,
				  ((const RevFileEntry *) b)->name);
}

/* qsort comparator: file entries by revision id, then by file name */
static int
entry_id_cmp(const void *a, const void *b)
{
	const RevFileEntry *x = *(const RevFileEntry *const *) a;
	const RevFileEntry *y = *(const RevFileEntry *const *) b;
	int			c = strcmp(x->rev.revision, y->rev.revision);

	return c != 0 ? c : strcmp(x->name, y->name);
}

/* True if name ends in ".sql" and is not hidden. */
static bool
is_revision_file_name(const char *name)
{
	size_t		len = strlen(name);

	return name[0] != '.' && len > 4 && strcmp(name + len - 4, ".sql") == 0;
}

/*
 * Read a whole regular file into a NUL-terminated buffer.  Returns NULL
 * with errno set on failure; *not_regular is set when the path (after
 * symbolic links, which deployments such as mounted configuration volumes
 * use) is a directory, FIFO or other special file.  The file is opened
 * without blocking and checked with fstat, so that a FIFO named *.sql is
 * refused instead of waited on.  The directory may hold thousands of
 * files, so each costs few system calls and little memory: open, fstat,
 * reads into a reused buffer until end of file, close; the copy kept is
 * exactly the file's size.
 */
static char *
read_whole_file(const char *path, size_t *len, bool *not_regular)
{
	static char *scratch = NULL;
	static size_t cap = 0;
	int			fd;
	struct stat st;
	size_t		n = 0;
	ssize_t		got;
	char	   *buf;

	*not_regular = false;
	fd = open(path, O_RDONLY | PG_BINARY | O_NONBLOCK, 0);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
	{
		int			save_errno = errno;

		close(fd);
		errno = save_errno;
		return NULL;
	}
	if (!S_ISREG(st.st_mode))
	{
		close(fd);
		*not_regular = true;
		return NULL;
	}
	if (scratch == NULL)
	{
		cap = 65536;
		scratch = pg_malloc(cap);
	}
	for (;;)
	{
		if (n == cap)
		{
			cap *= 2;
			scratch = pg_realloc(scratch, cap);
		}
		got = read(fd, scratch + n, cap - n);
		if (got < 0)
		{
			int			save_errno = errno;

			if (errno == EINTR)
				continue;
			close(fd);
			errno = save_errno;
			return NULL;
		}
		if (got == 0)
			break;
		n += got;
	}
	close(fd);
	buf = pg_malloc(n + 1);
	memcpy(buf, scratch, n);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/*
 * The digest of the whole set: each file's name, a NUL, its digest and a
 * newline, in name order.  A file added, removed, renamed or edited
 * changes it.
 */
static void
digest_set(RevFileSet *set)
{
	MigrateSha256 *sha = migrate_sha256_begin();
	int			i;
	bool		ok = sha != NULL;

	for (i = 0; ok && i < set->nfiles; i++)
	{
		const RevFileEntry *e = &set->files[i];

		ok = migrate_sha256_add(sha, e->name, strlen(e->name) + 1) &&
			migrate_sha256_add(sha, e->sha256, strlen(e->sha256)) &&
			migrate_sha256_add(sha, "\n", 1);
	}
	if (sha != NULL && !migrate_sha256_end(sha, set->digest))
		ok = false;
	if (!ok)
	{
		pg_log_error("could not compute the SHA-256 of the revision files");
		exit(EXIT_OTHER);
	}
}

static void parse_entries(RevFileSet *set, const char *dir);
static int	read_entries(RevFileSet *set);
static void check_entries(RevFileSet *set, const char *dir, int bad);
/*
 * The stat digest of the set: each file's name, size, modification and
 * change times (nanoseconds) and inode, in name order, taken with one
 * fstatat() per file relative to the open directory dfd.  An edit changes
 * the change time even when it keeps the size and puts the modification
 * time back.  A file changed less than a second before (or whose times
 * are in the future) makes the digest unsafe to keep: a second edit within
 * the file system's timestamp granularity could leave every field as it
 * was, so then stat_ok stays false and the contents are read.
 */
static void
stat_set(RevFileSet *set, int dfd)
{
	MigrateSha256 *sha = migrate_sha256_begin();
	struct timespec now;
	int64		limit;
	bool		ok = sha != NULL;
	int			i;

	set->stat_ok = false;
	if (!ok || clock_gettime(CLOCK_REALTIME, &now) != 0)
		return;
	limit = (int64) now.tv_sec * 1000000000 + now.tv_nsec - 1000000000;
	for (i = 0; ok && i < set->nfiles; i++)
	{
		struct stat st;
		char		line[160];
		int64		mtime;
		int64		ctime;

		if (fstatat(dfd, set->files[i].name, &st, 0) != 0 || !S_ISREG(st.st_mode))
			ok = false;
		else
		{
			mtime = (int64) st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
			ctime = (int64) st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
			if (mtime >= limit || ctime >= limit)
				ok = false;
			snprintf(line, sizeof(line), " " INT64_FORMAT " " INT64_FORMAT " "
					 INT64_FORMAT " " UINT64_FORMAT "\n",
					 (int64) st.st_size, mtime, ctime, (uint64) st.st_ino);
			ok = ok &&
				migrate_sha256_add(sha, set->files[i].name,
								   strlen(set->files[i].name) + 1) &&
				migrate_sha256_add(sha, line, strlen(line));
		}
	}
	/* always end the hash: it frees the context */
	if (!migrate_sha256_end(sha, set->stat_digest))
		ok = false;
	set->stat_ok = ok;
}

/*
 * Read and hash the files of a set read lazily, once; an unreadable file
 * is reported with every bad file, and exits.
 */
static void
ensure_read(RevFileSet *set)
{
	int			bad;

	if (set->read)
		return;
	bad = read_entries(set);
	if (bad > 0)
		check_entries(set, set->check_dir, bad);
	if (set->nfiles > 0)
		digest_set(set);
	set->read = true;
}



/*
 * Read, hash and (unless lazy) parse every *.sql file of dir, sorted by
 * name.  Every bad file is reported as "path:line: message"; if there is
 * one, exit with the bad-files status, before anything reaches the server.
 * A lazy read only stats the files (stat_set) and leaves reading and
 * parsing to ensure_parsed(), which send_revision_files() calls only when
 * the server does not know this directory: when the server has the same
 * stat digest (the stat cache) or content digest, these files were read,
 * parsed, checked and registered in full before, and nothing will be
 * sent.  --verify-files turns the laziness off.
 */
static void
read_dir(const char *dir, RevFileSet *set, bool lazy)
{
	DIR		   *d;
	struct dirent *de;
	int			maxfiles = 0;

	memset(set, 0, sizeof(*set));
	set->parsed = true;
	set->read = true;
	d = opendir(dir);
	if (d == NULL)
	{
		if (errno == ENOENT)
			return;
		pg_log_error("could not open directory \"%s\": %m", dir);
		exit(EXIT_BAD_FILES);
	}
	set->dir_exists = true;
	while ((errno = 0, de = readdir(d)) != NULL)
	{
		RevFileEntry *e;

		if (!is_revision_file_name(de->d_name))
			continue;
		/* grown by doubling: thousands of files, few copies */
		if (set->nfiles == maxfiles)
		{
			maxfiles = Max(64, maxfiles * 2);
			set->files = pg_realloc(set->files, sizeof(RevFileEntry) * maxfiles);
		}
		e = &set->files[set->nfiles++];
		memset(e, 0, sizeof(*e));
		e->name = pg_strdup(de->d_name);
		e->path = psprintf("%s/%s", dir, de->d_name);
	}
	if (errno != 0)
	{
		pg_log_error("could not read directory \"%s\": %m", dir);
		exit(EXIT_BAD_FILES);
	}
	if (set->nfiles > 1)
		qsort(set->files, set->nfiles, sizeof(RevFileEntry), entry_cmp);
	/* stat before reading: an edit after this is seen at the next run */
	stat_set(set, dirfd(d));
	closedir(d);
	set->parsed = false;
	set->read = false;
	set->check_dir = pg_strdup(dir);
	if (set->nfiles > 0)
	{
		char		resolved[PATH_MAX];

		/* the key names the directory; a directory found under two names gets two */
		set->dir_key = pg_strdup(realpath(dir, resolved) ? resolved : dir);
	}
	if (lazy && !verify_files)
	{
		const char *env = getenv("PG_MIGRATE_VERIFY_FILES");

		lazy = env == NULL || env[0] == '\0' || strcmp(env, "0") == 0;
	}
	else
		lazy = false;
	set->lazy = lazy;
	if (lazy)
		return;
	ensure_read(set);
	check_entries(set, dir, 0);
}

void
load_revision_files(const char *dir, RevFileSet *set)
{
	read_dir(dir, set, false);
}

/*
 * Like load_revision_files, for verbs that only send the files: the parse
 * is left to ensure_parsed().
 */
void
read_revision_files(const char *dir, RevFileSet *set)
{
	read_dir(dir, set, true);
}

/* Parse the files of a lazily read set, if not done yet (see read_dir). */
void
ensure_parsed(RevFileSet *set)
{
	ensure_read(set);
	if (!set->parsed)
		check_entries(set, set->check_dir, 0);
}

/*
 * Read and parse the files of set (path and name filled in).  Every bad
 * file is reported; if there is one, exit with the bad-files status.  dir
 * names the directory they came from, for the message, or is NULL.
 */
static void
parse_entries(RevFileSet *set, const char *dir)
{
	check_entries(set, dir, read_entries(set));
}

/*
 * Read and hash the files of set; report each one that cannot be read and
 * return how many.
 */
static int
read_entries(RevFileSet *set)
{
	int			bad = 0;
	int			i;

	for (i = 0; i < set->nfiles; i++)
	{
		RevFileEntry *e = &set->files[i];
		size_t		len;
		bool		not_regular;

		e->content = read_whole_file(e->path, &len, &not_regular);
		if (e->content == NULL && not_regular)
		{
			pg_log_error("%s: not a regular file", e->path);
			bad++;
			continue;
		}
		if (e->content == NULL)
		{
			pg_log_error("could not read file \"%s\": %m", e->path);
			bad++;
			continue;
		}
		e->len = len;
		if (!migrate_sha256_hex(e->content, len, e->sha256))
		{
			pg_log_error("could not compute the SHA-256 of file \"%s\"", e->path);
			exit(EXIT_OTHER);
		}
	}
	return bad;
}

/*
 * Parse the files of set that were read, and look for two files defining
 * one revision.  bad is how many could not be read.  Every bad file is
 * reported; if there is one, exit with the bad-files status.
 */
static void
check_entries(RevFileSet *set, const char *dir, int bad)
{
	int			i;
	int			j;

	for (i = 0; i < set->nfiles; i++)
	{
		RevFileEntry *e = &set->files[i];
		MigrateParseError err;
		size_t		len = e->len;

		if (e->content == NULL)
			continue;
		if (strlen(e->content) != len)
		{
			pg_log_error("%s: file contains a zero byte", e->path);
			bad++;
			continue;
		}
		memset(&err, 0, sizeof(err));
		if (!migrate_parse_revfile(e->content, len, &e->rev, &err))
		{
			if (err.line > 0)
				pg_log_error("%s:%d: %s", e->path, err.line, err.message);
			else
				pg_log_error("%s: %s", e->path, err.message);
			/* the parse left *rev unspecified; keep it out of the checks */
			memset(&e->rev, 0, sizeof(e->rev));
			bad++;
			continue;
		}
	}

	/* two files defining one revision: sort by id, compare neighbours */
	if (set->nfiles > 1)
	{
		RevFileEntry **byid = pg_malloc(sizeof(RevFileEntry *) * set->nfiles);
		int			nid = 0;

		for (i = 0; i < set->nfiles; i++)
			if (set->files[i].rev.revision != NULL)
				byid[nid++] = &set->files[i];
		qsort(byid, nid, sizeof(RevFileEntry *), entry_id_cmp);
		for (i = 1; i < nid; i++)
		{
			/* the first file of the run, in name order, is the one cited */
			for (j = i - 1; j > 0 &&
				 strcmp(byid[j - 1]->rev.revision, byid[i]->rev.revision) == 0; j--)
				;
			if (strcmp(byid[j]->rev.revision, byid[i]->rev.revision) == 0)
			{
				pg_log_error("%s: revision \"%s\" is also defined in \"%s\"",
							 byid[i]->path, byid[i]->rev.revision, byid[j]->path);
				bad++;
			}
		}
		pg_free(byid);
	}
	set->parsed = true;
	if (bad > 0)
	{
		if (dir != NULL)
			pg_log_error_detail("%d revision file(s) in \"%s\" are invalid; nothing was sent to the server.",
								bad, dir);
		else
			pg_log_error_detail("%d revision file(s) are invalid; nothing was sent to the server.",
								bad);
		exit(EXIT_BAD_FILES);
	}
}

/*
 * Read and parse the files named on the command line, in the order given,
 * as load_revision_files does for a directory.
 */
void
load_named_files(char **paths, int npaths, RevFileSet *set)
{
	int			i;

	memset(set, 0, sizeof(*set));
	set->files = pg_malloc0(sizeof(RevFileEntry) * Max(npaths, 1));
	set->nfiles = npaths;
	for (i = 0; i < npaths; i++)
	{
		const char *slash = strrchr(paths[i], '/');

		set->files[i].path = pg_strdup(paths[i]);
		set->files[i].name = pg_strdup(slash ? slash + 1 : paths[i]);
	}
	parse_entries(set, NULL);
	set->parsed = true;
	set->read = true;
}

/* qsort/bsearch comparator: server rows (name, sha) by name */
static int
pair_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* At most this many files, or about this many bytes, per round trip. */
#define SEND_BATCH_FILES 1000
#define SEND_BATCH_BYTES (8 * 1024 * 1024)

/* Append s to buf as an element of a text[] literal: quoted, escaped. */
static void
append_array_element(PQExpBuffer buf, const char *s)
{
	const char *p;

	appendPQExpBufferChar(buf, buf->len == 0 ? '{' : ',');
	appendPQExpBufferChar(buf, '"');
	for (p = s; *p; p++)
	{
		if (*p == '"' || *p == '\\')
			appendPQExpBufferChar(buf, '\\');
		appendPQExpBufferChar(buf, *p);
	}
	appendPQExpBufferChar(buf, '"');
}

/* Register the files gathered in names and contents, and empty both. */
static void
send_batch(PGconn *conn, const char *sql, PQExpBuffer names,
		   PQExpBuffer contents)
{
	const char *params[2];

	appendPQExpBufferChar(names, '}');
	appendPQExpBufferChar(contents, '}');
	params[0] = names->data;
	params[1] = contents->data;
	PQclear(run_query(conn, sql, 2, params));
	resetPQExpBuffer(names);
	resetPQExpBuffer(contents);
}

/*
 * Register, in the connection's current transaction, every file of set
 * that the server does not have as it is (see the header comment).
 */
void
send_revision_files(PGconn *conn, RevFileSet *set)
{
	char	   *sql;
	const char *params[2];
	PGresult   *known = NULL;
	char	  **pairs = NULL;
	int			npairs = 0;
	PQExpBufferData names;
	PQExpBufferData contents;
	int			batched = 0;
	int			i;

	set->synced = false;
	set->stat_synced = false;
	if (set->nfiles == 0)
		return;
	if (!ext_has_sync || set->dir_key == NULL)
		ensure_parsed(set);
	if (ext_has_sync && set->dir_key != NULL && set->lazy && set->stat_ok)
	{
		PGresult   *res;

		/* the stat cache: unchanged stat digest, contents taken as synced */
		params[0] = set->dir_key;
		params[1] = set->stat_digest;
		sql = psprintf("SELECT %s.migrate_sync_stat($1, $2)", ext_schema);
		res = run_query(conn, sql, 2, params);
		pg_free(sql);
		if (!PQgetisnull(res, 0, 0) &&
			strlen(PQgetvalue(res, 0, 0)) < sizeof(set->digest))
		{
			strcpy(set->digest, PQgetvalue(res, 0, 0));
			set->synced = true;
			set->stat_synced = true;
		}
		PQclear(res);
		if (set->synced)
			return;
	}
	ensure_read(set);
	if (ext_has_sync && set->dir_key != NULL)
	{
		PGresult   *res;

		params[0] = set->dir_key;
		params[1] = set->digest;
		sql = psprintf("SELECT %s.migrate_sync_check($1, $2)", ext_schema);
		res = run_query(conn, sql, 2, params);
		set->synced = PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
		pg_free(sql);
		if (set->synced)
			return;

		/* about to send: a bad file must be refused first */
		ensure_parsed(set);

		/* name and digest of each registered file, sorted by name */
		sql = psprintf("SELECT file_name, file_sha256 FROM %s.migrate_sync_files()",
					   ext_schema);
		known = run_query(conn, sql, 0, NULL);
		pg_free(sql);
		npairs = PQntuples(known);
		pairs = pg_malloc(sizeof(char *) * 2 * (npairs + 1));
		for (i = 0; i < npairs; i++)
		{
			pairs[2 * i] = PQgetvalue(known, i, 0);
			pairs[2 * i + 1] = PQgetvalue(known, i, 1);
		}
		qsort(pairs, npairs, sizeof(char *) * 2, pair_cmp);
	}

	/* 0.2 checks a batch first, then inserts its new revisions at once */
	if (ext_has_sync)
		sql = psprintf("SELECT %s.migrate_add_files($1::pg_catalog.text[],"
					   " $2::pg_catalog.text[])", ext_schema);
	else
		sql = psprintf("SELECT pg_catalog.count(%s.migrate_add_file(f.name, f.content))"
					   " FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]),"
					   " pg_catalog.unnest($2::pg_catalog.text[])) AS f(name, content)",
					   ext_schema);
	initPQExpBuffer(&names);
	initPQExpBuffer(&contents);
	for (i = 0; i < set->nfiles; i++)
	{
		const RevFileEntry *e = &set->files[i];
		bool		have = false;

		if (npairs > 0)
		{
			char	  **hit = bsearch(&e->name, pairs, npairs,
									  sizeof(char *) * 2, pair_cmp);

			if (hit != NULL)
			{
				char	  **p;

				/* several revisions may come from files of one name */
				while (hit > pairs && strcmp(hit[-2], e->name) == 0)
					hit -= 2;
				for (p = hit; p < pairs + 2 * npairs &&
					 strcmp(p[0], e->name) == 0; p += 2)
					if (strcmp(p[1], e->sha256) == 0)
						have = true;
			}
		}
		if (have)
			continue;

		/* files go in batches, in name order: one round trip per batch */
		append_array_element(&names, e->name);
		append_array_element(&contents, e->content);
		if (++batched == SEND_BATCH_FILES ||
			contents.len >= SEND_BATCH_BYTES)
		{
			send_batch(conn, sql, &names, &contents);
			batched = 0;
		}
	}
	if (batched > 0)
		send_batch(conn, sql, &names, &contents);
	termPQExpBuffer(&names);
	termPQExpBuffer(&contents);
	pg_free(sql);
	if (pairs)
		pg_free(pairs);
	if (known)
		PQclear(known);
}

/*
 * Record in the server that every file of set is registered as it is now,
 * at the generation the transaction reached.  Call it last before the
 * COMMIT of the transaction that sent the files.  Nothing to do when the
 * directory was synced already and nothing changed since.
 */
void
record_sync(PGconn *conn, const RevFileSet *set)
{
	char	   *sql;
	const char *params[3];

	if (!ext_has_sync || set->nfiles == 0 || set->dir_key == NULL)
		return;
	params[0] = set->dir_key;
	params[1] = set->digest;
	/* null: not safe to keep, the next run reads the files */
	params[2] = set->stat_ok ? set->stat_digest : NULL;
	sql = psprintf("SELECT %s.migrate_sync_done($1, $2, $3)", ext_schema);
	PQclear(run_query(conn, sql, 3, params));
	pg_free(sql);
}

/* A fresh revision id: 12 random hexadecimal digits, as Alembic makes. */
char *
make_revision_id(void)
{
	unsigned char bytes[6];
	char	   *id = pg_malloc(13);

	if (!pg_strong_random(bytes, sizeof(bytes)))
	{
		pg_log_error("could not generate random bytes for a revision id");
		exit(EXIT_OTHER);
	}
	migrate_hex(bytes, sizeof(bytes), id);
	return id;
}

/*
 * The message made fit for a file name: lower-case letters and digits, any
 * other run of characters as one '_', at most 40 characters (Alembic's
 * default slug length).
 */
char *
slugify(const char *message)
{
	char	   *slug = pg_malloc(41);
	int			n = 0;
	const char *p;

	for (p = message; *p && n < 40; p++)
	{
		unsigned char ch = (unsigned char) *p;

		if (isalnum(ch) && ch < 128)
			slug[n++] = tolower(ch);
		else if (n > 0 && slug[n - 1] != '_')
			slug[n++] = '_';
	}
	while (n > 0 && slug[n - 1] == '_')
		n--;
	slug[n] = '\0';
	return slug;
}

/*
 * Write rev as "<dir>/<id>_<slug>.sql", creating dir if needed and never
 * overwriting a file.  Returns the path; exits on failure.
 */
char *
write_revision_file(const char *dir, const MigrateRevFile *rev)
{
	char	   *slug = slugify(rev->message ? rev->message : "");
	char	   *dircopy = pg_strdup(dir);
	char	   *path;
	char	   *text;
	size_t		len;
	int			fd;

	if (slug[0] != '\0')
		path = psprintf("%s/%s_%s.sql", dir, rev->revision, slug);
	else
		path = psprintf("%s/%s.sql", dir, rev->revision);
	if (pg_mkdir_p(dircopy, 0777) != 0 && errno != EEXIST)
	{
		pg_log_error("could not create directory \"%s\": %m", dir);
		exit(EXIT_OTHER);
	}
	text = migrate_format_revfile(rev);
	len = strlen(text);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0)
	{
		pg_log_error("could not create file \"%s\": %m", path);
		exit(EXIT_OTHER);
	}
	if (write(fd, text, len) != (ssize_t) len || close(fd) != 0)
	{
		pg_log_error("could not write file \"%s\": %m", path);
		unlink(path);
		exit(EXIT_OTHER);
	}
	pfree(text);
	pg_free(dircopy);
	pg_free(slug);
	return path;
}
