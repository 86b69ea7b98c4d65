-- migrate_adopt: stamp what another tool's version table says is applied,
-- matched through "-- source: FORMAT VERSION" headers; refusals change nothing
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS alembic_version, al_t, schema_migrations, flyway_schema_history, __diesel_schema_migrations CASCADE;
DROP SCHEMA IF EXISTS sqitch CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;
SET client_min_messages = warning;

-- the header is kept in the catalog; a bad one names the file and line
SELECT migrate_add_files(ARRAY['bad.sql'], ARRAY[E'-- revision: bad\n-- source: liquibase 1\n-- migrate:upgrade\nSELECT 1\n']);
SELECT migrate_add_files(ARRAY['bad.sql'], ARRAY[E'-- revision: bad\n-- source: dbmate\n-- migrate:upgrade\nSELECT 1\n']);
SELECT migrate_add_files(ARRAY['bad.sql'], ARRAY[E'-- revision: bad\n-- unconverted: reads data through op.get_bind()\n-- migrate:upgrade\nSELECT 1\n']);
SELECT migrate_add_files(ARRAY['bad.sql'], ARRAY[E'-- revision: bad\n-- revises: x\n-- repeatable: true\n-- migrate:upgrade\nSELECT 1\n']);

-- ==== alembic: alembic_version holds the heads ====
SELECT migrate_add_files(
  ARRAY['a1.sql', 'a2.sql', 'a3.sql'],
  ARRAY[E'-- revision: a1\n-- source: alembic a1\n-- migrate:upgrade\nCREATE TABLE al_t (id int);\n-- migrate:downgrade\nDROP TABLE al_t;\n',
        E'-- revision: a2\n-- revises: a1\n-- source: alembic a2\n-- migrate:upgrade\nALTER TABLE al_t ADD COLUMN v int;\n-- migrate:downgrade\nALTER TABLE al_t DROP COLUMN v;\n',
        E'-- revision: a3\n-- revises: a2\n-- source: alembic a3\n-- migrate:upgrade\nCREATE INDEX ON al_t (v);\n']);
