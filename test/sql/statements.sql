-- migrate_statements: the statements of a text as the server's parser cuts
-- them, with the line of each one's first token.  The client runs a
-- non-transactional revision with exactly these statements.
-- start clean whatever ran before: no extension, none of this file's objects
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_migrate CASCADE;
RESET client_min_messages;
CREATE EXTENSION pg_migrate;

-- "begin" as a column name is not a transaction keyword
SELECT * FROM migrate_statements(
'CREATE TABLE ev (id int, begin timestamptz);
CREATE INDEX CONCURRENTLY ev_i ON ev (id);');

SELECT * FROM migrate_statements('SELECT 1 AS begin; SELECT 2;');

-- semicolons inside dollar quotes, strings, quoted identifiers and comments
SELECT * FROM migrate_statements(
$sql$-- a comment; with a semicolon
CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$
BEGIN
  RETURN 1; -- inside the body
END
$body$;
/* a block comment; /* nested; */ still a comment; */
SELECT 'a;b', E'c\';d', "x;y" FROM (SELECT 1 AS "x;y") s;
$sql$);

-- a BEGIN ATOMIC body is one statement
SELECT statement, line FROM migrate_statements(
'CREATE FUNCTION g() RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT 1;
  SELECT 2;
END;
SELECT 3;');

-- empty statements are not statements; blank lines before one count
SELECT * FROM migrate_statements(';;

  SELECT 4;;');
SELECT count(*) FROM migrate_statements('-- only a comment');

-- a syntax error is the parser's, with its position
SELECT * FROM migrate_statements('SELECT 1; SELEC 2;');

-- anyone may cut SQL: it only reads its argument
SELECT has_function_privilege('public', 'migrate_statements(text)', 'execute') AS public_statements;
DROP EXTENSION pg_migrate;
