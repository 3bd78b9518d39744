#!/usr/bin/env python3
"""Markdown tables from a bench/chunking/run.sh result directory: report.py DIR"""

import csv
import json
import os
import sys

sys.dont_write_bytecode = True


def rows(path):
    if not os.path.isfile(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f, delimiter="\t"))


def mb(v):
    return "%.1f" % (float(v) / 1e6)


def main():
    d = sys.argv[1]
    out = []
    env = open(os.path.join(d, "env.txt")).read().strip() if os.path.isfile(os.path.join(d, "env.txt")) else ""
    out.append("```\n" + env + "\n```\n")
    changes = sorted(f for f in os.listdir(d) if f.startswith("change-s") and f.endswith(".json"))
    for name in changes:
        ch = json.load(open(os.path.join(d, name)))
        out.append("Change (c), seed %d: source %d files, %.2f GB; %d files with a 4 KiB rewrite (%d B), 50 new 100 kB"
                   " files, `%s` renamed (%.1f MB, %d files), 20 x 64 KiB written into the 500 MB `%s`: %.2f MB"
                   " changed.  " % (ch["seed"], ch["files_a"], ch["bytes_a"] / 1e9, ch["changed_in_place"],
                                    ch["changed_in_place_bytes"], ch["renamed_dir"], ch["renamed_dir_bytes"] / 1e6,
                                    ch["renamed_dir_files"], ch["db"], ch["bytes_changed_total"] / 1e6))
    out.append("")
    growth = None
    rs = rows(os.path.join(d, "restic.tsv"))
    if rs:
        gs = [float(r["repo_growth_backup2"]) for r in rs]
        growth = sum(gs) / len(gs)
        out.append("restic 0.14 on the same changes (the change applied in place, parent snapshot): the repository"
                   " grew by %s MB on average (%s).\n" % (mb(growth), "; ".join(
                       "seed %s: %s MB, %s" % (r["seed"], mb(r["repo_growth_backup2"]), r["added_line"].strip())
                       for r in rs)))
    sc = rows(os.path.join(d, "scenario.tsv"))
    if sc:
        out.append("| params | chunks | mean chunk | mean chunk, files of 2+ chunks | new chunks | new MB raw | "
                   "new MB zstd-3 (min-max) | x restic stored | of which: rewritten files / new files / 500 MB db / rename only"
                   " (MB raw) | backup 1 zstd-3 MB | est. index entries, 100 GB in 1M files |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
        for r in sc:
            ratio = "%.2f" % (float(r["new_bytes_zstd3"]) / growth) if growth else ""
            b1 = mb(r["backup1_zstd3"]) if r.get("backup1_zstd3") else ""
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s / %s / %s / %s | %s | %s |" % (
                r["params"].replace("fastcdc-", ""), r["chunks"], "%.0f K" % (float(r["mean_chunk"]) / 1024),
                "%.0f K" % (float(r["mean_chunk_multi"]) / 1024), "%.0f" % float(r["new_chunks"]), mb(r["new_bytes"]),
                "%s (%s-%s)" % (mb(r["new_bytes_zstd3"]), mb(r["new_bytes_zstd3_min"]), mb(r["new_bytes_zstd3_max"])),
                ratio, mb(r["new_bytes_changed_files"]), mb(r["new_bytes_new_files"]),
                mb(r["new_bytes_db"]), mb(r["new_bytes_renamed"]), b1,
                "{:,.0f}".format(float(r["est_entries_100gb_1m_files"]))))
        out.append("")
    speed_runs = [os.path.join(d, "throughput.tsv")] + sorted(
        os.path.join(d, x, "throughput.tsv") for x in os.listdir(d) if x.startswith("throughput-"))
    for tpath in speed_runs:
        th = rows(tpath)
        if not th:
            continue
        out.append("Speed run: `%s`\n" % os.path.relpath(tpath, d))
        out.append("| boundary search, in memory | best MB/s (wall) | median MB/s (wall) | best MB/s (thread CPU time) |")
        out.append("|---|---:|---:|---:|")
        for r in th:
            out.append("| %s | %s | %s | %s |" % (r["params"].replace("fastcdc-", ""), r["best_mb_s"].split(".")[0],
                                                 (r["median_mb_s"] or "").split(".")[0],
                                                 (r["best_cpu_mb_s"] or "").split(".")[0]))
        out.append("")
    cold = rows(os.path.join(d, "cold.tsv"))
    if cold and "cpu_mb_s_per_64mb" in cold[0]:
        out.append("| fresh JVM, first 1.2 GB of the tree | MB/s first 64 MB (wall) | MB/s all (wall) | MB/s all (CPU) |"
                   " MB/s per 64 MB by CPU time |")
        out.append("|---|---:|---:|---:|---|")
        for r in cold:
            out.append("| %s | %s | %s | %.0f | %s |" % (r["params"].replace("fastcdc-", ""), r["first_64mb_mb_s"],
                                                      r["all_mb_s"], float(r["bytes"]) / 1e6 / float(r["cpu_s"]),
                                                      r["cpu_mb_s_per_64mb"]))
        out.append("")
    ix = rows(os.path.join(d, "index.tsv"))
    if ix:
        out.append("| chunk index store | entries | inserts/s | hits/s | misses/s | reopen s | on disk MB | heap used MB"
                   " | peak RSS MB (Xmx) |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in ix:
            out.append("| %s | {:,} | {:,} | {:,} | {:,} | %s | %s | %s | %s (%s) |".format(
                int(r["entries"]), int(float(r["insert_per_s"])), int(float(r["hits_per_s"])),
                int(float(r["misses_per_s"]))) % (r["store"], r["reopen_s"], mb(r["disk_bytes"]),
                                                  mb(r["heap_used"]), "%.0f" % (float(r["vmhwm_bytes"]) / 1048576),
                                                  "%.0f" % (float(r["max_heap"]) / 1048576)))
        out.append("")
    fc = rows(os.path.join(d, "filecache.tsv"))
    if fc:
        out.append("| file cache store | files | build/s | walk lookups/s | on disk MB | heap used MB | peak RSS MB (Xmx) |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for r in fc:
            out.append("| %s | {:,} | {:,} | {:,} | %s | %s | %s (%s) |".format(
                int(r["files"]), int(float(r["build_per_s"])), int(float(r["walk_per_s"]))) % (
                r["store"], mb(r["disk_bytes"]), mb(r["heap_used"]), "%.0f" % (float(r["vmhwm_bytes"]) / 1048576),
                "%.0f" % (float(r["max_heap"]) / 1048576)))
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
