/*-------------------------------------------------------------------------
 *
 * sqltext.h
 *	  Lines and blanks in SQL text: the one place that counts them.
 *
 * IDENTIFICATION
 *	  src/common/sqltext.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_SQLTEXT_H
#define MIGRATE_SQLTEXT_H

extern int	migrate_skip_blanks(const char *sql, int offset, int end);
extern int	migrate_count_lines(const char *s, int nbytes);
extern int	migrate_statement_line(const char *sql, int location);

#endif							/* MIGRATE_SQLTEXT_H */
