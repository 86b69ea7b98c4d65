/*-------------------------------------------------------------------------
 *
 * importnames.c
 *	  File names and small file formats of other migration tools:
 *	  golang-migrate, dbmate, Flyway and Diesel.
 *
 * The rules follow each tool's documentation:
 *	- golang-migrate: "{version}_{title}.{up|down}.{extension}", the
 *	  version an unsigned integer (leading zeros allowed, kept here: the
 *	  file name is the revision id, the number goes in the version table).
 *	- dbmate: "{version}_{description}.sql", version digits; the file holds
 *	  "-- migrate:up" and optionally "-- migrate:down", each optionally
 *	  followed by options such as "transaction:false".
 *	- Flyway: "V{version}__{description}.sql" versioned, "U..." undo,
 *	  "R__{description}.sql" repeatable, "B..." baseline; versions are
 *	  digits separated by '.' or '_' (the same version either way);
 *	  "V2__x.sql.conf" (or "V2__x.conf") configures one script, and
 *	  "executeInTransaction=false" makes it non-transactional.
 *	- Diesel: a directory "{version}_{name}" with up.sql, down.sql and an
 *	  optional metadata.toml whose "run_in_transaction = false" makes the
 *	  migration non-transactional.
 *
 * IDENTIFICATION
 *	  src/common/importnames.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef FRONTEND
#include "postgres.h"
#else
#include "postgres_fe.h"
#endif

#include <stdarg.h>

#include "lib/stringinfo.h"

#include "common/importfmt.h"

static bool fail(MigrateParseError *err, int line, const char *fmt,...)
			pg_attribute_printf(3, 4);

/* Fill *err and return false. */
static bool
fail(MigrateParseError *err, int line, const char *fmt,...)
{
	va_list		args;

	err->line = line;
	va_start(args, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, args);
	va_end(args);
	return false;
}

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Does s end with suffix? */
static bool
ends_with(const char *s, const char *suffix)
{
	size_t		n = strlen(s);
	size_t		m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* golang-migrate: "{digits}_{title}.{up|down}.{ext}"; the title is greedy. */
bool
migrate_import_golang_name(const char *name, char **version, char **title,
						   bool *up)
{
	const char *p = name;
	const char *title_start;
	const char *cut = NULL;
	bool		cut_up = false;
	const char *q;

	while (is_digit(*p))
		p++;
	if (p == name || *p != '_')
		return false;
	title_start = p + 1;
	/* the last ".up." or ".down." after the underscore ends the title */
	for (q = title_start; *q; q++)
	{
		if (strncmp(q, ".up.", 4) == 0)
		{
			cut = q;
			cut_up = true;
		}
		else if (strncmp(q, ".down.", 6) == 0)
		{
			cut = q;
			cut_up = false;
		}
	}
	if (cut == NULL)
		return false;
	*version = pnstrdup(name, p - name);
	*title = pnstrdup(title_start, cut - title_start);
	*up = cut_up;
	return true;
}

/* dbmate: "{digits}[_description].sql". */
bool
migrate_import_dbmate_name(const char *name, char **version, char **title)
{
	const char *p = name;
	size_t		len = strlen(name);

	while (is_digit(*p))
		p++;
	if (p == name || !ends_with(name, ".sql") || p > name + len - 4)
		return false;
	*version = pnstrdup(name, p - name);
	if (*p == '_')
		p++;
	*title = pnstrdup(p, name + len - 4 - p);
	return true;
}

/* A Flyway version: digits, separated by single '.' or '_'. */
static bool
valid_flyway_version(const char *s, size_t len)
{
	size_t		i;
	bool		need_digit = true;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
	{
		if (is_digit(s[i]))
			need_digit = false;
		else if ((s[i] == '.' || s[i] == '_') && !need_digit)
			need_digit = true;
		else
			return false;
	}
	return !need_digit;
}

/* Flyway: V/U/B{version}__{description}.sql, R__{description}.sql. */
MigrateFlywayKind
migrate_import_flyway_name(const char *name, char **version,
						   char **description)
{
	size_t		len = strlen(name);
	const char *sep;
	const char *desc_end;
	MigrateFlywayKind kind;

	if (!ends_with(name, ".sql") || len < 5)
		return MIGRATE_FLYWAY_NONE;
	desc_end = name + len - 4;
	switch (name[0])
	{
		case 'V':
			kind = MIGRATE_FLYWAY_VERSIONED;
			break;
		case 'U':
			kind = MIGRATE_FLYWAY_UNDO;
			break;
		case 'B':
			kind = MIGRATE_FLYWAY_BASELINE;
			break;
		case 'R':
			kind = MIGRATE_FLYWAY_REPEATABLE;
			break;
		default:
			return MIGRATE_FLYWAY_NONE;
	}
	sep = strstr(name + 1, "__");
	if (sep == NULL || sep + 2 > desc_end)
		return MIGRATE_FLYWAY_NONE;
	if (kind == MIGRATE_FLYWAY_REPEATABLE)
	{
		if (sep != name + 1)
			return MIGRATE_FLYWAY_NONE;
		*version = NULL;
	}
	else
	{
		if (!valid_flyway_version(name + 1, sep - (name + 1)))
			return MIGRATE_FLYWAY_NONE;
		*version = pnstrdup(name + 1, sep - (name + 1));
	}
	*description = pnstrdup(sep + 2, desc_end - (sep + 2));
	return kind;
}

/*
 * Next numeric part of a Flyway version at *s: its digits without leading
 * zeros as [*start, *start + *n); advances *s past a separator.
 */
static void
next_part(const char **s, const char **start, size_t *n)
{
	const char *p = *s;

	while (*p == '0' && is_digit(p[1]))
		p++;
	*start = p;
	while (is_digit(*p))
		p++;
	*n = p - *start;
	if (*p == '.' || *p == '_')
		p++;
	*s = p;
}

/* Compare two Flyway versions numerically, part by part. */
int
migrate_import_flyway_compare(const char *a, const char *b)
{
	while (*a || *b)
	{
		const char *pa = "0";
		const char *pb = "0";
		size_t		na = 1;
		size_t		nb = 1;
		int			c;

		if (*a)
			next_part(&a, &pa, &na);
		if (*b)
			next_part(&b, &pb, &nb);
		/* "0" after stripping zeros is empty: treat as zero */
		if (na == 0)
		{
			pa = "0";
			na = 1;
		}
		if (nb == 0)
		{
			pb = "0";
			nb = 1;
		}
		if (na != nb)
			return na < nb ? -1 : 1;
		c = memcmp(pa, pb, na);
		if (c != 0)
			return c < 0 ? -1 : 1;
	}
	return 0;
}

/* Diesel: "{version}_{name}", the version digits and dashes. */
bool
migrate_import_diesel_name(const char *name, char **version, char **title)
{
	const char *p = name;
	bool		digit = false;

	while (is_digit(*p) || *p == '-')
	{
		digit |= is_digit(*p);
		p++;
	}
	if (!digit || *p != '_')
		return false;
	*version = pnstrdup(name, p - name);
	*title = pstrdup(p + 1);
	return true;
}

/*
 * Is [line, line + len) a dbmate marker "-- migrate:WORD [options]"?
 * Sets *transaction to false when an option says "transaction:false".
 */
static bool
dbmate_marker(const char *line, size_t len, const char *word,
			  bool *transaction)
{
	const char *p = line;
	const char *end = line + len;
	size_t		wlen = strlen(word);

	if (len < 2 || p[0] != '-' || p[1] != '-')
		return false;
	p += 2;
	while (p < end && is_space(*p))
		p++;
	if ((size_t) (end - p) < 8 + wlen || memcmp(p, "migrate:", 8) != 0 ||
		memcmp(p + 8, word, wlen) != 0)
		return false;
	p += 8 + wlen;
	if (p < end && !is_space(*p))
		return false;
	*transaction = true;
	while (p < end)
	{
		const char *opt;

		while (p < end && is_space(*p))
			p++;
		opt = p;
		while (p < end && !is_space(*p))
			p++;
		if (p - opt == 17 && pg_strncasecmp(opt, "transaction:false", 17) == 0)
			*transaction = false;
	}
	return true;
}

/* dbmate: split at "-- migrate:up" and "-- migrate:down". */
bool
migrate_import_dbmate_split(const char *text, size_t len, char **up,
							char **down, bool *up_transaction,
							bool *down_transaction, MigrateParseError *err)
{
	StringInfoData ubuf;
	StringInfoData dbuf;
	StringInfo	cur = NULL;
	const char *p = text;
	const char *end = text + len;
	int			lineno = 0;
	bool		seen_down = false;

	initStringInfo(&ubuf);
	initStringInfo(&dbuf);
	*up_transaction = true;
	*down_transaction = true;
	while (p < end)
	{
		const char *nl = memchr(p, '\n', end - p);
		const char *lend = nl ? nl : end;
		const char *t = p;
		size_t		tlen;
		bool		tx;

		lineno++;
		while (t < lend && is_space(*t))
			t++;
		tlen = lend - t;
		while (tlen > 0 && is_space(t[tlen - 1]))
			tlen--;
		if (memchr(p, '\0', lend - p) != NULL)
			return fail(err, lineno, "NUL byte in migration file");
		if (dbmate_marker(t, tlen, "up", &tx))
		{
			if (cur != NULL)
				return fail(err, lineno, "second \"-- migrate:up\" marker");
			*up_transaction = tx;
			cur = &ubuf;
		}
		else if (dbmate_marker(t, tlen, "down", &tx))
		{
			if (cur == NULL)
				return fail(err, lineno, "\"-- migrate:down\" before \"-- migrate:up\"");
			if (seen_down)
				return fail(err, lineno, "second \"-- migrate:down\" marker");
			seen_down = true;
			*down_transaction = tx;
			cur = &dbuf;
		}
		else if (cur != NULL)
		{
			appendBinaryStringInfo(cur, p, lend - p);
			appendStringInfoChar(cur, '\n');
		}
		else if (tlen > 0 && !(tlen >= 2 && t[0] == '-' && t[1] == '-'))
			return fail(err, lineno, "SQL before the \"-- migrate:up\" marker");
		p = nl ? nl + 1 : end;
	}
	if (cur == NULL)
		return fail(err, 0, "no \"-- migrate:up\" marker");
	*up = ubuf.data;
	if (seen_down)
		*down = dbuf.data;
	else
	{
		pfree(dbuf.data);
		*down = NULL;
	}
	return true;
}

/*
 * Call fn for each "key=value" (or "key = value") line of a configuration
 * file; '#' starts a comment line.  The key and the value are trimmed.
 * Lines "[table]" set *table (for TOML) when table is given.
 */
typedef bool (*KeyValueFn) (const char *key, size_t klen, const char *value,
							size_t vlen, bool in_table, void *arg);

static bool
each_key_value(const char *text, size_t len, bool toml, KeyValueFn fn,
			   void *arg, MigrateParseError *err)
{
	const char *p = text;
	const char *end = text + len;
	int			lineno = 0;
	bool		in_table = false;

	while (p < end)
	{
		const char *nl = memchr(p, '\n', end - p);
		const char *lend = nl ? nl : end;
		const char *t = p;
		const char *eq;
		const char *k;
		size_t		klen;
		const char *v;
		size_t		vlen;

		lineno++;
		p = nl ? nl + 1 : end;
		while (t < lend && is_space(*t))
			t++;
		if (t == lend || *t == '#' || (!toml && *t == '!'))
			continue;
		if (toml && *t == '[')
		{
			in_table = true;
			continue;
		}
		eq = memchr(t, '=', lend - t);
		if (eq == NULL)
			return fail(err, lineno, "line is not \"key=value\"");
		k = t;
		klen = eq - t;
		while (klen > 0 && is_space(k[klen - 1]))
			klen--;
		v = eq + 1;
		while (v < lend && is_space(*v))
			v++;
		vlen = lend - v;
		if (toml)
		{
			/* a comment after a TOML value */
			const char *hash = memchr(v, '#', vlen);

			if (hash != NULL && *v != '"' && *v != '\'')
				vlen = hash - v;
		}
		while (vlen > 0 && is_space(v[vlen - 1]))
			vlen--;
		if (klen == 0)
			return fail(err, lineno, "line has no key before \"=\"");
		if (!fn(k, klen, v, vlen, in_table, arg))
			return fail(err, lineno, "invalid value for \"%.*s\"",
						(int) Min(klen, 40), k);
	}
	return true;
}

/* The executeInTransaction key of a Flyway script configuration. */
static bool
flyway_key(const char *key, size_t klen, const char *value, size_t vlen,
		   bool in_table, void *arg)
{
	bool	   *in_transaction = (bool *) arg;

	if (klen == 20 && memcmp(key, "executeInTransaction", 20) == 0)
	{
		if (vlen == 5 && pg_strncasecmp(value, "false", 5) == 0)
			*in_transaction = false;
		else if (vlen == 4 && pg_strncasecmp(value, "true", 4) == 0)
			*in_transaction = true;
		else
			return false;
	}
	return true;
}

bool
migrate_import_flyway_conf(const char *text, size_t len, bool *in_transaction,
						   MigrateParseError *err)
{
	*in_transaction = true;
	return each_key_value(text, len, false, flyway_key, in_transaction, err);
}

/* The run_in_transaction key of a Diesel metadata.toml, top level only. */
static bool
diesel_key(const char *key, size_t klen, const char *value, size_t vlen,
		   bool in_table, void *arg)
{
	bool	   *in_transaction = (bool *) arg;

	if (!in_table && klen == 18 && memcmp(key, "run_in_transaction", 18) == 0)
	{
		if (vlen == 5 && memcmp(value, "false", 5) == 0)
			*in_transaction = false;
		else if (vlen == 4 && memcmp(value, "true", 4) == 0)
			*in_transaction = true;
		else
			return false;
	}
	return true;
}

bool
migrate_import_diesel_metadata(const char *text, size_t len,
							   bool *in_transaction, MigrateParseError *err)
{
	*in_transaction = true;
	return each_key_value(text, len, true, diesel_key, in_transaction, err);
}

/*
 * Is [s, s + len) one of the words (case-insensitive, blanks between
 * words collapsed) followed by ';'?
 */
static bool
is_statement(const char *s, size_t len, const char *const *words)
{
	char		norm[64];
	size_t		n = 0;
	size_t		i;

	for (i = 0; i < len && n < sizeof(norm) - 1; i++)
	{
		char		c = s[i];

		if (is_space(c))
		{
			if (n > 0 && norm[n - 1] != ' ')
				norm[n++] = ' ';
			continue;
		}
		if (c == ';')
		{
			if (n > 0 && norm[n - 1] == ' ')
				n--;
		}
		norm[n++] = (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
	}
	if (i < len)
		return false;
	norm[n] = '\0';
	for (i = 0; words[i] != NULL; i++)
		if (strcmp(norm, words[i]) == 0)
			return true;
	return false;
}

/* Is the trimmed line blank or a "--" comment? */
static bool
is_filler(const char *t, size_t tlen)
{
	return tlen == 0 || (tlen >= 2 && t[0] == '-' && t[1] == '-');
}

char *
migrate_import_strip_transaction(const char *sql)
{
	static const char *const begin_words[] = {
		"begin;", "begin transaction;", "begin work;", "start transaction;",
		NULL
	};
	static const char *const commit_words[] = {
		"commit;", "commit transaction;", "commit work;", "end;", NULL
	};
	const char *p = sql;
	const char *first = NULL;
	const char *first_end = NULL;
	const char *last = NULL;
	const char *last_end = NULL;
	StringInfoData buf;

	/* find the first and the last line that is not blank or a comment */
	while (*p)
	{
		const char *nl = strchr(p, '\n');
		const char *lend = nl ? nl : p + strlen(p);
		const char *t = p;
		size_t		tlen;

		while (t < lend && is_space(*t))
			t++;
		tlen = lend - t;
		while (tlen > 0 && is_space(t[tlen - 1]))
			tlen--;
		if (!is_filler(t, tlen))
		{
			if (first == NULL)
			{
				if (!is_statement(t, tlen, begin_words))
					return NULL;
				first = p;
				first_end = nl ? nl + 1 : lend;
			}
			else
			{
				last = p;
				last_end = nl ? nl + 1 : lend;
				if (!is_statement(t, tlen, commit_words))
					last = NULL;
			}
		}
		p = nl ? nl + 1 : lend;
	}
	if (first == NULL || last == NULL)
		return NULL;
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, sql, first - sql);
	appendBinaryStringInfo(&buf, first_end, last - first_end);
	appendStringInfoString(&buf, last_end);
	return buf.data;
}

/* The value of key in [section] of an INI file, "%(here)s" replaced. */
char *
migrate_import_ini_value(const char *text, size_t len, const char *section,
						 const char *key, const char *here)
{
	const char *p = text;
	const char *end = text + len;
	bool		in_section = false;
	size_t		seclen = strlen(section);
	size_t		keylen = strlen(key);

	while (p < end)
	{
		const char *nl = memchr(p, '\n', end - p);
		const char *lend = nl ? nl : end;
		const char *t = p;
		size_t		tlen;

		p = nl ? nl + 1 : end;
		if (lend > t && is_space(*t))
			continue;			/* a continuation line */
		tlen = lend - t;
		while (tlen > 0 && is_space(t[tlen - 1]))
			tlen--;
		if (tlen == 0 || *t == '#' || *t == ';')
			continue;
		if (*t == '[')
		{
			in_section = (tlen == seclen + 2 && t[tlen - 1] == ']' &&
						  memcmp(t + 1, section, seclen) == 0);
			continue;
		}
		if (in_section && tlen > keylen && memcmp(t, key, keylen) == 0)
		{
			const char *v = t + keylen;
			const char *vend = t + tlen;
			StringInfoData buf;

			while (v < vend && is_space(*v))
				v++;
			if (v == vend || (*v != '=' && *v != ':'))
				continue;
			v++;
			while (v < vend && is_space(*v))
				v++;
			initStringInfo(&buf);
			while (v < vend)
			{
				if (vend - v >= 8 && memcmp(v, "%(here)s", 8) == 0)
				{
					appendStringInfoString(&buf, here);
					v += 8;
				}
				else if (vend - v >= 2 && v[0] == '%' && v[1] == '%')
				{
					appendStringInfoChar(&buf, '%');
					v += 2;
				}
				else
					appendStringInfoChar(&buf, *v++);
			}
			return buf.data;
		}
	}
	return NULL;
}
