/*-------------------------------------------------------------------------
 *
 * importalembic.c
 *	  Reading an Alembic revision module's metadata without running it.
 *
 * An Alembic revision is a Python module whose module-level assignments
 * name it: revision, down_revision (None, a string, or a tuple or list of
 * strings for a merge), branch_labels and depends_on (the same shapes),
 * each possibly with a type annotation ("revision: str = 'ab12'").  Its
 * docstring's first line is the message.  This file tokenizes just enough
 * Python to find those: strings (all quote forms and prefixes, escapes),
 * brackets (so that a value spanning lines is one logical line), comments,
 * line continuations, and the indentation of each logical line's first
 * token, so that only top-level statements count.  A value of another
 * shape (a name, a call, an expression) is an error: the metadata must be
 * read, not guessed.
 *
 * IDENTIFICATION
 *	  src/common/importalembic.c
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
#include "mb/pg_wchar.h"

#include "common/importfmt.h"

typedef enum TokKind
{
	TOK_END,
	TOK_NAME,
	TOK_STRING,
	TOK_OP,
	TOK_NEWLINE,
	TOK_OTHER
} TokKind;

typedef struct Token
{
	TokKind		kind;
	const char *s;				/* the token's text */
	size_t		len;
	char	   *value;			/* a string's value, palloc'd */
	int			line;
	bool		first;			/* first token of a logical line */
	bool		top;			/* ... and at column 0 */
} Token;

typedef struct Lexer
{
	const char *p;
	const char *end;
	int			line;
	int			depth;			/* open brackets */
	bool		at_line_start;	/* no token yet on this logical line */
	const char *line_begin;		/* start of the current physical line */
	MigrateParseError *err;
	bool		failed;
} Lexer;

static bool lex_error(Lexer *lx, const char *fmt,...) pg_attribute_printf(2, 3);

/* Note an error; the lexer then returns TOK_END. */
static bool
lex_error(Lexer *lx, const char *fmt,...)
{
	va_list		args;

	if (lx->failed)
		return false;
	lx->failed = true;
	lx->err->line = lx->line;
	va_start(args, fmt);
	vsnprintf(lx->err->message, sizeof(lx->err->message), fmt, args);
	va_end(args);
	return false;
}

static inline bool
is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		c >= 0x80;
}

static inline bool
is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/*
 * Read a string literal at lx->p (prefix already skipped: p is at the
 * quote).  raw: no escapes.  Returns its value, or NULL on error.
 */
static char *
read_string(Lexer *lx, bool raw)
{
	char		q = *lx->p;
	bool		triple = (lx->end - lx->p >= 3 && lx->p[1] == q && lx->p[2] == q);
	StringInfoData buf;

	lx->p += triple ? 3 : 1;
	initStringInfo(&buf);
	for (;;)
	{
		char		c;

		if (lx->p >= lx->end)
		{
			lex_error(lx, "string literal is not closed");
			return NULL;
		}
		c = *lx->p;
		if (c == q && (!triple ||
					   (lx->end - lx->p >= 3 && lx->p[1] == q && lx->p[2] == q)))
		{
			lx->p += triple ? 3 : 1;
			return buf.data;
		}
		if (c == '\n')
		{
			if (!triple)
			{
				lex_error(lx, "string literal is not closed on its line");
				return NULL;
			}
			lx->line++;
			lx->line_begin = lx->p + 1;
		}
		if (c == '\\' && lx->p + 1 < lx->end)
		{
			char		e = lx->p[1];

			if (raw)
			{
				appendStringInfoChar(&buf, c);
				appendStringInfoChar(&buf, e);
			}
			else if (e == 'n')
				appendStringInfoChar(&buf, '\n');
			else if (e == 't')
				appendStringInfoChar(&buf, '\t');
			else if (e == '\n')
				;				/* an escaped newline joins the lines */
			else if (e == '\\' || e == '\'' || e == '"')
				appendStringInfoChar(&buf, e);
			else
			{
				appendStringInfoChar(&buf, c);
				appendStringInfoChar(&buf, e);
			}
			if (e == '\n')
			{
				lx->line++;
				lx->line_begin = lx->p + 2;
			}
			lx->p += 2;
			continue;
		}
		appendStringInfoChar(&buf, c);
		lx->p++;
	}
}

