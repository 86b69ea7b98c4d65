-- The task queue itself: one row per submitted task.
CREATE TABLE task (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL,
    payload     jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    status      text NOT NULL DEFAULT 'pending',
    user_id     bigint,
    CONSTRAINT task_status_check
        CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
    CONSTRAINT task_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX task_created_at_idx ON task (created_at);
CREATE INDEX task_status_idx ON task (status);
CREATE INDEX task_user_id_idx ON task (user_id);
