#!/usr/bin/env bash
# bench/run.sh - the migration tool benchmark (make bench)
#
# Usage: bench/run.sh [--quick] [--runs R] [--sizes "N..."] [--tools "T..."]
#                     [--big-tools "T..."] [--big N] [--port P] [--out DIR]
#                     [--no-report]
#
#   --quick       N = 100 and 1,000, 3 runs (for development)
#   (default)     N = 100, 1,000 and 10,000, 5 runs
#   --runs R      repetitions (each tool once per repetition, interleaved)
#   --sizes       the revision counts
#   --tools       tools to run (default: all that are installed):
#                 floor pgm_sql pgm_client alembic sqitch sql_migrate dbmate
#                 node_pg_migrate
#   --big N       sizes >= N run only the --big-tools (default 10000)
#   --big-tools   tools run at sizes >= --big (default: floor pgm_sql
#                 pgm_client; the others take minutes a run there)
#   --big-runs R  repetitions at sizes >= --big (default: --runs)
#   --slow-tools  tools run at the smallest size only (default: sqitch)
#   --port P      port of the benchmark's own cluster (default 5565)
#   --out DIR     where results.tsv, results.env, RESULTS.md and results.png
#                 go (default bench/)
#
# Starts a throw-away cluster of its own on 127.0.0.1 (scripts/cluster.sh,
# default settings but max_locks_per_transaction, which one transaction
# creating 10,000 tables needs), generates the revisions (bench/gen.py),
# then for each repetition, each size and each tool (the order of the
# tools rotates from one repetition to the next) creates a fresh database
# from template0 (with the extension for the pg_migrate tools; not timed)
# and times each phase of the tool as a whole process (bench/tools/measure):
# up, noop, history, down.  Backends' peak memory is sampled during the
# floor's and pg_migrate's upgrades.  Then the concurrency figure: 32
# pg_migrate sessions at once against a database 100 revisions behind,
# beside one alone.  Raw rows go to bench/results.tsv, the run's facts to
# bench/results.env; bench/report.py writes bench/RESULTS.md and
# bench/results.png from them.  Tools are installed by bench/setup.sh.
set -euo pipefail

BENCH="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$BENCH")"
TOOLS="${BENCH_TOOLS:-$BENCH/.tools}"
PORT=5565
RUNS=5
SIZES="100 1000 10000"
ALL_TOOLS="floor pgm_sql pgm_client alembic sqitch sql_migrate dbmate node_pg_migrate"
TOOLS_RUN=""
BIG=10000
BIG_TOOLS="floor pgm_sql pgm_client"
SLOW_TOOLS="sqitch"
BIG_RUNS=""
REPORT=1
OUT=""
MODE=full
ARGS=("$@")

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) MODE=quick RUNS=3 SIZES="100 1000" ;;
        --runs) RUNS="$2"; shift ;;
        --sizes) SIZES="$2"; shift ;;
        --tools) TOOLS_RUN="$2"; shift ;;
        --big) BIG="$2"; shift ;;
        --big-tools) BIG_TOOLS="$2"; shift ;;
        --big-runs) BIG_RUNS="$2"; shift ;;
        --slow-tools) SLOW_TOOLS="$2"; shift ;;
        --port) PORT="$2"; shift ;;
        --out) OUT="$2"; shift ;;
        --no-report) REPORT=0 ;;
        -h | --help) sed -n '2,38p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument \"$1\"" >&2; exit 2 ;;
    esac
    shift
done

if [ ! -x "$TOOLS/measure" ] || [ ! -d "$TOOLS/npm/node_modules" ]; then
    echo "run.sh: the tools are not installed; run bench/setup.sh first" >&2
    exit 1
fi
# shellcheck source=tools/adapters.sh
source "$BENCH/tools/adapters.sh"

# pg_migrate: the extension and client of the PostgreSQL whose bin
# directory is PGBIN (make install puts both there)
PGBIN="${PGBIN:-$(pg_config --bindir)}"
PGM_CLIENT="$PGBIN/pg_migrate"
[ -x "$PGM_CLIENT" ] || { echo "run.sh: no pg_migrate client in $PGBIN (make install)" >&2; exit 1; }

