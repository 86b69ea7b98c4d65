-- "-- repeatable: true" revisions: applied after the versioned revisions of
-- an upgrade, in name order; applied again when their SQL changes; left
-- alone by a downgrade
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS rep_t CASCADE;
DROP FUNCTION IF EXISTS rep_a(), rep_b() CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;
SET client_min_messages = warning;
SET pg_migrate.notice_steps = off;

-- registered first, still applied last
SELECT migrate_add_files(
  ARRAY['R__b_fn.sql', 'R__a_fn.sql', 'v1.sql', 'v2.sql'],
  ARRAY[E'-- revision: R__b_fn\n-- repeatable: true\n-- migrate:upgrade\nCREATE OR REPLACE FUNCTION rep_b() RETURNS int LANGUAGE sql AS $$ SELECT count(*)::int FROM rep_t $$;\n',
        E'-- revision: R__a_fn\n-- repeatable: true\n-- migrate:upgrade\nCREATE OR REPLACE FUNCTION rep_a() RETURNS text LANGUAGE sql AS $$ SELECT ''one'' $$;\n',
        E'-- revision: v1\n-- migrate:upgrade\nCREATE TABLE rep_t (id int);\n-- migrate:downgrade\nDROP TABLE rep_t;\n',
        E'-- revision: v2\n-- revises: v1\n-- migrate:upgrade\nINSERT INTO rep_t VALUES (1), (2);\n-- migrate:downgrade\nDELETE FROM rep_t;\n']);
SELECT step, revision, operation FROM migrate_upgrade('heads');
SELECT rep_a(), rep_b();
SELECT * FROM migrate_current() ORDER BY 1;
-- nothing changed: nothing runs
SELECT step, revision, operation FROM migrate_upgrade('heads');
-- a changed repeatable revision is not drift; the next upgrade applies it again
SELECT migrate_add_files(ARRAY['R__a_fn.sql'],
  ARRAY[E'-- revision: R__a_fn\n-- repeatable: true\n-- migrate:upgrade\nCREATE OR REPLACE FUNCTION rep_a() RETURNS text LANGUAGE sql AS $$ SELECT ''two'' $$;\n']);
SELECT count(*) AS drift FROM migrate.drift;
SELECT step, revision FROM migrate_pending();
SELECT step, revision, operation FROM migrate_upgrade('heads');
SELECT rep_a();
SELECT step, revision, operation FROM migrate_upgrade('heads');
SELECT revision, operation FROM migrate.journal ORDER BY id;
-- a downgrade leaves repeatable revisions applied
SELECT step, revision, operation FROM migrate_downgrade('base');
SELECT * FROM migrate_current() ORDER BY 1;
-- with a versioned step and a changed repeatable, the repeatable comes after
SELECT migrate_add_files(ARRAY['R__a_fn.sql'],
  ARRAY[E'-- revision: R__a_fn\n-- repeatable: true\n-- migrate:upgrade\nCREATE OR REPLACE FUNCTION rep_a() RETURNS text LANGUAGE sql AS $$ SELECT ''three'' $$;\n']);
SELECT step, revision FROM migrate_pending();
SELECT step, revision, operation FROM migrate_upgrade('heads');
SELECT rep_a(), rep_b();
-- a repeatable revision cannot be built on
SELECT migrate_add_files(ARRAY['v3.sql'], ARRAY[E'-- revision: v3\n-- revises: R__a_fn\n-- migrate:upgrade\nSELECT 1;\n']);
SELECT step, revision, operation FROM migrate_upgrade('heads');
SELECT * FROM migrate_remove('v3');
-- CALL migrate_run (a transaction per revision) does the same
SELECT migrate_add_files(ARRAY['R__a_fn.sql', 'v3.sql'],
  ARRAY[E'-- revision: R__a_fn\n-- repeatable: true\n-- migrate:upgrade\nCREATE OR REPLACE FUNCTION rep_a() RETURNS text LANGUAGE sql AS $$ SELECT ''four'' $$;\n',
        E'-- revision: v3\n-- revises: v2\n-- migrate:upgrade\nINSERT INTO rep_t VALUES (3);\n']);
CALL migrate_run();
SELECT rep_a(), rep_b();
SELECT revision, operation FROM migrate.journal WHERE id > (SELECT max(id) - 2 FROM migrate.journal) ORDER BY id;
CALL migrate_run();
SELECT count(*) AS journal_rows FROM migrate.journal;
-- a stamp leaves repeatable revisions applied too; only base clears them
SELECT * FROM migrate_stamp('v1');
SELECT * FROM migrate_current() ORDER BY 1;
SELECT * FROM migrate_stamp('heads');
SELECT * FROM migrate_current() ORDER BY 1;
SELECT * FROM migrate_stamp('base');
SELECT count(*) AS rows_at_base FROM migrate_current();
DROP EXTENSION pg_migrate;
DROP TABLE rep_t;
DROP FUNCTION rep_a(), rep_b();
