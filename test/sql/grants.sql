-- Who may do what: the grants of docs/locking-and-privileges.md, a role
-- without them refused everywhere, the extension's queries safe from the
-- caller's search_path, and a revision planted by such a role never run
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP SCHEMA IF EXISTS grants_app, grants_hijack CASCADE;
DO $$DECLARE r name; BEGIN
FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('regress_grants_nobody', 'regress_grants_migrator', 'regress_grants_intruder') LOOP
  EXECUTE format('DROP OWNED BY %I', r); EXECUTE format('DROP ROLE %I', r);
END LOOP; END$$;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;
CREATE ROLE regress_grants_nobody;
CREATE ROLE regress_grants_migrator;
CREATE ROLE regress_grants_intruder;
CREATE SCHEMA grants_app AUTHORIZATION regress_grants_migrator;

-- every function or procedure of the extension that is not a read-only
-- report (STABLE, or migrate_wait) is closed to a role granted nothing,
-- including any added later
SELECT p.oid::regprocedure AS open_to_public
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
  JOIN pg_extension e ON e.oid = d.refobjid AND d.deptype = 'e'
 WHERE e.extname = 'pg_migrate' AND p.provolatile = 'v' AND p.proname <> 'migrate_wait'
   AND has_function_privilege('regress_grants_nobody', p.oid, 'EXECUTE')
 ORDER BY 1;
-- and so is every table and sequence of the catalog
SELECT c.relname, has_schema_privilege('regress_grants_nobody', 'migrate', 'USAGE') AS schema_usage
  FROM pg_class c
 WHERE c.relnamespace = 'migrate'::regnamespace AND c.relkind IN ('r', 'S')
   AND (has_table_privilege('regress_grants_nobody', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')
        OR has_schema_privilege('regress_grants_nobody', 'migrate', 'USAGE'))
 ORDER BY 1;

-- the operator's set-up: a migrator role granted EXECUTE on the
-- state-changing functions, nothing on schema migrate
GRANT EXECUTE ON FUNCTION
    migrate_add(text, text, text[], text, text, text[], text[], boolean),
    migrate_add_file(text, text), migrate_remove(text),
    migrate_upgrade(text), migrate_downgrade(text), migrate_stamp(text[]),
    migrate_record(text, text, double precision), migrate_script(text, text)
  TO regress_grants_migrator;
GRANT EXECUTE ON PROCEDURE migrate_run(text) TO regress_grants_migrator;

-- a role granted nothing cannot register, apply, or write the catalog
SET ROLE regress_grants_nobody;
SELECT migrate_add('planted', 'CREATE TABLE grants_app.planted (id int)');
SELECT migrate_add_file('planted.sql', E'-- revision: planted\n-- migrate:upgrade\nCREATE TABLE grants_app.planted (id int);\n');
INSERT INTO migrate.revision (revision, upgrade_sql) VALUES ('planted', 'CREATE TABLE grants_app.planted (id int)');
UPDATE migrate.revision SET upgrade_sql = 'SELECT 1';
DELETE FROM migrate.version;
SELECT nextval('migrate.revision_seq');
CALL migrate_run();
SELECT * FROM migrate_upgrade('heads');
SELECT * FROM migrate_stamp('base');
SELECT * FROM migrate_record('planted', 'upgrade', 1);
SELECT migrate_remove('planted');
-- reports stay open
SELECT count(*) FROM migrate_history();
RESET ROLE;

-- the migrator registers and applies; it cannot write the catalog directly
SET ROLE regress_grants_migrator;
SELECT migrate_add('g1', 'CREATE TABLE grants_app.g_one (id int)');
INSERT INTO migrate.revision (revision, upgrade_sql) VALUES ('planted', 'CREATE TABLE grants_app.planted (id int)');
UPDATE migrate.revision SET upgrade_sql = 'SELECT 1' WHERE revision = 'g1';
CALL migrate_run();
RESET ROLE;
-- the planted revision never existed, never ran
SELECT revision, registered_by FROM migrate.revision ORDER BY seq;
SELECT revision, operation, role FROM migrate.journal ORDER BY id;
SELECT count(*) FROM pg_class WHERE relname = 'planted';

-- search_path hijack: a role that can create objects in a schema early on
-- the caller's search_path plants operators and functions the extension's
-- queries would use if they were unqualified; none of them is ever called
CREATE SCHEMA grants_hijack AUTHORIZATION regress_grants_intruder;
GRANT USAGE ON SCHEMA grants_hijack TO PUBLIC;
SET ROLE regress_grants_intruder;
CREATE FUNCTION grants_hijack.trap(text, text) RETURNS boolean LANGUAGE plpgsql
  AS $$BEGIN RAISE EXCEPTION 'hijacked operator called'; END$$;
CREATE OPERATOR grants_hijack.= (LEFTARG = text, RIGHTARG = text, FUNCTION = grants_hijack.trap);
CREATE OPERATOR grants_hijack.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = grants_hijack.trap);
CREATE FUNCTION grants_hijack.unnest(text[]) RETURNS SETOF text LANGUAGE plpgsql
  AS $$BEGIN RAISE EXCEPTION 'hijacked unnest called'; END$$;
CREATE FUNCTION grants_hijack.now() RETURNS timestamptz LANGUAGE plpgsql
  AS $$BEGIN RAISE EXCEPTION 'hijacked now called'; END$$;
CREATE FUNCTION grants_hijack.lower(text) RETURNS text LANGUAGE plpgsql
  AS $$BEGIN RAISE EXCEPTION 'hijacked lower called'; END$$;
RESET ROLE;
SET ROLE regress_grants_migrator;
SET search_path = grants_hijack, pg_catalog, public;
SELECT migrate_add('g2', $$CREATE TABLE grants_app.g_two AS SELECT lower('X') = 'x' AS ok$$, '{g1}',
                   'DROP TABLE grants_app.g_two');
SELECT step, revision FROM migrate_upgrade('heads');
SELECT * FROM grants_app.g_two;
SELECT revision FROM migrate_downgrade('g1');
SELECT * FROM migrate_stamp('g2');
SELECT revision, is_current FROM migrate_history();
SELECT migrate_status()->>'up_to_date';
SELECT migrate_remove('nosuch');
RESET search_path;
RESET ROLE;

DROP EXTENSION pg_migrate;
DROP SCHEMA grants_app CASCADE;
DROP SCHEMA grants_hijack CASCADE;
DROP ROLE regress_grants_nobody;
DROP ROLE regress_grants_migrator;
DROP ROLE regress_grants_intruder;
