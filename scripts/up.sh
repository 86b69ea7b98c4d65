#!/usr/bin/env bash
# scripts/up.sh - "make up": everything from a fresh Debian machine to a
# migrated local database
#
# Usage: scripts/up.sh
#
# Installs missing packages, builds and installs the extension and client,
# starts the throw-away cluster of scripts/cluster.sh, creates database
# $UP_DATABASE (default "app") with the extension, and upgrades it to head
# with the revisions of $MIGRATIONS_DIR (default migrations/)
# with the pg_migrate client (which alone runs "transactional: false"
# revisions), then prints history and status and the one-line environment
# ("make -s env") that reaches the database.  "make down" stops it.
set -euo pipefail

case "${1:-}" in
    -h | --help)
        sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
esac

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
DB="${UP_DATABASE:-app}"

# UP_SKIP_INSTALL=1 (the tests) starts the server found by cluster.sh ($PGBIN)
# with whatever it has installed
if [ -z "${UP_SKIP_INSTALL:-}" ]; then
    bash scripts/install-deps.sh
    make -s
    if [ "$(id -u)" = 0 ]; then
        make -s install
    else
        sudo make -s install
    fi
else
    make -s
fi
bash scripts/cluster.sh start
eval "$(bash scripts/cluster.sh env)"
export PGDATABASE="$DB"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

if ! "${PSQL[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    createdb "$DB"
fi
# the client, not psql: only the client runs "transactional: false" revisions
PGM=("$ROOT/client/pg_migrate" --dir "${MIGRATIONS_DIR:-$ROOT/migrations}")
"${PGM[@]}" init >/dev/null

echo
echo "== upgrade head"
"${PGM[@]}" upgrade head
echo "== history"
"${PGM[@]}" history --indicate-current
echo "== status"
"${PGM[@]}" status
echo
echo "The local cluster's environment, for psql and pg_migrate:"
echo "  eval \"\$(make -s env)\""
echo "which sets: $(bash scripts/cluster.sh env | sed 's/^export //') PGDATABASE=$DB"
