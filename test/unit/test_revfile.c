/*-------------------------------------------------------------------------
 *
 * test_revfile.c
 *	  Unit tests of the revision-file parser and writer.
 *
 * Every rule of the file format is checked from both sides: files that
 * must parse (with the values they must give) and files that must fail
 * (with the exact line and message).  The round trip through
 * migrate_format_revfile is checked for every file that parses.
 *
 * IDENTIFICATION
 *	  test/unit/test_revfile.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include "common/revfile.h"
#include "common/interop.h"
#include "tap.h"

/* Parse, format, parse again: the second parse must give the same values. */
static bool
round_trips(const MigrateRevFile *rev)
{
	char	   *text = migrate_format_revfile(rev);
	MigrateRevFile again;
	MigrateParseError err;
	bool		same;

	if (!migrate_parse_revfile(text, strlen(text), &again, &err))
	{
		printf("# reparse failed at line %d: %s\n# text:\n%s\n",
			   err.line, err.message, text);
		pfree(text);
		return false;
	}
	same = migrate_revfile_equal(rev, &again);
	if (!same)
		printf("# reparse differs; text:\n%s\n", text);
	migrate_free_revfile(&again);
	pfree(text);
	return same;
}

/*
 * Check that len bytes of content fail to parse with the given line and
 * message.  Two TAP checks.
 */
static void
expect_error_len(const char *name, const char *content, size_t len,
				 int line, const char *message)
{
	MigrateRevFile rev;
	MigrateParseError err;
	bool		ok = migrate_parse_revfile(content, len, &rev, &err);

	TAP_OK(!ok, "%s: rejected", name);
	if (ok)
	{
		migrate_free_revfile(&rev);
		TAP_OK(false, "%s: message", name);
		return;
	}
	TAP_OK(err.line == line && strcmp(err.message, message) == 0,
		   "%s: line %d, \"%s\"", name, line, message);
	if (err.line != line || strcmp(err.message, message) != 0)
		printf("#   got line %d, \"%s\"\n", err.line, err.message);
}

static void
expect_error(const char *name, const char *content, int line,
			 const char *message)
{
	expect_error_len(name, content, strlen(content), line, message);
}

/*
 * Parse content that must be accepted; counts as one TAP check (plus one
 * for the round trip).  Returns true with *rev filled on success.
 */
static bool
parse_good(const char *name, const char *content, size_t len,
		   MigrateRevFile *rev)
{
	MigrateParseError err;
	bool		ok = migrate_parse_revfile(content, len, rev, &err);

	TAP_OK(ok, "%s: accepted", name);
	if (!ok)
	{
		printf("#   error at line %d: %s\n", err.line, err.message);
		return false;
	}
	TAP_OK(round_trips(rev), "%s: round trip", name);
	return true;
}

#define PARSE_GOOD(name, text, rev) parse_good(name, text, strlen(text), rev)

static void
test_basic(void)
{
	MigrateRevFile rev;
	const char *text =
		"-- revision: 3f2a9c1d7b01\n"
		"-- revises: 1b7e0a44c2d9\n"
		"-- message: add task status column\n"
		"-- migrate:upgrade\n"
		"ALTER TABLE task ADD COLUMN status text NOT NULL DEFAULT 'pending';\n"
		"-- migrate:downgrade\n"
		"ALTER TABLE task DROP COLUMN status;\n";
	char	   *formatted;

	if (!PARSE_GOOD("example file", text, &rev))
		return;
	TAP_STREQ(rev.revision, "3f2a9c1d7b01", "example: revision");
	TAP_OK(rev.nrevises == 1 && strcmp(rev.revises[0], "1b7e0a44c2d9") == 0,
		   "example: one parent");
	TAP_OK(rev.ndepends_on == 0 && rev.nbranch_labels == 0,
		   "example: no dependencies or labels");
	TAP_STREQ(rev.message, "add task status column", "example: message");
	TAP_OK(rev.transactional, "example: transactional by default");
	TAP_STREQ(rev.upgrade,
			  "ALTER TABLE task ADD COLUMN status text NOT NULL DEFAULT 'pending';\n",
			  "example: upgrade text");
	TAP_OK(rev.upgrade_line == 5, "example: upgrade_line 5 (got %d)",
		   rev.upgrade_line);
	TAP_STREQ(rev.downgrade, "ALTER TABLE task DROP COLUMN status;\n",
			  "example: downgrade text");
	TAP_OK(rev.downgrade_line == 7, "example: downgrade_line 7 (got %d)",
		   rev.downgrade_line);

	formatted = migrate_format_revfile(&rev);
	TAP_STREQ(formatted, text, "example: formats back to the same text");
	pfree(formatted);
	migrate_free_revfile(&rev);
}

