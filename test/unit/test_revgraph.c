/*-------------------------------------------------------------------------
 *
 * test_revgraph.c
 *	  Unit tests of the revision graph (src/revgraph.c).
 *
 * Graphs are written compactly: "id parents deps labels" per revision,
 * revisions separated by ';', lists comma-separated, "-" for none.
 * Plans are checked as the text "steps | rows" or "ERR code".
 *
 * IDENTIFICATION
 *	  test/unit/test_revgraph.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include "lib/stringinfo.h"

#include "common/revgraph.h"
#include "tap.h"

static MigrateGraph *g;
static MigrateGraphError gerr;

/* Comma list ("-" = empty) into a palloc'd array. */
static int
split(const char *s, const char ***out, char sep)
{
	const char **items = palloc(sizeof(char *) * (strlen(s) + 1));
	int			n = 0;

	*out = items;
	if (strcmp(s, "-") == 0 || *s == '\0')
		return 0;
	while (true)
	{
		const char *e = strchr(s, sep);

		items[n++] = e ? pnstrdup(s, e - s) : pstrdup(s);
		if (!e)
			return n;
		s = e + 1;
	}
}

/* Build the graph of spec into g (NULL and gerr set on failure). */
static MigrateGraph *
build(const char *spec)
{
	const char **revs;
	int			n = split(spec, &revs, ';');
	MigrateRevNode *nodes = palloc0(sizeof(MigrateRevNode) * (n + 1));
	int			i;

	for (i = 0; i < n; i++)
	{
		const char **f;
		const char **l;

		split(revs[i], &f, ' ');
		nodes[i].revision = f[0];
		nodes[i].nrevises = split(f[1], &l, ',');
		nodes[i].revises = l;
		nodes[i].ndepends_on = split(f[2], &l, ',');
		nodes[i].depends_on = l;
		nodes[i].nbranch_labels = split(f[3], &l, ',');
		nodes[i].branch_labels = l;
	}
	g = migrate_graph_build(nodes, n, &gerr);
	return g;
}

static char *
list_text(const int *v, int n)
{
	StringInfoData b;
	int			i;

	initStringInfo(&b);
	if (n == 0)
		appendStringInfoString(&b, "-");
	for (i = 0; i < n; i++)
		appendStringInfo(&b, "%s%s", i ? "," : "", migrate_graph_id(g, v[i]));
	return b.data;
}

static int *
rows_of(const char *csv, int *n)
{
	const char **ids;
	int			k = split(csv, &ids, ',');
	int		   *rows = palloc(sizeof(int) * (k + 1));
	int			i;

	for (i = 0; i < k; i++)
		rows[i] = migrate_graph_find(g, ids[i]);
	*n = k;
	return rows;
}

/* "steps | rows" or "ERR code" for op 'u', 'd' or 's' (targets by ' '). */
static char *
plan(char op, const char *rows_csv, const char *target)
{
	int			nrows;
	int		   *rows = rows_of(rows_csv, &nrows);
	MigratePlan p;
	bool		ok;

	if (op == 'u')
		ok = migrate_plan_upgrade(g, rows, nrows, target, &p, &gerr);
	else if (op == 'd')
		ok = migrate_plan_downgrade(g, rows, nrows, target, &p, &gerr);
	else
	{
		const char **t;
		int			nt = split(target, &t, ' ');

		ok = migrate_plan_stamp(g, rows, nrows, t, nt, &p, &gerr);
	}
	if (!ok)
		return psprintf("ERR %d", (int) gerr.code);
	return psprintf("%s | %s", list_text(p.steps, p.nsteps),
					list_text(p.rows, p.nrows));
}

static char *
range(const char *rows_csv, const char *r)
{
	int			nrows;
	int		   *rows = rows_of(rows_csv, &nrows);
	int		   *out = palloc(sizeof(int) * (migrate_graph_size(g) + 1));
	int			n;

	if (!migrate_graph_range(g, rows, nrows, r, out, &n, &gerr))
		return psprintf("ERR %d", (int) gerr.code);
	return list_text(out, n);
}

