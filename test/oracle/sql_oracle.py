"""Compare the installed extension, through its SQL functions on a running
server, with Alembic 1.8 on random revision graphs.

oracle.py tests the graph library through a C driver; this test drives
the real extension end to end: registration with migrate_add, planning,
running the revisions' SQL, the version rows, the journal and the SQL
errors.  It uses oracle.py's generators (so a seed gives the same graphs
and operations as oracle.py with that seed) and its comparison with
Alembic (compare_op and compare_multi_stamp, with the same allowances for
documented differences and Alembic's internal failures).

For every generated graph the extension is dropped and created again,
and the revisions are registered in the generator's order.  Each
revision's upgrade SQL appends ('upgrade', id) to the table
public.oracle_log and its downgrade SQL appends ('downgrade', id), so
what really ran, and in which order, can be read back.  Every operation
(migrate_upgrade, migrate_downgrade, migrate_stamp, migrate_history with
a range, migrate_heads, migrate_history) is compared with Alembic, and
every state-changing call is also checked on its own ("consistency"):

- success: the result rows are numbered 1..n and name the operation;
  the log holds exactly the result rows' revisions, in order; the
  journal holds one entry per step, in order, each with the version rows
  that the applied set after that step implies, and the last one equal
  to migrate_current(); a stamp runs no SQL, returns migrate_current()'s
  rows and journals the rows it added (or one entry naming no revision
  when it only removed rows);
- failure: the SQLSTATE is one of the API's documented ones (42704,
  42P08, 21000, 22023, 42P17), and the version rows, the log and the
  journal are unchanged.

Invalid graphs (oracle.py's gen_invalid) are registered too.  Registering
an id twice replaces the first registration (keeping its place in the
order), so Alembic is asked about the graph that registration leaves;
migrate_heads() and migrate_upgrade('heads') must then fail with 42P17
exactly when that graph is invalid.

The server is reached with one long-lived psql process (PGHOST, PGPORT,
PGUSER as usual); the test creates the database given by --dbname, drops
it again at the end, and touches nothing else.  The last line reads
"N passed, N failed"; the exit status is 1 on any unexplained
disagreement.

Run with Debian's /usr/bin/python3 (it has alembic) and PYTHONHASHSEED=0,
as run_sql.sh does.
"""

import argparse
import random
import subprocess
import sys
import tempfile
import time

import oracle

# the SQLSTATEs the API documents for a refused graph operation
API_ERRORS = {"42704", "42P08", "21000", "22023", "42P17"}

MARK = "@@sql_oracle_end@@"


def q(s):
    """A SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


def qarr(items):
    return "ARRAY[%s]::text[]" % ", ".join(q(i) for i in items) if items \
        else "'{}'::text[]"


class Psql:
    """One psql process; batch() sends statements and reads each one's
    rows and SQLSTATE back (psql's SQLSTATE variable, after a marker)."""

    def __init__(self, dbname):
        self.err = tempfile.TemporaryFile(mode="w+")
        self.p = subprocess.Popen(
            ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=0",
             "-d", dbname],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err,
            text=True, bufsize=1)
        self.n = 0
        self.batch(["SET client_min_messages = warning"])

    def batch(self, stmts):
        """[(sqlstate, rows, stderr text)] for stmts, run in order."""
        text = []
        marks = []
        for s in stmts:
            self.n += 1
            marks.append("%s %d" % (MARK, self.n))
            text.append("%s;\n\\echo %s :SQLSTATE\n" % (s, marks[-1]))
        self.p.stdin.write("".join(text))
        self.p.stdin.flush()
        out = []
        for m in marks:
            rows = []
            while True:
                line = self.p.stdout.readline()
                if not line:
                    self.err.seek(0)
                    raise SystemExit("psql ended; stderr: %s" % self.err.read()[-2000:])
                line = line.rstrip("\n")
                if line.startswith(m + " "):
                    break
                if line.startswith(MARK):
                    raise SystemExit("psql output out of step: %r" % line)
                rows.append(line)
            out.append([line.split(" ")[-1], rows, ""])
        # psql writes errors unbuffered, before the marker that follows
        self.err.seek(0)
        msg = self.err.read().strip()
        self.err.seek(0)
        self.err.truncate()
        if msg:
            for o in out:
                if o[0] != "00000":
                    o[2] = msg
        return out

    def one(self, stmt):
        return self.batch([stmt])[0]

    def close(self):
        self.p.stdin.close()
        return self.p.wait()


