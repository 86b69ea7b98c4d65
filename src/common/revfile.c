/*-------------------------------------------------------------------------
 *
 * revfile.c
 *	  Parsing and writing of revision files.
 *
 * A revision file is read one line at a time, in a single pass, so the
 * work is linear in the size of the file and no byte past len is touched
 * (the content need not be NUL-terminated).  Each line is first checked
 * for NUL bytes and invalid UTF-8, so an error always names the line where
 * the bad byte sits; then any CRs at its end are dropped, which makes LF
 * and CRLF files read the same.
 *
 * The file has three parts, and the parser is in one of three states:
 *
 *	- the header, up to the "-- migrate:upgrade" line: blank lines and
 *	  "--" comments only.  A comment "-- word: value" sets a header key,
 *	  and an unknown word there is an error, so that a misspelt key is not
 *	  silently ignored; any other comment is free text.  Every key may be
 *	  given once, except "lint-ignore", which silences one lint rule per
 *	  line and must say why.
 *	- the upgrade section, up to "-- migrate:downgrade" or the end.
 *	- the downgrade section, up to the end.
 *
 * Section text is kept line by line as written, except that leading and
 * trailing blank lines are dropped and every kept line ends with "\n"
 * (also the last one, when the file has no final newline).  With that
 * normal form migrate_format_revfile can write any parsed revision back so
 * that it parses to the same values.
 *
 * Nothing here raises an error: on failure the parser frees what it
 * allocated and returns a line number and a message.
 *
 * IDENTIFICATION
 *	  src/common/revfile.c
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

#include "common/revfile.h"
#include "mb/pg_wchar.h"
#include "common/interop.h"

/* larger inputs could overflow a palloc'd buffer (MaxAllocSize is 1 GB) */
#define REVFILE_MAX_LEN		((size_t) 0x3FFFFF00)

/* how much of a bad id or key is shown in an error message */
#define SHOWN_NAME_LEN		40

/* header keys, as bits in ParseState.seen_keys */
#define KEY_REVISION		0x01
#define KEY_REVISES			0x02
#define KEY_MESSAGE			0x04
#define KEY_DEPENDS_ON		0x08
#define KEY_BRANCH_LABELS	0x10
#define KEY_TRANSACTIONAL	0x20
#define KEY_LINT_IGNORE		0x40	/* may repeat */
#define KEY_REPEATABLE		0x80
#define KEY_SOURCE			0x100
#define KEY_UNCONVERTED		0x200	/* always refused */
#define KEY_SCOPE			0x400

typedef struct HeaderKey
{
	const char *name;			/* as written in the file, any case */
	const char *canonical;		/* as shown in messages */
	int			key;
} HeaderKey;

static const HeaderKey header_keys[] = {
	{"revision", "revision", KEY_REVISION},
	{"revises", "revises", KEY_REVISES},
	{"message", "message", KEY_MESSAGE},
	{"depends-on", "depends-on", KEY_DEPENDS_ON},
	{"depends_on", "depends-on", KEY_DEPENDS_ON},
	{"branch-labels", "branch-labels", KEY_BRANCH_LABELS},
	{"branch_labels", "branch-labels", KEY_BRANCH_LABELS},
	{"transactional", "transactional", KEY_TRANSACTIONAL},
	{"lint-ignore", "lint-ignore", KEY_LINT_IGNORE},
	{"lint_ignore", "lint-ignore", KEY_LINT_IGNORE},
	{"repeatable", "repeatable", KEY_REPEATABLE},
	{"source", "source", KEY_SOURCE},
	{"unconverted", "unconverted", KEY_UNCONVERTED},
	{"scope", "scope", KEY_SCOPE},
};

typedef enum MarkerKind
{
	MARKER_NONE,
	MARKER_UPGRADE,
	MARKER_DOWNGRADE
} MarkerKind;

/* The text of one section while it is being collected. */
typedef struct SectionText
{
	bool		present;		/* its marker has been seen */
	int			marker_line;
	int			first_line;		/* line of the first non-blank line, or 0 */
	int			keep_len;		/* length up to the last non-blank line */
	StringInfoData buf;
} SectionText;

typedef struct ParseState
{
	MigrateRevFile *out;
	MigrateParseError *err;
	int			lineno;
	int			seen_keys;
	SectionText upgrade;
	SectionText downgrade;
	SectionText *current;		/* NULL while in the header */
} ParseState;