static void
test_header_keys(void)
{
	MigrateRevFile rev;
	static const char *const roots[] = {
		"-- revision: r1\n-- migrate:upgrade\nSELECT 1;\n",
		"-- revision: r1\n-- revises:\n-- migrate:upgrade\nSELECT 1;\n",
		"-- revision: r1\n-- revises:   \n-- migrate:upgrade\nSELECT 1;\n",
		"-- revision: r1\n-- revises: base\n-- migrate:upgrade\nSELECT 1;\n",
		"-- revision: r1\n-- revises: None\n-- migrate:upgrade\nSELECT 1;\n",
	};
	int			i;

	for (i = 0; i < lengthof(roots); i++)
	{
		char		name[64];

		snprintf(name, sizeof(name), "root spelling %d", i + 1);
		if (PARSE_GOOD(name, roots[i], &rev))
		{
			TAP_OK(rev.nrevises == 0, "%s: no parents", name);
			TAP_STREQ(rev.message, "", "%s: message is empty", name);
			migrate_free_revfile(&rev);
		}
	}

	if (PARSE_GOOD("lists",
				   "-- Revision:   m1  \n"
				   "-- REVISES: a ,b,\t c_3 \n"
				   "-- depends_on: x-1, y\n"
				   "-- Branch_Labels: feature\n"
				   "-- message:   merge: heads a, b and c   \n"
				   "-- migrate:upgrade\n",
				   &rev))
	{
		TAP_STREQ(rev.revision, "m1", "lists: revision trimmed");
		TAP_OK(rev.nrevises == 3 && strcmp(rev.revises[0], "a") == 0 &&
			   strcmp(rev.revises[1], "b") == 0 &&
			   strcmp(rev.revises[2], "c_3") == 0,
			   "lists: three parents in order, trimmed");
		TAP_OK(rev.ndepends_on == 2 &&
			   strcmp(rev.depends_on[0], "x-1") == 0 &&
			   strcmp(rev.depends_on[1], "y") == 0,
			   "lists: depends_on spelling");
		TAP_OK(rev.nbranch_labels == 1 &&
			   strcmp(rev.branch_labels[0], "feature") == 0,
			   "lists: Branch_Labels spelling");
		TAP_STREQ(rev.message, "merge: heads a, b and c",
				  "lists: message trimmed, colon kept");
		TAP_STREQ(rev.upgrade, "", "lists: empty upgrade section");
		TAP_OK(rev.upgrade_line == 7, "lists: empty upgrade at line 7 (got %d)",
			   rev.upgrade_line);
		migrate_free_revfile(&rev);
	}

	if (PARSE_GOOD("dash spellings",
				   "-- revision: r\n-- depends-on: d\n-- branch-labels: l1, l2\n"
				   "-- migrate:upgrade\nSELECT 1;\n", &rev))
	{
		TAP_OK(rev.ndepends_on == 1 && rev.nbranch_labels == 2,
			   "dash spellings: one dependency, two labels");
		migrate_free_revfile(&rev);
	}

	if (PARSE_GOOD("free-text comments",
				   "-- Adds the status column.\n"
				   "-- see https://example.com/x\n"
				   "--\n"
				   "---- revision: not-a-key\n"
				   "-- two words: are free text\n"
				   "\n"
				   "   -- revision: r\n"
				   "-- :leading colon\n"
				   "-- migrate:upgrade\nSELECT 1;\n", &rev))
	{
		TAP_STREQ(rev.revision, "r", "free-text comments: indented key read");
		migrate_free_revfile(&rev);
	}
}

static void
test_transactional(void)
{
	static const struct
	{
		const char *word;
		bool		value;
	}			cases[] = {
		{"true", true}, {"YES", true}, {"On", true}, {"1", true},
		{"false", false}, {"No", false}, {"OFF", false}, {"0", false},
	};
	int			i;

	for (i = 0; i < lengthof(cases); i++)
	{
		char		text[200];
		MigrateRevFile rev;
		MigrateParseError err;
		bool		ok;

		snprintf(text, sizeof(text),
				 "-- revision: r\n-- transactional: %s\n-- migrate:upgrade\n",
				 cases[i].word);
		ok = migrate_parse_revfile(text, strlen(text), &rev, &err);
		TAP_OK(ok && rev.transactional == cases[i].value,
			   "transactional: %s", cases[i].word);
		if (ok)
		{
			if (!cases[i].value)
				TAP_OK(round_trips(&rev), "transactional: %s round trip",
					   cases[i].word);
			migrate_free_revfile(&rev);
		}
	}
	expect_error("transactional: bad value",
				 "-- revision: r\n-- transactional: maybe\n-- migrate:upgrade\n",
				 2, "invalid value \"maybe\" for header key \"transactional\"");
	expect_error("transactional: empty value",
				 "-- revision: r\n-- transactional:\n-- migrate:upgrade\n",
				 2, "invalid value \"\" for header key \"transactional\"");
}