class SqlDriver:
    """The extension behind oracle.py's graph_driver protocol: ask(cmd)
    answers "OK steps rows" or "ERR sqlstate message" for UPGRADE,
    DOWNGRADE and STAMP, so that oracle.compare_op can judge it.  The
    checks that only the SQL layer can fail are recorded in
    self.problems, one entry per state-changing call."""

    def __init__(self, psql):
        self.db = psql
        self.g = None
        self.rows = set()      # migrate_current() after the last call
        self.journal_id = 0    # newest journal entry seen
        self.problems = []     # (description, why) of the current call
        self.consistency = []  # True/False per state-changing call
        self.sqlstates = {}    # (Alembic's answer, SQLSTATE) -> count
        self.resets = 0
        self.last_state = "00000"

    # -- setup

    def fresh(self):
        res = self.db.batch(["DROP EXTENSION IF EXISTS pg_migrate CASCADE",
                             "CREATE EXTENSION pg_migrate",
                             "TRUNCATE public.oracle_log"])
        for st, _, msg in res:
            if st != "00000":
                raise SystemExit("cannot recreate the extension: %s" % msg)
        self.rows = set()
        self.journal_id = 0

    def register(self, nodes):
        """Register nodes in order; return the migrate_add results
        (a word, or "ERR sqlstate")."""
        stmts = []
        for rid, parents, deps, labels in nodes:
            stmts.append(
                "SELECT migrate_add(revision => %s, revises => %s, "
                "depends_on => %s, branch_labels => %s, upgrade => %s, "
                "downgrade => %s)"
                % (q(rid), qarr(parents), qarr(deps), qarr(labels),
                   q("INSERT INTO public.oracle_log (op, rev) VALUES "
                     "('upgrade', %s)" % q(rid)),
                   q("INSERT INTO public.oracle_log (op, rev) VALUES "
                     "('downgrade', %s)" % q(rid))))
        return [r[1][0] if r[0] == "00000" and len(r[1]) == 1 else "ERR " + r[0]
                for r in self.db.batch(stmts)]

    # -- reports

    def list_query(self, sql):
        st, rows, msg = self.db.one(sql)
        if st != "00000":
            return "ERR %s %s" % (st, msg.replace("\n", " | "))
        return "OK " + (",".join(rows) or "-")

    def heads(self):
        return self.list_query("SELECT * FROM migrate_heads()")

    def history(self):
        return self.list_query("SELECT revision FROM migrate_history()")

    def range(self, rows, rng):
        self.sync(rows)
        return self.list_query("SELECT revision FROM migrate_history(%s)" % q(rng))

    # -- state

    def read_state(self, raw=False):
        """(current rows as a list, new log events, new journal entries);
        raw reads the version table itself, for an invalid graph."""
        res = self.db.batch([
            "SELECT revision FROM migrate.version ORDER BY revision" if raw
            else "SELECT * FROM migrate_current()",
            "WITH d AS (DELETE FROM public.oracle_log RETURNING id, op, rev) "
            "SELECT op || ' ' || rev FROM d ORDER BY id",
            "SELECT id || ' ' || operation || ' ' || coalesce(revision, '-') "
            "|| ' ' || coalesce(nullif(array_to_string(version_after, ','), ''), '-') "
            "FROM migrate.journal WHERE id > %d ORDER BY id" % self.journal_id])
        for st, _, msg in res:
            if st != "00000":
                raise SystemExit("cannot read the state: %s" % msg)
        journal = []
        for line in res[2][1]:
            jid, op, rev, after = line.split(" ")
            self.journal_id = max(self.journal_id, int(jid))
            journal.append((op, rev, set(oracle.parse_list(after))))
        return res[0][1], [tuple(x.split(" ")) for x in res[1][1]], journal

    def sync(self, rows):
        """oracle.py hands the rows to start from: the last call's rows,
        none after it forgets them, or the rows it expected when a call
        disagreed.  Make the database agree, by stamping."""
        if set(rows) == self.rows:
            return
        stmts = ["SELECT count(*) FROM migrate_stamp('base')"]
        if rows:
            stmts.append("SELECT count(*) FROM migrate_stamp(VARIADIC %s)" % qarr(sorted(rows)))
        for st, _, msg in self.db.batch(stmts):
            if st != "00000":
                raise SystemExit("cannot stamp %s: %s" % (sorted(rows), msg))
        cur, log, _ = self.read_state()
        if set(cur) != set(rows) or log:
            raise SystemExit("stamp %s left rows %s, log %s" % (sorted(rows), cur, log))
        self.rows = set(rows)
        self.resets += 1

    def problem(self, why):
        self.problems.append(why)

    def ask(self, cmd):
        op, rows, targets = cmd.split(" ", 2)
        op = op.lower()
        targets = targets.split(" ")
        rows = oracle.parse_list(rows)
        self.sync(rows)
        before = set(self.rows)
        if op == "stamp":
            sql = "SELECT * FROM migrate_stamp(VARIADIC %s)" % qarr(targets)
        else:
            sql = "SELECT step || ' ' || revision || ' ' || operation " \
                  "FROM migrate_%s(%s)" % (op, q(targets[0]))
        st, out, msg = self.db.one(sql)
        self.last_state = st
        cur_list, log, journal = self.read_state()
        cur = set(cur_list)
        self.rows = cur
        if len(cur) != len(cur_list):
            self.problem("migrate_current() repeats a row: %s" % cur_list)
        if st != "00000":
            if st not in API_ERRORS:
                self.problem("SQLSTATE %s is not one of the API's: %s" % (st, msg))
            if cur != before or log or journal:
                self.problem("failed call changed state: rows %s -> %s, log %s, "
                             "journal %s" % (sorted(before), sorted(cur), log, journal))
            return "ERR %s %s" % (st, msg.replace("\n", " | "))
        if op == "stamp":
            if set(out) != cur or len(out) != len(cur):
                self.problem("stamp returned %s, migrate_current() %s" % (out, cur_list))
            if log:
                self.problem("stamp ran SQL: %s" % log)
            added = cur - before
            if added:
                want = sorted(added)
                got = sorted(j[1] for j in journal)
            elif cur != before:
                want, got = ["-"], [j[1] for j in journal]
            else:
                want, got = [], [j[1] for j in journal]
            if got != want or any(j[0] != "stamp" or j[2] != cur for j in journal):
                self.problem("stamp journal %s, expected entries for %s ending "
                             "with rows %s" % (journal, want, sorted(cur)))
            return "OK - " + (",".join(sorted(cur)) or "-")
        steps = []
        for i, line in enumerate(out):
            n, rev, what = line.split(" ")
            if n != str(i + 1) or what != op:
                self.problem("result row %d is %r" % (i + 1, line))
            steps.append(rev)
        if log != [(op, s) for s in steps]:
            self.problem("result rows %s but the revisions' SQL logged %s" % (steps, log))
        # the journal: one entry per step, each with the rows it implies
        applied = self.g.ancestors(before)
        want = []
        for s in steps:
            if op == "upgrade":
                applied.add(s)
            else:
                applied.discard(s)
            want.append((op, s, self.g.canonical(applied)))
        if journal != want:
            self.problem("journal %s, expected %s" % (journal, want))
        if steps and journal and journal[-1][2] != cur:
            self.problem("journal ends with rows %s, migrate_current() %s"
                         % (sorted(journal[-1][2]), sorted(cur)))
        if not steps and cur != before:
            self.problem("no step run but rows changed %s -> %s"
                         % (sorted(before), sorted(cur)))
        return "OK %s %s" % (",".join(steps) or "-", ",".join(sorted(cur)) or "-")


