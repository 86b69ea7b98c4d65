# mk/operator.mk - operator targets, included at the end of the Makefile
#
#   make migrate                    send migrations/ and upgrade to head
#   make migrate-check              show the current revision; fail when
#                                   revisions are pending
#   make migrate-history            list the revisions, newest first
#   make upgrade-revision m="add_task_status_column"
#                                   write a new revision file into migrations/
#   make migrate-down               downgrade by one revision (-1)
#   make logs                       the server log of the local cluster
#                                   (make logs | grep migration)
#   make logs-follow / logs-api     follow that log (make logs-follow | grep migration)
#   make test-specific FILE=upgrade run one test: a pg_regress name of
#                                   test/sql, a pgTAP file, or a test script
#
# They act on the local cluster of scripts/cluster.sh ("make up"), database
# $UP_DATABASE (default app), unless PGHOST/PGPORT/... or DB_HOST/DB_PORT/...
# name another server; scripts/operator.sh does the work.

OPERATOR = bash scripts/operator.sh

migrate:
	@$(OPERATOR) migrate

migrate-check:
	@$(OPERATOR) check

migrate-history:
	@$(OPERATOR) history

migrate-down:
	@$(OPERATOR) down

# make exports command-line variables (m, FILE) to recipes; reading them
# from the environment keeps quotes in them harmless
upgrade-revision:
	@$(OPERATOR) revision "$${m:-}"

logs:
	@$(OPERATOR) logs

# follow the log until interrupted; logs-api is the AsyncTaskAPI guide's name
logs-follow logs-api:
	@$(OPERATOR) logs-follow

test-specific:
	@$(OPERATOR) test-specific "$${FILE:-}"

.PHONY: migrate migrate-check migrate-history migrate-down upgrade-revision \
	logs logs-follow logs-api test-specific
