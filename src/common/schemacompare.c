/*-------------------------------------------------------------------------
 *
 * schemacompare.c
 *	  Comparing two schema fingerprints (see schemaprint.c) as sets of
 *	  (identity, definition) pairs.
 *
 * Both fingerprints are sorted by identity in byte order (the query sorts
 * with COLLATE "C"), and identities are unique within one, so one merge
 * pass finds every object added, removed or changed.  Pure C, built into
 * the unit tests as well.
 *
 * IDENTIFICATION
 *	  src/common/schemacompare.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef FRONTEND
#include "postgres.h"
#else
#include "postgres_fe.h"
#endif

#include "common/schemacompare.h"

/*
 * Compare before with after: returns the number of differences and sets
 * *changes to them (palloc'd), in identity order.
 */
int
migrate_schema_compare(const MigrateSchemaPrint *before,
					   const MigrateSchemaPrint *after,
					   MigrateSchemaChange **changes)
{
	int			i = 0;
	int			j = 0;
	int			n = 0;
	MigrateSchemaChange *out;

	out = palloc(sizeof(MigrateSchemaChange) *
				 Max(before->nobjs + after->nobjs, 1));
	while (i < before->nobjs || j < after->nobjs)
	{
		int			cmp;

		if (i >= before->nobjs)
			cmp = 1;
		else if (j >= after->nobjs)
			cmp = -1;
		else
			cmp = strcmp(before->objs[i].identity, after->objs[j].identity);

		if (cmp < 0)
		{
			out[n].kind = MIGRATE_SCHEMA_REMOVED;
			out[n].before = i++;
			out[n++].after = -1;
		}
		else if (cmp > 0)
		{
			out[n].kind = MIGRATE_SCHEMA_ADDED;
			out[n].before = -1;
			out[n++].after = j++;
		}
		else
		{
			if (strcmp(before->objs[i].definition,
					   after->objs[j].definition) != 0)
			{
				out[n].kind = MIGRATE_SCHEMA_CHANGED;
				out[n].before = i;
				out[n++].after = j;
			}
			i++;
			j++;
		}
	}
	*changes = out;
	return n;
}
