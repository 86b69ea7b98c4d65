-- migrate_sync_prune: with a client directory, the files are the source of
-- truth for the revisions not applied yet
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS p1, p2, p3 CASCADE;
DROP ROLE IF EXISTS prune_nobody;
SET client_min_messages = notice;
CREATE EXTENSION pg_migrate;
SELECT migrate_add_file('001_p1.sql', E'-- revision: p1\n-- migrate:upgrade\nCREATE TABLE p1 (id int);\n-- migrate:downgrade\nDROP TABLE p1;\n');
SELECT migrate_add_file('002_p2.sql', E'-- revision: p2\n-- revises: p1\n-- migrate:upgrade\nCREATE TABLE p2 (id int);\n');
SELECT migrate_add_file('003_p3.sql', E'-- revision: p3\n-- revises: p2\n-- migrate:upgrade\nCREATE TABLE p3 (id int);\n');
-- registered without a file: never pruned
SELECT migrate_add(revision => 'q1', revises => '{p1}', upgrade => 'SELECT 1');
SELECT count(*) FROM migrate_upgrade('p1');

-- every file is there: nothing dropped, the generation stays
SELECT generation AS g0 FROM migrate.state \gset
SELECT * FROM migrate_sync_prune('{001_p1.sql,002_p2.sql,003_p3.sql}');
SELECT generation = :g0 AS unchanged FROM migrate.state;

-- rolled back, nothing was dropped
BEGIN;
SELECT * FROM migrate_sync_prune('{001_p1.sql}');
ROLLBACK;
SELECT revision FROM migrate.revision ORDER BY revision;

-- p2 and p3 gone: a chain, dropped together; p1 is applied: kept, with a
-- warning; q1 has no file: kept
SELECT * FROM migrate_sync_prune('{}');
SELECT revision FROM migrate.revision ORDER BY revision;
SELECT generation > :g0 AS moved FROM migrate.state;
SELECT * FROM migrate_pending();

-- once downgraded, p1 has no file and is not applied, but q1 (no file of
-- its own) builds on it: kept, with a warning
SELECT count(*) FROM migrate_downgrade('base');
SELECT * FROM migrate_sync_prune('{}');
SELECT revision FROM migrate.revision ORDER BY revision;
-- q1 removed: p1 is dropped
SELECT migrate_remove('q1');
SELECT * FROM migrate_sync_prune('{}');
SELECT count(*) FROM migrate.revision;

-- STRICT: a null list changes nothing
SELECT * FROM migrate_sync_prune(NULL);

-- only the extension owner may use it
CREATE ROLE prune_nobody;
SET ROLE prune_nobody;
SELECT * FROM migrate_sync_prune('{}');
RESET ROLE;
DROP ROLE prune_nobody;

DROP EXTENSION pg_migrate;
