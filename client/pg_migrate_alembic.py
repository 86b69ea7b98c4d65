#!/usr/bin/env python3
#
# pg_migrate_alembic.py
#     Render the SQL of Alembic revisions, one revision at a time, with
#     Alembic's own offline mode, for "pg_migrate import alembic".
#
# Usage: pg_migrate_alembic.py ALEMBIC_INI REVISION...
#
# For each revision, runs the project's env.py in offline mode (as
# "alembic upgrade --sql" does) with a migration function that yields that
# revision's upgrade step alone, starting from its own parents, then its
# downgrade step alone, starting from the revision itself.  Branches and
# merges so come out exactly: no other revision's SQL is in a revision's
# output.  Alembic's own statements on its version table and the BEGIN /
# COMMIT around the offline script are removed.
#
# Output, for each revision, on stdout:
#     revision ID
#     upgrade N            then N bytes of SQL and a newline
#     downgrade N          (same; "downgrade-missing" when none)
#     error-upgrade N      then N bytes: why the upgrade could not be rendered
#     error-downgrade N    (same, for the downgrade)
#     end
# Exit status 0 on success (per-revision failures are reported in the
# output), 3 when Alembic cannot be imported, 2 on a usage error, 1 when the
# project cannot be loaded.
#
# IDENTIFICATION
#     client/pg_migrate_alembic.py

import io
import re
import sys


def emit(out, key, text):
    data = text.encode("utf-8")
    out.write(("%s %d\n" % (key, len(data))).encode("ascii"))
    out.write(data)
    out.write(b"\n")


def clean(sql, table):
    """Drop Alembic's bookkeeping from an offline script: version table
    statements, BEGIN / COMMIT and its "-- Running ..." comments."""
    tname = re.escape(table)
    own = re.compile(
        r"^(CREATE TABLE|INSERT INTO|UPDATE|DELETE FROM|DROP TABLE)\s+"
        r"(\"?[\w$]+\"?\.)?\"?%s\"?[\s(;]" % tname, re.I)
    kept = []
    for chunk in sql.split("\n\n"):
        s = chunk.strip()
        if not s:
            continue
        if re.fullmatch(r"(BEGIN|COMMIT)( TRANSACTION)?;", s, re.I):
            continue
        if own.match(s + "\n"):
            continue
        if re.fullmatch(r"-- Running (upgrade|downgrade|stamp)[^\n]*", s):
            continue
        kept.append(chunk.strip("\n"))
    return "\n\n".join(kept) + ("\n" if kept else "")


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: pg_migrate_alembic.py ALEMBIC_INI REVISION...\n")
        return 2
    try:
        from alembic.config import Config
        from alembic.script import ScriptDirectory
        from alembic.runtime.environment import EnvironmentContext
        from alembic.runtime.migration import RevisionStep
    except ImportError as e:
        sys.stderr.write("could not import Alembic: %s\n" % e)
        return 3

    out = sys.stdout.buffer
    try:
        cfg = Config(argv[0])
        script = ScriptDirectory.from_config(cfg)
        revmap = script.revision_map
    except Exception as e:          # any failure of the user's project
        sys.stderr.write("could not load the Alembic project \"%s\": %s\n"
                         % (argv[0], e))
        return 1

    for rev_id in argv[1:]:
        out.write(("revision %s\n" % rev_id).encode("utf-8"))
        try:
            rev = script.get_revision(rev_id)
        except Exception as e:
            emit(out, "error-upgrade", "Alembic does not know it: %s" % e)
            out.write(b"end\n")
            continue
        parents = list(rev._all_down_revisions) or "base"
        for upgrade in (True, False):
            buf = io.StringIO()
            cfg.output_buffer = buf
            step = RevisionStep(revmap, rev, upgrade)
            env = EnvironmentContext(
                cfg, script,
                fn=lambda heads, context, step=step: [step],
                as_sql=True,
                starting_rev=parents if upgrade else rev.revision,
                destination_rev=rev.revision if upgrade else parents)
            try:
                with env:
                    script.run_env()
                ctx = env.get_context()
                table = getattr(ctx, "version_table", "alembic_version")
                sql = clean(buf.getvalue(), table)
            except NotImplementedError as e:
                if upgrade:
                    emit(out, "error-upgrade", "upgrade() raises NotImplementedError")
                else:
                    out.write(b"downgrade-missing\n")
                continue
            except Exception as e:
                emit(out, "error-upgrade" if upgrade else "error-downgrade",
                     "%s: %s" % (type(e).__name__, e))
                continue
            emit(out, "upgrade" if upgrade else "downgrade", sql)
        out.write(b"end\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
