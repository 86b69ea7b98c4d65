/*-------------------------------------------------------------------------
 *
 * author.c
 *	  The verbs that write: init, revision and merge.
 *
 * A new revision is based on the heads of the graph made of the files in
 * the directory plus, when a server with the extension is reachable, every
 * revision registered there (files whose revisions were already applied
 * may have been deleted since).  Without a server the files alone make the
 * graph.  The graph is built and checked with the shared code of
 * revgraph.c, the file written with the shared migrate_format_revfile().
 *
 * IDENTIFICATION
 *	  client/author.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <sys/stat.h>

#include "common/logging.h"
#include "client.h"
#include "common/revgraph.h"

/* The known revisions, and the graph they make. */
typedef struct KnownRevs
{
	RevInfo    *revs;
	int			n;
	MigrateGraph *graph;
} KnownRevs;

/* RevInfo for each parsed file, when there is no server to ask. */
static RevInfo *
revs_from_files(const RevFileSet *set)
{
	RevInfo    *revs = pg_malloc0(sizeof(RevInfo) * (set->nfiles + 1));
	int			i;

	for (i = 0; i < set->nfiles; i++)
	{
		const MigrateRevFile *f = &set->files[i].rev;

		revs[i].id = f->revision;
		revs[i].revises = f->revises;
		revs[i].nrevises = f->nrevises;
		revs[i].depends_on = f->depends_on;
		revs[i].ndepends_on = f->ndepends_on;
		revs[i].labels = f->branch_labels;
		revs[i].nlabels = f->nbranch_labels;
		revs[i].message = f->message;
		revs[i].file_name = set->files[i].name;
	}
	return revs;
}

/*
 * Gather the known revisions: from the server (with the files registered
 * in a transaction that is rolled back) if it can be reached, else from
 * the files alone; then build the graph.
 */
static void
load_known(const MigrateOptions *opts, KnownRevs *known)
{
	RevFileSet	set;
	PGconn	   *conn;
	MigrateRevNode *nodes;
	MigrateGraphError err;
	int			i;

	load_revision_files(opts->dir, &set);
	conn = connect_server(opts, true);
	if (conn != NULL && find_extension(conn))
	{
		run_command(conn, "BEGIN");
		send_revision_files(conn, &set);
		known->revs = fetch_history(conn, NULL, &known->n);
		run_command(conn, "ROLLBACK");
	}
	else
	{
		pg_log_info("%s; using the revision files alone",
					conn ? "the extension is not installed" : "no server reachable");
		known->revs = revs_from_files(&set);
		known->n = set.nfiles;
	}
	PQfinish(conn);

	nodes = pg_malloc0(sizeof(MigrateRevNode) * (known->n + 1));
	for (i = 0; i < known->n; i++)
	{
		nodes[i].revision = known->revs[i].id;
		nodes[i].revises = (const char *const *) known->revs[i].revises;
		nodes[i].nrevises = known->revs[i].nrevises;
		nodes[i].depends_on = (const char *const *) known->revs[i].depends_on;
		nodes[i].ndepends_on = known->revs[i].ndepends_on;
		nodes[i].branch_labels = (const char *const *) known->revs[i].labels;
		nodes[i].nbranch_labels = known->revs[i].nlabels;
	}
	memset(&err, 0, sizeof(err));
	known->graph = migrate_graph_build(nodes, known->n, &err);
	if (known->graph == NULL)
	{
		pg_log_error("%s", err.message ? err.message : "invalid revision graph");
		if (err.detail)
			pg_log_error_detail("%s", err.detail);
		if (err.hint)
			pg_log_error_hint("%s", err.hint);
		exit(EXIT_BAD_FILES);
	}
}

/* Append id to ids unless it is there already. */
static void
add_unique(char ***ids, int *n, const char *id)
{
	int			i;

	for (i = 0; i < *n; i++)
		if (strcmp((*ids)[i], id) == 0)
			return;
	*ids = pg_realloc(*ids, sizeof(char *) * (*n + 1));
	(*ids)[(*n)++] = pg_strdup(id);
}

/* Exit with a message about a revision named on the command line. */
static void
fail_revision(const char *message, const char *spec, const char *hint)
{
	pg_log_error(message, spec);
	if (hint)
		pg_log_error_hint("%s", hint);
	exit(EXIT_UNKNOWN_REVISION);
}

/*
 * Add to ids the revisions spec names: "heads", "head" (exactly one),
 * "base" (none), "label@head" (the heads above the labelled revision), an
 * id, a branch label, or a unique prefix of an id.
 */
