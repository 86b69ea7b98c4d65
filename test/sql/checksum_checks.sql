-- The CHECK constraints on migrate.revision's checksums: exactly 64
-- lower-case hexadecimal digits, for upgrade and downgrade checksums
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;
SELECT migrate_add('ck1', 'SELECT 1', NULL, 'SELECT 2');
SELECT upgrade_checksum ~ '^[0-9a-f]{64}$' AS up_hex, downgrade_checksum ~ '^[0-9a-f]{64}$' AS down_hex
  FROM migrate.revision WHERE revision = 'ck1';

-- each of these is refused; the row keeps its checksums
\set VERBOSITY terse
UPDATE migrate.revision SET upgrade_checksum = upper(upgrade_checksum) WHERE revision = 'ck1';
UPDATE migrate.revision SET upgrade_checksum = left(upgrade_checksum, 63) WHERE revision = 'ck1';
UPDATE migrate.revision SET upgrade_checksum = upgrade_checksum || '0' WHERE revision = 'ck1';
UPDATE migrate.revision SET upgrade_checksum = 'g' || right(upgrade_checksum, 63) WHERE revision = 'ck1';
UPDATE migrate.revision SET upgrade_checksum = left(upgrade_checksum, 63) || E'\n' WHERE revision = 'ck1';
UPDATE migrate.revision SET upgrade_checksum = left(upgrade_checksum, 62) || 'é' WHERE revision = 'ck1';
UPDATE migrate.revision SET upgrade_checksum = repeat(' ', 64) WHERE revision = 'ck1';
UPDATE migrate.revision SET upgrade_checksum = '' WHERE revision = 'ck1';
UPDATE migrate.revision SET downgrade_checksum = upper(downgrade_checksum) WHERE revision = 'ck1';
UPDATE migrate.revision SET downgrade_checksum = left(downgrade_checksum, 63) WHERE revision = 'ck1';
UPDATE migrate.revision SET downgrade_checksum = 'x' || right(downgrade_checksum, 63) WHERE revision = 'ck1';
UPDATE migrate.revision SET downgrade_checksum = NULL WHERE revision = 'ck1';
\set VERBOSITY default
SELECT upgrade_checksum = migrate_fingerprint('SELECT 1') AS up_kept,
       downgrade_checksum = migrate_fingerprint('SELECT 2') AS down_kept
  FROM migrate.revision WHERE revision = 'ck1';

-- a well-formed checksum of other SQL is accepted (drift is kept elsewhere)
UPDATE migrate.revision SET upgrade_checksum = repeat('0123456789abcdef', 4),
       downgrade_checksum = repeat('f', 64) WHERE revision = 'ck1';
SELECT upgrade_checksum, downgrade_checksum FROM migrate.revision WHERE revision = 'ck1';
-- no downgrade, no checksum
SELECT migrate_add('ck2', 'SELECT 3', '{ck1}');
SELECT downgrade_checksum IS NULL AS none FROM migrate.revision WHERE revision = 'ck2';

DROP EXTENSION pg_migrate;