static char *
listing(int (*fn) (const MigrateGraph *, int *))
{
	int		   *out = palloc(sizeof(int) * (migrate_graph_size(g) + 1));

	return list_text(out, fn(g, out));
}

#define E(code) psprintf("ERR %d", (int) (code))

static void
test_validation(void)
{
	TAP_OK(build("a - - -;b a - -") != NULL, "simple chain builds");
	TAP_OK(build("b a - -;a - - -") != NULL, "children may come before parents");
	TAP_OK(build("a - - -;b - - -") != NULL, "several roots are fine");
	TAP_OK(build("") != NULL && migrate_graph_size(g) == 0, "empty graph builds");

	TAP_OK(build("a - - -;a - - -") == NULL && gerr.code == MIGRATE_GRAPH_INVALID,
		   "duplicate id is invalid");
	TAP_STREQ(gerr.message, "revision \"a\" is defined more than once", "duplicate id message");
	TAP_OK(build("a - - -;b x - -") == NULL && gerr.code == MIGRATE_GRAPH_INVALID,
		   "unknown parent is invalid");
	TAP_STREQ(gerr.message, "revision \"b\" revises unknown revision \"x\"", "unknown parent message");
	TAP_OK(build("a - - -;b a x -") == NULL, "unknown dependency is invalid");
	TAP_STREQ(gerr.message, "revision \"b\" depends on unknown revision or branch \"x\"",
			  "unknown dependency message");
	TAP_OK(build("a - - l1;b - - l1") == NULL && gerr.code == MIGRATE_GRAPH_INVALID,
		   "duplicate branch label is invalid");
	TAP_STREQ(gerr.message, "branch label \"l1\" of revision \"b\" is already used",
			  "duplicate label message");
	TAP_STREQ(gerr.detail, "Revision \"a\" has the same branch label.", "duplicate label detail");
	TAP_OK(build("a - - b;b - - -") == NULL, "label equal to an id is invalid");
	TAP_OK(build("a a - -") == NULL, "self parent is invalid");
	TAP_STREQ(gerr.message, "revision \"a\" revises itself", "self parent message");
	TAP_OK(build("a - a -") == NULL, "self dependency is invalid");
	TAP_OK(build("a c - -;b a - -;c b - -;d - - -") == NULL &&
		   gerr.code == MIGRATE_GRAPH_INVALID, "cycle is invalid");
	TAP_OK(gerr.message && strstr(gerr.message, "cycle") != NULL, "cycle message names a cycle");
	TAP_OK(gerr.detail && strstr(gerr.detail, "\"a\"") && strstr(gerr.detail, "\"b\"") &&
		   strstr(gerr.detail, "\"c\"") && !strstr(gerr.detail, "\"d\""),
		   "cycle detail lists the revisions on it");
	TAP_OK(build("r - - -;a r,c - -;b a - -;c b - -") == NULL,
		   "cycle reachable from a base is found");
	TAP_OK(build("a - - -;b a c -;c b - -") == NULL, "dependency cycle is invalid");
	TAP_OK(build("a - - -;b a,a - -") == NULL, "parent listed twice is invalid");
	TAP_OK(build("a@x - - -") == NULL, "id with @ is invalid");
	TAP_OK(build("a - - -;b - - lab;c a lab -") != NULL, "dependency on a branch label");
}

static void
test_heads(void)
{
	MigrateNodeInfo info;

	build("a - - -;b a - -;c a - -;m b,c - -;x - m -");
	TAP_STREQ(listing(migrate_graph_heads), "m,x", "heads: a dependency does not end a head");
	build("a - - -;b a - -;c - b -");
	TAP_STREQ(listing(migrate_graph_heads), "b,c", "heads lists revisions nothing revises");
	TAP_STREQ(listing(migrate_graph_bases), "a,c", "bases include a root with dependencies");
	TAP_STREQ(plan('u', "-", "heads"), "a,b,c | c", "\"heads\" means the real heads");
	build("a - - -;b a - -;c a - -;m b,c - -");
	migrate_graph_node_info(g, migrate_graph_find(g, "a"), &info);
	TAP_OK(info.is_base && info.is_branch_point && !info.is_head && !info.is_merge_point,
		   "a is base and branch point");
	migrate_graph_node_info(g, migrate_graph_find(g, "m"), &info);
	TAP_OK(info.is_head && info.is_merge_point && !info.is_base, "m is head and merge point");
	TAP_STREQ(listing(migrate_graph_history), "m,b,c,a", "history newest first");
	TAP_OK(migrate_graph_find(g, "zz") == -1, "find of unknown id");
}

