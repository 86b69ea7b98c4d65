# test/client/sourcetruth.sh
#     Client tests of the revision files as the source of truth: a
#     registered revision whose file is gone is dropped at the next sync
#     when it is not applied (kept, with a warning, when it is), "pg_migrate
#     remove", the reports that still answer when a file is broken, and the
#     one exit status every verb gives an unknown revision.
#
# Sourced by test/client/run.sh, whose helpers (run, expect_rc, expect, is,
# q, ok, not_ok) and counters it uses; works in database $db11 (created
# here, dropped by run.sh's cleanup) and directory $work/truth.

tdir=$work/truth
mkdir -p "$tdir"
# the server log of the test cluster, when this runs against it
tlog=${CLUSTER_DIR:+$CLUSTER_DIR/server.log}

# trev ID PARENT TABLE: a revision file creating TABLE
trev() {
    {
        printf -- '-- revision: %s\n' "$1"
        [ -n "$2" ] && printf -- '-- revises: %s\n' "$2"
        printf -- '-- message: create %s\n-- migrate:upgrade\nCREATE TABLE %s (id int);\n' "$3" "$3"
        printf -- '-- migrate:downgrade\nDROP TABLE %s;\n' "$3"
    } >"$tdir/${1}_$3.sql"
}

if ! psql -X -q -d postgres -c "CREATE DATABASE \"$db11\""; then
    not_ok "create the source-of-truth scratch database"
else
run -d "$db11" --dir "$tdir" init
trev t1 "" truth_one
trev t2 t1 truth_two
trev t3 t2 truth_three
run -d "$db11" --dir "$tdir" upgrade t1
expect_rc "truth: upgrade t1 registers t1, t2, t3 and applies t1" 0
is "truth: three revisions registered" "$(q "$db11" "SELECT string_agg(revision, ',' ORDER BY revision) FROM migrate.revision")" "t1,t2,t3"

# ---------------------------------------------------------------- a deleted file
rm "$tdir/t3_truth_three.sql"
log_lines=$( [ -n "$tlog" ] && [ -f "$tlog" ] && wc -l <"$tlog" || echo 0)
run -d "$db11" --dir "$tdir" heads
expect_rc "truth: heads answers after a file was deleted" 0
is "truth: the revision whose file is gone is not a head any more" "$out" "t2 (head)"
expect "truth: a notice names the revision dropped" 'revision "t3" is no longer registered' "$err"
expect "truth: and its file" 't3_truth_three.sql' "$err"
is "truth: a read-only verb leaves the catalog as it was" \
    "$(q "$db11" "SELECT count(*) FROM migrate.revision WHERE revision = 't3'")" 1
run -d "$db11" --dir "$tdir" upgrade
expect_rc "truth: upgrade after a file was deleted succeeds" 0
expect "truth: upgrade applies what the files hold" 'applying 1/1 "t2"' "$out"
expect_not "truth: the revision whose file is gone is not applied" '"t3"' "$out"
is "truth: its table was not created" "$(q "$db11" "SELECT to_regclass('truth_three') IS NULL")" t
is "truth: it is no longer registered" "$(q "$db11" "SELECT count(*) FROM migrate.revision WHERE revision = 't3'")" 0
run -d "$db11" --dir "$tdir" current
is "truth: the database is at the head of the files" "$out" "t2 (head)"
if [ -n "$tlog" ] && [ -f "$tlog" ]; then
    is "truth: the server log has one line, with \"migration\", once the change committed" \
        "$(tail -n +"$((log_lines + 1))" "$tlog" | grep migration | grep -c 'dropped revision "t3"')" 1
else
    ok "truth: the server log has one line with \"migration\" # SKIP the cluster's log is not at \$CLUSTER_DIR/server.log"
fi

