# test/client/scopefleet.sh
#     Client tests of the tenant schemas of many databases: --scopes with
#     --databases and --targets.  Three databases of three tenant schemas
#     each, and one with the extension but no tenant schema: every pair
#     upgraded with -j 2, each schema's tables and version rows checked per
#     database; a failure in one pair stops only that pair; a rerun does
#     only what is left; --fail-fast stops the run at the first failed pair;
#     status (table and JSON) lists each pair, and the database without a
#     tenant schema is reported, not a failure.
#
# Sourced by test/client/run.sh, whose helpers (run, expect_rc, expect, is,
# q, ok, not_ok) and counters it uses; works in databases $sfdb1..$sfdb4
# (created here, dropped by run.sh's cleanup) and directory $work/sfleet.

sfdir=$work/sfleet
mkdir -p "$sfdir"
# the LIKE pattern of the four databases: "_" escaped
sfpat="$(printf '%s' "pgm_client_$$_sf" | sed 's/_/\\_/g')%"
cat >"$sfdir/f001_account.sql" <<'EOF'
-- revision: f001
-- message: accounts
-- migrate:upgrade
CREATE TABLE account (id int PRIMARY KEY);
-- migrate:downgrade
DROP TABLE account;
EOF
cat >"$sfdir/f002_invoice.sql" <<'EOF'
-- revision: f002
-- revises: f001
-- message: invoices
-- migrate:upgrade
CREATE TABLE invoice (id int PRIMARY KEY, account_id int NOT NULL REFERENCES account);
-- migrate:downgrade
DROP TABLE invoice;
EOF

sf_ready=true
for db in "$sfdb1" "$sfdb2" "$sfdb3" "$sfdb4"; do
    if ! psql -X -q -d postgres -c "CREATE DATABASE \"$db\"" ||
        ! q "$db" "CREATE EXTENSION pg_migrate; CREATE SCHEMA other" >/dev/null; then
        sf_ready=false
    fi
done
for db in "$sfdb1" "$sfdb2" "$sfdb3"; do
    q "$db" "CREATE SCHEMA tn_a; CREATE SCHEMA tn_b; CREATE SCHEMA tn_c" >/dev/null || sf_ready=false
done
if ! $sf_ready; then
    not_ok "create the databases of tenant schemas"
else
# one pair will fail: its schema has an invoice table already
q "$sfdb2" "CREATE TABLE tn_b.invoice (x int)" >/dev/null

# sf_row TEXT FIRST [SECOND]: the row of a table in TEXT whose first
# columns are FIRST (and SECOND), its fields separated by one space
sf_row() {
    printf '%s\n' "$1" | awk -v a="$2" -v b="${3:-}" \
        '$1 == a && (b == "" || $2 == b) { $1 = $1; print; exit }'
}
# sf_json SQL: one value from SQL that reads the JSON in $out as :'j'
sf_json() {
    printf '%s\n' "$1" | psql -X -A -t -q -d postgres -v j="$out"
}
# sf_count SQL: the sum over the three databases of a count
sf_count() {
    local total=0 db v
    for db in "$sfdb1" "$sfdb2" "$sfdb3"; do
        v=$(q "$db" "$1")
        total=$((total + v))
    done
    echo "$total"
}
# sf_per_db SQL: one value per database, comma-separated
sf_per_db() {
    local db res=""
    for db in "$sfdb1" "$sfdb2" "$sfdb3"; do
        res="$res${res:+,}$(q "$db" "$1")"
    done
    echo "$res"
}

run -d postgres --dir "$sfdir" --databases "$sfpat" --scopes 'tn\_%' -j 2 upgrade
expect_rc "scope pairs: -j 2 upgrade of 3 databases x 3 schemas with one failing pair exits 1" 1
expect "scope pairs: the failed pair's line names database and scope" \
    "failed      $sfdb2/tn_b: relation \"invoice\" already exists" "$out"
is "scope pairs: the summary has a database and a scope column" \
    "$(sf_row "$out" database)" "database scope outcome seconds detail"
is "scope pairs: the failed pair in the summary" \
    "$(sf_row "$out" "$sfdb2" tn_b | cut -d' ' -f1-3)" "$sfdb2 tn_b failed"
is "scope pairs: the database without a tenant schema is reported, skipped" \
    "$(sf_row "$out" "$sfdb4" | cut -d' ' -f1-3)" "$sfdb4 - skipped"
expect "scope pairs: with the reason" 'no schema matches "tn\_%"' "$out"
expect "scope pairs: the closing count" \
    "10 target(s): 8 done, 1 failed, 1 skipped, 0 not started" "$out"