static bool set_error(MigrateParseError *err, int line, const char *fmt,...)
			pg_attribute_printf(3, 4);


/*
 * Fill *err and return false, so that callers can "return set_error(...)".
 */
static bool
set_error(MigrateParseError *err, int line, const char *fmt,...)
{
	va_list		args;

	err->line = line;
	va_start(args, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, args);
	va_end(args);
	return false;
}

/*
 * Copy at most SHOWN_NAME_LEN bytes of s into buf for an error message,
 * adding "..." when something was cut.  The cut never splits a UTF-8
 * character.  buf must hold SHOWN_NAME_LEN + 4 bytes.
 */
static const char *
shown_name(const char *s, size_t len, char *buf)
{
	size_t		n = len;

	if (n > SHOWN_NAME_LEN)
	{
		n = SHOWN_NAME_LEN;
		while (n > 0 && (((unsigned char) s[n]) & 0xC0) == 0x80)
			n--;
	}
	memcpy(buf, s, n);
	if (n < len)
	{
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/* Blank characters trimmed around values; CR included for stray CRs. */
static inline bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Narrow [*s, *s + *len) to drop blank characters at both ends. */
static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && is_blank(**s))
	{
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_blank((*s)[*len - 1]))
		(*len)--;
}

/* Refuse a reserved word as a revision id or branch label. */
static bool
check_not_reserved(ParseState *st, const char *what, const char *s, size_t len)
{
	char		shown[SHOWN_NAME_LEN + 4];

	if (migrate_reserved_id(s, len))
		return set_error(st->err, st->lineno,
						 "invalid %s \"%s\": the words %s are reserved",
						 what, shown_name(s, len, shown), MIGRATE_RESERVED_IDS);
	return true;
}

/*
 * Check one id for migrate_valid_id, with a message saying what is wrong.
 * what is "revision id" or "branch label".
 */
static bool
check_id(ParseState *st, const char *what, const char *s, size_t len)
{
	char		shown[SHOWN_NAME_LEN + 4];

	if (len > MIGRATE_MAX_ID_LEN)
		return set_error(st->err, st->lineno,
						 "invalid %s \"%s\": longer than %d bytes",
						 what, shown_name(s, len, shown), MIGRATE_MAX_ID_LEN);
	if (!migrate_valid_id(s, len))
		return set_error(st->err, st->lineno,
						 "invalid %s \"%s\": only letters, digits, \"_\" and \"-\" are allowed",
						 what, shown_name(s, len, shown));
	return true;
}

/* qsort comparator for arrays of C strings */
static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * Parse a comma-separated list of ids into a palloc'd array.  An empty
 * value is an empty list; an empty item or the same id twice is an error.
 * On failure the items already made are left in *items for the caller to
 * free with the rest.
 */
static bool
parse_id_list(ParseState *st, const char *key, const char *what,
			  const char *value, size_t vlen, char ***items, int *nitems)
{
	const char *p = value;
	const char *end = value + vlen;
	int			alloc = 0;
	char	  **sorted;
	int			i;

	*items = NULL;
	*nitems = 0;
	if (vlen == 0)
		return true;

	for (;;)
	{
		const char *comma = memchr(p, ',', end - p);
		const char *item = p;
		size_t		ilen = (comma ? comma : end) - p;

		trim(&item, &ilen);
		if (ilen == 0)
			return set_error(st->err, st->lineno,
							 "empty entry in \"%s\" list", key);
		if (!check_id(st, what, item, ilen))
			return false;
		/* a label is a target too; parents and dependencies are looked up */
		if (strcmp(what, "branch label") == 0 &&
			!check_not_reserved(st, what, item, ilen))
			return false;
		if (*nitems == alloc)
		{
			if ((size_t) alloc * 2 * sizeof(char *) > REVFILE_MAX_LEN)
				return set_error(st->err, st->lineno,
								 "too many entries in \"%s\" list", key);
			alloc = alloc == 0 ? 4 : alloc * 2;
			if (*items == NULL)
				*items = palloc(alloc * sizeof(char *));
			else
				*items = repalloc(*items, alloc * sizeof(char *));
		}
		(*items)[(*nitems)++] = pnstrdup(item, ilen);
		if (comma == NULL)
			break;
		p = comma + 1;
	}

	/* sort a copy to find a repeated id in O(n log n) */
	sorted = palloc(*nitems * sizeof(char *));
	memcpy(sorted, *items, *nitems * sizeof(char *));
	qsort(sorted, *nitems, sizeof(char *), compare_strings);
	for (i = 1; i < *nitems; i++)
	{
		if (strcmp(sorted[i - 1], sorted[i]) == 0)
		{
			char		shown[SHOWN_NAME_LEN + 4];

			set_error(st->err, st->lineno,
					  "duplicate entry \"%s\" in \"%s\" list",
					  shown_name(sorted[i], strlen(sorted[i]), shown), key);
			pfree(sorted);
			return false;
		}
	}
	pfree(sorted);
	return true;
}

