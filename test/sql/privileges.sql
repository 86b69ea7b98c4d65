-- Who may do what
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS p1 CASCADE;
DROP FUNCTION IF EXISTS public.planted_ge(float8, int) CASCADE;
DO $$DECLARE r name; BEGIN
FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('regress_migrate_reader', 'regress_migrate_deployer') LOOP
  EXECUTE format('DROP OWNED BY %I', r); EXECUTE format('DROP ROLE %I', r);
END LOOP; END$$;
RESET client_min_messages;

-- an operator planted in the extension's schema before it was created is
-- never run by the catalog's constraints (they run as the owner)
CREATE FUNCTION public.planted_ge(float8, int) RETURNS boolean
	LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'planted operator called'; END$$;
CREATE OPERATOR public.>= (LEFTARG = float8, RIGHTARG = int, FUNCTION = public.planted_ge);
CREATE EXTENSION pg_migrate;
SELECT migrate_add(revision => 'p1', upgrade => 'CREATE TABLE p1 (id int)', downgrade => 'DROP TABLE p1');

CREATE ROLE regress_migrate_reader;
CREATE ROLE regress_migrate_deployer;
GRANT CREATE ON SCHEMA public TO regress_migrate_deployer;
GRANT EXECUTE ON FUNCTION migrate_upgrade(text), migrate_downgrade(text) TO regress_migrate_deployer;

SET ROLE regress_migrate_reader;
-- reports are open to everyone; the catalog and state changes are not
SELECT * FROM migrate_heads();
SELECT step, revision FROM migrate_pending();
SELECT * FROM migrate_upgrade('head');
SELECT * FROM migrate.revision;
SELECT migrate_load('pg_migrate_fixtures/good');
RESET ROLE;

-- a role granted EXECUTE migrates without any privilege on schema migrate;
-- the revision runs as that role, and the journal names it
SET ROLE regress_migrate_deployer;
SELECT step, revision FROM migrate_upgrade('head');
RESET ROLE;
SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'p1';
SELECT revision, operation, role FROM migrate.journal;

-- migrate_load is for superusers and members of pg_read_server_files
SET ROLE regress_migrate_deployer;
SELECT step, revision FROM migrate_downgrade('base');
RESET ROLE;
GRANT EXECUTE ON FUNCTION migrate_load(text) TO regress_migrate_deployer;
SET ROLE regress_migrate_deployer;
SELECT migrate_load('pg_migrate_fixtures/good');

-- the catalog is kept by pg_dump
SELECT c.relname FROM pg_extension e, unnest(e.extconfig) AS cfg(oid)
  JOIN pg_class c ON c.oid = cfg.oid
 WHERE e.extname = 'pg_migrate' ORDER BY 1;

RESET ROLE;
GRANT pg_read_server_files TO regress_migrate_deployer;
SET ROLE regress_migrate_deployer;
SELECT migrate_load('pg_migrate_fixtures/good');
RESET ROLE;

DROP EXTENSION pg_migrate;
DROP OPERATOR public.>= (float8, int);
DROP FUNCTION public.planted_ge(float8, int);
REVOKE pg_read_server_files FROM regress_migrate_deployer;
REVOKE CREATE ON SCHEMA public FROM regress_migrate_deployer;
DROP ROLE regress_migrate_reader;
DROP ROLE regress_migrate_deployer;