def alembic_error_kind(script, op, rows, targets):
    """The class name of Alembic's exception for this call, or "ok"."""
    try:
        if op == "upgrade":
            script._upgrade_revs(targets[0], tuple(rows))
        elif op == "downgrade":
            script._downgrade_revs(targets[0], tuple(rows))
        else:
            script._stamp_revs(tuple(targets), tuple(rows))
        return "ok"
    except Exception as e:  # noqa: BLE001 -- only named
        return type(e).__name__


def checked_op(st, g, drv, script, op, rows, targets, verbose):
    """compare_op (Alembic) plus the consistency checks of the call."""
    drv.problems = []
    drv.g = g
    new = oracle.compare_op(st, g, drv, script, op, rows, targets, verbose)
    st.add("compared")
    if drv.problems:
        st.add("failed")
        st.failures.append("%s from %s: %s\n    graph: %s"
                           % (" ".join([op] + targets), sorted(rows),
                              "; ".join(drv.problems), g.nodes))
    else:
        st.add("passed")
        st.add("consistent")
    return new


def effective(nodes):
    """What registering nodes in order leaves: a later registration of an
    id replaces the first one and keeps its place.  Also the migrate_add
    words expected."""
    pos = {}
    out = []
    words = []
    for nd in nodes:
        nd = [nd[0], list(nd[1]), list(nd[2]), list(nd[3])]
        if nd[0] in pos:
            old = out[pos[nd[0]]]
            words.append("unchanged" if old[1:] == nd[1:] else "replaced")
            out[pos[nd[0]]] = nd
        else:
            pos[nd[0]] = len(out)
            out.append(nd)
            words.append("added")
    return out, words


