/*-------------------------------------------------------------------------
 *
 * sqltext.c
 *	  Lines and blanks in SQL text.
 *
 * The parser's statement locations point at the end of the previous
 * statement, so blanks and comments before a statement's first token must
 * be skipped before its line is counted.  The runner, the interrupted-run
 * report, migrate_statements() and lint all report lines, and they must
 * agree: they all count here.  Pure C, shared with the client and the unit
 * tests.
 *
 * IDENTIFICATION
 *	  src/common/sqltext.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef FRONTEND
#include "postgres.h"
#else
#include "postgres_fe.h"
#endif

#include "common/sqltext.h"

/*
 * The byte offset of the first token at or after offset, before end:
 * whitespace, "--" comments and block comments (which nest in PostgreSQL)
 * are skipped.
 */
int
migrate_skip_blanks(const char *sql, int offset, int end)
{
	while (offset < end)
	{
		if (sql[offset] == ' ' || sql[offset] == '\t' || sql[offset] == '\n' ||
			sql[offset] == '\r' || sql[offset] == '\f')
			offset++;
		else if (offset + 1 < end && sql[offset] == '-' && sql[offset + 1] == '-')
		{
			while (offset < end && sql[offset] != '\n')
				offset++;
		}
		else if (offset + 1 < end && sql[offset] == '/' && sql[offset + 1] == '*')
		{
			int			depth = 1;

			offset += 2;
			while (offset < end && depth > 0)
			{
				if (offset + 1 < end && sql[offset] == '/' && sql[offset + 1] == '*')
				{
					depth++;
					offset += 2;
				}
				else if (offset + 1 < end && sql[offset] == '*' && sql[offset + 1] == '/')
				{
					depth--;
					offset += 2;
				}
				else
					offset++;
			}
		}
		else
			break;
	}
	return offset;
}

/* The number of newlines in the first nbytes of s (stopping at a NUL). */
int
migrate_count_lines(const char *s, int nbytes)
{
	int			lines = 0;
	int			i;

	for (i = 0; i < nbytes && s[i] != '\0'; i++)
		if (s[i] == '\n')
			lines++;
	return lines;
}

/*
 * The 1-based line, within sql, of the first token of the statement that
 * the parser located at byte offset location.
 */
int
migrate_statement_line(const char *sql, int location)
{
	int			start = migrate_skip_blanks(sql, location, strlen(sql));

	return 1 + migrate_count_lines(sql, start);
}
