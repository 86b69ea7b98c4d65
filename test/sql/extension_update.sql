-- The update path: a database made with version 0.1, with revisions
-- registered and applied, is updated with ALTER EXTENSION ... UPDATE; its
-- history, current revisions and journal are intact, it keeps working,
-- and it has the same objects as a fresh installation of the new version.
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS upd_t1 CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate VERSION '0.1';
SET client_min_messages = warning;
SELECT extversion FROM pg_extension WHERE extname = 'pg_migrate';

-- the installed library is the new version's: until the update it refuses
-- the database clearly, rather than failing on catalog columns 0.1 lacks
SELECT migrate_add('upd0', 'SELECT 1');
SELECT * FROM migrate_current();

-- what the 0.1 release left in its catalog: three revisions registered
-- from files, two applied with their journal rows, the generation bumped
-- four times (three registrations, one upgrade call)
INSERT INTO migrate.revision (revision, revises, branch_labels, message, upgrade_sql,
                              downgrade_sql, file_name, upgrade_line, downgrade_line)
VALUES ('upd1', '{}', '{}', 'first', 'CREATE TABLE upd_t1 (id int);', 'DROP TABLE upd_t1;', 'u1.sql', 4, 6),
       ('upd2', '{upd1}', '{upd}', 'second', 'INSERT INTO upd_t1 VALUES (1), (2);', 'DELETE FROM upd_t1;', 'u2.sql', 6, 8),
       ('upd3', '{upd2}', '{}', 'third', 'ALTER TABLE upd_t1 ADD COLUMN note text', 'ALTER TABLE upd_t1 DROP COLUMN note', NULL, NULL, NULL);
CREATE TABLE upd_t1 (id int);
INSERT INTO upd_t1 VALUES (1), (2);
INSERT INTO migrate.version VALUES ('upd2');
INSERT INTO migrate.journal (revision, operation, message, role, started_at, duration_ms, version_after)
VALUES ('upd1', 'upgrade', 'first', current_user, '2026-01-01 10:00:00+00', 1.5, '{upd1}'),
       ('upd2', 'upgrade', 'second', current_user, '2026-01-01 10:00:01+00', 0.5, '{upd2}');
UPDATE migrate.state SET generation = 4, changed_at = '2026-01-01 10:00:01+00';

-- what 0.1 reports, kept to compare after the update
CREATE TEMP TABLE before_history AS
  SELECT r.revision, r.revises, r.depends_on, r.message, r.branch_labels, r.file_name,
         r.revision IN (SELECT revision FROM migrate.version) AS is_current
    FROM migrate.revision r;
CREATE TEMP TABLE before_journal AS
  SELECT id, revision, operation, started_at, version_after FROM migrate.journal;
CREATE TEMP TABLE before_revision AS
  SELECT revision, revises, upgrade_sql, downgrade_sql, file_name, upgrade_line, seq
    FROM migrate.revision;
CREATE TEMP TABLE before_state AS
  SELECT generation, (SELECT array_agg(revision ORDER BY revision) FROM migrate.version) AS current
    FROM migrate.state;

ALTER EXTENSION pg_migrate UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions
                      WHERE name = 'pg_migrate') AS at_default_version
  FROM pg_extension WHERE extname = 'pg_migrate';

-- reports, catalog rows and journal are as before
SELECT count(*) AS history_rows,
       count(*) FILTER (WHERE (h.revises, h.depends_on, h.message, h.branch_labels,
                               h.is_current, h.file_name)
                              IS NOT DISTINCT FROM
                              (b.revises, b.depends_on, b.message, b.branch_labels,
                               b.is_current, b.file_name)) AS same
  FROM migrate_history() h FULL JOIN before_history b USING (revision);
SELECT revision, applied, applied_at FROM migrate_history() ORDER BY revision;
SELECT (SELECT count(*) FROM before_journal) AS journal_rows,
       (SELECT count(*) FROM migrate.journal j JOIN before_journal b
           ON (j.id, j.revision, j.operation, j.started_at, j.version_after)
              = (b.id, b.revision, b.operation, b.started_at, b.version_after)) AS same;
