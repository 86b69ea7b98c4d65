/*-------------------------------------------------------------------------
 *
 * fingerprint.c
 *	  A checksum of what a revision's SQL means rather than how it is typed.
 *
 * The SQL is cut into statements by the server's raw parser, and each
 * statement is read by the server's core scanner, the one the parser reads
 * from: keywords count by name (so case does not matter), identifiers as
 * the scanner folds them (unquoted ones in lower case), literals by their
 * scanned value, operators and punctuation by their token; whitespace,
 * comments and line endings never reach the token stream.  SHA-256 of that
 * stream, statement by statement, is the fingerprint, as 64 hex digits.
 *
 * The parse tree itself would be the natural thing to hash, but in
 * PostgreSQL 15 nodeToString() cannot write most raw utility statements
 * (ALTER TABLE, DROP, ...), so the tokens are hashed instead: two texts
 * with the same tokens parse to the same tree, and a change of any token
 * (a literal, a name, a type, a keyword, an added statement) changes the
 * fingerprint.  Spelling variants the scanner keeps apart (E'a' and 'a'
 * are equal, but U&'\0061' and 'a' are not) count as changes: the check
 * errs on the side of reporting.
 *
 * IDENTIFICATION
 *	  src/engine/fingerprint.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/keywords.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "parser/gramparse.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "pg_migrate.h"
#include "common/digest.h"

PG_FUNCTION_INFO_V1(migrate_fingerprint);

/* Kinds of tokens in the hashed stream; stable across server versions. */
#define FP_KEYWORD		'K'
#define FP_IDENT		'I'
#define FP_STRING		'S'
#define FP_NUMBER		'N'
#define FP_OPERATOR		'O'
#define FP_CHAR			'C'
#define FP_STATEMENT	'.'

/* Feed one tagged, length-prefixed item to the hash. */
static void
hash_item(MigrateSha256 *ctx, char tag, const char *data, size_t len)
{
	uint8		head[5];

	head[0] = (uint8) tag;
	head[1] = (uint8) (len >> 24);
	head[2] = (uint8) (len >> 16);
	head[3] = (uint8) (len >> 8);
	head[4] = (uint8) len;
	if (!migrate_sha256_add(ctx, head, sizeof(head)) ||
		!migrate_sha256_add(ctx, data, len))
		elog(ERROR, "could not update SHA-256 context");
}

static void
hash_string(MigrateSha256 *ctx, char tag, const char *s)
{
	hash_item(ctx, tag, s, strlen(s));
}

/* Feed the tokens of one statement (len bytes at sql) to the hash. */
static void
hash_statement(MigrateSha256 *ctx, const char *sql, int len)
{
	char	   *text = pnstrdup(sql, len);
	core_yy_extra_type yyextra;
	core_yyscan_t scanner;
	core_YYSTYPE yylval;
	YYLTYPE		yylloc;
	char		buf[32];

	scanner = scanner_init(text, &yyextra, &ScanKeywords, ScanKeywordTokens);
	for (;;)
	{
		int			tok = core_yylex(&yylval, &yylloc, scanner);

		if (tok == 0)
			break;
		switch (tok)
		{
			case IDENT:
			case UIDENT:
				hash_string(ctx, FP_IDENT, yylval.str);
				break;
			case SCONST:
			case USCONST:
				hash_string(ctx, FP_STRING, yylval.str);
				break;
			case BCONST:
			case XCONST:
				/* kept with their prefix: b'101' and x'5' are not strings */
				hash_string(ctx, FP_STRING, yylval.str);
				hash_string(ctx, FP_CHAR, tok == BCONST ? "b" : "x");
				break;
			case FCONST:
				hash_string(ctx, FP_NUMBER, yylval.str);
				break;
			case ICONST:
			case PARAM:
				snprintf(buf, sizeof(buf), "%s%d", tok == PARAM ? "$" : "",
						 yylval.ival);
				hash_string(ctx, FP_NUMBER, buf);
				break;
			case Op:
				hash_string(ctx, FP_OPERATOR, yylval.str);
				break;
			case TYPECAST:
				hash_string(ctx, FP_OPERATOR, "::");
				break;
			case DOT_DOT:
				hash_string(ctx, FP_OPERATOR, "..");
				break;
			case COLON_EQUALS:
				hash_string(ctx, FP_OPERATOR, ":=");
				break;
			case EQUALS_GREATER:
				hash_string(ctx, FP_OPERATOR, "=>");
				break;
			case LESS_EQUALS:
				hash_string(ctx, FP_OPERATOR, "<=");
				break;
			case GREATER_EQUALS:
				hash_string(ctx, FP_OPERATOR, ">=");
				break;
			case NOT_EQUALS:
				/* the scanner reads both <> and != as this token */
				hash_string(ctx, FP_OPERATOR, "<>");
				break;
			default:
				if (tok < 256)
				{
					buf[0] = (char) tok;
					hash_item(ctx, FP_CHAR, buf, 1);
				}
				else
				{
					/* a keyword: by name, which the scanner lower-cased */
					hash_string(ctx, FP_KEYWORD, yylval.keyword);
				}
				break;
		}
	}
	scanner_finish(scanner);
	pfree(text);
}

