-- Lint: migrate_lint_file, migrate_lint, migrate_lint_rules, lint-ignore lines
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS lint_case, lt_part, lt_task, lt_ref, task_log CASCADE;
DROP MATERIALIZED VIEW IF EXISTS lt_mv CASCADE;
DROP FUNCTION IF EXISTS lint_up, lt_vol, lt_stable CASCADE;
DROP TYPE IF EXISTS lt_mood CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;

-- the rules: ids without gaps, each with a severity, a reason and a safe way
SELECT rule, severity, title FROM migrate_lint_rules();
SELECT count(*) FROM migrate_lint_rules()
 WHERE why = '' OR safe = '' OR why NOT LIKE '%.' OR safe NOT LIKE '%.';

-- the schema the revisions are linted against
CREATE TABLE lt_ref (id int PRIMARY KEY);
CREATE TABLE lt_task (id int NOT NULL, title varchar(20), n numeric(10,2),
                      ts timestamp(3), done boolean, note text);
CREATE INDEX lt_task_title_idx ON lt_task (title);
CREATE UNIQUE INDEX lt_task_id_key ON lt_task (id);
CREATE UNIQUE INDEX lt_task_title_key ON lt_task (title);
ALTER TABLE lt_task ADD CONSTRAINT lt_task_done_nn CHECK (done IS NOT NULL);
ALTER TABLE lt_task ADD CONSTRAINT lt_task_note_nn CHECK (note IS NOT NULL) NOT VALID;
CREATE TABLE lt_part (id int) PARTITION BY RANGE (id);
CREATE MATERIALIZED VIEW lt_mv AS SELECT 1 AS x;
CREATE TYPE lt_mood AS ENUM ('sad');
CREATE FUNCTION lt_vol() RETURNS int LANGUAGE sql VOLATILE AS 'SELECT 1';
CREATE FUNCTION lt_stable() RETURNS int LANGUAGE sql STABLE AS 'SELECT 1';

-- lint the upgrade SQL of a file with the given header lines and an empty
-- downgrade section
CREATE FUNCTION lint_up(sql text, header text DEFAULT '')
RETURNS TABLE (rule text, statement integer, line integer, silenced boolean)
LANGUAGE sql AS $$
  SELECT rule, statement, line, silenced
    FROM migrate_lint_file('case.sql', E'-- revision: c\n' || header
                           || E'-- migrate:upgrade\n' || sql
                           || E'\n-- migrate:downgrade\n')
$$;

