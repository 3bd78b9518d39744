#!/usr/bin/env python3
"""Builds the two source trees of issue #20's change scenario (c) for the chunking measurements.

    make_change.py --tree bench/work/tree-2048m-s42 --work bench/work/chunking   # prints nothing; see change.json

WORK/srcA  the generated tree (hard links, so no copy) plus one 500 MB SQLite-like database file,
           srv/appdb/app.db (the tree generator makes no file that large; the scenario needs one).
WORK/srcB  srcA after the change (hard links for what did not change):
           - 1 % of the non-empty files (not app.db) get a 4 KiB rewrite in place: 4096 random bytes at a random
             4 KiB-aligned offset (the whole file when smaller); same size, mtime + 1 h, new inode;
           - 50 new files of 100 kB of generated prose under home/alice/notes-new/;
           - the directory whose size is nearest to 10 % of all bytes is renamed (DIR -> DIR-renamed);
           - 20 scattered 64 KiB writes (16 SQLite-like pages each) into app.db at random 4 KiB-aligned offsets.
WORK/srcB.json  what was changed, and how many bytes; WORK/srcB.changed.txt the rewritten files, one a line.
(--name NAME instead of srcB: several changes, one per seed, against the same srcA.)

    make_change.py --tree ... --work ... --apply-to DIR    # DIR: a hard-linked copy of srcA (cp -al)

applies the same change to DIR in place (for a tool that must see one directory change between two backups,
as restic does with its parent snapshot). Deterministic: everything follows from --seed (and the tree). srcA is
kept between runs; srcB is rebuilt.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import gen_tree  # noqa: E402  (bench/gen_tree.py: the same content generators)

MIB = 1 << 20
DB_REL = "srv/appdb/app.db"
DB_SIZE = 500 * 1000 * 1000
DB_SEED = 7  # the database file's content; the change's --seed only picks what changes


def write_db(path, seed):
    v = gen_tree.Vocab(seed)
    rng = random.Random("appdb:%d" % seed)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        left = DB_SIZE
        first = True
        while left > 0:
            piece = gen_tree.gen_sqlite(v, rng, 8 * MIB)
            if not first:
                piece = piece[4096:]  # one header page only
            first = False
            piece = piece[:left]
            f.write(piece)
            left -= len(piece)
    os.utime(tmp, (gen_tree.BASE_MTIME, gen_tree.BASE_MTIME))
    os.rename(tmp, path)


def files_of(root):
    out = []
    for d, dnames, fnames in os.walk(root):
        dnames.sort()
        for f in sorted(fnames):
            p = os.path.join(d, f)
            if os.path.isfile(p) and not os.path.islink(p):
                out.append(os.path.relpath(p, root))
    return sorted(out)


def rewrite(path, patches, mtime_shift=3600):
    """Replaces path by a patched copy (breaking the hard link); patches = [(offset, bytes)]."""
    st = os.stat(path)
    tmp = path + ".chg"
    with open(path, "rb") as src, open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst, 8 * MIB)
    with open(tmp, "r+b") as f:
        for off, data in patches:
            f.seek(off)
            f.write(data)
    os.chmod(tmp, st.st_mode & 0o7777)
    os.utime(tmp, (st.st_atime, st.st_mtime + mtime_shift))
    os.rename(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tree", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--name", default="srcB", help="directory name of the changed tree under WORK")
    ap.add_argument("--apply-to", help="apply the change in place to this copy of srcA instead of making srcB")
    a = ap.parse_args()
    tree = os.path.abspath(a.tree)
    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    src_a = os.path.join(work, "srcA")
    src_b = os.path.join(work, a.name)
    stamp_a = os.path.join(work, "srcA.stamp")
    want = {"tree": tree, "db_size": DB_SIZE, "db_seed": DB_SEED, "version": 1}
    ok = os.path.isdir(src_a) and os.path.isfile(stamp_a) and json.load(open(stamp_a)) == want
    if not ok:
        if os.path.isdir(src_a):
            shutil.rmtree(src_a)
        subprocess.check_call(["cp", "-al", tree, src_a])
        os.makedirs(os.path.join(src_a, os.path.dirname(DB_REL)), exist_ok=True)
        print("writing the 500 MB database file ...", file=sys.stderr)
        write_db(os.path.join(src_a, DB_REL), DB_SEED)
        with open(stamp_a, "w") as f:
            json.dump(want, f)
    if a.apply_to:
        apply(src_a, os.path.abspath(a.apply_to), os.path.join(work, os.path.basename(a.apply_to)), a.seed)
        return 0
    if os.path.isdir(src_b):
        shutil.rmtree(src_b)
    subprocess.check_call(["cp", "-al", src_a, src_b])
    apply(src_a, src_b, src_b, a.seed)
    return 0


def apply(src_a, src_b, report, seed):
    """Changes src_b (a hard-linked copy of src_a) in place; the choices depend on src_a and seed only.
    Writes REPORT.json and REPORT.changed.txt."""
    """Changes src_b (a hard-linked copy of src_a) in place; the choices depend on src_a only."""
    rng = random.Random("change:%d" % seed)
    v = gen_tree.Vocab(seed)
    files = files_of(src_a)
    sizes = {f: os.path.getsize(os.path.join(src_a, f)) for f in files}
    total = sum(sizes.values())
    candidates = [f for f in files if sizes[f] > 0 and f != DB_REL]
    n_changed = round(0.01 * len(files))
    changed = sorted(rng.sample(candidates, n_changed))
    changed_bytes = 0
    for f in changed:
        size = sizes[f]
        if size <= 4096:
            off, n = 0, size
        else:
            off, n = 4096 * rng.randrange(0, (size - 4096) // 4096 + 1), 4096
        rewrite(os.path.join(src_b, f), [(off, rng.randbytes(n))])
        changed_bytes += n

    new_dir = "home/alice/notes-new"
    os.makedirs(os.path.join(src_b, new_dir))
    new_files = []
    for i in range(50):
        rel = "%s/note-%02d.txt" % (new_dir, i)
        with open(os.path.join(src_b, rel), "wb") as fh:
            fh.write(gen_tree.gen_prose(v, random.Random("new:%d:%d" % (seed, i)), 100_000))
        new_files.append(rel)

    writes = []
    for _ in range(20):
        off = 4096 * rng.randrange(0, (DB_SIZE - 65536) // 4096)
        pages = gen_tree.gen_sqlite(v, rng, 65536 + 4096)[4096:4096 + 65536]
        writes.append((off, pages))
    rewrite(os.path.join(src_b, DB_REL), writes)

    # the directory nearest to 10 % of the bytes (not the root, not one holding app.db)
    dir_bytes = {}
    for f in files:
        d = os.path.dirname(f)
        while d:
            dir_bytes[d] = dir_bytes.get(d, 0) + sizes[f]
            d = os.path.dirname(d)
    choices = [d for d in dir_bytes if not DB_REL.startswith(d + "/")]
    renamed = min(choices, key=lambda d: (abs(dir_bytes[d] - 0.10 * total), d))
    os.rename(os.path.join(src_b, renamed), os.path.join(src_b, renamed + "-renamed"))

    info = {
        "seed": seed, "files_a": len(files), "bytes_a": total,
        "changed_in_place": len(changed), "changed_in_place_bytes": changed_bytes,
        "new_files": len(new_files), "new_file_bytes": 50 * 100_000,
        "renamed_dir": renamed, "renamed_dir_bytes": dir_bytes[renamed],
        "renamed_dir_files": sum(1 for f in files if f.startswith(renamed + "/")),
        "db": DB_REL, "db_writes": 20, "db_write_bytes": 20 * 65536,
        "bytes_changed_total": changed_bytes + 50 * 100_000 + 20 * 65536,
        "changed_files": changed,
    }
    with open(report + ".json", "w") as fh:
        json.dump(info, fh, indent=1)
        fh.write("\n")
    with open(report + ".changed.txt", "w") as fh:
        fh.write("".join(f + "\n" for f in changed))
    print("change: %d files rewritten (%d B), 50 new files (5,000,000 B), %s renamed (%.1f MB, %d files), "
          "20 x 64 KiB into %s; %.2f MB changed" % (
              len(changed), changed_bytes, renamed, dir_bytes[renamed] / 1e6, info["renamed_dir_files"], DB_REL,
              info["bytes_changed_total"] / 1e6), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
