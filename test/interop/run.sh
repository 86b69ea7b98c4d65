#!/usr/bin/env bash
#
# test/interop/run.sh
#     End-to-end tests of "pg_migrate import" and "pg_migrate adopt" for
#     every format, TAP output.
#
# For each of golang-migrate, dbmate, flyway, diesel and sqitch, the
# project under test/fixtures/interop/<format>/ is imported (the summary
# checked), upgraded on a fresh database, downgraded and upgraded again.
# Then a live database is made as that tool leaves it: the up SQL run in
# the tool's order and the tool's own version table filled as the tool
# fills it.  It is adopted with --keep-version-table: "upgrade head" runs
# nothing, "downgrade base" is refused at the migration without a down,
# downgrade to it, upgrade and stamp work, and the other table's rows are
# checked after each.  A dirty golang-migrate table and a Flyway row with
# success = false are refused, changing nothing.  For Alembic the real
# thing runs: Alembic upgrades one database, which is adopted; the
# histories must match, and a database upgraded by pg_migrate from the
# imported files must have the schema of the one Alembic upgraded.
#
# Needs a running server with the extension installed (PGHOST, PGPORT,
# PGUSER: a superuser), psql, the client (PG_MIGRATE, default
# client/pg_migrate, with pg_migrate_alembic.py beside it), and
# /usr/bin/python3 with Alembic and psycopg2 (python3-alembic,
# python3-psycopg2).
#
# Usage: PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres test/interop/run.sh

set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
fixtures=$top/test/fixtures/interop
PGM=${PG_MIGRATE:-$top/client/pg_migrate}
: "${PGHOST:?set PGHOST}" "${PGPORT:?set PGPORT}" "${PGUSER:?set PGUSER}"
export PGHOST PGPORT PGUSER
unset PGDATABASE DB_HOST DB_PORT DB_USER DB_NAME DB_PASSWORD
export PG_MIGRATE_PYTHON=${PG_MIGRATE_PYTHON:-/usr/bin/python3}

work=$(mktemp -d)
prefix="pgm_interop_$$"

cleanup() {
    psql -X -q -At -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE '${prefix}_%'" 2>/dev/null |
        while read -r db; do
            psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1
        done
    rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=../tap.sh
. "$top/test/tap.sh"

# check NAME COMMAND...: the command succeeds
check() {
    local name="$1"
    shift
    local out
    if out=$("$@" 2>&1); then
        ok "$name"
    else
        not_ok "$name" "exit status $?" "$(printf '%s' "$out" | tail -15)"
    fi
}

# check_eq NAME GOT WANT
check_eq() {
    if [ "$2" = "$3" ]; then
        ok "$1"
    else
        not_ok "$1" "got:" "$2" "want:" "$3"
    fi
}

# check_has NAME TEXT NEEDLE
check_has() {
    if printf '%s' "$2" | grep -qF -- "$3"; then
        ok "$1"
    else
        not_ok "$1" "missing: $3" "in:" "$(printf '%s' "$2" | head -40)"
    fi
}

newdb() {
    local db="${prefix}_$1"
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null &&
        psql -X -q -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null &&
        psql -X -q -d "$db" -c "CREATE EXTENSION pg_migrate" >/dev/null
    echo "$db"
}

# The schema of the public schema, one line per object, sorted: columns
# with types, defaults and NOT NULL, constraints, indexes, views, comments.
# Alembic's own version table is left out.
schema_of() {
    psql -X -q -At -d "$1" <<'EOF'
SELECT string_agg(x, E'\n' ORDER BY x) FROM (
  SELECT 'column ' || c.relname || '.' || a.attname || ' '
         || pg_catalog.format_type(a.atttypid, a.atttypmod)
         || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
         || coalesce(' default ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v')
    AND c.relname <> 'alembic_version'
  UNION ALL
  SELECT 'index ' || pg_catalog.pg_get_indexdef(i.indexrelid)
         || CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END
  FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
  WHERE c.relnamespace = 'public'::regnamespace AND c.relname <> 'alembic_version_pkc'
  UNION ALL
  SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' '
         || pg_catalog.pg_get_constraintdef(oid)
  FROM pg_catalog.pg_constraint
  WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'alembic_version'
  UNION ALL
  SELECT 'view ' || c.relname || ' ' || pg_catalog.pg_get_viewdef(c.oid)
  FROM pg_catalog.pg_class c
  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v'
  UNION ALL
  SELECT 'comment ' || c.relname || '.' || a.attname || ' ' || d.description
  FROM pg_catalog.pg_description d
  JOIN pg_catalog.pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_catalog.pg_class'::regclass
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
  WHERE c.relnamespace = 'public'::regnamespace
) s(x);
EOF
}

# The line "LABEL: N" of an import summary.
count_of() {
    printf '%s\n' "$1" | sed -n "s/^$2: \([0-9]*\)\$/\1/p"
}

# The schema the shop fixtures (every format but Alembic) make.
shop_sql="CREATE TABLE roles (name text PRIMARY KEY);
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    role text NOT NULL REFERENCES roles (name)
);
ALTER TABLE users ADD COLUMN email text;
CREATE UNIQUE INDEX users_email_idx ON users (email);
CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id));"

# schema_from NAME SQL: the schema SQL makes on an empty database
schema_from() {
    local db
    db=$(newdb "$1")
    psql -X -q -d "$db" -c "$2" >/dev/null
    schema_of "$db"
}