/* The next token. */
static void
next_token(Lexer *lx, Token *tok)
{
	memset(tok, 0, sizeof(*tok));
	for (;;)
	{
		const char *start;
		unsigned char c;

		if (lx->failed || lx->p >= lx->end)
		{
			tok->kind = TOK_END;
			tok->line = lx->line;
			return;
		}
		c = (unsigned char) *lx->p;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f')
		{
			lx->p++;
			continue;
		}
		if (c == '#')
		{
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
			continue;
		}
		if (c == '\\' && lx->p + 1 < lx->end &&
			(lx->p[1] == '\n' || lx->p[1] == '\r'))
		{
			/* explicit line joining */
			lx->p++;
			if (*lx->p == '\r')
				lx->p++;
			if (lx->p < lx->end && *lx->p == '\n')
				lx->p++;
			lx->line++;
			lx->line_begin = lx->p;
			continue;
		}
		if (c == '\n')
		{
			lx->p++;
			lx->line++;
			lx->line_begin = lx->p;
			if (lx->depth == 0 && !lx->at_line_start)
			{
				lx->at_line_start = true;
				tok->kind = TOK_NEWLINE;
				tok->line = lx->line - 1;
				return;
			}
			continue;
		}

		/* a real token */
		tok->line = lx->line;
		tok->first = lx->at_line_start;
		tok->top = tok->first && lx->p == lx->line_begin;
		lx->at_line_start = false;
		start = lx->p;
		if (is_name_start(c))
		{
			const char *q = lx->p;
			bool		raw = false;
			bool		prefix_ok = true;

			while (q < lx->end && is_name_char((unsigned char) *q))
				q++;
			/* a string prefix: up to two of r, b, u, f in any case */
			if (q < lx->end && (*q == '\'' || *q == '"') && q - lx->p <= 2)
			{
				const char *r;

				for (r = lx->p; r < q; r++)
				{
					char		l = *r | 0x20;

					if (l == 'r')
						raw = true;
					else if (l != 'b' && l != 'u' && l != 'f')
						prefix_ok = false;
				}
				if (prefix_ok)
				{
					lx->p = q;
					tok->kind = TOK_STRING;
					tok->value = read_string(lx, raw);
					if (tok->value == NULL)
						tok->kind = TOK_END;
					tok->s = start;
					tok->len = lx->p - start;
					return;
				}
			}
			lx->p = q;
			tok->kind = TOK_NAME;
			tok->s = start;
			tok->len = q - start;
			return;
		}
		if (c == '\'' || c == '"')
		{
			tok->kind = TOK_STRING;
			tok->value = read_string(lx, false);
			if (tok->value == NULL)
				tok->kind = TOK_END;
			tok->s = start;
			tok->len = lx->p - start;
			return;
		}
		if (c >= '0' && c <= '9')
		{
			while (lx->p < lx->end &&
				   (is_name_char((unsigned char) *lx->p) || *lx->p == '.'))
				lx->p++;
			tok->kind = TOK_OTHER;
			tok->s = start;
			tok->len = lx->p - start;
			return;
		}
		if (c == '(' || c == '[' || c == '{')
			lx->depth++;
		else if ((c == ')' || c == ']' || c == '}') && lx->depth > 0)
			lx->depth--;
		lx->p++;
		tok->kind = TOK_OP;
		tok->s = start;
		tok->len = 1;
		return;
	}
}

static bool
tok_is(const Token *tok, TokKind kind, const char *text)
{
	return tok->kind == kind && tok->len == strlen(text) &&
		memcmp(tok->s, text, tok->len) == 0;
}

/* Append to a growing array of strings. */
static void
push(char ***arr, int *n, char *s)
{
	*arr = *n == 0 ? palloc(sizeof(char *)) :
		repalloc(*arr, sizeof(char *) * (*n + 1));
	(*arr)[(*n)++] = s;
}

/*
 * Read the value of an assignment: None, a string (adjacent strings are
 * concatenated, as in Python), or a tuple or list of strings.  On return
 * *tok is the token after the value.
 */
static bool
read_value(Lexer *lx, Token *tok, const char *key, char ***items, int *n)
{
	*items = NULL;
	*n = 0;
	if (tok_is(tok, TOK_NAME, "None"))
	{
		next_token(lx, tok);
		return true;
	}
	if (tok->kind == TOK_STRING)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		while (tok->kind == TOK_STRING)
		{
			appendStringInfoString(&buf, tok->value);
			next_token(lx, tok);
		}
		push(items, n, buf.data);
		return true;
	}
	if (tok_is(tok, TOK_OP, "(") || tok_is(tok, TOK_OP, "["))
	{
		char		close = *tok->s == '(' ? ')' : ']';

		next_token(lx, tok);
		for (;;)
		{
			if (tok->kind == TOK_OP && *tok->s == close)
			{
				next_token(lx, tok);
				return true;
			}
			if (tok->kind == TOK_STRING)
			{
				StringInfoData buf;

				initStringInfo(&buf);
				while (tok->kind == TOK_STRING)
				{
					appendStringInfoString(&buf, tok->value);
					next_token(lx, tok);
				}
				push(items, n, buf.data);
			}
			else
				break;
			if (tok_is(tok, TOK_OP, ","))
				next_token(lx, tok);
			else if (!(tok->kind == TOK_OP && *tok->s == close))
				break;
		}
	}
	if (lx->failed)
		return false;
	return lex_error(lx, "value of \"%s\" is not None, a string, or a tuple or list of strings",
					 key);
}