is "scope pairs: 8 of the 9 schemas have both tables" \
    "$(sf_count "SELECT count(*) FROM pg_namespace n WHERE n.nspname LIKE 'tn\_%'
        AND to_regclass(quote_ident(n.nspname) || '.account') IS NOT NULL
        AND EXISTS (SELECT FROM pg_constraint WHERE conname = 'invoice_account_id_fkey'
                    AND connamespace = n.oid)")" "8"
is "scope pairs: version rows at f002 per database (the failed pair rolled back to base)" \
    "$(sf_per_db "SELECT string_agg(scope || '=' || revision, ' ' ORDER BY scope) FROM migrate.version WHERE scope LIKE 'tn\_%'")" \
    "tn_a=f002 tn_b=f002 tn_c=f002,tn_a=f002 tn_c=f002,tn_a=f002 tn_b=f002 tn_c=f002"
is "scope pairs: the schema not matching and the shared run were left alone" \
    "$(sf_count "SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'other'::regnamespace)
        + (SELECT count(*) FROM migrate.version WHERE scope = '')")" "0"
is "scope pairs: each database's files were registered (once, before its pairs)" \
    "$(sf_per_db "SELECT count(*) FROM migrate.revision")" "2,2,2"

run -d postgres --dir "$sfdir" --databases "$sfpat" --scopes 'tn\_%' status --format=json
expect_rc "scope pairs: status --format=json exits 0" 0
is "scope pairs: the JSON lists each of the 9 pairs with its database and scope" \
    "$(sf_json "SELECT count(*) || '|' || count(DISTINCT (e->>'database', e->>'scope'))
        || '|' || count(*) FILTER (WHERE e->>'target' = (e->>'database') || '/' || (e->>'scope'))
        FROM jsonb_array_elements(:'j'::jsonb) e WHERE e->>'scope' IS NOT NULL")" "9|9|9"
is "scope pairs: the failed pair is behind, the others current" \
    "$(sf_json "SELECT string_agg(e->>'scope' || ':' || (e->>'state'), ',')
        FROM jsonb_array_elements(:'j'::jsonb) e WHERE e->>'database' = '$sfdb2'")" \
    "tn_a:current,tn_b:behind,tn_c:current"
is "scope pairs: the database without a tenant schema is listed as skipped" \
    "$(sf_json "SELECT e->>'state' || '|' || (e->>'detail')
        FROM jsonb_array_elements(:'j'::jsonb) e WHERE e->>'database' = '$sfdb4'")" \
    'skipped|no schema matches "tn\_%"'
run -d postgres --dir "$sfdir" --databases "$sfpat" --scopes 'tn\_%' status
is "scope pairs: the status table has database and scope columns" \
    "$(sf_row "$out" database)" "database scope state current heads pending drifted interrupted"
is "scope pairs: and the pair behind" "$(sf_row "$out" "$sfdb2" tn_b)" \
    "$sfdb2 tn_b behind <base> f002 2 0 0"
is "scope pairs: and the database without a tenant schema" \
    "$(sf_row "$out" "$sfdb4")" "$sfdb4 - skipped no schema matches \"tn\\_%\""

# fix the failed pair; the rerun does only what is left
q "$sfdb2" "DROP TABLE tn_b.invoice" >/dev/null
run -d postgres --dir "$sfdir" --databases "$sfpat" --scopes 'tn\_%' -j 2 upgrade
expect_rc "scope pairs: the rerun succeeds" 0
expect "scope pairs: the fixed pair did its two revisions" \
    "ok          $sfdb2/tn_b: 2 revision(s) applied" "$out"
is "scope pairs: the other 8 pairs had nothing to do" \
    "$(printf '%s\n' "$out" | grep -c '^ok  .*: nothing to upgrade')" "8"
is "scope pairs: each schema's journal has its two steps, no more" \
    "$(sf_per_db "SELECT count(*) FROM migrate.journal WHERE scope LIKE 'tn\_%'")" "6,6,6"

# --fail-fast: the first pair fails, nothing more starts
cat >"$sfdir/f003_email.sql" <<'EOF'
-- revision: f003
-- revises: f002
-- message: account email
-- migrate:upgrade
ALTER TABLE account ADD COLUMN email text;
-- migrate:downgrade
ALTER TABLE account DROP COLUMN email;
EOF
q "$sfdb1" "ALTER TABLE tn_a.account ADD COLUMN email text" >/dev/null
run -d postgres --dir "$sfdir" --databases "$sfpat" --scopes 'tn\_%' --fail-fast upgrade
expect_rc "scope pairs: --fail-fast exits 1" 1
expect "scope pairs: --fail-fast leaves the rest not started" \
    "10 target(s): 0 done, 1 failed, 1 skipped, 8 not started" "$out"
