-- migrate_add_files: a client's batch of files, checked first, the new
-- revisions inserted together; the rows are those of migrate_add_file
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;
SELECT migrate_add_files(array_agg(f ORDER BY f), array_agg(pg_read_file('pg_migrate_fixtures/batch/' || f) ORDER BY f))
  FROM unnest('{b1_base.sql,b2_side.sql,b3_merge.sql}'::text[]) AS f;
CREATE TEMP TABLE sent AS
SELECT revision, to_jsonb(r) - 'seq' - 'registered_at' AS row FROM migrate.revision r;
SELECT revision, revises, depends_on, branch_labels, transactional, file_name, lint_ignores
  FROM migrate.revision ORDER BY seq;
-- sending them again changes nothing, not even the generation
SELECT generation AS gen FROM migrate.state \gset
SELECT migrate_add_files(array_agg(f ORDER BY f), array_agg(pg_read_file('pg_migrate_fixtures/batch/' || f) ORDER BY f))
  FROM unnest('{b1_base.sql,b2_side.sql,b3_merge.sql}'::text[]) AS f;
SELECT generation = :gen AS same_generation FROM migrate.state;
DROP EXTENSION pg_migrate;

CREATE EXTENSION pg_migrate;
SELECT f, migrate_add_file(f, pg_read_file('pg_migrate_fixtures/batch/' || f))
  FROM unnest('{b1_base.sql,b2_side.sql,b3_merge.sql}'::text[]) AS f ORDER BY f;
SELECT count(*) AS differ
  FROM ((SELECT revision, to_jsonb(r) - 'seq' - 'registered_at' AS row FROM migrate.revision r
         EXCEPT SELECT revision, row FROM sent)
        UNION ALL
        (SELECT revision, row FROM sent
         EXCEPT SELECT revision, to_jsonb(r) - 'seq' - 'registered_at' FROM migrate.revision r)) d;

-- an edited file among registered ones replaces its revision
SELECT migrate_add_files('{b2_side.sql}',
       ARRAY[replace(pg_read_file('pg_migrate_fixtures/batch/b2_side.sql'), 'a side branch', 'edited')]);
SELECT message FROM migrate.revision WHERE revision = 'b2';

-- bad batches change nothing and name the file at fault
SELECT migrate_add_files('{n1.sql,bad.sql}',
       ARRAY[E'-- revision: n1\n-- migrate:upgrade\nSELECT 1;\n', E'-- revision: bad one\n-- migrate:upgrade\nSELECT 1;\n']);
SELECT migrate_add_files('{n1.sql,n1_again.sql}',
       ARRAY[E'-- revision: n1\n-- migrate:upgrade\nSELECT 1;\n', E'-- revision: n1\n-- migrate:upgrade\nSELECT 2;\n']);
SELECT migrate_add_files('{n1.sql,n2.sql}',
       ARRAY[E'-- revision: n1\n-- migrate:upgrade\nSELECT 1;\n', E'-- revision: n2\n-- migrate:upgrade\nSELEC 2;\n']);
SELECT migrate_add_files('{n1.sql}', '{}');
SELECT migrate_add_files('{n1.sql}', ARRAY[NULL::text]);
SELECT migrate_add_files(NULL, '{}');
SELECT count(*) AS none FROM migrate.revision WHERE revision LIKE 'n%';
SELECT migrate_add_files('{}', '{}') AS empty;
SELECT has_function_privilege('public', 'migrate_add_files(text[], text[])', 'execute') AS public_execute;
DROP EXTENSION pg_migrate;
DROP TABLE sent;
