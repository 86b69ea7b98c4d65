/*-------------------------------------------------------------------------
 *
 * integrity.h
 *	  What integrity.c and interrupted.c share.
 *
 * IDENTIFICATION
 *	  src/integrity.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_MIGRATE_INTEGRITY_H
#define PG_MIGRATE_INTEGRITY_H

/* integrity.c */
extern bool migrate_catalog_has_rows(const char *relname, bool latest);
extern char *migrate_row_text(MemoryContext cxt, int col);
extern int	migrate_row_int(int col);
extern void migrate_journal_entry(const char *revision, const char *operation,
								  const char *message);

/* interrupted.c */
extern void migrate_interrupted_check(const char *own_revision, bool latest);

#endif							/* PG_MIGRATE_INTEGRITY_H */