# import_test FORMAT SOURCE NFILES NNONTX NNODOWN NODOWN FIRST_TABLES SCHEMA
#   NODOWN: the revision without a downgrade (the first one); FIRST_TABLES:
#   the tables left once everything after it is reverted; SCHEMA: the
#   schema expected at head
import_test() {
    local fmt="$1" src="$2" nfiles="$3" nnontx="$4" nnodown="$5" nodown="$6"
    local first_tables="$7" expected="$8" head="${9:-head}"
    local dir="$work/$fmt" out rc db
    out=$("$PGM" -d "$checkdb" --dir "$dir" import "$fmt" "$src" 2>&1)
    rc=$?
    import_out="$out"
    check_eq "$fmt: import exits 0" "$rc" "0"
    check_eq "$fmt: files written" "$(count_of "$out" "files written")" "$nfiles"
    check_eq "$fmt: non-transactional" "$(count_of "$out" "non-transactional")" "$nnontx"
    check_eq "$fmt: without downgrade" "$(count_of "$out" "without downgrade")" "$nnodown"
    check_has "$fmt: checked by the server's parser" "$out" \
        "statements that cannot run in a transaction block: checked by the server's parser"
    check_eq "$fmt: one file per migration" "$(ls "$dir" | wc -l | tr -d ' ')" "$nfiles"
    check_has "$fmt: \"$nodown\" has no downgrade section" \
        "$(printf '%s\n' "$out" | sed -n '/^without downgrade/,/^not converted/p')" "  $nodown"
    check_eq "$fmt: import changed no database" \
        "$(psql -X -At -d "$checkdb" -c "SELECT (SELECT count(*) FROM migrate.revision) + (SELECT count(*) FROM migrate.journal)")" "0"

    db=$(newdb "$(echo "$fmt" | tr - _)")
    check "$fmt: upgrade head on a fresh database" "$PGM" -d "$db" --dir "$dir" upgrade "$head"
    check_eq "$fmt: schema after upgrade head" "$(schema_of "$db")" "$expected"

    out=$("$PGM" -d "$db" --dir "$dir" downgrade base 2>&1)
    rc=$?
    if [ "$rc" -ne 0 ] && printf '%s' "$out" | grep -qF "$nodown"; then
        ok "$fmt: downgrade base is refused at \"$nodown\", which has no downgrade"
    else
        not_ok "$fmt: downgrade base is refused at \"$nodown\"" "exit status $rc" "$out"
    fi
    check_eq "$fmt: schema unchanged by the refused downgrade" "$(schema_of "$db")" "$expected"
    check "$fmt: downgrade to \"$nodown\"" "$PGM" -d "$db" --dir "$dir" downgrade "$nodown"
    check_eq "$fmt: only the first migration's tables are left" \
        "$(psql -X -At -d "$db" -c "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")" \
        "$first_tables"
    check "$fmt: upgrade head again" "$PGM" -d "$db" --dir "$dir" upgrade "$head"
    check_eq "$fmt: same schema after downgrade and upgrade" "$(schema_of "$db")" "$expected"
}

# header FORMAT FILE-GLOB: the header lines of one imported file
header() {
    sed -n '1,/^-- migrate:upgrade/p' $work/$1/$2
}

shop=$(schema_from shop "$shop_sql")

# ---------------------------------------------------------------- adopt

# live_db FORMAT: a fresh database without the extension, for the other
# tool's schema and version table
live_db() {
    local db
    db="${prefix}_live_$(echo "$1" | tr - _)"
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1
    psql -X -q -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null
    echo "$db"
}

# up DB FILE...: run each file with psql, one session each, as the tools
# do, stopping at the first error
up() {
    local db="$1" f
    shift
    for f in "$@"; do
        psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$f" >/dev/null || return 1
    done
}

# rows FORMAT DB: the other tool's version table, one line
rows() {
    local sql
    case "$1" in
        golang-migrate) sql="SELECT string_agg(version || ':' || dirty, ' ' ORDER BY version) FROM schema_migrations" ;;
        dbmate) sql="SELECT string_agg(version, ' ' ORDER BY version) FROM schema_migrations" ;;
        diesel) sql="SELECT string_agg(version, ' ' ORDER BY version) FROM __diesel_schema_migrations" ;;
        flyway) sql="SELECT string_agg(installed_rank || ':' || coalesce(version, description) || ':' || type || ':' || success, ' ' ORDER BY installed_rank) FROM flyway_schema_history" ;;
        sqitch) sql="SELECT string_agg(change, ' ' ORDER BY committed_at, change) FROM sqitch.changes" ;;
        alembic) sql="SELECT string_agg(version_num, ' ' ORDER BY version_num) FROM alembic_version" ;;
    esac
    psql -X -q -At -d "$2" -c "$sql"
}

