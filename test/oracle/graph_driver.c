/*-------------------------------------------------------------------------
 *
 * graph_driver.c
 *	  Line-oriented front end to the revision graph, for the oracle test.
 *
 * Reads commands on stdin and answers each with one line on stdout, so a
 * single process serves a whole oracle run.  Lists are comma-separated,
 * "-" is the empty list.  Everything allocated is freed again, so that a
 * run under AddressSanitizer's leak checker shows the graph code's leaks
 * only.
 *
 *	  GRAPH n, then n lines "NODE id parents deps labels"
 *		-> OK | ERR code message
 *	  HEADS | BASES | HISTORY		-> OK list
 *	  UPGRADE rows target | DOWNGRADE rows target
 *		-> OK steps rows | ERR code message
 *	  STAMP rows target...			-> OK - rows | ERR code message
 *	  RANGE rows range				-> OK list | ERR code message
 *
 * IDENTIFICATION
 *	  test/oracle/graph_driver.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include "common/revgraph.h"

#define MAX_LINE (1024 * 1024)

static MigrateRevNode *nodes;
static int	nnodes;
static MigrateGraph *graph;

/* Split a comma list ("-" is empty) into palloc'd strings. */
static int
split_list(const char *s, char ***out)
{
	int			n = 0;
	const char *p;
	char	  **items;

	if (strcmp(s, "-") == 0 || s[0] == '\0')
	{
		*out = NULL;
		return 0;
	}
	for (p = s; *p; p++)
		n += (*p == ',');
	items = palloc(sizeof(char *) * (n + 1));
	n = 0;
	while (true)
	{
		const char *comma = strchr(s, ',');
		size_t		len = comma ? (size_t) (comma - s) : strlen(s);

		items[n++] = pnstrdup(s, len);
		if (!comma)
			break;
		s = comma + 1;
	}
	*out = items;
	return n;
}

/* Free a list made by split_list. */
static void
free_list(const char *const *items, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		pfree((char *) items[i]);
	if (items)
		pfree((char **) items);
}

/* Free the current graph and the revisions it was built from. */
static void
free_graph(void)
{
	int			i;

	if (graph)
		migrate_graph_free(graph);
	graph = NULL;
	for (i = 0; i < nnodes; i++)
	{
		pfree((char *) nodes[i].revision);
		free_list(nodes[i].revises, nodes[i].nrevises);
		free_list(nodes[i].depends_on, nodes[i].ndepends_on);
		free_list(nodes[i].branch_labels, nodes[i].nbranch_labels);
	}
	if (nodes)
		pfree(nodes);
	nodes = NULL;
	nnodes = 0;
}

/* Rows given as ids, turned into node numbers (-1 for unknown ones). */
static int *
parse_rows(const char *s, int *nrows)
{
	char	  **ids;
	int			n = split_list(s ? s : "-", &ids);
	int		   *rows = palloc(sizeof(int) * (n + 1));
	int			i;

	for (i = 0; i < n; i++)
		rows[i] = migrate_graph_find(graph, ids[i]);
	free_list((const char *const *) ids, n);
	*nrows = n;
	return rows;
}

static void
print_list(const int *v, int n)
{
	int			i;

	if (n == 0)
		fputs("-", stdout);
	for (i = 0; i < n; i++)
		printf("%s%s", i ? "," : "", migrate_graph_id(graph, v[i]));
}

static void
print_error(const MigrateGraphError *err)
{
	printf("ERR %d %s", (int) err->code, err->message ? err->message : "");
	if (err->detail)
		printf(" | %s", err->detail);
	printf("\n");
}

/* Next whitespace-separated word of *p, or NULL. */
static char *
next_word(char **p)
{
	char	   *s = *p;
	char	   *w;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return NULL;
	w = s;
	while (*s && *s != ' ')
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return w;
}

