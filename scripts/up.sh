#!/usr/bin/env bash
# scripts/up.sh - "make up": everything from a fresh Debian machine to a
# migrated local database
#
# Usage: scripts/up.sh
#
# Installs missing packages, builds and installs the extension and client,
# starts the throw-away cluster of scripts/cluster.sh, creates database
# $UP_DATABASE (default "app") with the extension, registers migrations/,
# upgrades to head, and prints history and status.  "make down" stops it.
set -euo pipefail

case "${1:-}" in
    -h | --help)
        sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
esac

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
DB="${UP_DATABASE:-app}"

bash scripts/install-deps.sh
make -s
if [ "$(id -u)" = 0 ]; then
    make -s install
else
    sudo make -s install
fi
bash scripts/cluster.sh start
eval "$(bash scripts/cluster.sh env)"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

if ! "${PSQL[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    createdb "$DB"
fi
"${PSQL[@]}" -d "$DB" -c "CREATE EXTENSION IF NOT EXISTS pg_migrate"

# send each revision file; psql interpolates :'name' and :'content' safely
for f in migrations/*.sql; do
    printf '%s\n' "SELECT migrate_add_file(:'name', :'content') AS \"$(basename "$f")\";" |
        "${PSQL[@]}" -d "$DB" -v name="$(basename "$f")" -v content="$(cat "$f")" >/dev/null
done

echo
echo "== upgrade head"
"${PSQL[@]}" -d "$DB" -c "SELECT step, revision, message, operation FROM migrate_upgrade('head')"
echo "== history"
"${PSQL[@]}" -d "$DB" -c "SELECT revision, revises, message, is_head, applied, applied_at FROM migrate_history()"
echo "== status"
"${PSQL[@]}" -d "$DB" -c "SELECT jsonb_pretty(migrate_status())"
echo "Connect with: $(bash scripts/cluster.sh env | sed 's/^export //') psql $DB"
