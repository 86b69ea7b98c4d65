-- Upgrades run inside the caller's transaction
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS ta, tb CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;

SELECT migrate_add(revision => 'a', upgrade => 'CREATE TABLE ta (id int)', downgrade => 'DROP TABLE ta');
SELECT migrate_add(revision => 'b', revises => '{a}', upgrade => 'CREATE TABLE tb (id int)', downgrade => 'DROP TABLE tb');

-- rolled back with the caller's transaction
BEGIN;
SELECT step, revision FROM migrate_upgrade('head');
SELECT * FROM migrate_current();
ROLLBACK;
SELECT * FROM migrate_current();
SELECT count(*) FROM pg_class WHERE relname IN ('ta', 'tb');
SELECT count(*) FROM migrate.journal;

-- a savepoint around a failure keeps the rest of the transaction
BEGIN;
SELECT step, revision FROM migrate_upgrade('a');
SAVEPOINT s;
SELECT * FROM migrate_upgrade('nope');
ROLLBACK TO s;
SELECT step, revision FROM migrate_upgrade('head');
COMMIT;
SELECT * FROM migrate_current();

-- the migration lock is a transaction-level advisory lock
BEGIN;
SELECT step, revision FROM migrate_downgrade('-1');
SELECT locktype, classid, objid, objsubid, mode, granted FROM pg_locks
 WHERE locktype = 'advisory' AND pid = pg_backend_pid();
COMMIT;
SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();

-- the settings (waiting for the lock is tested in test/concurrency)
SET pg_migrate.lock_timeout = '2s';
SHOW pg_migrate.lock_timeout;
SET pg_migrate.nonexistent = 1;
RESET pg_migrate.lock_timeout;

-- a read-only transaction cannot migrate
BEGIN READ ONLY;
SELECT * FROM migrate_upgrade('head');
ROLLBACK;

DROP EXTENSION pg_migrate;
DROP TABLE ta;