# the tools that are there (a missing one is reported, not faked)
if [ -z "$TOOLS_RUN" ]; then
    TOOLS_RUN=""
    for t in $ALL_TOOLS; do
        case "$t" in
            alembic) /usr/bin/python3 -c 'import alembic, psycopg2' 2>/dev/null || { echo "run.sh: alembic or psycopg2 missing, skipped" >&2; continue; } ;;
            sqitch) command -v sqitch >/dev/null || { echo "run.sh: sqitch missing, skipped" >&2; continue; } ;;
            sql_migrate) command -v sql-migrate >/dev/null || { echo "run.sh: sql-migrate missing, skipped" >&2; continue; } ;;
            dbmate) [ -x "$DBMATE" ] || { echo "run.sh: dbmate missing, skipped" >&2; continue; } ;;
            node_pg_migrate) [ -f "$NODE_PG_MIGRATE" ] || { echo "run.sh: node-pg-migrate missing, skipped" >&2; continue; } ;;
        esac
        TOOLS_RUN="$TOOLS_RUN $t"
    done
fi
BIG_RUNS="${BIG_RUNS:-$RUNS}"
read -r -a TOOL_LIST <<<"$TOOLS_RUN"
read -r -a SIZE_LIST <<<"$SIZES"
SMALLEST="${SIZE_LIST[0]}"
for n in "${SIZE_LIST[@]}"; do [ "$n" -lt "$SMALLEST" ] && SMALLEST=$n; done

WORK="${BENCH_WORK:-/tmp/pg_migrate_bench.$PORT}"
CLUSTER=(env CLUSTER_DIR="$WORK/cluster" CLUSTER_PORT="$PORT" PGBIN="$PGBIN" bash "$ROOT/scripts/cluster.sh")
OUT="${OUT:-$BENCH}"
mkdir -p "$OUT"
RAW="$OUT/results.tsv"
META="$OUT/results.env"
export PGHOST=127.0.0.1 PGPORT="$PORT" PGUSER=postgres PGDATABASE=postgres
export SQITCH_FULLNAME=bench SQITCH_EMAIL=bench@example.com SQITCH_PAGER=cat
unset PGOPTIONS PGSERVICE PGPASSWORD

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

psql_admin() { PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 -d postgres "$@"; }

