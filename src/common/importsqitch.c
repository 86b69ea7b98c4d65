/*-------------------------------------------------------------------------
 *
 * importsqitch.c
 *	  Parser of Sqitch's deployment plan, sqitch.plan.
 *
 * The plan is read line by line, as Sqitch documents it:
 *
 *	%syntax-version=1.0.0			a pragma: %name=value
 *	# a comment
 *	users [appschema !legacy other:roles] 2013-12-30T23:49:00Z Marge <m@x.org> # Creates users.
 *	@v1.0 2013-12-31T21:00:00Z Marge <m@x.org> # Tag v1.0.
 *
 * A change line is an optional "+" (deploy), the change name, optional
 * dependencies in brackets ("!" marks a conflict, "project:" another
 * project, "@tag" or "change@tag" a change as of a tag), the time it was
 * planned, the planner's name and e-mail, and a note after "#".  A tag
 * line names the change just before it.  A change may appear again later
 * ("sqitch rework"): the earlier copy's scripts are then named
 * "change@tag.sql", after the first tag that follows that copy.  A "-"
 * (revert) change line is refused: it says the change is to be reverted,
 * which no single revision file expresses.
 *
 * Also here: reading a value of sqitch.conf, where the plan and the script
 * directories may be set elsewhere than beside it.
 *
 * IDENTIFICATION
 *	  src/common/importsqitch.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef FRONTEND
#include "postgres.h"
#else
#include "postgres_fe.h"
#endif

#include <stdarg.h>

#include "lib/stringinfo.h"

#include "common/importfmt.h"

static bool plan_error(MigrateParseError *err, int line, const char *fmt,...)
			pg_attribute_printf(3, 4);

/* Fill *err and return false. */
static bool
plan_error(MigrateParseError *err, int line, const char *fmt,...)
{
	va_list		args;

	err->line = line;
	va_start(args, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, args);
	va_end(args);
	return false;
}

static inline bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Skip blanks from p, not past end. */
static const char *
skip_blanks(const char *p, const char *end)
{
	while (p < end && is_blank(*p))
		p++;
	return p;
}

/* Append s to a growing array. */
static void
push(char ***arr, int *n, char *s)
{
	if (*n == 0)
		*arr = palloc(sizeof(char *) * 4);
	else if ((*n & (*n - 1)) == 0 && *n >= 4)
		*arr = repalloc(*arr, sizeof(char *) * (*n) * 2);
	(*arr)[(*n)++] = s;
}

/* Does [p, end) start with an ISO 8601 time "YYYY-MM-DDTHH:MM:SSZ"? */
static size_t
timestamp_len(const char *p, const char *end)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t		i;

	if ((size_t) (end - p) < sizeof(shape) - 1)
		return 0;
	for (i = 0; i < sizeof(shape) - 1; i++)
	{
		if (shape[i] == 'd' ? !(p[i] >= '0' && p[i] <= '9') : p[i] != shape[i])
			return 0;
	}
	return sizeof(shape) - 1;
}

/* Length of a change or tag name at p: up to a blank, '[', '#' or end. */
static size_t
name_len(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && !is_blank(*q) && *q != '[' && *q != '#')
		q++;
	return q - p;
}

/*
 * The part of a line after the name and dependencies: the timestamp, the
 * planner and the note.  Any may be missing (old plans have neither
 * timestamp nor planner).
 */
static void
parse_tail(const char *p, const char *end, char **timestamp, char **planner,
		   char **note)
{
	size_t		tl;
	const char *hash;
	const char *pend;

	p = skip_blanks(p, end);
	tl = timestamp_len(p, end);
	*timestamp = pnstrdup(p, tl);
	p = skip_blanks(p + tl, end);
	/* the planner is "name <email>"; a '#' after the '>' starts the note */
	hash = NULL;
	{
		const char *gt = NULL;
		const char *q;

		for (q = p; q < end; q++)
		{
			if (*q == '>' && gt == NULL)
				gt = q;
			if (*q == '#' && (gt != NULL || memchr(p, '<', q - p) == NULL))
			{
				hash = q;
				break;
			}
		}
	}
	pend = hash ? hash : end;
	while (pend > p && is_blank(pend[-1]))
		pend--;
	*planner = pnstrdup(p, pend - p);
	if (hash != NULL)
	{
		const char *n = skip_blanks(hash + 1, end);
		const char *nend = end;

		while (nend > n && is_blank(nend[-1]))
			nend--;
		*note = pnstrdup(n, nend - n);
	}
	else
		*note = pstrdup("");
}

