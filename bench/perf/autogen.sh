#!/usr/bin/env bash
#
# bench/perf/autogen.sh [TABLES]
#     Autogenerate at scale: pg_migrate diff between two declared schemas of
#     TABLES tables each (default 1000; the second one changes one table in
#     ten: a column added, a type widened, an index added), and revision
#     --autogenerate against a head of TABLES tables (the revisions build
#     the first schema, the declared schema is the second).  Each timing is
#     a whole client process, median of RUNS (default 3) after one warm-up
#     run; the split into phases comes from running the diff between two
#     live databases (no scratch database) beside it.
#
# Needs a running server (PGHOST, PGPORT, PGUSER: a superuser) with the
# extension installed, and the client (PG_MIGRATE, default client/pg_migrate).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PGM=${PG_MIGRATE:-$top/client/pg_migrate}
N=${1:-1000}
RUNS=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS pgm_bench_a" -c "DROP DATABASE IF EXISTS pgm_bench_b" >/dev/null 2>&1' EXIT

python3 - "$N" "$work" <<'PY'
import os, sys
n, work = int(sys.argv[1]), sys.argv[2]
def table(i, changed):
    cols = ["id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
            "name text NOT NULL",
            "amount %s NOT NULL DEFAULT 0" % ("bigint" if changed else "integer"),
            "created_at timestamptz NOT NULL DEFAULT now()"]
    if i > 0:
        cols.append("parent_id bigint REFERENCES t%d (id)" % (i - 1))
    if changed:
        cols.append("note text")
    s = "CREATE TABLE t%d (\n    %s\n);\nCREATE INDEX t%d_created ON t%d (created_at);\n" % (i, ",\n    ".join(cols), i, i)
    if changed:
        s += "CREATE INDEX t%d_name ON t%d (name);\n" % (i, i)
    return s
for side in ("a", "b"):
    os.makedirs(os.path.join(work, side))
    with open(os.path.join(work, side, "schema.sql"), "w") as f:
        for i in range(n):
            f.write(table(i, side == "b" and i % 10 == 0))
os.makedirs(os.path.join(work, "migrations"))
with open(os.path.join(work, "migrations", "0001_base.sql"), "w") as f:
    f.write("-- revision: base0001\n-- message: the first schema\n-- migrate:upgrade\n")
    f.write(open(os.path.join(work, "a", "schema.sql")).read())
    f.write("-- migrate:downgrade\n")
    for i in reversed(range(n)):
        f.write("DROP TABLE t%d;\n" % i)
PY

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
timed() {
    local start end
    start=$(date +%s.%N)
    # diff exits 10 when the schemas differ, as they do here
    "$@" >/dev/null 2>&1 || [ $? -eq 10 ] || { echo "failed: $*" >&2; exit 1; }
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
measure() {
    local label=$1
    shift
    timed "$@" >/dev/null       # warm-up
    for _ in $(seq "$RUNS"); do timed "$@"; done | median | xargs printf '%-58s %6.2f s\n' "$label"
}

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS pgm_bench_a" -c "DROP DATABASE IF EXISTS pgm_bench_b" \
    -c "CREATE DATABASE pgm_bench_a" -c "CREATE DATABASE pgm_bench_b" >/dev/null
psql -X -q -d pgm_bench_a -f "$work/a/schema.sql" >/dev/null
psql -X -q -d pgm_bench_b -f "$work/b/schema.sql" >/dev/null
conn() { echo "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$1"; }

echo "$N tables a side, $((N / 10)) changed; median of $RUNS after a warm-up"
measure "diff: two live databases (snapshots and comparison)" \
    "$PGM" diff --allow-data-loss "$(conn pgm_bench_a)" "$(conn pgm_bench_b)"
measure "diff: two declared schemas (two scratch databases)" \
    "$PGM" -d postgres diff --allow-data-loss "$work/a" "$work/b"
measure "loading one declared schema with psql (the floor)" \
    bash -c "psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS pgm_bench_floor' -c 'CREATE DATABASE pgm_bench_floor TEMPLATE template0' && psql -X -q -d pgm_bench_floor -f '$work/b/schema.sql' && psql -X -q -d postgres -c 'DROP DATABASE pgm_bench_floor'"
measure "revision --autogenerate against a head of $N tables" \
    bash -c "rm -f '$work'/migrations/*_bench.sql; '$PGM' -d postgres --dir '$work/migrations' revision --autogenerate --allow-data-loss --schema-dir '$work/b' -m bench"
"$PGM" diff --allow-data-loss "$(conn pgm_bench_a)" "$(conn pgm_bench_b)" | grep -c ';$' | xargs printf 'statements in the diff: %s\n'