SELECT revision, source_format, source_version FROM migrate.revision ORDER BY seq;
-- the database the other tool left: its table and the schema of a1, a2
CREATE TABLE alembic_version (version_num varchar(32) NOT NULL,
  CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
CREATE TABLE al_t (id int, v int);
-- a version no registered revision carries: refused, nothing changes
INSERT INTO alembic_version VALUES ('ffff');
SELECT * FROM migrate_adopt('alembic');
SELECT count(*) AS version_rows FROM migrate.version;
SELECT count(*) AS journal_rows FROM migrate.journal;
UPDATE alembic_version SET version_num = 'a2';
SELECT * FROM migrate_adopt('alembic');
SELECT revision, operation FROM migrate.journal ORDER BY id;
SELECT format, keep_version_table FROM migrate.adopted;
-- adopting again gives the same rows; upgrade runs only what is missing
SELECT * FROM migrate_adopt('alembic');
SELECT step, revision, operation FROM migrate_upgrade('head');
SELECT * FROM migrate_current();
-- a database already at other rows is refused
UPDATE alembic_version SET version_num = 'a1';
SELECT * FROM migrate_adopt('alembic');
-- kept: alembic_version follows downgrade, upgrade and stamp, in the same
-- transaction (a failed step leaves both tables as they were)
SELECT * FROM migrate_stamp('base');
UPDATE alembic_version SET version_num = 'a2';
SELECT * FROM migrate_adopt('alembic', keep_version_table => true);
SELECT format, keep_version_table, version_table FROM migrate.adopted;
SELECT step, revision, operation FROM migrate_downgrade('a1');
SELECT version_num FROM alembic_version;
SELECT step, revision, operation FROM migrate_upgrade('head');
SELECT version_num FROM alembic_version;
SELECT * FROM migrate_stamp('a2');
SELECT version_num FROM alembic_version;
SELECT migrate_add_files(ARRAY['a4.sql'], ARRAY[E'-- revision: a4\n-- revises: a3\n-- migrate:upgrade\nSELECT 1/0;\n']);
SELECT step, revision, operation FROM migrate_upgrade('head');
SELECT version_num FROM alembic_version;
SELECT * FROM migrate_current();
-- a revision written after the switch is named by its id
SELECT * FROM migrate_remove('a4');
SELECT migrate_add_files(ARRAY['a4.sql'], ARRAY[E'-- revision: a4\n-- revises: a3\n-- migrate:upgrade\nSELECT 1;\n']);
SELECT step, revision, operation FROM migrate_upgrade('head');
SELECT version_num FROM alembic_version;
-- unknown tool, missing table
SELECT * FROM migrate_adopt('liquibase');
SELECT * FROM migrate_adopt('diesel');
DROP EXTENSION pg_migrate;
DROP TABLE alembic_version, al_t;

-- ==== golang-migrate: one row, the newest version, and a dirty flag ====
CREATE EXTENSION pg_migrate;
SELECT migrate_add_files(
  ARRAY['1_a.sql', '2_b.sql', '3_c.sql'],
  ARRAY[E'-- revision: 0001\n-- source: golang-migrate 1\n-- migrate:upgrade\nSELECT 1;\n-- migrate:downgrade\nSELECT 1;\n',
        E'-- revision: 0002\n-- revises: 0001\n-- source: golang-migrate 2\n-- migrate:upgrade\nSELECT 2;\n-- migrate:downgrade\nSELECT 2;\n',
        E'-- revision: 0003\n-- revises: 0002\n-- source: golang-migrate 3\n-- migrate:upgrade\nSELECT 3;\n-- migrate:downgrade\nSELECT 3;\n']);
CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
INSERT INTO schema_migrations VALUES (2, true);
SELECT * FROM migrate_adopt('golang-migrate');
SELECT count(*) AS version_rows FROM migrate.version;
UPDATE schema_migrations SET dirty = false;
SELECT * FROM migrate_adopt('golang-migrate', keep_version_table => true);
SELECT revision, operation FROM migrate.journal ORDER BY id;
SELECT format, keep_version_table FROM migrate.adopted;
SELECT step, revision, operation FROM migrate_upgrade('head');
SELECT * FROM schema_migrations;
SELECT step, revision, operation FROM migrate_downgrade('0001');
SELECT * FROM schema_migrations;
SELECT * FROM migrate_stamp('base');
SELECT count(*) FROM schema_migrations;
SELECT * FROM migrate_stamp('0002');
SELECT * FROM schema_migrations;
-- nothing applied: no rows, nothing stamped
DROP EXTENSION pg_migrate;
CREATE EXTENSION pg_migrate;
TRUNCATE schema_migrations;
SELECT * FROM migrate_adopt('golang-migrate');
DROP EXTENSION pg_migrate;
DROP TABLE schema_migrations;

-- ==== dbmate: one row per applied version ====
CREATE EXTENSION pg_migrate;
SELECT migrate_add_files(
  ARRAY['20240101000000_a.sql', '20240102000000_b.sql', '20240103000000_c.sql'],
  ARRAY[E'-- revision: 20240101000000\n-- source: dbmate 20240101000000\n-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n',
        E'-- revision: 20240102000000\n-- revises: 20240101000000\n-- source: dbmate 20240102000000\n-- migrate:up\nSELECT 2;\n',
        E'-- revision: 20240103000000\n-- revises: 20240102000000\n-- source: dbmate 20240103000000\n-- migrate:up\nSELECT 3;\n']);
CREATE TABLE schema_migrations (version character varying(128) NOT NULL PRIMARY KEY);
-- a gap: the second was never applied (or undone out of order)
INSERT INTO schema_migrations VALUES ('20240101000000'), ('20240103000000');
SELECT * FROM migrate_adopt('dbmate');
SELECT count(*) AS version_rows FROM migrate.version;
INSERT INTO schema_migrations VALUES ('20240102000000');
SELECT * FROM migrate_adopt('dbmate', true);
SELECT count(*) AS adopted FROM migrate.journal WHERE operation = 'adopt';
SELECT * FROM migrate_stamp('20240101000000');
SELECT version FROM schema_migrations ORDER BY 1;
SELECT step, revision, operation FROM migrate_upgrade('head');
SELECT version FROM schema_migrations ORDER BY 1;
DROP EXTENSION pg_migrate;
DROP TABLE schema_migrations;

-- ==== flyway: the history, its failures, undo and repeatable rows ====
CREATE EXTENSION pg_migrate;
SELECT migrate_add_files(
  ARRAY['V1__a.sql', 'V1_1__b.sql', 'V2__c.sql', 'R__views.sql'],
  ARRAY[E'-- revision: 1\n-- source: flyway 1\n-- migrate:upgrade\nSELECT 1;\n',
        E'-- revision: 1_1\n-- revises: 1\n-- source: flyway 1.1\n-- migrate:upgrade\nSELECT 2;\n',
        E'-- revision: 2\n-- revises: 1_1\n-- source: flyway 2\n-- migrate:upgrade\nSELECT 3;\n',
        E'-- revision: R__views\n-- source: flyway R__views\n-- repeatable: true\n-- migrate:upgrade\nSELECT 4;\n']);
SELECT revision, repeatable, source_version FROM migrate.revision ORDER BY seq;
CREATE TABLE flyway_schema_history (
  installed_rank integer NOT NULL PRIMARY KEY,
  version varchar(50),
  description varchar(200) NOT NULL,
  type varchar(20) NOT NULL,
  script varchar(1000) NOT NULL,
  checksum integer,
  installed_by varchar(100) NOT NULL,
  installed_on timestamp NOT NULL DEFAULT now(),
  execution_time integer NOT NULL,
  success boolean NOT NULL);
INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
VALUES (1, '1', 'a', 'SQL', 'V1__a.sql', 1, 'me', 1, true),
       (2, '1.1', 'b', 'SQL', 'V1_1__b.sql', 2, 'me', 1, true),
       (3, '2', 'c', 'SQL', 'V2__c.sql', 3, 'me', 1, false);
SELECT * FROM migrate_adopt('flyway');
SELECT count(*) AS version_rows FROM migrate.version;
-- the failed row repaired away; 2 undone later; the repeatable applied
DELETE FROM flyway_schema_history WHERE installed_rank = 3;
INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
VALUES (3, '2', 'c', 'SQL', 'V2__c.sql', 3, 'me', 1, true),
       (4, NULL, 'views', 'SQL', 'R__views.sql', 4, 'me', 1, true),
       (5, '2', 'c', 'UNDO_SQL', 'U2__c.sql', 5, 'me', 1, true);
SELECT * FROM migrate_adopt('flyway', true) ORDER BY 1;
-- an upgrade appends a row per step, a downgrade the row an undo leaves
SELECT step, revision, operation FROM migrate_upgrade('2');
SELECT * FROM migrate_stamp('1');
SELECT installed_rank, version, description, type, script, success
  FROM flyway_schema_history ORDER BY installed_rank;
DROP EXTENSION pg_migrate;
DROP TABLE flyway_schema_history;

-- ==== diesel ====
CREATE EXTENSION pg_migrate;
SELECT migrate_add_files(
  ARRAY['d1.sql', 'd2.sql'],
  ARRAY[E'-- revision: 2017-11-08-142003\n-- source: diesel 20171108142003\n-- migrate:upgrade\nSELECT 1;\n',
        E'-- revision: 2017-11-09-000000\n-- revises: 2017-11-08-142003\n-- source: diesel 20171109000000\n-- migrate:upgrade\nSELECT 2;\n']);
CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY NOT NULL,
  run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP);