static void
resolve(const KnownRevs *known, const char *spec, char ***ids, int *nids)
{
	MigrateGraph *g = known->graph;
	int		   *heads = pg_malloc(sizeof(int) * (known->n + 1));
	int			nheads = migrate_graph_heads(g, heads);
	const char *at = strchr(spec, '@');
	int			match = -1;
	int			i;
	int			j;

	if (strcmp(spec, "base") == 0)
		return;
	if (strcmp(spec, "heads") == 0 || strcmp(spec, "head") == 0)
	{
		if (strcmp(spec, "head") == 0 && nheads > 1)
			fail_revision("multiple heads are present, so \"%s\" is ambiguous",
						  spec, "Name one head, or use \"heads\".");
		for (i = 0; i < nheads; i++)
			add_unique(ids, nids, migrate_graph_id(g, heads[i]));
		return;
	}
	if (at != NULL && strcmp(at, "@head") == 0)
	{
		char	   *label = pnstrdup(spec, at - spec);
		bool	   *above = pg_malloc(sizeof(bool) * (known->n + 1));
		int			found = 0;

		for (i = 0; i < known->n && match < 0; i++)
			for (j = 0; j < known->revs[i].nlabels; j++)
				if (strcmp(known->revs[i].labels[j], label) == 0)
					match = migrate_graph_find(g, known->revs[i].id);
		if (match < 0)
			fail_revision("branch label \"%s\" does not exist", label, NULL);
		for (i = 0; i < nheads; i++)
		{
			migrate_graph_applied(g, &heads[i], 1, above);
			if (above[match])
			{
				add_unique(ids, nids, migrate_graph_id(g, heads[i]));
				found++;
			}
		}
		if (found != 1)
			fail_revision("branch \"%s\" does not have exactly one head", label,
						  NULL);
		return;
	}
	match = migrate_graph_find(g, spec);
	for (i = 0; i < known->n && match < 0; i++)
		for (j = 0; j < known->revs[i].nlabels; j++)
			if (strcmp(known->revs[i].labels[j], spec) == 0)
				match = migrate_graph_find(g, known->revs[i].id);
	/* as in Alembic, a prefix needs four characters at least */
	if (match < 0 && strlen(spec) >= 4)
	{
		for (i = 0; i < known->n; i++)
		{
			if (strncmp(known->revs[i].id, spec, strlen(spec)) != 0)
				continue;
			if (match >= 0)
				fail_revision("revision prefix \"%s\" is ambiguous", spec,
							  "Give more characters of the revision id.");
			match = migrate_graph_find(g, known->revs[i].id);
		}
	}
	if (match < 0)
		fail_revision("revision \"%s\" does not exist", spec, NULL);
	add_unique(ids, nids, migrate_graph_id(g, match));
}

/* The id of the new revision: --rev-id, checked, or a fresh random one. */
static char *
new_revision_id(const MigrateOptions *opts, const KnownRevs *known)
{
	char	   *id;

	if (opts->rev_id != NULL &&
		!migrate_valid_id(opts->rev_id, strlen(opts->rev_id)))
	{
		pg_log_error("invalid revision id \"%s\"", opts->rev_id);
		pg_log_error_hint("Use letters, digits, \"_\" and \"-\", at most %d bytes.",
						  MIGRATE_MAX_ID_LEN);
		exit(EXIT_USAGE);
	}
	if (opts->rev_id != NULL &&
		migrate_reserved_id(opts->rev_id, strlen(opts->rev_id)))
	{
		pg_log_error("invalid revision id \"%s\": it is a reserved word", opts->rev_id);
		pg_log_error_detail("The words %s name targets, not revisions.",
							MIGRATE_RESERVED_IDS);
		exit(EXIT_USAGE);
	}
	id = opts->rev_id ? pg_strdup(opts->rev_id) : make_revision_id();
	if (migrate_graph_find(known->graph, id) >= 0)
		fail_revision("revision \"%s\" already exists", id, NULL);
	return id;
}

/* Check the --branch-label values and put them in rev. */
static void
set_labels(const MigrateOptions *opts, MigrateRevFile *rev)
{
	int			i;

	for (i = 0; i < opts->nbranch_labels; i++)
	{
		if (!migrate_valid_id(opts->branch_labels[i],
							  strlen(opts->branch_labels[i])))
		{
			pg_log_error("invalid branch label \"%s\"", opts->branch_labels[i]);
			exit(EXIT_USAGE);
		}
		if (migrate_reserved_id(opts->branch_labels[i],
								strlen(opts->branch_labels[i])))
		{
			pg_log_error("invalid branch label \"%s\": it is a reserved word",
						 opts->branch_labels[i]);
			pg_log_error_detail("The words %s name targets, not revisions.",
								MIGRATE_RESERVED_IDS);
			exit(EXIT_USAGE);
		}
	}
	rev->branch_labels = opts->branch_labels;
	rev->nbranch_labels = opts->nbranch_labels;
}

