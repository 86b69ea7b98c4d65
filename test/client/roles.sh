# test/client/roles.sh
#     The three-role recipe of scripts/roles.sql, as README gives it: the
#     migrator migrates and can back up with pg_dump, the monitoring role
#     runs the read-only verbs from the application's directory without any
#     write grant, the application role uses the tables and nothing more.
#
# Sourced by test/client/run.sh, whose helpers (run, expect_rc, expect, is,
# q, ok, not_ok) and counters it uses; works in database $rdb and roles
# ${rdb}_mig, _mon, _app, all dropped at the end here.

rdb="pgm_client_$$_roles"
rmig="${rdb}_mig"
rmon="${rdb}_mon"
rapp="${rdb}_app"
roles_cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$rdb\" WITH (FORCE)" >/dev/null 2>&1
    for r in "$rmig" "$rmon" "$rapp"; do
        psql -X -q -d postgres -c "DROP ROLE IF EXISTS \"$r\"" >/dev/null 2>&1
    done
}
roles_cleanup
rdir="$work/roles"
mkdir -p "$rdir"
cp "$top"/migrations/*.sql "$rdir/"

if ! psql -X -q -d postgres -c "CREATE DATABASE \"$rdb\"" ||
    ! psql -X -q -d "$rdb" -c "CREATE EXTENSION pg_migrate"; then
    not_ok "roles: create the scratch database"
else
    if psql -X -q -d "$rdb" -v migrator="$rmig" -v monitoring="$rmon" -v app="$rapp" \
        -f "$top/scripts/roles.sql" >"$work/roles.out" 2>&1; then
        ok "roles: scripts/roles.sql sets up the three roles"
    else
        not_ok "roles: scripts/roles.sql sets up the three roles" "$(tail -n 5 "$work/roles.out")"
    fi
    if psql -X -q -d "$rdb" -v migrator="$rmig" -v monitoring="$rmon" -v app="$rapp" \
        -f "$top/scripts/roles.sql" >"$work/roles.out" 2>&1; then
        ok "roles: running it again changes nothing and succeeds"
    else
        not_ok "roles: running it again changes nothing and succeeds" "$(tail -n 5 "$work/roles.out")"
    fi

    # the migrator
    run -U "$rmig" -d "$rdb" --dir "$rdir" upgrade head
    expect_rc "roles: the migrator upgrades to head" 0
    if pg_dump -U "$rmig" -d "$rdb" >"$work/roles.dump" 2>"$work/roles.err"; then
        ok "roles: the migrator can back up the database with pg_dump"
    else
        not_ok "roles: the migrator can back up the database with pg_dump" "$(cat "$work/roles.err")"
    fi
    expect "roles: the backup holds the version rows" "8c4d2e6f9a13" "$(cat "$work/roles.dump")"
    run -U "$rmig" -d "$rdb" --dir "$rdir" downgrade -1
    expect_rc "roles: the migrator downgrades" 0
    run -U "$rmig" -d "$rdb" --dir "$rdir" upgrade head
    expect_rc "roles: and upgrades again" 0

    # the monitoring role: read-only verbs, no write grant
    for verb in status current check history heads; do
        run -U "$rmon" -d "$rdb" --dir "$rdir" "$verb"
        expect_rc "roles: the monitoring role runs $verb from the application's directory" 0
        expect_not "roles: $verb needs no write grant" "permission denied" "$err"
    done
    printf '%s\n' '-- revision: 5d0c7e2a9f44' '-- revises: 8c4d2e6f9a13' '-- message: new one' \
        '-- migrate:upgrade' 'SELECT 1;' >"$rdir/5d0c7e2a9f44_new_one.sql"
    run -U "$rmon" -d "$rdb" --dir "$rdir" current
    expect_rc "roles: with a new file, the monitoring role still reports" 0
    expect "roles: and is warned that the file is not registered" "1 revision file(s) in \"$rdir\" are not registered" "$err"
    is "roles: the new file stays unregistered" \
        "$(q "$rdb" "SELECT count(*) FROM migrate.revision WHERE revision = '5d0c7e2a9f44'")" 0
    run -U "$rmon" -d "$rdb" --dir "$rdir" upgrade head
    expect "roles: the monitoring role cannot migrate" "permission denied" "$err"
    rm "$rdir/5d0c7e2a9f44_new_one.sql"

    # the application role
    is "roles: the application writes the migrator's tables" \
        "$(psql -X -At -q -U "$rapp" -d "$rdb" -c "INSERT INTO task (name) VALUES ('t') RETURNING name" 2>&1)" "t"
    expect "roles: the application cannot change the schema" "permission denied" \
        "$(psql -X -At -U "$rapp" -d "$rdb" -c "CREATE TABLE app_table (i int)" 2>&1)"
    run -U "$rapp" -d "$rdb" --dir "$rdir" downgrade -1
    expect "roles: the application cannot migrate" "permission denied" "$err"
fi
roles_cleanup
