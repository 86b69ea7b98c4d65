/* sql/pg_migrate--0.1--0.2.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION pg_migrate UPDATE TO '0.2'" to load this file. \quit

/*
 * Version 0.2 is installed as 0.1 followed by this script, so a fresh
 * CREATE EXTENSION and an update from 0.1 give the same result.  The
 * script is grouped by concern; each group keeps its own objects.
 */

-- ==== integrity: checksums, drift, repair ====

-- ==== non-transactional runs: recorded progress, resolve ====

-- ==== lint ====

-- ==== verify and explain ====

-- ==== lock safety and per-revision transactions ====

-- ==== performance ====

-- ==== end ====