static void
test_header_errors(void)
{
	expect_error("unknown key",
				 "-- revision: r\n-- author: someone\n-- migrate:upgrade\n",
				 2, "unknown header key \"author\"");
	expect_error("unknown key without space",
				 "--revision: r\n--Todo:later\n-- migrate:upgrade\n",
				 2, "unknown header key \"Todo\"");
	expect_error("duplicate key",
				 "-- revision: r\n-- revises: a\n-- revises: b\n-- migrate:upgrade\n",
				 3, "duplicate header key \"revises\"");
	expect_error("duplicate key, other spelling",
				 "-- revision: r\n-- depends-on: a\n-- Depends_On: b\n-- migrate:upgrade\n",
				 3, "duplicate header key \"depends-on\"");
	expect_error("duplicate empty key",
				 "-- revision: r\n-- message:\n-- message:\n-- migrate:upgrade\n",
				 3, "duplicate header key \"message\"");
	expect_error("SQL before the upgrade marker",
				 "-- revision: r\n\nCREATE TABLE t ();\n-- migrate:upgrade\n",
				 3, "SQL before the \"-- migrate:upgrade\" line");
	expect_error("single dash line in header",
				 "-- revision: r\n- x\n-- migrate:upgrade\n",
				 2, "SQL before the \"-- migrate:upgrade\" line");
	expect_error("missing revision",
				 "-- revises: a\n-- message: m\n\n-- migrate:upgrade\nSELECT 1;\n",
				 4, "missing header key \"revision\"");
	expect_error("revision key after the marker is SQL",
				 "-- migrate:upgrade\n-- revision: r\n",
				 1, "missing header key \"revision\"");
	expect_error("empty revision",
				 "-- revision:  \n-- migrate:upgrade\n",
				 1, "header key \"revision\" has no value");
	expect_error("bad revision id",
				 "-- revision: ab$c\n-- migrate:upgrade\n",
				 1, "invalid revision id \"ab$c\": only letters, digits, \"_\" and \"-\" are allowed");
	expect_error("revision id with a space",
				 "-- revision: a b\n-- migrate:upgrade\n",
				 1, "invalid revision id \"a b\": only letters, digits, \"_\" and \"-\" are allowed");
	expect_error("empty list item",
				 "-- revision: r\n-- revises: a,,b\n-- migrate:upgrade\n",
				 2, "empty entry in \"revises\" list");
	expect_error("trailing comma",
				 "-- revision: r\n-- depends_on: a, \n-- migrate:upgrade\n",
				 2, "empty entry in \"depends-on\" list");
	expect_error("base among parents is an id",
				 "-- revision: r\n-- revises: base, a$\n-- migrate:upgrade\n",
				 2, "invalid revision id \"a$\": only letters, digits, \"_\" and \"-\" are allowed");
	expect_error("duplicate parent",
				 "-- revision: r\n-- revises: b, a, b\n-- migrate:upgrade\n",
				 2, "duplicate entry \"b\" in \"revises\" list");
	expect_error("bad branch label",
				 "-- revision: r\n-- branch-labels: ok, no/slash\n-- migrate:upgrade\n",
				 2, "invalid branch label \"no/slash\": only letters, digits, \"_\" and \"-\" are allowed");
	/* target words: a revision or label so named could never be targeted */
	expect_error("revision id head",
				 "-- revision: head\n-- migrate:upgrade\n",
				 1, "invalid revision id \"head\": the words \"head\", \"heads\", \"base\", \"current\" and \"None\" are reserved");
	expect_error("revision id base",
				 "-- message: m\n-- revision: base\n-- migrate:upgrade\n",
				 2, "invalid revision id \"base\": the words \"head\", \"heads\", \"base\", \"current\" and \"None\" are reserved");
	expect_error("branch label heads",
				 "-- revision: r\n-- branch-labels: ok, heads\n-- migrate:upgrade\n",
				 2, "invalid branch label \"heads\": the words \"head\", \"heads\", \"base\", \"current\" and \"None\" are reserved");
	expect_error("branch label current",
				 "-- revision: r\n-- branch-labels: current\n-- migrate:upgrade\n",
				 2, "invalid branch label \"current\": the words \"head\", \"heads\", \"base\", \"current\" and \"None\" are reserved");
	TAP_OK(migrate_reserved_id("None", 4) && !migrate_reserved_id("none", 4) &&
		   !migrate_reserved_id("heads2", 6) && !migrate_reserved_id("hea", 3),
		   "reserved words are matched whole and by case");
}

