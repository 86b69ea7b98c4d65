-- revision: 3f2a9c1d7b01
-- revises: 1b7e0a44c2d9
-- message: add task status column
-- migrate:upgrade
ALTER TABLE task ADD COLUMN status text NOT NULL DEFAULT 'pending';
-- migrate:downgrade
ALTER TABLE task DROP COLUMN status;
