-- Bad inputs: each is tried at top level (its own transaction), then its
-- SQLSTATE is shown beside whether the catalog and schema are unchanged.
-- docs/bad-inputs.md lists every case of this file by number (B01...).
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS bad_base, bad_t1, bad_t2 CASCADE;
DROP FUNCTION IF EXISTS bad_fp(), bad_unchanged(), bad_rebase() CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;
SET client_min_messages = warning;
-- a FIFO or anything else that could block must not hang the suite
SET statement_timeout = '20s';
\set VERBOSITY default

-- a fingerprint of everything a bad input must not change: revisions,
-- version rows, journal, generation and the tables of schema public
CREATE FUNCTION bad_fp() RETURNS text LANGUAGE sql AS $$
SELECT md5(concat_ws('|',
  (SELECT string_agg(r::text, ',' ORDER BY r.revision) FROM migrate.revision r),
  (SELECT string_agg(revision, ',' ORDER BY revision) FROM migrate.version),
  (SELECT string_agg(j.id || ':' || j.operation || ':' || coalesce(j.revision, ''), ',' ORDER BY j.id)
     FROM migrate.journal j),
  (SELECT generation FROM migrate.state),
  (SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public')))
$$;
CREATE TABLE bad_base (fp text);
INSERT INTO bad_base SELECT bad_fp();
CREATE FUNCTION bad_unchanged() RETURNS boolean LANGUAGE sql AS
  $$SELECT bad_fp() = (SELECT fp FROM bad_base)$$;
CREATE FUNCTION bad_rebase() RETURNS void LANGUAGE sql AS
  $$UPDATE bad_base SET fp = bad_fp()$$;

-- the state the bad inputs must leave alone: ba1 applied, ba2 pending
SELECT migrate_add_file('ba1.sql', E'-- revision: ba1\n-- branch-labels: trunk\n-- message: first\n-- migrate:upgrade\nCREATE TABLE bad_t1 (id int);\n-- migrate:downgrade\nDROP TABLE bad_t1;\n');
SELECT migrate_add_file('ba2.sql', E'-- revision: ba2\n-- revises: ba1\n-- message: second\n-- migrate:upgrade\nCREATE TABLE bad_t2 (id int);\n-- migrate:downgrade\nDROP TABLE bad_t2;\n');
SELECT step, revision FROM migrate_upgrade('ba1');
SELECT bad_rebase();

-- ==== revision files ====
-- B01 empty file
SELECT migrate_add_file('b01.sql', '');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B02 no upgrade section
SELECT migrate_add_file('b02.sql', E'-- revision: b02\n-- message: no sections\nCREATE TABLE nope (id int);\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B03 no revision header
SELECT migrate_add_file('b03.sql', E'-- message: anonymous\n-- migrate:upgrade\nSELECT 1;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B04 duplicate header key
SELECT migrate_add_file('b04.sql', E'-- revision: b04\n-- revision: b04b\n-- migrate:upgrade\nSELECT 1;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B05 invalid character in the id
SELECT migrate_add_file('b05.sql', E'-- revision: b0$5\n-- migrate:upgrade\nSELECT 1;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B06 empty id
SELECT migrate_add_file('b06.sql', E'-- revision:\n-- migrate:upgrade\nSELECT 1;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B07 id of 129 bytes (the limit is 128)
SELECT migrate_add_file('b07.sql', '-- revision: ' || repeat('x', 129) || E'\n-- migrate:upgrade\nSELECT 1;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B08 unknown header key
SELECT migrate_add_file('b08.sql', E'-- revision: b08\n-- author: someone\n-- migrate:upgrade\nSELECT 1;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B09 two upgrade sections
SELECT migrate_add_file('b09.sql', E'-- revision: b09\n-- migrate:upgrade\nSELECT 1;\n-- migrate:upgrade\nSELECT 2;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B10 downgrade section before the upgrade section
SELECT migrate_add_file('b10.sql', E'-- revision: b10\n-- migrate:downgrade\nSELECT 1;\n-- migrate:upgrade\nSELECT 2;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B11 a parent listed twice
SELECT migrate_add_file('b11.sql', E'-- revision: b11\n-- revises: ba1, ba1\n-- migrate:upgrade\nSELECT 1;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B12 a bad id among the parents
SELECT migrate_add_file('b12.sql', E'-- revision: b12\n-- revises: ba1, no good\n-- migrate:upgrade\nSELECT 1;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B13 transactional: neither true nor false
SELECT migrate_add_file('b13.sql', E'-- revision: b13\n-- transactional: maybe\n-- migrate:upgrade\nSELECT 1;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B14 a byte order mark in the middle of the header
SELECT migrate_add_file('b14.sql', E'-- revision: b14\n\uFEFF-- message: bom\n-- migrate:upgrade\nSELECT 1;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B15 SQL before the upgrade marker
SELECT migrate_add_file('b15.sql', E'-- revision: b15\nSELECT 1;\n-- migrate:upgrade\nSELECT 2;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B16 lines ending in CR alone: one long header line, no upgrade section
SELECT migrate_add_file('b16.sql', E'-- revision: b16\r-- migrate:upgrade\rSELECT 1;\r');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B17 a NUL byte (the file is read from the server: SQL text cannot hold one)
SELECT migrate_load('pg_migrate_fixtures/nul');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B18 invalid UTF-8
SELECT migrate_load('pg_migrate_fixtures/bad_utf8');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B19 an id or branch label that is a word of the target grammar
SELECT migrate_add_file('b19.sql', E'-- revision: head\n-- migrate:upgrade\nSELECT 1;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_add_file('b19.sql', E'-- revision: b19\n-- branch-labels: base\n-- migrate:upgrade\nSELECT 1;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_add('current', 'SELECT 1');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_add('b19', 'SELECT 1', branch_labels => '{heads}');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B20 a 1 MB message line is kept whole, not truncated (not an error)
SELECT migrate_add_file('b20.sql', E'-- revision: b20\n-- message: ' || repeat('m', 1048576) || E'\n-- migrate:upgrade\nSELECT 1;\n');
SELECT length(message) FROM migrate.revision WHERE revision = 'b20';
SELECT migrate_remove('b20');
SELECT bad_rebase();
-- B21 NULL content or name: strict, nothing happens
SELECT migrate_add_file('b21.sql', NULL) IS NULL AS is_null, migrate_add_file(NULL, 'x') IS NULL AS is_null2;
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();

-- ==== SQL of a revision, checked at registration ====
-- B22 syntax error: file and line named
SELECT migrate_add_file('b22.sql', E'-- revision: b22\n-- revises: ba2\n-- migrate:upgrade\nCREATE TABLE b22 (id int);\n\nCREAT TABLE oops (id int);\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B23 transaction control
SELECT migrate_add_file('b23.sql', E'-- revision: b23\n-- revises: ba2\n-- migrate:upgrade\nCREATE TABLE b23 (id int);\nCOMMIT;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B24 a savepoint
SELECT migrate_add_file('b24.sql', E'-- revision: b24\n-- revises: ba2\n-- migrate:upgrade\nSAVEPOINT s;\nSELECT 1;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B25 COPY FROM STDIN
SELECT migrate_add_file('b25.sql', E'-- revision: b25\n-- revises: ba2\n-- migrate:upgrade\nCREATE TABLE b25 (id int);\nCOPY b25 FROM STDIN;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B26 VACUUM in a transactional revision
SELECT migrate_add_file('b26.sql', E'-- revision: b26\n-- revises: ba2\n-- migrate:upgrade\nVACUUM bad_t1;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B27 syntax error in the downgrade section
SELECT migrate_add_file('b27.sql', E'-- revision: b27\n-- revises: ba2\n-- migrate:upgrade\nSELECT 1;\n-- migrate:downgrade\nDROP TABLE;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();

-- ==== migrate_add arguments ====
-- B28 NULL among the parents
SELECT migrate_add('b28', 'SELECT 1', ARRAY['ba1', NULL]);
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B29 a two-dimensional parent array
SELECT migrate_add('b29', 'SELECT 1', '{{ba1},{ba2}}');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B30 an empty upgrade is a revision that changes nothing (not an error);
-- a NULL one is refused
SELECT migrate_add('b30', '');
SELECT migrate_remove('b30');
SELECT bad_rebase();
SELECT migrate_add('b30', NULL);
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();

-- ==== migrate_load ====
-- B31 a directory that does not exist
SELECT migrate_load('pg_migrate_fixtures/does_not_exist');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B32 a file instead of a directory
SELECT migrate_load('pg_migrate_fixtures/good/d4_fourth.sql');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B33 an empty path
SELECT migrate_load('');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B34 a directory named b.sql
SELECT migrate_load('pg_migrate_fixtures/nonreg_dir');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B35 a symbolic link b.sql to a file in the same directory
SELECT migrate_load('pg_migrate_fixtures/nonreg_link_in');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B36 a symbolic link b.sql to a revision file outside the directory
SELECT migrate_load('pg_migrate_fixtures/nonreg_link_out');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B37 a FIFO b.sql: refused at once, never opened
SELECT migrate_load('pg_migrate_fixtures/nonreg_fifo');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B38 an unreadable b.sql after a good a_ok.sql: a_ok.sql is not kept
SELECT migrate_load('pg_migrate_fixtures/unreadable');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B39 two files defining one revision
SELECT migrate_load('pg_migrate_fixtures/dup');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();

-- ==== targets ====
-- B40 an unknown revision
SELECT * FROM migrate_upgrade('zzzz');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B41 an empty target
SELECT * FROM migrate_upgrade('');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B42 a NULL target: strict, no rows
SELECT count(*) FROM migrate_upgrade(NULL);
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B43 a relative step down for an upgrade
SELECT * FROM migrate_upgrade('-1');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B44 an absurd step count, past INT_MAX
SELECT * FROM migrate_upgrade('+99999999999999999999');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B45 a downgrade walking past the base
SELECT * FROM migrate_downgrade('-2');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B46 a downgrade "up"
SELECT * FROM migrate_downgrade('+1');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B47 a downgrade to a revision not applied
SELECT * FROM migrate_downgrade('ba2');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B48 an unknown branch
SELECT * FROM migrate_upgrade('nobranch@head');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B49 "@" alone, and "@@head"
SELECT * FROM migrate_upgrade('@');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT * FROM migrate_upgrade('@@head');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B50 a trailing blank
SELECT * FROM migrate_upgrade('ba2 ');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B51 a prefix of fewer than four characters
SELECT * FROM migrate_upgrade('ba');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B52 a bad history range, a relative end, an unknown end
SELECT count(*) FROM migrate_history('ba1:ba2:head');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT count(*) FROM migrate_history('-1:head');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT count(*) FROM migrate_history('ba1');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B53 stamp: an unknown revision, no target, a NULL target
SELECT * FROM migrate_stamp('zzzz');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT * FROM migrate_stamp(VARIADIC '{}'::text[]);
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT * FROM migrate_stamp(VARIADIC ARRAY[NULL]::text[]);
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B54 pending and script with a bad operation or target
SELECT count(*) FROM migrate_pending('zzzz');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT count(*) FROM migrate_script('sideways', 'head');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();

-- ==== graph errors (registered, refused when used) ====
-- B55 a revision that revises itself
SELECT migrate_add('self1', 'SELECT 1', '{self1}');
SELECT bad_rebase();
SELECT * FROM migrate_upgrade('heads');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- it can be removed, though it "builds on" itself
SELECT migrate_remove('self1');
-- B56 a cycle of two
SELECT migrate_add('cyc1', 'SELECT 1', '{cyc2}');
SELECT migrate_add('cyc2', 'SELECT 1', '{cyc1}');
SELECT bad_rebase();
SELECT * FROM migrate_upgrade('heads');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT count(*) FROM migrate_history();
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- neither can be removed first; registering one again without the loop can
SELECT migrate_remove('cyc1');
SELECT migrate_add('cyc1', 'SELECT 1');
SELECT migrate_remove('cyc2'), migrate_remove('cyc1');
-- B57 an unknown parent
SELECT migrate_add('orph1', 'SELECT 1', '{nosuch}');
SELECT bad_rebase();
SELECT * FROM migrate_upgrade('heads');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_remove('orph1');
-- B58 an unknown dependency
SELECT migrate_add('dep1', 'SELECT 1', '{ba2}', depends_on => '{nosuch}');
SELECT bad_rebase();
SELECT * FROM migrate_upgrade('heads');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_remove('dep1');
-- B59 a branch label used twice
SELECT migrate_add('lab1', 'SELECT 1', '{ba2}', branch_labels => '{trunk}');
SELECT bad_rebase();
SELECT * FROM migrate_upgrade('heads');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_remove('lab1');
-- B60 an ambiguous prefix
SELECT migrate_add('bad_x1', 'SELECT 1', '{ba2}');
SELECT migrate_add('bad_x2', 'SELECT 1', '{ba2}');
SELECT bad_rebase();
SELECT * FROM migrate_upgrade('bad_');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B61 "head" with two heads
SELECT * FROM migrate_upgrade('head');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_remove('bad_x1'), migrate_remove('bad_x2');

-- ==== errors while running (nothing of the call is applied) ====
-- B62 a runtime error in the second revision of a call: the first is not kept
SELECT migrate_add_file('b62.sql', E'-- revision: b62\n-- revises: ba2\n-- migrate:upgrade\nCREATE TABLE b62 (id int);\n\nINSERT INTO b62 VALUES (1 / 0);\n');
SELECT bad_rebase();
SELECT * FROM migrate_upgrade('heads');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_remove('b62');
-- B63 a non-transactional revision asked of the server
SELECT migrate_add('b63', 'CREATE INDEX CONCURRENTLY b63_idx ON bad_t1 (id)', '{ba2}', transactional => false);
SELECT bad_rebase();
SELECT * FROM migrate_upgrade('heads');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_remove('b63');
SELECT bad_rebase();
-- B64 removing an applied revision, and one that does not exist
SELECT migrate_remove('ba1');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_remove('nosuch');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();

-- ==== migrate_record and migrate_wait ====
-- B65 an operation that does not exist
SELECT * FROM migrate_record('ba2', 'sideways', 1);
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B66 a negative, a NaN and an infinite duration
SELECT * FROM migrate_record('ba2', 'upgrade', -1);
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT * FROM migrate_record('ba2', 'upgrade', 'NaN');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT * FROM migrate_record('ba2', 'upgrade', 'Infinity');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B67 recording a step that was not run outside the server (transactional)
SELECT * FROM migrate_record('ba2', 'upgrade', 1);
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B68 recording an unknown revision
SELECT * FROM migrate_record('nosuch', 'upgrade', 1);
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B69 migrate_wait with a negative timeout, an infinite one, a bad target
SELECT migrate_wait('heads', '-1 s');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_wait('heads', 'infinity');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_wait('zzzz', '1 s');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B70 migrate_wait with a timeout that is negative overall, and a NULL one
SELECT migrate_wait('heads', '1 day -25 hours');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_wait('heads', NULL) IS NULL AS is_null;
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- (zero looks once: "ba1" is reached, "heads" is not)
SELECT migrate_wait('ba1', '0 s');
SELECT migrate_wait('heads', '0 s');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();

-- ==== settings ====
-- B71 a negative lock timeout, a non-number, a non-boolean
SET pg_migrate.lock_timeout = -1;
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SET pg_migrate.lock_timeout = 'soon';
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SET pg_migrate.notice_steps = 'perhaps';
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B72 a migration function called from inside a revision
SELECT migrate_add('b72', 'SELECT migrate_upgrade(''heads'')', '{ba2}');
SELECT bad_rebase();
SELECT * FROM migrate_upgrade('heads');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_remove('b72');
SELECT bad_rebase();

-- ==== lint ====
-- B73 linting a revision that is not registered, or an empty name
SELECT count(*) FROM migrate_lint('nosuch');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT count(*) FROM migrate_lint('');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B74 linting a malformed file
SELECT count(*) FROM migrate_lint_file('b74.sql', '');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B75 lint-ignore lines: an unknown rule, no value, no reason
SELECT count(*) FROM migrate_lint_file('b75.sql', E'-- revision: b75\n-- lint-ignore: PM099 why\n-- migrate:upgrade\nSELECT 1;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT count(*) FROM migrate_lint_file('b75.sql', E'-- revision: b75\n-- lint-ignore:\n-- migrate:upgrade\nSELECT 1;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT count(*) FROM migrate_lint_file('b75.sql', E'-- revision: b75\n-- lint-ignore: PM001\n-- migrate:upgrade\nSELECT 1;\n');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B76 linting SQL with a syntax error: reported as findings, not raised
SELECT rule, severity, line FROM migrate_lint_file('b76.sql', E'-- revision: b76\n-- migrate:upgrade\nCREAT TABLE t (a int);\n') ORDER BY 1;
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();

-- ==== integrity and non-transactional runs ====
-- B77 repairing a revision that does not exist, or has not drifted
SELECT migrate_repair('nosuch');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_repair('ba1');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B78 resolving with an outcome that does not exist, or with nothing to resolve
SELECT migrate_resolve('ba2', 'done');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_resolve('ba2', 'applied');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B79 outside-run bookkeeping: a bad operation, a negative count, a
-- transactional revision, progress without a start
SELECT migrate_outside_start('ba2', 'sideways', 1);
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_outside_start('ba2', 'upgrade', -1);
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_outside_start('ba2', 'upgrade', 1);
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_outside_progress('ba2', 5);
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B80 resuming a revision with nothing interrupted
SELECT migrate_outside_resume('ba2', 'upgrade', 1);
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B81 a fingerprint of SQL that does not scan
SELECT migrate_fingerprint('SELECT ''unterminated');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();

-- ==== CALL migrate_run ====
-- B82 an unknown target, a NULL one
CALL migrate_run('zzzz');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
CALL migrate_run(NULL);
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B83 inside a transaction block
BEGIN;
CALL migrate_run('heads');
\set b83_sqlstate :SQLSTATE
ROLLBACK;
SELECT :'b83_sqlstate' AS sqlstate, bad_unchanged();
-- B84 bad values of the retry settings
SET pg_migrate.lock_retries = -1;
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SET pg_migrate.lock_retry_delay = '-1s';
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SET pg_migrate.revision_lock_timeout = 'soon';
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B85 a runtime error in the second revision of a run: migrate_run commits
-- each revision, so the first stays applied (by design) and the failing
-- one leaves nothing: no table, no version row, no journal row
SELECT migrate_add_file('b85.sql', E'-- revision: b85\n-- revises: ba2\n-- migrate:upgrade\nCREATE TABLE b85 (id int);\nSELECT 1 / 0;\n');
CALL migrate_run('heads');
SELECT :'SQLSTATE' AS sqlstate;
SELECT * FROM migrate_current();
SELECT count(*) AS b85_tables FROM pg_class WHERE relname = 'b85';
SELECT revision, operation FROM migrate.journal WHERE revision IN ('ba2', 'b85') ORDER BY id;
SELECT step, revision FROM migrate_downgrade('ba1');
SELECT migrate_remove('b85');
SELECT bad_rebase();

-- ==== verify and explain ====
-- B86 verifying or explaining an unknown, empty or downward target
SELECT count(*) FROM migrate_verify('zzzz');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT count(*) FROM migrate_verify('');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT count(*) FROM migrate_explain('zzzz');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT count(*) FROM migrate_explain('-1');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
-- B87 verifying a revision that fails: reported as a row, nothing kept
SELECT migrate_add_file('b87.sql', E'-- revision: b87\n-- revises: ba2\n-- migrate:upgrade\nCREATE TABLE b87 (id int);\nSELECT 1 / 0;\n');
SELECT bad_rebase();
SELECT step, revision, status, error FROM migrate_verify('heads');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_remove('b87');
SELECT bad_rebase();

-- ==== tenant scopes ====
-- B88 a NULL argument to the scoped forms of the non-transactional bookkeeping
SELECT migrate_outside_start('ba2', NULL, 1, 'bad_tenant');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();
SELECT migrate_resolve(NULL, 'applied', 'bad_tenant');
SELECT :'SQLSTATE' AS sqlstate, bad_unchanged();

-- clean up: nothing of this file is left behind
SELECT count(*) FROM migrate_downgrade('base');
DROP FUNCTION bad_rebase(), bad_unchanged(), bad_fp();
DROP TABLE bad_base;
DROP EXTENSION pg_migrate;
SELECT count(*) FROM pg_class WHERE relname LIKE 'bad\_t%';
