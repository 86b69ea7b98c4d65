/*-------------------------------------------------------------------------
 *
 * statements.c
 *	  The statements of a piece of SQL, as the server's parser cuts them.
 *
 * A revision marked "transactional: false" is run by the client one
 * statement at a time, while the server counts the same statements for
 * progress, resume checksums and the lines it reports.  Both must agree on
 * where one statement ends and the next begins, so there is one cutter: the
 * raw parser, whose RawStmt nodes carry each statement's location and
 * length.  migrate_statements() hands those to the client; the server's own
 * users call migrate_statement_line() (common/sqltext.c) for its line.
 *
 * IDENTIFICATION
 *	  src/functions/statements.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "utils/builtins.h"

#include "pg_migrate.h"

/*
 * A syntax error's position is within the text being cut, not within the
 * query that called migrate_statements(): report it as an internal query,
 * as the validators of SQL functions do, so that psql points at the text.
 */
static void
statements_error_callback(void *arg)
{
	int			pos = geterrposition();

	if (pos > 0)
	{
		errposition(0);
		internalerrposition(pos);
		internalerrquery((const char *) arg);
	}
}

PG_FUNCTION_INFO_V1(migrate_statements);

/*
 * migrate_statements(source text)
 *	 RETURNS TABLE (statement integer, line integer, sql text)
 *
 * Each statement of source in order, with the line (within source) of its first
 * token and its text, as the server's parser cuts them: the client runs a
 * non-transactional revision with exactly these statements.  Empty
 * statements (";;") are not statements.  A syntax error is raised as the
 * parser raises it, with its position.
 */
Datum
migrate_statements(PG_FUNCTION_ARGS)
{
	char	   *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	List	   *stmts;
	ListCell   *lc;
	int			n = 0;

	ErrorContextCallback errcallback;

	InitMaterializedSRF(fcinfo, 0);
	errcallback.callback = statements_error_callback;
	errcallback.arg = sql;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;
	stmts = raw_parser(sql, RAW_PARSE_DEFAULT);
	error_context_stack = errcallback.previous;
	foreach(lc, stmts)
	{
		RawStmt    *raw = lfirst_node(RawStmt, lc);
		int			len = raw->stmt_len > 0 ? raw->stmt_len :
			(int) strlen(sql) - raw->stmt_location;
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = Int32GetDatum(++n);
		values[1] = Int32GetDatum(migrate_statement_line(sql, raw->stmt_location));
		values[2] = PointerGetDatum(cstring_to_text_with_len(sql + raw->stmt_location,
															 len));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_NULL();
}
