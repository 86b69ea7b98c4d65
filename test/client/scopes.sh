# test/client/scopes.sh
#     Client tests of tenant schemas: 50 schemas brought to head with
#     --scopes and -j, each with its tables; a "-- scope: shared" revision
#     run once, by the shared run only; migrate_scopes() reporting all of
#     them at head; one tenant downgraded with --scope while the others stay;
#     a new tenant created by its first upgrade; a rerun doing only what is
#     left; the usage errors.
#
# Sourced by test/client/run.sh, whose helpers (run, expect_rc, expect, is,
# q, ok, not_ok) and counters it uses; works in database $dbsc (created
# here, dropped by run.sh's cleanup) and directory $work/scopes.

scdir=$work/scopes
mkdir -p "$scdir"
cat >"$scdir/s001_account.sql" <<'EOF'
-- revision: s001
-- message: accounts
-- migrate:upgrade
CREATE TABLE account (id int PRIMARY KEY, name text NOT NULL);
-- migrate:downgrade
DROP TABLE account;
EOF
cat >"$scdir/s002_shared.sql" <<'EOF'
-- revision: s002
-- revises: s001
-- message: the tenant directory
-- scope: shared
-- migrate:upgrade
CREATE TABLE public.shared_runs (at timestamptz NOT NULL DEFAULT now());
INSERT INTO public.shared_runs DEFAULT VALUES;
-- migrate:downgrade
DROP TABLE public.shared_runs;
EOF
cat >"$scdir/s003_invoice.sql" <<'EOF'
-- revision: s003
-- revises: s002
-- message: invoices
-- scope: tenant
-- migrate:upgrade
CREATE TABLE invoice (id int PRIMARY KEY, account_id int NOT NULL REFERENCES account);
-- migrate:downgrade
DROP TABLE invoice;
EOF
cat >"$scdir/s004_email.sql" <<'EOF'
-- revision: s004
-- revises: s003
-- message: account email
-- migrate:upgrade
ALTER TABLE account ADD COLUMN email text;
-- migrate:downgrade
ALTER TABLE account DROP COLUMN email;
EOF

if ! psql -X -q -d postgres -c "CREATE DATABASE \"$dbsc\""; then
    not_ok "create the scopes scratch database"
else
q "$dbsc" "CREATE EXTENSION pg_migrate;
    SELECT count(*) FROM (SELECT pg_catalog.set_config('search_path', 'public', false)) s;
    DO \$\$BEGIN FOR i IN 1..50 LOOP EXECUTE format('CREATE SCHEMA %I', 'tenant_' || lpad(i::text, 2, '0')); END LOOP; END\$\$;
    CREATE SCHEMA other;" >/dev/null

# the shared run first: the shared revision runs, the tenant one does not
run -d "$dbsc" --dir "$scdir" upgrade
expect_rc "scopes: the shared upgrade" 0
is "scopes: the shared run made the shared table and ran s002 once, not the tenant table" \
    "$(q "$dbsc" "SELECT (SELECT count(*) FROM public.shared_runs) || '|' || (to_regclass('public.invoice') IS NULL)")" \
    "1|true"

# every tenant_NN schema, two at a time
run -d "$dbsc" --dir "$scdir" --scopes 'tenant\_%' -j 2 upgrade head
expect_rc "scopes: --scopes -j 2 upgrade of 50 tenant schemas" 0
expect "scopes: one line per tenant schema" "tenant_50" "$out"
is "scopes: each of the 50 schemas has its tables, with s004's column" \
    "$(q "$dbsc" "SELECT count(*) FROM pg_namespace n WHERE n.nspname LIKE 'tenant\_%'
        AND to_regclass(quote_ident(n.nspname) || '.invoice') IS NOT NULL
        AND EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(quote_ident(n.nspname) || '.account')
                    AND attname = 'email')")" \
    "50"
is "scopes: the shared-only revision ran once in all, and in no tenant schema" \
    "$(q "$dbsc" "SELECT (SELECT count(*) FROM public.shared_runs) || '|' ||
        (SELECT count(*) FROM pg_class WHERE relname = 'shared_runs')")" \
    "1|1"
is "scopes: the schema not matching the pattern was left alone" \
    "$(q "$dbsc" "SELECT count(*) FROM pg_class WHERE relnamespace = 'other'::regnamespace")" "0"
