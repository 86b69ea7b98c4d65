#!/bin/sh
# test/oracle/run_sql.sh
#
# Compare the installed extension, through its SQL functions, with
# Alembic 1.8 on random revision graphs (sql_oracle.py).  Needs a running
# server reached by PGHOST/PGPORT/PGUSER (a superuser: the test creates and
# drops the database SQL_ORACLE_DB, default pg_migrate_sql_oracle) with
# pg_migrate installed.  SQL_ORACLE_GRAPHS and SQL_ORACLE_SEED choose the
# run; the last line reads "N passed, N failed" and the exit status is
# non-zero on any unexplained disagreement.
set -e
cd "$(dirname "$0")"
PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1 exec /usr/bin/python3 sql_oracle.py \
	--graphs "${SQL_ORACLE_GRAPHS:-200}" --seed "${SQL_ORACLE_SEED:-1}" \
	--dbname "${SQL_ORACLE_DB:-pg_migrate_sql_oracle}"
