-- Lock safety: the settings applied while a revision runs, CALL migrate_run()
-- (waits for locks, holders and retries are tested in test/concurrency)
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS seen, landed, run_one, run_two, run_three, run_four, run_five, run_six CASCADE;
DROP FUNCTION IF EXISTS call_run CASCADE;
DROP SCHEMA IF EXISTS deploy_target, caller_schema CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;
CREATE TABLE seen (revision text, name text, value text);

-- the settings and their defaults
SHOW pg_migrate.revision_lock_timeout;
SHOW pg_migrate.revision_statement_timeout;
SHOW pg_migrate.lock_retries;
SHOW pg_migrate.lock_retry_delay;
SHOW pg_migrate.lock_retry_max_delay;
SHOW pg_migrate.search_path;
SET pg_migrate.search_path = '"unterminated';
SET pg_migrate.lock_retries = -1;
SET pg_migrate.revision_lock_timeout = '-1s';

-- a revision sees pg_migrate.revision_lock_timeout as lock_timeout and
-- pg_migrate.search_path as search_path, whatever the caller has; a SET in
-- the revision overrides them for that revision only; nothing leaks
CREATE SCHEMA deploy_target;
CREATE SCHEMA caller_schema;
SELECT migrate_add('s1', $$INSERT INTO public.seen
  SELECT 's1', name, setting FROM pg_settings WHERE name IN ('lock_timeout', 'search_path');
CREATE TABLE landed (id int)$$);
SELECT migrate_add('s2', $$SET lock_timeout = '42s'; SET search_path = caller_schema;
INSERT INTO public.seen
  SELECT 's2', name, setting FROM pg_settings WHERE name IN ('lock_timeout', 'search_path')$$, '{s1}');
SELECT migrate_add('s3', $$INSERT INTO public.seen
  SELECT 's3', name, setting FROM pg_settings WHERE name IN ('lock_timeout', 'search_path')$$, '{s2}');
SET search_path = caller_schema, public;
SET lock_timeout = '7s';
SET pg_migrate.revision_lock_timeout = '1500ms';
SET pg_migrate.search_path = 'deploy_target, public';
SELECT step, revision FROM migrate_upgrade('heads');
SELECT * FROM public.seen ORDER BY 1, 2;
-- the unqualified CREATE TABLE landed in pg_migrate.search_path's schema
SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relname = 'landed';
SHOW search_path;
SHOW lock_timeout;
-- 0 and an empty value keep the caller's settings
SET pg_migrate.revision_lock_timeout = 0;
SET pg_migrate.search_path = '';
SELECT migrate_add('s4', $$INSERT INTO public.seen
  SELECT 's4', name, setting FROM pg_settings WHERE name IN ('lock_timeout', 'search_path')$$, '{s3}');
SELECT step, revision FROM migrate_upgrade('heads');
SELECT * FROM public.seen WHERE revision = 's4' ORDER BY 1, 2;
RESET pg_migrate.revision_lock_timeout;
RESET pg_migrate.search_path;
RESET search_path;
RESET lock_timeout;

-- pg_migrate.revision_statement_timeout cancels a revision's statement that
-- runs too long (a 60 s sleep, cancelled at 50 ms); the caller's
-- statement_timeout is back afterwards
SELECT migrate_add('slow', 'SELECT pg_sleep(60)', '{s4}');
SET pg_migrate.revision_statement_timeout = '50ms';
SELECT step, revision FROM migrate_upgrade('heads');
SHOW statement_timeout;
RESET pg_migrate.revision_statement_timeout;
SELECT migrate_remove('slow');

-- CALL migrate_run(): not inside a transaction block, nor from a function
SELECT migrate_add('t1', 'CREATE TABLE run_one (id int)', '{s4}');
SELECT migrate_add('t2', 'CREATE TABLE run_two (id int)', '{t1}');
SELECT migrate_add('t3', 'CREATE TABLE run_three (id int); SELECT 1 / 0', '{t2}');
SELECT migrate_add('t4', 'CREATE TABLE run_four (id int)', '{t3}');
BEGIN;
CALL migrate_run();
ROLLBACK;
CREATE FUNCTION call_run() RETURNS void LANGUAGE plpgsql AS $$BEGIN CALL migrate_run(); END$$;
SELECT call_run();
DROP FUNCTION call_run();
CALL migrate_run(NULL);
CALL migrate_run('');
SELECT * FROM migrate_current();
-- a DO block outside a transaction block may call it
DO $$BEGIN CALL migrate_run('t1'); END$$;
SELECT * FROM migrate_current();

-- each revision commits on its own: a failure in t3 leaves t1 and t2
-- applied and journaled, each in a transaction of its own
CALL migrate_run();
SELECT * FROM migrate_current();
SELECT revision, operation FROM migrate.journal WHERE revision LIKE 't%' ORDER BY id;
SELECT count(DISTINCT xact_id) FROM migrate.journal WHERE revision IN ('t1', 't2');
SELECT count(*) FROM pg_class WHERE relname IN ('run_one', 'run_two', 'run_three');
-- no lock is left behind, after a failure either
SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();

-- a relative target counts from where the call started; while a revision
-- runs, the session lock (objid 2) and the migration lock (objid 1) are held
SELECT migrate_add('t3', $$CREATE TABLE run_three (id int);
INSERT INTO public.seen SELECT 't3', objid::text || ' ' || mode, CASE WHEN granted THEN 'granted' END
  FROM pg_locks WHERE locktype = 'advisory' AND classid = 1886218599 AND pid = pg_backend_pid()$$, '{t2}');
SELECT migrate_add('t5', 'CREATE TABLE run_five (id int)', '{t4}');
CALL migrate_run('+1');
SELECT * FROM migrate_current();
SELECT * FROM public.seen WHERE revision = 't3' ORDER BY 2;
CALL migrate_run('heads');
SELECT * FROM migrate_current();
SELECT revision FROM migrate.journal WHERE revision LIKE 't%' ORDER BY id;
-- nothing to do: nothing happens
CALL migrate_run();
SELECT count(*) FROM migrate.journal;

-- a non-transactional revision is refused before anything runs
SELECT migrate_add('t6', 'CREATE TABLE run_six (id int)', '{t5}');
SELECT migrate_add('t7', 'CREATE INDEX CONCURRENTLY run_six_idx ON run_six (id)', '{t6}',
                   transactional => false);
CALL migrate_run();
SELECT * FROM migrate_current();
SELECT count(*) FROM pg_class WHERE relname = 'run_six';

DROP EXTENSION pg_migrate;
DROP TABLE seen, run_one, run_two, run_three, run_four, run_five;
DROP SCHEMA deploy_target CASCADE;
DROP SCHEMA caller_schema;
