-- Upgrades and downgrades on a linear history, with every target form
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS t1, t2, t3, t4, t5, t6 CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;

SELECT migrate_add(revision => 'aaa111', upgrade => 'CREATE TABLE t1 (id int)',
                   downgrade => 'DROP TABLE t1', message => 'one');
SELECT migrate_add(revision => 'bbb222', revises => '{aaa111}', upgrade => 'CREATE TABLE t2 (id int)',
                   downgrade => 'DROP TABLE t2', message => 'two');
SELECT migrate_add(revision => 'bbc333', revises => '{bbb222}', upgrade => 'CREATE TABLE t3 (id int)',
                   downgrade => 'DROP TABLE t3', message => 'three');
SELECT migrate_add(revision => 'ddd444', revises => '{bbc333}', upgrade => 'CREATE TABLE t4 (id int)',
                   downgrade => 'DROP TABLE t4', message => 'four');

-- nothing applied yet
SELECT * FROM migrate_current();
SELECT step, revision, message FROM migrate_pending();

-- relative upgrade from base, then to a unique prefix
SELECT step, revision, message, operation FROM migrate_upgrade('+1');
SELECT step, revision, message, operation FROM migrate_upgrade('bbc');
SELECT * FROM migrate_current();
SELECT relname FROM pg_class WHERE relname ~ '^t[0-9]$' ORDER BY 1;

-- an ambiguous prefix and an unknown revision are errors
SELECT * FROM migrate_upgrade('bb');
SELECT * FROM migrate_upgrade('zzz');

-- already there: no rows, no error
SELECT * FROM migrate_upgrade('bbc333');
-- head
SELECT step, revision, operation FROM migrate_upgrade('head');
SELECT step, revision, operation FROM migrate_upgrade('head');

-- downgrades: -1, rev-1 style, a full id, base
SELECT step, revision, operation FROM migrate_downgrade('-1');
SELECT * FROM migrate_current();
SELECT step, revision, operation FROM migrate_downgrade('bbc333-1');
SELECT * FROM migrate_current();
SELECT step, revision, operation FROM migrate_downgrade('aaa111');
SELECT step, revision, operation FROM migrate_downgrade('base');
SELECT * FROM migrate_current();
SELECT relname FROM pg_class WHERE relname ~ '^t[0-9]$' ORDER BY 1;

-- relative steps from a revision, then beyond the head
SELECT step, revision, operation FROM migrate_upgrade('aaa111+2');
SELECT * FROM migrate_upgrade('+5');
SELECT * FROM migrate_current();

-- every step is in the journal, in order
SELECT id, revision, operation, message, role = current_user AS by_me, duration_ms >= 0 AS timed,
       version_after
  FROM migrate.journal ORDER BY id;

-- a SET inside one revision does not leak into the next, nor to the caller
SELECT migrate_add(revision => 'eee555', revises => '{ddd444}',
                   upgrade => 'SET search_path = nowhere; SET work_mem = ''1MB''; CREATE TABLE public.t5 (wm text DEFAULT current_setting(''work_mem''))',
                   downgrade => 'DROP TABLE t5', message => 'five');
SELECT migrate_add(revision => 'fff666', revises => '{eee555}',
                   upgrade => 'CREATE TABLE t6 AS SELECT current_setting(''search_path'') AS sp, current_setting(''work_mem'') AS wm',
                   downgrade => 'DROP TABLE t6', message => 'six');
SET work_mem = '4MB';
SELECT step, revision FROM migrate_upgrade('head');
SELECT * FROM t6;
SHOW work_mem;
SHOW search_path;

DROP EXTENSION pg_migrate;
DROP TABLE t1, t2, t3, t4, t5, t6;