static void
test_long_ids(void)
{
	char		id[MIGRATE_MAX_ID_LEN + 2];
	char		text[400];
	char		want[200];
	MigrateRevFile rev;

	memset(id, 'a', MIGRATE_MAX_ID_LEN);
	id[MIGRATE_MAX_ID_LEN] = '\0';
	snprintf(text, sizeof(text), "-- revision: %s\n-- migrate:upgrade\n", id);
	if (PARSE_GOOD("id of 128 bytes", text, &rev))
	{
		TAP_OK(strlen(rev.revision) == MIGRATE_MAX_ID_LEN,
			   "id of 128 bytes: kept whole");
		migrate_free_revfile(&rev);
	}

	id[MIGRATE_MAX_ID_LEN] = 'b';
	id[MIGRATE_MAX_ID_LEN + 1] = '\0';
	snprintf(text, sizeof(text),
			 "-- revision: r\n-- revises: %s\n-- migrate:upgrade\n", id);
	snprintf(want, sizeof(want),
			 "invalid revision id \"%.40s...\": longer than 128 bytes", id);
	expect_error("id of 129 bytes", text, 2, want);

	/* a long id with a bad character: still shortened in the message */
	id[10] = '.';
	snprintf(text, sizeof(text), "-- revision: %.100s\n-- migrate:upgrade\n", id);
	snprintf(want, sizeof(want),
			 "invalid revision id \"%.40s...\": only letters, digits, \"_\" and \"-\" are allowed",
			 id);
	expect_error("long bad id shortened", text, 1, want);

	/* shortening does not split a UTF-8 character (é is 2 bytes) */
	snprintf(text, sizeof(text),
			 "-- revision: %.39s\xc3\xa9zzzz\n-- migrate:upgrade\n", id);
	snprintf(want, sizeof(want),
			 "invalid revision id \"%.39s...\": only letters, digits, \"_\" and \"-\" are allowed",
			 id);
	expect_error("shortening keeps UTF-8 whole", text, 1, want);

	TAP_OK(migrate_valid_id("abc_-9Z", 7), "valid_id: letters, digits, _ and -");
	TAP_OK(!migrate_valid_id("", 0), "valid_id: empty is invalid");
	TAP_OK(!migrate_valid_id("a.b", 3), "valid_id: dot is invalid");
	TAP_OK(!migrate_valid_id("\xc3\xa9", 2), "valid_id: non-ASCII is invalid");
	memset(id, 'x', sizeof(id));
	TAP_OK(migrate_valid_id(id, MIGRATE_MAX_ID_LEN), "valid_id: 128 bytes");
	TAP_OK(!migrate_valid_id(id, MIGRATE_MAX_ID_LEN + 1),
		   "valid_id: 129 bytes is invalid");
	TAP_OK(migrate_valid_id("ab$", 2), "valid_id: reads only len bytes");
}

static void
test_sections(void)
{
	MigrateRevFile rev;

	if (PARSE_GOOD("marker spellings",
				   "-- revision: r\n"
				   "   --migrate:up   \n"
				   "SELECT 1;\n"
				   "--\t  migrate:down\n"
				   "SELECT 2;\n", &rev))
	{
		TAP_OK(strcmp(rev.upgrade, "SELECT 1;\n") == 0 &&
			   strcmp(rev.downgrade, "SELECT 2;\n") == 0,
			   "marker spellings: both sections found");
		migrate_free_revfile(&rev);
	}

	if (PARSE_GOOD("blank lines and comments",
				   "-- revision: r\n"		/* 1 */
				   "-- migrate:upgrade\n"	/* 2 */
				   "\n"						/* 3 */
				   "  \t\n"					/* 4 */
				   "-- first step\n"		/* 5 */
				   "  CREATE TABLE a ();\n" /* 6 */
				   "\n"						/* 7 */
				   "   \n"					/* 8 */
				   "-- revision: x\n"		/* 9 */
				   "CREATE TABLE b ();\n"	/* 10 */
				   "\n"						/* 11 */
				   "\n"						/* 12 */
				   "-- migrate:downgrade\n" /* 13 */
				   "\n"						/* 14 */
				   "DROP TABLE b;\n"		/* 15 */
				   "DROP TABLE a;", &rev))	/* 16, no final newline */
	{
		TAP_STREQ(rev.upgrade,
				  "-- first step\n  CREATE TABLE a ();\n\n   \n"
				  "-- revision: x\nCREATE TABLE b ();\n",
				  "blank lines: outer ones dropped, inner ones kept");
		TAP_OK(rev.upgrade_line == 5, "blank lines: upgrade_line 5 (got %d)",
			   rev.upgrade_line);
		TAP_STREQ(rev.downgrade, "DROP TABLE b;\nDROP TABLE a;\n",
				  "blank lines: last line gets its newline");
		TAP_OK(rev.downgrade_line == 15,
			   "blank lines: downgrade_line 15 (got %d)", rev.downgrade_line);
		migrate_free_revfile(&rev);
	}

	if (PARSE_GOOD("no downgrade", "-- revision: r\n-- migrate:upgrade\nSELECT 1;\n",
				   &rev))
	{
		TAP_OK(rev.downgrade == NULL && rev.downgrade_line == 0,
			   "no downgrade: NULL, line 0");
		migrate_free_revfile(&rev);
	}

	if (PARSE_GOOD("empty downgrade",
				   "-- revision: r\n-- migrate:upgrade\nSELECT 1;\n"
				   "-- migrate:downgrade\n\n  \n", &rev))
	{
		TAP_OK(rev.downgrade != NULL && rev.downgrade[0] == '\0' &&
			   rev.downgrade_line > 0,
			   "empty downgrade: empty string, not NULL");
		migrate_free_revfile(&rev);
	}

	expect_error("empty file", "", 0, "missing \"-- migrate:upgrade\" section");
	expect_error("no upgrade marker", "-- revision: r\n\n-- just a note\n",
				 0, "missing \"-- migrate:upgrade\" section");
	expect_error("marker with trailing text is not a marker",
				 "-- revision: r\n-- migrate:upgrade now\n",
				 2, "unknown header key \"migrate\"");
	expect_error("two upgrade sections",
				 "-- revision: r\n\n\n-- migrate:upgrade\nSELECT 1;\n"
				 "-- migrate:up\nSELECT 2;\n",
				 6, "second \"-- migrate:upgrade\" section (the first is at line 4)");
	expect_error("upgrade after downgrade",
				 "-- revision: r\n-- migrate:upgrade\n-- migrate:downgrade\n"
				 "-- migrate:upgrade\n",
				 4, "second \"-- migrate:upgrade\" section (the first is at line 2)");
	expect_error("two downgrade sections",
				 "-- revision: r\n-- migrate:upgrade\n-- migrate:downgrade\n"
				 "SELECT 1;\n--migrate:downgrade\n",
				 5, "second \"-- migrate:downgrade\" section (the first is at line 3)");
	expect_error("downgrade first",
				 "-- revision: r\n-- migrate:downgrade\nSELECT 1;\n-- migrate:upgrade\n",
				 2, "\"-- migrate:downgrade\" section before the \"-- migrate:upgrade\" section");
}