/*
 * The fingerprint of the first limit statements of sql (all of them when
 * limit < 0), as 64 lower-case hex digits (palloc'd); NULL when sql has
 * fewer than limit statements.  A syntax error is raised as the parser
 * raises it.
 */
char *
migrate_fingerprint_statements(const char *sql, int limit)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext parse_cxt;
	List	   *stmts;
	MigrateSha256 *ctx;
	char	   *hex;
	ListCell   *lc;
	int			n = 0;

	/*
	 * The parse trees are garbage once hashed.  Registering 10,000 files
	 * would otherwise keep every tree until the end of the statement, and
	 * a growing heap costs a page fault per new page: a context of its own,
	 * deleted here, lets the next file's parse reuse the memory.
	 */
	parse_cxt = AllocSetContextCreate(caller, "pg_migrate fingerprint",
									  ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(parse_cxt);
	stmts = raw_parser(sql, RAW_PARSE_DEFAULT);
	if (limit >= 0 && list_length(stmts) < limit)
	{
		MemoryContextSwitchTo(caller);
		MemoryContextDelete(parse_cxt);
		return NULL;
	}

	ctx = migrate_sha256_begin();
	if (ctx == NULL)
		elog(ERROR, "could not initialize SHA-256 context");

	/* on an error the resource owner frees ctx */
	foreach(lc, stmts)
	{
		RawStmt    *raw = lfirst_node(RawStmt, lc);
		int			len = raw->stmt_len > 0 ? raw->stmt_len :
			(int) strlen(sql) - raw->stmt_location;

		if (limit >= 0 && n == limit)
			break;
		hash_statement(ctx, sql + raw->stmt_location, len);
		hash_item(ctx, FP_STATEMENT, "", 0);
		n++;
	}

	hex = MemoryContextAlloc(caller, MIGRATE_SHA256_HEX_LEN);
	if (!migrate_sha256_end(ctx, hex))
		elog(ERROR, "could not finalize SHA-256 context");
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(parse_cxt);
	return hex;
}

/* The fingerprint of the whole of sql. */
static char *
fingerprint_sql(const char *sql)
{
	return migrate_fingerprint_statements(sql, -1);
}

/*
 * migrate_fingerprint(sql text) RETURNS text
 *
 * The checksum registration stores for a revision's upgrade or downgrade
 * SQL.  Equal for texts that differ only in layout, comments, line endings
 * or keyword case; different for any change the parser would see.
 */
Datum
migrate_fingerprint(PG_FUNCTION_ARGS)
{
	char	   *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_TEXT_P(cstring_to_text(fingerprint_sql(sql)));
}

/*
 * Set the fingerprints of a revision's upgrade and downgrade SQL, which the
 * catalog stores with it: registering the same revision again with SQL of
 * the same fingerprint changes nothing.
 */
void
migrate_fingerprint_revision(MigrateRevision *rev)
{
	rev->upgrade_fingerprint = fingerprint_sql(rev->upgrade_sql);
	rev->downgrade_fingerprint = rev->downgrade_sql ?
		fingerprint_sql(rev->downgrade_sql) : NULL;
}
