/*-------------------------------------------------------------------------
 *
 * import.c
 *	  "pg_migrate import FORMAT SOURCE": revision files from another
 *	  migration tool's history.
 *
 * The import reads the source's files (parsed by src/common/importfmt.h),
 * turns each source migration into one revision (ids and the "-- source:"
 * header by src/common/interop.h), links them into the source's graph or
 * order, and only then writes anything: a duplicate id, a file already in
 * --dir or a source file that cannot be read stops it with nothing
 * written.  When a server with the extension is reachable, each revision
 * is linted there (migrate_lint_file) so that statements which cannot run
 * in a transaction block are found by the server's own parser, whatever
 * the source said; no database is changed.
 *
 * Alembic revisions are Python: their metadata is read without running
 * them, and their SQL is rendered by Alembic itself in offline mode, by
 * pg_migrate_alembic.py (installed beside this program) run with python3,
 * one revision at a time.  A revision Alembic cannot render offline is
 * written with its metadata and an "-- unconverted:" header line, which
 * registration refuses (an unknown header key) until the SQL is filled in.
 *
 * IDENTIFICATION
 *	  client/import.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/logging.h"
#include "lib/stringinfo.h"
#include "common/interop.h"
#include "common/importfmt.h"
#include "client.h"

/* One revision to write. */
typedef struct ImportRev
{
	MigrateRevFile rev;			/* revision, graph, message, SQL */
	char	   *source_id;		/* the id as the source's files give it */
	char	   *source_version; /* "-- source:" version */
	bool		repeatable;		/* flyway R__ script */
	char	   *unconverted;	/* why the SQL is missing, or NULL */
	char	   *origin;			/* source file, for messages */
	char	   *nontx_reason;	/* why it is non-transactional, or NULL */
	StringInfoData notes;		/* remarks for the summary, "; "-separated */
	char	   *path;			/* file written */
} ImportRev;

typedef struct ImportSet
{
	MigrateInteropFormat format;
	const char *source;
	ImportRev  *revs;
	int			nrevs;
	int			cap;
	StringInfoData skipped;		/* files not converted, one per line */
	int			nskipped;
	char	   *check_note;		/* why the server did not check, or NULL */
} ImportSet;

/* ---------------------------------------------------------------- helpers */

/* Stop with an error about a source file. */
static void
die(const char *fmt,...)
pg_attribute_printf(1, 2);

static void
die(const char *fmt,...)
{
	va_list		args;
	char		buf[1024];

	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	pg_log_error("%s", buf);
	exit(EXIT_BAD_FILES);
}

/* Read a whole file; NULL (errno set) when it cannot be opened. */
static char *
slurp(const char *path, size_t *len)
{
	int			fd = open(path, O_RDONLY | PG_BINARY, 0);
	struct stat st;
	char	   *buf;
	size_t		done = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0)
	{
		close(fd);
		return NULL;
	}
	buf = pg_malloc(st.st_size + 1);
	while (done < (size_t) st.st_size)
	{
		ssize_t		n = read(fd, buf + done, st.st_size - done);

		if (n < 0)
		{
			pg_log_error("could not read file \"%s\": %m", path);
			exit(EXIT_OTHER);
		}
		if (n == 0)
			break;
		done += n;
	}
	close(fd);
	buf[done] = '\0';
	*len = done;
	return buf;
}