static void
test_line_mapping(void)
{
	MigrateRevFile rev;

	/* an error at line k of the upgrade SQL is at file line upgrade_line + k - 1 */
	if (PARSE_GOOD("line mapping",
				   "-- revision: r\n-- migrate:upgrade\n\n\nSELECT 1;\nSELEC 2;\n",
				   &rev))
	{
		const char *p = rev.upgrade;
		int			k = 1;

		while (strncmp(p, "SELEC 2", 7) != 0)
		{
			if (*p == '\n')
				k++;
			p++;
		}
		TAP_OK(rev.upgrade_line + k - 1 == 6,
			   "line mapping: SQL line %d is file line 6", k);
		migrate_free_revfile(&rev);
	}
}

static void
test_line_endings(void)
{
	const char *lf =
		"-- revision: r1\n-- revises: r0\n-- message: hello\n"
		"-- migrate:upgrade\nSELECT 'a\rb';\n\nSELECT 2;\n"
		"-- migrate:downgrade\nSELECT 3;\n";
	const char *crlf =
		"-- revision: r1\r\n-- revises: r0\r\n-- message: hello\r\n"
		"-- migrate:upgrade\r\nSELECT 'a\rb';\r\n\r\nSELECT 2;\r\n"
		"-- migrate:downgrade\r\nSELECT 3;\r\n";
	const char *bom =
		"\xEF\xBB\xBF-- revision: r1\n-- revises: r0\n-- message: hello\n"
		"-- migrate:upgrade\nSELECT 'a\rb';\n\nSELECT 2;\n"
		"-- migrate:downgrade\nSELECT 3;\n";
	MigrateRevFile a;
	MigrateRevFile b;
	MigrateRevFile c;

	if (!PARSE_GOOD("LF file", lf, &a))
		return;
	if (PARSE_GOOD("CRLF file", crlf, &b))
	{
		TAP_OK(migrate_revfile_equal(&a, &b) &&
			   a.upgrade_line == b.upgrade_line &&
			   a.downgrade_line == b.downgrade_line,
			   "CRLF file: same as LF");
		TAP_STREQ(b.upgrade, "SELECT 'a\rb';\n\nSELECT 2;\n",
				  "CRLF file: line-end CRs gone, inner CR kept");
		migrate_free_revfile(&b);
	}
	if (PARSE_GOOD("BOM file", bom, &c))
	{
		TAP_OK(migrate_revfile_equal(&a, &c) &&
			   a.upgrade_line == c.upgrade_line &&
			   a.downgrade_line == c.downgrade_line,
			   "BOM file: same as without, same line numbers");
		migrate_free_revfile(&c);
	}
	migrate_free_revfile(&a);

	if (PARSE_GOOD("CR CR LF", "-- revision: r\r\r\n-- migrate:upgrade\r\nx\r\r\n",
				   &a))
	{
		TAP_STREQ(a.upgrade, "x\n", "CR CR LF: all CRs at line end dropped");
		migrate_free_revfile(&a);
	}
	if (PARSE_GOOD("CR inside a message",
				   "-- revision: r\r\n-- message: a\rb\b\r\n-- migrate:upgrade\r\n",
				   &a))
	{
		TAP_STREQ(a.message, "a\rb\b", "CR inside a message: kept");
		migrate_free_revfile(&a);
	}
	expect_error("BOM only once", "\xEF\xBB\xBF\xEF\xBB\xBF-- revision: r\n",
				 1, "SQL before the \"-- migrate:upgrade\" line");
}

