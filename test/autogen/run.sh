#!/usr/bin/env bash
#
# test/autogen/run.sh
#     Autogenerate against a real server: every fixture pair of
#     test/fixtures/autogen applied both ways (a + diff(a, b) = b and back,
#     rows of the tables on both sides kept), random schema pairs
#     (gen_schemas.py, fixed seed), diff's exit statuses, data loss left
#     out, renames, what no statement can do, bad declared SQL, scratch
#     databases always dropped, and the AsyncTaskAPI flow: edit schema/,
#     make upgrade-revision, make migrate, make migrate-check.  TAP output.
#
# Needs a running server with the extension installed, reachable through
# PGHOST, PGPORT and PGUSER (a superuser: the script makes and drops its
# own databases and a role), psql, python3, and the client built at
# client/pg_migrate (or PG_MIGRATE=path).  Bounded: 16 fixture pairs and
# AUTOGEN_PAIRS (default 12) random pairs.

set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PGM=${PG_MIGRATE:-$top/client/pg_migrate}
: "${PGHOST:?set PGHOST}" "${PGPORT:?set PGPORT}" "${PGUSER:?set PGUSER}"
export PGHOST PGPORT PGUSER
unset PGDATABASE DB_HOST DB_PORT DB_USER DB_NAME DB_PASSWORD

work=$(mktemp -d)
db="pgm_autogen_$$"

cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${db}" >/dev/null 2>&1
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${db}_flow" >/dev/null 2>&1
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS pgm_autogen_reader" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

. "$top/test/tap.sh"

conn() {
    echo "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$1"
}

scratch_count() {
    psql -X -A -t -q -d postgres -c "SELECT count(*) FROM pg_catalog.pg_database WHERE datname LIKE 'pg\_migrate\_scratch\_%'"
}

# fresh_db FILE: the test database, made afresh from a declared file
fresh_db() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db TEMPLATE template0" >/dev/null 2>&1
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$1" >"$work/load.log" 2>&1
}

# row counts of the user tables, "schema.table n" a line
row_counts() {
    psql -X -A -t -q -F ' ' -d "$db" -c "
        SELECT c.oid::pg_catalog.regclass,
               (pg_catalog.xpath('/row/n/text()', pg_catalog.query_to_xml(pg_catalog.format('SELECT count(*) AS n FROM %s', c.oid::pg_catalog.regclass), false, true, '')))[1]::text
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND s.nspname NOT IN ('pg_catalog', 'information_schema', 'migrate')
        ORDER BY 1" | sort
}

# both_ways NAME A B: a + diff(a, b) = b, rows kept, and back
both_ways() {
    local name=$1 a=$2 b=$3 from to
    for dir in forward back; do
        if [ $dir = forward ]; then from=$a; to=$b; else from=$b; to=$a; fi
        if ! fresh_db "$from"; then
            not_ok "$name ($dir): the fixture loads" "$(cat "$work/load.log")"
            continue
        fi
        row_counts >"$work/before"
        run --allow-data-loss diff "$(conn "$db")" "$to"
        if [ "$rc" != 10 ]; then
            not_ok "$name ($dir): diff finds the differences" "exit $rc" "$err"
            continue
        fi
        printf '%s\n' "$out" >"$work/diff.sql"
        if ! psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$work/diff.sql" >"$work/apply.log" 2>&1; then
            not_ok "$name ($dir): the diff applies" "$(cat "$work/apply.log")" "$out"
            continue
        fi
        run diff "$(conn "$db")" "$to"
        if [ "$rc" = 0 ]; then
            ok "$name ($dir): a + diff(a, b) = b"
        else
            not_ok "$name ($dir): a + diff(a, b) = b" "exit $rc" "left over: $out" "$err" "applied: $(cat "$work/diff.sql")"
        fi
        row_counts >"$work/after"
        kept=$(join "$work/before" "$work/after" | awk '$2 != $3 { print $1 ": " $2 " -> " $3 }')
        if [ -z "$kept" ]; then
            ok "$name ($dir): rows of the tables on both sides are kept"
        else
            not_ok "$name ($dir): rows of the tables on both sides are kept" "$kept"
        fi
    done
}

psql -X -q -d postgres -c "DROP ROLE IF EXISTS pgm_autogen_reader" -c "CREATE ROLE pgm_autogen_reader" >/dev/null
scratch_before=$(scratch_count)