INSERT INTO __diesel_schema_migrations (version) VALUES ('20171108142003');
SELECT * FROM migrate_adopt('diesel', true);
SELECT step, revision, operation FROM migrate_upgrade('head');
SELECT version FROM __diesel_schema_migrations ORDER BY 1;
SELECT * FROM migrate_stamp('base');
SELECT count(*) FROM __diesel_schema_migrations;
-- the kept table dropped: every change is refused until it is back
DROP TABLE __diesel_schema_migrations;
SELECT * FROM migrate_stamp('2017-11-08-142003');
SELECT count(*) FROM migrate.version;
CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY NOT NULL,
  run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP);
DROP EXTENSION pg_migrate;
DROP TABLE __diesel_schema_migrations;

-- ==== sqitch: sqitch.changes, one row per deployed change ====
CREATE EXTENSION pg_migrate;
SELECT migrate_add_files(
  ARRAY['users.sql', 'flips.sql'],
  ARRAY[E'-- revision: users\n-- source: sqitch users\n-- migrate:upgrade\nSELECT 1;\n',
        E'-- revision: flips\n-- revises: users\n-- source: sqitch flips\n-- migrate:upgrade\nSELECT 2;\n']);
CREATE SCHEMA sqitch;
CREATE TABLE sqitch.projects (
  project text PRIMARY KEY, uri text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  creator_name text NOT NULL, creator_email text NOT NULL);
INSERT INTO sqitch.projects (project, creator_name, creator_email) VALUES ('flipr', 'me', 'me@example.com');
CREATE TABLE sqitch.changes (
  change_id text PRIMARY KEY, script_hash text, change text NOT NULL,
  project text NOT NULL, note text NOT NULL DEFAULT '',
  committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  committer_name text NOT NULL, committer_email text NOT NULL,
  planned_at timestamptz NOT NULL, planner_name text NOT NULL, planner_email text NOT NULL);
INSERT INTO sqitch.changes (change_id, change, project, committer_name, committer_email, planned_at, planner_name, planner_email)
VALUES ('c1', 'users', 'flipr', 'me', 'me@example.com', now(), 'me', 'me@example.com'),
       ('c2', 'flips', 'flipr', 'me', 'me@example.com', now(), 'me', 'me@example.com');
SELECT * FROM migrate_adopt('sqitch', true);
SELECT * FROM migrate_stamp('users');
SELECT change, project FROM sqitch.changes ORDER BY 1;
SELECT * FROM migrate_stamp('flips');
SELECT change, project, committer_name = current_user AS by_me FROM sqitch.changes ORDER BY 1;
DROP EXTENSION pg_migrate;
DROP SCHEMA sqitch CASCADE;
