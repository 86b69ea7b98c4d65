#!/usr/bin/env python3
"""test/autogen/gen_schemas.py - random pairs of declared schemas

Usage: gen_schemas.py --pairs N --seed S --out DIR

Writes DIR/NN/a.sql and DIR/NN/b.sql: a random schema (enums, tables with
columns of many types, primary keys, foreign keys, checks, indexes, views,
row-level security and policies, comments) and a mutation of it.  Each
file inserts one row into every table, so that the test can check that a
diff between the two keeps the rows of the tables on both sides: every
NOT NULL column has a default, and type changes stay within families whose
casts keep the default values.
"""
import argparse
import copy
import os
import random

FAMILIES = {
    "int": ["smallint", "integer", "bigint", "numeric"],
    "text": ["text", "character varying(40)", "character varying(80)"],
    "time": ["date", "timestamp with time zone"],
    "other": ["boolean", "jsonb"],
}
DEFAULTS = {
    "smallint": "0", "integer": "1", "bigint": "2", "numeric": "3.5",
    "text": "'x'", "character varying(40)": "'y'", "character varying(80)": "'z'",
    "date": "'2024-01-01'", "timestamp with time zone": "'2024-01-01 00:00+00'",
    "boolean": "false", "jsonb": "'{}'",
}
LABELS = ["new", "queued", "running", "done", "failed", "cancelled", "paused"]


def family(t):
    for f, types in FAMILIES.items():
        if t in types:
            return f
    return "enum"


def random_column(rng, name, enums):
    if enums and rng.random() < 0.15:
        e = rng.choice(sorted(enums))
        return {"name": name, "type": e, "notnull": True, "default": "'%s'" % enums[e][0]}
    f = rng.choice(sorted(FAMILIES))
    t = rng.choice(FAMILIES[f])
    notnull = rng.random() < 0.4
    default = DEFAULTS[t] if notnull or rng.random() < 0.3 else None
    return {"name": name, "type": t, "notnull": notnull, "default": default}


def random_schema(rng):
    s = {"enums": {}, "tables": {}, "views": {}, "next": 0}
    for i in range(rng.randint(0, 2)):
        s["enums"]["e%d" % i] = rng.sample(LABELS, rng.randint(2, 4))
    for i in range(rng.randint(2, 5)):
        add_table(rng, s)
    for i in range(rng.randint(0, 2)):
        add_view(rng, s)
    return s


def add_table(rng, s):
    name = "t%d" % s["next"]
    s["next"] += 1
    cols = [random_column(rng, "c%d" % k, s["enums"]) for k in range(rng.randint(1, 5))]
    t = {"cols": cols, "checks": {}, "fks": {}, "indexes": {}, "rls": False,
         "policies": {}, "comment": None, "nextcol": len(cols)}
    others = sorted(s["tables"])
    if others and rng.random() < 0.5:
        ref = rng.choice(others)
        t["cols"].append({"name": "%s_id" % ref, "type": "integer", "notnull": False, "default": None})
        t["fks"]["%s_%s_fk" % (name, ref)] = ("%s_id" % ref, ref)
    for c in t["cols"]:
        if family(c["type"]) == "int" and rng.random() < 0.3:
            t["checks"]["%s_%s_ck" % (name, c["name"])] = "%s IS NULL OR %s > -1000" % (c["name"], c["name"])
    for c in t["cols"]:
        if c["type"] != "jsonb" and rng.random() < 0.3:
            t["indexes"]["%s_%s_idx" % (name, c["name"])] = c["name"]
    if rng.random() < 0.2:
        t["rls"] = True
        t["policies"]["%s_all" % name] = "true"
    if rng.random() < 0.3:
        t["comment"] = "table %s" % name
    s["tables"][name] = t


def add_view(rng, s):
    if not s["tables"]:
        return
    t = rng.choice(sorted(s["tables"]))
    cols = [c["name"] for c in s["tables"][t]["cols"]]
    pick = sorted(rng.sample(cols, rng.randint(1, len(cols))))
    s["views"]["v_%s_%d" % (t, len(s["views"]))] = (t, pick)


