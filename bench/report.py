#!/usr/bin/env python3
"""Summarise bench/run.sh results: print a table, write it as markdown.

    report.py RESULTS.tsv META.txt OUT.md

RESULTS.tsv has one row per timed run (see run.sh); META.txt has key=value
lines about the machine, tree and versions.  With several repetitions the
median of the successful runs is reported.
"""

import csv
import statistics
import sys

MIB = 1 << 20
TARGETS = {"pipe": 0.8, "restic": 2.0, "rss_mib": 256}
ORDER = ["pipe", "restic", "borg", "firesafe"]
NAMES = {"pipe": "tar|zstd|openssl", "restic": "restic", "borg": "borg", "firesafe": "Firesafe"}


def load(results, meta_path):
    with open(results, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    meta, notes = {}, []
    with open(meta_path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            if k == "note":
                notes.append(v)
            else:
                meta[k] = v
    return rows, meta, notes


def aggregate(rows, tree_bytes):
    groups = {}
    for r in rows:
        groups.setdefault((r["tool"], r["op"]), []).append(r)
    out = {}
    for key, rs in groups.items():
        ok = [r for r in rs if r["status"] == "ok"]
        statuses = [r["status"] for r in rs]
        if "DIFF" in statuses:
            status = "DIFF"
        elif "FAILED" in statuses:
            status = "FAILED"
        elif not ok:
            status = "SKIPPED"
        else:
            status = "ok"
        if status != "ok" and ok:
            status += " (%d/%d ok)" % (len(ok), len(rs))
        notes = []
        for r in rs:  # keep the order; of the "json: ..." notes only the last run's
            n = r["note"]
            if n and n not in notes and not (n.startswith("json:") and r is not (ok or rs)[-1]):
                notes.append(n)
        a = {"status": status, "runs": len(rs), "ok": len(ok), "notes": notes}
        if ok:
            secs = [float(r["seconds"]) for r in ok]
            a["seconds"] = statistics.median(secs)
            a["min_s"], a["max_s"] = min(secs), max(secs)
            a["sync_s"] = statistics.median(float(r["sync_seconds"]) for r in ok)
            a["mibps"] = tree_bytes / MIB / a["seconds"] if a["seconds"] > 0 else float("nan")
            a["rss_mib"] = statistics.median(int(r["rss_kb"]) for r in ok) / 1024
            a["rss_note"] = ok[-1]["rss_note"]
            outs = [int(r["out_bytes"]) for r in ok if int(r["out_bytes"]) > 0]
            a["out_bytes"] = statistics.median(outs) if outs else None
        out[key] = a
    return out


def fmt(x, spec):
    return "-" if x is None else format(x, spec)


def build(rows, meta, notes):
    tree_bytes = int(meta["tree_bytes"])
    agg = aggregate(rows, tree_bytes)
    tools = [t for t in ORDER if any(k[0] == t for k in agg)]
    table = []
    for t in tools:
        for op in ("backup", "restore"):
            a = agg.get((t, op))
            if a is None:
                continue
            n = []
            if a.get("rss_note"):
                n.append("RSS = " + a["rss_note"])
            if "seconds" in a and meta.get("sync") == "1":
                n.append("incl. %.2f s final sync" % a["sync_s"])
            if a.get("runs", 1) > 1 and "seconds" in a:
                n.append("%d runs, %.2f-%.2f s" % (a["ok"], a["min_s"], a["max_s"]))
            n.extend(a["notes"])
            table.append({
                "tool": NAMES[t], "op": op, "status": a["status"],
                "s": fmt(a.get("seconds"), ".2f"), "mibps": fmt(a.get("mibps"), ".1f"),
                "rss": fmt(a.get("rss_mib"), ".0f"),
                "out": fmt(a["out_bytes"] / MIB if a.get("out_bytes") else None, ".1f"),
                "pct": fmt(100.0 * a["out_bytes"] / tree_bytes if a.get("out_bytes") else None, ".1f"),
                "notes": "; ".join(n)})

    def tp(tool, op):
        a = agg.get((tool, op))
        return a.get("mibps") if a and a["status"] == "ok" else None

    checks = []
    for op in ("backup", "restore"):
        f = tp("firesafe", op)
        for ref in ("pipe", "restic", "borg"):
            r = tp(ref, op)
            ratio = f / r if f and r else None
            goal = TARGETS.get(ref)
            if goal is None:
                res = "info"
            elif ratio is None:
                res = "n/a"
            else:
                res = "PASS" if ratio >= goal else "MISS"
            checks.append(("Firesafe / %s %s throughput" % (NAMES[ref], op),
                           fmt(ratio, ".2f") + ("x" if ratio is not None else ""),
                           ">= %.1fx" % goal if goal else "-", res))
    for op in ("backup", "restore"):
        a = agg.get(("firesafe", op))
        rss = a.get("rss_mib") if a and a["status"] == "ok" else None
        res = "n/a" if rss is None else ("PASS" if rss <= TARGETS["rss_mib"] else "MISS")
        checks.append(("Firesafe %s peak RSS" % op, fmt(rss, ".0f") + (" MiB" if rss is not None else ""),
                       "<= %d MiB" % TARGETS["rss_mib"], res))
    return table, checks


COLS = [("tool", "Tool", "<"), ("op", "Op", "<"), ("status", "Status", "<"), ("s", "Seconds", ">"),
        ("mibps", "MiB/s", ">"), ("rss", "Peak RSS MiB", ">"), ("out", "Output MiB", ">"),
        ("pct", "Out/in %", ">")]


def text(table, checks, meta, notes):
    lines = []
    tree_mib = int(meta["tree_bytes"]) / MIB
    lines.append("Tree: %.1f MiB, %s files, %s dirs (BENCH_SIZE_MB=%s, seed %s)" % (
        tree_mib, meta["tree_files"], meta["tree_dirs"], meta["tree_size_mb"], meta["seed"]))
    lines.append("Cache: " + meta["cache"])
    lines.append("Runs per tool: %s (median)%s" % (meta["repeat"], "; timed region ends with sync" if meta.get("sync") == "1" else ""))
    lines.append("")
    w = {k: max(len(h), *(len(r[k]) for r in table)) if table else len(h) for k, h, _ in COLS}
    lines.append("  ".join(format(h, a + str(w[k])) for k, h, a in COLS))
    lines.append("  ".join("-" * w[k] for k, _, _ in COLS))
    for r in table:
        lines.append("  ".join(format(r[k], a + str(w[k])) for k, _, a in COLS))
    lines.append("")
    for r in table:
        if r["notes"]:
            lines.append("  %s %s: %s" % (r["tool"], r["op"], r["notes"]))
    lines.append("")
    cw = max(len(c[0]) for c in checks)
    for c in checks:
        lines.append("%-*s  %8s   target %-11s %s" % (cw, c[0], c[1], c[2], c[3]))
    if notes:
        lines.append("")
        lines.extend("Note: " + n for n in notes)
    return "\n".join(lines)


def cell(s):
    return s.replace("|", "\\|")


def markdown(table, checks, meta, notes):
    tree_mib = int(meta["tree_bytes"]) / MIB
    md = ["# Firesafe benchmark results", "",
          "- Date: %s; commit %s" % (meta.get("date", "?"), meta.get("commit", "?")),
          "- Machine: %s; %s" % (meta.get("host", "?"), meta.get("cpu", "?")),
          "- Tree: %.1f MiB (%s bytes) in %s files and %s directories, generated by `bench/gen_tree.py` "
          "(BENCH_SIZE_MB=%s, seed %s)" % (tree_mib, meta["tree_bytes"], meta["tree_files"], meta["tree_dirs"],
                                           meta["tree_size_mb"], meta["seed"]),
          "- Cache: " + meta["cache"],
          "- Timing: wall clock of the whole tool process(es), cold start%s; peak RSS from `/usr/bin/time -v`; "
          "MiB/s = tree bytes / seconds for both backup and restore" % (
              ", up to and including a final `sync` of the output filesystem" if meta.get("sync") == "1" else ""),
          "- Runs per tool: %s (median reported)" % meta["repeat"], ""]
    md.append("| " + " | ".join(h for _, h, _ in COLS) + " | Notes |")
    md.append("|" + "|".join("---" if a == "<" else "---:" for _, _, a in COLS) + "|---|")
    for r in table:
        md.append("| " + " | ".join(cell(r[k]) for k, _, _ in COLS) + " | " + cell(r["notes"]) + " |")
    md += ["", "## Targets", "", "| Check | Value | Target | Result |", "|---|---:|---|---|"]
    for c in checks:
        md.append("| %s | %s | %s | %s |" % (cell(c[0]), c[1], c[2].replace(">=", "≥").replace("<=", "≤"), c[3]))
    md += ["", "## Versions", ""]
    for k, label in (("v_pipe", "pipe"), ("v_restic", "restic"), ("v_borg", "borg"), ("v_firesafe", "Firesafe")):
        if k in meta:
            md.append("- %s: %s" % (label, meta[k]))
    if notes:
        md += ["", "## Notes", ""] + ["- " + n for n in notes]
    return "\n".join(md) + "\n"


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    rows, meta, notes = load(argv[0], argv[1])
    table, checks = build(rows, meta, notes)
    print(text(table, checks, meta, notes))
    with open(argv[2], "w") as f:
        f.write(markdown(table, checks, meta, notes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
