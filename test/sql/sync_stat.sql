-- The client's stat cache on the server: migrate_sync_done() with a stat
-- digest, migrate_sync_stat()
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;
SELECT migrate_sync_done('/d', repeat('a', 64), repeat('s', 64)) > 0 AS recorded;
-- same stat digest, nothing changed: the content digest
SELECT migrate_sync_stat('/d', repeat('s', 64)) = repeat('a', 64) AS hit;
-- another stat digest or another directory: null
SELECT migrate_sync_stat('/d', repeat('t', 64)) IS NULL AS other_stat,
       migrate_sync_stat('/e', repeat('s', 64)) IS NULL AS other_dir;
-- any change since (here a registration) makes it stale
SELECT migrate_add('s1', 'SELECT 1');
SELECT migrate_sync_stat('/d', repeat('s', 64)) IS NULL AS stale;
-- recorded without a stat digest (not safe to keep): no hit
SELECT migrate_sync_done('/d', repeat('b', 64), NULL) > 0 AS recorded;
SELECT stat_digest IS NULL AS cleared FROM migrate.sync WHERE dir_key = '/d';
SELECT migrate_sync_stat('/d', repeat('s', 64)) IS NULL AS no_hit;
-- the two-argument form clears it too
SELECT migrate_sync_done('/d', repeat('c', 64), repeat('s', 64)) > 0 AS recorded;
SELECT migrate_sync_done('/d', repeat('c', 64)) > 0 AS recorded;
SELECT stat_digest IS NULL AS cleared FROM migrate.sync WHERE dir_key = '/d';
-- bad arguments
SELECT migrate_sync_done('/d', repeat('c', 64), '');
SELECT migrate_sync_done(NULL, repeat('c', 64), repeat('s', 64));
SELECT migrate_sync_stat('', repeat('s', 64));
SELECT migrate_sync_stat('/d', '');
-- only for the privileged, like the other sync functions
SELECT has_function_privilege('public', 'migrate_sync_stat(text, text)', 'execute') AS public_stat,
       has_function_privilege('public', 'migrate_sync_done(text, text, text)', 'execute') AS public_done;
DROP EXTENSION pg_migrate;