static void
test_encoding(void)
{
	static const struct
	{
		const char *name;
		const char *bytes;
	}			bad[] = {
		{"lone continuation byte", "\x80"},
		{"C0 overlong", "\xC0\xAF"},
		{"C1 overlong", "\xC1\xBF"},
		{"3-byte overlong", "\xE0\x80\xAF"},
		{"surrogate", "\xED\xA0\x80"},
		{"4-byte overlong", "\xF0\x80\x80\xAF"},
		{"above U+10FFFF", "\xF4\x90\x80\x80"},
		{"F5 lead byte", "\xF5\x80\x80\x80"},
		{"FF byte", "\xFF"},
		{"truncated before newline", "\xE2\x82"},
		{"bad second continuation", "\xE2\x82\x41"},
	};
	MigrateRevFile rev;
	char		text[200];
	int			i;

	if (PARSE_GOOD("valid UTF-8",
				   "-- revision: r\n-- message: caf\xC3\xA9 \xE2\x82\xAC \xF0\x9D\x84\x9E \xF4\x8F\xBF\xBF \xED\x9F\xBF\n"
				   "-- migrate:upgrade\nSELECT '\xE2\x82\xAC';\n", &rev))
	{
		TAP_STREQ(rev.message,
				  "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9D\x84\x9E \xF4\x8F\xBF\xBF \xED\x9F\xBF",
				  "valid UTF-8: message kept");
		migrate_free_revfile(&rev);
	}

	for (i = 0; i < lengthof(bad); i++)
	{
		snprintf(text, sizeof(text),
				 "-- revision: r\n-- migrate:upgrade\nSELECT '%s';\nSELECT 1;\n",
				 bad[i].bytes);
		expect_error(bad[i].name, text, 3,
					 "invalid byte sequence for encoding \"UTF8\"");
	}

	/* a sequence cut off by the end of the input */
	snprintf(text, sizeof(text),
			 "-- revision: r\n-- migrate:upgrade\nSELECT 1;\n\xF0\x9D\x84");
	expect_error("truncated at end of input", text, 4,
				 "invalid byte sequence for encoding \"UTF8\"");

	/* a sequence may not continue onto the next line */
	expect_error("sequence split by a newline",
				 "-- revision: r\n-- message: \xC3\n\xA9\n-- migrate:upgrade\n",
				 2, "invalid byte sequence for encoding \"UTF8\"");

	/* invalid bytes are found in free-text comments too */
	expect_error("bad byte in a comment",
				 "-- note \xC3\x28\n-- revision: r\n-- migrate:upgrade\n",
				 1, "invalid byte sequence for encoding \"UTF8\"");

	{
		static const char withnul[] =
			"-- revision: r\n-- migrate:upgrade\nSELECT 1;\0\nSELECT 2;\n";

		expect_error_len("zero byte", withnul, sizeof(withnul) - 1, 3,
						 "unexpected zero byte");
	}
	{
		static const char withnul[] = "-- revision: r\n\0";

		expect_error_len("zero byte at the end", withnul, sizeof(withnul) - 1,
						 2, "unexpected zero byte");
	}
}

static void
test_length_bound(void)
{
	/* only len bytes are read: what follows is never looked at */
	static const char text[] =
		"-- revision: r\n-- migrate:upgrade\nSELECT 1;"
		"\xFF\n-- migrate:upgrade\n";
	size_t		len = strlen("-- revision: r\n-- migrate:upgrade\nSELECT 1;");
	char	   *copy = palloc(len);
	MigrateRevFile rev;

	/* an exact-size copy lets valgrind catch a read past the end */
	memcpy(copy, text, len);
	if (parse_good("input without a NUL terminator", copy, len, &rev))
	{
		TAP_STREQ(rev.upgrade, "SELECT 1;\n", "unterminated input: text");
		migrate_free_revfile(&rev);
	}
	pfree(copy);

	copy = palloc(8);
	memcpy(copy, "-- revis", 8);
	expect_error_len("cut-off header", copy, 8, 0,
					 "missing \"-- migrate:upgrade\" section");
	pfree(copy);
}

/*
 * "-- source:" and "-- repeatable:": the values kept (and written back by
 * the round trip in parse_good), the errors.
 */
