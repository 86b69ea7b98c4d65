# shellcheck shell=bash disable=SC2034
# bench/tools/adapters.sh - how each tool runs each phase (sourced by bench/run.sh)
#
# For every tool T: T_phases lists the phases it has, in the order run
# against one fresh database (up = upgrade from empty to head, noop = upgrade
# again at head, history = the history listing, down = downgrade to base;
# pgm_sql also has register = migrate_load of the directory and plan =
# migrate_pending over the whole chain, and noop2 = the second no-op call
# in one session, all three without a floor); T_cmd PHASE
# DIR N sets CMD (the program and its arguments, run by measure with no
# shell in between) and CWD.  The connection comes from PGHOST, PGPORT,
# PGUSER, PGDATABASE, BENCH_DB, BENCH_DB_URL and DATABASE_URL, set by
# run.sh for each database.  Programs are the real ones: the server's own
# psql binary, dbmate's Go binary, node on node-pg-migrate's script.

PSQL=/usr/lib/postgresql/15/bin/psql
NPM_DIR="$TOOLS/npm/node_modules"
DBMATE="$NPM_DIR/@dbmate/linux-x64/bin/dbmate"
NODE_PG_MIGRATE="$NPM_DIR/node-pg-migrate/bin/node-pg-migrate.js"

# the floor: the same SQL in one file, run by psql in one transaction; a
# bare psql process running SELECT 1 is the floor of the no-op and history
floor_phases="up noop history down"
floor_cmd() {
    CWD=/
    case "$1" in
        up) CMD=("$PSQL" -X -q -1 -v ON_ERROR_STOP=1 -f "$2/floor/up.sql") ;;
        noop | history) CMD=("$PSQL" -X -q -c 'SELECT 1') ;;
        down) CMD=("$PSQL" -X -q -1 -v ON_ERROR_STOP=1 -f "$2/floor/down.sql") ;;
    esac
}

# pg_migrate through SQL, one psql process a phase; each statement reports
# its own time inside the server, from statement_timestamp() (when the
# server received it) to clock_timestamp() after the function returned
SRV_MS="(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::numeric(14,3)"
pgm_sql_phases="register plan up noop noop2 history down"
pgm_sql_cmd() {
    CWD=/
    local q
    case "$1" in
        register) q="SELECT migrate_load('$2/pg_migrate'), $SRV_MS" ;;
        plan) q="SELECT count(*), $SRV_MS FROM migrate_pending('head')" ;;
        up | noop) q="SELECT count(*), $SRV_MS FROM migrate_upgrade('head')" ;;
        noop2)
            # the second no-op call of one session: the first has loaded
            # the library and warmed the session's caches
            CMD=("$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 -c "SELECT count(*) FROM migrate_upgrade('head')"
                -c "SELECT count(*), $SRV_MS FROM migrate_upgrade('head')")
            return
            ;;
        history) q="SELECT count(*), $SRV_MS FROM migrate_history()" ;;
        down) q="SELECT count(*), $SRV_MS FROM migrate_downgrade('base')" ;;
    esac
    CMD=("$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 -c "$q")
}

# the pg_migrate client with its directory of files (it registers them
# before every verb)
pgm_client_phases="up noop history down"
pgm_client_cmd() {
    CWD=/
    case "$1" in
        up | noop) CMD=("$PGM_CLIENT" --dir "$2/pg_migrate" upgrade head) ;;
        history) CMD=("$PGM_CLIENT" --dir "$2/pg_migrate" history) ;;
        down) CMD=("$PGM_CLIENT" --dir "$2/pg_migrate" downgrade base) ;;
    esac
}

# Alembic (Debian's python3-alembic has no alembic script: python3 -m,
# Debian's python, whatever python3 comes first in PATH)
alembic_phases="up noop history down"
alembic_cmd() {
    CWD="$2/alembic"
    case "$1" in
        up | noop) CMD=(/usr/bin/python3 -m alembic -c alembic.ini upgrade head) ;;
        history) CMD=(/usr/bin/python3 -m alembic -c alembic.ini history) ;;
        down) CMD=(/usr/bin/python3 -m alembic -c alembic.ini downgrade base) ;;
    esac
}

# Sqitch (runs one psql per change; the plan's changes in order)
sqitch_phases="up noop history down"
sqitch_cmd() {
    CWD="$2/sqitch"
    local target="db:pg://$PGUSER@$PGHOST:$PGPORT/$BENCH_DB"
    case "$1" in
        up | noop) CMD=(sqitch deploy "$target") ;;
        history) CMD=(sqitch log "$target") ;;
        down) CMD=(sqitch revert -y "$target") ;;
    esac
}

# sql-migrate (Debian's package); status is its listing
sql_migrate_phases="up noop history down"
sql_migrate_cmd() {
    CWD="$2/sql-migrate"
    case "$1" in
        up | noop) CMD=(sql-migrate up -config=dbconfig.yml -env=bench) ;;
        history) CMD=(sql-migrate status -config=dbconfig.yml -env=bench) ;;
        down) CMD=(sql-migrate down -config=dbconfig.yml -env=bench -limit=0) ;;
    esac
}

# dbmate's Go binary; it rolls back one migration a call, so the downgrade
# to base is N calls in a row (bench/tools/repeat.sh)
dbmate_phases="up noop history down"
dbmate_cmd() {
    CWD=/
    local base=("$DBMATE" --url "$DATABASE_URL" --migrations-dir "$2/dbmate" --no-dump-schema)
    case "$1" in
        up | noop) CMD=("${base[@]}" migrate) ;;
        history) CMD=("${base[@]}" status) ;;
        down) CMD=(bash "$BENCH/tools/repeat.sh" "$3" "${base[@]}" rollback) ;;
    esac
}

# node-pg-migrate with SQL migration files; it has no listing command
node_pg_migrate_phases="up noop down"
node_pg_migrate_cmd() {
    CWD=/
    local base=(node "$NODE_PG_MIGRATE" --migrations-dir "$2/node-pg-migrate" --verbose false)
    case "$1" in
        up | noop) CMD=("${base[@]}" up) ;;
        down) CMD=("${base[@]}" down "$3") ;;
    esac
}

# display names, in the order of the tables
tool_label() {
    case "$1" in
        floor) echo "floor (psql -1 -f)" ;;
        pgm_sql) echo "pg_migrate (SQL)" ;;
        pgm_client) echo "pg_migrate client" ;;
        sql_migrate) echo "sql-migrate" ;;
        node_pg_migrate) echo "node-pg-migrate" ;;
        *) echo "$1" ;;
    esac
}
