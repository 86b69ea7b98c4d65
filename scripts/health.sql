-- scripts/health.sql - the query behind an application's /health endpoint
--
-- One row: the schema version (the current revisions), how many revisions
-- are pending, when the newest migration started, and whether the schema is
-- healthy: up to date, no drift, no interrupted non-transactional revision.
-- It only reads, so the application's own role can run it (EXECUTE on
-- migrate_status() is enough).
SELECT coalesce((SELECT string_agg(r, '+' ORDER BY r)
                 FROM jsonb_array_elements_text(s -> 'current') AS r), 'base') AS schema_version,
       (s ->> 'pending_count')::int AS pending_migrations,
       (s -> 'last_migration' ->> 'started_at')::timestamptz AS last_migration_at,
       (s ->> 'up_to_date')::boolean
           AND jsonb_array_length(s -> 'drift') = 0
           AND jsonb_typeof(s -> 'interrupted') = 'null' AS healthy
FROM migrate_status() AS s;
