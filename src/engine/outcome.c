/*-------------------------------------------------------------------------
 *
 * outcome.c
 *	  Log lines that tell what a migration did, written when its
 *	  transaction ends.
 *
 * A step's SQL runs inside the caller's transaction, so the step is only
 * done once that transaction commits: a line written as the step finishes
 * would show a deployment whose transaction later rolled back as progress.
 * The lines of finished steps (and of stamps, adoptions, repairs) wait in
 * a list, and a transaction callback writes them at commit, or writes what
 * was undone at abort: a step that fails always leaves a line that says
 * "migration", whatever the error itself said.  A transaction that
 * changed nothing logs nothing, so read-only callers (a health check that
 * syncs the directory, then rolls back) add no lines.  Subtransactions count too:
 * a savepoint rolled back undoes its steps, and a released one hands them
 * to its parent.
 *
 * IDENTIFICATION
 *	  src/engine/outcome.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/memutils.h"

#include "pg_migrate.h"

/* One line waiting for the end of its (sub)transaction. */
typedef struct PendingLine
{
	struct PendingLine *next;
	int			nestlevel;		/* the subtransaction that did the work */
	char	   *subject;		/* what abort names: "upgrade of revision ..." */
	char	   *line;			/* what commit logs */
} PendingLine;

/*
 * All of it lives in TopTransactionContext, and is forgotten when the
 * transaction ends: the callbacks run before that context is freed.
 */
static PendingLine *pending_head = NULL;
static PendingLine *pending_tail = NULL;
static char *running_step = NULL;	/* the step whose SQL runs now */
static int	running_nestlevel = 0;
static bool callbacks_registered = false;

static void xact_callback(XactEvent event, void *arg);
static void subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							 SubTransactionId parentSubid, void *arg);

static void
register_callbacks(void)
{
	if (callbacks_registered)
		return;
	RegisterXactCallback(xact_callback, NULL);
	RegisterSubXactCallback(subxact_callback, NULL);
	callbacks_registered = true;
}

static void
forget_all(void)
{
	pending_head = pending_tail = NULL;
	running_step = NULL;
}

static void
append_line(char *subject, char *line)
{
	PendingLine *p = MemoryContextAlloc(TopTransactionContext,
										sizeof(PendingLine));

	p->next = NULL;
	p->nestlevel = GetCurrentTransactionNestLevel();
	p->subject = subject;
	p->line = line;
	if (pending_tail)
		pending_tail->next = p;
	else
		pending_head = p;
	pending_tail = p;
}

/* The SQL of one step is about to run. */
void
migrate_outcome_step_start(const MigrateRevision *rev, bool upgrade,
						   int stepno, int nsteps)
{
	const char *scope = migrate_scope();

	register_callbacks();
	/* a tenant's steps name its schema, so that its lines can be told apart */
	running_step = MemoryContextStrdup(TopTransactionContext,
									   scope ?
									   psprintf("%s of revision \"%s\" (%d/%d) in scope \"%s\"",
												upgrade ? "upgrade" : "downgrade",
												rev->revision, stepno, nsteps,
												scope) :
									   psprintf("%s of revision \"%s\" (%d/%d)",
												upgrade ? "upgrade" : "downgrade",
												rev->revision, stepno, nsteps));
	running_nestlevel = GetCurrentTransactionNestLevel();
}

/* The step started last ran to its end in ms; commit will say it is done. */
void
migrate_outcome_step_end(const MigrateRevision *rev, double ms)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

	if (running_step != NULL)
		append_line(running_step,
					psprintf("migration %s done in %.3f ms%s%s", running_step,
							 ms, rev->message[0] ? ": " : "", rev->message));
	running_step = NULL;
	MemoryContextSwitchTo(old);
}

/*
 * A line for the log once this transaction commits (a stamp, an adoption,
 * a recorded step): "migration " followed by subject and detail.  Both
 * are copied.
 */
void
migrate_outcome_at_commit(const char *subject, const char *detail)
{
	MemoryContext old;

	register_callbacks();
	old = MemoryContextSwitchTo(TopTransactionContext);
	append_line(pstrdup(subject), psprintf("migration %s%s", subject, detail));
	MemoryContextSwitchTo(old);
}

/*
 * Forget, without a line, what the current subtransaction did: for
 * verify and explain, whose runs are rolled back by design and say so.
 */
void
migrate_outcome_forget_subxact(void)
{
	int			level = GetCurrentTransactionNestLevel();
	PendingLine *p;
	PendingLine *prev = NULL;

	for (p = pending_head; p != NULL; p = p->next)
	{
		if (p->nestlevel >= level)
		{
			if (prev)
				prev->next = NULL;
			else
				pending_head = NULL;
			break;
		}
		prev = p;
	}
	pending_tail = prev;
	if (running_nestlevel >= level)
		running_step = NULL;
}

/*
 * Log what an abort at nestlevel undid: the step that was running, if
 * any, then each finished step or change of that level or deeper, and
 * forget them.  what names the end: "its transaction", "a subtransaction".
 */
static void
log_undone(int nestlevel, const char *what)
{
	PendingLine *p;
	PendingLine *prev = NULL;

	if (running_step != NULL && running_nestlevel >= nestlevel)
	{
		ereport(LOG,
				(errmsg("migration %s failed, and %s was rolled back",
						running_step, what),
				 errhidestmt(true)));
		running_step = NULL;
	}

	/* entries are in nesting order: the undone ones are a tail */
	for (p = pending_head; p != NULL; p = p->next)
	{
		if (p->nestlevel >= nestlevel)
			break;
		prev = p;
	}
	for (; p != NULL; p = p->next)
	{
		ereport(LOG,
				(errmsg("migration %s rolled back with %s", p->subject, what),
				 errhidestmt(true)));
	}
	if (prev)
		prev->next = NULL;
	else
		pending_head = NULL;
	pending_tail = prev;
}

static void
xact_callback(XactEvent event, void *arg)
{
	PendingLine *p;

	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			for (p = pending_head; p != NULL; p = p->next)
				ereport(LOG, (errmsg_internal("%s", p->line),
							  errhidestmt(true)));
			forget_all();
			break;
		case XACT_EVENT_PREPARE:
			for (p = pending_head; p != NULL; p = p->next)
				ereport(LOG, (errmsg("%s (prepared, done at COMMIT PREPARED)",
									 p->line),
							  errhidestmt(true)));
			forget_all();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			if (pending_head != NULL || running_step != NULL)
				log_undone(1, "its transaction");
			forget_all();
			break;
		default:
			break;
	}
}

static void
subxact_callback(SubXactEvent event, SubTransactionId mySubid,
				 SubTransactionId parentSubid, void *arg)
{
	int			level = GetCurrentTransactionNestLevel();
	PendingLine *p;

	if (event == SUBXACT_EVENT_ABORT_SUB)
		log_undone(level, "a subtransaction");
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		/* the parent now owns what the released subtransaction did */
		for (p = pending_head; p != NULL; p = p->next)
			if (p->nestlevel >= level)
				p->nestlevel = level - 1;
		if (running_step != NULL && running_nestlevel >= level)
			running_nestlevel = level - 1;
	}
}