is "scopes: migrate_scopes() reports all 50 at head, nothing pending" \
    "$(q "$dbsc" "SELECT count(*) FILTER (WHERE current = '{s004}' AND pending = 0 AND schema_exists) || '/' || count(*) FROM migrate_scopes()")" \
    "50/50"
is "scopes: each tenant's journal has its four steps" \
    "$(q "$dbsc" "SELECT count(DISTINCT scope) || '|' || count(*) FROM migrate.journal WHERE scope LIKE 'tenant\_%'")" \
    "50|200"

# one tenant goes back; the others stay
run -d "$dbsc" --dir "$scdir" --scope tenant_07 downgrade s002
expect_rc "scopes: --scope downgrade of one tenant" 0
expect "scopes: the downgrade says what it did" 'scope "tenant_07": 2 revision(s) reverted' "$out"
run -d "$dbsc" --dir "$scdir" --scope tenant_07 current
is "scopes: current --scope shows the tenant's revision" "$out" "s002"
is "scopes: tenant_07 lost invoice and email, the 49 others kept theirs" \
    "$(q "$dbsc" "SELECT (to_regclass('tenant_07.invoice') IS NULL) || '|' ||
        (SELECT count(*) FROM pg_namespace n WHERE n.nspname LIKE 'tenant\_%'
         AND to_regclass(quote_ident(n.nspname) || '.invoice') IS NOT NULL)")" \
    "true|49"
is "scopes: the shared run is untouched" \
    "$(q "$dbsc" "SELECT string_agg(c, ',') FROM migrate_current() c")" "s004"
run -d "$dbsc" --dir "$scdir" --scopes 'tenant\_0%' check
expect_rc "scopes: check --scopes exits 6 when a tenant is behind" 6
expect "scopes: check names the tenant behind" "tenant_07" "$out"

# a new tenant: its first upgrade creates the schema
run -d "$dbsc" --dir "$scdir" --scope newco upgrade
expect_rc "scopes: upgrade of a tenant whose schema does not exist" 0
expect "scopes: the upgrade of the new tenant ran three and recorded one" \
    'scope "newco": 3 revision(s) applied, 1 recorded without running' "$out"
is "scopes: newco was created with its tables" \
    "$(q "$dbsc" "SELECT to_regclass('newco.invoice') IS NOT NULL")" "t"

# a rerun does only what is left
run -d "$dbsc" --dir "$scdir" --scopes 'tenant\_%' upgrade
expect_rc "scopes: rerun of --scopes upgrade" 0
is "scopes: the rerun applied only tenant_07's two revisions" \
    "$(q "$dbsc" "SELECT count(*) FROM migrate.journal WHERE scope LIKE 'tenant\_%'")" "204"
is "scopes: all 51 scopes at head" \
    "$(q "$dbsc" "SELECT count(*) FROM migrate_scopes() WHERE pending = 0")" "51"

# a no-op in one tenant writes nothing: no sync row rewritten, so it does
# not wait for a commit, nor hold the migration lock that other tenants share
sleep 1.1
run -d "$dbsc" --dir "$scdir" --scope tenant_01 upgrade head
before=$(q "$dbsc" "SELECT string_agg(synced_at::text, ',') FROM migrate.sync")
run -d "$dbsc" --dir "$scdir" --scope tenant_01 upgrade head
expect_rc "scopes: a no-op upgrade of one tenant succeeds" 0
is "scopes: and rewrites no sync row" \
    "$(q "$dbsc" "SELECT string_agg(synced_at::text, ',') FROM migrate.sync")" "$before"

# usage errors
run -d "$dbsc" --dir "$scdir" --scope tenant_01 history
expect_rc "scopes: --scope with a verb that takes none is a usage error" 2
run -d "$dbsc" --dir "$scdir" --scope tenant_01 --scopes 'tenant%' upgrade
expect_rc "scopes: --scope and --scopes together are a usage error" 2
run -d "$dbsc" --dir "$scdir" --scopes 'nosuch%' upgrade
expect_rc "scopes: a pattern matching no schema is a usage error" 2
expect "scopes: which says so" 'no schema matches "nosuch%"' "$err"
run -d "$dbsc" --dir "$scdir" --scope pg_catalog upgrade
expect_rc "scopes: a system schema is refused by the server" 1
expect "scopes: with its reason" 'schema "pg_catalog" cannot be a scope' "$err"
fi
