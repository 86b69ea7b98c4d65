-- revision: r
-- migrate:downgrade
-- migrate:upgrade
SELECT â‚;