SELECT count(*) AS revision_rows
  FROM migrate.revision r JOIN before_revision b
    ON (r.revision, r.revises, r.upgrade_sql, r.downgrade_sql, r.file_name, r.upgrade_line, r.seq)
       IS NOT DISTINCT FROM
       (b.revision, b.revises, b.upgrade_sql, b.downgrade_sql, b.file_name, b.upgrade_line, b.seq);
SELECT s.generation = b.generation AS same_generation,
       (SELECT array_agg(c ORDER BY c) FROM migrate_current() c) = b.current AS same_current
  FROM migrate.state s, before_state b;
SELECT * FROM migrate_current();
SELECT step, revision FROM migrate_pending();
SELECT migrate_check('upd2');
SELECT (migrate_status()->>'current') IS NOT NULL AS status_works;

-- it keeps working: upgrade, downgrade, upgrade again, with the journal
-- growing after the old rows
SELECT step, revision, operation FROM migrate_upgrade('heads');
SELECT count(*) FROM upd_t1;
SELECT step, revision, operation FROM migrate_downgrade('upd@-2');
SELECT step, revision, operation FROM migrate_upgrade('upd@head');
SELECT revision, operation, id > (SELECT max(id) FROM before_journal) AS new
  FROM migrate.journal ORDER BY id;
SELECT migrate_add('upd4', 'SELECT 1', '{upd3}');
SELECT step, revision FROM migrate_upgrade('head');
SELECT * FROM migrate_current();

-- the updated extension has exactly the objects and catalog columns of a
-- fresh installation of the new version
CREATE TEMP TABLE updated_objects AS
  SELECT pg_describe_object(classid, objid, objsubid) AS object
    FROM pg_depend
   WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
     AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_migrate');
CREATE TEMP TABLE updated_columns AS
  SELECT table_name, column_name, data_type, column_default, is_nullable
    FROM information_schema.columns WHERE table_schema = 'migrate';
CREATE TEMP TABLE updated_constraints AS
  SELECT conrelid::regclass::text AS rel, conname, pg_get_constraintdef(oid) AS def
    FROM pg_constraint WHERE connamespace = 'migrate'::regnamespace;
CREATE TEMP TABLE updated_acl AS
  SELECT p.oid::regprocedure::text AS fn, p.proacl::text AS acl
    FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
   WHERE d.deptype = 'e' AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_migrate');

DROP EXTENSION pg_migrate;
DROP TABLE upd_t1;
CREATE EXTENSION pg_migrate;

SELECT object AS only_after_update FROM updated_objects
EXCEPT
SELECT pg_describe_object(classid, objid, objsubid)
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_migrate');
SELECT pg_describe_object(classid, objid, objsubid) AS only_in_fresh
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_migrate')
EXCEPT
SELECT object FROM updated_objects;
SELECT count(*) > 20 AS many_objects FROM updated_objects;
(SELECT * FROM updated_columns
 EXCEPT
 SELECT table_name, column_name, data_type, column_default, is_nullable
   FROM information_schema.columns WHERE table_schema = 'migrate')
UNION ALL
(SELECT table_name, column_name, data_type, column_default, is_nullable
   FROM information_schema.columns WHERE table_schema = 'migrate'
 EXCEPT
 SELECT * FROM updated_columns);
(SELECT * FROM updated_constraints
 EXCEPT
 SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
   FROM pg_constraint WHERE connamespace = 'migrate'::regnamespace)
UNION ALL
(SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
   FROM pg_constraint WHERE connamespace = 'migrate'::regnamespace
 EXCEPT
 SELECT * FROM updated_constraints);
(SELECT * FROM updated_acl
 EXCEPT
 SELECT p.oid::regprocedure::text, p.proacl::text
   FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
  WHERE d.deptype = 'e' AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_migrate'))
UNION ALL
(SELECT p.oid::regprocedure::text, p.proacl::text
   FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
  WHERE d.deptype = 'e' AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_migrate')
 EXCEPT
 SELECT * FROM updated_acl);

DROP EXTENSION pg_migrate;
