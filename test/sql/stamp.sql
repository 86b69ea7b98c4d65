-- migrate_stamp sets the version rows without running SQL
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS never_created CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;

SELECT migrate_add(revision => 'a1', upgrade => 'CREATE TABLE never_created (id int)', message => 'a1');
SELECT migrate_add(revision => 'a2', revises => '{a1}', upgrade => 'SELECT 1', message => 'a2');
SELECT migrate_add(revision => 'b1', revises => '{a1}', upgrade => 'SELECT 1', message => 'b1');

SELECT * FROM migrate_stamp('a2');
SELECT * FROM migrate_current();
SELECT count(*) FROM pg_class WHERE relname = 'never_created';
-- several targets at once
SELECT * FROM migrate_stamp('a2', 'b1');
SELECT * FROM migrate_current() ORDER BY 1;
-- heads, then base clears
SELECT * FROM migrate_stamp('base');
SELECT * FROM migrate_current();
SELECT * FROM migrate_stamp('heads');
SELECT * FROM migrate_current() ORDER BY 1;
-- several targets act one after another, as single stamps do: "a1" replaces
-- both rows (they descend from it), then "a2" replaces "a1"
SELECT * FROM migrate_stamp('a1', 'a2');
-- errors
SELECT * FROM migrate_stamp('nope');
SELECT * FROM migrate_stamp(VARIADIC '{}'::text[]);
SELECT * FROM migrate_stamp(VARIADIC ARRAY[NULL]::text[]);
SELECT * FROM migrate_stamp(VARIADIC ARRAY[['a1'], ['a2']]);
SELECT * FROM migrate_stamp('');
SELECT * FROM migrate_stamp('a1@');
-- the journal records stamps
SELECT revision, operation, version_after FROM migrate.journal ORDER BY id;

DROP EXTENSION pg_migrate;
