#!/usr/bin/env python3
"""bench/gen.py - the benchmark's revisions, in every tool's own format

Usage: bench/gen.py DIR N

Writes N revisions forming a chain under DIR, one subdirectory per tool.
Revision i runs

    CREATE TABLE t_i (id bigint primary key, payload text);
    CREATE INDEX ON t_i (payload);

and its downgrade drops t_i (the index goes with it).  Subdirectories:

    floor/up.sql, floor/down.sql   the same SQL as one file each (psql -1 -f)
    pg_migrate/                    revision files (-- revision / -- revises)
    alembic/                       alembic.ini, env.py, versions/*.py
    sqitch/                        sqitch.conf, sqitch.plan, deploy/ revert/ verify/
    sql-migrate/                   dbconfig.yml, migrations/*.sql (-- +migrate Up)
    dbmate/                        *.sql (-- migrate:up / -- migrate:down)
    node-pg-migrate/               *.sql (-- Up Migration / -- Down Migration)

Connection details are read by the tools at run time from environment
variables the adapters set (BENCH_DB_URL, PGHOST, PGPORT, PGUSER, BENCH_DB).
"""
import os
import sys

PSQL = "/usr/lib/postgresql/15/bin/psql"


def up_sql(i):
    return (f"CREATE TABLE t_{i} (id bigint primary key, payload text);\n"
            f"CREATE INDEX ON t_{i} (payload);\n")


def down_sql(i):
    return f"DROP TABLE t_{i};\n"


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def gen_floor(d, n):
    write(os.path.join(d, "up.sql"), "".join(up_sql(i) for i in range(1, n + 1)))
    write(os.path.join(d, "down.sql"), "".join(down_sql(i) for i in range(n, 0, -1)))


def rid(i):
    return f"r{i:05d}"


def gen_pg_migrate(d, n):
    for i in range(1, n + 1):
        revises = f"-- revises: {rid(i - 1)}\n" if i > 1 else ""
        write(os.path.join(d, f"{rid(i)}_t_{i}.sql"),
              f"-- revision: {rid(i)}\n{revises}-- message: t_{i}\n"
              f"-- migrate:upgrade\n{up_sql(i)}-- migrate:downgrade\n{down_sql(i)}")


ALEMBIC_INI = """[alembic]
script_location = %(here)s
"""

ALEMBIC_ENV = '''import os
from alembic import context
from sqlalchemy import create_engine

engine = create_engine(os.environ["BENCH_DB_URL"])
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
'''


def gen_alembic(d, n):
    write(os.path.join(d, "alembic.ini"), ALEMBIC_INI)
    write(os.path.join(d, "env.py"), ALEMBIC_ENV)
    v = os.path.join(d, "versions")
    os.makedirs(v)
    for i in range(1, n + 1):
        down = repr(rid(i - 1)) if i > 1 else "None"
        write(os.path.join(v, f"{rid(i)}_t_{i}.py"),
              f'"""t_{i}"""\nfrom alembic import op\n\n'
              f"revision = {rid(i)!r}\ndown_revision = {down}\n"
              "branch_labels = None\ndepends_on = None\n\n\n"
              "def upgrade():\n"
              f'    op.execute("CREATE TABLE t_{i} (id bigint primary key, payload text)")\n'
              f'    op.execute("CREATE INDEX ON t_{i} (payload)")\n\n\n'
              "def downgrade():\n"
              f'    op.execute("DROP TABLE t_{i}")\n')


def gen_sqitch(d, n):
    write(os.path.join(d, "sqitch.conf"),
          f'[core]\n\tengine = pg\n\tplan_file = sqitch.plan\n\ttop_dir = .\n'
          f'[engine "pg"]\n\tclient = {PSQL}\n')
    plan = ["%syntax-version=1.0.0", "%project=bench", ""]
    for sub in ("deploy", "revert", "verify"):
        os.makedirs(os.path.join(d, sub))
    for i in range(1, n + 1):
        plan.append(f"t_{i} 2026-01-01T00:00:00Z bench <bench@example.com> # t_{i}")
        write(os.path.join(d, "deploy", f"t_{i}.sql"), f"BEGIN;\n{up_sql(i)}COMMIT;\n")
        write(os.path.join(d, "revert", f"t_{i}.sql"), f"BEGIN;\n{down_sql(i)}COMMIT;\n")
        write(os.path.join(d, "verify", f"t_{i}.sql"), f"SELECT id, payload FROM t_{i} WHERE false;\n")
    write(os.path.join(d, "sqitch.plan"), "\n".join(plan) + "\n")


def gen_sql_migrate(d, n):
    write(os.path.join(d, "dbconfig.yml"),
          "bench:\n  dialect: postgres\n"
          '  datasource: host=${PGHOST} port=${PGPORT} user=${PGUSER} dbname=${BENCH_DB} sslmode=disable\n'
          f"  dir: {os.path.join(d, 'migrations')}\n")
    m = os.path.join(d, "migrations")
    os.makedirs(m)
    for i in range(1, n + 1):
        write(os.path.join(m, f"{i:05d}_t_{i}.sql"),
              f"-- +migrate Up\n{up_sql(i)}\n-- +migrate Down\n{down_sql(i)}")


def gen_dbmate(d, n):
    for i in range(1, n + 1):
        write(os.path.join(d, f"{i:05d}_t_{i}.sql"),
              f"-- migrate:up\n{up_sql(i)}\n-- migrate:down\n{down_sql(i)}")


def gen_node_pg_migrate(d, n):
    for i in range(1, n + 1):
        write(os.path.join(d, f"{i:05d}_t_{i}.sql"),
              f"-- Up Migration\n{up_sql(i)}\n-- Down Migration\n{down_sql(i)}")


GENERATORS = {
    "floor": gen_floor,
    "pg_migrate": gen_pg_migrate,
    "alembic": gen_alembic,
    "sqitch": gen_sqitch,
    "sql-migrate": gen_sql_migrate,
    "dbmate": gen_dbmate,
    "node-pg-migrate": gen_node_pg_migrate,
}


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    root, n = sys.argv[1], int(sys.argv[2])
    for name, fn in GENERATORS.items():
        d = os.path.join(root, name)
        os.makedirs(d)
        fn(d, n)


if __name__ == "__main__":
    main()
