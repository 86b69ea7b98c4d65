/*-------------------------------------------------------------------------
 *
 * fuzz_revtarget.c
 *	  libFuzzer harness for the target parser and the history-range parser.
 *
 * The first input byte picks one of a few fixed graphs (a line, branches
 * with labels and a merge, ids containing '-', a second base depending on
 * a branch) and a set of current rows; the rest is the target text, any
 * bytes up to the first NUL.  Where fuzz_revgraph builds targets from the
 * grammar's tokens, this one feeds raw text, so that digits past INT_MAX,
 * several '@', stray signs and odd bytes reach the parser.  Checks:
 *
 *	- the split into branch, symbol and steps agrees with the text: the
 *	  sign of the steps is the sign written, a branch is what precedes
 *	  the first '@', and the parts are substrings of the target;
 *	- an upgrade runs only unapplied revisions, each after its parents and
 *	  dependencies; a downgrade only applied ones, each after what revises
 *	  or depends on it; the rows after either are canonical;
 *	- an upgrade never removes, a downgrade never adds;
 *	- a history range lists each revision at most once;
 *	- an error has a message without a final period, detail and hint are
 *	  sentences.
 *
 * A broken invariant aborts, which libFuzzer reports as a crash.
 *
 * IDENTIFICATION
 *	  test/fuzz/fuzz_revtarget.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <stdint.h>

#include "common/revgraph_int.h"
#include "fuzz_graph_checks.h"

#define MAX_NODES	8
#define MAX_TARGET	512

extern int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One revision of a fixed graph; parents and dependencies by index. */
typedef struct FixedNode
{
	const char *id;
	const char *label;
	int			parents[2];
	int			nparents;
	int			deps[1];
	int			ndeps;
} FixedNode;

typedef struct FixedGraph
{
	int			n;
	FixedNode	nodes[MAX_NODES];
} FixedGraph;

static const FixedGraph graphs[] = {
	/* a line of three with a label on the base */
	{3, {
			{"a1b2c3d4", "main", {0}, 0, {0}, 0},
			{"b2c3d4e5", NULL, {0}, 1, {0}, 0},
			{"c3d4e5f6", NULL, {1}, 1, {0}, 0},
	}},
	/* two labelled branches from one base, merged; a second base */
	{6, {
			{"aaaa1111", NULL, {0}, 0, {0}, 0},
			{"bbbb2222", "left", {0}, 1, {0}, 0},
			{"bbbb3333", "right", {0}, 1, {0}, 0},
			{"cccc4444", NULL, {1, 2}, 2, {0}, 0},
			{"dddd5555", "other", {0}, 0, {1}, 1},
			{"dddd6666", NULL, {4}, 1, {0}, 0},
	}},
	/* ids with '-' and digits that look like relative steps */
	{4, {
			{"x-1", NULL, {0}, 0, {0}, 0},
			{"x-2", "br-1", {0}, 1, {0}, 0},
			{"12345", NULL, {1}, 1, {0}, 0},
			{"x-1a", NULL, {0}, 1, {0}, 0},
	}},
	/* two unrelated heads */
	{4, {
			{"head1", "h1", {0}, 0, {0}, 0},
			{"head2", "h2", {0}, 0, {0}, 0},
			{"base", NULL, {0}, 1, {0}, 0},
			{"heads", NULL, {1}, 1, {0}, 0},
	}},
};

#define NGRAPHS ((int) lengthof(graphs))

/* Whether node k revises or depends on node s in the fixed graph. */
static bool
is_below(const FixedGraph *fg, int k, int s)
{
	const FixedNode *nd = &fg->nodes[k];
	int			j;

	for (j = 0; j < nd->nparents; j++)
		if (nd->parents[j] == s)
			return true;
	for (j = 0; j < nd->ndeps; j++)
		if (nd->deps[j] == s)
			return true;
	return false;
}

/* Check a plan's steps against before; rows against the final state. */
static void
check_plan(const MigrateGraph *g, const FixedGraph *fg, const bool *before,
		   const MigratePlan *plan, bool up, const char *target)
{
	bool		state[MAX_NODES];
	bool		after[MAX_NODES];
	int			canon[MAX_NODES];
	int			ncanon;
	int			i,
				k;

	memcpy(state, before, sizeof(state));
	for (i = 0; i < plan->nsteps; i++)
	{
		int			s = plan->steps[i];

		if (s < 0 || s >= fg->n)
			fail("step out of range", target);
		if (state[s] != !up)
			fail(up ? "upgrade step already applied or repeated" :
				 "downgrade step not applied or repeated", target);
		for (k = 0; k < fg->n; k++)
		{
			if (up && is_below(fg, s, k) && !state[k])
				fail("upgrade step before its parent or dependency", target);
			if (!up && state[k] && is_below(fg, k, s))
				fail("downgrade step before its child", target);
		}
		state[s] = up;
	}
	migrate_graph_applied(g, plan->rows, plan->nrows, after);
	for (k = 0; k < fg->n; k++)
	{
		if (after[k] != state[k])
			fail("rows do not imply what was applied", target);
		if (up && before[k] && !after[k])
			fail("upgrade removed a revision", target);
		if (!up && !before[k] && after[k])
			fail("downgrade added a revision", target);
	}
	ncanon = migrate_graph_rows(g, after, canon);
	if (ncanon != plan->nrows)
		fail("rows are not canonical", target);
	for (i = 0; i < ncanon; i++)
		if (canon[i] != plan->rows[i])
			fail("rows are not canonical", target);
}

