# test/client/scopeoutside.sh
#     Client tests of non-transactional revisions in tenant schemas: CREATE
#     INDEX CONCURRENTLY in a revision of every run (no "-- scope:" line)
#     applied to four schemas with --scopes -j 2, each index valid in its
#     own schema (the statements run with search_path set to the tenant
#     schema) and each step in the scope's version rows and journal; a
#     statement failing in one tenant leaves that tenant interrupted and
#     blocks it alone (the other tenants, a downgrade of another tenant and
#     the shared run of the same revision go on); the client holds the
#     scope's own lock while it runs; resolve --scope settles it, and a
#     rerun does only what is left.
#
# Sourced by test/client/run.sh, whose helpers (run, expect_rc, expect, is,
# q, ok, not_ok) and counters it uses; works in database $dbso (created
# here, dropped by run.sh's cleanup) and directory $work/scopeout.

sodir=$work/scopeout
mkdir -p "$sodir"
cat >"$sodir/n001_item.sql" <<'EOF'
-- revision: n001
-- message: items
-- migrate:upgrade
CREATE TABLE item (id int, note text);
-- migrate:downgrade
DROP TABLE item;
EOF
cat >"$sodir/n002_index.sql" <<'EOF'
-- revision: n002
-- revises: n001
-- message: index items concurrently
-- transactional: false
-- migrate:upgrade
CREATE INDEX CONCURRENTLY item_id ON item (id);
CREATE INDEX CONCURRENTLY item_note ON item (note);
-- migrate:downgrade
DROP INDEX CONCURRENTLY item_note;
DROP INDEX CONCURRENTLY item_id;
EOF
cat >"$sodir/n003_price.sql" <<'EOF'
-- revision: n003
-- revises: n002
-- message: prices
-- migrate:upgrade
ALTER TABLE item ADD COLUMN price numeric;
-- migrate:downgrade
ALTER TABLE item DROP COLUMN price;
EOF

if ! psql -X -q -d postgres -c "CREATE DATABASE \"$dbso\"" ||
    ! q "$dbso" "CREATE EXTENSION pg_migrate; CREATE SCHEMA tx_a; CREATE SCHEMA tx_b;
        CREATE SCHEMA tx_c; CREATE SCHEMA tx_d" >/dev/null; then
    not_ok "create the database of non-transactional tenant revisions"
else
# so_valid: per tenant schema, its valid indexes on item, name order
so_valid() {
    q "$dbso" "SELECT string_agg(n.nspname || ':' || coalesce((SELECT string_agg(c.relname, '+' ORDER BY c.relname)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = to_regclass(quote_ident(n.nspname) || '.item') AND i.indisvalid), ''), ' ' ORDER BY n.nspname)
        FROM pg_namespace n WHERE n.nspname LIKE 'tx\_%'"
}

# tx_c will fail at the second statement: an index of that name exists
q "$dbso" "CREATE TABLE tx_c.item_note (x int)" >/dev/null

run -d "$dbso" --dir "$sodir" --scopes 'tx\_%' -j 2 upgrade
expect_rc "scoped non-transactional: --scopes -j 2 with one failing tenant exits 1" 1
expect "scoped non-transactional: the failing tenant's line" \
    'failed      tx_c: relation "item_note" already exists' "$out"
expect "scoped non-transactional: its hint names the scope" \
    'pg_migrate --scope tx_c resolve n002 applied' "$out"
expect "scoped non-transactional: the closing count" \
    "4 target(s): 3 done, 1 failed, 0 skipped, 0 not started" "$out"
is "scoped non-transactional: both indexes valid in each of the three tenants, the first only in tx_c" \
    "$(so_valid)" "tx_a:item_id+item_note tx_b:item_id+item_note tx_c:item_id tx_d:item_id+item_note"
is "scoped non-transactional: no index landed outside the tenant schemas" \
    "$(q "$dbso" "SELECT count(*) FROM pg_class WHERE relname IN ('item_id', 'item_note')
        AND relnamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname LIKE 'tx\_%')")" "0"
is "scoped non-transactional: version rows per scope" \
    "$(q "$dbso" "SELECT string_agg(scope || '=' || revision, ' ' ORDER BY scope) FROM migrate.version")" \
    "tx_a=n003 tx_b=n003 tx_c=n001 tx_d=n003"
is "scoped non-transactional: the journal of each scope has the client-run step" \
    "$(q "$dbso" "SELECT string_agg(scope || ':' || n, ' ' ORDER BY scope) FROM (SELECT scope, string_agg(revision, ',' ORDER BY id) AS n
        FROM migrate.journal GROUP BY scope) j")" \
    "tx_a:n001,n002,n003 tx_b:n001,n002,n003 tx_c:n001 tx_d:n001,n002,n003"
