-- The declared schema of AsyncTaskAPI: what the revisions in migrations/
-- build, written as the tables should be.  "pg_migrate revision
-- --autogenerate -m MESSAGE" writes the revision that turns the revisions'
-- head into this; "pg_migrate check --schema-dir schema" fails when the two
-- differ.  Files run in name order.

CREATE TABLE users (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email)
);