/* Read a file that must exist. */
static char *
slurp_required(const char *path, size_t *len)
{
	char	   *text = slurp(path, len);

	if (text == NULL)
	{
		pg_log_error("could not read file \"%s\": %m", path);
		exit(EXIT_OTHER);
	}
	if (memchr(text, '\0', *len) != NULL)
		die("file \"%s\" contains a NUL byte", path);
	return text;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The entries of a directory, sorted by name, without "." and "..". */
static char **
list_dir(const char *path, int *n)
{
	DIR		   *dir = opendir(path);
	struct dirent *de;
	char	  **names = NULL;
	int			cap = 0;

	*n = 0;
	if (dir == NULL)
	{
		pg_log_error("could not open directory \"%s\": %m", path);
		exit(EXIT_OTHER);
	}
	while ((de = readdir(dir)) != NULL)
	{
		if (de->d_name[0] == '.')
			continue;
		if (*n == cap)
		{
			cap = cap ? cap * 2 : 32;
			names = pg_realloc(names, sizeof(char *) * cap);
		}
		names[(*n)++] = pg_strdup(de->d_name);
	}
	closedir(dir);
	if (*n > 0)
		qsort(names, *n, sizeof(char *), cmp_str);
	return names;
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Words of a title ("add_users") as a message ("add users"). */
static char *
title_message(const char *title)
{
	char	   *m = pg_strdup(title);
	char	   *p;

	for (p = m; *p; p++)
		if (*p == '_')
			*p = ' ';
	return m;
}

/* Append a remark about a revision for the summary. */
static void
note(ImportRev *r, const char *fmt,...)
pg_attribute_printf(2, 3);

static void
note(ImportRev *r, const char *fmt,...)
{
	va_list		args;
	char		buf[512];

	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	if (r->notes.len > 0)
		appendStringInfoString(&r->notes, "; ");
	appendStringInfoString(&r->notes, buf);
}

/* Note a source file that is not imported, and why. */
static void
skip_file(ImportSet *set, const char *path, const char *why)
{
	appendStringInfo(&set->skipped, "  %s: %s\n", path, why);
	set->nskipped++;
}

/* A new revision with the format's id rules applied to source_id. */
static ImportRev *
add_rev(ImportSet *set, const char *source_id, const char *origin)
{
	ImportRev  *r;

	if (set->nrevs == set->cap)
	{
		set->cap = set->cap ? set->cap * 2 : 32;
		set->revs = pg_realloc(set->revs, sizeof(ImportRev) * set->cap);
	}
	r = &set->revs[set->nrevs++];
	memset(r, 0, sizeof(*r));
	r->source_id = pg_strdup(source_id);
	r->rev.revision = migrate_interop_revision_id(set->format, source_id);
	r->source_version = migrate_interop_source_version(set->format, source_id);
	r->rev.message = pg_strdup("");
	r->rev.transactional = true;
	r->rev.upgrade = pg_strdup("");
	r->origin = pg_strdup(origin);
	initStringInfo(&r->notes);
	return r;
}

/* Append id to a string array. */
static void
push_id(char ***arr, int *n, const char *id)
{
	*arr = pg_realloc(*arr, sizeof(char *) * (*n + 1));
	(*arr)[(*n)++] = pg_strdup(id);
}

/* Link revisions [from, to) into a chain, each revising the one before. */
static void
chain(ImportSet *set, int from, int to)
{
	int			i;

	for (i = from + 1; i < to; i++)
		push_id(&set->revs[i].rev.revises, &set->revs[i].rev.nrevises,
				set->revs[i - 1].rev.revision);
}

/* Set the non-transactional mark, saying why. */
static void
mark_nontx(ImportRev *r, const char *why)
{
	if (!r->rev.transactional)
		return;
	r->rev.transactional = false;
	r->nontx_reason = pg_strdup(why);
}

/* ------------------------------------------------------- golang-migrate */

/* Compare decimal strings by value: length without leading zeros first. */
static int
cmp_decimal(const char *a, const char *b)
{
	size_t		la;
	size_t		lb;

	while (*a == '0' && a[1])
		a++;
	while (*b == '0' && b[1])
		b++;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

typedef struct GolangFile
{
	char	   *version;
	char	   *title;
	char	   *up;				/* path */
	char	   *down;			/* path */
} GolangFile;

static int
cmp_golang(const void *a, const void *b)
{
	return cmp_decimal(((const GolangFile *) a)->version,
					   ((const GolangFile *) b)->version);
}

/* Does the SQL carry mattermost morph's "-- morph:nontransactional"? */
static bool
has_morph_mark(const char *sql)
{
	const char *p = sql;

	while ((p = strstr(p, "morph:nontransactional")) != NULL)
	{
		const char *q = p;

		/* the mark is a comment line "-- morph:nontransactional" */
		while (q > sql && (q[-1] == ' ' || q[-1] == '\t'))
			q--;
		if (q - sql >= 2 && q[-1] == '-' && q[-2] == '-')
			return true;
		p++;
	}
	return false;
}

static void
read_golang(ImportSet *set, const char *dir)
{
	int			n;
	char	  **names = list_dir(dir, &n);
	GolangFile *files = pg_malloc0(sizeof(GolangFile) * (n + 1));
	int			nfiles = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		char	   *version;
		char	   *title;
		bool		up;
		char	   *path = psprintf("%s/%s", dir, names[i]);
		GolangFile *f = NULL;
		int			j;

		if (!migrate_import_golang_name(names[i], &version, &title, &up))
		{
			if (is_file(path) && strstr(names[i], ".sql") != NULL)
				skip_file(set, path, "not a golang-migrate file name ({version}_{title}.up.sql or .down.sql)");
			continue;
		}
		for (j = 0; j < nfiles; j++)
			if (cmp_decimal(files[j].version, version) == 0)
				f = &files[j];
		if (f == NULL)
		{
			f = &files[nfiles++];
			f->version = version;
			f->title = title;
		}
		else if (strcmp(f->version, version) != 0 || strcmp(f->title, title) != 0)
			die("files \"%s\" and \"%s\" have the same version %s",
				f->up ? f->up : f->down, path, version);
		if ((up ? f->up : f->down) != NULL)
			die("version %s has two %s files in \"%s\"", version,
				up ? "up" : "down", dir);
		if (up)
			f->up = path;
		else
			f->down = path;
	}
	qsort(files, nfiles, sizeof(GolangFile), cmp_golang);
	for (i = 0; i < nfiles; i++)
	{
		GolangFile *f = &files[i];
		ImportRev  *r;
		size_t		len;

		if (f->up == NULL)
		{
			skip_file(set, f->down, "a down migration without an up migration");
			continue;
		}
		r = add_rev(set, f->version, f->up);
		r->rev.message = title_message(f->title);
		r->rev.upgrade = slurp_required(f->up, &len);
		if (f->down != NULL)
			r->rev.downgrade = slurp_required(f->down, &len);
		if (has_morph_mark(r->rev.upgrade))
			mark_nontx(r, "-- morph:nontransactional");
	}
	chain(set, 0, set->nrevs);
}

/* ---------------------------------------------------------------- dbmate */

static void
read_dbmate(ImportSet *set, const char *dir)
{
	int			n;
	char	  **names = list_dir(dir, &n);
	int			i;
	int			j;

	for (i = 0; i < n; i++)
	{
		char	   *version;
		char	   *title;
		char	   *path = psprintf("%s/%s", dir, names[i]);
		char	   *text;
		size_t		len;
		char	   *up;
		char	   *down;
		bool		uptx;
		bool		downtx;
		MigrateParseError err;
		ImportRev  *r;

		if (!migrate_import_dbmate_name(names[i], &version, &title) ||
			!is_file(path))
		{
			if (strstr(names[i], ".sql") != NULL)
				skip_file(set, path, "not a dbmate file name ({version}_{name}.sql)");
			continue;
		}
		for (j = 0; j < set->nrevs; j++)
			if (strcmp(set->revs[j].source_id, version) == 0)
				die("files \"%s\" and \"%s\" have the same version %s",
					set->revs[j].origin, path, version);
		text = slurp_required(path, &len);
		if (!migrate_import_dbmate_split(text, len, &up, &down, &uptx, &downtx,
										 &err))
			die("%s:%d: %s", path, err.line, err.message);
		r = add_rev(set, version, path);
		r->rev.message = title_message(title);
		r->rev.upgrade = up;
		r->rev.downgrade = down;
		if (!uptx)
			mark_nontx(r, "-- migrate:up transaction:false");
		else if (!downtx)
			mark_nontx(r, "-- migrate:down transaction:false");
	}
	chain(set, 0, set->nrevs);
}

/* ---------------------------------------------------------------- flyway */

typedef struct FlywayFile
{
	MigrateFlywayKind kind;
	char	   *version;
	char	   *description;
	char	   *path;
	bool		used;
} FlywayFile;

/* Collect Flyway scripts under dir, recursively, as Flyway scans. */
static void
collect_flyway(ImportSet *set, const char *dir, FlywayFile **files, int *n,
			   int *cap)
{
	int			count;
	char	  **names = list_dir(dir, &count);
	int			i;

	for (i = 0; i < count; i++)
	{
		char	   *path = psprintf("%s/%s", dir, names[i]);
		FlywayFile f;

		if (is_dir(path))
		{
			collect_flyway(set, path, files, n, cap);
			continue;
		}
		memset(&f, 0, sizeof(f));
		f.kind = migrate_import_flyway_name(names[i], &f.version,
											&f.description);
		if (f.kind == MIGRATE_FLYWAY_NONE)
		{
			size_t		l = strlen(names[i]);

			if (l > 4 && strcmp(names[i] + l - 4, ".sql") == 0)
				skip_file(set, path, "not a Flyway file name (V{version}__{description}.sql, U..., R__...)");
			continue;
		}
		f.path = path;
		if (*n == *cap)
		{
			*cap = *cap ? *cap * 2 : 32;
			*files = pg_realloc(*files, sizeof(FlywayFile) * *cap);
		}
		(*files)[(*n)++] = f;
	}
}

static int
cmp_flyway(const void *a, const void *b)
{
	const FlywayFile *fa = a;
	const FlywayFile *fb = b;

	if (fa->kind == MIGRATE_FLYWAY_REPEATABLE || fb->kind == MIGRATE_FLYWAY_REPEATABLE)
	{
		if (fa->kind != fb->kind)
			return fa->kind == MIGRATE_FLYWAY_REPEATABLE ? 1 : -1;
		return strcmp(fa->description, fb->description);
	}
	return migrate_import_flyway_compare(fa->version, fb->version);
}

/* Apply the script configuration file of a Flyway script, if any. */
static void
flyway_conf(ImportRev *r, const char *script)
{
	char	   *conf = psprintf("%s.conf", script);
	size_t		len;
	char	   *text = slurp(conf, &len);
	bool		intx;
	MigrateParseError err;

	if (text == NULL)
	{
		/* "V1__x.conf" beside "V1__x.sql" */
		pg_free(conf);
		conf = psprintf("%.*s.conf", (int) strlen(script) - 4, script);
		text = slurp(conf, &len);
	}
	if (text == NULL)
		return;
	if (!migrate_import_flyway_conf(text, len, &intx, &err))
		die("%s:%d: %s", conf, err.line, err.message);
	if (!intx)
		mark_nontx(r, psprintf("executeInTransaction=false in \"%s\"", conf));
}

static void
read_flyway(ImportSet *set, const char *dir)
{
	FlywayFile *files = NULL;
	int			n = 0;
	int			cap = 0;
	int			i;
	int			j;
	int			nversioned;

	collect_flyway(set, dir, &files, &n, &cap);
	if (n > 0)
		qsort(files, n, sizeof(FlywayFile), cmp_flyway);
	for (i = 0; i < n; i++)
	{
		FlywayFile *f = &files[i];
		ImportRev  *r;
		size_t		len;
		char	   *id;

		if (f->kind == MIGRATE_FLYWAY_BASELINE)
		{
			skip_file(set, f->path, "a baseline migration; the versioned migrations it stands for are imported instead");
			continue;
		}
		if (f->kind != MIGRATE_FLYWAY_VERSIONED && f->kind != MIGRATE_FLYWAY_REPEATABLE)
			continue;
		for (j = 0; j < i; j++)
			if (files[j].kind == f->kind && f->kind == MIGRATE_FLYWAY_VERSIONED &&
				migrate_import_flyway_compare(files[j].version, f->version) == 0)
				die("files \"%s\" and \"%s\" have the same version %s",
					files[j].path, f->path, f->version);
		id = f->kind == MIGRATE_FLYWAY_REPEATABLE ?
			psprintf("R__%s", f->description) : f->version;
		r = add_rev(set, id, f->path);
		r->rev.message = title_message(f->description);
		r->rev.upgrade = slurp_required(f->path, &len);
		r->repeatable = (f->kind == MIGRATE_FLYWAY_REPEATABLE);
		flyway_conf(r, f->path);
		/* the undo script of the same version is the downgrade */
		for (j = 0; j < n; j++)
		{
			if (files[j].kind == MIGRATE_FLYWAY_UNDO && f->version != NULL &&
				migrate_import_flyway_compare(files[j].version, f->version) == 0)
			{
				if (r->rev.downgrade != NULL)
					die("files \"%s\" and another undo script have the same version %s",
						files[j].path, f->version);
				r->rev.downgrade = slurp_required(files[j].path, &len);
				files[j].used = true;
			}
		}
	}
	for (j = 0; j < n; j++)
		if (files[j].kind == MIGRATE_FLYWAY_UNDO && !files[j].used)
			skip_file(set, files[j].path, "an undo script without a versioned script of the same version");
	/* Flyway replaces ${name} placeholders before it runs a script */
	for (i = 0; i < set->nrevs; i++)
		if (strstr(set->revs[i].rev.upgrade, "${") != NULL ||
			(set->revs[i].rev.downgrade != NULL &&
			 strstr(set->revs[i].rev.downgrade, "${") != NULL))
			note(&set->revs[i], "Flyway placeholders (${...}) are kept as written: replace them with their values");

	/* versioned ones form the chain; repeatable ones stand apart */
	nversioned = 0;
	while (nversioned < set->nrevs && !set->revs[nversioned].repeatable)
		nversioned++;
	chain(set, 0, nversioned);
}

/* ---------------------------------------------------------------- diesel */

static void
read_diesel(ImportSet *set, const char *dir)
{
	int			n;
	char	  **names = list_dir(dir, &n);
	int			i;
	int			j;

	for (i = 0; i < n; i++)
	{
		char	   *version;
		char	   *title;
		char	   *path = psprintf("%s/%s", dir, names[i]);
		char	   *up;
		char	   *text;
		size_t		len;
		ImportRev  *r;

		if (!is_dir(path))
			continue;
		if (!migrate_import_diesel_name(names[i], &version, &title))
		{
			skip_file(set, path, "not a Diesel migration directory name ({version}_{name})");
			continue;
		}
		up = psprintf("%s/up.sql", path);
		if (!is_file(up))
		{
			skip_file(set, path, "no up.sql");
			continue;
		}
		for (j = 0; j < set->nrevs; j++)
			if (strcmp(set->revs[j].source_version,
					   migrate_interop_source_version(set->format, version)) == 0)
				die("directories \"%s\" and \"%s\" have the same version",
					set->revs[j].origin, path);
		r = add_rev(set, version, path);
		r->rev.message = title_message(title);
		r->rev.upgrade = slurp_required(up, &len);
		text = slurp(psprintf("%s/down.sql", path), &len);
		if (text != NULL)
			r->rev.downgrade = text;
		text = slurp(psprintf("%s/metadata.toml", path), &len);
		if (text != NULL)
		{
			bool		intx;
			MigrateParseError err;

			if (!migrate_import_diesel_metadata(text, len, &intx, &err))
				die("%s/metadata.toml:%d: %s", path, err.line, err.message);
			if (!intx)
				mark_nontx(r, "run_in_transaction = false in metadata.toml");
		}
	}
	chain(set, 0, set->nrevs);
}

/* ---------------------------------------------------------------- sqitch */

/*
 * The index of the change a Sqitch dependency names, looking only at
 * changes before "before"; -1 when none.
 */
static int
sqitch_dependency(const MigrateSqitchPlan *plan, int before, const char *dep)
{
	const char *at = strchr(dep, '@');
	int			i;

	if (at == dep)
	{
		/* "@tag": the change carrying the tag */
		for (i = before - 1; i >= 0; i--)
		{
			int			t;

			for (t = 0; t < plan->changes[i].ntags; t++)
				if (strcmp(plan->changes[i].tags[t], at + 1) == 0)
					return i;
		}
		return -1;
	}
	if (at != NULL)
	{
		/* "change@tag": the copy of the change as of the tag */
		int			tagged = sqitch_dependency(plan, before, at);
		size_t		nlen = at - dep;

		if (tagged < 0)
			return -1;
		for (i = tagged; i >= 0; i--)
			if (strlen(plan->changes[i].name) == nlen &&
				memcmp(plan->changes[i].name, dep, nlen) == 0)
				return i;
		return -1;
	}
	for (i = before - 1; i >= 0; i--)
		if (strcmp(plan->changes[i].name, dep) == 0)
			return i;
	return -1;
}

/*
 * A setting of sqitch.conf: engine.ENGINE.key, else core.key; NULL when
 * neither is set.
 */
static char *
sqitch_setting(const char *conf, size_t len, const char *engine,
			   const char *key)
{
	char	   *v = migrate_import_sqitch_conf_value(conf, len, "engine", engine, key);

	return v ? v : migrate_import_sqitch_conf_value(conf, len, "core", NULL, key);
}

/* A path of sqitch.conf: relative ones are relative to the project. */
static char *
sqitch_path(const char *project, const char *path)
{
	return path[0] == '/' ? pg_strdup(path) : psprintf("%s/%s", project, path);
}

/*
 * A Sqitch project: SOURCE is its directory (sqitch.conf there may move
 * the plan and the script directories, per engine or for all) or its
 * plan file.
 */
static void
read_sqitch(ImportSet *set, const char *source)
{
	char	   *planfile;
	char	   *top;
	char	   *deploy_dir = NULL;
	char	   *revert_dir = NULL;
	char	   *verify_dir = NULL;
	const char *ext = "sql";
	char	   *text;
	size_t		len;
	MigrateSqitchPlan plan;
	MigrateParseError err;
	int			i;
	int			nverify = 0;

	if (is_dir(source))
	{
		char	   *confpath = psprintf("%s/sqitch.conf", source);

		top = pg_strdup(source);
		planfile = NULL;
		if (is_file(confpath))
		{
			char	   *conf = slurp_required(confpath, &len);
			char	   *engine = migrate_import_sqitch_conf_value(conf, len, "core", NULL, "engine");
			char	   *v;

			if (engine == NULL)
				engine = pg_strdup("pg");
			if ((v = sqitch_setting(conf, len, engine, "top_dir")) != NULL)
				top = sqitch_path(source, v);
			if ((v = sqitch_setting(conf, len, engine, "plan_file")) != NULL)
				planfile = sqitch_path(source, v);
			if ((v = sqitch_setting(conf, len, engine, "deploy_dir")) != NULL)
				deploy_dir = sqitch_path(source, v);
			if ((v = sqitch_setting(conf, len, engine, "revert_dir")) != NULL)
				revert_dir = sqitch_path(source, v);
			if ((v = sqitch_setting(conf, len, engine, "verify_dir")) != NULL)
				verify_dir = sqitch_path(source, v);
			if ((v = sqitch_setting(conf, len, engine, "extension")) != NULL)
				ext = v;
		}
		if (planfile == NULL)
			planfile = psprintf("%s/sqitch.plan", top);
	}
	else
	{
		char	   *slash;

		planfile = pg_strdup(source);
		top = pg_strdup(source);
		slash = strrchr(top, '/');
		if (slash != NULL)
			*slash = '\0';
		else
			strcpy(top, ".");
	}
	if (deploy_dir == NULL)
		deploy_dir = psprintf("%s/deploy", top);
	if (revert_dir == NULL)
		revert_dir = psprintf("%s/revert", top);
	if (verify_dir == NULL)
		verify_dir = psprintf("%s/verify", top);
	text = slurp_required(planfile, &len);
	if (!migrate_import_sqitch_plan(text, len, &plan, &err))
		die("%s:%d: %s", planfile, err.line, err.message);

	for (i = 0; i < plan.nchanges; i++)
	{
		MigrateSqitchChange *ch = &plan.changes[i];
		char	   *deploy = psprintf("%s/%s.%s", deploy_dir, ch->script, ext);
		char	   *revert;
		ImportRev  *r;
		int			d;

		if (!is_file(deploy) && strchr(ch->script, '@') != NULL)
		{
			/*
			 * An earlier copy of a reworked change: sqitch takes the
			 * scripts named after the first tag between it and the next
			 * copy that has them.
			 */
			int			j;
			int			t;

			for (j = i; j < plan.nchanges && !is_file(deploy); j++)
			{
				if (j > i && strcmp(plan.changes[j].name, ch->name) == 0)
					break;
				for (t = 0; t < plan.changes[j].ntags && !is_file(deploy); t++)
				{
					char	   *script = psprintf("%s@%s", ch->name, plan.changes[j].tags[t]);
					char	   *path = psprintf("%s/%s.%s", deploy_dir, script, ext);

					if (is_file(path))
					{
						ch->script = script;
						deploy = path;
					}
				}
			}
		}
		if (!is_file(deploy))
			die("%s:%d: change \"%s\" has no deploy script \"%s\"",
				planfile, ch->line, ch->name, deploy);
		revert = psprintf("%s/%s.%s", revert_dir, ch->script, ext);
		r = add_rev(set, ch->script, deploy);
		r->rev.message = pg_strdup(ch->note);
		r->rev.upgrade = slurp_required(deploy, &len);
		if (is_file(revert))
			r->rev.downgrade = slurp_required(revert, &len);
		if (is_file(psprintf("%s/%s.%s", verify_dir, ch->script, ext)))
			nverify++;
		for (d = 0; d < ch->nrequires; d++)
		{
			const char *dep = ch->requires[d];
			const char *colon = strchr(dep, ':');
			int			k;

			if (colon != NULL)
			{
				if (plan.project == NULL ||
					strncmp(dep, plan.project, colon - dep) != 0 ||
					strlen(plan.project) != (size_t) (colon - dep))
				{
					note(r, "dependency \"%s\" on another project not kept", dep);
					continue;
				}
				dep = colon + 1;
			}
			k = sqitch_dependency(&plan, i, dep);
			if (k < 0)
			{
				note(r, "dependency \"%s\" not found earlier in the plan, not kept", dep);
				continue;
			}
			/* the parent is implied by the chain */
			if (k == i - 1)
				continue;
			push_id(&r->rev.depends_on, &r->rev.ndepends_on,
					set->revs[k].rev.revision);
		}
		for (d = 0; d < ch->nconflicts; d++)
			note(r, "conflict with \"%s\" not kept", ch->conflicts[d]);
	}
	chain(set, 0, set->nrevs);
	if (nverify > 0)
		skip_file(set, psprintf("%s/verify", top),
				  psprintf("%d verify script(s): pg_migrate has no verify step; \"pg_migrate verify\" checks downgrades instead",
						   nverify));
}

/* ---------------------------------------------------------------- alembic */

/* Where this program's helper script is. */
static char *
alembic_helper(void)
{
	const char *env = getenv("PG_MIGRATE_ALEMBIC_HELPER");
	char		exe[MAXPGPATH];
	char	   *slash;

	if (env != NULL && env[0] != '\0')
		return pg_strdup(env);
	if (find_my_exec(program_argv0, exe) != 0)
	{
		pg_log_error("could not find the pg_migrate program's own path");
		exit(EXIT_OTHER);
	}
	slash = strrchr(exe, '/');
	if (slash != NULL)
		*slash = '\0';
	return psprintf("%s/pg_migrate_alembic.py", exe);
}

/*
 * Run the helper with python and the given arguments, in directory cwd.
 * Returns its exit status; its output is in *out.  Its standard error is
 * shown only when it fails.
 */
static int
run_helper(const char *python, const char *helper, const char *cwd,
		   char **args, int nargs, StringInfo out)
{
	int			fds[2];
	pid_t		pid;
	FILE	   *err = tmpfile();
	int			status;
	char		buf[8192];
	ssize_t		n;

	if (err == NULL || pipe(fds) != 0)
	{
		pg_log_error("could not create a pipe: %m");
		exit(EXIT_OTHER);
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
	{
		pg_log_error("could not fork: %m");
		exit(EXIT_OTHER);
	}
	if (pid == 0)
	{
		char	  **argv = pg_malloc(sizeof(char *) * (nargs + 3));
		int			i;

		close(fds[0]);
		dup2(fds[1], 1);
		dup2(fileno(err), 2);
		if (chdir(cwd) != 0)
			_exit(126);
		argv[0] = (char *) python;
		argv[1] = (char *) helper;
		for (i = 0; i < nargs; i++)
			argv[i + 2] = args[i];
		argv[nargs + 2] = NULL;
		execvp(python, argv);
		_exit(127);
	}
	close(fds[1]);
	resetStringInfo(out);
	while ((n = read(fds[0], buf, sizeof(buf))) > 0)
		appendBinaryStringInfo(out, buf, n);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		;
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	if (status != 0 && status != 3 && status != 127)
	{
		rewind(err);
		while ((n = fread(buf, 1, sizeof(buf), err)) > 0)
			fwrite(buf, 1, n, stderr);
	}
	fclose(err);
	return status;
}

/* Read "KEY N\n" + N bytes + "\n" at *p; the text or NULL. */
static char *
helper_block(const char **p, const char *end, const char *line_end)
{
	const char *sp = memchr(*p, ' ', line_end - *p);
	long		n;
	char	   *text;

	if (sp == NULL)
		return NULL;
	n = strtol(sp + 1, NULL, 10);
	if (n < 0 || line_end + 1 + n > end)
		return NULL;
	text = pnstrdup(line_end + 1, n);
	*p = line_end + 1 + n + 1;
	return text;
}

/* Fill in the SQL of the revisions from the helper's output. */
static void
alembic_apply_output(ImportSet *set, const char *out, size_t len)
{
	const char *p = out;
	const char *end = out + len;
	ImportRev  *r = NULL;

	while (p < end)
	{
		const char *nl = memchr(p, '\n', end - p);
		size_t		llen;
		char	   *text;

		if (nl == NULL)
			break;
		llen = nl - p;
		if (llen > 9 && strncmp(p, "revision ", 9) == 0)
		{
			char	   *id = pnstrdup(p + 9, llen - 9);
			int			i;

			r = NULL;
			for (i = 0; i < set->nrevs; i++)
				if (strcmp(set->revs[i].source_id, id) == 0)
					r = &set->revs[i];
			p = nl + 1;
			continue;
		}
		if (r == NULL)
			break;
		if (llen == 17 && strncmp(p, "downgrade-missing", 17) == 0)
		{
			r->rev.downgrade = NULL;
			note(r, "downgrade() raises NotImplementedError");
			p = nl + 1;
			continue;
		}
		if (llen == 3 && strncmp(p, "end", 3) == 0)
		{
			r = NULL;
			p = nl + 1;
			continue;
		}
		if (strncmp(p, "upgrade ", 8) == 0)
		{
			if ((text = helper_block(&p, end, nl)) == NULL)
				break;
			r->rev.upgrade = text;
		}
		else if (strncmp(p, "downgrade ", 10) == 0)
		{
			if ((text = helper_block(&p, end, nl)) == NULL)
				break;
			r->rev.downgrade = text;
		}
		else if (strncmp(p, "error-upgrade ", 14) == 0)
		{
			if ((text = helper_block(&p, end, nl)) == NULL)
				break;
			r->unconverted = psprintf("Alembic could not render upgrade() offline: %s",
									  text);
		}
		else if (strncmp(p, "error-downgrade ", 16) == 0)
		{
			if ((text = helper_block(&p, end, nl)) == NULL)
				break;
			r->rev.downgrade = NULL;
			note(r, "Alembic could not render downgrade() offline: %s", text);
		}
		else
			break;
	}
	if (p < end)
	{
		pg_log_error("unexpected output from pg_migrate_alembic.py");
		exit(EXIT_OTHER);
	}
}

/* Split a version_locations value at blanks and commas. */
static char **
split_locations(const char *value, int *n)
{
	char	  **out = NULL;
	const char *p = value;

	*n = 0;
	while (*p)
	{
		const char *s;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		s = p;
		while (*p && *p != ' ' && *p != ',' && *p != '\t')
			p++;
		if (p > s)
			push_id(&out, n, pnstrdup(s, p - s));
	}
	return out;
}

static void
read_alembic(ImportSet *set, const char *source)
{
	char	   *ini;
	char	   *here;
	char	   *text;
	size_t		len;
	char	   *script_location;
	char	   *locations;
	char	  **dirs;
	int			ndirs;
	int			d;
	int			i;
	char	  **ids;
	StringInfoData out;
	const char *python = getenv("PG_MIGRATE_PYTHON");
	char	   *helper;
	int			status;

	if (is_dir(source))
		ini = psprintf("%s/alembic.ini", source);
	else
		ini = pg_strdup(source);
	here = pg_strdup(ini);
	if (strrchr(here, '/') != NULL)
		*strrchr(here, '/') = '\0';
	else
		strcpy(here, ".");
	{
		char	   *abs = realpath(here, NULL);

		if (abs != NULL)
			here = abs;
	}
	text = slurp(ini, &len);
	if (text == NULL)
	{
		pg_log_error("could not read Alembic configuration \"%s\": %m", ini);
		pg_log_error_hint("Give the directory holding alembic.ini, or the .ini file itself.");
		exit(EXIT_OTHER);
	}
	script_location = migrate_import_ini_value(text, len, "alembic",
											   "script_location", here);
	if (script_location == NULL)
		die("\"%s\" has no script_location in its [alembic] section", ini);
	if (strchr(script_location, ':') != NULL && script_location[0] != '/')
		die("script_location \"%s\" in \"%s\" names a Python package; give a directory",
			script_location, ini);
	if (script_location[0] != '/')
		script_location = psprintf("%s/%s", here, script_location);
	locations = migrate_import_ini_value(text, len, "alembic",
										 "version_locations", here);
	if (locations != NULL)
	{
		dirs = split_locations(locations, &ndirs);
		for (d = 0; d < ndirs; d++)
			if (dirs[d][0] != '/')
				dirs[d] = psprintf("%s/%s", here, dirs[d]);
	}
	else
	{
		ndirs = 1;
		dirs = pg_malloc(sizeof(char *));
		dirs[0] = psprintf("%s/versions", script_location);
	}

	for (d = 0; d < ndirs; d++)
	{
		int			n;
		char	  **names = list_dir(dirs[d], &n);

		for (i = 0; i < n; i++)
		{
			char	   *path = psprintf("%s/%s", dirs[d], names[i]);
			size_t		l = strlen(names[i]);
			MigrateAlembicRev ar;
			MigrateParseError err;
			ImportRev  *r;
			int			k;

			if (l < 4 || strcmp(names[i] + l - 3, ".py") != 0 || !is_file(path))
				continue;
			text = slurp_required(path, &len);
			if (!migrate_import_alembic_module(text, len, &ar, &err))
				die("%s:%d: %s", path, err.line, err.message);
			if (ar.revision == NULL)
			{
				if (strcmp(names[i], "__init__.py") != 0)
					skip_file(set, path, "no \"revision\" assignment: not an Alembic revision");
				continue;
			}
			for (k = 0; k < set->nrevs; k++)
				if (strcmp(set->revs[k].source_id, ar.revision) == 0)
					die("files \"%s\" and \"%s\" have the same revision \"%s\"",
						set->revs[k].origin, path, ar.revision);
			r = add_rev(set, ar.revision, path);
			r->rev.message = ar.message;
			for (k = 0; k < ar.ndown_revisions; k++)
				push_id(&r->rev.revises, &r->rev.nrevises,
						migrate_interop_revision_id(set->format, ar.down_revisions[k]));
			for (k = 0; k < ar.ndepends_on; k++)
				push_id(&r->rev.depends_on, &r->rev.ndepends_on,
						migrate_interop_revision_id(set->format, ar.depends_on[k]));
			for (k = 0; k < ar.nbranch_labels; k++)
				push_id(&r->rev.branch_labels, &r->rev.nbranch_labels,
						migrate_interop_sanitize_id(ar.branch_labels[k],
													strlen(ar.branch_labels[k])));
			if (ar.autocommit)
				mark_nontx(r, "op.get_context().autocommit_block()");
		}
	}
	if (set->nrevs == 0)
		return;

	/* the SQL, from Alembic itself */
	helper = alembic_helper();
	ids = pg_malloc(sizeof(char *) * (set->nrevs + 1));
	ids[0] = ini;
	{
		char	   *abs = realpath(ini, NULL);

		if (abs != NULL)
			ids[0] = abs;
	}
	for (i = 0; i < set->nrevs; i++)
		ids[i + 1] = set->revs[i].source_id;
	initStringInfo(&out);
	status = run_helper(python && python[0] ? python : "python3", helper, here,
						ids, set->nrevs + 1, &out);
	if ((status == 3 || status == 127) && !(python && python[0]) &&
		access("/usr/bin/python3", X_OK) == 0)
		status = run_helper("/usr/bin/python3", helper, here, ids,
							set->nrevs + 1, &out);
	if (status == 3 || status == 127)
	{
		pg_log_error("Alembic is needed to render the SQL of Alembic revisions, and python3 could not import it");
		pg_log_error_hint("Install Alembic (Debian: python3-alembic), or set PG_MIGRATE_PYTHON to a python3 that has it.");
		exit(EXIT_OTHER);
	}
	if (status != 0)
	{
		pg_log_error("pg_migrate_alembic.py failed with exit status %d on \"%s\"",
					 status, ini);
		exit(EXIT_OTHER);
	}
	alembic_apply_output(set, out.data, out.len);
}

/* ---------------------------------------------------------------- checks */

/* Refuse ids that clash, before anything is written. */
static void
check_ids(ImportSet *set)
{
	int			i;
	int			j;

	for (i = 0; i < set->nrevs; i++)
		for (j = 0; j < i; j++)
			if (strcmp(set->revs[i].rev.revision, set->revs[j].rev.revision) == 0)
				die("\"%s\" and \"%s\" both become revision \"%s\"",
					set->revs[j].origin, set->revs[i].origin,
					set->revs[i].rev.revision);
}

/* Remove a BEGIN ... COMMIT wrapper around a whole script. */
static void
strip_wrappers(ImportSet *set)
{
	int			i;

	for (i = 0; i < set->nrevs; i++)
	{
		ImportRev  *r = &set->revs[i];
		char	   *s;

		if ((s = migrate_import_strip_transaction(r->rev.upgrade)) != NULL)
		{
			r->rev.upgrade = s;
			note(r, "BEGIN/COMMIT around the upgrade removed");
		}
		if (r->rev.downgrade != NULL &&
			(s = migrate_import_strip_transaction(r->rev.downgrade)) != NULL)
		{
			r->rev.downgrade = s;
			note(r, "BEGIN/COMMIT around the downgrade removed");
		}
	}
}

/*
 * The file text: migrate_format_revfile's, with "-- source:" (and, for a
 * repeatable script, "-- repeatable: true") after the revision line, and
 * the marker of an unconverted revision.  with_source false leaves out the
 * lines the server may not know yet, for linting.
 */
static char *
file_text(const ImportSet *set, const ImportRev *r, bool with_source)
{
	char	   *base = migrate_format_revfile(&r->rev);
	char	   *nl = strchr(base, '\n');
	StringInfoData buf;

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, base, nl + 1 - base);
	if (with_source)
	{
		appendStringInfo(&buf, "-- %s: %s %s\n", MIGRATE_INTEROP_SOURCE_KEY,
						 migrate_interop_format_name(set->format),
						 r->source_version);
		if (r->repeatable)
			appendStringInfoString(&buf, "-- repeatable: true\n");
	}
	if (r->unconverted != NULL && with_source)
	{
		const char *p;

		appendStringInfoString(&buf,
							   "-- The SQL of this revision could not be converted; write it below,\n"
							   "-- then delete the \"unconverted\" line, which registration refuses.\n"
							   "-- unconverted: ");
		for (p = r->unconverted; *p; p++)
			appendStringInfoChar(&buf, *p == '\n' ? ' ' : *p);
		appendStringInfoChar(&buf, '\n');
	}
	appendStringInfoString(&buf, nl + 1);
	return buf.data;
}

/*
 * Lint each revision with the server's parser: PM016 (a statement that
 * cannot run in a transaction block) makes it non-transactional; PM015
 * (transaction control) is noted.  Only reads.
 */
static void
server_check(ImportSet *set, const MigrateOptions *opts)
{
	PGconn	   *conn = connect_server(opts, true);
	char	   *sql;
	int			i;

	if (conn == NULL)
	{
		set->check_note = pg_strdup("no server reachable");
		return;
	}
	if (!find_extension(conn))
	{
		set->check_note = psprintf("extension \"pg_migrate\" is not installed in database \"%s\"",
								   PQdb(conn));
		PQfinish(conn);
		return;
	}
	sql = psprintf("SELECT rule FROM %s.migrate_lint_file($1, $2)"
				   " WHERE rule IN ('PM015', 'PM016')",
				   ext_schema);
	for (i = 0; i < set->nrevs; i++)
	{
		ImportRev  *r = &set->revs[i];
		const char *params[2];
		PGresult   *res;
		int			k;
		bool		noted;

		if (r->unconverted != NULL)
			continue;
		params[0] = r->origin;
		params[1] = file_text(set, r, false);
		res = PQexecParams(conn, sql, 2, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
		{
			const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

			note(r, "the server's parser refuses it: %s", msg ? msg : PQerrorMessage(conn));
			PQclear(res);
			continue;
		}
		noted = false;
		for (k = 0; k < PQntuples(res); k++)
		{
			if (strcmp(PQgetvalue(res, k, 0), "PM016") == 0)
				mark_nontx(r, "the server's parser: a statement cannot run in a transaction block");
			else if (!noted)
			{
				/* once, however many such statements there are */
				note(r, "transaction control inside the SQL: registration refuses it");
				noted = true;
			}
		}
		PQclear(res);
	}
	PQfinish(conn);
}

/* ---------------------------------------------------------------- writing */

static void
write_all(ImportSet *set, const char *dir)
{
	char	   *dircopy = pg_strdup(dir);
	int			i;

	for (i = 0; i < set->nrevs; i++)
	{
		ImportRev  *r = &set->revs[i];
		char	   *slug = slugify(r->rev.message);

		r->path = slug[0] ? psprintf("%s/%s_%s.sql", dir, r->rev.revision, slug)
			: psprintf("%s/%s.sql", dir, r->rev.revision);
		if (access(r->path, F_OK) == 0)
		{
			pg_log_error("file \"%s\" exists already; nothing was written", r->path);
			pg_log_error_hint("Import into an empty directory with --dir.");
			exit(EXIT_OTHER);
		}
	}
	if (pg_mkdir_p(dircopy, 0777) != 0 && errno != EEXIST)
	{
		pg_log_error("could not create directory \"%s\": %m", dir);
		exit(EXIT_OTHER);
	}
	for (i = 0; i < set->nrevs; i++)
	{
		ImportRev  *r = &set->revs[i];
		char	   *text = file_text(set, r, true);
		size_t		len = strlen(text);
		int			fd = open(r->path, O_WRONLY | O_CREAT | O_EXCL | PG_BINARY, 0666);

		if (fd < 0 || write(fd, text, len) != (ssize_t) len || close(fd) != 0)
		{
			pg_log_error("could not write file \"%s\": %m", r->path);
			exit(EXIT_OTHER);
		}
	}
}

/* Print the summary; returns the exit status. */
static int
summary(const ImportSet *set, const char *dir)
{
	int			i;
	int			n;
	int			nunconv = 0;

	printf("imported %d %s migration(s) from \"%s\" into \"%s\"\n",
		   set->nrevs, migrate_interop_format_name(set->format), set->source,
		   dir);
	printf("files written: %d\n", set->nrevs);
	for (i = 0; i < set->nrevs; i++)
		printf("  %s\n", set->revs[i].path);

	for (n = 0, i = 0; i < set->nrevs; i++)
		n += !set->revs[i].rev.transactional;
	printf("non-transactional: %d\n", n);
	for (i = 0; i < set->nrevs; i++)
		if (!set->revs[i].rev.transactional)
			printf("  %s (%s)\n", set->revs[i].rev.revision,
				   set->revs[i].nontx_reason);

	for (n = 0, i = 0; i < set->nrevs; i++)
		n += set->revs[i].rev.downgrade == NULL && set->revs[i].unconverted == NULL;
	printf("without downgrade: %d\n", n);
	for (i = 0; i < set->nrevs; i++)
		if (set->revs[i].rev.downgrade == NULL && set->revs[i].unconverted == NULL)
			printf("  %s\n", set->revs[i].rev.revision);

	for (i = 0; i < set->nrevs; i++)
		nunconv += set->revs[i].unconverted != NULL;
	printf("not converted: %d\n", nunconv + set->nskipped);
	for (i = 0; i < set->nrevs; i++)
		if (set->revs[i].unconverted != NULL)
			printf("  %s (%s): %s; the file is written without its SQL and registration refuses it until the SQL is filled in\n",
				   set->revs[i].rev.revision, set->revs[i].origin,
				   set->revs[i].unconverted);
	if (set->nskipped > 0)
		fputs(set->skipped.data, stdout);

	for (n = 0, i = 0; i < set->nrevs; i++)
		n += set->revs[i].notes.len > 0;
	if (n > 0)
	{
		printf("notes: %d\n", n);
		for (i = 0; i < set->nrevs; i++)
			if (set->revs[i].notes.len > 0)
				printf("  %s: %s\n", set->revs[i].rev.revision,
					   set->revs[i].notes.data);
	}
	if (set->check_note != NULL)
		printf("statements that cannot run in a transaction block: not checked by the server's parser (%s); registration checks them\n",
			   set->check_note);
	else
		printf("statements that cannot run in a transaction block: checked by the server's parser\n");
	return nunconv > 0 ? EXIT_OTHER : EXIT_OK;
}

/* pg_migrate import FORMAT SOURCE */
int
verb_import(const MigrateOptions *opts)
{
	ImportSet	set;
	const char *fmt = opts->args[0];
	const char *source = opts->args[1];

	memset(&set, 0, sizeof(set));
	initStringInfo(&set.skipped);
	set.source = source;
	set.format = migrate_interop_format_from_name(fmt, strlen(fmt));
	if (set.format == MIGRATE_INTEROP_INVALID)
	{
		pg_log_error("unknown format \"%s\"", fmt);
		pg_log_error_hint("The formats are %s.", MIGRATE_INTEROP_FORMAT_LIST);
		exit(EXIT_USAGE);
	}
	if (access(source, F_OK) != 0)
	{
		pg_log_error("could not find \"%s\": %m", source);
		exit(EXIT_OTHER);
	}
	if (set.format != MIGRATE_INTEROP_ALEMBIC &&
		set.format != MIGRATE_INTEROP_SQITCH && !is_dir(source))
	{
		pg_log_error("\"%s\" is not a directory", source);
		exit(EXIT_OTHER);
	}

	switch (set.format)
	{
		case MIGRATE_INTEROP_ALEMBIC:
			read_alembic(&set, source);
			break;
		case MIGRATE_INTEROP_GOLANG_MIGRATE:
			read_golang(&set, source);
			break;
		case MIGRATE_INTEROP_DBMATE:
			read_dbmate(&set, source);
			break;
		case MIGRATE_INTEROP_FLYWAY:
			read_flyway(&set, source);
			break;
		case MIGRATE_INTEROP_DIESEL:
			read_diesel(&set, source);
			break;
		case MIGRATE_INTEROP_SQITCH:
			read_sqitch(&set, source);
			break;
		case MIGRATE_INTEROP_INVALID:
			break;
	}
	if (set.nrevs == 0)
	{
		pg_log_error("no %s migrations found in \"%s\"", fmt, source);
		if (set.nskipped > 0)
			fputs(set.skipped.data, stderr);
		exit(EXIT_BAD_FILES);
	}
	check_ids(&set);
	strip_wrappers(&set);
	server_check(&set, opts);
	write_all(&set, opts->dir);
	return summary(&set, opts->dir);
}
