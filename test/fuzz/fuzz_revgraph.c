/*-------------------------------------------------------------------------
 *
 * fuzz_revgraph.c
 *	  libFuzzer harness for the revision graph.
 *
 * The input bytes are read as a small random graph (ids from a tiny
 * alphabet so that prefixes collide, random parents, dependencies and
 * branch labels, possibly invalid), a set of current rows and a target
 * string made of the grammar's tokens.  When the graph builds, the target
 * is planned as an upgrade, a downgrade, a stamp and a history range, and
 * every answer is checked:
 *
 *	- an upgrade runs only revisions not yet applied, each after all its
 *	  parents and dependencies;
 *	- a downgrade runs only applied revisions, each after every applied
 *	  revision that revises or depends on it;
 *	- the rows after any plan are canonical and imply exactly what was
 *	  applied before, plus or minus the steps;
 *	- an error has a non-empty message without a final period, and its
 *	  detail and hint, when given, are sentences ending in one.
 *
 * A broken invariant aborts, which libFuzzer reports as a crash.
 * Everything is freed, so the leak checker watches the error paths too.
 *
 * IDENTIFICATION
 *	  test/fuzz/fuzz_revgraph.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <stdint.h>

#include "common/revgraph.h"
#include "fuzz_graph_checks.h"

#define MAX_NODES	8
#define MAX_EDGES	3

extern int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input, read one byte at a time; zeros once it runs out. */
typedef struct Input
{
	const uint8_t *data;
	size_t		size;
	size_t		pos;
} Input;

/* One generated revision, with the edges as node numbers. */
typedef struct FuzzNode
{
	char		id[8];
	char		label[8];
	const char *parents[MAX_EDGES];
	const char *deps[MAX_EDGES];
	const char *labels[1];
	int			down[2 * MAX_EDGES];	/* parents and dependencies */
	int			ndown;
} FuzzNode;

static const char id_alphabet[] = "aaaabbbb1111_-+@";
static const char *const label_names[] = {"L1", "L2", "ab", "head"};

static int
next_byte(Input *in)
{
	return in->pos < in->size ? in->data[in->pos++] : 0;
}

/* Check that rows are canonical and imply exactly expect. */
static void
check_rows(const MigrateGraph *g, const int *rows, int nrows,
		   const bool *expect)
{
	int			n = migrate_graph_size(g);
	bool	   *applied = palloc0(sizeof(bool) * (n + 1));
	int		   *canon = palloc(sizeof(int) * (n + 1));
	int			ncanon;
	int			i;

	migrate_graph_applied(g, rows, nrows, applied);
	for (i = 0; i < n; i++)
		if (applied[i] != expect[i])
			fail("rows do not imply what was applied", migrate_graph_id(g, i));
	ncanon = migrate_graph_rows(g, applied, canon);
	if (ncanon != nrows)
		fail("rows are not canonical", NULL);
	for (i = 0; i < nrows; i++)
		if (rows[i] < 0 || rows[i] >= n || canon[i] != rows[i])
			fail("rows are not canonical", NULL);
	pfree(applied);
	pfree(canon);
}

/* Check a successful upgrade (up) or downgrade plan. */
static void
check_plan(const MigrateGraph *g, const FuzzNode *fn, const bool *before,
		   const MigratePlan *plan, bool up)
{
	int			n = migrate_graph_size(g);
	bool	   *state = palloc(sizeof(bool) * (n + 1));
	int			i,
				j,
				k;

	memcpy(state, before, sizeof(bool) * n);
	for (i = 0; i < plan->nsteps; i++)
	{
		int			s = plan->steps[i];

		if (s < 0 || s >= n)
			fail("step out of range", NULL);
		if (state[s] != !up)
			fail(up ? "upgrade step already applied or repeated" :
				 "downgrade step not applied or repeated",
				 migrate_graph_id(g, s));
		if (up)
		{
			for (j = 0; j < fn[s].ndown; j++)
				if (!state[fn[s].down[j]])
					fail("upgrade step before its parent or dependency",
						 migrate_graph_id(g, s));
		}
		else
		{
			/* nothing still applied may revise or depend on s */
			for (k = 0; k < n; k++)
				if (state[k])
					for (j = 0; j < fn[k].ndown; j++)
						if (fn[k].down[j] == s)
							fail("downgrade step before its child",
								 migrate_graph_id(g, s));
		}
		state[s] = up;
	}
	check_rows(g, plan->rows, plan->nrows, state);
	pfree(state);
}

/* A target made of one to three tokens of the grammar. */
static void
make_target(Input *in, const FuzzNode *fn, int n, char *out, size_t size)
{
	int			ntok = 1 + next_byte(in) % 3;
	int			t;

	out[0] = '\0';
	for (t = 0; t < ntok; t++)
	{
		int			b = next_byte(in);
		const FuzzNode *nd = &fn[(b >> 4) % n];
		char		tok[16];

		switch (b % 12)
		{
			case 0:
				strcpy(tok, "head");
				break;
			case 1:
				strcpy(tok, "heads");
				break;
			case 2:
				strcpy(tok, "base");
				break;
			case 3:
				strcpy(tok, "current");
				break;
			case 4:
				strcpy(tok, nd->id);
				break;
			case 5:
				strlcpy(tok, nd->id, 1 + (b >> 4) % 4);
				break;
			case 6:
				strcpy(tok, nd->label[0] ? nd->label : "L1");
				break;
			case 7:
				snprintf(tok, sizeof(tok), "+%d", (b >> 4) % 4);
				break;
			case 8:
				snprintf(tok, sizeof(tok), "-%d", (b >> 4) % 4);
				break;
			case 9:
				strcpy(tok, "@");
				break;
			case 10:
				strcpy(tok, ":");
				break;
			default:
				strcpy(tok, " ");
				break;
		}
		strlcat(out, tok, size);
	}
}

