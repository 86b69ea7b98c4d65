#!/usr/bin/env bash
# bench/perf/all.sh - every bench/perf measurement, one after the other
#
# Start the clusters first (bench/perf/clusters.sh start); the figures of
# one run go to stdout, each script's table under its name.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for s in "noop.sh 100 1000 10000" "firstcall.sh 10000" "client_noop.sh 1000 10000" "register.sh 10000" \
    "memory.sh 1000 10000" "apply.sh 1000" "fleet.sh 50 20"; do
    echo "== bench/perf/$s"
    # shellcheck disable=SC2086
    bash "$here"/$s
    echo
done
