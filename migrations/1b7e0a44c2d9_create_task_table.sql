-- revision: 1b7e0a44c2d9
-- message: create task table
--
-- The task queue itself: one row per submitted task.
-- migrate:upgrade
CREATE TABLE task (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL,
    payload     jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_created_at_idx ON task (created_at);
-- migrate:downgrade
DROP TABLE task;