/* Split target at blanks into at most 3 stamp targets (in place). */
static int
split_targets(char *text, const char **out)
{
	int			n = 0;
	char	   *p = text;

	while (n < 3)
	{
		char	   *sp = strchr(p, ' ');

		out[n++] = p;
		if (sp == NULL)
			break;
		*sp = '\0';
		p = sp + 1;
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Input		in = {data, size, 0};
	FuzzNode	fn[MAX_NODES];
	MigrateRevNode nodes[MAX_NODES];
	MigrateGraph *g;
	MigrateGraphError err;
	MigratePlan plan;
	int			n = 1 + next_byte(&in) % MAX_NODES;
	int			rows[MAX_NODES];
	int			nrows = 0;
	bool		before[MAX_NODES];
	int			out[MAX_NODES];
	int			nout;
	char		target[64];
	char		stamp_text[64];
	const char *stamps[3];
	int			nstamps;
	int			i,
				j;

	memset(fn, 0, sizeof(fn));
	memset(nodes, 0, sizeof(nodes));
	for (i = 0; i < n; i++)
	{
		int			len = 1 + next_byte(&in) % 4;

		for (j = 0; j < len; j++)
			fn[i].id[j] = id_alphabet[next_byte(&in) % (sizeof(id_alphabet) - 1)];
		if (next_byte(&in) % 4 == 0)
			strcpy(fn[i].label, label_names[next_byte(&in) % 4]);
	}
	for (i = 0; i < n; i++)
	{
		int			b = next_byte(&in);
		int			np = b % (i == 0 ? 1 : 3);
		int			nd = (b >> 2) % 4 == 0 ? 1 : 0;

		nodes[i].revision = fn[i].id;
		nodes[i].revises = fn[i].parents;
		nodes[i].depends_on = fn[i].deps;
		nodes[i].branch_labels = fn[i].labels;
		if (fn[i].label[0])
		{
			fn[i].labels[0] = fn[i].label;
			nodes[i].nbranch_labels = 1;
		}
		/* parents mostly earlier in the list; a later one may make a cycle */
		for (j = 0; j < np; j++)
		{
			int			c = next_byte(&in);
			int			p = c % 16 == 0 ? (c >> 4) % n : (c >> 4) % (i > 0 ? i : 1);

			fn[i].parents[nodes[i].nrevises++] = c % 32 == 1 ? "zz" : fn[p].id;
			fn[i].down[fn[i].ndown++] = p;
		}
		for (j = 0; j < nd; j++)
		{
			int			c = next_byte(&in);
			int			d = (c >> 2) % n;

			fn[i].deps[nodes[i].ndepends_on++] =
				c % 4 == 0 && fn[d].label[0] ? fn[d].label : fn[d].id;
			fn[i].down[fn[i].ndown++] = d;
		}
	}

	g = migrate_graph_build(nodes, n, &err);
	if (g == NULL)
	{
		check_error(&err);
		if (err.code != MIGRATE_GRAPH_INVALID)
			fail("build failed with a code other than \"invalid\"", err.message);
		migrate_graph_error_free(&err);
		return 0;
	}
	if (migrate_graph_size(g) != n)
		fail("graph size", NULL);
	nout = migrate_graph_history(g, out);
	if (nout != n)
		fail("history does not list every revision", NULL);

	/* current rows: any subset, not necessarily canonical */
	j = next_byte(&in);
	for (i = 0; i < n; i++)
		if (j & (1 << i))
			rows[nrows++] = i;
	migrate_graph_applied(g, rows, nrows, before);
	make_target(&in, fn, n, target, sizeof(target));

	if (migrate_plan_upgrade(g, rows, nrows, target, &plan, &err))
	{
		check_plan(g, fn, before, &plan, true);
		migrate_plan_free(&plan);
	}
	else
	{
		check_error(&err);
		migrate_graph_error_free(&err);
	}

	if (migrate_plan_downgrade(g, rows, nrows, target, &plan, &err))
	{
		check_plan(g, fn, before, &plan, false);
		migrate_plan_free(&plan);
	}
	else
	{
		check_error(&err);
		migrate_graph_error_free(&err);
	}

	strlcpy(stamp_text, target, sizeof(stamp_text));
	nstamps = split_targets(stamp_text, stamps);
	if (migrate_plan_stamp(g, rows, nrows, stamps, nstamps, &plan, &err))
	{
		bool		after[MAX_NODES];

		if (plan.nsteps != 0)
			fail("stamp with steps", target);
		migrate_graph_applied(g, plan.rows, plan.nrows, after);
		check_rows(g, plan.rows, plan.nrows, after);
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

		for (i = 0; i < nout; i++)
		{
			if (out[i] < 0 || out[i] >= n || seen[out[i]])
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
