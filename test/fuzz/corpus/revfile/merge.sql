-- Merge of two heads.
-- revision: m1
-- revises: a, b
-- depends_on: x-1
-- branch-labels: feature
-- transactional: off

--migrate:up

CREATE INDEX CONCURRENTLY i ON t (c);

-- migrate:down