def mutate(rng, s):
    s = copy.deepcopy(s)
    for _ in range(rng.randint(1, 6)):
        op = rng.choice(["add_table", "drop_table", "add_col", "drop_col", "type", "default",
                         "notnull", "index", "check", "fk", "enum", "view", "rls", "comment"])
        tables = sorted(s["tables"])
        t = s["tables"][rng.choice(tables)] if tables else None
        if op == "add_table":
            add_table(rng, s)
        elif op == "drop_table" and len(tables) > 1:
            victim = rng.choice(tables)
            del s["tables"][victim]
            for other in s["tables"].values():
                for fk, (col, ref) in list(other["fks"].items()):
                    if ref == victim:
                        del other["fks"][fk]
            for v, (vt, _) in list(s["views"].items()):
                if vt == victim:
                    del s["views"][v]
        elif op == "add_col" and t:
            c = random_column(rng, "c%d" % t["nextcol"], s["enums"])
            t["nextcol"] += 1
            t["cols"].append(c)
        elif op == "drop_col" and t and len(t["cols"]) > 1:
            c = rng.choice(t["cols"])
            used = any(col == c["name"] for col, _ in t["fks"].values())
            if not used:
                t["cols"].remove(c)
                t["checks"] = {k: v for k, v in t["checks"].items() if not v.startswith(c["name"] + " ")}
                t["indexes"] = {k: v for k, v in t["indexes"].items() if v != c["name"]}
                for v, (vt, cols) in s["views"].items():
                    if vt in s["tables"] and s["tables"][vt] is t and c["name"] in cols:
                        cols.remove(c["name"])
                        if not cols:
                            cols.append(t["cols"][0]["name"])
        elif op == "type" and t:
            c = rng.choice(t["cols"])
            f = family(c["type"])
            if f in FAMILIES and f != "other" and not any(col == c["name"] for col, _ in t["fks"].values()):
                c["type"] = rng.choice(FAMILIES[f])
                if c["default"] is not None:
                    c["default"] = DEFAULTS[c["type"]]
        elif op == "default" and t:
            c = rng.choice(t["cols"])
            if not c["notnull"] and family(c["type"]) != "enum":
                c["default"] = None if c["default"] else DEFAULTS[c["type"]]
        elif op == "notnull" and t:
            c = rng.choice(t["cols"])
            if c["notnull"]:
                c["notnull"] = False
        elif op == "index" and t:
            c = rng.choice(t["cols"])
            name = "%s_idx_%d" % (c["name"], rng.randint(0, 9))
            if c["type"] != "jsonb":
                key = [k for k in t["indexes"]]
                if key and rng.random() < 0.5:
                    del t["indexes"][rng.choice(key)]
                else:
                    t["indexes"]["%s_%s" % (rng.choice(tables), name)] = c["name"]
        elif op == "check" and t:
            if t["checks"] and rng.random() < 0.5:
                del t["checks"][rng.choice(sorted(t["checks"]))]
        elif op == "fk" and t:
            if t["fks"]:
                del t["fks"][rng.choice(sorted(t["fks"]))]
        elif op == "enum" and s["enums"]:
            e = rng.choice(sorted(s["enums"]))
            spare = [l for l in LABELS if l not in s["enums"][e]]
            if spare:
                s["enums"][e].insert(rng.randint(1, len(s["enums"][e])), rng.choice(spare))
        elif op == "view":
            if s["views"] and rng.random() < 0.5:
                del s["views"][rng.choice(sorted(s["views"]))]
            else:
                add_view(rng, s)
        elif op == "rls" and t:
            t["rls"] = not t["rls"]
            t["policies"] = {} if not t["rls"] else {"p_%d" % rng.randint(0, 9): "true"}
        elif op == "comment" and t:
            t["comment"] = None if t["comment"] else "changed %d" % rng.randint(0, 99)
    return s


def render(s):
    out = []
    for e, labels in sorted(s["enums"].items()):
        out.append("CREATE TYPE %s AS ENUM (%s);" % (e, ", ".join("'%s'" % l for l in labels)))
    for name in sorted(s["tables"], key=lambda n: int(n[1:])):
        t = s["tables"][name]
        cols = ["id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"]
        for c in t["cols"]:
            d = c["name"] + " " + c["type"]
            if c["default"] is not None:
                d += " DEFAULT " + c["default"]
            if c["notnull"]:
                d += " NOT NULL"
            cols.append(d)
        for ck, expr in sorted(t["checks"].items()):
            cols.append("CONSTRAINT %s CHECK (%s)" % (ck, expr))
        out.append("CREATE TABLE %s (\n    %s\n);" % (name, ",\n    ".join(cols)))
        if t["comment"]:
            out.append("COMMENT ON TABLE %s IS '%s';" % (name, t["comment"]))
    for name in sorted(s["tables"], key=lambda n: int(n[1:])):
        t = s["tables"][name]
        for fk, (col, ref) in sorted(t["fks"].items()):
            if ref in s["tables"]:
                out.append("ALTER TABLE %s ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (id);" % (name, fk, col, ref))
        for ix, col in sorted(t["indexes"].items()):
            out.append("CREATE INDEX %s ON %s (%s);" % (ix, name, col))
        if t["rls"]:
            out.append("ALTER TABLE %s ENABLE ROW LEVEL SECURITY;" % name)
            for p, expr in sorted(t["policies"].items()):
                out.append("CREATE POLICY %s ON %s USING (%s);" % (p, name, expr))
    for v, (t, cols) in sorted(s["views"].items()):
        if t in s["tables"]:
            have = [c["name"] for c in s["tables"][t]["cols"]]
            cols = [c for c in cols if c in have] or ["id"]
            out.append("CREATE VIEW %s AS SELECT %s FROM %s;" % (v, ", ".join(cols), t))
    for name in sorted(s["tables"], key=lambda n: int(n[1:])):
        out.append("INSERT INTO %s DEFAULT VALUES;" % name)
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    for i in range(args.pairs):
        a = random_schema(rng)
        b = mutate(rng, a)
        d = os.path.join(args.out, "%02d" % i)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "a.sql"), "w") as f:
            f.write(render(a))
        with open(os.path.join(d, "b.sql"), "w") as f:
            f.write(render(b))


main()
