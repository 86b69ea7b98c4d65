-- migrate_explain: the locks and rewrites of each statement, rolled back
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS ex_meta, ex_idx, ex_rewrite, ex_gone, ex_new CASCADE;
DO $$DECLARE r name; BEGIN
FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('explain_nobody') LOOP
  EXECUTE format('DROP OWNED BY %I', r); EXECUTE format('DROP ROLE %I', r);
END LOOP; END$$;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;
-- step notices stay on: verify and explain give none (they would tell of
-- changes that are undone)
CREATE ROLE explain_nobody;

CREATE TABLE ex_meta (id int);
CREATE TABLE ex_idx (id int, v int);
CREATE TABLE ex_rewrite (id int, v int);
INSERT INTO ex_rewrite SELECT g, g FROM generate_series(1, 1000) AS g;
CREATE TABLE ex_gone (id int);

-- nothing pending: no rows
SELECT * FROM migrate_explain();

SELECT migrate_add(revision => 'e1', upgrade => $$
ALTER TABLE ex_meta ADD COLUMN note text;
CREATE INDEX ex_idx_v ON ex_idx (v);
ALTER TABLE ex_rewrite ALTER COLUMN v TYPE bigint;
SELECT 1;
$$, downgrade => $$
DROP INDEX ex_idx_v;
ALTER TABLE ex_meta DROP COLUMN note;
ALTER TABLE ex_rewrite ALTER COLUMN v TYPE int;
$$);
SELECT migrate_add(revision => 'e2', revises => '{e1}', upgrade => $$
CREATE TABLE ex_new (id int PRIMARY KEY);
-- a lock taken earlier in the migration is not taken again
ALTER TABLE ex_meta ADD COLUMN more int;
DROP TABLE ex_gone;
$$, downgrade => 'SELECT 1');

CREATE FUNCTION pg_temp.state() RETURNS text LANGUAGE sql AS $$
  SELECT concat_ws(' / ',
    (SELECT string_agg(c.relname || ':' || c.relfilenode::text, ',' ORDER BY c.relname)
      FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace),
    (SELECT string_agg(attname, ',' ORDER BY attname) FROM pg_attribute
      WHERE attrelid = 'ex_meta'::regclass AND attnum > 0 AND NOT attisdropped),
    (SELECT format_type(atttypid, NULL) FROM pg_attribute
      WHERE attrelid = 'ex_rewrite'::regclass AND attname = 'v'),
    (SELECT count(*) FROM migrate.journal),
    (SELECT string_agg(revision, ',') FROM migrate.version),
    (SELECT row(s.*)::text FROM migrate.state s))
$$;
CREATE TEMP TABLE before AS SELECT pg_temp.state() AS s;

-- ALTER TABLE ADD COLUMN: ACCESS EXCLUSIVE, no rewrite; CREATE INDEX:
-- SHARE on the table; ALTER COLUMN TYPE: a rewrite of the table (and of
-- nothing else: it has no index), with its size; SELECT: no lock
SELECT step, revision, statement, line, command, relation, lock_mode,
       new_relation, rewritten, size_bytes
  FROM migrate_explain('e1');
SELECT pg_temp.state() = s AS unchanged FROM before;
SELECT pg_relation_size('ex_rewrite') AS size_now;

-- the whole plan: the second revision's ALTER TABLE on ex_meta takes no
-- new lock, a dropped table keeps its name, a created one is marked
SELECT step, statement, line, command, relation, lock_mode, new_relation,
       rewritten
  FROM migrate_explain() WHERE step = 2;
SELECT pg_temp.state() = s AS unchanged FROM before;

-- an error in a revision is raised as the upgrade would raise it, and
-- leaves nothing behind
SELECT migrate_add(revision => 'e3', revises => '{e2}',
  upgrade => 'CREATE TABLE ex_bad (id int); SELECT 1/0', downgrade => 'SELECT 1');
UPDATE before SET s = pg_temp.state();
SELECT * FROM migrate_explain();
SELECT pg_temp.state() = s AS unchanged FROM before;
SELECT * FROM migrate_explain('nope');

-- a non-transactional revision stops the explanation, with a notice
SELECT migrate_add(revision => 'e3', revises => '{e2}', transactional => false,
  upgrade => 'CREATE INDEX CONCURRENTLY ex_idx_id ON ex_idx (id)', downgrade => 'SELECT 1');
UPDATE before SET s = pg_temp.state();
SELECT step, statement, command FROM migrate_explain() WHERE step <> 1;
SELECT pg_temp.state() = s AS unchanged FROM before;

-- not for everyone
SET ROLE explain_nobody;
SELECT * FROM migrate_explain();
RESET ROLE;

DROP EXTENSION pg_migrate;
DROP TABLE ex_meta, ex_idx, ex_rewrite, ex_gone;
DROP ROLE explain_nobody;