static void
test_targets(void)
{
	build("a1b2c3 - - -;a1b2d4 a1b2c3 - -;ffff01 a1b2d4 - -");
	TAP_STREQ(plan('u', "-", "head"), "a1b2c3,a1b2d4,ffff01 | ffff01", "upgrade head");
	TAP_STREQ(plan('u', "-", "a1b2d4"), "a1b2c3,a1b2d4 | a1b2d4", "upgrade to full id");
	TAP_STREQ(plan('u', "-", "ffff"), "a1b2c3,a1b2d4,ffff01 | ffff01", "upgrade to prefix");
	TAP_STREQ(plan('u', "-", "a1b2"), E(MIGRATE_GRAPH_AMBIGUOUS), "ambiguous prefix");
	TAP_OK(gerr.detail && strstr(gerr.detail, "\"a1b2c3\"") && strstr(gerr.detail, "\"a1b2d4\""),
		   "ambiguous prefix lists candidates");
	TAP_STREQ(plan('u', "-", "zzzz"), E(MIGRATE_GRAPH_UNKNOWN_REVISION), "unknown revision");
	TAP_STREQ(gerr.message, "revision \"zzzz\" does not exist", "unknown revision message");
	TAP_STREQ(plan('u', "-", "+1"), "a1b2c3 | a1b2c3", "upgrade +1 from nothing");
	TAP_STREQ(plan('u', "a1b2c3", "+2"), "a1b2d4,ffff01 | ffff01", "upgrade +2");
	TAP_STREQ(plan('u', "a1b2c3", "+3"), E(MIGRATE_GRAPH_BAD_TARGET), "upgrade past head");
	TAP_STREQ(plan('u', "-", "a1b2c3+1"), "a1b2c3,a1b2d4 | a1b2d4", "upgrade rev+1");
	TAP_STREQ(plan('u', "-", "ffff01-1"), "a1b2c3,a1b2d4 | a1b2d4", "upgrade rev-1");
	TAP_STREQ(plan('u', "-", "a1b2c3-1"), "- | -", "upgrade rev-1 landing on base plans nothing");
	TAP_STREQ(plan('u', "-", "a1b2c3-2"), E(MIGRATE_GRAPH_BAD_TARGET), "upgrade rev-2 past base");
	TAP_STREQ(plan('u', "a1b2c3", "-1"), E(MIGRATE_GRAPH_BAD_TARGET), "upgrade -1 refused");
	TAP_STREQ(plan('u', "ffff01", "a1b2c3"), "- | ffff01", "upgrade to an older revision does nothing");
	TAP_STREQ(plan('u', "ffff01", "base"), "- | ffff01", "upgrade base does nothing");
	TAP_STREQ(plan('d', "ffff01", "-1"), "ffff01 | a1b2d4", "downgrade -1");
	TAP_STREQ(plan('d', "ffff01", "-3"), "ffff01,a1b2d4,a1b2c3 | -", "downgrade -3 to base");
	TAP_STREQ(plan('d', "ffff01", "-4"), E(MIGRATE_GRAPH_BAD_TARGET), "downgrade past base");
	TAP_STREQ(plan('d', "ffff01", "+1"), E(MIGRATE_GRAPH_BAD_TARGET), "downgrade +1 refused");
	TAP_STREQ(plan('d', "ffff01", "base"), "ffff01,a1b2d4,a1b2c3 | -", "downgrade base");
	TAP_STREQ(plan('d', "ffff01", "a1b2c"), "ffff01,a1b2d4 | a1b2c3", "downgrade to prefix");
	TAP_STREQ(plan('d', "ffff01", "a1b2c3+1"), "ffff01 | a1b2d4", "downgrade rev+1");
	TAP_STREQ(plan('d', "ffff01", "ffff01-2"), "ffff01,a1b2d4 | a1b2c3", "downgrade rev-2");
	TAP_STREQ(plan('d', "a1b2c3", "ffff01"), E(MIGRATE_GRAPH_BAD_TARGET),
			  "downgrade to a newer revision is refused");
	TAP_STREQ(plan('d', "ffff01", "ffff01"), "- | ffff01", "downgrade to the current revision");
	TAP_STREQ(plan('d', "-", "-1"), E(MIGRATE_GRAPH_BAD_TARGET), "downgrade -1 with nothing applied");
	TAP_STREQ(plan('u', "-", "zz@b"), E(MIGRATE_GRAPH_UNKNOWN_REVISION), "unknown branch");
	TAP_STREQ(gerr.message, "branch \"zz\" does not exist", "unknown branch message");
	TAP_STREQ(plan('u', "-", "1x+2"), E(MIGRATE_GRAPH_UNKNOWN_REVISION),
			  "relative target on an unknown symbol");
	/* step counts past INT_MAX once wrapped to a negative int */
	TAP_STREQ(plan('u', "a1b2c3", "+3000000000"), E(MIGRATE_GRAPH_BAD_TARGET),
			  "upgrade +3000000000 runs past head, not down");
	TAP_STREQ(gerr.message, "relative target \"+3000000000\" goes past the end of the history",
			  "upgrade +3000000000 message");
	TAP_STREQ(plan('d', "ffff01", "-3000000000"), E(MIGRATE_GRAPH_BAD_TARGET),
			  "downgrade -3000000000 runs past base, not up");
	TAP_STREQ(plan('d', "ffff01", "-99999999999999999999"), E(MIGRATE_GRAPH_BAD_TARGET),
			  "downgrade with a 20-digit step count");
	TAP_STREQ(plan('u', "-", "a1b2c3+4294967297"), E(MIGRATE_GRAPH_BAD_TARGET),
			  "rev+N with N past 2^32 is not rev+1");
}