is "scoped non-transactional: the interrupted step is tx_c's only" \
    "$(q "$dbso" "SELECT scope || '|' || revision || '|' || done || '|' || failed_statement FROM migrate.interrupted")" \
    "tx_c|n002|1|2"

run -d "$dbso" --dir "$sodir" --scopes 'tx\_%' status
is "scoped non-transactional: status shows tx_c interrupted" \
    "$(printf '%s\n' "$out" | awk '$1 == "tx_c" { print $2, $NF }')" "interrupted 1"
is "scoped non-transactional: and the others current" \
    "$(printf '%s\n' "$out" | awk '$2 == "current" { printf "%s ", $1 }')" "tx_a tx_b tx_d "
run -d "$dbso" --dir "$sodir" --scope tx_c upgrade
expect_rc "scoped non-transactional: tx_c is blocked" 1
expect "scoped non-transactional: by its interrupted step, resolved in its scope" \
    "migrate_resolve('n002', 'applied', 'tx_c')" "$err"

# another tenant goes on: a downgrade runs the DROP INDEX CONCURRENTLY
run -d "$dbso" --dir "$sodir" --scope tx_a downgrade n001
expect_rc "scoped non-transactional: tx_a downgrades past n002 meanwhile" 0
expect "scoped non-transactional: which says so" 'scope "tx_a": 2 revision(s) reverted' "$out"
is "scoped non-transactional: tx_a lost its indexes, the others kept theirs" \
    "$(so_valid)" "tx_a: tx_b:item_id+item_note tx_c:item_id tx_d:item_id+item_note"
run -d "$dbso" --dir "$sodir" upgrade
expect_rc "scoped non-transactional: the shared run is not blocked" 0
expect "scoped non-transactional: it runs the same non-transactional revision itself" \
    "3 revision(s) applied" "$out"
is "scoped non-transactional: in its own schema" \
    "$(q "$dbso" "SELECT string_agg(indexrelid::regclass::text, ',' ORDER BY indexrelid::regclass::text) FROM pg_index WHERE indrelid = 'public.item'::regclass AND indisvalid")" \
    "item_id,item_note"

# the client holds the scope's lock: hold it elsewhere, and the run waits
psql -X -q -d "$dbso" -c "SELECT pg_advisory_lock(1886221155, pg_catalog.hashtext('tx_a'));
    SELECT pg_sleep(20)" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 50); do
    [ "$(q "$dbso" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1886221155 AND granted")" = 1 ] && break
    sleep 0.1
done
out=$(PGOPTIONS="-c lock_timeout=1s" "$PGM" -d "$dbso" --dir "$sodir" --scope tx_a upgrade 2>"$work/stderr")
rc=$?; err=$(cat "$work/stderr")
expect_rc "scoped non-transactional: a run of a scope whose lock is held elsewhere waits (here: times out)" 1
expect "scoped non-transactional: on the lock" "lock timeout" "$err"
run -d "$dbso" --dir "$sodir" --scope tx_b downgrade n001
expect_rc "scoped non-transactional: another scope's run does not wait for it" 0
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
q "$dbso" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null

# resolve tx_c: the first statement is undone by hand
run -d "$dbso" --dir "$sodir" resolve n002 not-applied
expect_rc "scoped non-transactional: resolve without --scope finds nothing to resolve" 1
q "$dbso" "DROP INDEX tx_c.item_id; DROP TABLE tx_c.item_note" >/dev/null
run -d "$dbso" --dir "$sodir" --scope tx_c resolve n002 not-applied
expect_rc "scoped non-transactional: resolve --scope succeeds" 0
is "scoped non-transactional: and says what it did" "$out" 'scope "tx_c": resolved: n002 not applied'
is "scoped non-transactional: the note is gone, the resolve journaled in tx_c" \
    "$(q "$dbso" "SELECT (SELECT count(*) FROM migrate.interrupted) || '|' ||
        (SELECT count(*) FROM migrate.journal WHERE scope = 'tx_c' AND operation = 'resolve')")" "0|1"

# a rerun does only what is left
run -d "$dbso" --dir "$sodir" --scopes 'tx\_%' -j 2 upgrade
expect_rc "scoped non-transactional: the rerun succeeds" 0
expect "scoped non-transactional: tx_d had nothing to do" "ok          tx_d: nothing to upgrade" "$out"
expect "scoped non-transactional: tx_c did the two left" "ok          tx_c: 2 revision(s) applied" "$out"
is "scoped non-transactional: every tenant has both indexes, valid" \
    "$(so_valid)" "tx_a:item_id+item_note tx_b:item_id+item_note tx_c:item_id+item_note tx_d:item_id+item_note"
is "scoped non-transactional: every tenant at n003" \
    "$(q "$dbso" "SELECT string_agg(scope || '=' || revision, ' ' ORDER BY scope) FROM migrate.version WHERE scope <> ''")" \
    "tx_a=n003 tx_b=n003 tx_c=n003 tx_d=n003"
fi
