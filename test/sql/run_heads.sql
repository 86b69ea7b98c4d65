-- CALL migrate_run() notes the heads in migrate.state when it leaves the
-- version rows at the heads, as migrate_upgrade() does, so that the next
-- upgrade to head takes the fast path
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS r1, r2, r3, r4 CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;
SET pg_migrate.notice_steps = off;
CREATE FUNCTION pg_temp.at_heads() RETURNS boolean LANGUAGE sql
AS $$ SELECT heads_generation IS NOT DISTINCT FROM generation FROM migrate.state $$;

SELECT migrate_add(revision => 'r1', upgrade => 'CREATE TABLE r1 (id int)', downgrade => 'DROP TABLE r1');
SELECT migrate_add(revision => 'r2', revises => '{r1}', upgrade => 'CREATE TABLE r2 (id int)', downgrade => 'DROP TABLE r2');
SELECT pg_temp.at_heads();
CALL migrate_run();
SELECT pg_temp.at_heads(), heads_count FROM migrate.state;
SELECT revision FROM migrate.version;
-- the next upgrade to head finds nothing to do and writes nothing
SELECT generation AS g0 FROM migrate.state \gset
SELECT count(*) FROM migrate_upgrade('head');
SELECT generation = :g0 AS unchanged FROM migrate.state;

-- a run that stops short of the heads does not claim them
SELECT migrate_add(revision => 'r3', revises => '{r2}', upgrade => 'CREATE TABLE r3 (id int)', downgrade => 'DROP TABLE r3');
SELECT migrate_add(revision => 'r4', revises => '{r3}', upgrade => 'CREATE TABLE r4 (id int)', downgrade => 'DROP TABLE r4');
CALL migrate_run('r3');
SELECT pg_temp.at_heads();
SELECT revision FROM migrate.version;

-- a run with nothing left to apply notes them too (here the noted heads
-- are cleared by hand first)
CALL migrate_run();
SELECT pg_temp.at_heads();
UPDATE migrate.state SET heads_generation = NULL;
SELECT pg_temp.at_heads();
CALL migrate_run();
SELECT pg_temp.at_heads(), heads_count FROM migrate.state;

SELECT count(*) FROM migrate_downgrade('base');
DROP EXTENSION pg_migrate;
