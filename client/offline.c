/*-------------------------------------------------------------------------
 *
 * offline.c
 *	  "upgrade --sql" and "downgrade --sql": a script written from the
 *	  revision files alone, for a DBA to run by hand with psql.
 *
 * No server is asked anything: the plan comes from the graph of the files
 * (the shared revgraph.c), starting from base or from the START of a
 * "START:END" range, as Alembic's offline mode does.  The script is whole:
 * it registers the files (unchanged ones are left alone), takes the
 * migration lock, and records each step with migrate_record_script(),
 * which refuses a step that is not exactly the next one, before running
 * the step's SQL in the same transaction: a script run against a database
 * that is not at START stops at its first step and changes nothing.
 * Transactional steps share one transaction; a non-transactional step
 * runs between two, its statements one by one as psql sends them, and is
 * recorded after them.
 *
 * IDENTIFICATION
 *	  client/offline.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include "common/logging.h"
#include "client.h"
#include "common/locks.h"
#include "common/revgraph.h"
#include "pqexpbuffer.h"

/* Exit with a graph error (unknown revision, bad target, ...). */
static void
fail_graph(const MigrateGraphError *err, int status)
{
	pg_log_error("%s", err->message ? err->message : "invalid revision graph");
	if (err->detail)
		pg_log_error_detail("%s", err->detail);
	if (err->hint)
		pg_log_error_hint("%s", err->hint);
	exit(status);
}

/*
 * The graph of the versioned revisions among the files; node i of the
 * graph is files[order[i]].  Repeatable revisions stay out: whether one
 * ran, and with which SQL, only the database knows.
 */
static MigrateGraph *
files_graph(const RevFileSet *set, int **order)
{
	MigrateRevNode *nodes = pg_malloc0(sizeof(MigrateRevNode) * (set->nfiles + 1));
	MigrateGraphError err;
	MigrateGraph *graph;
	int			n = 0;
	int			i;

	*order = pg_malloc(sizeof(int) * (set->nfiles + 1));
	for (i = 0; i < set->nfiles; i++)
	{
		const MigrateRevFile *f = &set->files[i].rev;

		if (f->repeatable)
			continue;
		nodes[n].revision = f->revision;
		nodes[n].revises = (const char *const *) f->revises;
		nodes[n].nrevises = f->nrevises;
		nodes[n].depends_on = (const char *const *) f->depends_on;
		nodes[n].ndepends_on = f->ndepends_on;
		nodes[n].branch_labels = (const char *const *) f->branch_labels;
		nodes[n].nbranch_labels = f->nbranch_labels;
		(*order)[n++] = i;
	}
	memset(&err, 0, sizeof(err));
	graph = migrate_graph_build(nodes, n, &err);
	if (graph == NULL)
		fail_graph(&err, EXIT_BAD_FILES);
	return graph;
}

/* The file of graph node node: nodes keep the order they were given in. */
static const RevFileEntry *
node_file(const RevFileSet *set, const int *order, int node)
{
	return &set->files[order[node]];
}

/*
 * A dollar-quote tag that does not occur in text: $pgm$, or $pgm1$,
 * $pgm2$, ... when it does.
 */
static char *
dollar_tag(const char *text)
{
	char	   *tag = pg_strdup("$pgm$");
	int			n = 0;

	while (strstr(text, tag) != NULL)
	{
		pg_free(tag);
		tag = psprintf("$pgm%d$", ++n);
	}
	return tag;
}

/* Print text, ending it with a newline when it lacks one. */
static void
print_block(const char *text)
{
	size_t		len = strlen(text);

	printf("%s%s", text, len > 0 && text[len - 1] != '\n' ? "\n" : "");
}

/* A line of the script that is a comment; each line of text gets "-- ". */
static void
print_comment(const char *text)
{
	const char *p = text;

	while (*p)
	{
		const char *nl = strchr(p, '\n');
		int			len = nl ? (int) (nl - p) : (int) strlen(p);

		printf("-- %.*s\n", len, p);
		p += len + (nl ? 1 : 0);
	}
}

/* Start a transaction of the script: BEGIN and the migration lock. */
static void
print_begin(void)
{
	printf("BEGIN;\n");
	printf("SELECT pg_catalog.pg_advisory_xact_lock(%s, %d);\n",
		   MIGRATE_LOCK_KEY1_SQL, MIGRATE_LOCK_KEY2);
}

/*
 * Write the script of operation ("upgrade" or "downgrade") for spec:
 * "END", or "START:END".  Exits with EXIT_USAGE on a downgrade without a
 * range, with the graph's error on an unknown or bad revision.
 */