# an applied revision whose file is gone stays: its downgrade needs its SQL
mv "$tdir/t2_truth_two.sql" "$work/t2_kept.sql"
run -d "$db11" --dir "$tdir" current
expect_rc "truth: current answers when an applied revision's file is gone" 0
expect "truth: a warning says the applied revision has no file" 'applied revision "t2" has no file' "$err"
run -d "$db11" --dir "$tdir" downgrade t1
expect_rc "truth: the applied revision without a file still downgrades" 0
is "truth: its table is gone" "$(q "$db11" "SELECT to_regclass('truth_two') IS NULL")" t
run -d "$db11" --dir "$tdir" heads
is "truth: once downgraded without a file, it is dropped too" "$out" "t1 (head)"
mv "$work/t2_kept.sql" "$tdir/t2_truth_two.sql"

# ---------------------------------------------------------------- remove
q "$db11" "SELECT migrate_add('r1', 'CREATE TABLE truth_r1 (id int)', '{t2}'); SELECT migrate_add('r2', 'SELECT 1', '{r1}')" >/dev/null
before=$(q "$db11" "SELECT string_agg(revision, ',' ORDER BY revision) FROM migrate.revision")
run -d "$db11" --dir "$tdir" remove r1
expect_rc "remove: a revision another builds on is refused (SQL status)" 1
expect "remove: the error names the revision" 'revision "r1" cannot be removed because other revisions build on it' "$err"
expect "remove: the detail names the one building on it" '"r2"' "$err"
mv "$tdir/t1_truth_one.sql" "$work/t1_kept.sql"
run -d "$db11" --dir "$tdir" remove t1
expect_rc "remove: an applied revision is refused" 1
expect "remove: the error says it is applied" 'revision "t1" is applied and cannot be removed' "$err"
mv "$work/t1_kept.sql" "$tdir/t1_truth_one.sql"
run -d "$db11" --dir "$tdir" remove t2
expect_rc "remove: a revision whose file is still there is refused" 7
expect "remove: the error names the file" "t2_truth_two.sql" "$err"
is "remove: a refusal changes nothing" "$(q "$db11" "SELECT string_agg(revision, ',' ORDER BY revision) FROM migrate.revision")" "$before"
run -d "$db11" --dir "$tdir" remove r2
expect_rc "remove: a revision nothing builds on is removed" 0
is "remove: it says what it removed" "$out" "removed: r2"
run -d "$db11" --dir "$tdir" remove r1
expect_rc "remove: then the one it built on" 0
is "remove: both are gone" "$(q "$db11" "SELECT count(*) FROM migrate.revision WHERE revision IN ('r1', 'r2')")" 0
run -d "$db11" --dir "$tdir" remove r1
expect_rc "remove: an unknown revision exits 7" 7
expect "remove: the error names it" 'revision "r1" does not exist' "$err"
run --help
expect "remove: --help lists the verb" "remove REV" "$out"
expect "remove: the man page documents it" ".BI remove" "$(cat "$top/docs/pg_migrate.1")"

