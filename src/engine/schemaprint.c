/*-------------------------------------------------------------------------
 *
 * schemaprint.c
 *	  A fingerprint of the database schema read from the catalogs, and the
 *	  differences between two of them.
 *
 * The fingerprint is one (identity, definition) pair per object.  The
 * identity names the object by kind and names, never by OID, since an
 * object dropped and created again gets a new OID: "table public.t",
 * "table column public.t.a", "index public.t_a_idx", "grant SELECT on
 * table public.t to alice", "comment on type public.mood".  Privileges are
 * compared with the owner's defaults (acldefault): a "grant" row for each
 * privilege beyond them, a "revoke" row for each default one taken away,
 * so that an object whose ACL went from default to explicit and back is
 * unchanged.  The definition
 * is what the catalogs say about it (column type, not null and default;
 * pg_get_indexdef; pg_get_viewdef; pg_get_functiondef; enum labels in
 * order; policy expressions; ...).  Covered: schemas, tables and other
 * relations (with options, partitioning, row security), columns, defaults,
 * constraints (of tables and domains), indexes, sequences, views and
 * materialized views, functions, procedures and aggregates, types (enum,
 * domain, range, composite, base), triggers, rules, policies, extensions,
 * grants and comments.
 * A column's position (attnum) is not part of it: a downgrade that drops a
 * column and adds it back cannot restore its position, and the column is
 * otherwise the same.
 *
 * Left out: pg_catalog, information_schema, pg_toast and temporary
 * schemas, and every object that belongs to an extension (pg_depend
 * deptype 'e') with everything that hangs off it, in particular
 * pg_migrate's own catalog, whose contents change while revisions run.
 *
 * The catalog is read through SPI as the extension owner with a pinned
 * search_path, in the catalog's own frame (src/catalog/spi.c); the query
 * only reads.
 *
 * IDENTIFICATION
 *	  src/engine/schemaprint.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "engine/verify.h"

/*
 * Every object as (classid, objid, objsubid, definition, acl, default
 * acl); the final
 * query names each with pg_identify_object and adds comment and grant
 * rows.  Identities are unique after the GROUP BY (two grantors of one
 * privilege make one row).
 */