static void
test_source_repeatable(void)
{
	MigrateRevFile rev;

	if (PARSE_GOOD("source: flyway",
				   "-- revision: 1_2\n-- source:  flyway   1.2 \n-- migrate:upgrade\nSELECT 1;\n",
				   &rev))
	{
		TAP_STREQ(rev.source_format, "flyway", "source: format kept");
		TAP_STREQ(rev.source_version, "1.2", "source: version trimmed");
		TAP_OK(!rev.repeatable, "source: not repeatable by default");
		migrate_free_revfile(&rev);
	}
	if (PARSE_GOOD("repeatable: flyway R__",
				   "-- revision: R__views\n-- source: flyway R__views\n-- repeatable: true\n-- migrate:upgrade\nCREATE VIEW v AS SELECT 1;\n",
				   &rev))
	{
		TAP_OK(rev.repeatable, "repeatable: flag kept");
		TAP_OK(rev.nrevises == 0, "repeatable: no parents");
		migrate_free_revfile(&rev);
	}
	if (PARSE_GOOD("no source", "-- revision: r\n-- migrate:upgrade\n", &rev))
	{
		TAP_OK(rev.source_format == NULL && rev.source_version == NULL,
			   "no source: both NULL");
		migrate_free_revfile(&rev);
	}
	expect_error("source: unknown tool",
				 "-- revision: r\n-- source: liquibase 1\n-- migrate:upgrade\n",
				 2, "invalid value \"liquibase 1\" for header key \"source\": expected a format (" MIGRATE_INTEROP_FORMAT_LIST ") and a version");
	expect_error("source: no version",
				 "-- revision: r\n-- source: dbmate\n-- migrate:upgrade\n",
				 2, "invalid value \"dbmate\" for header key \"source\": expected a format (" MIGRATE_INTEROP_FORMAT_LIST ") and a version");
	expect_error("source: twice",
				 "-- revision: r\n-- source: dbmate 1\n-- source: dbmate 2\n-- migrate:upgrade\n",
				 3, "duplicate header key \"source\"");
	expect_error("repeatable: bad value",
				 "-- revision: r\n-- repeatable: sometimes\n-- migrate:upgrade\n",
				 2, "invalid value \"sometimes\" for header key \"repeatable\"");
	expect_error("repeatable: with a parent",
				 "-- revision: r\n-- revises: q\n-- repeatable: true\n-- migrate:upgrade\n",
				 0, "a repeatable revision cannot have revises, depends-on or branch-labels");
	expect_error("unconverted marker",
				 "-- revision: r\n-- unconverted: reads data\n-- migrate:upgrade\n",
				 2, "revision file is marked \"unconverted\": its SQL must be written and the \"unconverted\" line deleted");
}

/*
 * "-- scope:": the three kinds, any case, written back only when not the
 * default (the round trip in parse_good), and the errors.
 */
static void
test_scope(void)
{
	MigrateRevFile rev;

	if (PARSE_GOOD("scope: absent",
				   "-- revision: r\n-- migrate:upgrade\nSELECT 1;\n", &rev))
	{
		TAP_OK(rev.scope == MIGRATE_SCOPE_ALL, "scope: all by default");
		migrate_free_revfile(&rev);
	}
	if (PARSE_GOOD("scope: shared",
				   "-- revision: r\n-- scope:  Shared \n-- migrate:upgrade\nSELECT 1;\n",
				   &rev))
	{
		TAP_OK(rev.scope == MIGRATE_SCOPE_SHARED, "scope: shared, any case, trimmed");
		TAP_OK(strstr(migrate_format_revfile(&rev), "-- scope: shared\n") != NULL,
			   "scope: shared written back");
		migrate_free_revfile(&rev);
	}
	if (PARSE_GOOD("scope: tenant",
				   "-- revision: r\n-- scope: tenant\n-- migrate:upgrade\nSELECT 1;\n",
				   &rev))
	{
		TAP_OK(rev.scope == MIGRATE_SCOPE_TENANT, "scope: tenant");
		migrate_free_revfile(&rev);
	}
	if (PARSE_GOOD("scope: all",
				   "-- revision: r\n-- scope: all\n-- migrate:upgrade\nSELECT 1;\n",
				   &rev))
	{
		TAP_OK(rev.scope == MIGRATE_SCOPE_ALL, "scope: all spelled out");
		TAP_OK(strstr(migrate_format_revfile(&rev), "scope:") == NULL,
			   "scope: the default is not written");
		migrate_free_revfile(&rev);
	}
	expect_error("scope: bad value",
				 "-- revision: r\n-- scope: tenants\n-- migrate:upgrade\n",
				 2, "invalid value \"tenants\" for header key \"scope\": expected \"shared\", \"tenant\" or \"all\"");
	expect_error("scope: empty value",
				 "-- revision: r\n-- scope:\n-- migrate:upgrade\n",
				 2, "invalid value \"\" for header key \"scope\": expected \"shared\", \"tenant\" or \"all\"");
	expect_error("scope: twice",
				 "-- revision: r\n-- scope: shared\n-- scope: shared\n-- migrate:upgrade\n",
				 3, "duplicate header key \"scope\"");
}

