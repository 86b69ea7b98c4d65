#!/usr/bin/env bash
# test/prepare_fixtures.sh - copy test/fixtures into the cluster's data
# directory
#
# Usage: test/prepare_fixtures.sh DATADIR
#
# The regression tests call migrate_load('pg_migrate_fixtures/...'): a
# relative path, read from the server's working directory (its data
# directory), so that expected output does not depend on where the checkout
# lives and the server user can always read the files.
set -euo pipefail

usage() {
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
}
case "${1:-}" in
    -h | --help) usage; exit 0 ;;
esac
if [ "$#" -ne 1 ]; then
    usage >&2
    exit 2
fi
src="$(cd "$(dirname "$0")" && pwd)/fixtures"
dest="$1/pg_migrate_fixtures"
rm -rf "$dest"
cp -r "$src" "$dest"
chown -R --reference="$1" "$dest"