# adopt_test FORMAT DB DIR HEAD NODOWN MID ROWS_HEAD ROWS_NODOWN ROWS_MID
#   [ROWS_HEAD_AGAIN ROWS_MID_STAMP ROWS_HEAD_STAMP]
#   DB was left by the other tool at its last migration (rows ROWS_HEAD);
#   NODOWN the migration without a down (rows ROWS_NODOWN once downgraded
#   to it), MID one to stamp (ROWS_MID).  Flyway's history only grows:
#   its rows after the second upgrade and the stamps are given apart.
adopt_test() {
    local fmt="$1" db="$2" dir="$3" head="$4" nodown="$5" mid="$6"
    local rows_head="$7" rows_nodown="$8"
    local rows_again="${10:-$7}" rows_stamp_mid="${11:-$9}" rows_stamp_head="${12:-$7}"
    local stamp_head="${13:-$4}" schema nfiles

    schema=$(schema_of "$db")
    nfiles=$(ls "$dir" | wc -l | tr -d ' ')
    is "$fmt: the live database's version table" "$(rows "$fmt" "$db")" "$rows_head"
    run -d "$db" --dir "$dir" init
    is "$fmt: init" "$rc" "0"
    run -d "$db" --dir "$dir" adopt --keep-version-table "$fmt"
    is "$fmt: adopt --keep-version-table exits 0" "$rc" "0" 
    [ "$rc" = 0 ] || echo "#   $err"
    is "$fmt: every migration journaled as adopt, no SQL run" \
        "$(psql -X -At -d "$db" -c "SELECT count(*) || ' ' || count(*) FILTER (WHERE operation = 'adopt') FROM migrate.journal")" \
        "$nfiles $nfiles"
    is "$fmt: adopt leaves the schema alone" "$(schema_of "$db")" "$schema"
    run -d "$db" --dir "$dir" upgrade "$head"
    expect "$fmt: upgrade $head after adopt runs nothing" "nothing to upgrade" "$out$err"
    is "$fmt: the version table after the empty upgrade" "$(rows "$fmt" "$db")" "$rows_head"

    run -d "$db" --dir "$dir" downgrade base
    if [ "$rc" -ne 0 ] && printf '%s' "$err" | grep -qF "revision \"$nodown\" cannot be downgraded"; then
        ok "$fmt: downgrade base is refused at \"$nodown\", which has no down"
    else
        not_ok "$fmt: downgrade base is refused at \"$nodown\"" "exit status $rc" "$out" "$err"
    fi
    is "$fmt: the refused downgrade leaves the schema" "$(schema_of "$db")" "$schema"
    is "$fmt: the refused downgrade leaves the version table" "$(rows "$fmt" "$db")" "$rows_head"

    run -d "$db" --dir "$dir" downgrade "$nodown"
    is "$fmt: downgrade to \"$nodown\"" "$rc" "0"
    [ "$rc" = 0 ] || echo "#   $err"
    is "$fmt: the version table after the downgrade" "$(rows "$fmt" "$db")" "$rows_nodown"
    is "$fmt: only the first migration's table is left" \
        "$(psql -X -At -d "$db" -c "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname NOT IN ('schema_migrations', '__diesel_schema_migrations', 'flyway_schema_history', 'alembic_version')")" \
        "roles"
    run -d "$db" --dir "$dir" upgrade "$head"
    is "$fmt: upgrade $head again" "$rc" "0"
    [ "$rc" = 0 ] || echo "#   $err"
    is "$fmt: the version table after the upgrade" "$(rows "$fmt" "$db")" "$rows_again"
    is "$fmt: the schema after the upgrade" "$(schema_of "$db")" "$schema"

    # shellcheck disable=SC2086
    run -d "$db" --dir "$dir" stamp $mid
    is "$fmt: stamp $mid" "$rc" "0"
    is "$fmt: the version table after the stamp" "$(rows "$fmt" "$db")" "$rows_stamp_mid"
    # shellcheck disable=SC2086
    run -d "$db" --dir "$dir" stamp $stamp_head
    is "$fmt: the version table after stamp $stamp_head" "$(rows "$fmt" "$db")" "$rows_stamp_head"
}

# The fresh databases of import_test need the extension; the checks of
# the import need a database with it too, left untouched.
checkdb=$(newdb check)
shop=$(schema_from shop "$shop_sql")

# ---------------------------------------------------------------- golang-migrate
gm=$fixtures/golang-migrate
import_test golang-migrate "$gm" 5 2 1 000001 roles \
    "$(schema_from gm_expected "$shop_sql COMMENT ON COLUMN users.email IS 'may be empty; unique when set';")"
h=$(header golang-migrate '000001_*')
check_has "golang-migrate: the version keeps its leading zeros in the id" "$h" "-- revision: 000001"
check_has "golang-migrate: the source version is the bigint's text" "$h" "-- source: golang-migrate 1"
h=$(header golang-migrate '10_*')
check_has "golang-migrate: 10 comes after 000004" "$h" "-- revises: 000004"
check_has "golang-migrate: morph:nontransactional" "$h" "-- transactional: false"
check_has "golang-migrate: CONCURRENTLY found by the server's parser" "$import_out" \
    "000004 (the server's parser: a statement cannot run in a transaction block)"

# golang-migrate's postgres driver: one row, the version and the dirty flag
db=$(live_db golang-migrate)
up "$db" "$gm"/000001_*.up.sql "$gm"/000002_*.up.sql "$gm"/000003_*.up.sql "$gm"/000004_*.up.sql "$gm"/10_*.up.sql
psql -X -q -d "$db" -c "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
    INSERT INTO schema_migrations (version, dirty) VALUES (10, false)" >/dev/null
adopt_test golang-migrate "$db" "$work/golang-migrate" head 000001 000003 \
    "10:false" "1:false" "3:false"

# dirty: refused, nothing changed
db=$(live_db gm_dirty)
up "$db" "$gm"/000001_*.up.sql "$gm"/000002_*.up.sql
psql -X -q -d "$db" -c "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
    INSERT INTO schema_migrations (version, dirty) VALUES (3, true)" >/dev/null
