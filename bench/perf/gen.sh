#!/usr/bin/env bash
# bench/perf/gen.sh DIR N [ddl|data] - write N chained revision files into DIR
#
# ddl (default): revision i (id p00000i) creates table t_i with a primary
# key and an index on its payload, and drops it in its downgrade.
# data: revision 1 creates table rows_t, every other revision inserts one
# row into it and deletes it in its downgrade (no new relation, so no new
# lock or relation cache entry per revision: what grows with N is
# pg_migrate's own memory).
# Also writes DIR.floor.sql: the same upgrade SQL as one plain script, and
# DIR.down.sql: the downgrade SQL in reverse order (the floors that
# psql -X -q -1 -f runs).
set -euo pipefail
DIR="$1"
N="$2"
MODE="${3:-ddl}"
rm -rf "$DIR"
mkdir -p "$DIR"
awk -v dir="$DIR" -v n="$N" -v mode="$MODE" 'BEGIN {
    up = dir ".floor.sql"; down = dir ".down.sql";
    printf "" > up; printf "" > down;
    for (i = 1; i <= n; i++) {
        id = sprintf("p%06d", i);
        f = sprintf("%s/%s_t%d.sql", dir, id, i);
        printf "-- revision: %s\n", id > f;
        if (i > 1) printf "-- revises: %s\n", sprintf("p%06d", i - 1) > f;
        if (mode == "data" && i == 1) {
            upsql = "CREATE TABLE rows_t (id bigint primary key, payload text);\n";
            downsql = "DROP TABLE rows_t;\n";
        } else if (mode == "data") {
            upsql = sprintf("INSERT INTO rows_t VALUES (%d, repeat(%s, 20));\n", i, "\047x\047");
            downsql = sprintf("DELETE FROM rows_t WHERE id = %d;\n", i);
        } else {
            upsql = sprintf("CREATE TABLE t_%d (id bigint primary key, payload text);\nCREATE INDEX ON t_%d (payload);\n", i, i);
            downsql = sprintf("DROP TABLE t_%d;\n", i);
        }
        printf "-- message: revision %d\n-- migrate:upgrade\n%s-- migrate:downgrade\n%s", i, upsql, downsql > f;
        close(f);
        printf "%s", upsql > up;
        downs[i] = downsql;
    }
    for (i = n; i >= 1; i--) printf "%s", downs[i] > down;
}'
chmod -R a+rX "$DIR" "$DIR.floor.sql" "$DIR.down.sql"
