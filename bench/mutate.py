#!/usr/bin/env python3
"""One round of change for bench/incremental.sh (issue #20, run (c)), deterministic from --seed:

- 1% of the files (not the database file) get 4 KiB rewritten in place (same size, new mtime);
- 50 new files of 100 kB, in a new folder;
- the folder holding closest to 10% of the tree's bytes is renamed;
- 20 scattered 64 KiB writes into the 500 MB database file.

Prints one JSON line saying what changed (files, bytes).
"""

import argparse
import json
import os
import random
import sys

sys.dont_write_bytecode = True

KIB = 1024


def files_under(root):
    out = []
    for d, dirs, names in os.walk(root):
        dirs.sort()
        for n in sorted(names):
            p = os.path.join(d, n)
            if os.path.isfile(p) and not os.path.islink(p):
                out.append(p)
    return out


def folder_sizes(root):
    """Bytes under every folder below root (not root itself)."""
    sizes = {}
    for d, dirs, names in os.walk(root, topdown=False):
        total = sum(os.lstat(os.path.join(d, n)).st_size for n in names
                    if os.path.isfile(os.path.join(d, n)))
        total += sum(sizes.get(os.path.join(d, s), 0) for s in dirs)
        sizes[d] = total
    sizes.pop(root, None)
    return sizes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", required=True)
    ap.add_argument("--db", required=True, help="the large file that gets scattered writes")
    ap.add_argument("--seed", type=int, required=True)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    changed = {"filesRewritten": 0, "bytesRewritten": 0, "newFiles": 0, "newBytes": 0,
               "renamedFolderBytes": 0, "dbWrites": 0}

    db = os.path.abspath(a.db)
    files = [f for f in files_under(a.tree) if os.path.abspath(f) != db and os.path.getsize(f) > 0]
    for f in rnd.sample(files, max(1, len(files) // 100)):
        size = os.path.getsize(f)
        n = min(4 * KIB, size)
        at = rnd.randrange(0, size - n + 1)
        with open(f, "r+b") as out:
            out.seek(at)
            out.write(rnd.randbytes(n))
        changed["filesRewritten"] += 1
        changed["bytesRewritten"] += n

    new_dir = os.path.join(a.tree, "new-%d" % a.seed)
    os.makedirs(new_dir, exist_ok=True)
    for i in range(50):
        with open(os.path.join(new_dir, "n%02d.bin" % i), "wb") as out:
            out.write(rnd.randbytes(100_000))
        changed["newFiles"] += 1
        changed["newBytes"] += 100_000

    sizes = folder_sizes(a.tree)
    total = sum(os.path.getsize(f) for f in files_under(a.tree))
    folder = min((d for d in sizes if not os.path.abspath(db).startswith(os.path.abspath(d) + os.sep)),
                 key=lambda d: abs(sizes[d] - total / 10))
    os.rename(folder, folder + "-r%d" % a.seed)
    changed["renamedFolderBytes"] = sizes[folder]

    size = os.path.getsize(db)
    with open(db, "r+b") as out:
        for _ in range(20):
            out.seek(rnd.randrange(0, size - 64 * KIB))
            out.write(rnd.randbytes(64 * KIB))
            changed["dbWrites"] += 1
    print(json.dumps(changed))


if __name__ == "__main__":
    main()
