/*-------------------------------------------------------------------------
 *
 * revgraph.h
 *	  The revision graph: validation, target resolution and planning.
 *
 * Plain C shared by the server extension and the client program (palloc
 * comes from libpgcommon in the frontend build); it never raises errors,
 * failures come back in a MigrateGraphError.  Revisions are addressed by
 * their index in the array given to migrate_graph_build, whose order is the
 * registration order and breaks ties where ordering is otherwise free.
 *
 * The semantics are Alembic's: see revgraph.c and the files beside it for
 * the details, and revplan.c for the few places where this code
 * deliberately differs.
 *
 * IDENTIFICATION
 *	  src/common/revgraph.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_REVGRAPH_H
#define MIGRATE_REVGRAPH_H

/* One revision as given to migrate_graph_build.  Nothing is copied. */
typedef struct MigrateRevNode
{
	const char *revision;
	const char *const *revises; /* parents (down revisions) */
	int			nrevises;
	const char *const *depends_on;
	int			ndepends_on;
	const char *const *branch_labels;
	int			nbranch_labels;
} MigrateRevNode;

typedef enum MigrateGraphErrorCode
{
	MIGRATE_GRAPH_OK = 0,
	MIGRATE_GRAPH_INVALID,		/* cycle, unknown parent or dependency,
								 * duplicate id or branch label */
	MIGRATE_GRAPH_UNKNOWN_REVISION, /* a target names no revision */
	MIGRATE_GRAPH_AMBIGUOUS,	/* a prefix or a walk matches several */
	MIGRATE_GRAPH_MULTIPLE_HEADS,	/* "head" or "-N" with several heads */
	MIGRATE_GRAPH_BAD_TARGET	/* bad syntax, wrong direction, walk past
								 * base or head */
} MigrateGraphErrorCode;

/*
 * message follows PostgreSQL's style guide (lower case, no period); detail
 * and hint, when not NULL, are full sentences.  All palloc'd.
 */
typedef struct MigrateGraphError
{
	MigrateGraphErrorCode code;
	char	   *message;
	char	   *detail;
	char	   *hint;
} MigrateGraphError;

typedef struct MigrateGraph MigrateGraph;

typedef struct MigrateNodeInfo
{
	bool		is_head;
	bool		is_base;
	bool		is_branch_point;
	bool		is_merge_point;
} MigrateNodeInfo;

/*
 * Steps to run, in order, and the canonical version rows (one per current
 * head, as alembic_version keeps them) once they have all run.
 */
typedef struct MigratePlan
{
	int		   *steps;
	int			nsteps;
	int		   *rows;
	int			nrows;
} MigratePlan;

/* Build and validate; NULL with *err filled when the graph is invalid. */
extern MigrateGraph *migrate_graph_build(const MigrateRevNode *nodes,
										 int nnodes,
										 MigrateGraphError *err);
extern void migrate_graph_free(MigrateGraph *graph);

/* Free the strings of a filled MigrateGraphError and reset it. */
extern void migrate_graph_error_free(MigrateGraphError *err);

extern int	migrate_graph_size(const MigrateGraph *graph);
extern int	migrate_graph_find(const MigrateGraph *graph, const char *id);
extern const char *migrate_graph_id(const MigrateGraph *graph, int node);
extern void migrate_graph_node_info(const MigrateGraph *graph, int node,
									MigrateNodeInfo *info);

/* Each fills out (room for every node) and returns how many it wrote. */
extern int	migrate_graph_heads(const MigrateGraph *graph, int *out);
extern int	migrate_graph_bases(const MigrateGraph *graph, int *out);
extern int	migrate_graph_history(const MigrateGraph *graph, int *out);

/*
 * applied (one flag per node) := the revisions that version rows imply:
 * the rows and all their ancestors, dependencies included.
 */
extern void migrate_graph_applied(const MigrateGraph *graph,
								  const int *rows, int nrows,
								  bool *applied);

/* The canonical version rows of an applied set. */
extern int	migrate_graph_rows(const MigrateGraph *graph, const bool *applied,
							   int *out);

/*
 * Plan from the current version rows to target.  Alembic's target grammar:
 * head, heads, base, id, id prefix, +N, -N, rev+N, rev-N, branch@head,
 * branch@base, branch@rev.
 */
extern bool migrate_plan_upgrade(const MigrateGraph *graph,
								 const int *rows, int nrows,
								 const char *target,
								 MigratePlan *plan, MigrateGraphError *err);
extern bool migrate_plan_downgrade(const MigrateGraph *graph,
								   const int *rows, int nrows,
								   const char *target,
								   MigratePlan *plan, MigrateGraphError *err);

/*
 * Version rows after "stamp targets..." (no steps); "base" clears.  Several
 * targets act as single-target stamps made one after another.
 */
extern bool migrate_plan_stamp(const MigrateGraph *graph,
							   const int *rows, int nrows,
							   const char *const *targets, int ntargets,
							   MigratePlan *plan, MigrateGraphError *err);

/* Free the arrays of a plan and reset it. */
extern void migrate_plan_free(MigratePlan *plan);

/*
 * Revisions of an Alembic history range "[lower]:[upper]" (either side may
 * be empty, "current" names the current rows), newest first.
 */
extern bool migrate_graph_range(const MigrateGraph *graph,
								const int *rows, int nrows,
								const char *range,
								int *out, int *nout,
								MigrateGraphError *err);

#endif							/* MIGRATE_REVGRAPH_H */
