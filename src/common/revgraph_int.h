/*-------------------------------------------------------------------------
 *
 * revgraph_int.h
 *	  Internal declarations shared by the files of the revision graph.
 *
 * The graph code is split by concern: revgraph.c builds and validates the
 * graph and answers simple queries, revorder.c orders revisions as
 * Alembic does, revtarget.c parses and resolves targets, and revplan.c
 * plans upgrades, downgrades, stamps and history ranges.  Nothing here is
 * part of the API in revgraph.h.
 *
 * Functions that can fail register their temporaries in a MigrateScratch
 * and free them all on the way out, on success and on failure alike: the
 * client and the tests run without memory contexts, so nothing else would
 * reclaim them.
 *
 * IDENTIFICATION
 *	  src/common/revgraph_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_REVGRAPH_INT_H
#define MIGRATE_REVGRAPH_INT_H

#include "common/revgraph.h"

/* walk positions other than a revision: above the heads / below the bases */
#define POS_NONE	(-1)
#define POS_BASE	(-2)

/* edge kinds for migrate_graph_closure() */
typedef enum EdgeKind
{
	EDGE_PARENTS,				/* down revisions only */
	EDGE_ALL_DOWN,				/* down revisions and dependencies */
	EDGE_KIDS,					/* revisions revising this one */
	EDGE_ALL_KIDS				/* revisions revising or depending on it */
} EdgeKind;

typedef struct GNode
{
	const char *id;
	const MigrateRevNode *src;
	int		   *parents;
	int			nparents;
	int		   *all_down;		/* parents, then dependencies */
	int			nall_down;
	int		   *down;			/* parents, then normalized dependencies */
	int			ndown;
	int		   *kids;
	int			nkids;
	int		   *all_kids;
	int			nall_kids;
} GNode;

typedef struct HashSlot
{
	const char *key;			/* NULL when free */
	int			node;
	bool		is_label;
} HashSlot;

struct MigrateGraph
{
	int			n;
	GNode	   *nodes;
	int		   *pool;			/* all adjacency arrays */
	HashSlot   *slots;
	int			nslots;			/* a power of 2 */
	int		   *topo;			/* parents before children */
};

/* Temporaries of one call, freed together by migrate_scratch_free. */
typedef struct MigrateScratch
{
	void	  **ptrs;
	int			n;
	int			cap;
} MigrateScratch;

/* A target split into "[branch@][symbol][(+|-)N]" (strings in scratch). */
typedef struct ParsedTarget
{
	char	   *branch;			/* NULL when there is no "branch@" */
	char	   *symbol;			/* NULL for a relative target without one */
	bool		relative;
	int			steps;			/* signed, for relative targets */
} ParsedTarget;

/* revgraph.c */
extern bool migrate_graph_set_error(MigrateGraphError *err,
									MigrateGraphErrorCode code,
									char *message, char *detail, char *hint);
extern void migrate_graph_clear_error(MigrateGraphError *err);
extern char *migrate_graph_describe(const MigrateGraph *g, const char *prefix,
									const int *nodes, int n);
extern int	migrate_graph_lookup(const MigrateGraph *g, const char *key,
								 bool *is_label);
extern void migrate_graph_closure(const MigrateGraph *g, bool *mark,
								  EdgeKind kind);
extern bool *migrate_graph_mark(const MigrateGraph *g, const int *nodes, int n);
extern bool *migrate_graph_lineage(const MigrateGraph *g, const int *nodes,
								   int n, bool deps);
extern int	migrate_graph_real_heads(const MigrateGraph *g, int *out);
extern void migrate_scratch_init(MigrateScratch *s);
extern void *migrate_scratch_keep(MigrateScratch *s, void *ptr);
extern void *migrate_scratch_alloc(MigrateScratch *s, size_t size);
extern void *migrate_scratch_alloc0(MigrateScratch *s, size_t size);
extern void migrate_scratch_free(MigrateScratch *s);

/* revorder.c */
extern int	migrate_graph_order(const MigrateGraph *g, const bool *todo,
								const int *heads, int nheads, int *out);

/* revtarget.c */
extern void migrate_target_parse(const MigrateGraph *g, const char *target,
								 ParsedTarget *pt, MigrateScratch *s);
extern int	migrate_target_branch(const MigrateGraph *g, const char *branch,
								  MigrateGraphError *err);
extern bool migrate_target_symbol(const MigrateGraph *g, const char *branch,
								  const char *sym, bool check_branch,
								  int *out, int *nout, MigrateScratch *s,
								  MigrateGraphError *err);
extern bool migrate_target_upgrade(const MigrateGraph *g, const bool *applied,
								   const int *crows, int ncrows,
								   const char *target, int *targets,
								   int *ntargets, MigrateScratch *s,
								   MigrateGraphError *err);
extern bool migrate_target_downgrade(const MigrateGraph *g,
									 const bool *applied,
									 const int *crows, int ncrows,
									 const char *target_str, int *target,
									 const char **branch, MigrateScratch *s,
									 MigrateGraphError *err);

#endif							/* MIGRATE_REVGRAPH_INT_H */
