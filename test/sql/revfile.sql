-- Revision files: every malformed file is refused with its name, the line
-- and what is wrong, and registers nothing
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;

SELECT migrate_add_file('ok.sql', E'-- revision: r1\n-- migrate:upgrade\nSELECT 1;\n');
-- missing id
SELECT migrate_add_file('noid.sql', E'-- message: hello\n-- migrate:upgrade\nSELECT 1;\n');
-- unknown header key
SELECT migrate_add_file('key.sql', E'-- revision: r2\n-- author: me\n-- migrate:upgrade\nSELECT 1;\n');
-- two upgrade sections
SELECT migrate_add_file('two.sql', E'-- revision: r2\n-- migrate:upgrade\nSELECT 1;\n-- migrate:upgrade\nSELECT 2;\n');
-- no upgrade section
SELECT migrate_add_file('none.sql', E'-- revision: r2\nSELECT 1;\n');
SELECT migrate_add_file('none2.sql', E'-- revision: r2\n');
-- bad characters in ids
SELECT migrate_add_file('chars.sql', E'-- revision: r2!\n-- migrate:upgrade\nSELECT 1;\n');
SELECT migrate_add_file('parent.sql', E'-- revision: r2\n-- revises: r1, r 1\n-- migrate:upgrade\nSELECT 1;\n');
-- duplicate key, bad boolean, downgrade before upgrade
SELECT migrate_add_file('dup.sql', E'-- revision: r2\n-- revision: r3\n-- migrate:upgrade\nSELECT 1;\n');
SELECT migrate_add_file('bool.sql', E'-- revision: r2\n-- transactional: maybe\n-- migrate:upgrade\nSELECT 1;\n');
SELECT migrate_add_file('order.sql', E'-- revision: r2\n-- migrate:downgrade\nSELECT 1;\n-- migrate:upgrade\nSELECT 2;\n');
-- nothing but r1 was registered
SELECT revision FROM migrate.revision ORDER BY 1;

-- the full header, CRLF line endings, and dbmate's markers
SELECT migrate_add_file('full.sql', E'-- revision: r2\r\n-- revises: r1\r\n-- depends-on: r1\r\n-- branch-labels: feature, other\r\n-- message:   spaces are trimmed  \r\n-- transactional: false\r\n-- A free comment line.\r\n-- migrate:up\r\nCREATE INDEX CONCURRENTLY i ON t (c);\r\n-- migrate:down\r\nDROP INDEX CONCURRENTLY i;\r\n');
SELECT revision, revises, depends_on, branch_labels, message, transactional,
       upgrade_sql, downgrade_sql, upgrade_line, downgrade_line
  FROM migrate.revision WHERE revision = 'r2';

-- invalid UTF-8 and NUL bytes in server files
SELECT migrate_load('pg_migrate_fixtures/bad_utf8');
SELECT migrate_load('pg_migrate_fixtures/nul');

DROP EXTENSION pg_migrate;