/* Parse a boolean setting the way PostgreSQL's GUCs spell them. */
static bool
parse_bool_value(const char *s, size_t len, bool *result)
{
	static const struct
	{
		const char *word;
		bool		value;
	}			words[] = {
		{"true", true}, {"yes", true}, {"on", true}, {"1", true},
		{"false", false}, {"no", false}, {"off", false}, {"0", false},
	};
	int			i;

	for (i = 0; i < (int) lengthof(words); i++)
	{
		if (strlen(words[i].word) == len &&
			pg_strncasecmp(s, words[i].word, len) == 0)
		{
			*result = words[i].value;
			return true;
		}
	}
	return false;
}

/* The header value of a scope kind. */
const char *
migrate_scope_kind_name(MigrateScopeKind kind)
{
	switch (kind)
	{
		case MIGRATE_SCOPE_SHARED:
			return "shared";
		case MIGRATE_SCOPE_TENANT:
			return "tenant";
		case MIGRATE_SCOPE_ALL:
			break;
	}
	return "all";
}

/* The scope kind [s, s + len) names, any case. */
bool
migrate_scope_kind_parse(const char *s, size_t len, MigrateScopeKind *kind)
{
	static const MigrateScopeKind kinds[] = {
		MIGRATE_SCOPE_ALL, MIGRATE_SCOPE_SHARED, MIGRATE_SCOPE_TENANT
	};
	int			i;

	for (i = 0; i < (int) lengthof(kinds); i++)
	{
		const char *word = migrate_scope_kind_name(kinds[i]);

		if (strlen(word) == len && pg_strncasecmp(s, word, len) == 0)
		{
			*kind = kinds[i];
			return true;
		}
	}
	return false;
}

/*
 * The number of the lint rule named by [s, s + len): "PM" (any case) and
 * three digits, from 1 to MIGRATE_LINT_RULE_COUNT; 0 for anything else.
 */
int
migrate_lint_rule_number(const char *s, size_t len)
{
	int			n = 0;
	int			i;

	if (len != 5 || (s[0] != 'P' && s[0] != 'p') || (s[1] != 'M' && s[1] != 'm'))
		return 0;
	for (i = 2; i < 5; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return 0;
		n = n * 10 + (s[i] - '0');
	}
	return n >= 1 && n <= MIGRATE_LINT_RULE_COUNT ? n : 0;
}

/*
 * "-- lint-ignore: PM003 reason": a known rule id, blanks, then a reason,
 * which is required so that every silenced finding says why it is safe.
 */
static bool
parse_lint_ignore(ParseState *st, const char *value, size_t vlen)
{
	MigrateRevFile *out = st->out;
	const char *p = value;
	const char *end = value + vlen;
	const char *reason;
	size_t		rlen;
	size_t		idlen;
	char		shown[SHOWN_NAME_LEN + 4];
	char		canonical[6];
	MigrateLintIgnore *ig;
	int			rule;
	int			i;

	while (p < end && !is_blank(*p))
		p++;
	idlen = p - value;
	if (idlen == 0)
		return set_error(st->err, st->lineno,
						 "header key \"lint-ignore\" has no value");
	rule = migrate_lint_rule_number(value, idlen);
	if (rule == 0)
		return set_error(st->err, st->lineno, "unknown lint rule \"%s\"",
						 shown_name(value, idlen, shown));
	snprintf(canonical, sizeof(canonical), "PM%03d", rule);

	reason = p;
	rlen = end - p;
	trim(&reason, &rlen);
	if (rlen == 0)
		return set_error(st->err, st->lineno,
						 "lint-ignore of rule \"%s\" gives no reason", canonical);

	for (i = 0; i < out->nlint_ignores; i++)
	{
		if (strcmp(out->lint_ignores[i].rule, canonical) == 0)
			return set_error(st->err, st->lineno,
							 "duplicate lint-ignore of rule \"%s\" (the first is at line %d)",
							 canonical, out->lint_ignores[i].line);
	}
	/* at most MIGRATE_LINT_RULE_COUNT entries: no growth check needed */
	if (out->lint_ignores == NULL)
		out->lint_ignores = palloc(sizeof(MigrateLintIgnore) * MIGRATE_LINT_RULE_COUNT);
	ig = &out->lint_ignores[out->nlint_ignores++];
	ig->rule = pstrdup(canonical);
	ig->reason = pnstrdup(reason, rlen);
	ig->line = st->lineno;
	return true;
}

