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

# Entries git cannot hold, for migrate_load's "regular files only" check:
# each directory has a valid a_ok.sql (so that "nothing registered" means
# something) and one b.sql that is not a regular file, or not readable.
ok_file="$src/broken/a_ok.sql"
for d in nonreg_dir nonreg_link_in nonreg_link_out nonreg_fifo unreadable; do
    mkdir "$dest/$d"
    cp "$ok_file" "$dest/$d/a_ok.sql"
done
mkdir "$dest/nonreg_dir/b.sql"
printf -- '-- revision: lnk1\n-- migrate:upgrade\nSELECT 1;\n' >"$dest/nonreg_link_in/target.txt"
ln -s target.txt "$dest/nonreg_link_in/b.sql"
ln -s ../good/d4_fourth.sql "$dest/nonreg_link_out/b.sql"
mkfifo "$dest/nonreg_fifo/b.sql"
printf -- '-- revision: unr1\n-- migrate:upgrade\nSELECT 1;\n' >"$dest/unreadable/b.sql"
chown -R -h --reference="$1" "$dest"
chmod 000 "$dest/unreadable/b.sql"
