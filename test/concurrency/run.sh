#!/usr/bin/env bash
# test/concurrency/run.sh - multi-session tests of pg_migrate
#
# Usage: test/concurrency/run.sh [CASE...]   (cases: a b c d g h i j; default all)
#
#   a  16 READ COMMITTED sessions upgrade at once: each revision applied once
#   b  the same in REPEATABLE READ and SERIALIZABLE: the losers get 40001
#   c  a failing revision in the middle, in several sessions: all rolled back
#   d  migrate_wait: returns once another session migrates, times out clearly
#   g  pg_migrate.lock_timeout: a call that cannot get the lock in time
#      fails with 55P03 and changes nothing
#   h  a revision needing ACCESS EXCLUSIVE on a table another transaction
#      reads: the application's reads queued behind it finish while that
#      transaction is still open; the revision fails with 55P03 naming the
#      relation and the holder; nothing changes
#   i  the same with CALL migrate_run(): the holder ends during the backoff
#      and a retry applies the revision; with the retries exhausted the
#      error names the relation; a client run's session lock keeps
#      migrate_run out
#   j  scopes: an upgrade of tenant schema A that waits in its revision
#      does not hold up one of tenant B, which completes meanwhile; a
#      second upgrade of A waits for the first (the scope's lock) and then
#      finds nothing left to do; registration waits for the scoped run
#
# The cases use the server named by PGHOST/PGPORT/PGUSER, in databases of
# their own.  Prints TAP; exits non-zero when a test failed.  The crash and
# standby cases are Perl TAP tests (test/tap), the deterministic
# interleavings isolation specs (test/isolation).
set -euo pipefail

case "${1:-}" in
    -h | --help)
        sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
esac

export PGHOST="${PGHOST:-127.0.0.1}"
export PGUSER="${PGUSER:-postgres}"
export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}"
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
SESSIONS="${CONC_SESSIONS:-16}"
NREVS=20
BARRIER_KEY=4242
STEP_TIMEOUT=120                # seconds any one psql may take

if [ "$#" -gt 0 ]; then CASES="$*"; else CASES="a b c d g h i j"; fi

WORK="$(mktemp -d /tmp/pg_migrate_conc.XXXXXX)"
chmod 755 "$WORK"
BG_PIDS=()

# ---------------------------------------------------------------- TAP

TESTNO=0
FAILED=0

ok() {
    TESTNO=$((TESTNO + 1))
    echo "ok $TESTNO - $1"
}

not_ok() {
    TESTNO=$((TESTNO + 1))
    FAILED=$((FAILED + 1))
    echo "not ok $TESTNO - $1"
    shift
    local line
    for line in "$@"; do
        printf '%s\n' "$line" | sed 's/^/#   /'
    done
}

# check DESCRIPTION WANT HAVE
check() {
    if [ "$2" = "$3" ]; then
        ok "$1"
    else
        not_ok "$1" "want: $2" "have: $3"
    fi
}

diag() {
    printf '%s\n' "$@" | sed 's/^/# /'
}

# ---------------------------------------------------------------- helpers

# psql on database $1 (and port $PORT, default PGPORT), one value per line
q() {
    local db="$1"
    shift
    timeout "$STEP_TIMEOUT" psql -X -q -A -t -v ON_ERROR_STOP=1 -p "${PORT:-$PGPORT}" \
        -d "$db" "$@"
}

new_db() {
    local db="pgm_conc_${1,,}_$$"
    q postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
    q postgres -c "CREATE DATABASE $db" >/dev/null
    q "$db" -c "CREATE EXTENSION pg_migrate" >/dev/null
    echo "$db"
}