/*
 * Handle a comment line of the header.  Only "-- word: value" matters;
 * anything else is free text and ignored.  line/len is the trimmed line,
 * which starts with "--".
 */
static bool
parse_header_comment(ParseState *st, const char *line, size_t len)
{
	MigrateRevFile *out = st->out;
	const char *p = line + 2;
	const char *end = line + len;
	const char *word;
	size_t		wlen;
	const char *value;
	size_t		vlen;
	const HeaderKey *hk = NULL;
	int			i;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	word = p;
	while (p < end && migrate_is_id_char(*p))
		p++;
	wlen = p - word;
	if (wlen == 0 || p == end || *p != ':')
		return true;			/* free text */

	for (i = 0; i < (int) lengthof(header_keys); i++)
	{
		if (strlen(header_keys[i].name) == wlen &&
			pg_strncasecmp(word, header_keys[i].name, wlen) == 0)
		{
			hk = &header_keys[i];
			break;
		}
	}
	if (hk == NULL)
	{
		char		shown[SHOWN_NAME_LEN + 4];

		return set_error(st->err, st->lineno, "unknown header key \"%s\"",
						 shown_name(word, wlen, shown));
	}
	if ((st->seen_keys & hk->key) && hk->key != KEY_LINT_IGNORE)
		return set_error(st->err, st->lineno, "duplicate header key \"%s\"",
						 hk->canonical);
	st->seen_keys |= hk->key;

	value = p + 1;
	vlen = end - value;
	trim(&value, &vlen);

	switch (hk->key)
	{
		case KEY_REVISION:
			if (vlen == 0)
				return set_error(st->err, st->lineno,
								 "header key \"revision\" has no value");
			if (!check_id(st, "revision id", value, vlen) ||
				!check_not_reserved(st, "revision id", value, vlen))
				return false;
			out->revision = pnstrdup(value, vlen);
			break;
		case KEY_REVISES:
			/* Alembic writes "None" for a root; "base" is its name for it */
			if ((vlen == 4 && memcmp(value, "base", 4) == 0) ||
				(vlen == 4 && memcmp(value, "None", 4) == 0))
				vlen = 0;
			return parse_id_list(st, hk->canonical, "revision id",
								 value, vlen,
								 &out->revises, &out->nrevises);
		case KEY_DEPENDS_ON:
			return parse_id_list(st, hk->canonical, "revision id",
								 value, vlen,
								 &out->depends_on, &out->ndepends_on);
		case KEY_BRANCH_LABELS:
			return parse_id_list(st, hk->canonical, "branch label",
								 value, vlen,
								 &out->branch_labels, &out->nbranch_labels);
		case KEY_MESSAGE:
			pfree(out->message);
			out->message = pnstrdup(value, vlen);
			break;
		case KEY_TRANSACTIONAL:
			if (!parse_bool_value(value, vlen, &out->transactional))
			{
				char		shown[SHOWN_NAME_LEN + 4];

				return set_error(st->err, st->lineno,
								 "invalid value \"%s\" for header key \"transactional\"",
								 shown_name(value, vlen, shown));
			}
			break;
		case KEY_LINT_IGNORE:
			return parse_lint_ignore(st, value, vlen);
		case KEY_SCOPE:
			if (!migrate_scope_kind_parse(value, vlen, &out->scope))
			{
				char		shown[SHOWN_NAME_LEN + 4];

				return set_error(st->err, st->lineno,
								 "invalid value \"%s\" for header key \"scope\": expected \"shared\", \"tenant\" or \"all\"",
								 shown_name(value, vlen, shown));
			}
			break;
		case KEY_REPEATABLE:
			if (!parse_bool_value(value, vlen, &out->repeatable))
			{
				char		shown[SHOWN_NAME_LEN + 4];

				return set_error(st->err, st->lineno,
								 "invalid value \"%s\" for header key \"repeatable\"",
								 shown_name(value, vlen, shown));
			}
			break;
		case KEY_SOURCE:
			{
				MigrateInteropFormat format;
				const char *version;
				size_t		version_len;

				if (!migrate_interop_parse_source(value, vlen, &format,
												  &version, &version_len))
				{
					char		shown[SHOWN_NAME_LEN + 4];

					return set_error(st->err, st->lineno,
									 "invalid value \"%s\" for header key \"source\": expected a format (%s) and a version",
									 shown_name(value, vlen, shown),
									 MIGRATE_INTEROP_FORMAT_LIST);
				}
				out->source_format = pstrdup(migrate_interop_format_name(format));
				out->source_version = pnstrdup(version, version_len);
			}
			break;
		case KEY_UNCONVERTED:
			return set_error(st->err, st->lineno,
							 "revision file is marked \"unconverted\": its SQL must be written and the \"unconverted\" line deleted");
	}
	return true;
}

