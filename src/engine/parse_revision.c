/*-------------------------------------------------------------------------
 *
 * parse_revision.c
 *	  A revision file's text as the revision it defines, in the server
 *	  encoding: the bridge between the pure parser (common/revfile.c) and
 *	  the catalog.  A malformed file is an error naming it and the line.
 *
 * IDENTIFICATION
 *	  src/engine/parse_revision.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"

#include "pg_migrate.h"
#include "common/revfile.h"

/* A string of the parsed file, converted from UTF-8 to the server encoding. */
static char *
to_server(char *s)
{
	if (s == NULL || GetDatabaseEncoding() == PG_UTF8)
		return s;
	return pg_any_to_server(s, strlen(s), PG_UTF8);
}

/*
 * Parse one revision file (content is UTF-8, len bytes) into *file; a
 * malformed file is an error naming it and the line.
 */
void
migrate_revision_parse_file(const char *name, const char *content, size_t len,
							MigrateRevFile *file)
{
	MigrateParseError perr;

	if (!migrate_parse_revfile(content, len, file, &perr))
	{
		/* the message may quote the file's UTF-8 text */
		char	   *message = to_server(pstrdup(perr.message));

		if (perr.line > 0)
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("%s in file \"%s\" line %d", message, name,
							perr.line)));
		else
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("%s in file \"%s\"", message, name)));
	}
}

/*
 * The revision a parsed file defines, its strings in the server encoding.
 */
void
migrate_revision_from_file(const char *name, MigrateRevFile *file,
						   MigrateRevision *rev)
{
	int			i;

	memset(rev, 0, sizeof(*rev));
	rev->revision = file->revision;
	rev->revises = file->revises;
	rev->nrevises = file->nrevises;
	rev->depends_on = file->depends_on;
	rev->ndepends_on = file->ndepends_on;
	rev->branch_labels = file->branch_labels;
	rev->nbranch_labels = file->nbranch_labels;
	rev->message = to_server(file->message);
	rev->upgrade_sql = to_server(file->upgrade);
	rev->downgrade_sql = to_server(file->downgrade);
	rev->has_downgrade = file->downgrade != NULL;
	rev->transactional = file->transactional;
	rev->repeatable = file->repeatable;
	rev->scope_kind = file->scope;
	rev->source_format = file->source_format;
	rev->source_version = to_server(file->source_version);
	/* the catalog keeps the file name; errors above named the whole path */
	rev->file_name = (char *) (strrchr(name, '/') ? strrchr(name, '/') + 1 : name);
	rev->upgrade_line = file->upgrade_line;
	rev->downgrade_line = file->downgrade_line;
	/* lint-ignore lines, kept as "PM003 reason" */
	rev->nlint_ignores = file->nlint_ignores;
	rev->lint_ignores = palloc(sizeof(char *) * Max(file->nlint_ignores, 1));
	for (i = 0; i < file->nlint_ignores; i++)
		rev->lint_ignores[i] = psprintf("%s %s", file->lint_ignores[i].rule,
										to_server(file->lint_ignores[i].reason));
}

/*
 * The text of a revision file (in the server encoding) as the parsed file
 * and the revision it defines, without registering it: lint reads files
 * this way.  A malformed file is an error naming it and the line.
 */
void
migrate_parse_revision_text(const char *name, text *content,
							MigrateRevFile *file, MigrateRevision *rev)
{
	char	   *data = VARDATA_ANY(content);
	size_t		len = VARSIZE_ANY_EXHDR(content);

	/* the parser reads UTF-8 */
	if (GetDatabaseEncoding() != PG_UTF8)
	{
		data = pg_server_to_any(data, len, PG_UTF8);
		len = strlen(data);
	}
	migrate_revision_parse_file(name, data, len, file);
	migrate_revision_from_file(name, file, rev);
}
