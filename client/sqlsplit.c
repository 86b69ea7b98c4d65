/*-------------------------------------------------------------------------
 *
 * sqlsplit.c
 *	  Cutting a revision's SQL into single statements.
 *
 * A non-transactional revision runs from the client, outside any
 * transaction block.  A simple query holding several statements runs as
 * one implicit transaction, which CREATE INDEX CONCURRENTLY and the like
 * refuse, so the statements go to the server one at a time.  They are cut
 * at semicolons that stand outside quoted strings, quoted identifiers,
 * comments, dollar-quoted strings and BEGIN ... END bodies of SQL-standard
 * function bodies; like psql, a BEGIN or CASE that is not the first word
 * of a statement opens a body that END closes.
 *
 * IDENTIFICATION
 *	  client/sqlsplit.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include "client.h"

/* True for a byte that may continue an identifier. */
static bool
ident_char(char c)
{
	unsigned char u = (unsigned char) c;

	return isalnum(u) || u == '_' || u == '$' || u >= 0x80;
}

/* True for a byte that may start an identifier. */
static bool
ident_start(char c)
{
	unsigned char u = (unsigned char) c;

	return isalpha(u) || u == '_' || u >= 0x80;
}

/* Past a quoted string starting at p (on the quote); honours E'' escapes. */
static const char *
skip_string(const char *start, const char *p)
{
	bool		backslash = p > start && (p[-1] == 'E' || p[-1] == 'e') &&
		(p - 1 == start || !ident_char(p[-2]));

	for (p++; *p; p++)
	{
		if (backslash && *p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '\'')
		{
			if (p[1] != '\'')
				return p + 1;
			p++;
		}
	}
	return p;
}

/* Past a quoted identifier starting at p (on the double quote). */
static const char *
skip_identifier(const char *p)
{
	for (p++; *p; p++)
	{
		if (*p == '"')
		{
			if (p[1] != '"')
				return p + 1;
			p++;
		}
	}
	return p;
}

/* Past a block comment starting at p; block comments nest in SQL. */
static const char *
skip_block_comment(const char *p)
{
	int			depth = 0;

	while (*p)
	{
		if (p[0] == '/' && p[1] == '*')
		{
			depth++;
			p += 2;
		}
		else if (p[0] == '*' && p[1] == '/')
		{
			p += 2;
			if (--depth == 0)
				return p;
		}
		else
			p++;
	}
	return p;
}

/*
 * If p starts a dollar quote ($$ or $tag$), return the end of the quoted
 * string; otherwise NULL.
 */
static const char *
skip_dollar_quote(const char *start, const char *p)
{
	const char *q = p + 1;
	const char *end;
	size_t		taglen;

	if (p > start && ident_char(p[-1]))
		return NULL;			/* part of an identifier */
	if (ident_start(*q))
		while (ident_char(*q) && *q != '$')
			q++;
	if (*q != '$')
		return NULL;			/* a parameter such as $1, or a lone $ */
	taglen = q - p + 1;
	for (end = q + 1; *end; end++)
		if (*end == '$' && strncmp(end, p, taglen) == 0)
			return end + taglen;
	return end;
}

/* Append the statement text [from, to) to the list, trimmed at the front. */
static void
add_statement(char ***stmts, int *n, const char *from, const char *to)
{
	while (from < to && isspace((unsigned char) *from))
		from++;
	*stmts = pg_realloc(*stmts, sizeof(char *) * (*n + 1));
	(*stmts)[(*n)++] = pnstrdup(from, to - from);
}

/*
 * Split sql into statements (each keeping its semicolon).  Fragments that
 * hold nothing but white space and comments are dropped.  Returns the
 * count; *stmts is NULL when it is zero.
 */
int
split_sql_statements(const char *sql, char ***stmts)
{
	const char *p = sql;
	const char *stmt_start = sql;
	bool		has_content = false;
	int			words = 0;		/* words seen in this statement */
	int			depth = 0;		/* open BEGIN/CASE ... END bodies */
	int			n = 0;

	*stmts = NULL;
	while (*p)
	{
		const char *next;

		if (p[0] == '-' && p[1] == '-')
		{
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '*')
		{
			p = skip_block_comment(p);
			continue;
		}
		if (isspace((unsigned char) *p))
		{
			p++;
			continue;
		}
		if (*p == ';' && depth == 0)
		{
			p++;
			if (has_content)
				add_statement(stmts, &n, stmt_start, p);
			stmt_start = p;
			has_content = false;
			words = 0;
			continue;
		}
		has_content = true;
		if (*p == '\'')
			p = skip_string(sql, p);
		else if (*p == '"')
			p = skip_identifier(p);
		else if (*p == '$' && (next = skip_dollar_quote(sql, p)) != NULL)
			p = next;
		else if (ident_start(*p) && !(p > sql && ident_char(p[-1])))
		{
			const char *w = p;
			size_t		len;

			while (ident_char(*p))
				p++;
			len = p - w;
			words++;
			if ((len == 5 && pg_strncasecmp(w, "begin", 5) == 0) ||
				(len == 4 && pg_strncasecmp(w, "case", 4) == 0))
			{
				if (words > 1)
					depth++;
			}
			else if (len == 3 && pg_strncasecmp(w, "end", 3) == 0 && depth > 0)
				depth--;
		}
		else
			p++;
	}
	if (has_content)
		add_statement(stmts, &n, stmt_start, p);
	return n;
}