/*
 * Is the trimmed line a section marker?  "--", any spaces, then
 * "migrate:upgrade" or "migrate:downgrade" (dbmate's "migrate:up" and
 * "migrate:down" mean the same).
 */
static MarkerKind
marker_kind(const char *line, size_t len)
{
	const char *p = line;
	const char *end = line + len;
	size_t		rest;

	if (len < 2 || p[0] != '-' || p[1] != '-')
		return MARKER_NONE;
	p += 2;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	rest = end - p;

#define MATCHES(word) (rest == strlen(word) && memcmp(p, word, rest) == 0)
	if (MATCHES("migrate:upgrade") || MATCHES("migrate:up"))
		return MARKER_UPGRADE;
	if (MATCHES("migrate:downgrade") || MATCHES("migrate:down"))
		return MARKER_DOWNGRADE;
#undef MATCHES
	return MARKER_NONE;
}

/* Start collecting a section whose marker is on the current line. */
static void
start_section(ParseState *st, SectionText *sec)
{
	sec->present = true;
	sec->marker_line = st->lineno;
	initStringInfo(&sec->buf);
	st->current = sec;
}

/*
 * Add a line to the current section, skipping blank lines before the first
 * non-blank one; blank lines after the last one are cut off at the end.
 */
static void
add_section_line(ParseState *st, const char *line, size_t len, bool blank)
{
	SectionText *sec = st->current;

	if (sec->first_line == 0)
	{
		if (blank)
			return;
		sec->first_line = st->lineno;
	}
	appendBinaryStringInfo(&sec->buf, line, len);
	appendStringInfoChar(&sec->buf, '\n');
	if (!blank)
		sec->keep_len = sec->buf.len;
}

/* Handle one line, its line ending and any CRs before it removed. */
static bool
parse_line(ParseState *st, const char *line, size_t len)
{
	const char *t = line;
	size_t		tlen = len;

	trim(&t, &tlen);
	switch (marker_kind(t, tlen))
	{
		case MARKER_UPGRADE:
			if (st->upgrade.present)
				return set_error(st->err, st->lineno,
								 "second \"-- migrate:upgrade\" section (the first is at line %d)",
								 st->upgrade.marker_line);
			if (!(st->seen_keys & KEY_REVISION))
				return set_error(st->err, st->lineno,
								 "missing header key \"revision\"");
			start_section(st, &st->upgrade);
			return true;
		case MARKER_DOWNGRADE:
			if (st->downgrade.present)
				return set_error(st->err, st->lineno,
								 "second \"-- migrate:downgrade\" section (the first is at line %d)",
								 st->downgrade.marker_line);
			if (!st->upgrade.present)
				return set_error(st->err, st->lineno,
								 "\"-- migrate:downgrade\" section before the \"-- migrate:upgrade\" section");
			start_section(st, &st->downgrade);
			return true;
		case MARKER_NONE:
			break;
	}

	if (st->current != NULL)
	{
		add_section_line(st, line, len, tlen == 0);
		return true;
	}

	/* still in the header */
	if (tlen == 0)
		return true;
	if (tlen < 2 || t[0] != '-' || t[1] != '-')
		return set_error(st->err, st->lineno,
						 "SQL before the \"-- migrate:upgrade\" line");
	return parse_header_comment(st, t, tlen);
}

