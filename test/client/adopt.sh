# test/client/adopt.sh
#     Client tests of "pg_migrate adopt": golang-migrate and dbmate histories
#     imported with "pg_migrate import", their databases adopted (refused
#     while dirty), then upgrade, downgrade and stamp with the other tool's
#     table kept up to date.
#
# Sourced by test/client/run.sh, whose helpers (run, expect_rc, expect, is,
# q, ok, not_ok) and counters it uses; works in database $db9 (created
# here, dropped by run.sh's cleanup) and directory $work/adopt.

adir=$work/adopt
mkdir -p "$adir/gm" "$adir/dbmate"

# ---------------------------------------------------------------- golang-migrate
if ! psql -X -q -d postgres -c "CREATE DATABASE \"$db9\""; then
    not_ok "create the adopt scratch database"
else
printf 'CREATE TABLE gm_users (id int);\n' >"$adir/gm/000001_users.up.sql"
printf 'DROP TABLE gm_users;\n' >"$adir/gm/000001_users.down.sql"
printf 'ALTER TABLE gm_users ADD COLUMN name text;\n' >"$adir/gm/000002_name.up.sql"
printf 'ALTER TABLE gm_users DROP COLUMN name;\n' >"$adir/gm/000002_name.down.sql"
printf 'CREATE INDEX gm_users_name ON gm_users (name);\n' >"$adir/gm/000003_idx.up.sql"
printf 'DROP INDEX gm_users_name;\n' >"$adir/gm/000003_idx.down.sql"
run --dir "$adir/gm-mig" import golang-migrate "$adir/gm"
expect_rc "adopt: import the golang-migrate history" 0
# the database golang-migrate left at version 2, dirty
q "$db9" "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
          INSERT INTO schema_migrations VALUES (2, true);
          CREATE TABLE gm_users (id int, name text);" >/dev/null
run -d "$db9" --dir "$adir/gm-mig" init
run -d "$db9" --dir "$adir/gm-mig" adopt golang-migrate
expect_rc "adopt: a dirty golang-migrate database is refused" 1
expect "adopt: the refusal names the dirty version" 'migration "2" of golang-migrate failed part-way' "$err"
is "adopt: the refusal stamps nothing" "$(q "$db9" "SELECT count(*) FROM migrate.version")" "0"
q "$db9" "UPDATE schema_migrations SET dirty = false" >/dev/null
run -d "$db9" --dir "$adir/gm-mig" adopt --keep-version-table golang-migrate
expect_rc "adopt: golang-migrate" 0
expect "adopt: prints the version rows" "adopted: 000002" "$out"
is "adopt: journaled as adopt, no SQL run" \
    "$(q "$db9" "SELECT string_agg(revision || ':' || operation, ' ' ORDER BY id) FROM migrate.journal")" \
    "000001:adopt 000002:adopt"
run -d "$db9" --dir "$adir/gm-mig" pending
expect "adopt: only the third is pending" "000003" "$out"
run -d "$db9" --dir "$adir/gm-mig" upgrade
expect_rc "adopt: upgrade after adopt" 0
is "adopt: schema_migrations follows the upgrade" "$(q "$db9" "SELECT version || ',' || dirty FROM schema_migrations")" "3,false"
run -d "$db9" --dir "$adir/gm-mig" upgrade
expect "adopt: upgrade head then runs nothing" "nothing to upgrade" "$out$err"
run -d "$db9" --dir "$adir/gm-mig" downgrade base
expect_rc "adopt: downgrade base" 0
is "adopt: schema_migrations is empty at base" "$(q "$db9" "SELECT count(*) FROM schema_migrations")" "0"
run -d "$db9" --dir "$adir/gm-mig" upgrade head
is "adopt: and back at head" "$(q "$db9" "SELECT version || ',' || dirty FROM schema_migrations")" "3,false"
run -d "$db9" --dir "$adir/gm-mig" stamp 000001
is "adopt: schema_migrations follows a stamp" "$(q "$db9" "SELECT version FROM schema_migrations")" "1"
run -d "$db9" --dir "$adir/gm-mig" adopt liquibase
expect_rc "adopt: an unknown tool is refused" 1
expect "adopt: naming the tools" '"alembic", "golang-migrate"' "$err"
fi

# ---------------------------------------------------------------- dbmate
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db9\"" >/dev/null 2>&1
if ! psql -X -q -d postgres -c "CREATE DATABASE \"$db9\""; then
    not_ok "create the dbmate scratch database"
