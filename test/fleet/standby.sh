#!/usr/bin/env bash
#
# test/fleet/standby.sh
#     migrate_wait and the client against a real streaming standby of the
#     test cluster.  TAP output.
#
# Starts a primary of its own (scripts/cluster.sh on a free port: the test
# cluster holds fixture files no base backup can read), takes a base backup
# of it (pg_basebackup -R), starts that as a streaming standby on another
# free port, and checks that migrate_wait on
# the standby returns only once replay has reached the commit of the
# migration made on the primary: with replay paused it times out, and it
# returns once replay resumes.  Also that the client's wait, status and
# fleet status work on the standby (which cannot register files) and that
# upgrade there fails with the server's message.
#
# Needs the server with the extension installed in PGBIN (or on the PATH),
# with pg_basebackup and pg_ctl, and the client; PGHOST/PGPORT/PGUSER name
# the test cluster but are only used to pick ports.  Runs the standby as the "postgres" OS user when
# run as root, as scripts/cluster.sh does.
#
# Usage: PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres test/fleet/standby.sh

set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PGM=${PG_MIGRATE:-$top/client/pg_migrate}
PGBIN=${PGBIN:-$(dirname "$(command -v pg_ctl)")}
: "${PGHOST:?set PGHOST}" "${PGPORT:?set PGPORT}" "${PGUSER:?set PGUSER}"
export PGHOST PGPORT PGUSER
unset PGDATABASE DB_HOST DB_PORT DB_USER DB_NAME DB_PASSWORD MAX_RETRIES RETRY_INTERVAL

work=$(mktemp -d)
db="pgm_standby_$$"
standby="$work/standby"
PPORT=""
# ok, not_ok, is, expect, run
# shellcheck source=../tap.sh
. "$top/test/tap.sh"
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
    as_owner=(env -C / runuser -u postgres --)
    chmod 755 "$work"
fi

