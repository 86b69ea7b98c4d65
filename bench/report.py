#!/usr/bin/python3
"""bench/report.py - RESULTS.md and results.png from one benchmark run

Usage: bench/report.py [BENCH_DIR]

Reads BENCH_DIR/results.tsv (one row per timed phase, written by
bench/run.sh) and BENCH_DIR/results.env (the run's facts) and writes
BENCH_DIR/RESULTS.md (a table per N: medians, min-max, ratios to the floor
taken repetition by repetition; pg_migrate's server-side figures; backend
memory; concurrency; the performance targets) and BENCH_DIR/results.png
(time against N per tool, log scales).
"""
import csv
import os
import statistics
import sys
from collections import defaultdict

TOOLS = ["floor", "pgm_sql", "pgm_client", "alembic", "sqitch", "sql_migrate",
         "dbmate", "node_pg_migrate"]
LABEL = {
    "floor": "floor (psql -1 -f)",
    "pgm_sql": "pg_migrate (SQL)",
    "pgm_client": "pg_migrate client",
    "alembic": "Alembic",
    "sqitch": "Sqitch",
    "sql_migrate": "sql-migrate",
    "dbmate": "dbmate",
    "node_pg_migrate": "node-pg-migrate",
}
PHASES = ["up", "noop", "history", "down"]
PHASE_LABEL = {
    "up": "upgrade from empty",
    "noop": "no-op upgrade at head",
    "history": "history listing",
    "down": "downgrade to base",
}