else
printf -- '-- migrate:up\nCREATE TABLE dm_a (id int);\n-- migrate:down\nDROP TABLE dm_a;\n' >"$adir/dbmate/20240101000000_a.sql"
printf -- '-- migrate:up\nCREATE TABLE dm_b (id int);\n-- migrate:down\nDROP TABLE dm_b;\n' >"$adir/dbmate/20240102000000_b.sql"
run --dir "$adir/dbmate-mig" import dbmate "$adir/dbmate"
expect_rc "adopt: import the dbmate history" 0
q "$db9" "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY);
          INSERT INTO schema_migrations VALUES ('20240101000000'), ('20240199000000');
          CREATE TABLE dm_a (id int);" >/dev/null
run -d "$db9" --dir "$adir/dbmate-mig" init
run -d "$db9" --dir "$adir/dbmate-mig" adopt dbmate
expect_rc "adopt: a version no file carries is refused" 1
expect "adopt: the refusal names the version" 'version "20240199000000" of dbmate is applied but no registered revision carries it' "$err"
q "$db9" "DELETE FROM schema_migrations WHERE version = '20240199000000'" >/dev/null
run -d "$db9" --dir "$adir/dbmate-mig" adopt --keep-version-table dbmate
expect_rc "adopt: dbmate" 0
run -d "$db9" --dir "$adir/dbmate-mig" upgrade
is "adopt: dbmate rows follow the upgrade" \
    "$(q "$db9" "SELECT string_agg(version, ' ' ORDER BY version) FROM schema_migrations")" \
    "20240101000000 20240102000000"
run -d "$db9" --dir "$adir/dbmate-mig" downgrade base
is "adopt: and the downgrade" "$(q "$db9" "SELECT count(*) FROM schema_migrations")" "0"
fi

# ---------------------------------------------------------------- flyway
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db9\"" >/dev/null 2>&1
if ! psql -X -q -d postgres -c "CREATE DATABASE \"$db9\""; then
    not_ok "create the flyway scratch database"
else
mkdir -p "$adir/flyway"
printf 'CREATE TABLE fw_t (id int);\n' >"$adir/flyway/V1__create_t.sql"
printf 'ALTER TABLE fw_t ADD COLUMN v int;\n' >"$adir/flyway/V1.1__add_v.sql"
printf 'ALTER TABLE fw_t DROP COLUMN v;\n' >"$adir/flyway/U1.1__add_v.sql"
printf 'CREATE OR REPLACE VIEW fw_tv AS SELECT id FROM fw_t;\n' >"$adir/flyway/R__views.sql"
run --dir "$adir/flyway-mig" import flyway "$adir/flyway"
expect_rc "adopt: import the flyway history" 0
# Flyway's own DDL for its history table (PostgreSQL)
q "$db9" "CREATE TABLE flyway_schema_history (
            installed_rank integer NOT NULL, version varchar(50), description varchar(200) NOT NULL,
            type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum integer,
            installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(),
            execution_time integer NOT NULL, success boolean NOT NULL,
            CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank));
          INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
          VALUES (1, '1', 'create t', 'SQL', 'V1__create_t.sql', 1, 'me', 1, true),
                 (2, '1.1', 'add v', 'SQL', 'V1.1__add_v.sql', 2, 'me', 1, false);
          CREATE TABLE fw_t (id int, v int);" >/dev/null
run -d "$db9" --dir "$adir/flyway-mig" init
run -d "$db9" --dir "$adir/flyway-mig" adopt flyway
expect_rc "adopt: a failed Flyway migration is refused" 1
expect "adopt: the refusal names the failed version" 'migration "1.1" of flyway failed part-way' "$err"
q "$db9" "UPDATE flyway_schema_history SET success = true WHERE installed_rank = 2;
          INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
          VALUES (3, NULL, 'views', 'SQL', 'R__views.sql', 3, 'me', 1, true);
          CREATE VIEW fw_tv AS SELECT id FROM fw_t;" >/dev/null
run -d "$db9" --dir "$adir/flyway-mig" adopt --keep-version-table flyway
expect_rc "adopt: flyway" 0
run -d "$db9" --dir "$adir/flyway-mig" upgrade heads
expect "adopt: flyway upgrade heads then runs nothing" "nothing to upgrade" "$out$err"
run -d "$db9" --dir "$adir/flyway-mig" downgrade 1
expect_rc "adopt: flyway downgrade through the undo script" 0
is "adopt: the downgrade is recorded as Flyway's undo records it" \
    "$(q "$db9" "SELECT installed_rank || ' ' || version || ' ' || type FROM flyway_schema_history WHERE installed_rank > 3")" \
    "4 1.1 UNDO_SQL"
run -d "$db9" --dir "$adir/flyway-mig" upgrade heads
is "adopt: and the upgrade as a new row" \
    "$(q "$db9" "SELECT installed_rank || ' ' || version || ' ' || type || ' ' || success FROM flyway_schema_history WHERE installed_rank > 4")" \
    "5 1.1 SQL true"
fi
