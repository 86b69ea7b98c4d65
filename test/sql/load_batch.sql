-- migrate_load registers new revisions with one INSERT per batch: the rows
-- are the ones registering the files one at a time gives
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;
SELECT migrate_load('pg_migrate_fixtures/batch');
CREATE TEMP TABLE loaded AS
SELECT revision, to_jsonb(r) - 'seq' - 'registered_at' AS row
  FROM migrate.revision r;
SELECT revision, revises, depends_on, branch_labels, message, transactional,
       file_name, upgrade_line, downgrade_line, lint_ignores,
       downgrade_sql IS NULL AS irreversible,
       file_sha256 = encode(sha256(pg_read_binary_file('pg_migrate_fixtures/batch/' || file_name)), 'hex') AS sha_ok,
       upgrade_checksum = migrate_fingerprint(upgrade_sql) AS up_ok,
       downgrade_checksum IS NOT DISTINCT FROM migrate_fingerprint(downgrade_sql) AS down_ok
  FROM migrate.revision ORDER BY seq;
-- loading it again changes nothing, not even the generation
SELECT generation AS gen FROM migrate.state \gset
SELECT migrate_load('pg_migrate_fixtures/batch');
SELECT generation = :gen AS same_generation FROM migrate.state;
DROP EXTENSION pg_migrate;

-- the same files one at a time
CREATE EXTENSION pg_migrate;
SELECT f, migrate_add_file(f, pg_read_file('pg_migrate_fixtures/batch/' || f))
  FROM unnest('{b1_base.sql,b2_side.sql,b3_merge.sql}'::text[]) AS f ORDER BY f;
SELECT count(*) AS differ
  FROM (SELECT revision, to_jsonb(r) - 'seq' - 'registered_at' AS row FROM migrate.revision r
        EXCEPT SELECT revision, row FROM loaded) d;
SELECT count(*) AS missing
  FROM (SELECT revision, row FROM loaded
        EXCEPT SELECT revision, to_jsonb(r) - 'seq' - 'registered_at' FROM migrate.revision r) d;
DROP EXTENSION pg_migrate;

-- some registered, some new: the registered ones are compared (here b2 is
-- replaced by the file's version), the new ones inserted, in name order
CREATE EXTENSION pg_migrate;
SELECT migrate_add('b2', 'CREATE TABLE other (id int)');
SELECT generation AS gen FROM migrate.state \gset
SELECT migrate_load('pg_migrate_fixtures/batch');
SELECT generation > :gen AS bumped FROM migrate.state;
SELECT revision, upgrade_sql, file_name FROM migrate.revision ORDER BY seq;
SELECT count(*) AS differ
  FROM (SELECT revision, to_jsonb(r) - 'seq' - 'registered_at' - 'registered_by' AS row FROM migrate.revision r
        EXCEPT SELECT revision, row - 'registered_by' FROM loaded) d;
-- a bad file among them: nothing of the directory is kept
SELECT migrate_load('pg_migrate_fixtures/broken');
SELECT count(*) FROM migrate.revision;
DROP EXTENSION pg_migrate;
DROP TABLE loaded;