cleanup() {
    local pid d
    set +e
    for pid in "${BG_PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    # new_db runs in a command substitution: find its databases by name
    for d in $(PORT="$PGPORT" q postgres -c "SELECT datname FROM pg_database
            WHERE datname LIKE 'pgm\_conc\_%\_$$'" 2>/dev/null); do
        PORT="$PGPORT" q postgres -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1
    done
    # case h's role, once its database is gone
    PORT="$PGPORT" q postgres -c "DROP ROLE IF EXISTS pgm_conc_migrator_$$" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT

# wait_for DESCRIPTION SECONDS COMMAND...: poll every 0.1 s until COMMAND
# succeeds; false after SECONDS
wait_for() {
    local what="$1" secs="$2" i
    shift 2
    for ((i = 0; i < secs * 10; i++)); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    diag "gave up waiting for $what after $secs s"
    return 1
}

# register NREVS revisions r01..r20 in $1; each creates a table and writes
# one row to applied_log; r07 sleeps 0.2 s.  With $2 = fail, r11 fails.
register_revisions() {
    local db="$1" mode="${2:-}" i id prev sql
    q "$db" -c "CREATE TABLE applied_log (revision text NOT NULL, pid int NOT NULL)" >/dev/null
    {
        echo "SET client_min_messages = warning;"
        prev=""
        for ((i = 1; i <= NREVS; i++)); do
            id=$(printf 'r%02d' "$i")
            sql="CREATE TABLE conc_$id (id int); INSERT INTO applied_log VALUES ('$id', pg_backend_pid());"
            if [ "$i" = 7 ]; then sql="$sql SELECT pg_sleep(0.2);"; fi
            if [ "$i" = 11 ] && [ "$mode" = fail ]; then sql="$sql SELECT 1 / 0;"; fi
            printf "SELECT migrate_add('%s', \$q\$%s\$q\$, '{%s}', 'DROP TABLE conc_%s', 'revision %s');\n" \
                "$id" "$sql" "$prev" "$id" "$id"
            prev="$id"
        done
    } | q "$db" >/dev/null
}

# Hold the barrier (an advisory lock) in a background session on $1.
barrier_hold() {
    local db="$1"
    rm -f "$WORK/barrier.fifo"
    mkfifo "$WORK/barrier.fifo"
    timeout "$STEP_TIMEOUT" psql -X -q -A -t -d "$db" <"$WORK/barrier.fifo" \
        >"$WORK/barrier.out" 2>&1 &
    BARRIER_PID=$!
    BG_PIDS+=("$BARRIER_PID")
    exec 7>"$WORK/barrier.fifo"
    echo "SELECT pg_advisory_lock($BARRIER_KEY);" >&7
    wait_for "the barrier" 20 barrier_held "$db"
}

barrier_held() {
    [ "$(q "$1" -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
        AND classid = 0 AND objid = $BARRIER_KEY AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")" = 1 ]
}

# true when $2 sessions wait at the barrier on $1
barrier_waiters() {
    [ "$(q "$1" -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
        AND classid = 0 AND objid = $BARRIER_KEY AND NOT granted")" = "$2" ]
}

barrier_release() {
    echo "SELECT pg_advisory_unlock($BARRIER_KEY);" >&7
    echo '\q' >&7
    exec 7>&-
    wait "$BARRIER_PID" || true
}

# start_sessions DB COUNT ISOLATION: each session waits at the barrier, then
# calls migrate_upgrade('head') in its own transaction; output in
# $WORK/s.N.out, errors in $WORK/s.N.err, exit status in $WORK/s.N.rc
start_sessions() {
    local db="$1" n="$2" iso="$3" i
    SESSION_PIDS=()
    cat >"$WORK/session.sql" <<SQL
\\set VERBOSITY verbose
SET client_min_messages = warning;
SET pg_migrate.notice_steps = off;
BEGIN ISOLATION LEVEL $iso;
\\o /dev/null
SELECT pg_advisory_xact_lock_shared($BARRIER_KEY);
\\o
SELECT step, revision FROM migrate_upgrade('head');
COMMIT;
SQL
    for ((i = 1; i <= n; i++)); do
        (
            rc=0
            timeout "$STEP_TIMEOUT" psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" \
                -f "$WORK/session.sql" >"$WORK/s.$i.out" 2>"$WORK/s.$i.err" || rc=$?
            echo "$rc" >"$WORK/s.$i.rc"
        ) &
        SESSION_PIDS+=($!)
        BG_PIDS+=($!)
    done
}

wait_sessions() {
    local pid
    for pid in "${SESSION_PIDS[@]}"; do
        wait "$pid" || true
    done
}

# how many sessions of $1 exited with status 0 / returned rows
count_rc0() {
    local n="$1" i c=0
    for ((i = 1; i <= n; i++)); do
        [ "$(cat "$WORK/s.$i.rc")" = 0 ] && c=$((c + 1))
    done
    echo "$c"
}

count_with_rows() {
    local n="$1" i c=0
    for ((i = 1; i <= n; i++)); do
        [ -s "$WORK/s.$i.out" ] && c=$((c + 1))
    done
    echo "$c"
}

# the checks every race ends with: each revision applied exactly once
check_applied_once() {
    local db="$1" label="$2"
    check "$label: journal has one upgrade per revision" \
        "$NREVS|$NREVS|0" \
        "$(q "$db" -c "SELECT count(*), count(DISTINCT revision), count(*) FILTER (WHERE operation <> 'upgrade') FROM migrate.journal")"
    check "$label: each revision wrote exactly one side-table row" \
        "$NREVS|$NREVS" \
        "$(q "$db" -c "SELECT count(*), count(DISTINCT revision) FROM applied_log")"
    check "$label: one backend applied all revisions" \
        "1" "$(q "$db" -c "SELECT count(DISTINCT pid) FROM applied_log")"
    check "$label: version row is the head" \
        "r$NREVS" "$(q "$db" -c "SELECT string_agg(c, ',') FROM migrate_current() AS c")"
}

# race DB ISOLATION: run SESSIONS sessions through the barrier
race() {
    local db="$1" iso="$2"
    barrier_hold "$db" || return 1
    start_sessions "$db" "$SESSIONS" "$iso"
    if ! wait_for "$SESSIONS sessions at the barrier" 60 barrier_waiters "$db" "$SESSIONS"; then
        barrier_release
        wait_sessions
        return 1
    fi
    barrier_release
    wait_sessions
}

# ---------------------------------------------------------------- cases

case_a() {
    local db i winner=""
    db=$(new_db a)
    register_revisions "$db"
    if race "$db" "READ COMMITTED"; then
        ok "a: $SESSIONS READ COMMITTED sessions met at the barrier"
    else
        not_ok "a: $SESSIONS READ COMMITTED sessions met at the barrier"
    fi
    check "a: all $SESSIONS sessions exited 0" "$SESSIONS" "$(count_rc0 "$SESSIONS")"
    check "a: exactly one session returned rows" "1" "$(count_with_rows "$SESSIONS")"
    for ((i = 1; i <= SESSIONS; i++)); do
        [ -s "$WORK/s.$i.out" ] && winner="$i"
    done
    if [ -n "$winner" ]; then
        check "a: the winner returned the $NREVS steps in order" \
            "$(for ((i = 1; i <= NREVS; i++)); do printf '%d|r%02d\n' "$i" "$i"; done)" \
            "$(cat "$WORK/s.$winner.out")"
    else
        not_ok "a: the winner returned the $NREVS steps in order" "no session returned rows"
    fi
    check_applied_once "$db" "a"
    local errs
    errs=$(cat "$WORK"/s.*.err)
    check "a: no session reported an error" "" "$errs"
}

case_b() {
    local iso db label i other
    for iso in "REPEATABLE READ" "SERIALIZABLE"; do
        label="b/$iso"
        db=$(new_db "b_${iso// /_}")
        register_revisions "$db"
        rm -f "$WORK"/s.*
        if race "$db" "$iso"; then
            ok "$label: $SESSIONS sessions met at the barrier"
        else
            not_ok "$label: $SESSIONS sessions met at the barrier"
        fi
        check "$label: exactly one session succeeded" "1" "$(count_rc0 "$SESSIONS")"
        check "$label: exactly one session returned rows" "1" "$(count_with_rows "$SESSIONS")"
        check "$label: every loser failed with 40001" "$((SESSIONS - 1))" \
            "$(grep -l 'ERROR:  40001: could not serialize access due to a concurrent migration' \
                "$WORK"/s.*.err | wc -l)"
        other=$(grep -h 'ERROR' "$WORK"/s.*.err | grep -v 'ERROR:  40001:' || true)
        check "$label: no other error" "" "$other"
        check_applied_once "$db" "$label"
        # a loser retrying now finds nothing to do
        check "$label: a retry after the race applies nothing" "" \
            "$(q "$db" -c "SET client_min_messages = warning" \
                -c "BEGIN ISOLATION LEVEL $iso" \
                -c "SELECT revision FROM migrate_upgrade('head')" -c "COMMIT")"
    done
}

case_c() {
    local db before n=4 i fails=0 zde=0
    db=$(new_db c)
    register_revisions "$db" fail
    q "$db" -c "SET client_min_messages = warning" -c "SELECT migrate_upgrade('r05')" >/dev/null
    before=$(q "$db" -c "SELECT count(*), max(id), (SELECT generation FROM migrate.state) FROM migrate.journal")
    rm -f "$WORK"/s.*
    race_n() {
        barrier_hold "$db" || return 1
        start_sessions "$db" "$n" "READ COMMITTED"
        wait_for "$n sessions at the barrier" 60 barrier_waiters "$db" "$n" || true
        barrier_release
        wait_sessions
    }
    race_n
    for ((i = 1; i <= n; i++)); do
        [ "$(cat "$WORK/s.$i.rc")" != 0 ] && fails=$((fails + 1))
        grep -q 'ERROR:  22012: division by zero' "$WORK/s.$i.err" && zde=$((zde + 1))
    done
    check "c: all $n sessions failed" "$n" "$fails"
    check "c: each with the revision's own error (22012)" "$n" "$zde"
    check "c: the error names the failing revision" "$n" \
        "$(grep -l 'upgrade of revision "r11"' "$WORK"/s.*.err | wc -l)"
    check "c: version rows unchanged" "r05" \
        "$(q "$db" -c "SELECT string_agg(c, ',') FROM migrate_current() AS c")"
    check "c: journal and state generation unchanged" "$before" \
        "$(q "$db" -c "SELECT count(*), max(id), (SELECT generation FROM migrate.state) FROM migrate.journal")"
    check "c: no table of r06..r20 exists" "0" \
        "$(q "$db" -c "SELECT count(*) FROM pg_tables WHERE tablename ~ '^conc_r(0[6-9]|1[0-9]|20)$'")"
    check "c: side table holds only r01..r05" "r01,r02,r03,r04,r05" \
        "$(q "$db" -c "SELECT string_agg(revision, ',' ORDER BY revision) FROM applied_log")"
    check "c: the lock is free afterwards (a new upgrade to r10 works)" "5" \
        "$(q "$db" -c "SET client_min_messages = warning" -c "SELECT count(*) FROM migrate_upgrade('r10')")"
}

case_d() {
    local db rc out
    db=$(new_db d)
    q "$db" -c "SET client_min_messages = warning" \
        -c "SELECT migrate_add('w1', 'CREATE TABLE wait_one (id int)')" \
        -c "SELECT migrate_add('w2', 'CREATE TABLE wait_two (id int)', '{w1}')" >/dev/null

    # a waiter returns true once another session migrates
    (
        rc=0
        q "$db" -c "SELECT migrate_wait('heads', '60s')" >"$WORK/wait1.out" 2>"$WORK/wait1.err" || rc=$?
        echo "$rc" >"$WORK/wait1.rc"
    ) &
    local wpid=$!
    BG_PIDS+=("$wpid")
    if wait_for "the waiter" 20 is_waiting "$db"; then
        ok "d: migrate_wait is waiting (wait event Extension, no migration lock held)"
    else
        not_ok "d: migrate_wait is waiting (wait event Extension, no migration lock held)"
    fi
    check "d: the waiter holds no migration lock" "0" \
        "$(q "$db" -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1886218599")"
    q "$db" -c "SET client_min_messages = warning" -c "SELECT * FROM migrate_upgrade('heads')" >/dev/null
    wait "$wpid" || true
    check "d: migrate_wait returned true after the upgrade" "0|t" \
        "$(cat "$WORK/wait1.rc")|$(cat "$WORK/wait1.out")"

    # a target registered later is waited for too
    (
        rc=0
        q "$db" -c "SELECT migrate_wait('w3', '60s')" >"$WORK/wait2.out" 2>"$WORK/wait2.err" || rc=$?
        echo "$rc" >"$WORK/wait2.rc"
    ) &
    wpid=$!
    BG_PIDS+=("$wpid")
    wait_for "the waiter" 20 is_waiting "$db" || true
    q "$db" -c "SET client_min_messages = warning" \
        -c "SELECT migrate_add('w3', 'CREATE TABLE wait_three (id int)', '{w2}')" \
        -c "SELECT * FROM migrate_upgrade('heads')" >/dev/null
    wait "$wpid" || true
    check "d: migrate_wait for a revision registered later returned true" "0|t" \
        "$(cat "$WORK/wait2.rc")|$(cat "$WORK/wait2.out")"

    # nothing happens: it times out with a clear error
    q "$db" -c "SET client_min_messages = warning" \
        -c "SELECT migrate_add('w4', 'SELECT 1', '{w3}')" >/dev/null
    rc=0
    out=$(q "$db" -c '\set VERBOSITY verbose' -c "SELECT migrate_wait('heads', '1s')" 2>&1) || rc=$?
    check "d: migrate_wait times out with an error" "1" "$([ "$rc" != 0 ] && echo 1 || echo 0)"
    if printf '%s' "$out" | grep -q '55000: timed out waiting for the database to reach "heads"' &&
        printf '%s' "$out" | grep -q '1 revision is still pending'; then
        ok "d: the timeout error is 55000 and says what is pending"
    else
        not_ok "d: the timeout error is 55000 and says what is pending" "have: $out"
    fi
    rc=0
    out=$(q "$db" -c '\set VERBOSITY verbose' -c "SELECT migrate_wait('nosuch', '0.5s')" 2>&1) || rc=$?
    if [ "$rc" != 0 ] && printf '%s' "$out" | grep -q 'timed out waiting' &&
        printf '%s' "$out" | grep -q 'not registered'; then
        ok "d: waiting for an unknown target times out saying it is not registered"
    else
        not_ok "d: waiting for an unknown target times out saying it is not registered" "have: $out"
    fi
    rc=0
    out=$(q "$db" -c "BEGIN ISOLATION LEVEL REPEATABLE READ" -c '\set VERBOSITY verbose' \
        -c "SELECT migrate_wait('heads', '1s')" 2>&1) || rc=$?
    if [ "$rc" != 0 ] && printf '%s' "$out" | grep -q '0A000'; then
        ok "d: migrate_wait under REPEATABLE READ is refused (0A000)"
    else
        not_ok "d: migrate_wait under REPEATABLE READ is refused (0A000)" "have: $out"
    fi
}

is_waiting() {
    [ "$(q "$1" -c "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
        AND wait_event_type = 'Extension' AND query LIKE '%migrate_wait%'")" = 1 ]
}

# is the migration lock held in database $1 by another session?
lock_held() {
    [ "$(q "$1" -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
        AND classid = 1886218599 AND objid = 1 AND granted")" = 1 ]
}

case_g() {
    local db hpid rc out
    db=$(new_db g)
    q "$db" -c "SELECT migrate_add('g1', 'CREATE TABLE lock_one (id int)')" >/dev/null
    # another session holds the migration lock for a while
    q "$db" -c "BEGIN" -c "SELECT pg_advisory_xact_lock(1886218599, 1)" \
        -c "SELECT pg_sleep(20)" -c "COMMIT" >/dev/null 2>&1 &
    hpid=$!
    BG_PIDS+=("$hpid")
    if ! wait_for "the lock holder" 20 lock_held "$db"; then
        not_ok "g: a session holds the migration lock"
        return
    fi
    rc=0
    out=$(q "$db" -c '\set VERBOSITY verbose' -c "SET pg_migrate.lock_timeout = '300ms'" \
        -c "SELECT * FROM migrate_upgrade('heads')" 2>&1) || rc=$?
    if [ "$rc" != 0 ] && printf '%s' "$out" | grep -q '55P03' &&
        printf '%s' "$out" | grep -q 'waiting for the migration lock'; then
        ok "g: the upgrade gives up at pg_migrate.lock_timeout with 55P03, saying why"
    else
        not_ok "g: the upgrade gives up at pg_migrate.lock_timeout with 55P03, saying why" "have: $out"
    fi
    check "g: nothing was applied" "0|0" \
        "$(q "$db" -c "SELECT (SELECT count(*) FROM migrate.journal) || '|' ||
            (SELECT count(*) FROM pg_tables WHERE tablename = 'lock_one')")"
    kill "$hpid" 2>/dev/null || true
    q "$db" -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null
    wait "$hpid" 2>/dev/null || true
    check "g: once the lock is free the upgrade runs" "1" \
        "$(q "$db" -c "SELECT count(*) FROM migrate_upgrade('heads')")"
}

# Session A: an application transaction that read table app_t and stays
# open (ACCESS SHARE held) until holder_end; its pid in HOLDER_PID.
holder_begin() {
    local db="$1"
    rm -f "$WORK/holder.fifo"
    mkfifo "$WORK/holder.fifo"
    timeout "$STEP_TIMEOUT" psql -X -q -A -t -d "$db" <"$WORK/holder.fifo" \
        >"$WORK/holder.out" 2>&1 &
    HOLDER_PSQL=$!
    BG_PIDS+=("$HOLDER_PSQL")
    exec 8>"$WORK/holder.fifo"
    echo "SET application_name = 'holder_a';" >&8
    echo "BEGIN;" >&8
    echo "SELECT count(*) FROM app_t;" >&8
    echo "SELECT 'pid ' || pg_backend_pid();" >&8
    wait_for "the holder" 20 holder_reading "$db" || return 1
    HOLDER_PID=$(q "$db" -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'holder_a'")
}

holder_reading() {
    [ "$(q "$1" -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
        WHERE a.application_name = 'holder_a' AND l.relation = 'app_t'::regclass
        AND l.mode = 'AccessShareLock' AND l.granted")" = 1 ]
}

holder_end() {
    echo "COMMIT;" >&8
    echo '\q' >&8
    exec 8>&-
    wait "$HOLDER_PSQL" || true
}

# is a session of $1 waiting for mode $2 on app_t?
waits_on_app_t() {
    [ "$(q "$1" -c "SELECT count(*) FROM pg_locks WHERE relation = 'app_t'::regclass
        AND mode = '$2' AND NOT granted")" -ge 1 ]
}

# has the background psql whose rc file is $1 finished?
finished() {
    [ -s "$1" ]
}

new_app_db() {
    local db
    db=$(new_db "$1")
    q "$db" -c "CREATE TABLE app_t (id int); INSERT INTO app_t SELECT generate_series(1, 10)" \
        -c "SELECT migrate_add('x1', 'ALTER TABLE app_t ADD COLUMN added int')" >/dev/null
    echo "$db"
}

case_h() {
    local db oid rc out role="pgm_conc_migrator_$$"
    db=$(new_app_db h)
    oid=$(q "$db" -c "SELECT 'app_t'::regclass::oid")
    # the table's owner, for the unprivileged migrator at the end
    q "$db" -c "CREATE ROLE $role" -c "ALTER TABLE app_t OWNER TO $role" \
        -c "GRANT EXECUTE ON FUNCTION migrate_upgrade(text) TO $role" >/dev/null
    if ! holder_begin "$db"; then
        not_ok "h: session A reads app_t in an open transaction"
        return
    fi
    ok "h: session A reads app_t in an open transaction"

    # the migration queues for ACCESS EXCLUSIVE behind A
    rm -f "$WORK/mig.rc"
    (
        rc=0
        q "$db" -c '\set VERBOSITY verbose' -c "SET pg_migrate.revision_lock_timeout = '5s'" \
            -c "SELECT * FROM migrate_upgrade('heads')" >"$WORK/mig.out" 2>"$WORK/mig.err" || rc=$?
        echo "$rc" >"$WORK/mig.rc"
    ) &
    BG_PIDS+=($!)
    if wait_for "the migration to queue" 20 waits_on_app_t "$db" AccessExclusiveLock; then
        ok "h: the migration waits for ACCESS EXCLUSIVE on app_t"
    else
        not_ok "h: the migration waits for ACCESS EXCLUSIVE on app_t"
    fi

    # an application read arrives and queues behind the migration
    rm -f "$WORK/read.rc"
    (
        rc=0
        q "$db" -c "SELECT count(*) FROM app_t" >"$WORK/read.out" 2>"$WORK/read.err" || rc=$?
        echo "$rc" >"$WORK/read.rc"
    ) &
    BG_PIDS+=($!)
    if wait_for "the read to queue" 20 waits_on_app_t "$db" AccessShareLock; then
        ok "h: the application's read queued behind the migration"
    else
        not_ok "h: the application's read queued behind the migration"
    fi

    # the property: the read finishes while A's transaction is still open
    wait_for "the read" 60 finished "$WORK/read.rc" || true
    check "h: the read finished, with its rows" "0|10" \
        "$(cat "$WORK/read.rc" 2>/dev/null)|$(cat "$WORK/read.out" 2>/dev/null)"
    if holder_reading "$db"; then
        ok "h: ... while A's transaction was still open"
    else
        not_ok "h: ... while A's transaction was still open"
    fi
    wait_for "the migration" 60 finished "$WORK/mig.rc" || true
    out=$(cat "$WORK/mig.err")
    check "h: the migration failed" "1" "$(cat "$WORK/mig.rc" 2>/dev/null)"
    if printf '%s' "$out" | grep -q "ERROR:  55P03: revision \"x1\" could not lock relation with OID $oid within 5000 ms" &&
        printf '%s' "$out" | grep -q "DETAIL:  It waited for AccessExclusiveLock. Process $HOLDER_PID (application_name \"holder_a\", idle in transaction since [^)]*) holds AccessShareLock.$" &&
        printf '%s' "$out" | grep -q 'upgrade of revision "x1"'; then
        ok "h: the error is 55P03 naming the relation, the holder's pid and application"
    else
        not_ok "h: the error is 55P03 naming the relation, the holder's pid and application" "have: $out"
    fi
    check "h: nothing changed (column, journal, version rows)" "0|0|0" \
        "$(q "$db" -c "SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid = 'app_t'::regclass AND attname = 'added') || '|' ||
            (SELECT count(*) FROM migrate.journal) || '|' || (SELECT count(*) FROM migrate.version)")"

    # a migrator without pg_read_all_stats sees another role's holder as
    # pg_stat_activity shows it: pid and application_name, no state
    out=$(q "$db" -c '\set VERBOSITY verbose' -c "SET ROLE $role" \
        -c "SET pg_migrate.revision_lock_timeout = '300ms'" \
        -c "SELECT * FROM migrate_upgrade('heads')" 2>&1) || true
    if printf '%s' "$out" | grep -q "DETAIL:  It waited for AccessExclusiveLock. Process $HOLDER_PID (application_name \"holder_a\") holds AccessShareLock.\$"; then
        ok "h: a less privileged migrator gets the holder's pid and application_name only"
    else
        not_ok "h: a less privileged migrator gets the holder's pid and application_name only" "have: $out"
    fi
    holder_end
}

case_i() {
    local db out rc
    db=$(new_app_db i)
    if ! holder_begin "$db"; then
        not_ok "i: session A reads app_t in an open transaction"
        return
    fi
    ok "i: session A reads app_t in an open transaction"
    rm -f "$WORK/run.rc"
    (
        rc=0
        q "$db" -c "SET client_min_messages = notice" \
            -c "SET pg_migrate.revision_lock_timeout = '1s'" -c "SET pg_migrate.lock_retries = 6" \
            -c "SET pg_migrate.lock_retry_delay = '2s'" -c "SET pg_migrate.lock_retry_max_delay = '4s'" \
            -c "CALL migrate_run()" >"$WORK/run.out" 2>"$WORK/run.err" || rc=$?
        echo "$rc" >"$WORK/run.rc"
    ) &
    BG_PIDS+=($!)
    # the first attempt times out; A ends during the wait before the retry
    if wait_for "the first retry notice" 30 grep -q 'retry 1 of 6' "$WORK/run.err"; then
        ok "i: the first attempt timed out and migrate_run waits to retry"
    else
        not_ok "i: the first attempt timed out and migrate_run waits to retry" "have: $(cat "$WORK/run.err")"
    fi
    check "i: meanwhile nothing is applied and the run lock is held" "0|0|1" \
        "$(q "$db" -c "SELECT (SELECT count(*) FROM migrate.journal) || '|' ||
            (SELECT count(*) FROM pg_attribute WHERE attrelid = 'app_t'::regclass AND attname = 'added') || '|' ||
            (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1886218599 AND objid = 2 AND granted)")"
    holder_end
    wait_for "migrate_run" 60 finished "$WORK/run.rc" || true
    check "i: migrate_run succeeded once A ended" "0" "$(cat "$WORK/run.rc" 2>/dev/null)"
    check "i: the revision is applied and journaled once" "1|x1|1" \
        "$(q "$db" -c "SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid = 'app_t'::regclass AND attname = 'added') || '|' ||
            (SELECT string_agg(c, ',') FROM migrate_current() c) || '|' || (SELECT count(*) FROM migrate.journal)")"
    check "i: no migration lock is left" "0" \
        "$(q "$db" -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1886218599")"

    # retries exhausted: the error names the relation, in a valid transaction
    q "$db" -c "SELECT migrate_add('x2', 'ALTER TABLE app_t ADD COLUMN second int', '{x1}')" >/dev/null
    holder_begin "$db" || true
    rc=0
    out=$(q "$db" -c '\set VERBOSITY verbose' -c "SET pg_migrate.revision_lock_timeout = '200ms'" \
        -c "SET pg_migrate.lock_retries = 1" -c "SET pg_migrate.lock_retry_delay = '10ms'" \
        -c "CALL migrate_run()" 2>&1) || rc=$?
    if [ "$rc" != 0 ] &&
        printf '%s' "$out" | grep -q 'ERROR:  55P03: revision "x2" could not lock relation "public.app_t" within 200 ms' &&
        printf '%s' "$out" | grep -q "Process $HOLDER_PID (application_name \"holder_a\""; then
        ok "i: after the last retry the error names public.app_t and the holder"
    else
        not_ok "i: after the last retry the error names public.app_t and the holder" "have: $out"
    fi
    holder_end
    check "i: x2 not applied, x1 still is" "x1|0" \
        "$(q "$db" -c "SELECT (SELECT string_agg(c, ',') FROM migrate_current() c) || '|' ||
            (SELECT count(*) FROM pg_attribute WHERE attrelid = 'app_t'::regclass AND attname = 'second')")"

    # a client run holding the run lock (objid 2) keeps migrate_run out
    rm -f "$WORK/client.fifo"
    mkfifo "$WORK/client.fifo"
    timeout "$STEP_TIMEOUT" psql -X -q -A -t -d "$db" <"$WORK/client.fifo" >/dev/null 2>&1 &
    local cpid=$!
    BG_PIDS+=("$cpid")
    exec 9>"$WORK/client.fifo"
    echo "SELECT pg_advisory_lock(1886218599, 2);" >&9
    wait_for "the run lock" 20 run_lock_held "$db" || true
    rc=0
    out=$(q "$db" -c '\set VERBOSITY verbose' -c "SET pg_migrate.lock_timeout = '300ms'" \
        -c "CALL migrate_run()" 2>&1) || rc=$?
    if [ "$rc" != 0 ] && printf '%s' "$out" | grep -q '55P03' &&
        printf '%s' "$out" | grep -q 'waiting for the migration run lock'; then
        ok "i: migrate_run waits for a client run's lock, up to pg_migrate.lock_timeout"
    else
        not_ok "i: migrate_run waits for a client run's lock, up to pg_migrate.lock_timeout" "have: $out"
    fi
    echo '\q' >&9
    exec 9>&-
    wait "$cpid" || true
    check "i: x2 still not applied" "x1" "$(q "$db" -c "SELECT string_agg(c, ',') FROM migrate_current() c")"
}