def check_invalid(st, drv, bad):
    drv.fresh()
    eff, words = effective(bad)
    got = drv.register(bad)
    st.add("compared")
    if got != words:
        st.add("failed")
        st.failures.append("invalid graph registration: %s, expected %s; graph %s"
                           % (got, words, bad))
        return
    try:
        m = oracle.alembic_map(eff)
        m.get_revisions("heads")
        a_ok = True
    except Exception:  # noqa: BLE001 -- any failure counts as refusal
        a_ok = False
    heads = drv.heads()
    st_up, _, _ = drv.db.one("SELECT * FROM migrate_upgrade('heads')")
    cur, log, journal = drv.read_state(raw=True)
    ok = heads.startswith("OK ")
    broken = oracle.broken_anyway(eff)
    if ok and st_up != "00000":
        why = "migrate_heads() works but migrate_upgrade('heads') fails with %s" % st_up
    elif not ok and (not heads.startswith("ERR 42P17 ") or st_up != "42P17"
                     or cur or log or journal):
        why = "refused, but not with 42P17 everywhere or not cleanly: heads %s, " \
              "upgrade %s, rows %s, log %s, journal %s" % (heads, st_up, cur, log, journal)
    elif not a_ok and not ok:
        why = None
        st.add("agree_error")
    elif a_ok and ok and not broken:
        why = None
    elif a_ok and not ok and broken:
        why = None
        st.add("documented:invalid graph Alembic accepts (duplicate id or cycle)")
    else:
        why = "alembic ok=%s, ours %s" % (a_ok, heads)
    if why:
        st.add("failed")
        st.failures.append("invalid graph: %s; registered %s" % (why, bad))
    else:
        st.add("passed")
        if any(w != "added" for w in words):
            st.add("invalid_reregistered")