run -d "$db" --dir "$work/golang-migrate" init
run -d "$db" --dir "$work/golang-migrate" adopt --keep-version-table golang-migrate
is "golang-migrate: adopt of a dirty database exits 1" "$rc" "1"
expect "golang-migrate: the error names the dirty version" \
    'version table "public.schema_migrations" says migration "3" of golang-migrate failed part-way' "$err"
expect "golang-migrate: the detail names the flag" "dirty = true" "$err"
is "golang-migrate: the refused adopt stamps, journals and records nothing" \
    "$(psql -X -At -d "$db" -c "SELECT (SELECT count(*) FROM migrate.version) || ' ' || (SELECT count(*) FROM migrate.journal WHERE operation = 'adopt') || ' ' || (SELECT count(*) FROM migrate.adopted)")" \
    "0 0 0"
is "golang-migrate: the refused adopt leaves schema_migrations" "$(rows golang-migrate "$db")" "3:true"

# ---------------------------------------------------------------- dbmate
dm=$fixtures/dbmate/db/migrations
import_test dbmate "$dm" 5 1 1 20240101090000 roles "$shop"
h=$(header dbmate '20240104090000_*')
check_has "dbmate: transaction:false" "$h" "-- transactional: false"
check_has "dbmate: source header" "$h" "-- source: dbmate 20240104090000"

