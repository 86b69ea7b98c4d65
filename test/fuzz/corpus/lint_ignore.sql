-- revision: li1
-- revises: base
-- lint-ignore: PM001 table is empty
-- lint-ignore: pm017 nothing to undo
-- migrate:upgrade
CREATE INDEX i ON t (a);