# ------------------------------------------------------------ every kind
for fixture in "$top"/test/fixtures/autogen/*/; do
    name=$(basename "$fixture")
    both_ways "$name" "$fixture/a.sql" "$fixture/b.sql"
done

# ------------------------------------------------------------ random pairs
python3 "$here/gen_schemas.py" --pairs "${AUTOGEN_PAIRS:-12}" --seed 20261204 --out "$work/random"
for pair in "$work"/random/*/; do
    both_ways "random $(basename "$pair")" "$pair/a.sql" "$pair/b.sql"
done

# ------------------------------------------------------------ diff's answers
mkdir -p "$work/s1" "$work/s2"
echo "CREATE TABLE t (id int, a text);" >"$work/s1/1.sql"
cp "$work/s1/1.sql" "$work/same.sql"
run diff "$work/s1" "$work/same.sql"
is "diff of two equal schemas exits 0" "$rc" 0
echo "CREATE TABLE t (id int);" >"$work/s2/1.sql"
run diff "$work/s1" "$work/s2"
is "diff that would drop a column exits 11 without --allow-data-loss" "$rc" 11
expect "the dropping statement is shown commented out" "-- ALTER TABLE public.t DROP COLUMN a;" "$out"
expect "and the reason is given" "loses data" "$out"
run diff --allow-data-loss "$work/s1" "$work/s2"
is "with --allow-data-loss it exits 10" "$rc" 10
expect "and the statement runs" "
ALTER TABLE public.t DROP COLUMN a;" "$out"
expect "the script is one transaction" "BEGIN;" "$out"
echo "CREATE TABLE t (id int, b text);" >"$work/s2/1.sql"
run diff --rename public.t.a=public.t.b "$work/s1" "$work/s2"
is "a rename given with --rename exits 10 (no data loss)" "$rc" 10
expect "and is a RENAME COLUMN" "ALTER TABLE public.t RENAME COLUMN a TO b;" "$out"
echo "CREATE TABLE u (id int, a text);" >"$work/s2/1.sql"
run diff --rename t=u "$work/s1" "$work/s2"
expect "a table rename is a RENAME TO" "ALTER TABLE public.t RENAME TO u;" "$out"
printf 'CREATE TABLE t (id int, a text);\nCREATE INDEX t_a ON t (a);\n' >"$work/s2/1.sql"
run diff --concurrently "$work/s1" "$work/s2"
expect "--concurrently builds an index on an existing table concurrently" "CREATE INDEX CONCURRENTLY t_a ON public.t" "$out"
if printf '%s' "$out" | awk '/^BEGIN;/ { t = 1 } /^COMMIT;/ { t = 0 } /CONCURRENTLY/ && t { bad = 1 } END { exit bad }'; then
    ok "the concurrent build is outside any transaction block"
else
    not_ok "the concurrent build is outside any transaction block" "$out"
fi
printf 'CREATE TABLE t (id int, a text);\nCREATE AGGREGATE mysum (int) (sfunc = int4pl, stype = int);\n' >"$work/s2/1.sql"
run diff "$work/s1" "$work/s2"
is "an object no statement is generated for exits 11" "$rc" 11
expect "and is named in a comment" "-- aggregate public.mysum(integer): creating this kind of object is not generated" "$out"

# ------------------------------------------------------------ bad input
mkdir -p "$work/bad"
printf 'CREATE TABLE ok1 (id int);\n\nCREATE TABLE broken (id int,\n  oops oops oops);\n' >"$work/bad/01_broken.sql"
run diff "$work/s1" "$work/bad"
is "a declared file that does not run exits 5" "$rc" 5
expect "the error names the file and its line" "01_broken.sql\", line 4" "$err"
run diff "$work/s1" "$work/nowhere"
expect "an unknown side is taken for a revision, and the error says so" "nowhere" "$err"
is "every scratch database is dropped, after errors too" "$(scratch_count)" "$scratch_before"