# dbmate runs the part after "-- migrate:up"; its table holds one row per
# applied version
db=$(live_db dbmate)
for f in "$dm"/*.sql; do
    sed -n '/^-- migrate:up/,/^-- migrate:down/p' "$f" | grep -v '^-- migrate:' >"$work/dbmate_up.sql"
    up "$db" "$work/dbmate_up.sql"
done
psql -X -q -d "$db" -c "CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) PRIMARY KEY);
    INSERT INTO schema_migrations (version) VALUES ('20240101090000'), ('20240102090000'), ('20240103090000'), ('20240104090000'), ('20240105090000')" >/dev/null
adopt_test dbmate "$db" "$work/dbmate" head 20240101090000 20240103090000 \
    "20240101090000 20240102090000 20240103090000 20240104090000 20240105090000" \
    "20240101090000" "20240101090000 20240102090000 20240103090000"

# ---------------------------------------------------------------- flyway
fw=$fixtures/flyway/sql
import_test flyway "$fw" 6 1 2 1 roles \
    "$(schema_from flyway_expected "$shop_sql CREATE VIEW role_names AS SELECT name FROM roles;")" heads
h=$(header flyway '1_2_*')
check_has "flyway: V1_2 is revision 1_2" "$h" "-- revision: 1_2"
check_has "flyway: V1_2 is version 1.2" "$h" "-- source: flyway 1.2"
check_has "flyway: V1_2 follows V1.1" "$h" "-- revises: 1_1"
h=$(header flyway '10_*')
check_has "flyway: V10 follows V2" "$h" "-- revises: 2"
h=$(header flyway '2_*')
check_has "flyway: executeInTransaction=false in V2__x.sql.conf" "$h" "-- transactional: false"
h=$(header flyway 'R__*')
check_has "flyway: a repeatable script" "$h" "-- repeatable: true"
check_has "flyway: repeatable id" "$h" "-- revision: R__role_names_view"
mkdir -p "$work/fw_placeholders"
printf 'CREATE TABLE ${flyway:defaultSchema}.t (id int);\n' >"$work/fw_placeholders/V1__t.sql"
out=$("$PGM" -d "$checkdb" --dir "$work/fw_placeholders_out" import flyway "$work/fw_placeholders" 2>&1)
check_has "flyway: placeholders are pointed out" "$out" \
    '1: Flyway placeholders (${...}) are kept as written: replace them with their values'

# Flyway's history table (its PostgreSQL DDL), one row per script run:
# versioned in version order, then the repeatable ones
flyway_table="CREATE TABLE flyway_schema_history (
    installed_rank integer NOT NULL, version varchar(50), description varchar(200) NOT NULL,
    type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum integer,
    installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(),
    execution_time integer NOT NULL, success boolean NOT NULL,
    CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank));
CREATE INDEX flyway_schema_history_s_idx ON flyway_schema_history (success);"
flyway_row() {
    echo "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
          VALUES ($1, $2, '$3', 'SQL', '$4', $1 * 1000003, 'postgres', 7, $5);"
}
db=$(live_db flyway)
up "$db" "$fw"/v1/V1__*.sql "$fw"/v1/V1.1__*.sql "$fw"/v1/V1_2__*.sql "$fw"/v2/V2__*.sql "$fw"/v2/V10__*.sql "$fw"/R__*.sql
psql -X -q -d "$db" -c "$flyway_table
    $(flyway_row 1 "'1'" 'Seed roles' v1/V1__Seed_roles.sql true)
    $(flyway_row 2 "'1.1'" 'Create users' v1/V1.1__Create_users.sql true)
    $(flyway_row 3 "'1.2'" 'Add email' v1/V1_2__Add_email.sql true)
    $(flyway_row 4 "'2'" 'Index email' v2/V2__Index_email.sql true)
    $(flyway_row 5 "'10'" 'Create orders' v2/V10__Create_orders.sql true)
    $(flyway_row 6 NULL 'role names view' R__role_names_view.sql true)" >/dev/null
fw_head="1:1:SQL:true 2:1.1:SQL:true 3:1.2:SQL:true 4:2:SQL:true 5:10:SQL:true 6:role names view:SQL:true"
fw_undo="$fw_head 7:10:UNDO_SQL:true 8:2:UNDO_SQL:true 9:1.2:UNDO_SQL:true 10:1.1:UNDO_SQL:true"
fw_again="$fw_undo 11:1.1:SQL:true 12:1.2:SQL:true 13:2:SQL:true 14:10:SQL:true"
fw_mid="$fw_again 15:10:UNDO_SQL:true 16:2:UNDO_SQL:true"
adopt_test flyway "$db" "$work/flyway" heads 1 1_2 \
    "$fw_head" "$fw_undo" "" "$fw_again" "$fw_mid" "$fw_mid 17:2:SQL:true 18:10:SQL:true"

# success = false: refused, nothing changed
db=$(live_db fw_failed)
up "$db" "$fw"/v1/V1__*.sql
psql -X -q -d "$db" -c "$flyway_table
    $(flyway_row 1 "'1'" 'Seed roles' v1/V1__Seed_roles.sql true)
    $(flyway_row 2 "'1.1'" 'Create users' v1/V1.1__Create_users.sql false)" >/dev/null
before=$(rows flyway "$db")
run -d "$db" --dir "$work/flyway" init
run -d "$db" --dir "$work/flyway" adopt --keep-version-table flyway
is "flyway: adopt with a failed migration exits 1" "$rc" "1"
expect "flyway: the error names the failed version" \
    'version table "public.flyway_schema_history" says migration "1.1" of flyway failed part-way' "$err"
expect "flyway: the detail names the row" 'The last row of version "1.1" has success = false.' "$err"
is "flyway: the refused adopt stamps, journals and records nothing" \
    "$(psql -X -At -d "$db" -c "SELECT (SELECT count(*) FROM migrate.version) || ' ' || (SELECT count(*) FROM migrate.journal WHERE operation = 'adopt') || ' ' || (SELECT count(*) FROM migrate.adopted)")" \
    "0 0 0"
is "flyway: the refused adopt leaves the history" "$(rows flyway "$db")" "$before"

# a row "flyway repair" wrote for a migration whose file went away: not
# applied
db=$(live_db fw_deleted)
up "$db" "$fw"/v1/V1__*.sql
psql -X -q -d "$db" -c "$flyway_table
    $(flyway_row 1 "'1'" 'Seed roles' v1/V1__Seed_roles.sql true)
    $(flyway_row 2 "'1.1'" 'Create users' v1/V1.1__Create_users.sql true)
    INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
    VALUES (3, '1.1', 'Create users', 'DELETE', 'v1/V1.1__Create_users.sql', NULL, 'postgres', 0, true)" >/dev/null
run -d "$db" --dir "$work/flyway" init
run -d "$db" --dir "$work/flyway" adopt flyway
is "flyway: adopt with a DELETE row" "$rc" "0"
is "flyway: the deleted migration is not applied" "$out" "adopted: 1"

# ---------------------------------------------------------------- diesel
ds=$fixtures/diesel/migrations
import_test diesel "$ds" 5 1 1 00000000000000 roles "$shop"
h=$(header diesel '2024-01-04-090000_*')
check_has "diesel: run_in_transaction = false" "$h" "-- transactional: false"
check_has "diesel: the version without dashes" "$h" "-- source: diesel 20240104090000"

# diesel's table: one row per applied version, the directory's version
# without its dashes and underscores
db=$(live_db diesel)
up "$db" "$ds"/*/up.sql
psql -X -q -d "$db" -c "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
        version VARCHAR(50) PRIMARY KEY NOT NULL,
        run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
    INSERT INTO __diesel_schema_migrations (version) VALUES ('00000000000000'), ('20240102090000'), ('20240103090000'), ('20240104090000'), ('20240105090000')" >/dev/null
adopt_test diesel "$db" "$work/diesel" head 00000000000000 2024-01-03-090000 \
    "00000000000000 20240102090000 20240103090000 20240104090000 20240105090000" \
    "00000000000000" "00000000000000 20240102090000 20240103090000"

# ---------------------------------------------------------------- sqitch
sq=$fixtures/sqitch
import_test sqitch "$sq" 6 1 1 seed_roles roles \
    "$(schema_from sqitch_expected "$shop_sql COMMENT ON COLUMN users.email IS 'may be empty';")"
h=$(header sqitch 'user_email_v1_1_*')
check_has "sqitch: the first copy of a reworked change" "$h" "-- source: sqitch user_email@v1.1"
check_has "sqitch: project-qualified dependency on the parent is the chain" "$h" "-- revises: users"
h=$(header sqitch 'email_index_*')
check_has "sqitch: dependencies become depends-on" "$h" "-- depends-on: users"
h=$(header sqitch 'orders_*')
check_has "sqitch: change@tag and plain dependencies" "$h" "-- depends-on: users, seed_roles"
h=$(sed -n '1,/^-- migrate:upgrade/p' "$(grep -l '^-- source: sqitch user_email$' "$work"/sqitch/*.sql)")
check_has "sqitch: the reworked change keeps the name" "$h" "-- revision: user_email"
check_has "sqitch: the note is the message" "$h" "-- message: Comments users.email (reworked)."
check_has "sqitch: BEGIN/COMMIT wrappers removed" "$import_out" "BEGIN/COMMIT around the upgrade removed"
check_has "sqitch: conflicts are reported" "$import_out" "conflict with \"legacy_email\" not kept"
check_has "sqitch: verify scripts are reported" "$import_out" "verify script(s)"

