#!/usr/bin/env bash
# bench/setup.sh - install what the benchmark runs
#
# Usage: bench/setup.sh          (as root, or with sudo for apt-get)
#
# Debian packages: sqitch with its PostgreSQL driver, sql-migrate, Alembic
# with psycopg2, matplotlib (the chart), nodejs and npm.  From the npm
# registry, into bench/.tools/npm (or $BENCH_TOOLS/npm): dbmate (its Go
# binary ships in @dbmate/linux-x64), node-pg-migrate and pg.  Builds
# bench/tools/measure.c into bench/.tools/measure.  Safe to run again.
set -euo pipefail

BENCH="$(cd "$(dirname "$0")" && pwd)"
TOOLS="${BENCH_TOOLS:-$BENCH/.tools}"
APT=(sqitch libdbd-pg-perl sql-migrate python3-alembic python3-psycopg2 python3-matplotlib
    nodejs npm gcc libc6-dev)

SUDO=()
[ "$(id -u)" = 0 ] || SUDO=(sudo)
missing=()
for p in "${APT[@]}"; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# nodejs from another source may bring npm along
if command -v npm >/dev/null; then
    missing=("${missing[@]/npm/}")
fi
if [ -n "${missing[*]// /}" ]; then
    "${SUDO[@]}" apt-get update -qq
    # shellcheck disable=SC2068
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends ${missing[@]}
fi

mkdir -p "$TOOLS/npm"
if [ ! -x "$TOOLS/npm/node_modules/@dbmate/linux-x64/bin/dbmate" ] ||
    [ ! -f "$TOOLS/npm/node_modules/node-pg-migrate/bin/node-pg-migrate.js" ] ||
    [ ! -d "$TOOLS/npm/node_modules/pg" ]; then
    [ -f "$TOOLS/npm/package.json" ] || echo '{"private": true}' >"$TOOLS/npm/package.json"
    (cd "$TOOLS/npm" && npm install --no-audit --no-fund --loglevel=error dbmate node-pg-migrate pg)
fi
cc -O2 -Wall -o "$TOOLS/measure" "$BENCH/tools/measure.c"
echo "benchmark tools installed in $TOOLS"