static const char *const schemaprint_query =
"WITH ns AS ("
"  SELECT n.oid, n.nspowner, n.nspacl FROM pg_catalog.pg_namespace n"
"  WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'"
"    AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d"
"      WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass"
"        AND d.objid = n.oid AND d.deptype = 'e')),"
" ext AS ("
"  SELECT d.classid, d.objid FROM pg_catalog.pg_depend d WHERE d.deptype = 'e'),"
" rel AS ("
"  SELECT c.* FROM pg_catalog.pg_class c JOIN ns ON ns.oid = c.relnamespace"
"  WHERE c.relkind <> 't'"
"    AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
"      AND ext.objid IN (c.oid,"
"        (SELECT i.indrelid FROM pg_catalog.pg_index i WHERE i.indexrelid = c.oid)))),"
" typ AS ("
"  SELECT t.* FROM pg_catalog.pg_type t JOIN ns ON ns.oid = t.typnamespace"
"  WHERE t.typtype IN ('b', 'd', 'e', 'r', 'm')"
"    AND NOT EXISTS (SELECT FROM pg_catalog.pg_type a WHERE a.typarray = t.oid)"
"    AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_catalog.pg_type'::pg_catalog.regclass"
"      AND ext.objid = t.oid)),"
" obj(classid, objid, objsubid, def, acl, dflt) AS ("
"  SELECT 'pg_catalog.pg_namespace'::pg_catalog.regclass::oid, n.oid, 0,"
"    'owner ' || pg_catalog.pg_get_userbyid(n.nspowner),"
"    COALESCE(n.nspacl, pg_catalog.acldefault('n', n.nspowner)),"
"    pg_catalog.acldefault('n', n.nspowner)"
"  FROM ns n"
"  UNION ALL"
"  SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::oid, c.oid, 0,"
"    pg_catalog.concat_ws(' ', 'owner ' || pg_catalog.pg_get_userbyid(c.relowner),"
"      CASE c.relpersistence WHEN 'u' THEN 'unlogged' END,"
"      'with ' || c.reloptions::text,"
"      CASE WHEN c.relrowsecurity THEN 'row security' END,"
"      CASE WHEN c.relforcerowsecurity THEN 'force row security' END,"
"      CASE WHEN c.relkind = 'p' THEN 'partition by ' || pg_catalog.pg_get_partkeydef(c.oid) END,"
"      CASE WHEN c.relispartition THEN 'partition ' || pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,"
"      CASE c.relkind"
"        WHEN 'i' THEN pg_catalog.pg_get_indexdef(c.oid)"
"        WHEN 'I' THEN pg_catalog.pg_get_indexdef(c.oid)"
"        WHEN 'v' THEN pg_catalog.pg_get_viewdef(c.oid)"
"        WHEN 'm' THEN pg_catalog.pg_get_viewdef(c.oid)"
"        WHEN 'S' THEN (SELECT pg_catalog.format('%s start %s increment %s min %s max %s cache %s%s',"
"            pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,"
"            s.seqmin, s.seqmax, s.seqcache, CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END)"
"          FROM pg_catalog.pg_sequence s WHERE s.seqrelid = c.oid)"
"      END),"
"    CASE WHEN c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')"
"      THEN COALESCE(c.relacl,"
"        pg_catalog.acldefault((CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END)::pg_catalog.\"char\", c.relowner)) END,"
"    CASE WHEN c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')"
"      THEN pg_catalog.acldefault((CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END)::pg_catalog.\"char\", c.relowner) END"
"  FROM rel c"
"  UNION ALL"
"  SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::oid, c.oid, a.attnum,"
"    pg_catalog.concat_ws(' ', pg_catalog.format_type(a.atttypid, a.atttypmod),"
"      CASE WHEN a.attcollation <> t.typcollation"
"        THEN 'collate ' || (SELECT k.collname FROM pg_catalog.pg_collation k WHERE k.oid = a.attcollation) END,"
"      CASE WHEN a.attnotnull THEN 'not null' END,"
"      CASE a.attidentity WHEN 'a' THEN 'generated always as identity'"
"        WHEN 'd' THEN 'generated by default as identity' END,"
"      CASE WHEN a.attgenerated <> '' THEN 'generated always as' END,"
"      'default ' || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid)),"
"    a.attacl, NULL"
"  FROM rel c"
"  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
"  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
"  LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
"  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')"
"  UNION ALL"
"  SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass::oid, k.oid, 0,"
"    pg_catalog.pg_get_constraintdef(k.oid), NULL, NULL"
"  FROM pg_catalog.pg_constraint k"
"  WHERE k.conrelid IN (SELECT oid FROM rel) OR k.contypid IN (SELECT oid FROM typ)"
"  UNION ALL"
"  SELECT 'pg_catalog.pg_type'::pg_catalog.regclass::oid, t.oid, 0,"
"    pg_catalog.concat_ws(' ', 'owner ' || pg_catalog.pg_get_userbyid(t.typowner),"
"      CASE t.typtype"
"        WHEN 'e' THEN 'enum (' || (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(e.enumlabel), ', '"
"            ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) || ')'"
"        WHEN 'd' THEN pg_catalog.concat_ws(' ', 'domain ' || pg_catalog.format_type(t.typbasetype, t.typtypmod),"
"            CASE WHEN t.typnotnull THEN 'not null' END, 'default ' || t.typdefault)"
"        WHEN 'r' THEN (SELECT 'range of ' || pg_catalog.format_type(r.rngsubtype, NULL)"
"            FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid)"
"        WHEN 'm' THEN 'multirange'"
"        ELSE pg_catalog.format('base input %s output %s length %s', t.typinput::pg_catalog.regproc,"
"            t.typoutput::pg_catalog.regproc, t.typlen)"
"      END),"
"    COALESCE(t.typacl, pg_catalog.acldefault('T', t.typowner)),"
"    pg_catalog.acldefault('T', t.typowner)"
"  FROM typ t"
"  UNION ALL"
"  SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass::oid, p.oid, 0,"
"    pg_catalog.concat_ws(' ', 'owner ' || pg_catalog.pg_get_userbyid(p.proowner),"
"      CASE WHEN p.prokind = 'a'"
"        THEN (SELECT pg_catalog.format('aggregate sfunc %s stype %s finalfunc %s initcond %s',"
"            g.aggtransfn, pg_catalog.format_type(g.aggtranstype, NULL), g.aggfinalfn, g.agginitval)"
"          FROM pg_catalog.pg_aggregate g WHERE g.aggfnoid = p.oid)"
"        ELSE pg_catalog.pg_get_functiondef(p.oid) END),"
"    COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner)),"
"    pg_catalog.acldefault('f', p.proowner)"
"  FROM pg_catalog.pg_proc p JOIN ns ON ns.oid = p.pronamespace"
"  WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass"
"    AND ext.objid = p.oid)"
"  UNION ALL"
"  SELECT 'pg_catalog.pg_trigger'::pg_catalog.regclass::oid, g.oid, 0,"
"    pg_catalog.pg_get_triggerdef(g.oid) || ' enabled ' || g.tgenabled::text, NULL, NULL"
"  FROM pg_catalog.pg_trigger g WHERE NOT g.tgisinternal AND g.tgrelid IN (SELECT oid FROM rel)"
"  UNION ALL"
"  SELECT 'pg_catalog.pg_rewrite'::pg_catalog.regclass::oid, r.oid, 0,"
"    pg_catalog.pg_get_ruledef(r.oid), NULL, NULL"
"  FROM pg_catalog.pg_rewrite r"
"  WHERE r.rulename <> '_RETURN' AND r.ev_class IN (SELECT oid FROM rel)"
"  UNION ALL"
"  SELECT 'pg_catalog.pg_policy'::pg_catalog.regclass::oid, p.oid, 0,"
"    pg_catalog.concat_ws(' ', 'for ' || p.polcmd::text,"
"      CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END,"
"      'to ' || (SELECT pg_catalog.string_agg(CASE WHEN r = 0 THEN 'public'"
"          ELSE pg_catalog.pg_get_userbyid(r)::text END, ', ' ORDER BY 1)"
"        FROM pg_catalog.unnest(p.polroles) AS r),"
"      'using ' || pg_catalog.pg_get_expr(p.polqual, p.polrelid),"
"      'with check ' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)),"
"    NULL, NULL"
"  FROM pg_catalog.pg_policy p WHERE p.polrelid IN (SELECT oid FROM rel)"
"  UNION ALL"
"  SELECT 'pg_catalog.pg_extension'::pg_catalog.regclass::oid, e.oid, 0,"
"    'version ' || e.extversion, NULL, NULL"
"  FROM pg_catalog.pg_extension e),"
" named AS ("
"  SELECT o.*, i.type || ' ' || i.identity AS ident"
"  FROM obj o, pg_catalog.pg_identify_object(o.classid, o.objid, o.objsubid) i),"
" rows(ident, def) AS ("
"  SELECT ident, COALESCE(def, '') FROM named"
"  UNION ALL"
"  SELECT 'comment on ' || n.ident, d.description"
"  FROM named n JOIN pg_catalog.pg_description d"
"    ON d.classoid = n.classid AND d.objoid = n.objid AND d.objsubid = n.objsubid"
"  UNION ALL"
"  SELECT 'grant ' || x.privilege_type || ' on ' || n.ident || ' to '"
"      || CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee)::text END,"
"    CASE WHEN x.is_grantable THEN 'with grant option' ELSE '' END"
"  FROM named n, LATERAL ("
"    SELECT a.grantee, a.privilege_type, a.is_grantable FROM pg_catalog.aclexplode(n.acl) a"
"    EXCEPT"
"    SELECT a.grantee, a.privilege_type, a.is_grantable FROM pg_catalog.aclexplode(n.dflt) a) x"
"  UNION ALL"
"  SELECT 'revoke ' || x.privilege_type || ' on ' || n.ident || ' from '"
"      || CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee)::text END,"
"    ''"
"  FROM named n, LATERAL ("
"    SELECT a.grantee, a.privilege_type FROM pg_catalog.aclexplode(n.dflt) a"
"    EXCEPT"
"    SELECT a.grantee, a.privilege_type FROM pg_catalog.aclexplode(n.acl) a) x)"
" SELECT ident, pg_catalog.string_agg(DISTINCT def, ' | ')"
" FROM rows GROUP BY ident ORDER BY ident COLLATE \"C\"";