# ---------------------------------------------------------------- broken files
trev t4 t2 truth_four
printf -- '-- revision: t5\n-- revises: t4\n-- migrate:upgrade\nCREATE TABLE truth_five (id int);\nCREATE TABLEE oops (id int);\n-- migrate:downgrade\nDROP TABLE truth_five;\n' >"$tdir/t5_syntax.sql"
printf -- '-- revision: t6 bad!\n-- migrate:upgrade\nSELECT 1;\n' >"$tdir/t6_header.sql"
journal=$(q "$db11" "SELECT count(*) FROM migrate.journal")
run -d "$db11" --dir "$tdir" status
expect_rc "broken: status still answers" 0
expect "broken: status lists the file with the SQL error" '"file": "t5_syntax.sql"' "$out"
expect "broken: with the line of the error" '"line": 5' "$out"
expect "broken: and the server's message" 'syntax error at or near \"TABLEE\"' "$out"
expect "broken: status lists the file with the bad header" '"file": "t6_header.sql"' "$out"
expect "broken: the rest of the report is there" '"pending_count": 2' "$out"
expect "broken: a warning names the file and line" "t5_syntax.sql:5: syntax error" "$err"
run -d "$db11" --dir "$tdir" status --format=prometheus
expect "broken: the Prometheus report counts the broken files" "pg_migrate_broken_files{database=\"$db11\"} 2" "$out"
run -d "$db11" --dir "$tdir" current
expect_rc "broken: current still answers" 0
is "broken: current prints the current revision" "$out" "t1"
expect "broken: current's warning names the header's file and line" "t6_header.sql:1: " "$err"
run -d "$db11" --dir "$tdir" history
expect_rc "broken: history still answers" 0
expect "broken: history lists the good files' revisions" "t2 -> t4 (head), create truth_four" "$out"
run -d "$db11" --dir "$tdir" heads
expect_rc "broken: heads still answers" 0
run -d "$db11" --dir "$tdir" upgrade
expect_rc "broken: upgrade is refused with the bad-files status" 5
expect "broken: upgrade names the file and line" "t6_header.sql:1: " "$err"
rm "$tdir/t6_header.sql"
run -d "$db11" --dir "$tdir" upgrade
expect_rc "broken: a file the server refuses also exits 5" 5
expect "broken: the error names file and line" 'file "t5_syntax.sql", line 5' "$err"
is "broken: upgrade changed nothing" \
    "$(q "$db11" "SELECT (SELECT count(*) FROM migrate.journal) || ',' || (to_regclass('truth_four') IS NULL) || ',' || (SELECT count(*) FROM migrate.revision WHERE revision IN ('t4', 't5'))")" "$journal,true,0"
rm "$tdir/t5_syntax.sql"
run -d "$db11" --dir "$tdir" upgrade
expect_rc "broken: once the file is gone, upgrade succeeds" 0
is "broken: and reaches the head of the files" "$(q "$db11" "SELECT string_agg(revision, ',') FROM migrate.version")" t4
# nothing pending, but a broken file: not up to date
printf -- '-- revision: t8\n-- revises: t4\n-- transactional: maybe\n-- migrate:upgrade\nSELECT 1;\n' >"$tdir/t8_header.sql"
run -d "$db11" --dir "$tdir" status
expect_rc "broken: status answers with nothing pending" 0
expect "broken: nothing registered is pending" '"pending_count": 0' "$out"
expect "broken: but with a broken file the database is not up to date" '"up_to_date": false' "$out"
run -d "$db11" --dir "$tdir" status --format=prometheus
expect "broken: nor is it for Prometheus" "pg_migrate_up_to_date{database=\"$db11\"} 0" "$out"
rm "$tdir/t8_header.sql"
run -d "$db11" --dir "$tdir" status
expect "broken: once the file is gone, the database is up to date" '"up_to_date": true' "$out"
expect "broken: and the broken list is empty" '"broken": [' "$out"

# ---------------------------------------------------------------- one exit status for an unknown revision
for args in "upgrade nosuch" "upgrade --sql nosuch" "downgrade nosuch" "stamp nosuch" "show nosuch" \
    "pending nosuch" "check nosuch" "history -r nosuch:" "verify nosuch" "explain nosuch" \
    "repair nosuch" "remove nosuch" "merge -m m nosuch t4" "revision -m m --head nosuch" \
    "downgrade nosuch@-1"; do
    # shellcheck disable=SC2086
    run -d "$db11" --dir "$tdir" $args
    expect_rc "unknown revision: \"$args\" exits 7" 7
done
run -d "$db11" --dir "$tdir" upgrade tnosuch
expect "unknown revision: the error names it" 'revision "tnosuch" does not exist' "$err"
# a revision whose own SQL names a missing object is an SQL failure, not an unknown revision
printf -- '-- revision: t7\n-- revises: t4\n-- migrate:upgrade\nDROP TYPE truth_no_such_type;\n' >"$tdir/t7_missing_type.sql"
run -d "$db11" --dir "$tdir" upgrade
expect_rc "unknown revision: an object missing in a revision's SQL keeps the SQL status" 1
rm "$tdir/t7_missing_type.sql"
fi
