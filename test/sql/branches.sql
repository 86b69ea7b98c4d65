-- Branches, merges, dependencies and branch labels
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
DROP TABLE IF EXISTS log CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;

--        +-- b1 -- b2 (label "feature")
-- root --+                 +-- merge
--        +-- c1 -----------+
SELECT migrate_add(revision => 'root', upgrade => 'CREATE TABLE log (rev text)', downgrade => 'DROP TABLE log', message => 'root');
SELECT migrate_add(revision => 'b1', revises => '{root}', upgrade => 'INSERT INTO log VALUES (''b1'')', downgrade => 'DELETE FROM log WHERE rev = ''b1''', message => 'branch b, 1', branch_labels => '{feature}');
SELECT migrate_add(revision => 'b2', revises => '{b1}', upgrade => 'INSERT INTO log VALUES (''b2'')', downgrade => 'DELETE FROM log WHERE rev = ''b2''', message => 'branch b, 2');
SELECT migrate_add(revision => 'c1', revises => '{root}', upgrade => 'INSERT INTO log VALUES (''c1'')', downgrade => 'DELETE FROM log WHERE rev = ''c1''', message => 'branch c, 1');

-- two heads: "head" is refused, naming them
SELECT * FROM migrate_heads() ORDER BY 1;
SELECT * FROM migrate_upgrade('head');
SELECT * FROM migrate_upgrade();

-- one branch at a time, by label
SELECT step, revision FROM migrate_upgrade('feature@head');
SELECT * FROM migrate_current();
SELECT step, revision FROM migrate_upgrade('heads');
SELECT * FROM migrate_current() ORDER BY 1;

-- "-1" with two current heads is refused rather than guessed
SELECT * FROM migrate_downgrade('-1');
-- downgrading one branch leaves the other alone
SELECT step, revision FROM migrate_downgrade('feature@root');
SELECT * FROM migrate_current() ORDER BY 1;
SELECT step, revision FROM migrate_upgrade('feature@b1');
SELECT * FROM migrate_current() ORDER BY 1;
SELECT step, revision FROM migrate_upgrade('heads');

-- merge the two heads
SELECT migrate_add(revision => 'merge', revises => '{b2,c1}', upgrade => 'INSERT INTO log VALUES (''merge'')', downgrade => 'DELETE FROM log WHERE rev = ''merge''', message => 'merge b and c');
SELECT * FROM migrate_heads();
SELECT step, revision FROM migrate_upgrade('head');
SELECT * FROM migrate_current();
SELECT revision, is_head, is_branch_point, is_merge_point, is_current, applied
  FROM migrate_history();
-- "-1" from a merge point is ambiguous too; naming a parent unmerges
SELECT step, revision FROM migrate_downgrade('-1');
SELECT step, revision FROM migrate_downgrade('b2');
SELECT * FROM migrate_current() ORDER BY 1;
SELECT step, revision FROM migrate_upgrade('head');

-- a dependency on another root's revision pulls it in first
SELECT migrate_add(revision => 'other', upgrade => 'INSERT INTO log VALUES (''other'')', downgrade => 'DELETE FROM log WHERE rev = ''other''', message => 'second root', branch_labels => '{side}');
SELECT migrate_add(revision => 'after', revises => '{merge}', depends_on => '{other}', upgrade => 'INSERT INTO log VALUES (''after'')', downgrade => 'DELETE FROM log WHERE rev = ''after''', message => 'needs other');
SELECT * FROM migrate_heads() ORDER BY 1;
SELECT step, revision FROM migrate_upgrade('after');
SELECT * FROM migrate_current() ORDER BY 1;
SELECT rev FROM log;

-- invalid graphs are refused before anything runs
SELECT migrate_add(revision => 'orphan', revises => '{missing}', upgrade => 'INSERT INTO log VALUES (''orphan'')');
SELECT * FROM migrate_upgrade('heads');
SELECT * FROM migrate_history();
SELECT migrate_add(revision => 'orphan', revises => '{after}', branch_labels => '{feature}', upgrade => 'INSERT INTO log VALUES (''orphan'')');
SELECT * FROM migrate_upgrade('heads');
SELECT migrate_add(revision => 'orphan', revises => '{after}', upgrade => 'INSERT INTO log VALUES (''orphan'')');
SELECT step, revision FROM migrate_upgrade('heads');

DROP EXTENSION pg_migrate;
DROP TABLE log;
