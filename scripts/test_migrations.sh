#!/usr/bin/env bash
# scripts/test_migrations.sh - try a revision set up, down and up again on scratch data
#
# Usage: test_migrations.sh [--dir DIR] [--data FILE | --no-data]
#                           [--data-revision REV] [--allow-data-loss] [--keep]
#                           [--no-verify | --verify-strict]
#
# In a scratch database (created here, dropped at the end unless --keep):
#   1. create the pg_migrate extension and send the revision files of DIR
#      (default ./migrations);
#   2. upgrade to the revision the sample data was written for (its
#      "-- revision: REV" comment, or --data-revision) and load FILE
#      (default scripts/sample_data.sql when DIR is the default);
#   3. verify (pg_migrate verify, migrate_verify()): each revision, those
#      up to the data's revision before step 2 and the others on the sample
#      data, is upgraded, downgraded, compared with the schema before it,
#      and upgraded again, all rolled back; none may be irreversible or
#      fail (with --verify-strict, none may lack a downgrade either;
#      --no-verify skips the step);
#   4. upgrade to head; every table that had rows must still have them
#      (unless --allow-data-loss) and nothing may be pending;
#   5. downgrade to base; no revision may stay applied and the schema must
#      be what it was before step 2;
#   6. upgrade to head again; the schema must be what step 4 left.
# Prints one line per step.  The maintenance database used to create and
# drop the scratch one is $PGDATABASE, else "postgres".
#
# Connection: the usual PG* variables, or DB_HOST, DB_PORT, DB_USER,
# DB_NAME and DB_PASSWORD for unset ones.
#
# Exit status: 0 every step passed, 1 a step failed, 2 usage error,
# 3 the scratch database could not be created.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

dir=migrations
data=default
data_rev=
allow_loss=false
keep=false
verify=on
while [ "$#" -gt 0 ]; do
    case "$1" in
        -h | --help) pgm_usage; exit 0 ;;
        --dir) [ "$#" -ge 2 ] || pgm_die 2 "option --dir needs a value"; dir="$2"; shift 2 ;;
        --dir=*) dir="${1#--dir=}"; shift ;;
        --data) [ "$#" -ge 2 ] || pgm_die 2 "option --data needs a value"; data="$2"; shift 2 ;;
        --data=*) data="${1#--data=}"; shift ;;
        --no-data) data=; shift ;;
        --data-revision) [ "$#" -ge 2 ] || pgm_die 2 "option --data-revision needs a value"; data_rev="$2"; shift 2 ;;
        --data-revision=*) data_rev="${1#--data-revision=}"; shift ;;
        --allow-data-loss) allow_loss=true; shift ;;
        --keep) keep=true; shift ;;
        --no-verify) verify=off; shift ;;
        --verify-strict) verify=strict; shift ;;
        *) pgm_die 2 "unexpected argument \"$1\"" ;;
    esac
done

[ -d "$dir" ] || pgm_die 2 "revision directory \"$dir\" does not exist"
if [ "$data" = default ]; then
    data=
    if [ "$dir" = migrations ] && [ -f "$PGM_ROOT/scripts/sample_data.sql" ]; then
        data="$PGM_ROOT/scripts/sample_data.sql"
    fi
fi
if [ -n "$data" ]; then
    [ -r "$data" ] || pgm_die 2 "could not read data file \"$data\""
    if [ -z "$data_rev" ]; then
        data_rev="$(sed -n 's/^--[[:space:]]*revision:[[:space:]]*\([A-Za-z0-9_-]*\).*/\1/p' "$data" | head -n 1)"
        [ -n "$data_rev" ] || pgm_die 2 "data file \"$data\" names no revision; add a \"-- revision: REV\" comment or use --data-revision"
    fi
fi

pgm_env
maint="${PGDATABASE:-postgres}"
scratch="pgm_test_migrations_$$_$RANDOM"
failed=0

step() { printf '%s\n' "-- $*"; }
pass() { printf 'ok: %s\n' "$*"; }
first_failure=
fail() {
    printf 'FAILED: %s\n' "$*"
    [ -n "$first_failure" ] || first_failure="$*"
    failed=1
}

PGDATABASE="$maint" pgm_psql -c "CREATE DATABASE $scratch" ||
    pgm_die 3 "could not create scratch database \"$scratch\" (maintenance database \"$maint\")"
cleanup() {
    if [ "$keep" = true ]; then
        pgm_log "kept scratch database \"$scratch\""
    else
        PGDATABASE="$maint" pgm_psql -c "DROP DATABASE IF EXISTS $scratch WITH (FORCE)" ||
            pgm_warn "could not drop scratch database \"$scratch\""
    fi
}
trap cleanup EXIT
export PGDATABASE="$scratch"
echo "scratch database $scratch, revisions from $dir"

# the schema outside the catalog, without the lines that name the dump
fingerprint() {
    pg_dump --schema-only --no-owner --no-privileges --exclude-schema=migrate "$scratch" |
        grep -v -e '^--' -e '^$' -e '^\\restrict' -e '^\\unrestrict'
}

# "schema.table count" for every table that has rows, outside the catalog
row_counts() {
    pgm_psql -F ' ' -c "
        SELECT pg_catalog.format('%I.%I', n.nspname, c.relname),
               (xpath('/row/n/text()',
                      query_to_xml(pg_catalog.format('SELECT count(*) AS n FROM %I.%I',
                                                     n.nspname, c.relname),
                                   false, true, '')))[1]::text::bigint AS n
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'migrate')
          AND n.nspname NOT LIKE 'pg\\_%'
        ORDER BY 1" | awk '$2 > 0'
}

