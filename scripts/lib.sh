# scripts/lib.sh - helpers shared by the operator scripts (sourced, not run)
#
# Usage: . "$(dirname "$0")/lib.sh"
#
# Provides: connection settings (DB_HOST, DB_PORT, DB_USER, DB_NAME and
# DB_PASSWORD stand in for unset PG* variables), finding the pg_migrate
# client, a psql wrapper, waiting for the server, and running a client verb
# with a psql fallback for the verbs the SQL API covers alone.

# shellcheck shell=bash
PGM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PGM_PROG="$(basename "$0")"

# Print an error in PostgreSQL's style and exit with the given status.
pgm_die() {
    local status="$1"
    shift
    printf '%s: error: %s\n' "$PGM_PROG" "$*" >&2
    exit "$status"
}

pgm_warn() {
    printf '%s: warning: %s\n' "$PGM_PROG" "$*" >&2
}

pgm_log() {
    printf '%s: %s\n' "$PGM_PROG" "$*" >&2
}

# Print the header comment of the calling script (its lines 2.. up to the
# first line that is not a comment) as its --help text.
pgm_usage() {
    sed -n '2,/^[^#]/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

# Map DB_* onto unset PG* variables, as the client does.
pgm_env() {
    [ -n "${PGHOST:-}" ] || [ -z "${DB_HOST:-}" ] || export PGHOST="$DB_HOST"
    [ -n "${PGPORT:-}" ] || [ -z "${DB_PORT:-}" ] || export PGPORT="$DB_PORT"
    [ -n "${PGUSER:-}" ] || [ -z "${DB_USER:-}" ] || export PGUSER="$DB_USER"
    [ -n "${PGDATABASE:-}" ] || [ -z "${DB_NAME:-}" ] || export PGDATABASE="$DB_NAME"
    [ -n "${PGPASSWORD:-}" ] || [ -z "${DB_PASSWORD:-}" ] || export PGPASSWORD="$DB_PASSWORD"
    return 0
}

# The pg_migrate client: $PG_MIGRATE, then PATH, then the installed one, then
# the checkout's.  PG_MIGRATE=psql forces the psql fallback.  Prints nothing
# and fails when there is none.
pgm_find_client() {
    local c
    if [ -n "${PG_MIGRATE:-}" ]; then
        [ "$PG_MIGRATE" = psql ] && return 1
        [ -x "$PG_MIGRATE" ] || command -v "$PG_MIGRATE" >/dev/null 2>&1 ||
            pgm_die 2 "PG_MIGRATE is set to \"$PG_MIGRATE\", which is not an executable"
        printf '%s\n' "$PG_MIGRATE"
        return 0
    fi
    for c in "$(command -v pg_migrate 2>/dev/null || true)" \
        /usr/lib/postgresql/15/bin/pg_migrate "$PGM_ROOT/client/pg_migrate"; do
        if [ -n "$c" ] && [ -x "$c" ]; then
            printf '%s\n' "$c"
            return 0
        fi
    done
    return 1
}

# psql without the user's psqlrc, stopping at the first error, unaligned.
pgm_psql() {
    psql -X -q -v ON_ERROR_STOP=1 -At "$@"
}

# Is the server up and does the database accept us?  One try.
pgm_ready_once() {
    pg_isready -q -t 5 >/dev/null 2>&1 && pgm_psql -c 'SELECT 1' >/dev/null 2>&1
}

# Wait for the server: MAX_RETRIES tries (default 30), RETRY_INTERVAL
# seconds apart (default 2).  Fails when it never answered.
pgm_wait_ready() {
    local max="${MAX_RETRIES:-30}" interval="${RETRY_INTERVAL:-2}" i
    case "$max" in '' | *[!0-9]*) pgm_die 2 "invalid MAX_RETRIES \"$max\"" ;; esac
    case "$interval" in '' | *[!0-9.]*) pgm_die 2 "invalid RETRY_INTERVAL \"$interval\"" ;; esac
    for ((i = 1; i <= max; i++)); do
        if pgm_ready_once; then
            return 0
        fi
        if [ "$i" -lt "$max" ]; then
            pgm_log "database not ready (try $i of $max), retrying in ${interval}s"
            sleep "$interval"
        else
            pgm_log "database not ready (try $i of $max)"
        fi
    done
    return 1
}

# Does the current database have the extension?
pgm_has_extension() {
    [ "$(pgm_psql -c "SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'pg_migrate'")" = 1 ]
}