static void
test_branches(void)
{
	/* a - b - c (label "left"), b - d - e (label "right" on d), m merge */
	build("a - - -;b a - -;c b - left;d b - right;e d - -");
	TAP_STREQ(plan('u', "-", "head"), E(MIGRATE_GRAPH_MULTIPLE_HEADS), "head with two heads");
	TAP_STREQ(gerr.message, "multiple heads are present", "multiple heads message");
	TAP_STREQ(gerr.detail, "The heads are \"c\", \"e\".", "multiple heads detail");
	TAP_STREQ(gerr.hint, "Name one head, or use \"heads\" to name them all.", "multiple heads hint");
	TAP_STREQ(plan('u', "-", "heads"), "a,b,d,e,c | c,e", "upgrade heads runs both branches");
	TAP_STREQ(plan('u', "-", "left@head"), "a,b,c | c", "branch@head");
	TAP_STREQ(plan('u', "-", "right@head"), "a,b,d,e | e", "other branch@head");
	TAP_STREQ(plan('u', "-", "right"), "a,b,d | d", "label alone names its revision");
	TAP_STREQ(plan('u', "-", "right@e"), "a,b,d,e | e", "branch@rev");
	TAP_STREQ(plan('u', "-", "right@c"), E(MIGRATE_GRAPH_BAD_TARGET), "branch@rev off the branch");
	TAP_STREQ(plan('u', "b", "+1"), E(MIGRATE_GRAPH_AMBIGUOUS), "+1 at a branch point is ambiguous");
	TAP_STREQ(plan('u', "b", "right@+1"), "d | d", "branch@+1 picks the branch");
	TAP_STREQ(plan('u', "c", "right@+2"), "d,e | c,e", "branch@+2 starts at the branch point");
	TAP_STREQ(plan('u', "c,e", "+1"), E(MIGRATE_GRAPH_MULTIPLE_HEADS),
			  "+1 with several current heads");
	TAP_STREQ(plan('d', "c,e", "-1"), E(MIGRATE_GRAPH_MULTIPLE_HEADS),
			  "-1 with several current heads is refused");
	TAP_OK(gerr.detail && strcmp(gerr.detail, "The current heads are \"c\", \"e\".") == 0,
		   "-1 refusal lists the current heads");
	TAP_STREQ(plan('d', "c,e", "right@-1"), "e | c,d", "branch@-1");
	TAP_STREQ(plan('d', "c,e", "left@-1"), "c | e", "other branch@-1 (b stays implied by e)");
	TAP_STREQ(plan('d', "c,e", "right@base"), "c,e,d,b,a | -", "branch@base with one root drops all");
	TAP_STREQ(plan('d', "c,e", "b"), "c,e,d | b", "downgrade to the branch point");
	TAP_STREQ(plan('d', "c,e", "base"), "c,e,d,b,a | -", "downgrade everything");
	TAP_STREQ(plan('d', "c,e", "left@b"), "c | e", "branch@rev in downgrade");
	TAP_STREQ(plan('u', "-", "right@heads"), "a,b,d,e | e", "branch@heads");
	TAP_STREQ(range("-", ":"), "c,e,d,b,a", "range : lists all");
	TAP_STREQ(range("-", "b:e"), "e,d,b", "range b:e");
	TAP_STREQ(range("-", ":d"), "d,b,a", "range :d");
	TAP_STREQ(range("c,e", "current:"), "c,e", "range current:");
	TAP_STREQ(range("d", ":current"), "d,b,a", "range :current");
	TAP_STREQ(range("-", "c:e"), E(MIGRATE_GRAPH_BAD_TARGET), "range across branches");
	TAP_STREQ(range("-", "b"), E(MIGRATE_GRAPH_BAD_TARGET), "range without colon");
	TAP_STREQ(range("-", "+1:"), E(MIGRATE_GRAPH_BAD_TARGET), "relative range refused");
}

