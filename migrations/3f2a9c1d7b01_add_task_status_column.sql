-- revision: 3f2a9c1d7b01
-- revises: 1b7e0a44c2d9
-- message: add task status column
-- lint-ignore: PM001 task was created by the revision before, in the same first deployment, and holds no rows yet
-- lint-ignore: PM006 task holds no rows yet when this runs (same first deployment)
-- migrate:upgrade
ALTER TABLE task
    ADD COLUMN status text NOT NULL DEFAULT 'pending',
    ADD CONSTRAINT task_status_check
        CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled'));
CREATE INDEX task_status_idx ON task (status);
-- migrate:downgrade
DROP INDEX task_status_idx;
ALTER TABLE task DROP CONSTRAINT task_status_check, DROP COLUMN status;
