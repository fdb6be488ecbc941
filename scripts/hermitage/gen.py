#!/usr/bin/env python3
"""Write scenarios/db/hermitage/*.yaml and the outcome table of
docs/hermitage.md from scripts/hermitage/cells.txt (one table, so ~100
files stay consistent).  The YAML files are committed; this is a
maintainer's tool, not part of the build.

  python3 scripts/hermitage/gen.py            write the files
  python3 scripts/hermitage/gen.py --check    exit 1 if a file differs
  python3 scripts/hermitage/gen.py --refresh-differences CCSIM
        rewrite the `step` lines of differences.txt from CCSIM's runs
        (the `why:` lines stay), after a change to the script check's words
  python3 scripts/hermitage/gen.py --verify-source HERMITAGE_DIR
        check that every documented cell's statements appear, in order,
        in the cited lines of Hermitage's postgres.md / mysql.md

Hermitage: Martin Kleppmann, https://github.com/ept/hermitage, CC BY 4.0.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CELLS = os.path.join(ROOT, "scripts", "hermitage", "cells.txt")
DIFFS = os.path.join(ROOT, "scripts", "hermitage", "differences.txt")
OUT = os.path.join(ROOT, "scenarios", "db", "hermitage")
DOC = os.path.join(ROOT, "docs", "hermitage.md")

LEVELS = {"ru": "read uncommitted", "rc": "read committed",
          "rr": "repeatable read", "ser": "serializable"}
FLAVOURS = {"postgres": "PostgreSQL", "mysql": "MySQL/InnoDB"}
ORDER = {"postgres": ["rc", "rr", "ser"], "mysql": ["ru", "rc", "rr", "ser"]}
KEYS = ("rows", "count", "blocks", "error")


def die(lineno, msg):
    sys.exit("%s:%d: error: %s" % (CELLS, lineno, msg))


def parse_step(lineno, text):
    parts = [p.strip() for p in text.split("|")]
    head = parts[0].split(None, 2)
    exp = {}
    for p in parts[1:]:
        k, _, v = p.partition(" ")
        if k not in KEYS:
            die(lineno, "unknown expectation '%s'" % k)
        exp[k] = v.strip()
    if len(head) == 1:
        return head[0], None, None, exp
    if len(head) != 3:
        die(lineno, "a step is LABEL CLIENT STATEMENT")
    return head[0], head[1], head[2], exp


def load():
    tests, cells, order = {}, {}, []
    cur = None
    with open(CELLS) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            if s.startswith("test "):
                tid, adya, name = [p.strip() for p in s[5:].split("|")]
                tests[tid] = (adya, name)
                cur = None
            elif s.startswith("@ "):
                f_ = [p.strip() for p in s[2:].split("|")]
                tid, flav, lvl = f_[0].split()
                kind, src = f_[1].split(None, 1)
                iso = f_[2].split()[1]
                cur = {"test": tid, "flavour": flav, "level": lvl, "kind": kind,
                       "src": src, "isolation": iso, "hermitage": f_[3],
                       "like": f_[4].split()[1:] if len(f_) > 4 else None,
                       "note": [], "steps": [], "over": [], "line": n}
                if tid not in tests or flav not in ORDER or lvl not in ORDER[flav]:
                    die(n, "bad cell " + f_[0])
                if kind not in ("doc", "derived") or iso not in ("ok", "violation"):
                    die(n, "bad cell header")
                key = (tid, flav, lvl)
                if key in cells:
                    die(n, "cell written twice")
                cells[key] = cur
                order.append(key)
            elif s.startswith(">"):
                cur["note"].append(s[1:].strip())
            else:
                step = parse_step(n, s)
                (cur["over"] if cur["like"] else cur["steps"]).append(step)
    for key in order:
        resolve(cells, key, set())
    for tid in tests:
        for flav in ORDER:
            for lvl in ORDER[flav]:
                if (tid, flav, lvl) not in cells:
                    sys.exit("%s: error: no cell for %s %s %s" % (CELLS, tid, flav, lvl))
    return tests, cells


def resolve(cells, key, seen):
    c = cells[key]
    if not c["like"]:
        return c["steps"]
    if key in seen:
        die(c["line"], "a `like` cycle")
    seen.add(key)
    base = resolve(cells, (c["test"], c["like"][0], c["like"][1]), seen)
    steps = [list(s) for s in base]
    for label, client, stmt, exp in c["over"]:
        hit = [s for s in steps if s[0] == label]
        if client is None:
            if not hit:
                die(c["line"], "override of a step %s the base has not" % label)
            hit[0][3] = exp
        elif hit:
            hit[0][1:] = [client, stmt, exp]
        else:
            steps.append([label, client, stmt, exp])
    c["steps"] = [tuple(s) for s in steps]
    c["like"] = None
    return c["steps"]


def stmt_text(stmt, lvl):
    return "begin isolation level " + LEVELS[lvl] if stmt == "begin" else stmt


def yaml_step(num, client, stmt, exp, labels, lvl):
    out = ['%s: "%s"' % (client, stmt_text(stmt, lvl))]
    if "rows" in exp:
        out.append("rows: none" if exp["rows"] == "none" else 'rows: "%s"' % exp["rows"])
    if "count" in exp:
        out.append("count: " + exp["count"])
    if "blocks" in exp:
        out.append("blocks: %d" % labels[exp["blocks"]])
    if "error" in exp:
        out.append('error: "%s"' % exp["error"])
    return "    %d: {%s}" % (num, ", ".join(out))


def fold(text, indent, width=76):
    words, lines, cur = text.split(), [], indent
    for w in words:
        if len(cur) + len(w) + 1 > width and cur.strip():
            lines.append(cur.rstrip())
            cur = indent
        cur += w + " "
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def file_name(c):
    return "HS-%s-%s-%s" % (c["test"], c["flavour"], c["level"])


def source_words(c):
    f, _, rng = c["src"].partition(":")
    return "%s lines %s" % (f, rng)


def render(tests, c, diffs):
    adya, tname = tests[c["test"]]
    flav, lvl = FLAVOURS[c["flavour"]], LEVELS[c["level"]]
    labels = {s[0]: i + 1 for i, s in enumerate(c["steps"])}
    clients = sorted({s[1] for s in c["steps"]})
    name = file_name(c)
    if c["kind"] == "doc":
        how = "Outcome as documented by Hermitage (%s)." % source_words(c)
    else:
        how = ("Outcome derived by us: Hermitage runs this test at another level "
               "(%s); see docs/hermitage.md." % source_words(c))
    verdict = "prevents" if c["hermitage"] == "prevents" else "does not prevent"
    desc = ("Hermitage %s (%s, %s), %s %s: %s Hermitage's summary: %s %s %s %s. %s "
            "Source: Hermitage by Martin Kleppmann, github.com/ept/hermitage, "
            "CC BY 4.0 (NOTICE in this folder)."
            % (c["test"], adya, tname, flav, lvl, " ".join(c["note"]),
               flav, lvl, verdict, adya, how))
    out = ["# Hermitage test %s on %s %s, written as a ccsim script scenario"
           % (c["test"], flav, lvl),
           "# from Hermitage by Martin Kleppmann (https://github.com/ept/hermitage,",
           "# %s), licensed CC BY 4.0: see NOTICE in this folder." % source_words(c),
           "# Generated from scripts/hermitage/cells.txt by scripts/hermitage/gen.py."]
    d = diffs.get(name)
    if d:
        out.append("# ccsim DIFFERS from the expected outcome (docs/hermitage.md,")
        out.append("# \"Where ccsim differs\"; scripts/hermitage/differences.txt).")
        if d.get("script"):
            out.append("# The steps keep the expected outcome; `expect: script: violation`")
            out.append("# records that ccsim does not meet it (tests/hermitage.sh pins how).")
        if d.get("isolation"):
            out.append("# `expect: isolation: %s` is ccsim's verdict; our analysis of the" % d["isolation"])
            out.append("# history says %s." % c["isolation"])
        for line in d["lines"]:
            out.extend(fold(line, "#   "))
    out += ["name: " + name, "description: >"] + fold(desc, "  ") + [
        "seed: 1", "duration: 10s", "", "protocol: db", "params:",
        "  flavor: " + c["flavour"],
        "  isolation: " + LEVELS[c["level"]].replace(" ", "-"), "",
        "nodes:", "  db: 1", "  client: 1", "",
        "workload:", "  kind: script", "  clients: [%s]" % ", ".join(clients), "  table: test", '  rows: "1=10, 2=20"',
        "  steps:"]
    for i, (label, client, stmt, exp) in enumerate(c["steps"]):
        if "blocks" in exp and exp["blocks"] not in labels:
            die(c["line"], "blocks %s: no such step" % exp["blocks"])
        out.append(yaml_step(i + 1, client, stmt, exp, labels, c["level"]))
    script_verdict = "violation" if d and d.get("script") else "ok"
    iso = d["isolation"] if d and d.get("isolation") else c["isolation"]
    out += ["", "checks: [script, isolation]", "expect:",
            "  script: " + script_verdict, "  isolation: " + iso, ""]
    return "\n".join(out)


def load_diffs():
    """differences.txt: `NAME script|isolation=VERDICT` header lines, then
    indented lines naming the difference."""
    diffs, cur = {}, None
    if not os.path.exists(DIFFS):
        return diffs
    with open(DIFFS) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            if not line[0].isspace():
                parts = line.split()
                cur = {"lines": [], "script": False, "isolation": None}
                for p in parts[1:]:
                    if p == "script":
                        cur["script"] = True
                    elif p.startswith("isolation="):
                        cur["isolation"] = p.split("=", 1)[1]
                diffs[parts[0]] = cur
            else:
                cur["lines"].append(line.strip())
    return diffs


def summary(c):
    """The cell's outcome in a few words: waits, errors, and the reads that
    differ from the loaded rows."""
    labels = {s[0]: i + 1 for i, s in enumerate(c["steps"])}
    seeded = {"1=10, 2=20", "1=10", "2=20"}
    bits = []
    for i, (label, client, stmt, exp) in enumerate(c["steps"]):
        what = []
        if "blocks" in exp:
            what.append("waits to %d" % labels[exp["blocks"]])
        if "error" in exp:
            what.append(exp["error"])
        if "rows" in exp and (exp["rows"] not in seeded or "blocks" in exp):
            what.append("reads " + exp["rows"].replace(" ", ""))
        if what:
            bits.append("%d %s %s" % (i + 1, client, ", ".join(what)))
    return "; ".join(bits)


def table(tests, cells, diffs):
    out = ["| test | flavour | level | Hermitage | source | outcome (step: what) | isolation | ccsim |",
           "|---|---|---|---|---|---|---|---|"]
    for tid in tests:
        for flav in ORDER:
            for lvl in ORDER[flav]:
                c = cells[(tid, flav, lvl)]
                d = diffs.get(file_name(c))
                src = ("**%s**" % c["src"]) if c["kind"] == "doc" else ("derived (%s)" % c["src"])
                agree = "**differs**" if d else ("agrees" if os.path.exists(DIFFS) else "not run yet")
                out.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    tid, flav, lvl.upper(), "prevents" if c["hermitage"] == "prevents" else "allows",
                    src, summary(c), c["isolation"], agree))
    return "\n".join(out)


def verify_source(cells, hdir):
    bad = checked = 0
    for c in cells.values():
        if c["kind"] != "doc":
            continue
        f, _, rng = c["src"].partition(":")
        a, b = [int(x) for x in rng.split("-")]
        with open(os.path.join(hdir, f)) as fh:
            lines = fh.read().split("\n")[a - 1:b]
        text = [re.sub(r"\s+", " ", l.lower().split("--")[0]).strip(" ;") for l in lines]
        pos = 0
        for label, client, stmt, exp in c["steps"]:
            if stmt == "begin":
                continue
            want = re.sub(r"\s+", " ", stmt.lower()).replace("(1, 2)", "(1,2)")
            want = want.replace("values (", "values(")
            found = [i for i in range(pos, len(text))
                     if text[i].replace("values (", "values(") == want
                     or (want in ("abort", "rollback") and text[i] in ("abort", "rollback"))]
            if not found:
                print("%s: %s %s not at/after line %d of %s" % (file_name(c), client, stmt, a + pos, c["src"]))
                bad += 1
            else:
                checked += 1
                pos = found[0] + 1
    print("%d statements of documented cells found in Hermitage's scripts, %d not" % (checked, bad))
    return bad


def refresh_differences(ccsim):
    import subprocess
    import tempfile
    out, name = [], None
    for line in open(DIFFS):
        if re.match(r"^\s+step [0-9]", line):
            continue
        if name and not line.strip():
            out.extend(story_steps(ccsim, name, subprocess, tempfile))
            name = None
        if line.startswith("HS-") and " script" in line:
            name = line.split()[0]
        out.append(line)
    if name:
        out.extend(story_steps(ccsim, name, subprocess, tempfile))
    open(DIFFS, "w").write("".join(out))


def story_steps(ccsim, name, subprocess, tempfile):
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([ccsim, "run", os.path.join(OUT, name + ".yaml"), "--out", d + "/r"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        story = open(d + "/r/story.txt").read().split("\n")
    return ["  " + l.strip() + "\n" for l in story if re.match(r"^\s*step [0-9]", l)]


def main():
    tests, cells = load()
    diffs = load_diffs()
    if len(sys.argv) > 2 and sys.argv[1] == "--refresh-differences":
        refresh_differences(sys.argv[2])
        return
    if len(sys.argv) > 2 and sys.argv[1] == "--verify-source":
        sys.exit(1 if verify_source(cells, sys.argv[2]) else 0)
    check = "--check" in sys.argv
    differ = 0
    want = {}
    for c in cells.values():
        want[file_name(c) + ".yaml"] = render(tests, c, diffs)
    for fname, text in sorted(want.items()):
        path = os.path.join(OUT, fname)
        old = open(path).read() if os.path.exists(path) else None
        if old != text:
            differ += 1
            if check:
                print("differs: " + path)
            else:
                with open(path, "w") as fh:
                    fh.write(text)
    for fname in sorted(os.listdir(OUT)):
        if fname.endswith(".yaml") and fname not in want:
            differ += 1
            print("not in the table: " + os.path.join(OUT, fname))
    doc = open(DOC).read() if os.path.exists(DOC) else ""
    a, b = "<!-- table: scripts/hermitage/gen.py -->", "<!-- end of table -->"
    if a in doc and b in doc:
        new = doc[:doc.index(a) + len(a)] + "\n" + table(tests, cells, diffs) + "\n" + doc[doc.index(b):]
        if new != doc:
            differ += 1
            if check:
                print("differs: " + DOC)
            else:
                open(DOC, "w").write(new)
    print("%d cells, %d file(s) %s" % (len(cells), differ, "differ" if check else "written"))
    sys.exit(1 if check and differ else 0)


main()