static void
test_merges(void)
{
	build("a - - -;b a - -;c a - -;m b,c - -;n m - -");
	TAP_STREQ(plan('u', "-", "head"), "a,c,b,m,n | n", "upgrade through a merge");
	TAP_STREQ(plan('u', "b", "m"), "c,m | m", "upgrade merges a missing branch");
	TAP_STREQ(plan('d', "n", "-1"), "n | m", "downgrade to the merge");
	TAP_STREQ(plan('d', "m", "-1"), E(MIGRATE_GRAPH_AMBIGUOUS), "-1 below a merge is ambiguous");
	TAP_STREQ(plan('d', "n", "b"), "n,m | b,c", "downgrade to one merged branch keeps the other");
	TAP_STREQ(plan('d', "n", "a"), "n,m,b,c | a", "downgrade below the branch point");
	TAP_STREQ(plan('d', "m", "c"), "m | b,c", "downgrade unmerges");
	TAP_STREQ(plan('s', "n", "b"), "- | b", "stamp down a merge");
	TAP_STREQ(plan('s', "b", "c"), "- | b,c", "stamp a sibling adds a row");
	TAP_STREQ(plan('s', "b,c", "n"), "- | n", "stamp above rows replaces them");
	TAP_STREQ(plan('s', "n", "base"), "- | -", "stamp base clears");
	TAP_STREQ(plan('s', "-", "heads"), "- | n", "stamp heads");
	TAP_STREQ(plan('s', "-", "b c"), "- | b,c", "stamp several targets");
	TAP_STREQ(plan('s', "-", "a b"), "- | b", "stamp keeps canonical rows");
	TAP_STREQ(plan('s', "-", "-1"), E(MIGRATE_GRAPH_BAD_TARGET), "relative stamp refused");
	TAP_STREQ(plan('s', "-", "nope"), E(MIGRATE_GRAPH_UNKNOWN_REVISION), "stamp unknown revision");
}

/*
 * Stamps: one target replaces the current rows on its line of descent and
 * keeps the others (Alembic's _stamp_revs); several targets are stamped in
 * turn, each from the rows the previous one left.
 */