/* Check the split of a target into branch, symbol and steps. */
static void
check_parse(const MigrateGraph *g, const char *target)
{
	MigrateScratch s;
	ParsedTarget pt;
	const char *at = strchr(target, '@');
	const char *rest;

	migrate_scratch_init(&s);
	migrate_target_parse(g, target, &pt, &s);
	if (pt.branch != NULL)
	{
		if (at == NULL || at == target ||
			strncmp(pt.branch, target, at - target) != 0 ||
			pt.branch[at - target] != '\0')
			fail("branch is not the text before the first '@'", target);
	}
	rest = pt.branch != NULL ? at + 1 : target;
	if (pt.symbol != NULL && !pt.relative && pt.branch == NULL &&
		strcmp(pt.symbol, target) != 0)
		fail("absolute symbol is not the whole target", target);
	if (pt.relative)
	{
		const char *sign = rest;

		if (migrate_graph_lookup(g, target, NULL) >= 0)
			fail("a whole id or label read as relative", target);
		if (pt.symbol != NULL)
		{
			if (strncmp(rest, pt.symbol, strlen(pt.symbol)) != 0)
				fail("symbol is not the text after the branch", target);
			sign = rest + strlen(pt.symbol);
		}
		if (*sign != '+' && *sign != '-')
			fail("relative target without a sign after its symbol", target);
		if ((*sign == '+' && pt.steps < 0) || (*sign == '-' && pt.steps > 0))
			fail("relative steps with the wrong sign", target);
	}
	else if (pt.symbol == NULL)
		fail("absolute target without a symbol", target);
	migrate_scratch_free(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const FixedGraph *fg;
	MigrateRevNode nodes[MAX_NODES];
	const char *parents[MAX_NODES][2];
	const char *deps[MAX_NODES][1];
	const char *labels[MAX_NODES][1];
	MigrateGraph *g;
	MigrateGraphError err = {0};
	MigratePlan plan;
	char		target[MAX_TARGET + 1];
	const char *stamps[1];
	bool		before[MAX_NODES];
	int			rows[MAX_NODES];
	int			nrows = 0;
	int			out[MAX_NODES];
	int			nout;
	size_t		tlen;
	int			sel;
	int			i,
				j;

	if (size < 1)
		return 0;
	sel = data[0];
	fg = &graphs[sel % NGRAPHS];
	tlen = Min(size - 1, (size_t) MAX_TARGET);
	memcpy(target, data + 1, tlen);
	target[tlen] = '\0';

	memset(nodes, 0, sizeof(nodes));
	for (i = 0; i < fg->n; i++)
	{
		const FixedNode *fn = &fg->nodes[i];

		for (j = 0; j < fn->nparents; j++)
			parents[i][j] = fg->nodes[fn->parents[j]].id;
		for (j = 0; j < fn->ndeps; j++)
			deps[i][j] = fg->nodes[fn->deps[j]].id;
		labels[i][0] = fn->label;
		nodes[i].revision = fn->id;
		nodes[i].revises = parents[i];
		nodes[i].nrevises = fn->nparents;
		nodes[i].depends_on = deps[i];
		nodes[i].ndepends_on = fn->ndeps;
		nodes[i].branch_labels = labels[i];
		nodes[i].nbranch_labels = fn->label ? 1 : 0;
	}
	g = migrate_graph_build(nodes, fg->n, &err);
	if (g == NULL)
		fail("a fixed graph does not build", err.message);

	/* current rows: a subset picked by the upper bits of the first byte */
	for (i = 0; i < fg->n && i < 4; i++)
		if (sel & (16 << i))
			rows[nrows++] = (i * 3 + (sel >> 2)) % fg->n;
	/* the same node twice is possible: keep rows distinct */
	for (i = 0; i < nrows; i++)
		for (j = i + 1; j < nrows; j++)
			if (rows[j] == rows[i])
				rows[j--] = rows[--nrows];
	migrate_graph_applied(g, rows, nrows, before);

	check_parse(g, target);

	if (migrate_plan_upgrade(g, rows, nrows, target, &plan, &err))
	{
		check_plan(g, fg, before, &plan, true, target);
		migrate_plan_free(&plan);
	}
	else
	{
		check_error(&err);
		migrate_graph_error_free(&err);
	}

	if (migrate_plan_downgrade(g, rows, nrows, target, &plan, &err))
	{
		check_plan(g, fg, before, &plan, false, target);
		migrate_plan_free(&plan);
	}
	else
	{
		check_error(&err);
		migrate_graph_error_free(&err);
	}

	stamps[0] = target;
	if (migrate_plan_stamp(g, rows, nrows, stamps, 1, &plan, &err))
	{
		if (plan.nsteps != 0)
			fail("stamp with steps", target);
		migrate_plan_free(&plan);
	}
	else
	{
		check_error(&err);
		migrate_graph_error_free(&err);
	}

	if (migrate_graph_range(g, rows, nrows, target, out, &nout, &err))
	{
		bool		seen[MAX_NODES] = {0};

		if (nout < 0 || nout > fg->n)
			fail("range length out of range", target);
		for (i = 0; i < nout; i++)
		{
			if (out[i] < 0 || out[i] >= fg->n || seen[out[i]])
				fail("range lists a revision twice or out of range", target);
			seen[out[i]] = true;
		}
	}
	else
	{
		check_error(&err);
		migrate_graph_error_free(&err);
	}

	migrate_graph_free(g);
	return 0;
}
