/*-------------------------------------------------------------------------
 *
 * test_sqlsplit.c
 *	  Unit tests of the client's statement splitter, TAP output.
 *
 * Built and run by "make -C client test-split"; needs no server.
 *
 * IDENTIFICATION
 *	  test/client/test_sqlsplit.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include "client.h"

static int	ntests = 0;
static int	nfailed = 0;

/*
 * Split sql and compare with the expected statements (NULL-terminated),
 * printing one TAP line.
 */
static void
check(const char *name, const char *sql, const char *const *want)
{
	char	  **got;
	int			n = split_sql_statements(sql, &got);
	int			nwant = 0;
	bool		good;
	int			i;

	while (want[nwant] != NULL)
		nwant++;
	good = (n == nwant);
	for (i = 0; good && i < n; i++)
		good = strcmp(got[i], want[i]) == 0;
	ntests++;
	printf("%sok %d - %s\n", good ? "" : "not ", ntests, name);
	if (!good)
	{
		nfailed++;
		for (i = 0; i < n; i++)
			printf("#   got [%d]: %s\n", i, got[i]);
		for (i = 0; i < nwant; i++)
			printf("#   want[%d]: %s\n", i, want[i]);
	}
}

int
main(void)
{
	{
		const char *w[] = {"SELECT 1;", "SELECT 2;", NULL};

		check("two statements", "SELECT 1;\nSELECT 2;\n", w);
	}
	{
		const char *w[] = {"SELECT 1;", "SELECT 2", NULL};

		check("last statement without a semicolon", "SELECT 1; SELECT 2", w);
	}
	{
		const char *w[] = {NULL};

		check("only comments and blanks", "  -- nothing; here\n/* nor; here */\n", w);
	}
	{
		const char *w[] = {"SELECT 1;", NULL};

		check("empty statements are dropped", ";;SELECT 1;;", w);
	}
	{
		const char *w[] = {"SELECT 'a;b', 'it''s;';", "SELECT 2;", NULL};

		check("semicolons in strings", "SELECT 'a;b', 'it''s;'; SELECT 2;", w);
	}
	{
		const char *w[] = {"SELECT E'\\';', 1;", "SELECT 2;", NULL};

		check("backslash escapes in E strings", "SELECT E'\\';', 1; SELECT 2;", w);
	}
	{
		const char *w[] = {"SELECT 'a\\';", "SELECT 2;", NULL};

		check("no backslash escapes in standard strings", "SELECT 'a\\'; SELECT 2;", w);
	}
	{
		const char *w[] = {"SELECT 1 AS \"x;y\";", NULL};

		check("semicolons in quoted identifiers", "SELECT 1 AS \"x;y\";", w);
	}
	{
		const char *w[] = {"SELECT 1 /* a; /* nested; */ b; */;", "SELECT 2;", NULL};

		check("nested block comments", "SELECT 1 /* a; /* nested; */ b; */; SELECT 2;", w);
	}
	{
		const char *w[] = {"SELECT 1 -- trailing; comment\n;", NULL};

		check("line comments", "SELECT 1 -- trailing; comment\n;", w);
	}
	{
		const char *w[] = {
			"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;",
			"CREATE FUNCTION g() RETURNS int AS $body$ BEGIN RETURN 1; END $body$ LANGUAGE plpgsql;",
			NULL
		};

		check("dollar quotes, plain and tagged",
			  "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n"
			  "CREATE FUNCTION g() RETURNS int AS $body$ BEGIN RETURN 1; END $body$ LANGUAGE plpgsql;",
			  w);
	}
	{
		const char *w[] = {"PREPARE p AS SELECT $1;", "SELECT a$b FROM t;", NULL};

		check("parameters and identifiers with $ are not quotes",
			  "PREPARE p AS SELECT $1; SELECT a$b FROM t;", w);
	}
	{
		const char *w[] = {
			"CREATE FUNCTION h() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;",
			"SELECT 3;",
			NULL
		};

		check("SQL-standard function bodies",
			  "CREATE FUNCTION h() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END; SELECT 3;",
			  w);
	}
	{
		const char *w[] = {"BEGIN;", "SELECT 1;", "END;", NULL};

		check("a leading BEGIN is a statement", "BEGIN; SELECT 1; END;", w);
	}
	{
		const char *w[] = {
			"CREATE INDEX CONCURRENTLY i1 ON t (a);",
			"-- second\nCREATE INDEX CONCURRENTLY i2 ON t (b);",
			NULL
		};

		check("concurrent index builds",
			  "CREATE INDEX CONCURRENTLY i1 ON t (a);\n-- second\nCREATE INDEX CONCURRENTLY i2 ON t (b);\n",
			  w);
	}
	{
		const char *w[] = {"SELECT 'unterminated; still", NULL};

		check("an unterminated string ends the text", "SELECT 'unterminated; still", w);
	}
	printf("1..%d\n", ntests);
	return nfailed > 0 ? 1 : 0;
}