static void
test_stamp(void)
{
	/* a1 with children a2 and b1; a separate line c1 (label "cl") - c2 */
	build("a1 - - -;a2 a1 - -;b1 a1 - -;c1 - - cl;c2 c1 - -");
	TAP_STREQ(plan('s', "a2,b1", "a1"), "- | a1",
			  "stamp below two rows replaces both");
	TAP_STREQ(plan('s', "a2,b1", "a2"), "- | a2,b1", "stamp of a current row changes nothing");
	TAP_STREQ(plan('s', "a2,c1", "a1"), "- | a1,c1", "stamp keeps rows of another line");
	TAP_STREQ(plan('s', "a2,c2", "c1"), "- | a2,c1", "stamp down one line only");
	TAP_STREQ(plan('s', "a2,c2", "cl@base"), "- | a2", "stamp branch@base clears that line");
	TAP_STREQ(plan('s', "a2", "b1"), "- | a2,b1", "stamp a sibling adds a row");
	TAP_STREQ(plan('s', "a2,b1", "a1 a2"), "- | a2",
			  "several targets are stamped in turn (a1, then a2)");
	TAP_STREQ(plan('s', "a2,b1", "a2 a1"), "- | a1", "order of the targets matters");
	TAP_STREQ(plan('s', "a2,b1", "a1 b1"), "- | b1", "stamp a1 then b1");
	TAP_STREQ(plan('s', "a2", "b1 c2"), "- | a2,b1,c2", "stamp two new lines");
	TAP_STREQ(plan('s', "a2,c2", "c1 base"), "- | -", "base after a target clears all");
	TAP_STREQ(plan('s', "a2,b1", "a1 nope"), E(MIGRATE_GRAPH_UNKNOWN_REVISION),
			  "an unknown target fails the whole stamp");
	TAP_STREQ(plan('s', "a2,b1", "a1 c1+1"), E(MIGRATE_GRAPH_BAD_TARGET),
			  "a relative target fails the whole stamp");
}

static void
test_dependencies(void)
{
	bool		applied[8];
	int			rows[8];
	int			n;

	/* two roots; y2 depends on x1 */
	build("x1 - - xl;x2 x1 - -;y1 - - yl;y2 y1 x1 -");
	TAP_STREQ(listing(migrate_graph_heads), "x2,y2", "heads with a dependency");
	TAP_STREQ(plan('u', "-", "y2"), "x1,y1,y2 | y2", "upgrade pulls in a dependency");
	TAP_STREQ(plan('u', "-", "yl@head"), "x1,y1,y2 | y2", "branch@head with a dependency");
	TAP_STREQ(plan('d', "y2", "xl@base"), "y2,x1 | y1",
			  "downgrading a dependency drops its dependents");
	TAP_STREQ(plan('u', "-", "heads"), "x1,y1,y2,x2 | x2,y2", "upgrade heads");
	migrate_graph_applied(g, (int[]) {migrate_graph_find(g, "y2")}, 1, applied);
	TAP_OK(applied[0] && !applied[1] && applied[2] && applied[3], "applied includes dependencies");
	n = migrate_graph_rows(g, applied, rows);
	TAP_STREQ(list_text(rows, n), "y2", "canonical rows of an applied set");
	TAP_STREQ(plan('s', "-", "y2"), "- | y2", "stamp a revision with a dependency");
	TAP_STREQ(plan('d', "x2,y2", "x1"), "x2 | y2", "downgrade one branch keeps the dependent");
	TAP_STREQ(plan('u', "-", "x1 "), E(MIGRATE_GRAPH_UNKNOWN_REVISION), "trailing blank is no id");
	build("a - - -;b a - -;c b a -");
	TAP_STREQ(plan('u', "-", "c"), "a,b,c | c", "redundant dependency on an ancestor");
}

int
main(void)
{
	test_validation();
	test_heads();
	test_targets();
	test_branches();
	test_merges();
	test_stamp();
	test_dependencies();
	return tap_done();
}
