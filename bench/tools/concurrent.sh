#!/usr/bin/env bash
# bench/tools/concurrent.sh COUNT PROGRAM [ARGS...] - start COUNT copies of
# PROGRAM at once, wait for all; exits 1 if any failed
set -u
count="$1"
shift
pids=()
for ((i = 0; i < count; i++)); do
    "$@" >/dev/null 2>&1 &
    pids+=($!)
done
failed=0
for p in "${pids[@]}"; do
    wait "$p" || failed=$((failed + 1))
done
[ "$failed" = 0 ] || echo "$failed of $count failed" >&2
[ "$failed" = 0 ]
