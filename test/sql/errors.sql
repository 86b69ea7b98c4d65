-- Failing revisions and invalid graphs change nothing
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS kept, half CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;
\set VERBOSITY default

SELECT migrate_add_file('001_base.sql', E'-- revision: base1\n-- message: base\n-- migrate:upgrade\nCREATE TABLE kept (id int);\n-- migrate:downgrade\nDROP TABLE kept;\n');
SELECT step, revision FROM migrate_upgrade('head');

-- a runtime error on line 7 of the file: the context names revision, file and line
SELECT migrate_add_file('002_fail.sql', E'-- revision: fail2\n-- revises: base1\n-- message: fails\n-- migrate:upgrade\nCREATE TABLE half (id int);\n\nINSERT INTO half VALUES (1 / 0);\n-- migrate:downgrade\nDROP TABLE half;\n');
SELECT * FROM migrate_upgrade('head');
-- a syntax error is refused when the file is registered, keeping
-- PostgreSQL's message and position, and naming file and line
SELECT migrate_add_file('002_fail.sql', E'-- revision: fail2\n-- revises: base1\n-- message: fails\n-- migrate:upgrade\nCREATE TABLE half (id int);\nCREAT TABLE oops (id int);\n-- migrate:downgrade\nDROP TABLE half;\n');
SELECT migrate_add_file('002_fail.sql', E'-- revision: fail2\n-- revises: base1\n-- message: fails\n-- migrate:upgrade\nCREATE TABLE half (id int);\n-- migrate:downgrade\nDROP TABLE half\n  WHERE;\n');
-- a missing column: analysis error, position inside the statement
SELECT migrate_add_file('002_fail.sql', E'-- revision: fail2\n-- revises: base1\n-- message: fails\n-- migrate:upgrade\nCREATE TABLE half (id int);\nSELECT nosuchcol\n  FROM half;\n-- migrate:downgrade\nDROP TABLE half;\n');
SELECT * FROM migrate_upgrade('head');
-- nothing changed: schema, version rows, journal
SELECT count(*) FROM pg_class WHERE relname = 'half';
SELECT * FROM migrate_current();
SELECT revision, operation FROM migrate.journal ORDER BY id;

-- so is transaction control inside a revision
SELECT migrate_add(revision => 'fail2', revises => '{base1}', upgrade => E'CREATE TABLE half (id int);\nCOMMIT;');
SELECT count(*) FROM pg_class WHERE relname = 'half';

-- a non-transactional revision cannot run in the server
SELECT migrate_add(revision => 'fail2', revises => '{base1}', upgrade => 'CREATE INDEX CONCURRENTLY kept_idx ON kept (id)', transactional => false);
SELECT * FROM migrate_upgrade('head');
SELECT step, revision, transactional FROM migrate_pending();
-- the client runs it itself, then records it
CREATE INDEX kept_idx ON kept (id);
SELECT * FROM migrate_record('fail2', 'upgrade', 12.5);
SELECT * FROM migrate_current();
SELECT * FROM migrate_record('fail2', 'upgrade', 1);
SELECT * FROM migrate_record('base1', 'sideways', 1);

-- only steps run outside the server are recorded, with a real duration
SELECT * FROM migrate_record('base1', 'downgrade', 1);
SELECT * FROM migrate_record('fail2', 'downgrade', 'Infinity');

-- COPY to or from the client has no client to talk to in a revision
SELECT migrate_add(revision => 'irr3', revises => '{fail2}', upgrade => E'CREATE TABLE c (id int);\nCOPY c FROM STDIN;');
SELECT migrate_add(revision => 'irr3', revises => '{fail2}', upgrade => 'SELECT 1', downgrade => 'COPY kept TO STDOUT');

-- a statement that needs its own transaction, in a transactional revision,
-- is refused when the revision is registered
SELECT migrate_add(revision => 'irr3', revises => '{fail2}', upgrade => E'SELECT 1;\n\nCREATE INDEX CONCURRENTLY kept_idx2 ON kept (id);');
SELECT migrate_add(revision => 'irr3', revises => '{fail2}', upgrade => 'SELECT 1', downgrade => 'VACUUM kept');

-- a revision cannot call the migration functions: the version rows are not
-- written until the whole upgrade is done
SELECT migrate_add(revision => 'nested', revises => '{fail2}', upgrade => 'SELECT count(*) FROM migrate_upgrade(''heads'')');
SELECT * FROM migrate_upgrade('nested');
SELECT migrate_remove('nested');

-- irreversible revisions cannot be downgraded
SELECT migrate_add(revision => 'irr3', revises => '{fail2}', upgrade => 'SELECT 1');
SELECT step, revision FROM migrate_upgrade('head');
SELECT * FROM migrate_downgrade('base');
SELECT * FROM migrate_current();

-- cycles are refused
SELECT migrate_add(revision => 'cyc1', revises => '{cyc2}', upgrade => 'SELECT 1');
SELECT migrate_add(revision => 'cyc2', revises => '{cyc1}', upgrade => 'SELECT 1');
SELECT * FROM migrate_upgrade('heads');
SELECT * FROM migrate_current();

DROP EXTENSION pg_migrate;
DROP TABLE kept;
