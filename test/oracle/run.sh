#!/bin/sh
# test/oracle/run.sh
#
# Build graph_driver and compare the revision graph with Alembic 1.8 on
# random revision graphs.  ORACLE_GRAPHS and ORACLE_SEED choose the run,
# and ORACLE_ASAN=1 runs the driver under AddressSanitizer; the last line
# reads "N passed, N failed" and the exit status is non-zero on any
# unexplained disagreement or sanitizer report.
set -e
cd "$(dirname "$0")"
driver=graph_driver
if [ "${ORACLE_ASAN:-0}" = 1 ]; then
	driver=graph_driver_asan
fi
make -s "$driver"
PYTHONHASHSEED=0 exec /usr/bin/python3 oracle.py \
	--graphs "${ORACLE_GRAPHS:-1000}" --seed "${ORACLE_SEED:-1}" \
	--driver "./$driver"
