/*-------------------------------------------------------------------------
 *
 * fuzz_graph_checks.h
 *	  Invariant checks shared by the graph and target fuzz harnesses:
 *	  stopping on a broken invariant, and what a failed graph call must
 *	  report (an error code, a message without a final period, detail and
 *	  hint as full sentences).
 *
 * IDENTIFICATION
 *	  test/fuzz/fuzz_graph_checks.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef FUZZ_GRAPH_CHECKS_H
#define FUZZ_GRAPH_CHECKS_H

#include "common/revgraph.h"

/* Report a broken invariant and stop. */
static void
fail(const char *what, const char *text)
{
	fprintf(stderr, "invariant broken: %s\n", what);
	if (text)
		fprintf(stderr, "text: %s\n", text);
	abort();
}

/* Check what a failed call reports. */
static void
check_error(const MigrateGraphError *err)
{
	size_t		len;

	if (err->code == MIGRATE_GRAPH_OK)
		fail("failure without an error code", NULL);
	if (err->message == NULL || err->message[0] == '\0')
		fail("empty error message", NULL);
	len = strlen(err->message);
	if (err->message[len - 1] == '.')
		fail("error message ends with a period", err->message);
	if (err->detail && (err->detail[0] == '\0' ||
						err->detail[strlen(err->detail) - 1] != '.'))
		fail("error detail is not a sentence", err->detail);
	if (err->hint && (err->hint[0] == '\0' ||
					  err->hint[strlen(err->hint) - 1] != '.'))
		fail("error hint is not a sentence", err->hint);
}

#endif							/* FUZZ_GRAPH_CHECKS_H */
