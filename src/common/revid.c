/*-------------------------------------------------------------------------
 *
 * revid.c
 *	  What a revision id or branch label may be: its characters, its
 *	  length, and the words the target grammar keeps for itself.
 *
 * IDENTIFICATION
 *	  src/common/revid.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef FRONTEND
#include "postgres.h"
#else
#include "postgres_fe.h"
#endif

#include "common/revfile.h"

/*
 * Is [s, s + len) a revision id or branch label: 1 to MIGRATE_MAX_ID_LEN
 * letters, digits, '_' and '-'?
 */
bool
migrate_valid_id(const char *id, size_t len)
{
	size_t		i;

	if (id == NULL || len == 0 || len > MIGRATE_MAX_ID_LEN)
		return false;
	for (i = 0; i < len; i++)
	{
		if (!migrate_is_id_char(id[i]))
			return false;
	}
	return true;
}

/* True if id is a word of the target grammar; see revfile.h. */
bool
migrate_reserved_id(const char *id, size_t len)
{
	static const char *const words[] = {"head", "heads", "base", "current", "None"};
	int			i;

	for (i = 0; i < (int) lengthof(words); i++)
		if (len == strlen(words[i]) && memcmp(id, words[i], len) == 0)
			return true;
	return false;
}