# Sqitch's registry (the sqitch schema of its PostgreSQL engine), filled
# as "sqitch deploy" fills it: the deploy scripts run by psql in plan
# order, a changes row per deployed change (a reworked change twice),
# tags on the change before them, dependencies, events.
sqitch_registry="CREATE SCHEMA sqitch;
CREATE TABLE sqitch.releases (version real PRIMARY KEY, installed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    installer_name text NOT NULL, installer_email text NOT NULL);
CREATE TABLE sqitch.projects (project text PRIMARY KEY, uri text UNIQUE, created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    creator_name text NOT NULL, creator_email text NOT NULL);
CREATE TABLE sqitch.changes (change_id text PRIMARY KEY, script_hash text, change text NOT NULL,
    project text NOT NULL REFERENCES sqitch.projects (project) ON UPDATE CASCADE, note text NOT NULL DEFAULT '',
    committed_at timestamptz NOT NULL DEFAULT clock_timestamp(), committer_name text NOT NULL, committer_email text NOT NULL,
    planned_at timestamptz NOT NULL, planner_name text NOT NULL, planner_email text NOT NULL,
    UNIQUE (project, script_hash));
CREATE TABLE sqitch.tags (tag_id text PRIMARY KEY, tag text NOT NULL,
    project text NOT NULL REFERENCES sqitch.projects (project) ON UPDATE CASCADE,
    change_id text NOT NULL REFERENCES sqitch.changes (change_id) ON UPDATE CASCADE,
    note text NOT NULL DEFAULT '', committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    committer_name text NOT NULL, committer_email text NOT NULL, planned_at timestamptz NOT NULL,
    planner_name text NOT NULL, planner_email text NOT NULL, UNIQUE (project, tag));
CREATE TABLE sqitch.dependencies (
    change_id text NOT NULL REFERENCES sqitch.changes (change_id) ON UPDATE CASCADE ON DELETE CASCADE,
    type text NOT NULL, dependency text NOT NULL,
    dependency_id text REFERENCES sqitch.changes (change_id) ON UPDATE CASCADE,
    PRIMARY KEY (change_id, dependency));
CREATE TABLE sqitch.events (event text NOT NULL CHECK (event IN ('deploy', 'revert', 'fail', 'merge')),
    change_id text NOT NULL, change text NOT NULL, project text NOT NULL REFERENCES sqitch.projects (project) ON UPDATE CASCADE,
    note text NOT NULL DEFAULT '', requires text[] NOT NULL DEFAULT '{}', conflicts text[] NOT NULL DEFAULT '{}',
    tags text[] NOT NULL DEFAULT '{}', committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    committer_name text NOT NULL, committer_email text NOT NULL, planned_at timestamptz NOT NULL,
    planner_name text NOT NULL, planner_email text NOT NULL, PRIMARY KEY (change_id, committed_at));
INSERT INTO sqitch.releases (version, installer_name, installer_email) VALUES (1.1, 'Ada Lovelace', 'ada@example.org');
INSERT INTO sqitch.projects (project, uri, creator_name, creator_email) VALUES ('shop', 'https://example.org/shop/', 'Ada Lovelace', 'ada@example.org');"
# sqitch_change ID NAME SCRIPT PLANNED NOTE
sqitch_change() {
    echo "INSERT INTO sqitch.changes (change_id, script_hash, change, project, note, committer_name, committer_email, planned_at, planner_name, planner_email)
        VALUES ('$1', encode(sha256(convert_to('$3', 'UTF8')), 'hex'), '$2', 'shop', '$5', 'Ada Lovelace', 'ada@example.org', '$4', 'Ada Lovelace', 'ada@example.org');
        INSERT INTO sqitch.events (event, change_id, change, project, note, committer_name, committer_email, planned_at, planner_name, planner_email)
        VALUES ('deploy', '$1', '$2', 'shop', '$5', 'Ada Lovelace', 'ada@example.org', '$4', 'Ada Lovelace', 'ada@example.org');"
}
sqitch_tag() {
    echo "INSERT INTO sqitch.tags (tag_id, tag, project, change_id, committer_name, committer_email, planned_at, planner_name, planner_email)
        VALUES ('$1', '$2', 'shop', '$3', 'Ada Lovelace', 'ada@example.org', '$4', 'Ada Lovelace', 'ada@example.org');"
}
db=$(live_db sqitch)
up "$db" "$sq"/deploy/seed_roles.sql "$sq"/deploy/users.sql "$sq/deploy/user_email@v1.1.sql" \
    "$sq"/deploy/email_index.sql "$sq"/deploy/orders.sql "$sq"/deploy/user_email.sql
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<EOSQL
$sqitch_registry
$(sqitch_change c1 seed_roles seed_roles 2024-01-01T09:00:00Z 'Roles, seeded; no revert.')
$(sqitch_change c2 users users 2024-01-02T09:00:00Z 'Creates the users table.')
$(sqitch_tag t1 @v1.0 c2 2024-01-02T10:00:00Z)
$(sqitch_change c3 user_email user_email@v1.1 2024-01-03T09:00:00Z 'Adds users.email.')
$(sqitch_change c4 email_index email_index 2024-01-04T09:00:00Z 'Indexes users.email concurrently.')
$(sqitch_change c5 orders orders 2024-01-05T09:00:00Z 'Creates orders.')
$(sqitch_tag t2 @v1.1 c5 2024-01-05T10:00:00Z)
$(sqitch_change c6 user_email user_email 2024-01-06T09:00:00Z 'Comments users.email (reworked).')
INSERT INTO sqitch.dependencies (change_id, type, dependency, dependency_id) VALUES
    ('c2', 'require', 'seed_roles', 'c1'), ('c3', 'require', 'shop:users', 'c2'), ('c3', 'conflict', 'legacy_email', NULL),
    ('c4', 'require', 'users', 'c2'), ('c4', 'require', 'user_email', 'c3'),
    ('c5', 'require', 'users@v1.0', 'c2'), ('c5', 'require', 'seed_roles', 'c1'), ('c6', 'require', 'user_email@v1.1', 'c3');
