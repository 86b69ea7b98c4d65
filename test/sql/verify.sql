-- migrate_verify: upgrade, downgrade, compare, upgrade again; all rolled back
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP VIEW IF EXISTS vv CASCADE;
DROP TABLE IF EXISTS vt, kept CASCADE;
DROP SEQUENCE IF EXISTS vs CASCADE;
DROP FUNCTION IF EXISTS vf, vtrig CASCADE;
DROP DOMAIN IF EXISTS posint CASCADE;
DROP TYPE IF EXISTS mood, color CASCADE;
DO $$DECLARE r name; BEGIN
FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('verify_owner', 'verify_reader', 'verify_nobody') LOOP
  EXECUTE format('DROP OWNED BY %I', r); EXECUTE format('DROP ROLE %I', r);
END LOOP; END$$;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;
-- step notices stay on: verify and explain give none (they would tell of
-- changes that are undone)
-- revisions run as the caller: a role that may migrate, not a superuser
CREATE ROLE verify_owner;
CREATE ROLE verify_reader;
CREATE ROLE verify_nobody;
GRANT CREATE ON SCHEMA public TO verify_owner;
GRANT EXECUTE ON FUNCTION migrate_verify(text), migrate_upgrade(text),
  migrate_downgrade(text) TO verify_owner;

-- nothing pending: no rows
SET ROLE verify_owner;
SELECT * FROM migrate_verify();
RESET ROLE;

SELECT migrate_add(revision => 'v1', upgrade => $$
  CREATE TABLE vt (id int PRIMARY KEY, a int DEFAULT 0 CHECK (a >= 0));
  CREATE TYPE mood AS ENUM ('sad', 'happy');
  CREATE DOMAIN posint AS int CHECK (VALUE > 0);
  CREATE FUNCTION vf(x int) RETURNS int LANGUAGE sql AS 'SELECT x + 1';
  CREATE VIEW vv AS SELECT id FROM vt;
  CREATE SEQUENCE vs;
  CREATE FUNCTION vtrig() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
  CREATE TRIGGER vt_trig BEFORE INSERT ON vt FOR EACH ROW EXECUTE FUNCTION vtrig();
$$, downgrade => $$
  DROP VIEW vv; DROP FUNCTION vf(int); DROP TYPE mood; DROP DOMAIN posint;
  DROP TABLE vt; DROP SEQUENCE vs; DROP FUNCTION vtrig();
$$);
-- its downgrade forgets an index
SELECT migrate_add(revision => 'v2', revises => '{v1}',
  upgrade => 'CREATE INDEX IF NOT EXISTS vt_a_idx ON vt (a)',
  downgrade => 'SELECT 1');
-- a column default changed and not reverted
SELECT migrate_add(revision => 'v3', revises => '{v2}',
  upgrade => 'ALTER TABLE vt ALTER COLUMN a SET DEFAULT 42',
  downgrade => 'SELECT 1');
-- an enum value, a grant and a comment not reverted
SELECT migrate_add(revision => 'v4', revises => '{v3}',
  upgrade => $$ALTER TYPE mood ADD VALUE IF NOT EXISTS 'calm';
                GRANT SELECT ON vt TO verify_reader;
                COMMENT ON FUNCTION vf(int) IS 'adds one'$$,
  downgrade => 'SELECT 1');
-- no downgrade at all
SELECT migrate_add(revision => 'v5', revises => '{v4}',
  upgrade => 'CREATE TABLE vt5 (id int)');
-- reversible: a table with a policy, a column with a constraint, a grant
-- and its revoke, a comment and its removal
SELECT migrate_add(revision => 'v6', revises => '{v5}',
  upgrade => $$CREATE TABLE vt6 (id int);
               ALTER TABLE vt6 ENABLE ROW LEVEL SECURITY;
               CREATE POLICY p6 ON vt6 USING (id > 0);
               ALTER TABLE vt ADD COLUMN c text NOT NULL DEFAULT 'x';
               ALTER TABLE vt ADD CONSTRAINT vt_c_check CHECK (c <> '');
               GRANT UPDATE ON vt TO verify_reader;
               REVOKE EXECUTE ON FUNCTION vf(int) FROM PUBLIC;
               COMMENT ON TABLE vt IS 'the table'$$,
  downgrade => $$DROP TABLE vt6; ALTER TABLE vt DROP COLUMN c;
                 REVOKE UPDATE ON vt FROM verify_reader;
                 GRANT EXECUTE ON FUNCTION vf(int) TO PUBLIC;
                 COMMENT ON TABLE vt IS NULL$$);
