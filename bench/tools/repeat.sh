#!/usr/bin/env bash
# bench/tools/repeat.sh COUNT PROGRAM [ARGS...] - run PROGRAM COUNT times in a
# row, stopping at the first failure (dbmate rolls back one migration a call)
set -u
count="$1"
shift
for ((i = 0; i < count; i++)); do
    "$@" >/dev/null || exit
done
