/*-------------------------------------------------------------------------
 *
 * test_schemadiff.c
 *	  Unit tests of the comparison of two schema fingerprints.
 *
 * IDENTIFICATION
 *	  test/unit/test_schemadiff.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include "common/schemacompare.h"
#include "tap.h"

/* A fingerprint from "identity=definition" strings, already sorted. */
static MigrateSchemaPrint
print_of(const char *const *items, int n)
{
	MigrateSchemaPrint p;
	int			i;

	p.nobjs = n;
	p.objs = palloc(sizeof(MigrateSchemaObject) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		const char *eq = strchr(items[i], '=');

		p.objs[i].identity = pnstrdup(items[i], eq - items[i]);
		p.objs[i].definition = pstrdup(eq + 1);
	}
	return p;
}

/* The changes as one line: "+after -before ~both" in order. */
static char *
describe(const MigrateSchemaPrint *a, const MigrateSchemaPrint *b)
{
	MigrateSchemaChange *ch;
	int			n = migrate_schema_compare(a, b, &ch);
	char		buf[1024] = "";
	int			i;

	for (i = 0; i < n; i++)
	{
		const char *id = ch[i].kind == MIGRATE_SCHEMA_ADDED ?
			b->objs[ch[i].after].identity : a->objs[ch[i].before].identity;

		if (i > 0)
			strcat(buf, " ");
		strcat(buf, ch[i].kind == MIGRATE_SCHEMA_ADDED ? "+" :
			   ch[i].kind == MIGRATE_SCHEMA_REMOVED ? "-" : "~");
		strcat(buf, id);
		if (ch[i].kind == MIGRATE_SCHEMA_CHANGED &&
			strcmp(a->objs[ch[i].before].identity, b->objs[ch[i].after].identity) != 0)
			strcat(buf, "(MISMATCH)");
	}
	return pstrdup(buf);
}

int
main(void)
{
	static const char *const base[] = {"index a=x", "table b=y", "type c=z"};
	static const char *const same[] = {"index a=x", "table b=y", "type c=z"};
	static const char *const added[] = {"index a=x", "index a2=q", "table b=y", "type c=z"};
	static const char *const removed[] = {"table b=y", "type c=z"};
	static const char *const changed[] = {"index a=x", "table b=y2", "type c=z"};
	static const char *const mixed[] = {"index 0=n", "table b=Y", "type d=z"};
	static const char *const byteorder[] = {"Z=1", "a=1"};
	static const char *const byteorder2[] = {"Z=1", "_=1", "a=1"};
	MigrateSchemaPrint b = print_of(base, 3);
	MigrateSchemaPrint empty = print_of(NULL, 0);

	TAP_STREQ(describe(&b, &b), "", "a fingerprint equals itself");
	{
		MigrateSchemaPrint s = print_of(same, 3);

		TAP_STREQ(describe(&b, &s), "", "equal fingerprints have no differences");
	}
	{
		MigrateSchemaPrint s = print_of(added, 4);

		TAP_STREQ(describe(&b, &s), "+index a2", "an object only after is added");
		TAP_STREQ(describe(&s, &b), "-index a2", "an object only before is removed");
	}
	{
		MigrateSchemaPrint s = print_of(removed, 2);

		TAP_STREQ(describe(&b, &s), "-index a", "the first object removed");
	}
	{
		MigrateSchemaPrint s = print_of(changed, 3);

		TAP_STREQ(describe(&b, &s), "~table b", "same identity, other definition: changed");
	}
	{
		MigrateSchemaPrint s = print_of(mixed, 3);

		TAP_STREQ(describe(&b, &s), "+index 0 -index a ~table b -type c +type d",
				  "added, removed and changed together, in identity order");
	}
	TAP_STREQ(describe(&empty, &b), "+index a +table b +type c", "everything added to an empty schema");
	TAP_STREQ(describe(&b, &empty), "-index a -table b -type c", "everything removed");
	TAP_STREQ(describe(&empty, &empty), "", "two empty fingerprints");
	{
		MigrateSchemaPrint x = print_of(byteorder, 2);
		MigrateSchemaPrint y = print_of(byteorder2, 3);

		TAP_STREQ(describe(&x, &y), "+_", "byte order: upper case before \"_\" before lower case");
	}
	return tap_done();
}
