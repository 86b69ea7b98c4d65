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
 * IDENTIFICATION
 *	  client/files.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/logging.h"
#include "client.h"

/* qsort comparator: file entries by name */
static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const RevFileEntry *) a)->name,
				  ((const RevFileEntry *) b)->name);
}

/* True if name ends in ".sql" and is not hidden. */
static bool
is_revision_file_name(const char *name)
{
	size_t		len = strlen(name);

	return name[0] != '.' && len > 4 && strcmp(name + len - 4, ".sql") == 0;
}

/*
 * Read a whole file into a NUL-terminated buffer.  Returns NULL with errno
 * set on failure.
 */
static char *
read_whole_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	size_t		cap = 8192;
	size_t		n = 0;
	size_t		got;

	if (f == NULL)
		return NULL;
	buf = pg_malloc(cap + 1);
	while ((got = fread(buf + n, 1, cap - n, f)) > 0)
	{
		n += got;
		if (n == cap)
		{
			cap *= 2;
			buf = pg_realloc(buf, cap + 1);
		}
	}
	if (ferror(f))
	{
		int			save_errno = errno;

		fclose(f);
		pg_free(buf);
		errno = save_errno;
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void parse_entries(RevFileSet *set, const char *dir);

/*
 * Read and parse every *.sql file of dir, sorted by name.  Every bad file
 * is reported as "path:line: message"; if there is one, exit with the
 * bad-files status, before anything reaches the server.
 */
void
load_revision_files(const char *dir, RevFileSet *set)
{
	DIR		   *d;
	struct dirent *de;

	memset(set, 0, sizeof(*set));
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
		set->files = pg_realloc(set->files,
								sizeof(RevFileEntry) * (set->nfiles + 1));
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
	closedir(d);
	if (set->nfiles > 1)
		qsort(set->files, set->nfiles, sizeof(RevFileEntry), entry_cmp);
	parse_entries(set, dir);
}

/*
 * Read and parse the files of set (path and name filled in).  Every bad
 * file is reported; if there is one, exit with the bad-files status.  dir
 * names the directory they came from, for the message, or is NULL.
 */
static void
parse_entries(RevFileSet *set, const char *dir)
{
	int			bad = 0;
	int			i;
	int			j;

	for (i = 0; i < set->nfiles; i++)
	{
		RevFileEntry *e = &set->files[i];
		MigrateParseError err;
		size_t		len;

		e->content = read_whole_file(e->path, &len);
		if (e->content == NULL)
		{
			pg_log_error("could not read file \"%s\": %m", e->path);
			bad++;
			continue;
		}
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
		for (j = 0; j < i; j++)
		{
			if (set->files[j].rev.revision != NULL &&
				strcmp(set->files[j].rev.revision, e->rev.revision) == 0)
			{
				pg_log_error("%s: revision \"%s\" is also defined in \"%s\"",
							 e->path, e->rev.revision, set->files[j].path);
				bad++;
			}
		}
	}
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
}

/* Register every file of set in the connection's current transaction. */
void
send_revision_files(PGconn *conn, const RevFileSet *set)
{
	char	   *sql;
	int			i;

	if (set->nfiles == 0)
		return;
	sql = psprintf("SELECT %s.migrate_add_file($1, $2)", ext_schema);
	for (i = 0; i < set->nfiles; i++)
	{
		const char *params[2];

		params[0] = set->files[i].name;
		params[1] = set->files[i].content;
		PQclear(run_query(conn, sql, 2, params));
	}
	pg_free(sql);
}

/* A fresh revision id: 12 random hexadecimal digits, as Alembic makes. */
char *
make_revision_id(void)
{
	unsigned char bytes[6];
	char	   *id = pg_malloc(13);
	int			fd;
	int			i;

	fd = open("/dev/urandom", O_RDONLY);
	if (fd < 0 || read(fd, bytes, sizeof(bytes)) != sizeof(bytes))
	{
		pg_log_error("could not read random bytes: %m");
		exit(EXIT_OTHER);
	}
	close(fd);
	for (i = 0; i < 6; i++)
		snprintf(id + 2 * i, 3, "%02x", bytes[i]);
	return id;
}

/*
 * The message made fit for a file name: lower-case letters and digits, any
 * other run of characters as one '_', at most 40 characters (Alembic's
 * default slug length).
 */
static char *
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