/* "-- lint-ignore:" lines: accepted forms, the values kept, the errors. */
static void
test_lint_ignore(void)
{
	MigrateRevFile rev;
	const char *text =
		"-- revision: r\n"
		"-- lint-ignore: PM001 the table is empty until the next release\n"
		"-- Lint_Ignore:\tpm017   nothing to undo  \n"
		"-- migrate:upgrade\n"
		"CREATE INDEX i ON t (a);\n";
	char		buf[64];

	if (PARSE_GOOD("lint-ignore: two rules", text, &rev))
	{
		TAP_OK(rev.nlint_ignores == 2, "lint-ignore: two entries (got %d)",
			   rev.nlint_ignores);
		if (rev.nlint_ignores == 2)
		{
			TAP_STREQ(rev.lint_ignores[0].rule, "PM001", "lint-ignore: first rule");
			TAP_STREQ(rev.lint_ignores[0].reason,
					  "the table is empty until the next release",
					  "lint-ignore: first reason");
			TAP_OK(rev.lint_ignores[0].line == 2, "lint-ignore: first line 2");
			TAP_STREQ(rev.lint_ignores[1].rule, "PM017",
					  "lint-ignore: rule id made upper case");
			TAP_STREQ(rev.lint_ignores[1].reason, "nothing to undo",
					  "lint-ignore: reason trimmed");
			TAP_OK(rev.lint_ignores[1].line == 3, "lint-ignore: second line 3");
		}
		migrate_free_revfile(&rev);
	}

	/* every rule id is accepted, one past the last is not */
	snprintf(buf, sizeof(buf), "PM%03d", MIGRATE_LINT_RULE_COUNT);
	TAP_OK(migrate_lint_rule_number(buf, 5) == MIGRATE_LINT_RULE_COUNT,
		   "lint-ignore: last rule %s known", buf);
	TAP_OK(migrate_lint_rule_number("PM001", 5) == 1 &&
		   migrate_lint_rule_number("pm001", 5) == 1,
		   "lint-ignore: PM001 known in any case");
	snprintf(buf, sizeof(buf), "PM%03d", MIGRATE_LINT_RULE_COUNT + 1);
	TAP_OK(migrate_lint_rule_number(buf, 5) == 0,
		   "lint-ignore: %s unknown", buf);
	TAP_OK(migrate_lint_rule_number("PM000", 5) == 0 &&
		   migrate_lint_rule_number("PM01", 4) == 0 &&
		   migrate_lint_rule_number("PM0001", 6) == 0 &&
		   migrate_lint_rule_number("PX001", 5) == 0 &&
		   migrate_lint_rule_number("PM0a1", 5) == 0,
		   "lint-ignore: malformed ids unknown");

	expect_error("lint-ignore: no reason",
				 "-- revision: r\n-- lint-ignore: PM003\n-- migrate:upgrade\n",
				 2, "lint-ignore of rule \"PM003\" gives no reason");
	expect_error("lint-ignore: blank reason",
				 "-- revision: r\n-- lint-ignore: PM003 \t \n-- migrate:upgrade\n",
				 2, "lint-ignore of rule \"PM003\" gives no reason");
	expect_error("lint-ignore: no value",
				 "-- revision: r\n-- lint-ignore:\n-- migrate:upgrade\n",
				 2, "header key \"lint-ignore\" has no value");
	expect_error("lint-ignore: unknown rule",
				 "-- revision: r\n-- message: m\n-- lint-ignore: PM999 because\n-- migrate:upgrade\n",
				 3, "unknown lint rule \"PM999\"");
	expect_error("lint-ignore: rule name instead of id",
				 "-- revision: r\n-- lint-ignore: index-concurrently because\n-- migrate:upgrade\n",
				 2, "unknown lint rule \"index-concurrently\"");
	expect_error("lint-ignore: same rule twice",
				 "-- revision: r\n-- lint-ignore: PM002 a\n-- lint-ignore: pm002 b\n-- migrate:upgrade\n",
				 3, "duplicate lint-ignore of rule \"PM002\" (the first is at line 2)");
	expect_error("lint-ignore: after the upgrade marker it is SQL, before it a key",
				 "-- revision: r\n-- lint-ignore: PM001 ok\n-- lint-ignore: PM1 x\n-- migrate:upgrade\n",
				 3, "unknown lint rule \"PM1\"");
}

static void
test_format(void)
{
	MigrateRevFile rev;
	char	   *text;
	char	   *revises[] = {"a", "b"};
	char	   *depends[] = {"d"};
	char	   *labels[] = {"l"};
	MigrateLintIgnore ignores[] = {{"PM004", "checked\nby hand", 0}};

	memset(&rev, 0, sizeof(rev));
	rev.revision = "r";
	rev.revises = revises;
	rev.nrevises = 2;
	rev.depends_on = depends;
	rev.ndepends_on = 1;
	rev.branch_labels = labels;
	rev.nbranch_labels = 1;
	rev.message = "two\nlines";
	rev.transactional = false;
	rev.upgrade = "SELECT 1;";
	rev.downgrade = "";
	rev.lint_ignores = ignores;
	rev.nlint_ignores = 1;

	text = migrate_format_revfile(&rev);
	TAP_STREQ(text,
			  "-- revision: r\n"
			  "-- revises: a, b\n"
			  "-- depends-on: d\n"
			  "-- branch-labels: l\n"
			  "-- message: two lines\n"
			  "-- transactional: false\n"
			  "-- lint-ignore: PM004 checked by hand\n"
			  "-- migrate:upgrade\n"
			  "SELECT 1;\n"
			  "-- migrate:downgrade\n",
			  "format: key order, newline in message, missing final newline");
	pfree(text);
}

int
main(void)
{
	test_basic();
	test_header_keys();
	test_transactional();
	test_header_errors();
	test_long_ids();
	test_sections();
	test_line_mapping();
	test_line_endings();
	test_encoding();
	test_length_bound();
	test_lint_ignore();
	test_source_repeatable();
	test_scope();
	test_format();
	return tap_done();
}