/* The first non-blank line of a docstring, trimmed. */
static char *
first_line(const char *doc)
{
	const char *p = doc;

	for (;;)
	{
		const char *e;
		const char *s;

		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\0')
			return pstrdup("");
		if (*p == '\n')
		{
			p++;
			continue;
		}
		s = p;
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		return pnstrdup(s, e - s);
	}
}

bool
migrate_import_alembic_module(const char *text, size_t len,
							  MigrateAlembicRev *rev, MigrateParseError *err)
{
	Lexer		lx;
	Token		tok;
	bool		first_statement = true;
	static const char *const keys[] = {
		"revision", "down_revision", "branch_labels", "depends_on"
	};

	memset(rev, 0, sizeof(*rev));
	rev->message = pstrdup("");
	if (pg_encoding_verifymbstr(PG_UTF8, text, len) != (int) len)
	{
		err->line = 0;
		snprintf(err->message, sizeof(err->message),
				 "file is not valid UTF-8");
		return false;
	}
	memset(&lx, 0, sizeof(lx));
	lx.p = text;
	lx.end = text + len;
	lx.line = 1;
	lx.at_line_start = true;
	lx.line_begin = text;
	lx.err = err;
	/* a byte order mark */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		lx.p = lx.line_begin = text + 3;

	next_token(&lx, &tok);
	while (tok.kind != TOK_END)
	{
		int			k = -1;
		int			i;

		if (first_statement && tok.top && tok.kind == TOK_STRING)
		{
			pfree(rev->message);
			rev->message = first_line(tok.value);
		}
		first_statement = false;
		if (tok.top && tok.kind == TOK_NAME)
		{
			for (i = 0; i < (int) lengthof(keys); i++)
				if (tok_is(&tok, TOK_NAME, keys[i]))
					k = i;
		}
		if (k >= 0)
		{
			next_token(&lx, &tok);
			if (tok_is(&tok, TOK_OP, ":"))
			{
				/* skip the annotation, up to "=" outside its brackets */
				int			depth = lx.depth;

				do
					next_token(&lx, &tok);
				while (tok.kind != TOK_END && tok.kind != TOK_NEWLINE &&
					   !(tok_is(&tok, TOK_OP, "=") && lx.depth == depth));
			}
			if (tok_is(&tok, TOK_OP, "="))
			{
				char	  **items;
				int			n;
				int			line = tok.line;

				next_token(&lx, &tok);
				if (!read_value(&lx, &tok, keys[k], &items, &n))
					return false;
				if (tok.kind != TOK_NEWLINE && tok.kind != TOK_END)
				{
					err->line = line;
					snprintf(err->message, sizeof(err->message),
							 "value of \"%s\" is not None, a string, or a tuple or list of strings",
							 keys[k]);
					return false;
				}
				switch (k)
				{
					case 0:
						if (n != 1)
						{
							err->line = line;
							snprintf(err->message, sizeof(err->message),
									 "\"revision\" is not a string");
							return false;
						}
						rev->revision = items[0];
						break;
					case 1:
						rev->down_revisions = items;
						rev->ndown_revisions = n;
						break;
					case 2:
						rev->branch_labels = items;
						rev->nbranch_labels = n;
						break;
					case 3:
						rev->depends_on = items;
						rev->ndepends_on = n;
						break;
				}
			}
		}
		/* on to the next logical line */
		while (tok.kind != TOK_NEWLINE && tok.kind != TOK_END)
			next_token(&lx, &tok);
		if (tok.kind == TOK_NEWLINE)
			next_token(&lx, &tok);
	}
	if (lx.failed)
		return false;

	/*
	 * autocommit_block() is a call on the migration context; any mention
	 * outside comments and strings is taken as a use.  The token scan is
	 * done again for that, cheaply, rather than matching comment text.
	 */
	memset(&lx, 0, sizeof(lx));
	lx.p = text;
	lx.end = text + len;
	lx.line = 1;
	lx.at_line_start = true;
	lx.line_begin = text;
	lx.err = err;
	do
	{
		next_token(&lx, &tok);
		if (tok_is(&tok, TOK_NAME, "autocommit_block"))
			rev->autocommit = true;
	} while (tok.kind != TOK_END);
	return true;
}