int
main(void)
{
	char	   *line = palloc(MAX_LINE);
	int		   *buf = NULL;

	while (fgets(line, MAX_LINE, stdin))
	{
		char	   *p = line;
		char	   *cmd;
		MigrateGraphError err;
		MigratePlan plan;

		line[strcspn(line, "\n")] = '\0';
		cmd = next_word(&p);
		if (cmd == NULL)
			continue;
		if (strcmp(cmd, "GRAPH") == 0)
		{
			int			i;
			char	   *count = next_word(&p);

			free_graph();
			if (buf)
				pfree(buf);
			nnodes = count ? atoi(count) : 0;
			nodes = palloc0(sizeof(MigrateRevNode) * (nnodes + 1));
			for (i = 0; i < nnodes; i++)
			{
				char	   *q;
				char	  **list;

				if (!fgets(line, MAX_LINE, stdin))
					return 1;
				line[strcspn(line, "\n")] = '\0';
				q = line;
				next_word(&q);
				nodes[i].revision = pstrdup(next_word(&q));
				nodes[i].nrevises = split_list(next_word(&q), &list);
				nodes[i].revises = (const char *const *) list;
				nodes[i].ndepends_on = split_list(next_word(&q), &list);
				nodes[i].depends_on = (const char *const *) list;
				nodes[i].nbranch_labels = split_list(next_word(&q), &list);
				nodes[i].branch_labels = (const char *const *) list;
			}
			graph = migrate_graph_build(nodes, nnodes, &err);
			buf = palloc(sizeof(int) * (nnodes + 1));
			if (graph)
				printf("OK\n");
			else
			{
				print_error(&err);
				migrate_graph_error_free(&err);
			}
		}
		else if (graph == NULL)
			printf("ERR -1 no graph\n");
		else if (strcmp(cmd, "HEADS") == 0 || strcmp(cmd, "BASES") == 0 ||
				 strcmp(cmd, "HISTORY") == 0)
		{
			int			n = cmd[0] == 'H' && cmd[1] == 'E' ?
				migrate_graph_heads(graph, buf) :
				cmd[0] == 'B' ? migrate_graph_bases(graph, buf) :
				migrate_graph_history(graph, buf);

			printf("OK ");
			print_list(buf, n);
			printf("\n");
		}
		else if (strcmp(cmd, "UPGRADE") == 0 || strcmp(cmd, "DOWNGRADE") == 0 ||
				 strcmp(cmd, "STAMP") == 0)
		{
			int			nrows;
			int		   *rows = parse_rows(next_word(&p), &nrows);
			const char *targets[64];
			int			ntargets = 0;
			char	   *w;
			bool		ok;

			while ((w = next_word(&p)) != NULL && ntargets < 64)
				targets[ntargets++] = w;
			if (ntargets == 0)
				targets[ntargets++] = "";
			if (cmd[0] == 'U')
				ok = migrate_plan_upgrade(graph, rows, nrows, targets[0], &plan, &err);
			else if (cmd[0] == 'D')
				ok = migrate_plan_downgrade(graph, rows, nrows, targets[0], &plan, &err);
			else
				ok = migrate_plan_stamp(graph, rows, nrows, targets, ntargets, &plan, &err);
			if (!ok)
			{
				print_error(&err);
				migrate_graph_error_free(&err);
			}
			else
			{
				printf("OK ");
				print_list(plan.steps, plan.nsteps);
				printf(" ");
				print_list(plan.rows, plan.nrows);
				printf("\n");
				migrate_plan_free(&plan);
			}
			pfree(rows);
		}
		else if (strcmp(cmd, "RANGE") == 0)
		{
			int			nrows;
			int		   *rows = parse_rows(next_word(&p), &nrows);
			char	   *range = next_word(&p);
			int			n;

			if (migrate_graph_range(graph, rows, nrows, range ? range : "", buf, &n, &err))
			{
				printf("OK ");
				print_list(buf, n);
				printf("\n");
			}
			else
			{
				print_error(&err);
				migrate_graph_error_free(&err);
			}
			pfree(rows);
		}
		else
			printf("ERR -1 unknown command\n");
		fflush(stdout);
	}
	free_graph();
	if (buf)
		pfree(buf);
	pfree(line);
	return 0;
}