# ------------------------------------------------------------ the AsyncTaskAPI flow
proj="$work/project"
mkdir -p "$proj"
cp -r "$top/migrations" "$top/schema" "$proj/"
run --dir "$proj/migrations" check --schema-dir "$proj/schema"
is "the shipped schema/ matches the shipped migrations at head" "$rc" 0
sed -i 's/^    user_id     bigint,$/    user_id     bigint,\n    priority    integer NOT NULL DEFAULT 0,/' "$proj/schema/02_task.sql"
echo "CREATE INDEX task_priority_idx ON task (priority);" >>"$proj/schema/02_task.sql"
run --dir "$proj/migrations" check --schema-dir "$proj/schema"
is "after editing schema/, check --schema-dir exits 12" "$rc" 12
expect "and prints what is missing" "ADD COLUMN priority" "$out"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${db}_flow" -c "CREATE DATABASE ${db}_flow" >/dev/null
psql -X -q -d "${db}_flow" -c "CREATE EXTENSION pg_migrate" >/dev/null
mk() {
    out=$(env MIGRATIONS_DIR="$proj/migrations" SCHEMA_DIR="$proj/schema" PGDATABASE="${db}_flow" \
        PG_MIGRATE="$PGM" make -s --no-print-directory -C "$top" "$@" 2>&1)
    rc=$?
}
mk upgrade-revision m=add_task_priority
newfile=$(ls "$proj/migrations" | grep add_task_priority || true)
if [ "$rc" = 0 ] && [ -n "$newfile" ]; then
    ok "make upgrade-revision m=add_task_priority writes a generated revision"
else
    not_ok "make upgrade-revision m=add_task_priority writes a generated revision" "exit $rc" "$out"
fi
rev="$proj/migrations/$newfile"
expect "its upgrade adds the column" "ADD COLUMN priority integer DEFAULT 0 NOT NULL" "$(cat "$rev" 2>/dev/null)"
expect "its upgrade builds the index" "CREATE INDEX task_priority_idx" "$(cat "$rev" 2>/dev/null)"
expect "its downgrade drops the column" "DROP COLUMN priority" "$(cat "$rev" 2>/dev/null)"
expect "the lint rules' findings on the upgrade are written above it" "-- lint PM001, statement 2:" "$(cat "$rev" 2>/dev/null)"
mk migrate
is "make migrate applies it" "$rc" 0
mk migrate-check
is "make migrate-check passes" "$rc" 0
is "the column is there" "$(psql -X -A -t -q -d "${db}_flow" -c "SELECT count(*) FROM pg_attribute WHERE attrelid = 'task'::regclass AND attname = 'priority'")" 1
run --dir "$proj/migrations" check --schema-dir "$proj/schema"
is "check --schema-dir passes again" "$rc" 0
run --dir "$proj/migrations" revision --autogenerate --schema-dir "$proj/schema" -m again
is "with nothing to change, revision --autogenerate exits 0" "$rc" 0
expect "and says so" "No changes detected." "$out"
is "and writes nothing" "$(ls "$proj/migrations" | wc -l)" 4
run -d "${db}_flow" --dir "$proj/migrations" downgrade -1
is "the generated downgrade runs" "$rc" 0
is "and removes the column" "$(psql -X -A -t -q -d "${db}_flow" -c "SELECT count(*) FROM pg_attribute WHERE attrelid = 'task'::regclass AND attname = 'priority' AND NOT attisdropped")" 0

# a declared change that loses data needs --allow-data-loss
sed -i '/^    priority    integer NOT NULL DEFAULT 0,$/d; /task_priority_idx/d' "$proj/schema/02_task.sql"
sed -i 's/^    payload     jsonb NOT NULL DEFAULT .{}.,$//' "$proj/schema/02_task.sql"
run --dir "$proj/migrations" revision --autogenerate --schema-dir "$proj/schema" -m drop_payload
is "an upgrade that loses data is refused without --allow-data-loss" "$rc" 11
expect "the refusal names the statement" "DROP COLUMN payload" "$err"
is "and nothing is written" "$(ls "$proj/migrations" | wc -l)" 4
run --dir "$proj/migrations" revision --autogenerate --allow-data-loss --schema-dir "$proj/schema" -m drop_payload
is "with --allow-data-loss the revision is written" "$rc" 0

# a declared schema the statements cannot reach: nothing is written
echo "CREATE AGGREGATE mysum (int) (sfunc = int4pl, stype = int);" >"$proj/schema/03_agg.sql"
before=$(ls "$proj/migrations" | wc -l)
run --dir "$proj/migrations" revision --autogenerate --schema-dir "$proj/schema" -m agg
is "a schema the generator cannot reach fails the proof (exit 9)" "$rc" 9
is "and writes no file" "$(ls "$proj/migrations" | wc -l)" "$before"
is "no scratch database is left behind" "$(scratch_count)" "$scratch_before"

echo "1..$n"
[ "$failures" -eq 0 ]