/* Turn a collected section into its final text, taking over the buffer. */
static char *
finish_section(SectionText *sec, int *line)
{
	char	   *text = sec->buf.data;

	text[sec->keep_len] = '\0';
	*line = sec->first_line != 0 ? sec->first_line : sec->marker_line + 1;
	sec->buf.data = NULL;
	return text;
}

/*
 * Parse len bytes of a revision file into *out.  On failure, everything
 * allocated so far is freed and *err says what is wrong.
 */
bool
migrate_parse_revfile(const char *content, size_t len,
					  MigrateRevFile *out, MigrateParseError *err)
{
	ParseState	st;
	size_t		pos = 0;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	memset(&st, 0, sizeof(st));
	st.out = out;
	st.err = err;
	out->transactional = true;
	out->message = pstrdup("");

	if (len > REVFILE_MAX_LEN)
	{
		set_error(err, 0, "revision file is too large");
		goto fail;
	}

	/* a UTF-8 byte order mark is allowed and ignored */
	if (len >= 3 && memcmp(content, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;

	while (pos < len)
	{
		const char *line = content + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t		linelen = nl ? (size_t) (nl - line) : len - pos;
		size_t		valid;

		st.lineno++;
		pos += linelen + (nl ? 1 : 0);

		/* the server's own check: it stops at a NUL byte too */
		valid = pg_encoding_verifymbstr(PG_UTF8, line, linelen);
		if (valid < linelen)
		{
			if (line[valid] == '\0')
				set_error(err, st.lineno, "unexpected zero byte");
			else
				set_error(err, st.lineno,
						  "invalid byte sequence for encoding \"UTF8\"");
			goto fail;
		}

		while (linelen > 0 && line[linelen - 1] == '\r')
			linelen--;
		if (!parse_line(&st, line, linelen))
			goto fail;
	}

	if (!st.upgrade.present)
	{
		set_error(err, 0, "missing \"-- migrate:upgrade\" section");
		goto fail;
	}

	if (out->repeatable && (out->nrevises > 0 || out->ndepends_on > 0 ||
							out->nbranch_labels > 0))
	{
		set_error(err, 0,
				  "a repeatable revision cannot have revises, depends-on or branch-labels");
		goto fail;
	}

	out->upgrade = finish_section(&st.upgrade, &out->upgrade_line);
	if (st.downgrade.present)
		out->downgrade = finish_section(&st.downgrade, &out->downgrade_line);
	return true;

fail:
	if (st.upgrade.buf.data != NULL)
		pfree(st.upgrade.buf.data);
	if (st.downgrade.buf.data != NULL)
		pfree(st.downgrade.buf.data);
	migrate_free_revfile(out);
	return false;
}

/* Append "-- key: a, b, c" for a non-empty list. */
static void
format_list(StringInfo buf, const char *key, char *const *items, int n)
{
	int			i;

	if (n <= 0)
		return;
	appendStringInfo(buf, "-- %s: ", key);
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoString(buf, ", ");
		appendStringInfoString(buf, items[i]);
	}
	appendStringInfoChar(buf, '\n');
}

/* Append section text, making sure it ends with a newline. */
static void
format_section(StringInfo buf, const char *text)
{
	size_t		len = strlen(text);

	appendBinaryStringInfo(buf, text, len);
	if (len > 0 && text[len - 1] != '\n')
		appendStringInfoChar(buf, '\n');
}

/*
 * Write a revision as file text.  A message is one header line, so any
 * newline in it (which a parsed message never has) is written as a space.
 * A CR inside a message is written as it is: the parser only drops CRs
 * at the end of a line, and the end of a parsed message has no blanks.
 */
char *
migrate_format_revfile(const MigrateRevFile *rev)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "-- revision: %s\n", rev->revision);
	format_list(&buf, "revises", rev->revises, rev->nrevises);
	format_list(&buf, "depends-on", rev->depends_on, rev->ndepends_on);
	format_list(&buf, "branch-labels", rev->branch_labels,
				rev->nbranch_labels);
	if (rev->message != NULL && rev->message[0] != '\0')
	{
		const char *p;

		appendStringInfoString(&buf, "-- message: ");
		for (p = rev->message; *p; p++)
			appendStringInfoChar(&buf, *p == '\n' ? ' ' : *p);
		appendStringInfoChar(&buf, '\n');
	}
	if (!rev->transactional)
		appendStringInfoString(&buf, "-- transactional: false\n");
	if (rev->repeatable)
		appendStringInfoString(&buf, "-- repeatable: true\n");
	if (rev->scope != MIGRATE_SCOPE_ALL)
		appendStringInfo(&buf, "-- scope: %s\n",
						 migrate_scope_kind_name(rev->scope));
	if (rev->source_format != NULL && rev->source_version != NULL)
		appendStringInfo(&buf, "-- source: %s %s\n", rev->source_format,
						 rev->source_version);
	for (i = 0; i < rev->nlint_ignores; i++)
	{
		const char *p;

		/* a reason is one header line, as a message is */
		appendStringInfo(&buf, "-- lint-ignore: %s ", rev->lint_ignores[i].rule);
		for (p = rev->lint_ignores[i].reason; *p; p++)
			appendStringInfoChar(&buf, *p == '\n' ? ' ' : *p);
		appendStringInfoChar(&buf, '\n');
	}
	appendStringInfoString(&buf, "-- migrate:upgrade\n");
	format_section(&buf, rev->upgrade ? rev->upgrade : "");
	if (rev->downgrade != NULL)
	{
		appendStringInfoString(&buf, "-- migrate:downgrade\n");
		format_section(&buf, rev->downgrade);
	}
	return buf.data;
}