-- a privilege taken away and not given back, and a downgrade that drops
-- more than its upgrade made
SELECT migrate_add(revision => 'v7', revises => '{v6}',
  upgrade => 'REVOKE USAGE ON TYPE mood FROM PUBLIC',
  downgrade => 'DROP SEQUENCE vs');
-- the downgrade forgets the type, so upgrading again fails
SELECT migrate_add(revision => 'v8', revises => '{v7}',
  upgrade => $$CREATE TYPE color AS ENUM ('red')$$,
  downgrade => 'SELECT 1');
SELECT migrate_add(revision => 'v9', revises => '{v8}',
  upgrade => 'CREATE TABLE vt9 (id int)', downgrade => 'DROP TABLE vt9');

-- what must be the same after each call
CREATE FUNCTION pg_temp.state() RETURNS text LANGUAGE sql AS $$
  SELECT concat_ws(' / ',
    (SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class
      WHERE relnamespace = 'public'::regnamespace),
    (SELECT string_agg(typname, ',' ORDER BY typname) FROM pg_type
      WHERE typnamespace = 'public'::regnamespace),
    (SELECT count(*) FROM migrate.journal),
    (SELECT string_agg(revision, ',') FROM migrate.version),
    (SELECT row(s.*)::text FROM migrate.state s))
$$;
CREATE TEMP TABLE before AS SELECT pg_temp.state() AS s;

SET ROLE verify_owner;
SELECT step, revision, status, differences, error FROM migrate_verify();
RESET ROLE;
SELECT pg_temp.state() = s AS unchanged FROM before;

-- from an applied state, to a given target
SET ROLE verify_owner;
SELECT step, revision FROM migrate_upgrade('v1');
RESET ROLE;
UPDATE before SET s = pg_temp.state();
SET ROLE verify_owner;
SELECT step, revision, status, differences FROM migrate_verify('v3');
RESET ROLE;
SELECT pg_temp.state() = s AS unchanged FROM before;
SELECT * FROM migrate_current();

-- an error ends the call and leaves nothing behind either
SELECT * FROM migrate_verify('nope');
SELECT * FROM migrate_verify('');
SELECT pg_temp.state() = s AS unchanged FROM before;

-- inside a transaction: the caller's work before and after is kept, and
-- the migration lock is held to its end
BEGIN;
CREATE TABLE kept (id int);
SELECT count(*) FROM migrate_verify();
SELECT locktype, mode FROM pg_locks
 WHERE locktype = 'advisory' AND pid = pg_backend_pid();
INSERT INTO kept VALUES (1);
COMMIT;
SELECT * FROM kept;
DROP TABLE kept;

-- a non-transactional revision cannot be verified: skipped, and the
-- revisions after it not checked
SET ROLE verify_owner;
SELECT step, revision FROM migrate_upgrade('v7');
RESET ROLE;
SELECT migrate_add(revision => 'v10', revises => '{v9}', transactional => false,
  upgrade => 'CREATE INDEX CONCURRENTLY vt_id2 ON vt (id)',
  downgrade => 'DROP INDEX CONCURRENTLY vt_id2');
SELECT migrate_add(revision => 'v11', revises => '{v10}',
  upgrade => 'CREATE TABLE vt11 ()', downgrade => 'DROP TABLE vt11');
SELECT migrate_add(revision => 'v8', revises => '{v7}',
  upgrade => $$CREATE TYPE color AS ENUM ('red')$$,
  downgrade => 'DROP TYPE color');
SET ROLE verify_owner;
SELECT * FROM migrate_verify();
RESET ROLE;

-- not for everyone
SET ROLE verify_nobody;
SELECT * FROM migrate_verify();
RESET ROLE;

SELECT migrate_stamp('base');
DROP EXTENSION pg_migrate;
DROP OWNED BY verify_owner, verify_reader;
REVOKE CREATE ON SCHEMA public FROM verify_owner;
DROP ROLE verify_owner;
DROP ROLE verify_reader;
DROP ROLE verify_nobody;
