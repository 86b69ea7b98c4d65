-- Read-only reports: current, heads, history, pending, check, status, script
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS r1, r2, r3 CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;

-- an empty catalog
SELECT * FROM migrate_heads();
SELECT * FROM migrate_history();
SELECT migrate_check();
SELECT jsonb_pretty(migrate_status() - 'server_version' - 'database');

SELECT migrate_add(revision => 'r1', upgrade => 'CREATE TABLE r1 (id int)', downgrade => 'DROP TABLE r1', message => 'first');
SELECT migrate_add(revision => 'r2', revises => '{r1}', upgrade => 'CREATE TABLE r2 (id int)', downgrade => 'DROP TABLE r2', message => 'second');
SELECT migrate_add(revision => 'r3', revises => '{r2}', upgrade => 'CREATE TABLE r3 (id int)', message => 'third, irreversible');

SELECT step, revision, message, transactional FROM migrate_pending();
SELECT step, revision, message FROM migrate_pending('r2');
SELECT migrate_check();
SELECT migrate_check('r1');
SELECT * FROM migrate_script('upgrade', 'head');
SELECT * FROM migrate_script('sideways', 'head');

SELECT step, revision FROM migrate_upgrade('r2');
SELECT migrate_check('r2');
SELECT revision, revises, message, is_head, is_current, applied, applied_at IS NOT NULL AS has_time
  FROM migrate_history();
SELECT revision FROM migrate_history('r1:r2');
SELECT revision FROM migrate_history('current:');
SELECT * FROM migrate_script('downgrade', 'base');

SELECT s - 'server_version' - 'database' - 'last_migration' AS status,
       s->'last_migration'->>'revision' AS last_revision,
       s->'last_migration'->>'operation' AS last_operation,
       s->'last_migration'->>'role' = current_user AS last_role_is_me,
       (s->'last_migration'->>'duration_ms')::float8 >= 0 AS has_duration,
       (s->'last_migration'->>'started_at')::timestamptz <= now() AS has_time,
       s->>'server_version' = current_setting('server_version') AS server_version
  FROM migrate_status() AS s;

-- migrate_wait returns at once when the target is reached, and times out otherwise
SELECT migrate_wait('r2', '1s');
SELECT migrate_wait('r3', '0.2s');
SELECT migrate_wait('not_there', '0.2s');

DROP EXTENSION pg_migrate;
DROP TABLE r1, r2;
