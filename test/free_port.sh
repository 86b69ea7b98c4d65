#!/usr/bin/env bash
# test/free_port.sh - print the first TCP port on 127.0.0.1 that nobody uses
#
# Usage: test/free_port.sh [FIRST]
#
# Tries FIRST (default 55000) and the 500 ports after it; a port is free when
# nothing accepts a connection on it and no PostgreSQL socket lock file of
# that number exists.  Exits 1 when all are taken.
set -euo pipefail
first="${1:-55000}"
for ((p = first; p < first + 500; p++)); do
    [ -e "/tmp/.s.PGSQL.$p.lock" ] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        echo "$p"
        exit 0
    fi
done
echo "no free port in $first..$((first + 499))" >&2
exit 1
