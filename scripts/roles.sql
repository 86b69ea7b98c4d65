-- scripts/roles.sql - three roles for an application database: migrator,
-- monitoring and application
--
-- Usage (as the database owner or a superuser, after CREATE EXTENSION):
--   psql -d app -v migrator=app_migrator -v monitoring=app_monitor \
--        -v app=app_user -v schema=public -f scripts/roles.sql
--
-- Each variable is optional (defaults: migrator, monitoring, app, public).
-- Roles that do not exist are created with LOGIN and no password; set one
-- with ALTER ROLE ... PASSWORD, or let pg_hba.conf decide.  Running it
-- again changes nothing.
--
--   migrator    runs pg_migrate: every function of the extension, creates
--               and owns the application's tables in the schema, and can
--               read schema migrate, so pg_dump (scripts/backup_db.sh) and
--               scripts/emergency_rollback.sh work as this role.
--   monitoring  pg_migrate status, current, check, history: the reports are
--               open to every role, and the client registers nothing for a
--               role that may not.
--   app         reads and writes the tables the migrator creates, nothing
--               else: no DDL, no migrations.

\set ON_ERROR_STOP on
\set QUIET on
\if :{?migrator}
\else
\set migrator migrator
\endif
\if :{?monitoring}
\else
\set monitoring monitoring
\endif
\if :{?app}
\else
\set app app
\endif
\if :{?schema}
\else
\set schema public
\endif

BEGIN;

SELECT format('CREATE ROLE %I LOGIN', r)
  FROM unnest(ARRAY[:'migrator', :'monitoring', :'app']) AS r
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) \gexec

SELECT format('GRANT CONNECT ON DATABASE %I TO %I, %I, %I',
              current_database(), :'migrator', :'monitoring', :'app') \gexec

-- migrator: every function and procedure of the extension
SELECT format('GRANT EXECUTE ON %s %s TO %I',
              CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
              p.oid::pg_catalog.regprocedure, :'migrator')
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_proc p ON p.oid = d.objid
  JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
 WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
   AND d.deptype = 'e' AND e.extname = 'pg_migrate'
 ORDER BY p.oid \gexec

-- migrator: read the extension's tables, for pg_dump
GRANT USAGE ON SCHEMA migrate TO :"migrator";
GRANT SELECT ON ALL TABLES IN SCHEMA migrate TO :"migrator";
GRANT SELECT ON ALL SEQUENCES IN SCHEMA migrate TO :"migrator";

-- migrator: the application's schema, where revisions create objects
GRANT USAGE, CREATE ON SCHEMA :"schema" TO :"migrator";

-- app: the tables and sequences the migrator creates, now and later
GRANT USAGE ON SCHEMA :"schema" TO :"app";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA :"schema" TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA :"schema" TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"migrator" IN SCHEMA :"schema"
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"migrator" IN SCHEMA :"schema"
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";

-- monitoring: USAGE on the application's schema to see its objects
GRANT USAGE ON SCHEMA :"schema" TO :"monitoring";

COMMIT;
\echo roles ready: migrator :"migrator", monitoring :"monitoring", application :"app", schema :"schema"
