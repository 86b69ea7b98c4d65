#!/usr/bin/env bash
# test/free_port.sh - claim and print a TCP port on 127.0.0.1 that nobody uses
#
# Usage: test/free_port.sh [FIRST [OWNER_PID]]
#
# Tries FIRST (default 25000) and the 500 ports after it.  A port is free when
# nothing accepts a connection on it, no PostgreSQL socket lock file of that
# number exists, no live process has claimed it, and it lies outside the
# kernel's range of ephemeral ports (net.ipv4.ip_local_port_range): a
# client connection can hold such a port as its own end at any moment,
# and a server then fails to bind it ("Address already in use") although
# nothing listens there.  The port printed is
# claimed for OWNER_PID (default: the caller's parent, the script that runs
# the test) by creating /tmp/pg_migrate-port-N, which is atomic: test runs
# that start at the same moment never get the same port.  A claim whose
# owner has exited is free again.  Exits 1 when all are taken.
set -euo pipefail
first="${1:-25000}"
owner="${2:-$PPID}"
read -r eph_lo eph_hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || { eph_lo=32768; eph_hi=60999; }
for ((p = first; p < first + 500; p++)); do
    [ "$p" -ge "$eph_lo" ] && [ "$p" -le "$eph_hi" ] && continue
    [ -e "/tmp/.s.PGSQL.$p.lock" ] && continue
    claim="/tmp/pg_migrate-port-$p"
    if [ -d "$claim" ]; then
        holder="$(cat "$claim/pid" 2>/dev/null || true)"
        if [ -n "$holder" ] && kill -0 "$holder" 2>/dev/null; then
            continue
        fi
        # a claim of an exited process, or one being written right now:
        # only the first of several runs removing it may take it
        mv "$claim" "$claim.stale.$$" 2>/dev/null || continue
        rm -rf "$claim.stale.$$"
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        continue
    fi
    mkdir "$claim" 2>/dev/null || continue
    echo "$owner" >"$claim/pid"
    echo "$p"
    exit 0
done
echo "no free port in $first..$((first + 499))" >&2
exit 1
