#!/usr/bin/env bash
# bench/plan_scaling.sh - planning time of migrate_pending('heads') by graph size
#
# Usage: bench/plan_scaling.sh [SIZES...]     (default 1000 10000 50000)
#
# Against the server in PGHOST/PGPORT/PGUSER (default 127.0.0.1:5483,
# postgres) with pg_migrate installed.  For each size and each shape, in a
# fresh database, writes the revisions straight into migrate.revision
# (registration is measured by bench/upgrade_1000.sh) and times
# SELECT count(*) FROM migrate_pending('heads') inside the server, five
# times, reporting the median; migrate_heads() beside it reads the catalog
# and builds the graph without planning, so the difference is the planning.  Shapes:
#   chain    r1 <- r2 <- ... <- rN
#   diamond  N/4 diamonds in a row: x revises the previous merge, y and z
#            revise x, the merge m revises y and z
# Nothing is applied, so every revision is pending: the time covers
# reading the catalog, building and checking the graph, and ordering the
# whole plan.  Prints milliseconds, microseconds per revision (pending), and the
# ratio to the smallest size; linear scaling keeps the per-revision figure
# flat.
set -euo pipefail

case "${1:-}" in
    -h | --help)
        sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
esac

if [ "$#" -gt 0 ]; then SIZES=("$@"); else SIZES=(1000 10000 50000); fi
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5483}" PGUSER="${PGUSER:-postgres}"
export PGOPTIONS="-c client_min_messages=warning"
DB="pgm_bench_plan_$$"

psqlq() {
    psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}

cleanup() {
    psqlq -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

fresh_db() {
    psqlq -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
    psqlq -d postgres -c "CREATE DATABASE $DB" >/dev/null
    psqlq -d "$DB" -c "CREATE EXTENSION pg_migrate" >/dev/null
}

fill() {
    local shape="$1" n="$2"
    if [ "$shape" = chain ]; then
        psqlq -d "$DB" -c "INSERT INTO migrate.revision (revision, revises, upgrade_sql)
            SELECT 'r' || i, CASE WHEN i = 1 THEN '{}' ELSE ARRAY['r' || (i - 1)] END, 'SELECT 1'
            FROM generate_series(1, $n) AS i ORDER BY i"
    else
        psqlq -d "$DB" -c "INSERT INTO migrate.revision (revision, revises, upgrade_sql)
            SELECT id, revises, 'SELECT 1' FROM generate_series(1, $n / 4) AS k,
            LATERAL (VALUES
                (1, 'x' || k, CASE WHEN k = 1 THEN '{}' ELSE ARRAY['m' || (k - 1)] END),
                (2, 'y' || k, ARRAY['x' || k]),
                (3, 'z' || k, ARRAY['x' || k]),
                (4, 'm' || k, ARRAY['y' || k, 'z' || k])) AS v(o, id, revises)
            ORDER BY k, o"
    fi
    psqlq -d "$DB" -c "ANALYZE migrate.revision" >/dev/null
}

# median of five timed runs, in milliseconds, measured in the server
time_pending() {
    psqlq -d "$DB" <<'SQL'
CREATE FUNCTION pg_temp.time_ms(sql text) RETURNS double precision LANGUAGE plpgsql AS
$$
DECLARE
	t0 timestamptz;
	times double precision[] := '{}';
BEGIN
	FOR i IN 1..5 LOOP
		t0 := clock_timestamp();
		EXECUTE sql;
		times := times || extract(epoch FROM clock_timestamp() - t0) * 1000;
	END LOOP;
	RETURN (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY t) FROM unnest(times) AS t);
END
$$;
SELECT round(pg_temp.time_ms('SELECT count(*) FROM migrate_pending(''heads'')')::numeric, 2)
	|| ' ' || round(pg_temp.time_ms('SELECT count(*) FROM migrate_heads()')::numeric, 2);
SQL
}

printf '%-8s %8s %8s %10s %10s %11s %s\n' shape size pending pending_ms heads_ms us_per_rev vs_first
for shape in chain diamond; do
    base=""
    for n in "${SIZES[@]}"; do
        fresh_db
        fill "$shape" "$n" >/dev/null
        pending=$(psqlq -d "$DB" -c "SELECT count(*) FROM migrate_pending('heads')")
        read -r ms hms < <(time_pending)
        [ -n "$base" ] || base="$ms:$n"
        awk -v s="$shape" -v n="$n" -v p="$pending" -v ms="$ms" -v h="$hms" -v b="$base" 'BEGIN {
            split(b, a, ":")
            printf "%-8s %8d %8d %10.2f %10.2f %11.2f %.1fx (size %.0fx)\n", s, n, p, ms, h,
                ms * 1000 / n, ms / a[1], n / a[2] }'
    done
done