/* Compare two string arrays of the given lengths. */
static bool
lists_equal(char *const *a, int na, char *const *b, int nb)
{
	int			i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
	{
		if (strcmp(a[i], b[i]) != 0)
			return false;
	}
	return true;
}

/* Compare two strings either of which may be NULL. */
static bool
strings_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Compare two lint-ignore lists, rules and reasons, in order. */
static bool
ignores_equal(const MigrateLintIgnore *a, int na,
			  const MigrateLintIgnore *b, int nb)
{
	int			i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
	{
		if (strcmp(a[i].rule, b[i].rule) != 0 ||
			strcmp(a[i].reason, b[i].reason) != 0)
			return false;
	}
	return true;
}

/*
 * Do two revisions say the same thing?  Line numbers are not compared:
 * they depend on the layout of the file, not on its meaning.
 */
bool
migrate_revfile_equal(const MigrateRevFile *a, const MigrateRevFile *b)
{
	return strings_equal(a->revision, b->revision) &&
		lists_equal(a->revises, a->nrevises, b->revises, b->nrevises) &&
		lists_equal(a->depends_on, a->ndepends_on,
					b->depends_on, b->ndepends_on) &&
		lists_equal(a->branch_labels, a->nbranch_labels,
					b->branch_labels, b->nbranch_labels) &&
		strings_equal(a->message, b->message) &&
		a->transactional == b->transactional &&
		a->repeatable == b->repeatable &&
		a->scope == b->scope &&
		strings_equal(a->source_format, b->source_format) &&
		strings_equal(a->source_version, b->source_version) &&
		strings_equal(a->upgrade, b->upgrade) &&
		strings_equal(a->downgrade, b->downgrade) &&
		ignores_equal(a->lint_ignores, a->nlint_ignores,
					  b->lint_ignores, b->nlint_ignores);
}

/* pfree an array of strings and the strings in it. */
static void
free_list(char **items, int n)
{
	int			i;

	if (items == NULL)
		return;
	for (i = 0; i < n; i++)
		pfree(items[i]);
	pfree(items);
}

/*
 * Free everything in *rev and reset it to zeroes.  Also safe on a
 * partly filled struct, as long as unset fields are zero.
 */
void
migrate_free_revfile(MigrateRevFile *rev)
{
	if (rev->revision)
		pfree(rev->revision);
	free_list(rev->revises, rev->nrevises);
	free_list(rev->depends_on, rev->ndepends_on);
	free_list(rev->branch_labels, rev->nbranch_labels);
	if (rev->message)
		pfree(rev->message);
	if (rev->upgrade)
		pfree(rev->upgrade);
	if (rev->downgrade)
		pfree(rev->downgrade);
	if (rev->source_format)
		pfree(rev->source_format);
	if (rev->source_version)
		pfree(rev->source_version);
	if (rev->lint_ignores)
	{
		int			i;

		for (i = 0; i < rev->nlint_ignores; i++)
		{
			pfree(rev->lint_ignores[i].rule);
			pfree(rev->lint_ignores[i].reason);
		}
		pfree(rev->lint_ignores);
	}
	memset(rev, 0, sizeof(*rev));
}