def run_graph(st, rnd, drv, verbose):
    """oracle.run_graph with the extension in place of graph_driver; the
    random draws are the same, so a seed gives oracle.py's graphs."""
    nodes = oracle.gen_graph(rnd)
    g = oracle.Graph(nodes)
    drv.g = g
    st.add("graphs")
    drv.fresh()
    words = drv.register(nodes)
    if words != ["added"] * len(nodes):
        st.add("failed")
        st.failures.append("valid graph registration: %s; graph %s" % (words, nodes))
        return
    rmap = oracle.alembic_map(nodes)
    script = oracle.Script(rmap)
    for name, ours, expect in (
            ("migrate_heads()", drv.heads(), list(rmap.heads)),
            ("migrate_history()", drv.history(),
             [r.revision for r in script.walk_revisions()])):
        oracle.compare_listing(st, name, ours, expect, g, nodes,
                               history=name == "migrate_history()")
    rows = set()
    for _ in range(rnd.randint(6, 12)):
        op, arg = oracle.draw_step(rnd, g)
        if op == "range":
            oracle.compare_range(st, g, script, rows, arg, drv.range(sorted(rows), arg), nodes,
                                 api_error=lambda ours: ours.split(" ")[1] in API_ERRORS)
            continue
        targets = arg
        new = checked_op(st, g, drv, script, op, sorted(rows), targets, verbose)
        if drv.last_state != "00000":
            # which Alembic refusal met which SQLSTATE
            key = (alembic_error_kind(script, op, sorted(rows), targets), drv.last_state)
            drv.sqlstates[key] = drv.sqlstates.get(key, 0) + 1
        if new is not None:
            rows = new
        elif rnd.random() < 0.2:
            rows = set()
    bad = oracle.gen_invalid(rnd, nodes)
    if bad is not None:
        check_invalid(st, drv, bad)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--graphs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dbname", default="pg_migrate_sql_oracle")
    ap.add_argument("--keep", action="store_true", help="keep the database")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    admin = Psql("postgres")
    for stmt in ("DROP DATABASE IF EXISTS %s" % args.dbname,
                 "CREATE DATABASE %s" % args.dbname):
        s, _, msg = admin.one(stmt)
        if s != "00000":
            raise SystemExit("%s: %s" % (stmt, msg))
    db = Psql(args.dbname)
    s, _, msg = db.one("CREATE TABLE public.oracle_log (id bigserial PRIMARY KEY, "
                       "op text NOT NULL, rev text NOT NULL)")
    if s != "00000":
        raise SystemExit("cannot create the log table: %s" % msg)
    drv = SqlDriver(db)
    rnd = random.Random(args.seed)
    st = oracle.Stats()
    started = time.time()
    for _ in range(args.graphs):
        run_graph(st, rnd, drv, args.verbose)
    db.close()
    if not args.keep:
        admin.one("DROP DATABASE %s" % args.dbname)
    admin.close()

    for f in st.failures[:20]:
        print("FAIL", f)
    c = st.c
    documented = sum(v for k, v in c.items() if k.startswith("documented:"))
    print("graphs %d, checks %d, plans agreeing %d, errors agreeing %d, "
          "documented differences %d, Alembic internal failures %d, "
          "calls consistent (log, journal, rows, SQLSTATE) %d, %.1fs"
          % (c.get("graphs", 0), c.get("compared", 0), c.get("agree_plan", 0),
             c.get("agree_error", 0), documented, c.get("alembic_internal", 0),
             c.get("consistent", 0), time.time() - started))
    for k in sorted(c):
        if k.startswith("documented:"):
            print("  %s: %d" % (k[len("documented:"):], c[k]))
    print("stamps of one target from non-empty rows %d, stamps of several targets %d, "
          "invalid graphs with an id registered twice %d, rows reset %d"
          % (c.get("stamp_from_rows", 0), c.get("multi_stamp", 0),
             c.get("invalid_reregistered", 0), drv.resets))
    print("refusals, Alembic's exception -> SQLSTATE:")
    for (kind, state), n in sorted(drv.sqlstates.items()):
        print("  %s -> %s: %d" % (kind, state, n))
    print("%d passed, %d failed" % (c.get("passed", 0), c.get("failed", 0)))
    return 1 if c.get("failed", 0) else 0


if __name__ == "__main__":
    sys.exit(main())
