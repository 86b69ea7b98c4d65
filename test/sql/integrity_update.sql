-- Updating from 0.1: checksums of the registered revisions and of the
-- journal are filled in, and nothing counts as drift
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS upd_t, upd_3 CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate VERSION '0.1';
-- The library is 0.2's, and its functions need 0.2's catalog, so the rows a
-- 0.1 installation would hold are written directly: three revisions, two
-- applied and journaled, as 0.1's migrate_add and migrate_upgrade leave them.
INSERT INTO migrate.revision (revision, revises, message, upgrade_sql, downgrade_sql, file_name, upgrade_line, downgrade_line)
VALUES ('u1', '{}', 'first', E'CREATE TABLE upd_t (id int);\n-- a comment', 'DROP TABLE upd_t', 'u1_first.sql', 4, 7),
       ('u2', '{u1}', 'irreversible', 'ALTER TABLE upd_t ADD COLUMN v text', NULL, NULL, NULL, NULL),
       ('u3', '{u2}', 'pending', 'CREATE TABLE upd_3 (id int)', 'DROP TABLE upd_3', NULL, NULL, NULL);
CREATE TABLE upd_t (id int, v text);
INSERT INTO migrate.version VALUES ('u2');
INSERT INTO migrate.journal (revision, operation, message, role, started_at, duration_ms, version_after)
VALUES ('u1', 'upgrade', 'first', current_user, now(), 1, '{u1}'),
       ('u2', 'upgrade', 'irreversible', current_user, now(), 1, '{u2}');

ALTER EXTENSION pg_migrate UPDATE TO '0.3';
SELECT revision, upgrade_checksum = migrate_fingerprint(upgrade_sql) AS upgrade_ok,
       downgrade_checksum IS NOT DISTINCT FROM migrate_fingerprint(downgrade_sql) AS downgrade_ok,
       downgrade_checksum IS NULL AS irreversible
  FROM migrate.revision ORDER BY seq;
SELECT j.revision, j.operation, j.checksum = r.upgrade_checksum AS checksum_ok
  FROM migrate.journal j JOIN migrate.revision r USING (revision) ORDER BY j.id;
SELECT count(*) FROM migrate_drift();
SELECT migrate_status()->'drift' AS drift, migrate_status()->'interrupted' AS interrupted;
-- the same revisions registered again (re-laid-out) are unchanged
SELECT migrate_add(revision => 'u1', upgrade => 'create table UPD_T (ID int);',
                   downgrade => 'drop table upd_t;', message => 'first');
-- a real change is drift, as after any registration
SELECT migrate_add(revision => 'u2', revises => '{u1}', upgrade => 'ALTER TABLE upd_t ADD COLUMN v bigint',
                   message => 'irreversible');
SELECT revision FROM migrate_drift();
SELECT migrate_repair('u2') = migrate_fingerprint('ALTER TABLE upd_t ADD COLUMN v bigint') AS repaired;
SELECT revision FROM migrate_upgrade('head');
SELECT migrate_check();
-- the new journal operations are allowed
SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'journal_operation_check';

DROP EXTENSION pg_migrate;
DROP TABLE upd_3, upd_t;