/* Parse the "[...]" dependency list at *pp into the change. */
static bool
parse_dependencies(const char **pp, const char *end, MigrateSqitchChange *ch,
				   MigrateParseError *err, int lineno)
{
	const char *p = *pp + 1;

	for (;;)
	{
		const char *dep;
		size_t		dlen;
		bool		conflict = false;

		p = skip_blanks(p, end);
		if (p == end)
			return plan_error(err, lineno, "dependency list of change \"%s\" has no \"]\"",
							  ch->name);
		if (*p == ']')
		{
			*pp = p + 1;
			return true;
		}
		if (*p == '!')
		{
			conflict = true;
			p = skip_blanks(p + 1, end);
		}
		dep = p;
		while (p < end && !is_blank(*p) && *p != ']')
			p++;
		dlen = p - dep;
		if (dlen == 0)
			return plan_error(err, lineno, "empty dependency in change \"%s\"",
							  ch->name);
		if (conflict)
			push(&ch->conflicts, &ch->nconflicts, pnstrdup(dep, dlen));
		else
			push(&ch->requires, &ch->nrequires, pnstrdup(dep, dlen));
	}
}

/* Parse a pragma line "%name=value" (p is past the '%'). */
static bool
parse_pragma(const char *p, const char *end, MigrateSqitchPlan *plan,
			 MigrateParseError *err, int lineno)
{
	const char *name;
	size_t		nlen;
	const char *v;
	const char *vend = end;
	const char *hash;

	p = skip_blanks(p, end);
	name = p;
	while (p < end && !is_blank(*p) && *p != '=')
		p++;
	nlen = p - name;
	p = skip_blanks(p, end);
	if (nlen == 0)
		return plan_error(err, lineno, "pragma has no name");
	if (p == end || *p != '=')
		return true;			/* a pragma without a value */
	v = skip_blanks(p + 1, end);
	hash = memchr(v, '#', end - v);
	if (hash != NULL)
		vend = hash;
	while (vend > v && is_blank(vend[-1]))
		vend--;
	if (nlen == 7 && memcmp(name, "project", 7) == 0)
		plan->project = pnstrdup(v, vend - v);
	else if (nlen == 14 && memcmp(name, "syntax-version", 14) == 0)
		plan->syntax_version = pnstrdup(v, vend - v);
	return true;
}

bool
migrate_import_sqitch_plan(const char *text, size_t len,
						   MigrateSqitchPlan *plan, MigrateParseError *err)
{
	const char *p = text;
	const char *end = text + len;
	int			lineno = 0;
	int			cap = 0;
	int			i;
	int			j;

	memset(plan, 0, sizeof(*plan));
	while (p < end)
	{
		const char *nl = memchr(p, '\n', end - p);
		const char *lend = nl ? nl : end;
		const char *t;
		char		op = '+';
		MigrateSqitchChange *ch;
		size_t		nlen;

		lineno++;
		if (memchr(p, '\0', lend - p) != NULL)
			return plan_error(err, lineno, "NUL byte in plan");
		t = skip_blanks(p, lend);
		p = nl ? nl + 1 : end;
		if (t == lend || *t == '#')
			continue;
		if (*t == '%')
		{
			if (!parse_pragma(t + 1, lend, plan, err, lineno))
				return false;
			continue;
		}
		if (*t == '@')
		{
			MigrateSqitchChange *last;
			char	   *ts;
			char	   *planner;
			char	   *note;

			if (plan->nchanges == 0)
				return plan_error(err, lineno, "tag before the first change");
			last = &plan->changes[plan->nchanges - 1];
			nlen = name_len(t + 1, lend);
			if (nlen == 0)
				return plan_error(err, lineno, "tag has no name");
			push(&last->tags, &last->ntags, pnstrdup(t + 1, nlen));
			parse_tail(t + 1 + nlen, lend, &ts, &planner, &note);
			continue;
		}
		if (*t == '+' || *t == '-')
		{
			op = *t;
			t = skip_blanks(t + 1, lend);
		}
		nlen = name_len(t, lend);
		if (nlen == 0)
			return plan_error(err, lineno, "line is neither a change, a tag nor a pragma");
		if (op == '-')
			return plan_error(err, lineno, "change \"%.*s\" is planned for revert (\"-\"), which is not supported",
							  (int) Min(nlen, 60), t);
		if (plan->nchanges == cap)
		{
			cap = cap == 0 ? 16 : cap * 2;
			plan->changes = plan->changes == NULL ?
				palloc(sizeof(MigrateSqitchChange) * cap) :
				repalloc(plan->changes, sizeof(MigrateSqitchChange) * cap);
		}
		ch = &plan->changes[plan->nchanges++];
		memset(ch, 0, sizeof(*ch));
		ch->name = pnstrdup(t, nlen);
		ch->line = lineno;
		t = skip_blanks(t + nlen, lend);
		if (t < lend && *t == '[')
		{
			if (!parse_dependencies(&t, lend, ch, err, lineno))
				return false;
		}
		parse_tail(t, lend, &ch->timestamp, &ch->planner, &ch->note);
	}

	/*
	 * Reworked changes: each earlier copy of a name takes the first tag
	 * after it (its own tags included) as its script suffix.
	 */
	for (i = 0; i < plan->nchanges; i++)
	{
		MigrateSqitchChange *ch = &plan->changes[i];
		bool		later = false;
		const char *tag = NULL;

		for (j = i + 1; j < plan->nchanges; j++)
			if (strcmp(plan->changes[j].name, ch->name) == 0)
			{
				later = true;
				break;
			}
		if (!later)
		{
			ch->script = pstrdup(ch->name);
			continue;
		}
		for (j = i; j < plan->nchanges && tag == NULL; j++)
		{
			if (j > i && strcmp(plan->changes[j].name, ch->name) == 0)
				break;
			if (plan->changes[j].ntags > 0)
				tag = plan->changes[j].tags[0];
		}
		if (tag == NULL)
			return plan_error(err, plan->changes[j < plan->nchanges ? j : i].line,
							  "change \"%s\" appears again without a tag since line %d",
							  ch->name, ch->line);
		ch->script = psprintf("%s@%s", ch->name, tag);
	}
	return true;
}

