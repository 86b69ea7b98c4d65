-- scripts/sample_data.sql - sample AsyncTaskAPI data for test_migrations.sh
--
-- revision: 3f2a9c1d7b01
--
-- Written for the schema at the revision named above (the task table with
-- its status column, before users existed); test_migrations.sh upgrades a
-- scratch database to that revision, loads this file, and checks that the
-- rows survive the upgrade to head.
INSERT INTO task (name, payload, status) VALUES
    ('send welcome mail', '{"to": "ada@example.com"}', 'succeeded'),
    ('resize avatar', '{"size": 128}', 'running'),
    ('rebuild search index', '{}', 'pending'),
    ('charge card', '{"amount": 1200}', 'failed'),
    ('export report', '{"format": "csv"}', 'cancelled');