EOSQL
sq_all="seed_roles users user_email email_index orders user_email"
adopt_test sqitch "$db" "$work/sqitch" head seed_roles users \
    "$sq_all" "seed_roles" "seed_roles users"
is "sqitch: the tags and dependencies of reverted changes went with them" \
    "$(psql -X -At -d "$db" -c "SELECT (SELECT count(*) FROM sqitch.tags) || ' ' || (SELECT count(*) FROM sqitch.dependencies WHERE change_id NOT IN ('c1', 'c2'))")" "0 0"

# sqitch.conf moving the plan and the scripts (per engine), and the earlier
# copy of a reworked change whose scripts carry the second tag between
# the copies, which sqitch also looks for
import_out=$("$PGM" -d "$checkdb" --dir "$work/sqitch_layout" import sqitch "$fixtures/sqitch_layout" 2>&1)
is "sqitch: a project laid out by sqitch.conf imports" "$?" "0"
expect "sqitch: the plan is [engine \"pg\"] plan_file" "files written: 2" "$import_out"
h=$(header sqitch_layout 'a_t2_*')
check_has "sqitch: the earlier copy's scripts found under the second tag" "$h" "-- source: sqitch a@t2"
check_has "sqitch: the revert script from [engine \"pg\"] top_dir" "$(cat "$work"/sqitch_layout/a_t2_*)" "DROP TABLE a1;"

# ---------------------------------------------------------------- alembic
# The real thing: Alembic upgrades one database; pg_migrate imports the
# project, adopts that database and upgrades a fresh one.
al=$fixtures/alembic
alembic_on() {
    PGM_ALEMBIC_URL="postgresql://$PGUSER@$PGHOST:$PGPORT/$1" \
        "$PG_MIGRATE_PYTHON" -m alembic -c "$al/alembic.ini" "${@:2}"
}
# the lines of "alembic history" or "pg_migrate history" with only the
# head, branch point and merge point marks kept (Alembic also repeats a
# branch label on every revision of its branch)
history_lines() {
    sed -E 's/ \((tags)\)//g'
}

import_out=$("$PGM" -d "$checkdb" --dir "$work/alembic" import alembic "$al" 2>&1)
is "alembic: import exits 0" "$?" "0"
is "alembic: files written" "$(count_of "$import_out" "files written")" "7"
is "alembic: non-transactional" "$(count_of "$import_out" "non-transactional")" "1"
expect "alembic: autocommit_block() marks the revision" "  d4b5c6d7e8f9 (op.get_context().autocommit_block())" "$import_out"
is "alembic: without downgrade" "$(count_of "$import_out" "without downgrade")" "1"
expect "alembic: the one whose downgrade() raises" "  0a7b8c9d0e1f: downgrade() raises NotImplementedError" "$import_out"
h=$(header alembic 'e5c6d7e8f9a0_*')
check_has "alembic: the merge revises both parents" "$h" "-- revises: c3a4b5c6d7e8, d4b5c6d7e8f9"
h=$(header alembic 'c3a4b5c6d7e8_*')
check_has "alembic: branch_labels" "$h" "-- branch-labels: tags"
h=$(header alembic 'f6d7e8f9a0b1_*')
check_has "alembic: depends_on" "$h" "-- depends-on: c3a4b5c6d7e8"

adb=$(live_db alembic)
if alembic_on "$adb" upgrade heads >"$work/alembic.log" 2>&1; then
    ok "alembic: alembic upgrade heads"
else
    not_ok "alembic: alembic upgrade heads" "$(cat "$work/alembic.log")"
fi
is "alembic: alembic_version as Alembic left it" "$(rows alembic "$adb")" "f6d7e8f9a0b1"
aschema=$(schema_of "$adb")
run -d "$adb" --dir "$work/alembic" init
run -d "$adb" --dir "$work/alembic" adopt --keep-version-table alembic
is "alembic: adopt --keep-version-table exits 0" "$rc" "0"
is "alembic: every revision journaled as adopt" \
    "$(psql -X -At -d "$adb" -c "SELECT count(*) FILTER (WHERE operation = 'adopt') || ' ' || count(*) FROM migrate.journal")" "7 7"
run -d "$adb" --dir "$work/alembic" upgrade heads
expect "alembic: upgrade heads after adopt runs nothing" "nothing to upgrade" "$out$err"
is "alembic: adopt and the empty upgrade leave the schema" "$(schema_of "$adb")" "$aschema"

