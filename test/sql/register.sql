-- Registration: migrate_add, migrate_add_file, migrate_load
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS a1, b2, c3 CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;

-- functions are callable unqualified; the catalog lives in schema migrate
SELECT n.nspname, count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.proname LIKE 'migrate\_%' GROUP BY 1;
SELECT relname FROM pg_class WHERE relnamespace = 'migrate'::regnamespace AND relkind = 'r' ORDER BY 1;

-- a child may be registered before its parent
SELECT migrate_add(revision => 'b2', revises => '{a1}', upgrade => 'CREATE TABLE b2 (id int)',
                   downgrade => 'DROP TABLE b2', message => 'second');
SELECT migrate_add(revision => 'a1', upgrade => 'CREATE TABLE a1 (id int)',
                   downgrade => 'DROP TABLE a1', message => 'first');
-- the same again is a no-op
SELECT migrate_add(revision => 'a1', upgrade => 'CREATE TABLE a1 (id int)',
                   downgrade => 'DROP TABLE a1', message => 'first');
-- a change to a revision that is not applied replaces it
SELECT migrate_add(revision => 'b2', revises => '{a1}', upgrade => 'CREATE TABLE b2 (id int, v text)',
                   downgrade => 'DROP TABLE b2', message => 'second, with v');
SELECT revision, revises, message, upgrade_sql, downgrade_sql, transactional, file_name
  FROM migrate.revision ORDER BY seq;

-- once applied, a change is refused and nothing changes
SELECT revision, operation FROM migrate_upgrade('head');
-- (an applied revision keeps its place in the graph; edits of its SQL are
-- drift, tested in integrity.sql)
SELECT migrate_add(revision => 'b2', revises => '{}', upgrade => 'CREATE TABLE b2 (id int, w text)',
                   downgrade => 'DROP TABLE b2', message => 'second, with w');
SELECT upgrade_sql FROM migrate.revision WHERE revision = 'b2';
-- but registering it unchanged is still fine
SELECT migrate_add(revision => 'b2', revises => '{a1}', upgrade => 'CREATE TABLE b2 (id int, v text)',
                   downgrade => 'DROP TABLE b2', message => 'second, with v');

-- bad arguments
SELECT migrate_add(revision => 'bad id', upgrade => 'SELECT 1');
SELECT migrate_add(revision => 'c3', revises => '{"a$"}', upgrade => 'SELECT 1');
SELECT migrate_add(revision => 'c3', revises => '{NULL}', upgrade => 'SELECT 1');
SELECT migrate_add(revision => NULL, upgrade => 'SELECT 1');
SELECT migrate_add(revision => 'c3', upgrade => NULL);
SELECT migrate_add(revision => repeat('x', 129), upgrade => 'SELECT 1');

-- migrate_add_file
SELECT migrate_add_file('c3_third.sql', $f$-- revision: c3
-- revises: b2
-- message: third
-- branch-labels: main
-- migrate:upgrade
CREATE TABLE c3 (id int);
-- migrate:downgrade
DROP TABLE c3;
$f$);
SELECT revision, revises, branch_labels, message, upgrade_sql, downgrade_sql, file_name,
       upgrade_line, downgrade_line
  FROM migrate.revision WHERE revision = 'c3';
-- the same file again
SELECT migrate_add_file('c3_third.sql', $f$-- revision: c3
-- revises: b2
-- message: third
-- branch-labels: main
-- migrate:upgrade
CREATE TABLE c3 (id int);
-- migrate:downgrade
DROP TABLE c3;
$f$);

-- migrate_load reads the *.sql files of a server directory, in name order
-- (a relative path is read from the data directory, where the test driver
-- copied test/fixtures)
SELECT migrate_load('pg_migrate_fixtures/good');
SELECT revision, revises, message, file_name, downgrade_sql IS NULL AS irreversible
  FROM migrate.revision WHERE revision IN ('d4', 'e5') ORDER BY 1;
SELECT migrate_load('pg_migrate_fixtures/does_not_exist');
-- two files defining one revision are refused, naming both; nothing is kept
SELECT migrate_load('pg_migrate_fixtures/dup');
-- a bad file anywhere in the directory: nothing of the directory is kept
SELECT migrate_load('pg_migrate_fixtures/broken');
SELECT count(*) FROM migrate.revision WHERE revision IN ('x1', 'k1', 'k2');

-- the same revision from a renamed, re-laid-out file is unchanged, but the
-- catalog follows the file's name and lines (even when applied)
SELECT migrate_add_file('c3_renamed.sql', $f$-- revision: c3
-- revises: b2
-- message: third
-- branch-labels: main
--
-- A comment added later.
-- migrate:upgrade
CREATE TABLE c3 (id int);
-- migrate:downgrade
DROP TABLE c3;
$f$);
SELECT file_name, upgrade_line, downgrade_line FROM migrate.revision WHERE revision = 'c3';

-- migrate_remove unregisters what is neither applied nor built on
SELECT migrate_remove('b2');
SELECT migrate_remove('d4');
SELECT migrate_remove('e5');
SELECT migrate_remove('e5');
SELECT revision FROM migrate.revision ORDER BY seq;

DROP EXTENSION pg_migrate;
DROP TABLE a1, b2;