cleanup() {
    if [ -f "$standby/postmaster.pid" ]; then
        "${as_owner[@]}" "$PGBIN/pg_ctl" -D "$standby" -m immediate -w stop >/dev/null 2>&1
    fi
    CLUSTER_DIR="$work/primary" CLUSTER_PORT="$PPORT" PGBIN="$PGBIN" \
        bash "$top/scripts/cluster.sh" destroy >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

# p SQL / s SQL: one value from the primary / the standby
p() {
    psql -X -A -t -q -d "$db" -c "$1" 2>&1
}
s() {
    psql -X -A -t -q -p "$SPORT" -d "$db" -c "$1" 2>&1
}

revision() {
    printf -- '-- revision: s%s\n-- revises: %s\n-- message: step %s\n-- migrate:upgrade\nCREATE TABLE t%s (id int);\n-- migrate:downgrade\nDROP TABLE t%s;\n' \
        "$1" "$2" "$1" "$1" "$1" >"$work/migrations/00$1_s$1.sql"
}

PPORT=$(bash "$top/test/free_port.sh" $((PGPORT + 100)) $$)
if ! CLUSTER_DIR="$work/primary" CLUSTER_PORT="$PPORT" PGBIN="$PGBIN" \
    bash "$top/scripts/cluster.sh" start >"$work/primary.log" 2>&1; then
    echo "Bail out! the primary did not start: $(tail -n 25 "$work/primary.log")"
    exit 1
fi
export PGPORT="$PPORT"

mkdir "$work/migrations"
revision 1 base
if ! psql -X -q -d postgres -c "CREATE DATABASE $db" ||
    ! p "CREATE EXTENSION pg_migrate" >/dev/null ||
    ! "$PGM" -d "$db" --dir "$work/migrations" upgrade >/dev/null; then
    echo "Bail out! could not prepare the primary"
    exit 1
fi

SPORT=$(bash "$top/test/free_port.sh" $((PPORT + 1)) $$)
mkdir "$standby"
chmod 700 "$standby"
[ "${#as_owner[@]}" -gt 0 ] && chown postgres: "$standby"
if ! "${as_owner[@]}" "$PGBIN/pg_basebackup" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" \
    -D "$standby" -R -X stream -c fast >"$work/basebackup.log" 2>&1; then
    echo "Bail out! pg_basebackup failed: $(tail -3 "$work/basebackup.log")"
    exit 1
fi
if ! "${as_owner[@]}" "$PGBIN/pg_ctl" -D "$standby" -l "$standby/server.log" -w -t 60 \
    -o "-p $SPORT -k $standby -c listen_addresses=127.0.0.1 -c hot_standby=on" start >/dev/null; then
    echo "Bail out! the standby did not start: $(tail -3 "$standby/server.log")"
    exit 1
fi

is "the standby is in recovery" "$(s "SELECT pg_is_in_recovery()")" "t"
for i in $(seq 1 50); do
    [ "$(s "SELECT status FROM pg_stat_wal_receiver")" = streaming ] && break
    sleep 0.2
done
is "the standby streams from the primary" \
    "$(s "SELECT status FROM pg_stat_wal_receiver")" "streaming"
is "on the standby, migrate_wait returns at once for a replayed revision" \
    "$(s "SELECT migrate_wait('s1', '5s')")" "t"

# with replay paused, the primary's next migration is not visible there
s "SELECT pg_wal_replay_pause()" >/dev/null
revision 2 s1
"$PGM" -d "$db" --dir "$work/migrations" upgrade >/dev/null
primary_lsn=$(p "SELECT pg_current_wal_lsn()")
got=$(s "SELECT migrate_wait('s2', '1s')")
expect "replay paused: migrate_wait on the standby times out" \
    "timed out waiting for the database to reach \"s2\"" "$got"

# a waiter started now returns once replay resumes
psql -X -A -t -q -p "$SPORT" -d "$db" \
    -c "SELECT migrate_wait('s2', '60s'), pg_last_wal_replay_lsn() >= '$primary_lsn'::pg_lsn" \
    >"$work/waiter.out" 2>&1 &
waiter=$!
sleep 1
is "replay paused: the waiter is still waiting" \
    "$(kill -0 "$waiter" 2>/dev/null && echo waiting)" "waiting"
s "SELECT pg_wal_replay_resume()" >/dev/null
wait "$waiter"
is "replay resumed: migrate_wait returns, replay past the primary's commit" \
    "$(cat "$work/waiter.out")" "t|t"
is "the standby shows the revision the primary applied" \
    "$(s "SELECT string_agg(r, ',') FROM migrate_current() AS r")" "s2"

# the client on the standby
out=$("$PGM" -p "$SPORT" -d "$db" --dir "$work/migrations" wait s2 --timeout 5 2>&1)
rc=$?
is "client wait on the standby succeeds" "$rc" "0"
out=$("$PGM" -p "$SPORT" -d "$db" --dir "$work/migrations" status 2>&1)
expect "client status on the standby reports the replayed state" '"up_to_date": true' "$out"
out=$("$PGM" -p "$SPORT" --databases "$db" --dir "$work/migrations" status 2>&1)
expect "fleet status on the standby" "$db  current  s2" "$out"
out=$("$PGM" -p "$SPORT" --databases "$db" --dir "$work/migrations" wait s2 --timeout 5 2>&1)
rc=$?
is "fleet wait on the standby succeeds" "$rc" "0"
expect "fleet wait reports the database" "ok          $db: target \"s2\" reached" "$out"
out=$("$PGM" -p "$SPORT" --databases "$db" --dir "$work/migrations" wait s9 --timeout 1 2>&1)
rc=$?
is "fleet wait for a revision the standby never sees fails" "$rc" "1"
revision 3 s2
out=$("$PGM" -p "$SPORT" -d "$db" --dir "$work/migrations" upgrade 2>&1)
rc=$?
is "client upgrade on the standby fails with a SQL failure" "$rc" "1"
expect "the server says why" "cannot run migrations during recovery" "$out"

echo "1..$n"
[ "$failures" -eq 0 ]
