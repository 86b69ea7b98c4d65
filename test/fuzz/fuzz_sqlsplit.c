/*-------------------------------------------------------------------------
 *
 * fuzz_sqlsplit.c
 *	  libFuzzer harness for the client's statement splitter.
 *
 * The client runs a non-transactional revision one statement at a time,
 * cut by split_sql_statements.  Each input (up to its first NUL) is split,
 * and the statements are checked:
 *
 *	- they are pieces of the input, in order and without overlap;
 *	- none is empty or starts with white space;
 *	- every one but the last ends with a semicolon;
 *	- split again on its own, each statement gives back itself alone, so
 *	  that the cut does not depend on what came before it.
 *
 * A broken invariant aborts, which libFuzzer reports as a crash.
 *
 * IDENTIFICATION
 *	  test/fuzz/fuzz_sqlsplit.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <stdint.h>

#include "client.h"

extern int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Report a broken invariant and stop. */
static void
fail(const char *what, const char *text)
{
	fprintf(stderr, "invariant broken: %s\n", what);
	if (text)
		fprintf(stderr, "text:\n%s\n", text);
	abort();
}

static void
free_statements(char **stmts, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		pfree(stmts[i]);
	if (stmts)
		pg_free(stmts);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *sql = pnstrdup((const char *) data, size);
	char	  **stmts;
	int			n = split_sql_statements(sql, &stmts);
	const char *pos = sql;
	int			i;

	if (n < 0 || (n == 0) != (stmts == NULL))
		fail("count and list disagree", sql);
	for (i = 0; i < n; i++)
	{
		const char *s = stmts[i];
		size_t		len = strlen(s);
		const char *at;
		char	  **again;
		int			nagain;

		if (len == 0)
			fail("empty statement", sql);
		if (isspace((unsigned char) s[0]))
			fail("statement starts with white space", s);
		if (i < n - 1 && s[len - 1] != ';')
			fail("statement before the last without a semicolon", s);
		at = strstr(pos, s);
		if (at == NULL)
			fail("statement not found, in order, in the input", s);
		pos = at + len;

		nagain = split_sql_statements(s, &again);
		if (nagain != 1 || strcmp(again[0], s) != 0)
			fail("a statement split again is not itself", s);
		free_statements(again, nagain);
	}
	free_statements(stmts, n);
	pfree(sql);
	return 0;
}