alembic_on "$adb" history >"$work/alembic_history" 2>&1
run -d "$adb" --dir "$work/alembic" history
is "alembic: pg_migrate history lists the revisions and edges alembic history does" \
    "$(printf '%s\n' "$out" | history_lines)" "$(history_lines <"$work/alembic_history")"
is "alembic: both histories have 7 revisions" "$(grep -c ' -> ' "$work/alembic_history") $(printf '%s\n' "$out" | grep -c ' -> ')" "7 7"

run -d "$adb" --dir "$work/alembic" downgrade base
expect "alembic: downgrade base is refused at the revision whose downgrade() raises" \
    'revision "0a7b8c9d0e1f" cannot be downgraded' "$err"
is "alembic: the refused downgrade leaves alembic_version" "$(rows alembic "$adb")" "f6d7e8f9a0b1"
run -d "$adb" --dir "$work/alembic" downgrade b2e1d0c9f8a7
is "alembic: downgrade past the merge and both branches" "$rc" "0"
is "alembic: alembic_version after the downgrade" "$(rows alembic "$adb")" "b2e1d0c9f8a7"
expect "alembic: and Alembic itself reads it" "b2e1d0c9f8a7" "$(alembic_on "$adb" current 2>&1)"
run -d "$adb" --dir "$work/alembic" upgrade c3a4b5c6d7e8
is "alembic: upgrade one branch" "$rc" "0"
is "alembic: alembic_version holds that head" "$(rows alembic "$adb")" "c3a4b5c6d7e8"
# Alembic, not pg_migrate, upgrades the other branch and the rest
if alembic_on "$adb" upgrade heads >"$work/alembic.log" 2>&1; then
    ok "alembic: Alembic goes on from the table pg_migrate kept"
else
    not_ok "alembic: Alembic goes on from the table pg_migrate kept" "$(cat "$work/alembic.log")"
fi
is "alembic: the schema is back" "$(schema_of "$adb")" "$aschema"
run -d "$adb" --dir "$work/alembic" stamp c3a4b5c6d7e8 d4b5c6d7e8f9
is "alembic: stamp both branch heads" "$rc" "0"
is "alembic: alembic_version holds both heads" "$(rows alembic "$adb")" "c3a4b5c6d7e8 d4b5c6d7e8f9"
run -d "$adb" --dir "$work/alembic" stamp heads
is "alembic: stamp heads" "$rc" "0"
is "alembic: alembic_version after the stamp" "$(rows alembic "$adb")" "f6d7e8f9a0b1"
expect "alembic: Alembic agrees it is at head" "f6d7e8f9a0b1 (head)" "$(alembic_on "$adb" current 2>&1)"

# the schema pg_migrate makes from the imported files is the one Alembic
# makes: pg_migrate's own catalog comparison (diff exits 0 when the
# schemas are the same, 10 when they differ), public schema only, with
# Alembic's version table left out of a copy
pdb=$(newdb alembic_pgm)
check "alembic: pg_migrate upgrade heads on a fresh database" "$PGM" -d "$pdb" --dir "$work/alembic" upgrade heads
cdb="${prefix}_alembic_copy"
psql -X -q -d postgres -c "CREATE DATABASE \"$cdb\" TEMPLATE \"$adb\"" >/dev/null &&
    psql -X -q -d "$cdb" -c "DROP TABLE alembic_version" >/dev/null
run --schema=public diff "dbname=$cdb" "dbname=$pdb"
is "alembic: the schemas are the same (diff exits 0)" "$rc" "0"
[ "$rc" = 0 ] || printf '#   %s\n' "$out" "$err"
is "alembic: and the sketch of them too" "$(schema_of "$pdb")" "$(schema_of "$cdb")"
# the comparison can fail: one revision less on the pg_migrate side
check "alembic: downgrade the fresh database by one" "$PGM" -d "$pdb" --dir "$work/alembic" downgrade -1
run --schema=public diff "dbname=$cdb" "dbname=$pdb"
is "alembic: a schema one revision behind differs (diff exits 10)" "$rc" "10"
expect "alembic: naming the view" "task_summary" "$out"

# a revision that reads data through op.get_bind() cannot be rendered
# offline: written with its metadata and a marker registration refuses
out=$("$PGM" -d "$checkdb" --dir "$work/alembic_bind" import alembic "$fixtures/alembic_bind" 2>&1)
is "alembic: import with an unconvertible revision exits 7" "$?" "7"
is "alembic: one not converted" "$(count_of "$out" "not converted")" "1"
expect "alembic: the summary names it and why" "  3333bbbb4444 (" "$out"
expect "alembic: the file carries the marker" "-- unconverted: Alembic could not render upgrade() offline" \
    "$(cat "$work"/alembic_bind/3333bbbb4444_*.sql)"
bdb=$(newdb alembic_bind)
run -d "$bdb" --dir "$work/alembic_bind" upgrade head
is "alembic: registration refuses the unconverted file" "$rc" "5"
expect "alembic: naming the file" "3333bbbb4444_copy_settings_into_columns.sql" "$err"
is "alembic: nothing registered or applied" \
    "$(psql -X -At -d "$bdb" -c "SELECT (SELECT count(*) FROM migrate.revision) || ' ' || (SELECT count(*) FROM migrate.version)")" "0 0"

echo "1..$n"
[ "$failures" -eq 0 ]
