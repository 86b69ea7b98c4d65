/*-------------------------------------------------------------------------
 *
 * fuzz_revfile.c
 *	  libFuzzer harness for the revision-file parser.
 *
 * Each input is parsed as a revision file.  A failure must come with a
 * sane message; a success must give valid ids, a message on one trimmed
 * line, and a revision that migrate_format_revfile writes back to text
 * that parses to the same values.  A broken invariant aborts, which
 * libFuzzer reports as a crash.  Everything is freed, so the leak checker
 * of AddressSanitizer also watches the failure paths.
 *
 * IDENTIFICATION
 *	  test/fuzz/fuzz_revfile.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <stdint.h>

#include "common/revfile.h"

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

/* Check that every entry of a list is a valid id. */
static void
check_list(char *const *items, int n, const char *what)
{
	int			i;

	if (n < 0 || (n > 0 && items == NULL))
		fail(what, NULL);
	for (i = 0; i < n; i++)
	{
		if (items[i] == NULL || !migrate_valid_id(items[i], strlen(items[i])))
			fail(what, items[i]);
	}
}

/* Check what a failed parse reports. */
static void
check_error(const MigrateParseError *err, size_t size)
{
	size_t		mlen = strnlen(err->message, sizeof(err->message));

	if (mlen == 0 || mlen == sizeof(err->message))
		fail("error message empty or not terminated", NULL);
	if (err->message[mlen - 1] == '.')
		fail("error message ends with a period", err->message);
	if (err->line < 0 || (size_t) err->line > size)
		fail("error line out of range", err->message);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	MigrateRevFile rev;
	MigrateRevFile again;
	MigrateParseError err;
	char	   *text;
	size_t		mlen;

	if (!migrate_parse_revfile((const char *) data, size, &rev, &err))
	{
		check_error(&err, size);
		return 0;
	}

	if (rev.revision == NULL ||
		!migrate_valid_id(rev.revision, strlen(rev.revision)))
		fail("revision id", rev.revision);
	check_list(rev.revises, rev.nrevises, "revises");
	check_list(rev.depends_on, rev.ndepends_on, "depends-on");
	check_list(rev.branch_labels, rev.nbranch_labels, "branch-labels");
	if (rev.message == NULL || strchr(rev.message, '\n') != NULL)
		fail("message missing or on more than one line", rev.message);
	mlen = strlen(rev.message);
	if (mlen > 0 && (rev.message[0] == ' ' || rev.message[mlen - 1] == ' '))
		fail("message not trimmed", rev.message);
	if (rev.upgrade == NULL || rev.upgrade_line < 1)
		fail("upgrade section", rev.upgrade);
	if ((rev.downgrade == NULL) != (rev.downgrade_line == 0))
		fail("downgrade and downgrade_line disagree", rev.downgrade);

	text = migrate_format_revfile(&rev);
	if (!migrate_parse_revfile(text, strlen(text), &again, &err))
	{
		fprintf(stderr, "reparse error at line %d: %s\n", err.line, err.message);
		fail("formatted text does not parse", text);
	}
	if (!migrate_revfile_equal(&rev, &again))
		fail("formatted text parses to other values", text);

	migrate_free_revfile(&again);
	migrate_free_revfile(&rev);
	pfree(text);
	return 0;
}