/*
 * revision -m MSG: write a new revision on the heads (or --head), with
 * empty upgrade and downgrade sections.
 */
int
verb_revision(const MigrateOptions *opts)
{
	KnownRevs	known;
	MigrateRevFile rev;
	int			i;

	load_known(opts, &known);
	memset(&rev, 0, sizeof(rev));
	rev.revision = new_revision_id(opts, &known);
	resolve(&known, opts->head ? opts->head : "heads",
			&rev.revises, &rev.nrevises);
	for (i = 0; i < opts->ndepends_on; i++)
		resolve(&known, opts->depends_on[i], &rev.depends_on, &rev.ndepends_on);
	set_labels(opts, &rev);
	rev.message = (char *) opts->message;
	rev.transactional = !opts->non_transactional;
	rev.upgrade = "";
	rev.downgrade = "";
	if (opts->autogenerate)
	{
		MigrateRevFile extra;
		bool		has_extra;

		memset(&extra, 0, sizeof(extra));
		if (!autogenerate_revision(opts, &rev, &extra, &has_extra))
		{
			printf("No changes detected.\n");
			return EXIT_OK;
		}
		if (rev.upgrade[0] != '\0' || !has_extra)
		{
			printf("%s\n", write_revision_file(opts->dir, &rev));
			if (!has_extra)
				return EXIT_OK;
			/* the index builds follow, in a revision of their own */
			extra.revises = pg_malloc(sizeof(char *));
			extra.revises[0] = rev.revision;
			extra.nrevises = 1;
			extra.revision = new_revision_id(opts, &known);
			if (opts->rev_id)
				extra.revision = psprintf("%s_concurrently", opts->rev_id);
		}
		else
		{
			extra.revises = rev.revises;
			extra.nrevises = rev.nrevises;
			extra.revision = rev.revision;
			extra.branch_labels = rev.branch_labels;
			extra.nbranch_labels = rev.nbranch_labels;
		}
		extra.message = psprintf("%s (indexes built concurrently)",
								 opts->message ? opts->message : "autogenerated");
		printf("%s\n", write_revision_file(opts->dir, &extra));
		return EXIT_OK;
	}
	printf("%s\n", write_revision_file(opts->dir, &rev));
	return EXIT_OK;
}

/* merge -m MSG REV...: write a revision whose parents are the given heads. */
int
verb_merge(const MigrateOptions *opts)
{
	KnownRevs	known;
	MigrateRevFile rev;
	int			i;

	load_known(opts, &known);
	memset(&rev, 0, sizeof(rev));
	for (i = 0; i < opts->nargs; i++)
		resolve(&known, opts->args[i], &rev.revises, &rev.nrevises);
	if (rev.nrevises < 2)
	{
		pg_log_error("a merge needs at least two revisions, but %d %s named",
					 rev.nrevises, rev.nrevises == 1 ? "was" : "were");
		exit(EXIT_OTHER);
	}
	rev.revision = new_revision_id(opts, &known);
	set_labels(opts, &rev);
	rev.message = (char *) opts->message;
	rev.transactional = true;
	rev.upgrade = "";
	rev.downgrade = "";
	printf("%s\n", write_revision_file(opts->dir, &rev));
	return EXIT_OK;
}

/*
 * init: create the directory if it is missing, and the extension if it is
 * not installed.
 */
int
verb_init(const MigrateOptions *opts)
{
	struct stat st;
	PGconn	   *conn;
	PGresult   *res;

	if (stat(opts->dir, &st) != 0)
	{
		char	   *dir = pg_strdup(opts->dir);

		if (pg_mkdir_p(dir, 0777) != 0)
		{
			pg_log_error("could not create directory \"%s\": %m", opts->dir);
			exit(EXIT_OTHER);
		}
		printf("created directory \"%s\"\n", opts->dir);
	}
	else if (!S_ISDIR(st.st_mode))
	{
		pg_log_error("\"%s\" exists but is not a directory", opts->dir);
		exit(EXIT_OTHER);
	}
	conn = connect_server(opts, false);
	run_command(conn, "SET client_min_messages = warning");
	run_command(conn, "CREATE EXTENSION IF NOT EXISTS pg_migrate");
	res = run_query(conn,
					"SELECT extversion FROM pg_catalog.pg_extension"
					" WHERE extname = 'pg_migrate'", 0, NULL);
	printf("extension \"pg_migrate\" %s is installed in database \"%s\"\n",
		   PQgetvalue(res, 0, 0), PQdb(conn));
	PQclear(res);
	PQfinish(conn);
	return EXIT_OK;
}