run_lock_held() {
    [ "$(q "$1" -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
        AND classid = 1886218599 AND objid = 2 AND granted")" = 1 ]
}

# true when $2 sessions wait for the lock of a scope (common/locks.h)
scope_lock_waiters() {
    [ "$(q "$1" -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
        AND classid = 1886221155 AND NOT granted")" = "$2" ]
}

# true when $2 sessions wait for the migration lock itself
migration_lock_waiters() {
    [ "$(q "$1" -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
        AND classid = 1886218599 AND objid = 1 AND NOT granted")" = "$2" ]
}

case_j() {
    local db apid cpid rpid out
    db=$(new_db j)
    # in schema tenant_a only, the revision waits at the barrier
    q "$db" -c "SELECT migrate_add('j1', \$q\$CREATE TABLE item (id int);
        SELECT pg_advisory_xact_lock_shared($BARRIER_KEY) WHERE current_schema() = 'tenant_a';\$q\$)" >/dev/null
    barrier_hold "$db"
    timeout "$STEP_TIMEOUT" psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" \
        -c "SELECT count(*) FROM migrate_upgrade('head', 'tenant_a')" >"$WORK/ja.out" 2>&1 &
    apid=$!
    BG_PIDS+=("$apid")
    if ! wait_for "tenant_a's upgrade at the barrier" 20 barrier_waiters "$db" 1; then
        not_ok "j: tenant_a's upgrade waits in its revision"
        return
    fi
    out=$(q "$db" -c "SET lock_timeout = '10s'" -c "SELECT count(*) FROM migrate_upgrade('head', 'tenant_b')" 2>&1) || true
    check "j: tenant_b is upgraded while tenant_a's upgrade is in progress" "1" "$out"
    check "j: tenant_b has its table, tenant_a's upgrade still waits" "true|1" \
        "$(q "$db" -c "SELECT to_regclass('tenant_b.item') IS NOT NULL || '|' ||
            (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = $BARRIER_KEY AND NOT granted)")"
    # a second upgrade of tenant_a waits for the first
    timeout "$STEP_TIMEOUT" psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" \
        -c "SELECT count(*) FROM migrate_upgrade('head', 'tenant_a')" >"$WORK/jc.out" 2>&1 &
    cpid=$!
    BG_PIDS+=("$cpid")
    if wait_for "the second upgrade of tenant_a to wait" 20 scope_lock_waiters "$db" 1; then
        ok "j: a second upgrade of tenant_a waits for the scope's lock"
    else
        not_ok "j: a second upgrade of tenant_a waits for the scope's lock"
    fi
    # registration waits for the scoped runs
    timeout "$STEP_TIMEOUT" psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" \
        -c "SELECT migrate_add('j2', 'SELECT 1', '{j1}')" >"$WORK/jr.out" 2>&1 &
    rpid=$!
    BG_PIDS+=("$rpid")
    if wait_for "registration to wait" 20 migration_lock_waiters "$db" 1; then
        ok "j: registration waits while a scope is being migrated"
    else
        not_ok "j: registration waits while a scope is being migrated"
    fi
    barrier_release
    wait "$apid" || true
    wait "$cpid" || true
    wait "$rpid" || true
    check "j: the first upgrade of tenant_a applied j1, the second found nothing to do" "1|0" \
        "$(tr -d '\n' <"$WORK/ja.out")|$(tr -d '\n' <"$WORK/jc.out")"
    check "j: one upgrade each in the journal, per scope" "tenant_a:1,tenant_b:1" \
        "$(q "$db" -c "SELECT string_agg(scope || ':' || n, ',' ORDER BY scope)
            FROM (SELECT scope, count(*) AS n FROM migrate.journal GROUP BY scope) j")"
    check "j: the registration went through after them" "added" "$(tr -d '\n' <"$WORK/jr.out")"
}

# ---------------------------------------------------------------- main

for c in $CASES; do
    case "$c" in
        a | b | c | d | g | h | i | j) "case_$c" ;;
        *)
            echo "unknown case $c" >&2
            exit 2
            ;;
    esac
done

echo "1..$TESTNO"
if [ "$FAILED" -gt 0 ]; then
    diag "$FAILED of $TESTNO tests failed"
    exit 1
fi
