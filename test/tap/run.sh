#!/usr/bin/env bash
#
# test/tap/run.sh
#     The Perl TAP tests of test/tap/t, on clusters of their own made by
#     PostgreSQL::Test::Cluster (from postgresql-server-dev-15): a backend
#     killed or the server stopped in the middle of a migration, and a
#     streaming standby.  The clusters listen on Unix sockets in temporary
#     directories only, and are stopped by the tests.
#
# Needs the server with the extension installed in PGBIN (test/install.sh
# exports it), prove, and IPC::Run (libipc-run-perl).  PostgreSQL refuses
# to run as root: run as root, the tests run as the "postgres" OS user from
# a copy of test/tap in /tmp, which that user can read whatever the
# checkout's permissions.
#
# Usage: PGBIN=... test/tap/run.sh [TEST.pl...]

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
PGBIN=${PGBIN:-$(dirname "$(command -v pg_ctl)")}
install_path=$(dirname "$PGBIN")
perl_lib="$("$PGBIN/pg_config" --pkglibdir)/pgxs/src/test/perl"
[ -d "$perl_lib" ] || perl_lib=/usr/lib/postgresql/15/lib/pgxs/src/test/perl
# Cluster->init writes its pg_hba.conf with pg_regress --config-auth
pg_regress="$(dirname "$perl_lib")/regress/pg_regress"

work=$(mktemp -d /tmp/pgm-tap.XXXXXX)
status=0
cleanup() {
    if [ "$status" != 0 ]; then
        for f in "$work"/tmp_check/log/*; do
            [ -f "$f" ] || continue
            echo "# ---- $(basename "$f") (last 40 lines)"
            tail -n 40 "$f" | sed 's/^/# /'
        done
    fi
    rm -rf "$work"
}
trap cleanup EXIT

cp -r "$here/t" "$work/"
as_owner=()
if [ "$(id -u)" = 0 ]; then
    chown -R postgres: "$work"
    as_owner=(runuser -u postgres --)
fi
cd "$work"
tests=()
for t in "$@"; do
    tests+=("t/$(basename "$t")")
done
if [ "${#tests[@]}" = 0 ]; then
    tests=(t/*.pl)
fi
"${as_owner[@]}" env TESTDIR="$work" PG_MIGRATE_INSTALL_PATH="$install_path" PG_REGRESS="$pg_regress" \
    PATH="$PGBIN:$PATH" PGHOST= PGPORT= PGUSER= PGDATABASE= \
    prove -I "$perl_lib" "${tests[@]}" || status=$?
exit "$status"
