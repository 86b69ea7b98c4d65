-- revision: r1
-- revises: None
-- message: café
-- migrate:upgrade
SELECT 1;
-- migrate:downgrade
SELECT 2;