-- one case per line: the rule it is about, the header, the SQL; every rule
-- has cases that must trigger it and cases that must not
CREATE TABLE lint_case (id serial, about text, header text, sql text);
INSERT INTO lint_case (about, header, sql) VALUES
 ('PM000', '', 'CREAT TABLE x ()'),
 ('PM000', '', 'CREATE TABLE x ()'),
 ('PM001', '', 'CREATE INDEX i ON lt_task (note)'),
 ('PM001', '', 'CREATE UNIQUE INDEX i ON public.lt_task (note)'),
 ('PM001', '', 'CREATE TABLE n (a int); CREATE INDEX ON n (a)'),
 ('PM001', '', 'CREATE TABLE IF NOT EXISTS n (a int); CREATE INDEX ON n (a)'),
 ('PM001', '', 'CREATE TABLE IF NOT EXISTS lt_task (a int); CREATE INDEX ON lt_task (note)'),
 ('PM001', E'-- transactional: false\n', 'CREATE INDEX CONCURRENTLY i ON lt_task (note)'),
 ('PM001', '', 'CREATE INDEX ON lt_part (id)'),
 ('PM001', '', 'CREATE INDEX ON ONLY lt_part (id)'),
 ('PM002', '', 'ALTER TABLE lt_task ADD COLUMN c timestamptz DEFAULT clock_timestamp()'),
 ('PM002', '', 'ALTER TABLE lt_task ADD COLUMN c timestamptz DEFAULT now()'),
 ('PM002', '', 'ALTER TABLE lt_task ADD COLUMN c timestamptz DEFAULT CURRENT_TIMESTAMP'),
 ('PM002', '', 'ALTER TABLE lt_task ADD COLUMN c bigserial'),
 ('PM002', '', 'ALTER TABLE lt_task ADD COLUMN c uuid NOT NULL DEFAULT gen_random_uuid()'),
 ('PM002', '', 'ALTER TABLE lt_task ADD COLUMN c int DEFAULT lt_vol()'),
 ('PM002', '', 'ALTER TABLE lt_task ADD COLUMN c int DEFAULT lt_stable() + 1'),
 ('PM002', '', 'ALTER TABLE lt_task ADD COLUMN c int DEFAULT no_such_function()'),
 ('PM002', '', 'ALTER TABLE lt_task ADD COLUMN c int GENERATED ALWAYS AS IDENTITY'),
 ('PM002', '', 'ALTER TABLE lt_task ADD COLUMN c int DEFAULT public.lt_vol()'),
 ('PM002', '', 'ALTER TABLE lt_task ADD COLUMN c date DEFAULT pg_catalog.now()::date'),
 ('PM002', '', 'ALTER TABLE lt_task ADD COLUMN c int DEFAULT pg_catalog.lt_vol()'),
 ('PM002', '', 'CREATE TABLE n (a int); ALTER TABLE n ADD COLUMN c float8 DEFAULT random()'),
 ('PM003', '', 'ALTER TABLE lt_task ALTER COLUMN id TYPE bigint'),
 ('PM003', '', 'ALTER TABLE lt_task ALTER COLUMN title TYPE text'),
 ('PM003', '', 'ALTER TABLE lt_task ALTER COLUMN title TYPE varchar(40)'),
 ('PM003', '', 'ALTER TABLE lt_task ALTER COLUMN title TYPE varchar(10)'),
 ('PM003', '', 'ALTER TABLE lt_task ALTER COLUMN n TYPE numeric(12,2)'),
 ('PM003', '', 'ALTER TABLE lt_task ALTER COLUMN n TYPE numeric(12,3)'),
 ('PM003', '', 'ALTER TABLE lt_task ALTER COLUMN ts TYPE timestamp(6)'),
 ('PM003', '', 'ALTER TABLE lt_task ALTER COLUMN ts TYPE timestamptz'),
 ('PM003', '', 'ALTER TABLE lt_task ALTER COLUMN note TYPE int USING note::int'),
 ('PM003', '', 'ALTER TABLE lt_later ALTER COLUMN a TYPE text'),
 ('PM003', '', 'CREATE TABLE n (a int); ALTER TABLE n ALTER COLUMN a TYPE text'),
 ('PM004', '', 'ALTER TABLE lt_task ALTER COLUMN title SET NOT NULL'),
 ('PM004', '', 'ALTER TABLE lt_task ALTER COLUMN done SET NOT NULL'),
 ('PM004', '', 'ALTER TABLE lt_task ALTER COLUMN id SET NOT NULL'),
 ('PM004', '', 'ALTER TABLE lt_task ALTER COLUMN note SET NOT NULL'),
 ('PM004', '', 'ALTER TABLE lt_task VALIDATE CONSTRAINT lt_task_note_nn; ALTER TABLE lt_task ALTER COLUMN note SET NOT NULL'),
 ('PM004', '', 'ALTER TABLE lt_task ADD CONSTRAINT t_nn CHECK (title IS NOT NULL) NOT VALID;
ALTER TABLE lt_task VALIDATE CONSTRAINT t_nn;
ALTER TABLE lt_task ALTER COLUMN title SET NOT NULL'),
 ('PM004', '', 'ALTER TABLE lt_task ADD CONSTRAINT t_nn CHECK (title IS NOT NULL) NOT VALID;
ALTER TABLE lt_task ALTER COLUMN title SET NOT NULL'),
 ('PM004', '', 'ALTER TABLE lt_task ADD CONSTRAINT pk PRIMARY KEY USING INDEX lt_task_title_key'),
 ('PM004', '', 'ALTER TABLE lt_task ADD CONSTRAINT pk PRIMARY KEY USING INDEX lt_task_id_key'),
 ('PM004', '', 'ALTER TABLE lt_task ADD CONSTRAINT t_nn CHECK (title IS NOT NULL) NOT VALID;
ALTER TABLE lt_task VALIDATE CONSTRAINT t_nn;
ALTER TABLE lt_task ADD CONSTRAINT pk PRIMARY KEY USING INDEX lt_task_title_key'),
 ('PM005', '', 'ALTER TABLE lt_task ADD CONSTRAINT fk FOREIGN KEY (id) REFERENCES lt_ref (id)'),
 ('PM005', '', 'ALTER TABLE lt_task ADD CONSTRAINT fk FOREIGN KEY (id) REFERENCES lt_ref (id) NOT VALID'),
 ('PM005', '', 'ALTER TABLE lt_task ADD COLUMN r int REFERENCES lt_ref'),
 ('PM005', '', 'CREATE TABLE n (a int); ALTER TABLE n ADD FOREIGN KEY (a) REFERENCES lt_ref'),
 ('PM006', '', 'ALTER TABLE lt_task ADD CONSTRAINT ck CHECK (id > 0)'),
 ('PM006', '', 'ALTER TABLE lt_task ADD CONSTRAINT ck CHECK (id > 0) NOT VALID'),
 ('PM007', '', 'DROP TABLE lt_task'),
 ('PM007', '', 'CREATE TABLE n (); DROP TABLE n'),
 ('PM008', '', 'ALTER TABLE lt_task DROP COLUMN note'),
 ('PM008', '', 'ALTER TABLE lt_task ADD COLUMN c int, DROP COLUMN c'),
 ('PM009', '', 'ALTER TABLE lt_task RENAME TO lt_job'),
 ('PM009', '', 'CREATE TABLE n (); ALTER TABLE n RENAME TO n2; CREATE INDEX ON n2 ((1))'),
 ('PM010', '', 'ALTER TABLE lt_task RENAME COLUMN note TO remark'),
 ('PM010', '', 'CREATE TABLE n (a int); ALTER TABLE n RENAME COLUMN a TO b'),
 ('PM011', '', 'ALTER TABLE lt_task ADD CONSTRAINT u UNIQUE (title)'),
 ('PM011', '', 'ALTER TABLE lt_task ADD PRIMARY KEY (id)'),
 ('PM011', '', 'ALTER TABLE lt_task ADD CONSTRAINT ex EXCLUDE (id WITH =)'),
 ('PM011', '', 'ALTER TABLE lt_task ADD CONSTRAINT u UNIQUE USING INDEX lt_task_id_key'),
 ('PM011', '', 'CREATE TABLE n (a int); ALTER TABLE n ADD PRIMARY KEY (a)'),
 ('PM012', E'-- transactional: false\n', 'VACUUM FULL lt_task'),
 ('PM012', E'-- transactional: false\n', 'VACUUM (FULL false, ANALYZE) lt_task'),
 ('PM013', '', 'CLUSTER lt_task USING lt_task_title_idx'),
 ('PM013', '', 'CREATE TABLE n (a int); CREATE INDEX ni ON n (a); CLUSTER n USING ni'),
 ('PM014', '', 'LOCK TABLE lt_task IN SHARE MODE'),
 ('PM014', '', 'CREATE TABLE n (); LOCK TABLE n'),
 ('PM015', '', 'BEGIN; CREATE TABLE n (); COMMIT'),
 ('PM015', '', 'SAVEPOINT s'),
 ('PM015', '', 'SELECT 1'),
 ('PM016', '', 'CREATE INDEX CONCURRENTLY i ON lt_task (note)'),
 ('PM016', '', 'REINDEX TABLE CONCURRENTLY lt_task'),
 ('PM016', E'-- transactional: false\n', 'REINDEX TABLE CONCURRENTLY lt_task'),
 ('PM018', '', 'ALTER TABLE lt_task ADD COLUMN k int NOT NULL'),
 ('PM018', '', 'ALTER TABLE lt_task ADD COLUMN k int NOT NULL DEFAULT 0'),
 ('PM018', '', 'CREATE TABLE n (a int); ALTER TABLE n ADD COLUMN k int NOT NULL'),
 ('PM019', '', 'DROP INDEX lt_task_title_idx'),
 ('PM019', E'-- transactional: false\n', 'DROP INDEX CONCURRENTLY lt_task_title_idx'),
 ('PM019', '', 'CREATE INDEX ni ON lt_task (note); DROP INDEX ni'),
 ('PM020', '', 'REINDEX TABLE lt_task'),
 ('PM020', '', 'REINDEX INDEX lt_task_title_idx'),
 ('PM020', '', 'CREATE TABLE n (a int); REINDEX TABLE n'),
 ('PM021', '', 'REFRESH MATERIALIZED VIEW lt_mv'),
 ('PM021', '', 'REFRESH MATERIALIZED VIEW CONCURRENTLY lt_mv'),
 ('PM021', '', 'CREATE MATERIALIZED VIEW nv AS SELECT 1; REFRESH MATERIALIZED VIEW nv'),
 ('PM022', '', 'ALTER TABLE lt_task SET UNLOGGED'),
 ('PM022', '', 'ALTER TABLE lt_task SET TABLESPACE pg_default'),
 ('PM022', '', 'ALTER TABLE lt_task SET (fillfactor = 70)'),
 ('PM023', '', 'TRUNCATE lt_task'),
 ('PM023', '', 'CREATE TABLE n (); TRUNCATE n'),
 ('PM024', '', 'UPDATE lt_task SET done = true'),
 ('PM024', '', 'DELETE FROM lt_task'),
 ('PM024', '', 'UPDATE lt_task SET done = true WHERE id < 1000'),
 ('PM024', '', 'CREATE TABLE n AS SELECT 1 AS a; UPDATE n SET a = 2'),
 ('PM025', '', 'ALTER TYPE lt_mood ADD VALUE ''happy'''),
 ('PM025', E'-- transactional: false\n', 'ALTER TYPE lt_mood ADD VALUE ''happy'''),
 ('PM025', '', 'CREATE TYPE nt AS ENUM (''a''); ALTER TYPE nt ADD VALUE ''b'''),
 ('PM025', '', 'ALTER TYPE lt_mood RENAME VALUE ''sad'' TO ''blue'''),
 ('PM026', '', 'COPY lt_task FROM STDIN'),
 ('PM026', '', 'COPY lt_task TO ''/dev/null'''),
 ('PM027', E'-- transactional: false\n', 'CREATE INDEX CONCURRENTLY i ON lt_task (note); CREATE INDEX CONCURRENTLY j ON lt_task (ts)'),
 ('PM027', E'-- transactional: false\n', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON lt_task (note)'),
 ('PM028', E'-- lint-ignore: PM003 the table is small\n', 'CREATE TABLE n ()'),
 ('PM028', E'-- lint-ignore: PM001 the table is small\n', 'CREATE INDEX i ON lt_task (note)');

-- what each case finds: rule:statement, silenced ones marked
SELECT c.id, c.about, coalesce(string_agg(f.rule || ':' || coalesce(f.statement::text, '-')
                                          || CASE WHEN f.silenced THEN ' (silenced)' ELSE '' END,
                                          ' ' ORDER BY f.rule, f.statement), '') AS found
  FROM lint_case c LEFT JOIN LATERAL lint_up(c.sql, c.header) f ON true
 GROUP BY c.id, c.about ORDER BY c.id;

-- the message of each finding of the cases
SELECT DISTINCT ON (f.rule, f.message) f.rule, f.message
  FROM lint_case c,
       LATERAL migrate_lint_file('case.sql', E'-- revision: c\n' || c.header
                                 || E'-- migrate:upgrade\n' || c.sql
                                 || E'\n-- migrate:downgrade\n') f
 ORDER BY f.rule, f.message;

-- every rule is triggered by some case and left quiet by another
SELECT r.rule FROM migrate_lint_rules() r
 WHERE r.rule <> 'PM017'
   AND (NOT EXISTS (SELECT FROM lint_case c, lint_up(c.sql, c.header) f
                     WHERE c.about = r.rule AND f.rule = r.rule)
        OR NOT EXISTS (SELECT FROM lint_case c
                        WHERE c.about = r.rule
                          AND NOT EXISTS (SELECT FROM lint_up(c.sql, c.header) f
                                           WHERE f.rule = r.rule)));

-- PM017: no downgrade section, and an empty one
SELECT rule, severity, section, statement, line, message
  FROM migrate_lint_file('nodown.sql', E'-- revision: d\n-- migrate:upgrade\nSELECT 1;\n');
SELECT count(*) FROM migrate_lint_file('down.sql', E'-- revision: d\n-- migrate:upgrade\nSELECT 1;\n-- migrate:downgrade\n');

-- every column, with file lines that skip comments and blank lines, for
-- both sections; the downgrade may drop what the upgrade created
\x on
SELECT * FROM migrate_lint_file('migrations/007_task.sql', $f$-- revision: r7
-- revises: r6
-- message: task priority
-- lint-ignore: PM019 the index is tiny

-- migrate:upgrade
CREATE TABLE task_log (id bigint, task int);

/* a comment
   over two lines */
ALTER TABLE lt_task
    ADD COLUMN priority int DEFAULT lt_vol();  -- trailing comment
-- migrate:downgrade
DROP TABLE task_log;
ALTER TABLE lt_task DROP COLUMN priority;
DROP INDEX lt_task_title_idx;
ALTER TABLE lt_task DROP COLUMN note;
$f$);
\x off

-- a silenced rule keeps its findings, marked, with the reason
SELECT rule, silenced, reason FROM migrate_lint_file('s.sql', $f$-- revision: s
-- lint-ignore: PM024 lt_task has 12 rows, checked in production
-- migrate:upgrade
UPDATE lt_task SET done = false;
DELETE FROM lt_task;
TRUNCATE lt_task;
-- migrate:downgrade
$f$);

-- a lint-ignore line needs a known rule and a reason; the error names file and line
SELECT * FROM migrate_lint_file('noreason.sql', E'-- revision: s\n-- lint-ignore: PM024\n-- migrate:upgrade\nSELECT 1;\n');
SELECT * FROM migrate_lint_file('unknown.sql', E'-- revision: s\n-- message: m\n-- lint-ignore: PM099 why not\n-- migrate:upgrade\nSELECT 1;\n');
SELECT * FROM migrate_lint_file('twice.sql', E'-- revision: s\n-- lint-ignore: PM024 a\n-- lint-ignore: PM024 b\n-- migrate:upgrade\nSELECT 1;\n');
-- and registration refuses it too, registering nothing
SELECT migrate_add_file('noreason.sql', E'-- revision: s\n-- lint-ignore: PM024\n-- migrate:upgrade\nSELECT 1;\n');
SELECT count(*) FROM migrate.revision;

-- registration refuses what lint reports as PM015, PM016 and PM026
SELECT migrate_add_file('tx.sql', E'-- revision: tx\n-- migrate:upgrade\nCOMMIT;\n');
SELECT migrate_add_file('cic.sql', E'-- revision: cic\n-- migrate:upgrade\nCREATE INDEX CONCURRENTLY i ON lt_task (note);\n');

-- registered revisions: the lint-ignore lines are stored with them
SELECT migrate_add_file('001_index.sql', $f$-- revision: l1
-- message: index the notes
-- lint-ignore: PM001 lt_task is empty until the feature ships
-- migrate:upgrade
CREATE INDEX lt_task_note_idx ON lt_task (note);
-- migrate:downgrade
DROP INDEX lt_task_note_idx;
$f$);
SELECT migrate_add_file('002_rename.sql', $f$-- revision: l2
-- revises: l1
-- message: rename
-- migrate:upgrade
ALTER TABLE lt_task RENAME COLUMN note TO remark;
$f$);
SELECT migrate_add(revision => 'l0', upgrade => E'SELECT 1;\n\nUPDATE lt_task SET done = true;',
                   downgrade => 'SELECT 1');
SELECT migrate_add(revision => 'l3', revises => '{l2, l0}', upgrade => 'DROP TABLE lt_ref',
                   downgrade => 'CREATE TABLE lt_ref (id int PRIMARY KEY)');
SELECT revision, lint_ignores FROM migrate.revision ORDER BY seq;
-- findings come in the order an upgrade from base runs the revisions
SELECT revision FROM migrate_pending();
SELECT revision, rule, severity, section, statement, line, file_name, silenced, reason
  FROM migrate_lint();
SELECT revision, rule, line, message FROM migrate_lint('l0');
SELECT * FROM migrate_lint('nope');

-- changing only a lint-ignore line is metadata: allowed once applied too
SELECT revision FROM migrate_upgrade('l1');
SELECT migrate_add_file('001_index.sql', $f$-- revision: l1
-- message: index the notes
-- lint-ignore: PM001 lt_task is empty until the feature ships
-- lint-ignore: PM019 the downgrade runs in a maintenance window
-- migrate:upgrade
CREATE INDEX lt_task_note_idx ON lt_task (note);
-- migrate:downgrade
DROP INDEX lt_task_note_idx;
$f$);
SELECT lint_ignores FROM migrate.revision WHERE revision = 'l1';
SELECT rule, silenced, reason FROM migrate_lint('l1');
-- and a file without them clears them
SELECT migrate_add_file('001_index.sql', $f$-- revision: l1
-- message: index the notes
-- migrate:upgrade
CREATE INDEX lt_task_note_idx ON lt_task (note);
-- migrate:downgrade
DROP INDEX lt_task_note_idx;
$f$);
SELECT lint_ignores FROM migrate.revision WHERE revision = 'l1';

-- linting registered revisions is for the owner and its grantees, as their
-- SQL is; linting a file one holds is for everyone
SELECT has_function_privilege('public', 'migrate_lint(text)', 'EXECUTE') AS lint,
       has_function_privilege('public', 'migrate_lint_file(text, text)', 'EXECUTE') AS lint_file,
       has_function_privilege('public', 'migrate_lint_rules()', 'EXECUTE') AS lint_rules;

-- lint takes no lock on the tables it looks at
BEGIN;
SELECT count(*) FROM migrate_lint_file('x.sql', E'-- revision: x\n-- migrate:upgrade\nALTER TABLE lt_task ALTER COLUMN id TYPE bigint;\n');
SELECT count(*) FROM pg_locks WHERE locktype = 'relation' AND relation = 'lt_task'::regclass
   AND pid = pg_backend_pid();
COMMIT;

DROP EXTENSION pg_migrate;
DROP TABLE lint_case;
DROP FUNCTION lint_up(text, text);
DROP FUNCTION lt_vol();
DROP FUNCTION lt_stable();
DROP TYPE lt_mood;
DROP MATERIALIZED VIEW lt_mv;
DROP TABLE lt_part;
DROP TABLE lt_task;
DROP TABLE lt_ref;