/*
 * Read the fingerprint of the current schema into print, allocated in the
 * current memory context.  Sees everything this transaction did so far.
 */
void
migrate_schemaprint_take(MigrateSchemaPrint *print)
{
	MemoryContext caller_cxt = CurrentMemoryContext;
	void	   *frame;
	uint64		i;

	/* the catalog's frame: the owner's identity, a pinned search_path */
	frame = migrate_catalog_begin();
	/* not read-only: a fresh snapshot sees the revision's changes */
	migrate_catalog_query(false, schemaprint_query, 0, NULL, NULL, NULL,
						  SPI_OK_SELECT);

	MemoryContextSwitchTo(caller_cxt);
	print->nobjs = (int) SPI_processed;
	print->objs = palloc(sizeof(MigrateSchemaObject) * Max(print->nobjs, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		char	   *ident = SPI_getvalue(row, SPI_tuptable->tupdesc, 1);
		char	   *def = SPI_getvalue(row, SPI_tuptable->tupdesc, 2);

		print->objs[i].identity = ident;
		print->objs[i].definition = def ? def : pstrdup("");
	}
	migrate_catalog_end(frame);
}

/* Append s to buf, cut to at most max bytes (on a character boundary). */
static void
append_cut(StringInfo buf, const char *s, int max)
{
	int			len = strlen(s);

	if (len <= max)
		appendStringInfoString(buf, s);
	else
	{
		len = pg_mbcliplen(s, len, max);
		appendBinaryStringInfo(buf, s, len);
		appendStringInfoString(buf, "...");
	}
}

/*
 * Compare two fingerprints: returns how many objects differ and sets
 * *diffs to one text per difference, "added X", "removed X" or "changed X:
 * BEFORE -> AFTER" (each side cut at 200 bytes), in identity order.
 * "added" is in after but not in before.
 */
int
migrate_schemaprint_diff(const MigrateSchemaPrint *before,
						 const MigrateSchemaPrint *after, char ***diffs)
{
	MigrateSchemaChange *changes;
	int			n = migrate_schema_compare(before, after, &changes);
	char	  **out = palloc(sizeof(char *) * Max(n, 1));
	int			k;

	for (k = 0; k < n; k++)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		switch (changes[k].kind)
		{
			case MIGRATE_SCHEMA_ADDED:
				appendStringInfo(&buf, "added %s",
								 after->objs[changes[k].after].identity);
				break;
			case MIGRATE_SCHEMA_REMOVED:
				appendStringInfo(&buf, "removed %s",
								 before->objs[changes[k].before].identity);
				break;
			case MIGRATE_SCHEMA_CHANGED:
				appendStringInfo(&buf, "changed %s: ",
								 before->objs[changes[k].before].identity);
				append_cut(&buf, before->objs[changes[k].before].definition, 200);
				appendStringInfoString(&buf, " -> ");
				append_cut(&buf, after->objs[changes[k].after].definition, 200);
				break;
		}
		out[k] = buf.data;
	}
	pfree(changes);
	*diffs = out;
	return n;
}
