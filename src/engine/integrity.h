/*-------------------------------------------------------------------------
 *
 * integrity.h
 *	  Drift and interrupted steps: what the engine checks before a change,
 *	  and what the SQL functions of src/functions read.
 *
 * IDENTIFICATION
 *	  src/engine/integrity.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_MIGRATE_INTEGRITY_H
#define PG_MIGRATE_INTEGRITY_H

/* An interrupted step, as read from migrate.interrupted. */
typedef struct Interrupted
{
	char	   *revision;
	char	   *operation;
	int			statements;
	int			done;
	int			pid;
	bool		failed;
	int			failed_statement;
	int			failed_line;
	char	   *failed_sqlstate;
	char	   *failed_message;
	char	   *file_name;
	char	   *done_checksum;
	bool		alive;			/* its session still holds the client lock */
} Interrupted;

/* interrupted.c */
extern void migrate_interrupted_check(const char *own_revision, bool latest);
extern bool migrate_read_interrupted(const char *revision, bool latest,
									 bool check_alive, Interrupted *it);
extern char *migrate_read_section(const char *revision, bool upgrade,
								  int *first_line);
extern int	migrate_interrupted_line(const char *revision, bool upgrade, int n);
extern void migrate_raise_interrupted(const Interrupted *it);

#endif							/* PG_MIGRATE_INTEGRITY_H */