is "scope pairs: no schema got f003" \
    "$(sf_count "SELECT count(*) FROM migrate.version WHERE revision = 'f003'")" "0"
run -d postgres --dir "$sfdir" --databases "$sfpat" --scopes 'tn\_%' -j 2 --canary 1 upgrade
expect_rc "scope pairs: --canary 1 with the first pair failing exits 1" 1
expect "scope pairs: the canary's failure stops the other pairs" \
    "1 of 1 canary target(s) failed; the other 8 target(s) were not started" "$err"

# --targets: two of the databases, as connection strings
printf '# two of the fleet\ndbname=%s\n\ndbname=%s\n' "$sfdb2" "$sfdb3" >"$sfdir/targets"
run -d postgres --dir "$sfdir" --targets "$sfdir/targets" --scopes 'tn\_%' -j 2 --canary 2 upgrade
expect_rc "scope pairs: --targets with --canary 2 upgrades 6 pairs" 0
expect "scope pairs: the pairs of --targets are labelled by their line" \
    "ok          $sfdb3/tn_c: 1 revision(s) applied" "$out"
is "scope pairs: f003 in the 6 schemas of the two targets, not in the first database" \
    "$(sf_per_db "SELECT count(*) FROM migrate.version WHERE revision = 'f003'")" "0,3,3"
q "$sfdb1" "ALTER TABLE tn_a.account DROP COLUMN email" >/dev/null
run -d postgres --dir "$sfdir" --databases "$sfpat" --scopes 'tn\_%' check
expect_rc "scope pairs: check exits 6 while the first database's pairs are behind" 6
expect "scope pairs: check names a pair behind" "pending     $sfdb1/tn_a" "$out"
run -d postgres --dir "$sfdir" --databases "$sfpat" --scopes 'tn\_%' -j 2 upgrade
expect_rc "scope pairs: the last rerun brings every pair to head" 0
is "scope pairs: every schema of the three databases at f003" \
    "$(sf_count "SELECT count(*) FROM migrate.version WHERE scope LIKE 'tn\_%' AND revision = 'f003'")" "9"

# on a terminal (script(1) gives the run one): a progress bar over the
# pairs instead of a line each, then the summary
printf '%s\n' "exec \"\$PGM\" -d postgres --dir '$sfdir' --databases '$sfpat' --scopes 'tn\\_%' -j 2 upgrade" \
    >"$sfdir/tty.sh"
script -qec "PGM='$PGM' bash '$sfdir/tty.sh'" /dev/null >"$sfdir/tty.out" 2>&1
rc=$?
out=$(tr '\r' '\n' <"$sfdir/tty.out")
err=""
expect_rc "scope pairs on a terminal: the no-op upgrade succeeds" 0
expect "scope pairs on a terminal: the bar counts the nine pairs done" \
    "done 9  failed 0  running 0  waiting 0" "$out"
expect "scope pairs on a terminal: the bar shows an ETA" "ETA " "$out"
expect_not "scope pairs on a terminal: no line per pair" "ok          $sfdb1/tn_a" "$out"
expect "scope pairs on a terminal: the summary follows" \
    "10 target(s): 9 done, 0 failed, 1 skipped" "$out"

# status --all-databases: the same nine pairs, whatever else the server holds
run -d postgres --dir "$sfdir" --all-databases --scopes 'tn\_%' status --format=json
expect_rc "scope pairs: status --all-databases --scopes exits 0" 0
is "scope pairs: status --all-databases lists the nine pairs, all current" \
    "$(sf_json "SELECT count(*) FILTER (WHERE e->>'state' = 'current') || '/' || count(*)
        FROM jsonb_array_elements(:'j'::jsonb) e WHERE e->>'scope' IS NOT NULL")" "9/9"

# a database of --targets without the extension is a failure, not skipped
printf 'dbname=%s\ndbname=postgres\n' "$sfdb3" >"$sfdir/targets2"
run -d postgres --dir "$sfdir" --targets "$sfdir/targets2" --scopes 'tn\_%' upgrade
expect_rc "scope pairs: a target without the extension fails the run" 1
is "scope pairs: which the summary shows" "$(sf_row "$out" postgres | cut -d' ' -f1-3)" "postgres - failed"
fi