def load(bench):
    rows = []
    with open(os.path.join(bench, "results.tsv")) as f:
        for r in csv.DictReader(f, delimiter="\t"):
            r["n"] = int(r["n"])
            r["rep"] = int(r["rep"])
            rows.append(r)
    meta = {}
    with open(os.path.join(bench, "results.env")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            meta[k] = v
    return rows, meta


def num(v):
    return None if v in ("-", "", None) else float(v)


def fmt_ms(ms):
    if ms is None:
        return "-"
    if ms >= 10000:
        return f"{ms / 1000:.1f} s"
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    if ms >= 100:
        return f"{ms:.0f} ms"
    if ms >= 10:
        return f"{ms:.1f} ms"
    return f"{ms:.2f} ms"


def fmt_ratio(r):
    return "-" if r is None else f"{r:.2f}x"


class Data:
    def __init__(self, rows):
        # (n, tool, phase) -> {rep: row}
        self.by = defaultdict(dict)
        self.failed = []
        for r in rows:
            if r["status"] != "ok":
                self.failed.append(r)
                continue
            self.by[(r["n"], r["tool"], r["phase"])][r["rep"]] = r

    def values(self, n, tool, phase, field="wall_ms"):
        # a backend too short-lived for the 50 ms sampler shows as 0: no figure
        return [v for v in (num(r[field]) for r in self.by.get((n, tool, phase), {}).values())
                if v is not None and not (field.startswith("backend_") and v == 0)]

    def stat(self, n, tool, phase, field="wall_ms"):
        v = self.values(n, tool, phase, field)
        if not v:
            return None
        return statistics.median(v), min(v), max(v), len(v)

    def ratios(self, n, tool, phase, base_tool="floor", base_phase=None):
        """tool / floor, repetition by repetition"""
        mine = self.by.get((n, tool, phase), {})
        base = self.by.get((n, base_tool, base_phase or phase), {})
        out = [float(mine[k]["wall_ms"]) / float(base[k]["wall_ms"]) for k in mine if k in base]
        if not out:
            return None
        return statistics.median(out), min(out), max(out), len(out)

    def sizes(self):
        return sorted({k[0] for k in self.by if not k[2].startswith("concurrent")})


def cell(d, n, tool, phase):
    s = d.stat(n, tool, phase)
    if s is None:
        return "-"
    med, lo, hi, k = s
    text = f"{fmt_ms(med)} ({fmt_ms(lo)}–{fmt_ms(hi)})"
    if tool != "floor":
        r = d.ratios(n, tool, phase)
        if r is not None:
            text += f" **{fmt_ratio(r[0])}**"
    return text


def peak_rss_mb(d, n, tool):
    peaks = []
    for phase in PHASES:
        v = d.values(n, tool, phase, "client_rss_kb")
        if v:
            peaks.append(statistics.median(v))
    return f"{max(peaks) / 1024:.0f}" if peaks else "-"


def target_rows(d, sizes):
    """(target, measured, verdict) for each of the performance targets"""
    out = []

    def verdict(ok):
        return "not measured" if ok is None else ("holds" if ok else "fails")

    def ratio_target(desc, n, tool, phase, limit, base_phase=None):
        r = d.ratios(n, tool, phase, base_phase=base_phase)
        if r is None:
            out.append((desc, "not measured", verdict(None)))
        else:
            out.append((desc, f"{r[0]:.2f}x (runs {r[1]:.2f}–{r[2]:.2f}, n={r[3]})",
                        verdict(r[0] <= limit)))

    def server_target(desc, n, phase, limit_ms):
        s = d.stat(n, "pgm_sql", phase, "server_ms")
        if s is None:
            out.append((desc, "not measured", verdict(None)))
        else:
            out.append((desc, f"{fmt_ms(s[0])} ({fmt_ms(s[1])}–{fmt_ms(s[2])})",
                        verdict(s[0] < limit_ms)))

    ratio_target("upgrade from empty, N=1,000, SQL path ≤ 1.05x floor", 1000, "pgm_sql", "up", 1.05)
    ratio_target("upgrade from empty, N=1,000, client ≤ 1.05x floor", 1000, "pgm_client", "up", 1.05)
    server_target("no-op upgrade inside the server, N=10,000 < 1 ms: first call of a session",
                  10000, "noop", 1.0)
    server_target("no-op upgrade inside the server, N=10,000 < 1 ms: second call of a session",
                  10000, "noop2", 1.0)
    ratio_target("`pg_migrate upgrade head` no-op process, N=1,000 ≤ 1.5x `psql -c 'SELECT 1'`",
                 1000, "pgm_client", "noop", 1.5)
    ratio_target("`pg_migrate upgrade head` no-op process, N=10,000 ≤ 3x `psql -c 'SELECT 1'`",
                 10000, "pgm_client", "noop", 3.0)
    ratio_target("downgrade to base, N=1,000, SQL path ≤ 1.10x floor", 1000, "pgm_sql", "down", 1.10)
    ratio_target("downgrade to base, N=1,000, client ≤ 1.10x floor", 1000, "pgm_client", "down", 1.10)
    server_target("`migrate_history()` over 10,000 revisions < 50 ms (server)", 10000, "history", 50)
    server_target("registering 10,000 revision files (`migrate_load`) < 1 s (server)", 10000,
                  "register", 1000)

    # backend memory: pg_migrate's backend beside the floor's, which runs the
    # same SQL; flat = no more than 1.25x the floor's backend at 10,000
    big = max(sizes) if sizes else None
    m = d.stat(big, "pgm_sql", "up", "backend_anon_kb") if big else None
    f = d.stat(big, "floor", "up", "backend_anon_kb") if big else None
    if m is None or f is None:
        out.append(("backend memory while upgrading 10,000 revisions flat", "not measured",
                    verdict(None)))
    else:
        per_n = ", ".join(
            f"N={n:,}: {d.stat(n, 'pgm_sql', 'up', 'backend_anon_kb')[0] / 1024:.0f} MB"
            for n in sizes if d.stat(n, "pgm_sql", "up", "backend_anon_kb"))
        out.append((f"backend memory while upgrading N={big:,} flat (≤ 1.25x the floor's backend, "
                    "anonymous memory)",
                    f"{m[0] / 1024:.0f} MB vs floor {f[0] / 1024:.0f} MB ({m[0] / f[0]:.2f}x); "
                    f"pg_migrate by N: {per_n}",
                    verdict(m[0] <= 1.25 * f[0] and big >= 10000)
                    if big >= 10000 else "not measured at 10,000"))

    # planning linear: microseconds per revision of migrate_pending over the
    # whole chain; linear = at most 2x the per-revision cost of 1,000 at 10,000
    p1 = d.stat(1000, "pgm_sql", "plan", "server_ms")
    p2 = d.stat(10000, "pgm_sql", "plan", "server_ms")
    if p1 is None or p2 is None:
        out.append(("planning linear in N", "not measured", verdict(None)))
    else:
        a, b = p1[0] * 1000 / 1000, p2[0] * 1000 / 10000
        out.append(("planning linear in N (µs per revision at 10,000 ≤ 2x that at 1,000)",
                    f"{a:.1f} µs/rev at 1,000, {b:.1f} µs/rev at 10,000", verdict(b <= 2 * a)))
    return out


def chart(d, sizes, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(12, 9))
    for ax, phase in zip(axes.flat, PHASES):
        for tool in TOOLS:
            xs, ys, lo, hi = [], [], [], []
            for n in sizes:
                s = d.stat(n, tool, phase)
                if s:
                    xs.append(n)
                    ys.append(s[0] / 1000)
                    lo.append((s[0] - s[1]) / 1000)
                    hi.append((s[2] - s[0]) / 1000)
            if xs:
                label = LABEL[tool]
                if tool == "floor" and phase in ("noop", "history"):
                    label = "psql -c 'SELECT 1'"
                ax.errorbar(xs, ys, yerr=[lo, hi], marker="o", capsize=3, label=label,
                            color=f"C{TOOLS.index(tool)}",
                            linestyle="--" if tool == "floor" else "-")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(sizes)
        ax.set_xticklabels([f"{n:,}" for n in sizes])
        ax.set_xlabel("revisions (N)")
        ax.set_ylabel("seconds (median, whole process; bars: min–max)")
        ax.set_title(PHASE_LABEL[phase])
        ax.grid(True, which="both", alpha=0.3)
    handles, labels = [], []
    for ax in axes.flat:
        for h, l in zip(*ax.get_legend_handles_labels()):
            if l not in labels:
                handles.append(h)
                labels.append(l)
    fig.legend(handles, labels, loc="lower center", ncol=5)
    fig.suptitle("Migration tools: time against number of revisions (log scales)")
    fig.tight_layout(rect=(0, 0.06, 1, 0.96))
    fig.savefig(path, dpi=100)


def main():
    bench = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    rows, meta = load(bench)
    d = Data(rows)
    sizes = d.sizes()
    listed = meta.get("tools", "").split()
    tools = [t for t in TOOLS if t in listed or any(k[1] == t for k in d.by)]
    L = []
    w = L.append

    w("# Benchmark results")
    w("")
    w("Written by `bench/report.py` from the run below; `make bench` runs it again")
    w("(`bench/setup.sh` installs the tools, `bench/run.sh` measures, `bench/report.py`")
    w("writes this file and `results.png`). Raw figures: `bench/results.tsv`.")
    w("")
    if "duration_s" in meta:
        took = f"{int(meta['duration_s']) // 60} min {int(meta['duration_s']) % 60} s"
    else:
        took = "interrupted before the end: the figures below are the repetitions it finished"
    w(f"- Run: {meta.get('date')}, `{meta.get('command')}` ({meta.get('mode')} mode), {took}")
    w(f"- Repetitions: {meta.get('runs')} (sizes ≥ {int(meta.get('big', 0)):,}: "
      f"{meta.get('big_runs', meta.get('runs'))}); sizes N = {meta.get('sizes')}")
    w(f"- Machine: {meta.get('cpu')}, {meta.get('nproc')} CPUs, {meta.get('mem')}, "
      f"{meta.get('os')}, Linux {meta.get('kernel')}; shared with other work: load average "
      f"{meta.get('load_start')} at the start, {meta.get('load_end', '(not recorded)')} at the end "
      "(1, 5, 15 min). "
      "Single figures vary with the load; ratios taken within one repetition are what count.")
    w(f"- Server: {meta.get('server')}, a throw-away cluster on 127.0.0.1 started by the "
      "benchmark; default settings except `max_locks_per_transaction` (one transaction "
      f"creating 10,000 tables needs it): {meta.get('settings')}")
    w("")
    w("Versions:")
    w("")
    for k, name in (("pg_migrate", "pg_migrate"), ("psql", "psql (the floor)"),
                    ("alembic", "Alembic"), ("sqitch", "Sqitch"), ("sql_migrate", "sql-migrate"),
                    ("dbmate", "dbmate"), ("node_pg_migrate", "node-pg-migrate")):
        w(f"- {name}: {meta.get(k, 'missing')}")
    w("")
    w("## What is measured")
    w("")
    w("N revisions in a chain, revision i running `CREATE TABLE t_i (id bigint primary key, "
      "payload text); CREATE INDEX ON t_i (payload);` and its downgrade `DROP TABLE t_i;`, "
      "in each tool's own format (`bench/gen.py`). For each repetition, each N and each tool "
      "(the tools' order rotates between repetitions), a fresh database is created from "
      "template0 (with `CREATE EXTENSION pg_migrate` for the pg_migrate tools; not timed) and "
      "the phases run in order against it, each timed as a whole process (fork to exit, "
      "`bench/tools/measure`): upgrade from empty to head, the same upgrade again at head "
      "(no-op), the history listing, the downgrade to base. Each phase is checked (N tables "
      "after the upgrades, none after the downgrade); a failed phase is listed below and not "
      "counted.")
    w("")
    w("- **floor**: the same SQL in one file, `psql -X -q -1 -f up.sql` (and `down.sql` for the "
      "downgrade); the floor of the no-op and history phases is a bare `psql -X -q -c 'SELECT 1'` "
      "process.")
    w("- **pg_migrate (SQL)**: `psql -c \"SELECT count(*), <server time> FROM "
      "migrate_upgrade('head')\"` after `SELECT migrate_load(dir)`; likewise "
      "`migrate_upgrade('head')` at head, `migrate_history()`, `migrate_downgrade('base')`.")
    w("- **pg_migrate client**: `pg_migrate --dir DIR upgrade head` (it registers the files "
      "itself, so the upgrade from empty includes registration), again at head, `history`, "
      "`downgrade base`.")
    w("- **Alembic**: `python3 -m alembic upgrade head` / `history` / `downgrade base` "
      "(one transaction for the whole run; `history` reads the scripts only).")
    w("- **Sqitch**: `sqitch deploy` / `log` / `revert -y` (one psql process per change).")
    w("- **sql-migrate**: `sql-migrate up` / `status` / `down -limit=0` (one transaction per "
      "migration).")
    w("- **dbmate**: `dbmate migrate` / `status`; the downgrade is N `dbmate rollback` calls in "
      "a row, as dbmate rolls back one migration a call (one transaction per migration).")
    w("- **node-pg-migrate**: `node-pg-migrate up` / `down N` with SQL migration files (one "
      "transaction for the run); it has no listing command.")
    w("")
    w("Cells: median (min–max) of the whole process; **bold**: the median of the ratios to the "
      "floor, taken repetition by repetition. Client RSS: the largest median peak resident set "
      "of the tool's process (and its children) over the phases.")
    big = int(meta.get("big", 10000))
    big_tools = meta.get("big_tools", "").split()
    slow = meta.get("slow_tools", "").split()
    skipped = []
    for t in tools:
        if t not in big_tools and t not in slow and any(n >= big for n in sizes):
            skipped.append(f"{LABEL[t]} at N ≥ {big:,}")
    for t in slow:
        if t in tools:
            skipped.append(f"{LABEL[t]} above N = {min(sizes):,}")
    if skipped:
        w("")
        w("Not run (too slow for the run's time: each of these takes minutes a run there): "
          + "; ".join(skipped) + ".")
    for t in TOOLS:
        if listed and t not in tools:
            w("")
            w(f"{LABEL[t]} was not installed on this machine (or not asked for) and was not "
              "measured.")

    for n in sizes:
        w("")
        w(f"## N = {n:,}")
        w("")
        reps = sorted({k for (m, t, p), v in d.by.items() if m == n and p in PHASES for k in v})
        w(f"Repetitions: {len(reps)}.")
        w("")
        w("| tool | upgrade from empty | no-op upgrade at head | history | downgrade to base "
          "| client RSS MB |")
        w("|---|---|---|---|---|---|")
        for t in tools:
            if not any(d.stat(n, t, p) for p in PHASES):
                continue
            w(f"| {LABEL[t]} | " + " | ".join(cell(d, n, t, p) for p in PHASES)
              + f" | {peak_rss_mb(d, n, t)} |")

    w("")
    w("## pg_migrate inside the server")
    w("")
    w("Time inside the server of each SQL call (from `statement_timestamp()`, when the server "
      "received the statement, to `clock_timestamp()` after the function returned; the first "
      "call of a fresh session, as at an application's start; `no-op, 2nd` is a second call in "
      "the same session), median (min–max). `register` "
      "is `migrate_load(dir)`, `plan` is `migrate_pending('head')` over the whole chain "
      "(nothing applied).")
    w("")
    w("| N | register | plan | plan µs/rev | upgrade | no-op upgrade | no-op, 2nd | history "
      "| downgrade |")
    w("|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        cells = []
        for p in ("register", "plan", None, "up", "noop", "noop2", "history", "down"):
            if p is None:
                s = d.stat(n, "pgm_sql", "plan", "server_ms")
                cells.append("-" if s is None else f"{s[0] * 1000 / n:.1f}")
                continue
            s = d.stat(n, "pgm_sql", p, "server_ms")
            cells.append("-" if s is None else f"{fmt_ms(s[0])} ({fmt_ms(s[1])}–{fmt_ms(s[2])})")
        w(f"| {n:,} | " + " | ".join(cells) + " |")

    w("")
    w("## Server backend memory during the upgrade")
    w("")
    w("Peak of the upgrading backend's `/proc/PID/smaps_rollup`, sampled every 50 ms "
      "(`bench/tools/memsample.sh`), median over the runs, MB: Anonymous is the backend's "
      "private memory (memory contexts, caches), Rss also counts the shared buffers it "
      "touched. The floor's backend runs the same SQL.")
    w("")
    w("| N | " + " | ".join(f"{LABEL[t]} anon | {LABEL[t]} rss" for t in
                           ("floor", "pgm_sql", "pgm_client") if t in tools) + " |")
    w("|---|" + "---|---|" * len([t for t in ("floor", "pgm_sql", "pgm_client") if t in tools]))
    for n in sizes:
        cells = []
        for t in ("floor", "pgm_sql", "pgm_client"):
            if t not in tools:
                continue
            for f in ("backend_anon_kb", "backend_rss_kb"):
                s = d.stat(n, t, "up", f)
                cells.append("-" if s is None else f"{s[0] / 1024:.0f}")
        w(f"| {n:,} | " + " | ".join(cells) + " |")

    conc = [k for k in d.by if k[2].startswith("concurrent")]
    if conc:
        cn = conc[0][0]
        w("")
        w(f"## Concurrency: 32 sessions against a database {cn} revisions behind")
        w("")
        w("Wall time until every session is done (32 processes started at once by "
          "`bench/tools/concurrent.sh`), beside one session alone, each on a fresh database "
          "with the extension created: the client registers the files itself; for the SQL "
          "path the files are registered beforehand and each session runs "
          "`SELECT count(*) FROM migrate_upgrade('head')`. One session applies the revisions, "
          "the others wait for the migration lock and find nothing to do.")
        w("")
        w("| tool | 1 session | 32 sessions | ratio |")
        w("|---|---|---|---|")
        for t in ("pgm_client", "pgm_sql"):
            s1 = d.stat(cn, t, "concurrent1")
            s32 = d.stat(cn, t, "concurrent32")
            if not s1 or not s32:
                continue
            w(f"| {LABEL[t]} | {fmt_ms(s1[0])} ({fmt_ms(s1[1])}–{fmt_ms(s1[2])}) | "
              f"{fmt_ms(s32[0])} ({fmt_ms(s32[1])}–{fmt_ms(s32[2])}) | "
              f"{s32[0] / s1[0]:.2f}x |")

    w("")
    w("## Performance targets")
    w("")
    w("| target | measured (median) | verdict |")
    w("|---|---|---|")
    for desc, meas, verdict in target_rows(d, sizes):
        w(f"| {desc} | {meas} | {verdict} |")

    if d.failed:
        w("")
        w("## Failed phases")
        w("")
        w("| N | tool | phase | run | status |")
        w("|---|---|---|---|---|")
        for r in d.failed:
            w(f"| {r['n']:,} | {LABEL.get(r['tool'], r['tool'])} | {r['phase']} | {r['rep']} | "
              f"{r['status']} |")

    w("")
    w("## Chart")
    w("")
    w("![time against N](results.png)")
    w("")
    # figures taken by hand with bench/perf/ scripts follow a marker line;
    # a new run of the whole benchmark keeps them
    results = os.path.join(bench, "RESULTS.md")
    kept = ""
    if os.path.exists(results):
        with open(results) as f:
            old = f.read()
        at = old.find(PERF_MARKER)
        if at >= 0:
            kept = old[at:]
    with open(results, "w") as f:
        f.write("\n".join(L))
        if kept:
            f.write("\n" + kept)
    chart(d, sizes, os.path.join(bench, "results.png"))


PERF_MARKER = "<!-- figures from bench/perf scripts: kept by report.py -->"


if __name__ == "__main__":
    main()