int
offline_script(const MigrateOptions *opts, const char *operation,
			   const char *spec)
{
	bool		upgrade = strcmp(operation, "upgrade") == 0;
	const char *colon = strchr(spec, ':');
	char	   *start;
	const char *end;
	RevFileSet	set;
	MigrateGraph *graph;
	int		   *order;
	MigratePlan from;
	MigratePlan plan;
	MigrateGraphError err;
	bool		ok;
	bool		in_tx;
	int			i;

	if (colon != NULL)
	{
		start = pnstrdup(spec, colon - spec);
		end = colon + 1;
		if (start[0] == '\0' || end[0] == '\0' || strchr(end, ':') != NULL)
		{
			pg_log_error("invalid range \"%s\"", spec);
			pg_log_error_hint("Give a range as START:END, for instance \"base:head\" or \"1b7e0a44:head\".");
			exit(EXIT_USAGE);
		}
	}
	else if (upgrade)
	{
		start = pg_strdup("base");
		end = spec;
	}
	else
	{
		pg_log_error("downgrade --sql needs a range START:END");
		pg_log_error_detail("The script is written from the revision files alone, without asking a database where it stands.");
		pg_log_error_hint("Name the revision the database will be at when the script runs, as in \"pg_migrate downgrade --sql head:base\".");
		exit(EXIT_USAGE);
	}

	load_revision_files(opts->dir, &set);
	ensure_parsed(&set);
	graph = files_graph(&set, &order);

	/* the version rows at START: those a stamp to START would leave */
	memset(&err, 0, sizeof(err));
	if (strcmp(start, "base") == 0)
		memset(&from, 0, sizeof(from));
	else if (!migrate_plan_stamp(graph, NULL, 0, (const char *const *) &start,
								 1, &from, &err))
		fail_graph(&err, EXIT_OTHER);
	if (upgrade)
		ok = migrate_plan_upgrade(graph, from.rows, from.nrows, end, &plan, &err);
	else
		ok = migrate_plan_downgrade(graph, from.rows, from.nrows, end, &plan, &err);
	if (!ok)
		fail_graph(&err, EXIT_OTHER);

	for (i = 0; i < plan.nsteps; i++)
	{
		const RevFileEntry *e = node_file(&set, order, plan.steps[i]);

		if (!upgrade && e->rev.downgrade == NULL)
		{
			pg_log_error("revision \"%s\" has no downgrade section", e->rev.revision);
			pg_log_error_detail("File \"%s\" has no \"-- migrate:downgrade\" section, so the script cannot revert it.",
								e->path);
			exit(EXIT_OTHER);
		}
	}

	printf("-- pg_migrate %s from \"%s\" to \"%s\": %d revision(s)\n",
		   operation, start, end, plan.nsteps);
	printf("-- Written from the revision files alone; no database was asked where it\n"
		   "-- stands.  Run it with psql (psql -f FILE) on a database at \"%s\".\n", start);
	print_comment("Each step is recorded by migrate_record_script(), which refuses a step\n"
				  "that is not the next one, before its SQL runs in the same transaction: on\n"
				  "a database elsewhere the script stops at its first step and changes\n"
				  "nothing.");
	for (i = 0; i < set.nfiles; i++)
		if (set.files[i].rev.repeatable)
			printf("-- not in this script: repeatable revision \"%s\" (%s); run \"pg_migrate upgrade\" to apply it\n",
				   set.files[i].rev.revision, set.files[i].name);
	printf("\n\\set ON_ERROR_STOP on\n");
	printf("CREATE EXTENSION IF NOT EXISTS pg_migrate;\n");
	printf("SELECT pg_catalog.quote_ident(n.nspname) AS pg_migrate_schema\n"
		   "  FROM pg_catalog.pg_extension e\n"
		   "  JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace\n"
		   " WHERE e.extname = 'pg_migrate' \\gset\n");

	/* the files go first, as the client sends them before any change */
	printf("\n");
	print_begin();
	printf("-- the revision files, registered as the client sends them (an unchanged one is left alone)\n");
	for (i = 0; i < set.nfiles; i++)
	{
		const RevFileEntry *e = &set.files[i];
		char	   *tag = dollar_tag(e->content);
		char	   *name_tag = dollar_tag(e->name);

		/* the content exactly as the client sends it: the same digest */
		printf("SELECT :pg_migrate_schema.migrate_add_file(%s%s%s, %s%s%s);\n",
			   name_tag, e->name, name_tag, tag, e->content, tag);
		pg_free(tag);
		pg_free(name_tag);
	}
	in_tx = true;

	for (i = 0; i < plan.nsteps; i++)
	{
		const RevFileEntry *e = node_file(&set, order, plan.steps[i]);
		const MigrateRevFile *r = &e->rev;

		printf("\n-- %d/%d %s %s%s%s (%s)%s\n", i + 1, plan.nsteps, operation,
			   r->revision, r->message[0] ? ": " : "", r->message, e->name,
			   r->transactional ? "" :
			   "\n-- non-transactional: its statements run one by one, outside a transaction block");
		if (!r->transactional && in_tx)
		{
			printf("COMMIT;\n");
			in_tx = false;
		}
		if (r->transactional && !in_tx)
		{
			print_begin();
			in_tx = true;
		}
		if (r->transactional)
		{
			/*
			 * Recorded first: a database that is not where this step
			 * starts stops the script before the step's SQL runs, and the
			 * SQL's failure rolls the record back with it.
			 */
			printf("SELECT :pg_migrate_schema.migrate_record_script('%s', '%s', pg_catalog.clock_timestamp());\n",
				   r->revision, operation);
			print_block(upgrade ? r->upgrade : r->downgrade);
		}
		else
		{
			/* each statement commits on its own: recorded once all ran */
			printf("SELECT pg_catalog.clock_timestamp() AS pg_migrate_started \\gset\n");
			print_block(upgrade ? r->upgrade : r->downgrade);
			printf("SELECT :pg_migrate_schema.migrate_record_script('%s', '%s', :'pg_migrate_started');\n",
				   r->revision, operation);
		}
	}
	if (in_tx)
		printf("\nCOMMIT;\n");
	return EXIT_OK;
}