cleanup() {
    "${CLUSTER[@]}" destroy >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

START_EPOCH=$(date +%s)
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$WORK"
mkdir -p "$WORK"
chmod 755 "$WORK"
"${CLUSTER[@]}" start >/dev/null
psql_admin -c "ALTER SYSTEM SET max_locks_per_transaction = 1024" >/dev/null
"${CLUSTER[@]}" stop >/dev/null
"${CLUSTER[@]}" start >/dev/null
log "cluster on 127.0.0.1:$PORT"

# the facts of this run, for the report (duration and load at the end are
# added when it ends; report.py can report an interrupted run)
{
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "mode=$MODE"
    echo "command=bench/run.sh${ARGS[*]:+ ${ARGS[*]}}"
    echo "runs=$RUNS"
    echo "sizes=$SIZES"
    echo "tools=${TOOL_LIST[*]}"
    echo "big=$BIG"
    echo "big_tools=$BIG_TOOLS"
    echo "big_runs=$BIG_RUNS"
    echo "slow_tools=$SLOW_TOOLS"
    echo "load_start=$LOAD_START"
    echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "nproc=$(nproc)"
    echo "mem=$(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)"
    echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "kernel=$(uname -r)"
    echo "server=$(psql_admin -c 'SELECT version()' | sed 's/ on .*//')"
    echo "settings=$(psql_admin -c "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_level', 'shared_buffers', 'max_locks_per_transaction', 'max_connections', 'work_mem', 'full_page_writes', 'wal_sync_method', 'checkpoint_timeout', 'max_wal_size')")"
    echo "pg_migrate=$(psql_admin -c "SELECT default_version FROM pg_available_extensions WHERE name = 'pg_migrate'") ($(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo unknown)), client: $("$PGM_CLIENT" --version 2>&1 | head -n 1)"
    echo "psql=$("$PSQL" --version)"
    echo "alembic=$(/usr/bin/python3 -c 'import alembic, sqlalchemy, psycopg2; print("Alembic", alembic.__version__, "SQLAlchemy", sqlalchemy.__version__, "psycopg2", psycopg2.__version__.split()[0])' 2>/dev/null || echo missing)"
    echo "sqitch=$(sqitch --version 2>/dev/null || echo missing)"
    echo "sql_migrate=$(dpkg-query -W -f '${Package} ${Version}' sql-migrate 2>/dev/null || echo missing)"
    echo "dbmate=$("$DBMATE" --version 2>/dev/null || echo missing) (npm dbmate, Go binary of @dbmate/linux-x64)"
    echo "node_pg_migrate=node-pg-migrate $(node -p "require('$NPM_DIR/node-pg-migrate/package.json').version" 2>/dev/null || echo missing), pg $(node -p "require('$NPM_DIR/pg/package.json').version" 2>/dev/null || echo missing), node $(node --version)"
} >"$META"

for n in "${SIZE_LIST[@]}"; do
    python3 "$BENCH/gen.py" "$WORK/gen/$n" "$n"
done
chmod -R a+rX "$WORK/gen"
log "revisions generated for N = ${SIZE_LIST[*]}"

printf 'n\ttool\tphase\trep\twall_ms\tclient_rss_kb\tserver_ms\tbackend_rss_kb\tbackend_pss_kb\tbackend_anon_kb\tstatus\n' >"$RAW"

# runs_at N TOOL: whether TOOL runs at size N
runs_at() {
    local n="$1" t="$2"
    if [ "$n" -ge "$BIG" ] && [[ " $BIG_TOOLS " != *" $t "* ]]; then return 1; fi
    if [ "$n" -ge "$BIG" ] && [ "$rep" -gt "$BIG_RUNS" ]; then return 1; fi
    if [ "$n" -gt "$SMALLEST" ] && [[ " $SLOW_TOOLS " == *" $t "* ]]; then return 1; fi
    return 0
}

fresh_db() {
    local db="$1" tool="$2"
    psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
    psql_admin -c "CREATE DATABASE $db TEMPLATE template0" >/dev/null
    case "$tool" in
        pgm_sql | pgm_client) "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION pg_migrate" >/dev/null ;;
    esac
}

# the number of benchmark tables in the database
table_count() {
    "$PSQL" -X -q -A -t -d "$1" -c "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname ~ '^t_[0-9]+\$' AND relnamespace = 'public'::regnamespace"
}

# run_phase N TOOL PHASE REP DB: time one phase, append its row
run_phase() {
    local n="$1" tool="$2" phase="$3" rep="$4" db="$5"
    local gen="$WORK/gen/$n" res="$WORK/measure.out" out="$WORK/stdout" err="$WORK/stderr"
    local sampler="" mem="- - -" srv="-" status=ok wall rss code
    "${tool}_cmd" "$phase" "$gen" "$n"
    if [ "$phase" = up ] && [[ "$tool" = floor || "$tool" = pgm_* ]]; then
        bash "$BENCH/tools/memsample.sh" "$db" "$WORK/mem.out" &
        sampler=$!
    fi
    rm -f "$res"
    (cd "$CWD" && "$TOOLS/measure" "$res" "${CMD[@]}") >"$out" 2>"$err" || true
    if [ -n "$sampler" ]; then
        kill -TERM "$sampler"
        wait "$sampler" || true
        mem="$(cat "$WORK/mem.out")"
    fi
    read -r wall rss code <"$res"
    [ "$code" = 0 ] || status="exit$code"
    if [ "$tool" = pgm_sql ] && [ "$status" = ok ]; then
        srv="$(tail -n 1 "$out" | cut -d'|' -f2)"
    fi
    # each phase must have done its work
    if [ "$status" = ok ]; then
        case "$phase" in
            up | noop | noop2) [ "$(table_count "$db")" = "$n" ] || status=wrong ;;
            down) [ "$(table_count "$db")" = 0 ] || status=wrong ;;
            register) [ "$(tail -n 1 "$out" | cut -d'|' -f1)" = "$n" ] || status=wrong ;;
            plan) [ "$(tail -n 1 "$out" | cut -d'|' -f1)" = "$n" ] || status=wrong ;;
        esac
    fi
    if [ "$status" != ok ]; then
        log "FAILED: $tool $phase N=$n run $rep ($status): $(tail -n 3 "$err" | tr '\n' ' ')"
    fi
    # shellcheck disable=SC2086
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$tool" "$phase" "$rep" "$wall" "$rss" "$srv" $mem "$status" >>"$RAW"
    [ "$status" = ok ]
}

