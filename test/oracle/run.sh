#!/bin/sh
# test/oracle/run.sh
#
# Build graph_driver and compare src/revgraph.c with Alembic 1.8 on random
# revision graphs.  ORACLE_GRAPHS and ORACLE_SEED choose the run; the last
# line reads "N passed, N failed" and the exit status is non-zero on any
# unexplained disagreement.
set -e
cd "$(dirname "$0")"
make -s graph_driver
PYTHONHASHSEED=0 exec /usr/bin/python3 oracle.py \
	--graphs "${ORACLE_GRAPHS:-1000}" --seed "${ORACLE_SEED:-1}" \
	--driver ./graph_driver