# Run one step through the client (or psql), showing its output indented.
# Its output stays in $last_out.
last_out=
run_verb() {
    local status=0
    last_out="$(pgm_run "$dir" "$@" 2>&1)" || status=$?
    [ -z "$last_out" ] || printf '%s\n' "$last_out" | sed 's/^/   /'
    return "$status"
}

# ' (revision "X")' for the first revision the last step's output names
at_fault() {
    local rev
    rev="$(grep -o 'revision "[^"]*"' <<<"$last_out" | head -n 1 || true)"
    [ -z "$rev" ] || printf ' (%s)' "$rev"
}

finish() {
    if [ "$failed" -ne 0 ]; then
        echo "test_migrations: FAILED: $first_failure"
        exit 1
    fi
    echo "test_migrations: all steps passed"
    exit 0
}

step "create extension"
pgm_psql -c "CREATE EXTENSION pg_migrate" || { fail "create extension pg_migrate"; finish; }
empty_schema="$(fingerprint)"
pass "extension created"

# Verify the revisions pending up to TARGET (rolled back; nothing changes).
verify_pending() {
    local target="$1" where="$2" args=()
    [ "$verify" = strict ] && args=(--strict)
    step "verify the revisions pending up to $target $where: upgrade, downgrade, compare, upgrade again"
    local bad skipped rounds=0 applied=()
    while :; do
        if ! run_verb verify "$target" "${args[@]}"; then
            bad="$(sed -nE 's/^[0-9]+\/[0-9]+ ([^:]+): (irreversible|fails|no downgrade|skipped).*/"\1" (\2)/p' <<<"$last_out" | paste -sd, - | sed 's/,/, /g')"
            fail "verify found revisions that are irreversible or fail: ${bad:-see above}"
            return
        fi
        # a transactional:false revision cannot be tried and rolled back:
        # verify stops there ("skipped", the rest "not checked"); apply it for
        # real (this database is a throw-away) and verify what follows it
        skipped="$(sed -nE 's/^[0-9]+\/[0-9]+ ([^:]+): skipped.*/\1/p' <<<"$last_out" | head -n 1)"
        [ -n "$skipped" ] || break
        rounds=$((rounds + 1))
        if [ "$rounds" -gt 1000 ] || ! run_verb upgrade "$skipped"; then
            fail "upgrade to \"$skipped\", which is not transactional, before verifying the revisions after it$(at_fault)"
            return
        fi
        applied+=("\"$skipped\"")
    done
    if [ "${#applied[@]}" -gt 0 ]; then
        pass "every transactional revision verified is reversible (all rolled back); not transactional, so applied without a trial: ${applied[*]}"
    else
        pass "every revision verified is reversible (all rolled back)"
    fi
}

before_counts=
[ "$verify" = off ] || [ -z "$data" ] || verify_pending "$data_rev" "on the empty schema"
if [ -n "$data" ]; then
    step "upgrade to $data_rev and load $(basename "$data")"
    if ! run_verb upgrade "$data_rev"; then
        fail "upgrade to $data_rev (the revision of the sample data)$(at_fault)"
        finish
    fi
    if ! pgm_psql -f "$data" >/dev/null; then
        fail "load $data at revision $data_rev"
        finish
    fi
    before_counts="$(row_counts)"
    pass "sample data loaded at $data_rev: $(printf '%s\n' "$before_counts" | awk 'NF { n++; r += $2 } END { printf "%d row(s) in %d table(s)", r, n }')"
fi

if [ "$verify" != off ]; then
    if [ -n "$data" ]; then verify_pending heads "on the sample data"; else verify_pending heads "on the empty schema"; fi
fi

step "upgrade to head"
if ! run_verb upgrade head; then
    fail "upgrade to head$(at_fault)"
    finish
fi
if pgm_psql -c "SELECT migrate_check()" >/dev/null 2>&1; then
    pass "at head ($(pgm_current_label)), nothing pending"
else
    fail "revisions still pending after upgrade to head"
fi
if [ -n "$before_counts" ]; then
    after_counts="$(row_counts)"
    lost=0
    while read -r table n; do
        [ -n "$table" ] || continue
        now="$(awk -v t="$table" '$1 == t { print $2 }' <<<"$after_counts")"
        if [ -z "$now" ] || [ "$now" -lt "$n" ]; then
            lost=1
            if [ "$allow_loss" = true ]; then
                pgm_warn "table $table had $n row(s) before the upgrade, ${now:-0} after"
            else
                fail "table $table had $n row(s) before the upgrade, ${now:-0} after"
            fi
        fi
    done <<<"$before_counts"
    [ "$lost" -eq 1 ] || pass "sample data kept by the upgrade"
fi
head_schema="$(fingerprint)"

step "downgrade to base"
if ! run_verb downgrade base; then
    fail "downgrade to base$(at_fault)"
    finish
fi
left="$(pgm_psql -c "SELECT count(*) FROM migrate_current()")"
if [ "$left" = 0 ]; then
    pass "no revision applied"
else
    fail "$left revision(s) still applied after downgrade to base"
fi
if diff <(printf '%s\n' "$empty_schema") <(fingerprint) >/dev/null; then
    pass "schema back to what it was before the first upgrade"
else
    fail "downgrade to base left objects behind:"
    diff <(printf '%s\n' "$empty_schema") <(fingerprint) | sed -n '/^>/p' | head -n 20 | sed 's/^/   /'
fi

step "upgrade to head again"
if ! run_verb upgrade head; then
    fail "second upgrade to head$(at_fault)"
    finish
fi
if diff <(printf '%s\n' "$head_schema") <(fingerprint) >/dev/null; then
    pass "schema at head identical to the first upgrade's"
else
    fail "schema at head differs from the first upgrade's:"
    diff <(printf '%s\n' "$head_schema") <(fingerprint) | head -n 20 | sed 's/^/   /'
fi
finish