/*
 * The value of key in section (with subsection, the section
 * [section "subsection"]) of a Sqitch configuration file, sqitch.conf.
 * Its syntax is git-config's: "[core]", "[engine \"pg\"]", "\tkey = value"
 * lines, "#" and ";" comments (also after a value), section and key names
 * compared without regard to case, a subsection name exactly, a value in
 * double quotes taken without them ("\\" and "\"" escapes).  The last
 * assignment wins.  NULL when the key is not set.
 */
char *
migrate_import_sqitch_conf_value(const char *text, size_t len,
								 const char *section, const char *subsection,
								 const char *key)
{
	const char *p = text;
	const char *end = text + len;
	bool		in_section = false;
	char	   *found = NULL;

	while (p < end)
	{
		const char *nl = memchr(p, '\n', end - p);
		const char *lend = nl ? nl : end;
		const char *t = skip_blanks(p, lend);

		p = nl ? nl + 1 : end;
		if (t >= lend || *t == '#' || *t == ';')
			continue;
		if (*t == '[')
		{
			const char *name = ++t;
			size_t		slen = strlen(section);

			while (t < lend && *t != ']' && !is_blank(*t))
				t++;
			in_section = ((size_t) (t - name) == slen &&
						  pg_strncasecmp(name, section, slen) == 0);
			t = skip_blanks(t, lend);
			if (t < lend && *t == '"')
			{
				const char *sub = ++t;

				while (t < lend && *t != '"')
					t++;
				in_section = in_section && subsection != NULL &&
					strlen(subsection) == (size_t) (t - sub) &&
					strncmp(sub, subsection, t - sub) == 0;
			}
			else if (subsection != NULL)
				in_section = false;
			continue;
		}
		if (in_section)
		{
			const char *k = t;
			size_t		klen = strlen(key);
			StringInfoData buf;
			bool		quoted = false;

			while (t < lend && ((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') ||
							 (*t >= '0' && *t <= '9') || *t == '-' || *t == '_'))
				t++;
			if ((size_t) (t - k) != klen || pg_strncasecmp(k, key, klen) != 0)
				continue;
			t = skip_blanks(t, lend);
			if (t >= lend || *t != '=')
				continue;
			t = skip_blanks(t + 1, lend);
			initStringInfo(&buf);
			for (; t < lend; t++)
			{
				if (*t == '"')
					quoted = !quoted;
				else if (*t == '\\' && t + 1 < lend)
					appendStringInfoChar(&buf, *++t);
				else if (!quoted && (*t == '#' || *t == ';'))
					break;
				else
					appendStringInfoChar(&buf, *t);
			}
			while (buf.len > 0 && is_blank(buf.data[buf.len - 1]))
				buf.data[--buf.len] = '\0';
			if (found)
				pfree(found);
			found = buf.data;
		}
	}
	return found;
}