# Create the extension when it is missing.  Callers started at once all try,
# so the check and the CREATE run under a session advisory lock of their own
# (not the extension's migration lock, which does not exist yet).
pgm_ensure_extension() {
    pgm_has_extension && return 0
    pgm_psql >/dev/null <<'EOSQL'
SELECT pg_catalog.pg_advisory_lock(pg_catalog.hashtext('pg_migrate create extension'));
CREATE EXTENSION IF NOT EXISTS pg_migrate;
SELECT pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('pg_migrate create extension'));
EOSQL
}

# Register every revision file of DIR through psql (the fallback for when the
# client is missing); psql quotes :'name' and :'content' itself.
pgm_register_dir() {
    local dir="$1" f
    [ -d "$dir" ] || return 0
    for f in "$dir"/*.sql; do
        [ -e "$f" ] || continue
        printf '%s\n' "SELECT migrate_add_file(:'name', :'content');" |
            pgm_psql -v name="$(basename "$f")" -v content="$(cat "$f")" >/dev/null ||
            return 1
    done
}

# The current revisions, joined with "+", "base" when there are none.
pgm_current_label() {
    local cur
    cur="$(pgm_psql -c "SELECT string_agg(r, '+' ORDER BY r) FROM migrate_current() AS r")" || return 1
    printf '%s\n' "${cur:-base}"
}

# Run one client verb with revision files from DIR, or, without a client,
# the same through psql for upgrade, downgrade, current, history, heads,
# check and verify.  Exit status as the client's: 0 done, 1 SQL error, 6
# check found pending revisions, 9 verify found a revision irreversible or
# failing.
pgm_run() {
    local dir="$1" verb="$2" client arg
    shift 2
    if client="$(pgm_find_client)"; then
        "$client" --dir "$dir" "$verb" "$@"
        return
    fi
    pgm_register_dir "$dir" || return 1
    arg="${1:-}"
    case "$verb" in
        upgrade)
            PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" pgm_psql -v target="${arg:-head}" <<<"SELECT 'applied ' || step || ' ' || revision || ': ' || message FROM migrate_upgrade(:'target');" ;;
        downgrade)
            [ -n "$arg" ] || pgm_die 2 "downgrade needs a target"
            PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" pgm_psql -v target="$arg" <<<"SELECT 'reverted ' || step || ' ' || revision || ': ' || message FROM migrate_downgrade(:'target');" ;;
        current) pgm_psql -c "SELECT r FROM migrate_current() AS r ORDER BY r" ;;
        heads) pgm_psql -c "SELECT r FROM migrate_heads() AS r ORDER BY r" ;;
        history)
            pgm_psql -c "SELECT coalesce(array_to_string(NULLIF(revises, '{}'), ', '), '<base>')
                                || ' -> ' || revision
                                || CASE WHEN is_head THEN ' (head)' ELSE '' END
                                || CASE WHEN is_current THEN ' (current)' ELSE '' END
                                || ', ' || message
                         FROM migrate_history()" ;;
        check)
            if pgm_psql -c "SELECT migrate_check()" >/dev/null 2>&1; then
                echo "No new upgrade operations detected."
            else
                pgm_psql -c "SELECT 'pending: ' || revision || ', ' || message FROM migrate_pending()" || return 1
                return 6
            fi ;;
        verify)
            # as the client prints it; status 9 when a revision is irreversible or fails
            local lines bad='irreversible|fails' a
            arg=
            for a in "$@"; do
                if [ "$a" = --strict ]; then bad='irreversible|fails|no downgrade|skipped'; else arg="$a"; fi
            done
            lines="$(PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning -c pg_migrate.notice_steps=off" pgm_psql -v target="${arg:-heads}" <<<"SELECT step || '/' || count(*) OVER () || ' ' || revision || ': ' || status || COALESCE(': ' || error, '') || COALESCE(E'\n    ' || NULLIF(array_to_string(differences, E'\n    '), ''), '') FROM migrate_verify(:'target') ORDER BY step;")" || return 1
            [ -z "$lines" ] || printf '%s\n' "$lines"
            if grep -Eq "^[0-9]+/[0-9]+ [^ ]+: ($bad)" <<<"$lines"; then return 9; fi ;;
        *) pgm_die 2 "verb \"$verb\" needs the pg_migrate client, which was not found" ;;
    esac
}
