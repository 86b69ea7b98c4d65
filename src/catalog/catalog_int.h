/*-------------------------------------------------------------------------
 *
 * catalog_int.h
 *	  Declarations shared by the files of src/catalog only.
 *
 * Every access to the migrate schema's tables goes through
 * migrate_catalog_enter / migrate_catalog_exec / migrate_catalog_leave
 * (spi.c): the owner's identity, a safe search_path, one SPI connection.
 *
 * IDENTIFICATION
 *	  src/catalog/catalog_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_CATALOG_INT_H
#define MIGRATE_CATALOG_INT_H

#include "access/htup.h"
#include "executor/spi.h"
#include "executor/tuptable.h"

#include "pg_migrate.h"

/* What migrate_catalog_enter saved, for migrate_catalog_leave to restore. */
typedef struct CatalogContext
{
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
	MemoryContext caller_cxt;
} CatalogContext;

/*
 * The revisions applied in the shared run or in any scope: those the
 * version rows name and their ancestors through parents and dependencies.
 * Works on the catalog rows alone, so it needs no valid graph.  Begins a
 * query; the query goes on with its SELECT, which may read "applied".
 */
#define MIGRATE_APPLIED_CTE \
	"WITH RECURSIVE applied(id) AS (" \
	" SELECT revision FROM migrate.version" \
	" UNION" \
	" SELECT p FROM applied a" \
	" JOIN migrate.revision r ON r.revision = a.id," \
	" unnest(r.revises || r.depends_on) AS p)"

/* spi.c */
extern void migrate_catalog_enter(CatalogContext *cxt);
extern void migrate_catalog_leave(CatalogContext *cxt);
extern void migrate_catalog_exec(bool read_only, const char *sql, int nargs,
								 Oid *types, Datum *values, const char *nulls,
								 int expected);
extern void migrate_catalog_exec_kept(SPIPlanPtr *slot, bool read_only,
									  const char *sql, int nargs, Oid *types,
									  Datum *values, const char *nulls,
									  int expected);
/* direct reads of the extension's small tables, without SPI (spi.c) */
extern bool migrate_catalog_scan(const char *relname, bool latest,
								 bool (*visit) (TupleDesc desc,
												TupleTableSlot *slot,
												void *arg),
								 void *arg);
extern int	migrate_catalog_column(TupleDesc desc, const char *name);
extern bool migrate_catalog_state_row(int ncols, const char *const *names,
									  Datum *values, bool *nulls, bool latest);
extern char **migrate_text_array_items(Datum value, bool isnull, int *count);
extern char *migrate_spi_text(HeapTuple tuple, int col);

/* generation.c */
extern void migrate_catalog_bump_connected(void);
extern void migrate_catalog_forget_bump(void);

#endif							/* MIGRATE_CATALOG_INT_H */
