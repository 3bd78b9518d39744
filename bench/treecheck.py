#!/usr/bin/env python3
"""Tree manifests for the benchmark: build one, or check a restored tree against one.

    treecheck.py manifest DIR OUT.manifest
    treecheck.py stats MANIFEST                    # prints: files dirs bytes
    treecheck.py verify MANIFEST DIR [--source-path P]

A manifest has one line per entry, sorted by path:
    TYPE<TAB>MODE<TAB>SIZE<TAB>SHA256-or-link-target<TAB>RELPATH
TYPE is f (file), d (directory) or l (symlink); MODE is the octal permission bits.

verify compares content strictly (every path, type, size and SHA-256 must match,
nothing missing, nothing extra); permission-bit differences are only reported.
The restored root may be DIR itself, or DIR/<absolute source path> or
DIR/<source basename> (tools that keep the source path); verify picks the root
whose top-level entries match and prints which one it used.  Exit status: 0 match,
1 content differs, 2 usage error.
"""

import hashlib
import os
import stat
import sys


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def build_manifest(root):
    entries = []
    root = os.path.abspath(root)
    for cur, dnames, fnames in os.walk(root):
        dnames.sort()
        rel_cur = os.path.relpath(cur, root)
        for name in dnames + sorted(fnames):
            p = os.path.join(cur, name)
            rel = name if rel_cur == "." else rel_cur + "/" + name
            st = os.lstat(p)
            mode = "%o" % stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                entries.append(("l", mode, 0, os.readlink(p), rel))
            elif stat.S_ISDIR(st.st_mode):
                entries.append(("d", mode, 0, "-", rel))
            elif stat.S_ISREG(st.st_mode):
                entries.append(("f", mode, st.st_size, _sha256(p), rel))
            else:
                entries.append(("?", mode, 0, "-", rel))
    entries.sort(key=lambda e: e[4])
    return entries


def write_manifest(entries, out):
    tmp = out + ".part"
    with open(tmp, "w") as f:
        for e in entries:
            f.write("%s\t%s\t%d\t%s\t%s\n" % e)
    os.replace(tmp, out)


def read_manifest(path):
    entries = []
    with open(path) as f:
        for line in f:
            t, mode, size, h, rel = line.rstrip("\n").split("\t", 4)
            entries.append((t, mode, int(size), h, rel))
    return entries


def manifest_stats(entries):
    return {"files": sum(1 for e in entries if e[0] == "f"),
            "dirs": sum(1 for e in entries if e[0] == "d"),
            "bytes": sum(e[2] for e in entries if e[0] == "f")}


def _top(entries):
    return {e[4].split("/", 1)[0] for e in entries}


def pick_root(expected, restored, source_path):
    want = _top(expected)
    cands = [restored]
    if source_path:
        cands.append(os.path.join(restored, os.path.abspath(source_path).lstrip("/")))
        cands.append(os.path.join(restored, os.path.basename(os.path.abspath(source_path))))
    for c in cands:
        if os.path.isdir(c) and want and want <= set(os.listdir(c)):
            return c
    return restored


def verify(manifest_path, restored, source_path=None, show=20):
    expected = read_manifest(manifest_path)
    root = pick_root(expected, restored, source_path)
    got = build_manifest(root)
    exp = {e[4]: e for e in expected}
    have = {e[4]: e for e in got}
    problems, modes = [], []
    for rel, e in exp.items():
        g = have.get(rel)
        if g is None:
            problems.append("missing: " + rel)
        elif (g[0], g[2], g[3]) != (e[0], e[2], e[3]):
            problems.append("differs: %s (expected %s %d bytes, got %s %d bytes)" % (rel, e[0], e[2], g[0], g[2]))
        elif g[1] != e[1]:
            modes.append("%s %s->%s" % (rel, e[1], g[1]))
    for rel in have:
        if rel not in exp:
            problems.append("extra: " + rel)
    where = os.path.relpath(root, restored)
    print("verify: root=%s entries=%d problems=%d mode-differences=%d" % (
        "." if where == "." else where, len(got), len(problems), len(modes)))
    for p in problems[:show]:
        print("  " + p)
    if len(problems) > show:
        print("  ... %d more" % (len(problems) - show))
    for m in modes[:5]:
        print("  mode: " + m)
    return 1 if problems else 0, len(modes)


def main(argv):
    if len(argv) >= 3 and argv[0] == "manifest":
        write_manifest(build_manifest(argv[1]), argv[2])
        return 0
    if len(argv) == 2 and argv[0] == "stats":
        s = manifest_stats(read_manifest(argv[1]))
        print(s["files"], s["dirs"], s["bytes"])
        return 0
    if len(argv) >= 3 and argv[0] == "verify":
        src = None
        if len(argv) == 5 and argv[3] == "--source-path":
            src = argv[4]
        rc, _ = verify(argv[1], argv[2], src)
        return rc
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
