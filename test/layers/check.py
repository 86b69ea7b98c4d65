#!/usr/bin/env python3
"""test/layers/check.py - the layering of the built objects, as TAP

Usage: test/layers/check.py TOP

Reads the symbol tables (nm) of the extension's objects (src/**/*.o) and
the client's (client/*.o) and checks what src/pg_migrate.c's module map
and README's Development section promise:
  - a file calls into its own layer and the layers below it, never above:
    common < catalog < engine < lint < functions < src/pg_migrate.o;
  - no two files call each other, directly or round a circle (in the
    extension and in the client);
  - every global symbol of the extension starts with "migrate_" (or is
    one PostgreSQL itself looks up: _PG_init, Pg_magic_func, pg_finfo_*);
  - what no other file uses is static (SQL functions and src/common aside);
  - in the client, the shared code (*_fe.o) calls no client file, conn.o
    calls no other client file, and main.o is called by none.
"""
import os
import subprocess
import sys

LAYERS = ["common", "catalog", "engine", "lint", "functions"]
n = 0
failures = 0


def check(ok, name, detail=""):
    global n, failures
    n += 1
    if ok:
        print(f"ok {n} - {name}")
    else:
        failures += 1
        print(f"not ok {n} - {name}")
        for line in detail.splitlines():
            print(f"#   {line}")


def symbols(objs):
    defs, uses = {}, {}
    for o in objs:
        out = subprocess.run(["nm", o], capture_output=True, text=True,
                             check=True).stdout
        d, u = set(), set()
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TDBR":
                d.add(parts[2])
            elif len(parts) == 2 and parts[0] == "U":
                u.add(parts[1])
        defs[o], uses[o] = d, u
    owner = {s: o for o, d in defs.items() for s in d}
    edges = {o: {} for o in objs}
    for o, u in uses.items():
        for s in u:
            if s in owner and owner[s] != o:
                edges[o].setdefault(owner[s], set()).add(s)
    return defs, edges


def cycles(edges):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in edges:
        if v not in index:
            visit(v)
    return out


def layer(obj):
    parts = obj.split(os.sep)
    if len(parts) >= 3 and parts[-3] == "src" and parts[-2] in LAYERS:
        return LAYERS.index(parts[-2])
    return len(LAYERS)          # src/pg_migrate.o, the module


def short(obj, top):
    return os.path.relpath(obj, top)


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "."
    ext = sorted(os.path.join(d, f)
                 for d, _, fs in os.walk(os.path.join(top, "src"))
                 for f in fs if f.endswith(".o"))
    cli = sorted(os.path.join(top, "client", f)
                 for f in os.listdir(os.path.join(top, "client"))
                 if f.endswith(".o"))
    if not ext or not cli:
        print("Bail out! build the extension and the client first (make)")
        sys.exit(1)

    defs, edges = symbols(ext)
    bad = [f"{short(a, top)} calls {short(b, top)}: {', '.join(sorted(s))}"
           for a in ext for b, s in edges[a].items() if layer(b) > layer(a)]
    check(not bad, f"no extension file calls a layer above its own ({len(ext)} files)",
          "\n".join(bad))
    circ = cycles(edges)
    check(not circ, "no circle of calls between extension files",
          "\n".join(" -> ".join(short(o, top) for o in c) for c in circ))
    unprefixed = sorted(s for o in ext for s in defs[o]
                        if not (s.startswith("migrate_") or s.startswith("pg_finfo_")
                                or s in ("_PG_init", "Pg_magic_func")))
    check(not unprefixed, "every global symbol of the extension starts with migrate_",
          "\n".join(unprefixed))

    # a function or variable no other file uses is static, but for the SQL
    # functions (PostgreSQL finds them by name) and the shared code of
    # src/common, whose users are the client and the tests as well
    used = set(s for o in ext for deps in edges[o].values() for s in deps)
    sqlfuncs = set(s[len("pg_finfo_"):] for o in ext for s in defs[o]
                   if s.startswith("pg_finfo_"))
    loose = sorted(f"{short(o, top)}: {s}" for o in ext if layer(o) > 0
                   for s in defs[o]
                   if s not in used and s not in sqlfuncs
                   and not s.startswith("pg_finfo_")
                   and s not in ("_PG_init", "Pg_magic_func"))
    check(not loose, "what only its own file uses is static", "\n".join(loose))

    cdefs, cedges = symbols(cli)
    circ = cycles(cedges)
    check(not circ, f"no circle of calls between client files ({len(cli)} files)",
          "\n".join(" -> ".join(short(o, top) for o in c) for c in circ))
    bad = [f"{short(a, top)} calls {short(b, top)}"
           for a in cli if a.endswith("_fe.o")
           for b in cedges[a] if not b.endswith("_fe.o")]
    check(not bad, "the shared code in the client calls no client file", "\n".join(bad))
    conn = os.path.join(top, "client", "conn.o")
    bad = [short(b, top) for b in cedges.get(conn, {}) if not b.endswith("_fe.o")]
    check(not bad, "client/conn.c calls no other client file", "\n".join(bad))
    main_o = os.path.join(top, "client", "main.o")
    bad = [short(a, top) for a in cli if main_o in cedges[a]]
    check(not bad, "no client file calls client/main.c", "\n".join(bad))
    print(f"1..{n}")
    sys.exit(1 if failures else 0)


main()