run_tool() {
    local n="$1" tool="$2" rep="$3" db="bench_${2}_$1" phases p
    export PGDATABASE="$db" BENCH_DB="$db"
    export BENCH_DB_URL="postgresql+psycopg2://$PGUSER@$PGHOST:$PGPORT/$db"
    export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$db?sslmode=disable"
    fresh_db "$db" "$tool"
    phases="${tool}_phases"
    for p in ${!phases}; do
        run_phase "$n" "$tool" "$p" "$rep" "$db" || break
    done
    export PGDATABASE=postgres
    psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
}

for ((rep = 1; rep <= RUNS; rep++)); do
    for n in "${SIZE_LIST[@]}"; do
        # rotate the order of the tools from one repetition to the next
        k=${#TOOL_LIST[@]}
        for ((j = 0; j < k; j++)); do
            tool="${TOOL_LIST[$(((j + rep - 1) % k))]}"
            runs_at "$n" "$tool" || continue
            t0=$(date +%s)
            run_tool "$n" "$tool" "$rep"
            log "run $rep/$RUNS N=$n $tool: $(($(date +%s) - t0)) s"
        done
    done
done

# concurrency: COUNT sessions at once against a database 100 revisions
# behind (extension created, nothing registered for the client; the files
# registered for the SQL path), beside one session alone
CONC_N=100
[ -d "$WORK/gen/$CONC_N" ] || { python3 "$BENCH/gen.py" "$WORK/gen/$CONC_N" "$CONC_N"; chmod -R a+rX "$WORK/gen/$CONC_N"; }
for ((rep = 1; rep <= RUNS; rep++)); do
    for sessions in 1 32; do
        for tool in pgm_client pgm_sql; do
            db="bench_conc_${tool}"
            export PGDATABASE="$db"
            fresh_db "$db" "$tool"
            if [ "$tool" = pgm_sql ]; then
                "$PSQL" -X -q -d "$db" -c "SELECT migrate_load('$WORK/gen/$CONC_N/pg_migrate')" >/dev/null
                CMD=("$PSQL" -X -q -c "SELECT count(*) FROM migrate_upgrade('head')")
            else
                CMD=("$PGM_CLIENT" --dir "$WORK/gen/$CONC_N/pg_migrate" upgrade head)
            fi
            rm -f "$WORK/measure.out"
            "$TOOLS/measure" "$WORK/measure.out" bash "$BENCH/tools/concurrent.sh" "$sessions" "${CMD[@]}" 2>"$WORK/stderr" || true
            read -r wall rss code <"$WORK/measure.out"
            status=ok
            [ "$code" = 0 ] || status="exit$code"
            [ "$status" != ok ] || [ "$(table_count "$db")" = "$CONC_N" ] || status=wrong
            [ "$status" = ok ] || log "FAILED: concurrency $tool x$sessions ($status): $(tr '\n' ' ' <"$WORK/stderr")"
            printf '%s\t%s\t%s\t%s\t%s\t%s\t-\t-\t-\t-\t%s\n' "$CONC_N" "$tool" "concurrent$sessions" "$rep" "$wall" "$rss" "$status" >>"$RAW"
            export PGDATABASE=postgres
            psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
        done
    done
done
log "concurrency done"

{
    echo "duration_s=$(($(date +%s) - START_EPOCH))"
    echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
} >>"$META"

"${CLUSTER[@]}" destroy >/dev/null
log "done in $(($(date +%s) - START_EPOCH)) s"
if [ "$REPORT" = 1 ]; then
    /usr/bin/python3 "$BENCH/report.py" "$OUT"
fi
