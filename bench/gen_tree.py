#!/usr/bin/env python3
"""Deterministic generator of a realistic backup-source tree for the benchmark.

The tree imitates the critical data of a home-lab server: configuration,
source repositories, JSON, logs (plain and rotated .gz), a few large SQL
dumps, photos / videos / encrypted vaults (incompressible), and
semi-compressible binaries (machine-code-like executables, time-series
chunks, SQLite-like page files), plus thousands of small files, some empty
files, empty directories and deep nesting.

Everything is derived from --seed and --size-mb only (no machine-dependent
input such as /usr/share/dict), so the same parameters give a byte-identical
tree on every machine.  Usage:

    gen_tree.py --size-mb 1024 --seed 42 --dir bench/work   # prints tree path

The tree goes to DIR/tree-<size>m-s<seed>; a stamp file DIR/tree-<size>m-s<seed>.stamp
(JSON: parameters, generator version, composition) and a manifest
DIR/tree-<size>m-s<seed>.manifest (see treecheck.py) are written after a
complete generation.  When both exist and the stamp matches, nothing is done.
"""

import argparse
import bisect
import gzip
import json
import operator
import os
import random
import shutil
import struct
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in bench/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import treecheck  # noqa: E402  (same directory)

# Bump when the generated content changes, so that stale trees are rebuilt.
GEN_VERSION = 1
MIB = 1 << 20
BASE_MTIME = 1_700_000_000  # 2023-11-14, fixed so that mtimes are deterministic

COMMON_WORDS = """
the of and to in is that it for was on are as with his they at be this have from
or one had by word but not what all were we when your can said there use an each
which she do how their if will up other about out many then them these so some her
would make like him into time has look two more write go see number no way could
people my than first water been call who oil its now find long down day did get
come made may part over new sound take only little work know place year live me
back give most very after thing our just name good sentence man think say great
where help through much before line right too mean old any same tell boy follow
came want show also around form three small set put end does another well large
must big even such because turn here why ask went men read need land different
home us move try kind hand picture again change off play spell air away animal
house point page letter mother answer found study still learn should world high
server client request response error warning info debug user admin config value
key token session cache queue worker job task backup restore snapshot volume disk
network host port proxy certificate domain service container image build deploy
release version update install package module function class method object array
string integer boolean null true false return import export default public private
static final void main index table column row query select insert delete where
order limit offset join group count sum avg min max timestamp date interval status
pending running failed success retry timeout connection socket stream buffer file
path directory mount storage bucket region zone cluster node pod namespace secret
""".split()

ONSETS = ["", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s",
          "t", "v", "w", "z", "br", "ch", "cl", "cr", "dr", "fl", "gr", "pl", "pr",
          "sh", "sl", "sp", "st", "str", "th", "tr"]
NUCLEI = ["a", "e", "i", "o", "u", "ai", "ea", "ee", "io", "ou", "y"]
CODAS = ["", "", "", "n", "r", "s", "t", "l", "m", "nd", "ng", "nt", "rt", "st", "x"]


class Vocab:
    """Zipf-distributed vocabulary with a fast bulk sampler."""

    def __init__(self, seed):
        rng = random.Random(f"vocab:{seed}")
        words = list(dict.fromkeys(COMMON_WORDS))
        seen = set(words)
        while len(words) < 7000:
            w = "".join(rng.choice(ONSETS) + rng.choice(NUCLEI) + rng.choice(CODAS)
                        for _ in range(rng.choice((1, 2, 2, 2, 3))))
            if len(w) > 1 and w not in seen:
                seen.add(w)
                words.append(w)
        self.words = words
        cdf, acc = [], 0.0
        for rank in range(len(words)):
            acc += 1.0 / (rank + 1) ** 1.05
            cdf.append(acc)
        # 65536-entry inverse-CDF table: a 16-bit random number picks a word.
        table = [words[min(len(words) - 1, bisect.bisect_left(cdf, (j + 0.5) / 65536 * acc))]
                 for j in range(65536)]
        self.table = table
        self.idents = [w for w in words[200:3000]]

    def sample(self, rng, n):
        if n <= 0:
            return ()
        if n == 1:
            return (self.table[rng.getrandbits(16)],)
        idx = memoryview(rng.randbytes(2 * n)).cast("H")
        return operator.itemgetter(*idx)(self.table)


def lognormal_size(rng, mean, sigma, lo, hi):
    import math
    mu = math.log(mean) - sigma * sigma / 2
    return int(min(hi, max(lo, rng.lognormvariate(mu, sigma))))


# ----------------------------------------------------------------------------
# Content generators.  Each returns bytes of (roughly) the requested size.
# ----------------------------------------------------------------------------

def gen_prose(v, rng, size):
    out, n = [], 0
    while n < size:
        k = rng.randint(6, 22)
        ws = v.sample(rng, k)
        s = " ".join(ws)
        s = s[0].upper() + s[1:] + rng.choice((".", ".", ".", "?", "!", ":")) + " "
        if rng.random() < 0.12:
            s += "\n\n"
        out.append(s)
        n += len(s)
    return "".join(out).encode()[:size]


def gen_markdown(v, rng, size):
    out, n = [], 0
    while n < size:
        r = rng.random()
        if r < 0.1:
            s = "#" * rng.randint(1, 3) + " " + " ".join(v.sample(rng, rng.randint(2, 6))).title() + "\n\n"
        elif r < 0.3:
            s = "".join("- " + " ".join(v.sample(rng, rng.randint(3, 10))) + "\n"
                        for _ in range(rng.randint(2, 6))) + "\n"
        elif r < 0.38:
            s = "```\n" + "".join("$ " + " ".join(v.sample(rng, rng.randint(2, 5))) + "\n"
                                  for _ in range(rng.randint(1, 4))) + "```\n\n"
        else:
            s = gen_prose(v, rng, rng.randint(200, 900)).decode() + "\n\n"
        out.append(s)
        n += len(s)
    return "".join(out).encode()[:size]


KEYWORDS = ["if", "for", "while", "return", "def", "class", "import", "from", "try",
            "except", "with", "yield", "const", "let", "var", "func", "public", "private",
            "static", "final", "new", "this", "self", "else", "elif", "switch", "case"]


def gen_source(v, rng, size, lang):
    idents = v.idents
    out, n = [], 0
    if lang == "py":
        out.append('"""' + " ".join(v.sample(rng, 12)) + '."""\n\nimport os\nimport sys\nimport json\n\n')
    elif lang == "java":
        out.append("package dev.%s.%s;\n\nimport java.util.List;\nimport java.util.Map;\n\n" % (
            rng.choice(idents), rng.choice(idents)))
    elif lang == "go":
        out.append("package %s\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\n" % rng.choice(idents))
    else:
        out.append("// " + " ".join(v.sample(rng, 10)) + "\n'use strict';\n\n")
    depth = 0
    while n < size:
        r = rng.random()
        ind = "    " * depth
        if r < 0.08 and depth < 5:
            kw = rng.choice(("def", "class", "func", "if", "for", "while", "try"))
            s = "%s%s %s_%s(%s):\n" % (ind, kw, rng.choice(idents), rng.choice(idents),
                                       ", ".join(rng.choice(idents) for _ in range(rng.randint(0, 3))))
            depth += 1
        elif r < 0.16 and depth > 0:
            s = "%sreturn %s\n\n" % (ind, rng.choice(idents))
            depth -= 1
        elif r < 0.22:
            s = "%s# %s\n" % (ind, " ".join(v.sample(rng, rng.randint(3, 12))))
        elif r < 0.3:
            s = '%slog.%s("%s", %s)\n' % (ind, rng.choice(("info", "debug", "warn")),
                                         " ".join(v.sample(rng, rng.randint(2, 7))), rng.choice(idents))
        else:
            s = "%s%s = %s.%s(%s, %d)\n" % (ind, rng.choice(idents), rng.choice(idents),
                                            rng.choice(idents), rng.choice(idents), rng.randint(0, 4096))
        out.append(s)
        n += len(s)
    return "".join(out).encode()[:size]


def gen_json(v, rng, size):
    items, n = [], 0
    base = BASE_MTIME - rng.randint(0, 3 * 365 * 86400)
    while n < size:
        it = {
            "id": rng.randint(1, 10 ** 7),
            "uuid": "%032x" % rng.getrandbits(128),
            "name": " ".join(v.sample(rng, rng.randint(1, 3))),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + n)),
            "enabled": rng.random() < 0.8,
            "tags": list(v.sample(rng, rng.randint(0, 4))),
            "score": round(rng.random() * 100, 3),
            "attrs": {w: rng.randint(0, 1000) for w in v.sample(rng, rng.randint(1, 4))},
        }
        if rng.random() < 0.3:
            it["description"] = " ".join(v.sample(rng, rng.randint(5, 30)))
        s = json.dumps(it, indent=2)
        items.append(s)
        n += len(s) + 4
    return ("[\n" + ",\n".join(items) + "\n]\n").encode()


def gen_conf(v, rng, size):
    out, n = [], 0
    style = rng.choice(("ini", "yaml", "nginx", "env"))
    while n < size:
        k = "_".join(v.sample(rng, rng.randint(1, 3)))
        val = rng.choice((str(rng.randint(0, 65535)), "true", "false",
                          "/" + "/".join(v.sample(rng, rng.randint(1, 4))),
                          " ".join(v.sample(rng, rng.randint(1, 4)))))
        if style == "ini":
            s = ("\n[%s]\n" % rng.choice(v.idents) if rng.random() < 0.1 else "") + "%s = %s\n" % (k, val)
        elif style == "yaml":
            s = ("%s:\n" % rng.choice(v.idents) if rng.random() < 0.15 else "  ") + "%s: %s\n" % (k, val)
        elif style == "nginx":
            s = "    %s %s;\n" % (k, val)
            if rng.random() < 0.08:
                s = "\nserver {\n    listen %d;\n    server_name %s.lan;\n" % (
                    rng.choice((80, 443, 8080)), rng.choice(v.idents)) + s + "}\n"
        else:
            s = "%s=%s\n" % (k.upper(), val.replace(" ", "_"))
        if rng.random() < 0.1:
            s = "# " + " ".join(v.sample(rng, rng.randint(3, 10))) + "\n" + s
        out.append(s)
        n += len(s)
    return "".join(out).encode()[:size]


def gen_html(v, rng, size):
    out, n = ["<!DOCTYPE html>\n<html><head><title>%s</title></head>\n<body>\n" % " ".join(v.sample(rng, 3))], 0
    while n < size:
        tag = rng.choice(("p", "div", "li", "span", "h2", "td"))
        s = '<%s class="%s">%s</%s>\n' % (tag, rng.choice(v.idents), " ".join(v.sample(rng, rng.randint(3, 25))), tag)
        out.append(s)
        n += len(s)
    out.append("</body></html>\n")
    return "".join(out).encode()[:max(size, 1)]


LEVELS = ("INFO",) * 12 + ("DEBUG",) * 6 + ("WARN",) * 2 + ("ERROR",)
METHODS = ("GET",) * 8 + ("POST",) * 2 + ("PUT", "DELETE", "HEAD")


def gen_log(v, rng, size, service, start):
    out, n = [], 0
    t = start
    pid = rng.randint(300, 60000)
    host = rng.choice(v.idents)
    access = service in ("nginx", "traefik", "caddy")
    while n < size:
        t += rng.expovariate(1 / 0.8)
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000)
        if access:
            s = '%d.%d.%d.%d - - [%s] "%s /%s HTTP/1.1" %d %d "-" "Mozilla/5.0 (%s)" %dms\n' % (
                rng.choice((10, 192, 172)), rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254),
                ts, rng.choice(METHODS), "/".join(v.sample(rng, rng.randint(1, 4))),
                rng.choice((200, 200, 200, 200, 304, 301, 404, 500)), rng.randint(0, 200000),
                rng.choice(("X11; Linux x86_64", "Windows NT 10.0", "Macintosh", "iPhone")),
                rng.randint(1, 900))
        else:
            s = "%s %s %s[%d]: %s %s key=%s id=%x took=%dms\n" % (
                ts, host, service, pid, rng.choice(LEVELS), " ".join(v.sample(rng, rng.randint(4, 16))),
                rng.choice(v.idents), rng.getrandbits(32), rng.randint(0, 5000))
        out.append(s)
        n += len(s)
    return "".join(out).encode()[:size]


def sql_quote(s):
    return "'" + s.replace("'", "''") + "'"


def gen_sql_dump(v, rng, path, size):
    """Writes a mysqldump-like file with extended INSERTs, streaming in chunks."""
    tables = [
        ("users", "id BIGINT PRIMARY KEY, login VARCHAR(64), email VARCHAR(255), full_name VARCHAR(255), "
                  "created_at TIMESTAMP, last_login TIMESTAMP, is_admin BOOLEAN, settings TEXT"),
        ("events", "id BIGINT PRIMARY KEY, user_id BIGINT, kind VARCHAR(32), ts TIMESTAMP, ip VARCHAR(45), "
                   "payload TEXT"),
        ("files", "id BIGINT PRIMARY KEY, owner BIGINT, path TEXT, size BIGINT, mtime TIMESTAMP, "
                  "etag CHAR(32), mime VARCHAR(64)"),
        ("metrics", "id BIGINT PRIMARY KEY, sensor VARCHAR(64), ts TIMESTAMP, value DOUBLE, unit VARCHAR(8)"),
    ]
    shares = (0.05, 0.35, 0.35, 0.25)
    written = 0
    t0 = BASE_MTIME - 400 * 86400
    with open(path, "wb") as f:
        head = ("-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n-- Host: localhost    "
                "Database: %s\n-- ------------------------------------------------------\n"
                "/*!40101 SET NAMES utf8mb4 */;\nSET FOREIGN_KEY_CHECKS=0;\n\n" % rng.choice(v.idents)).encode()
        f.write(head)
        written += len(head)
        for (name, cols), share in zip(tables, shares):
            ddl = ("--\n-- Table structure for table `%s`\n--\n\nDROP TABLE IF EXISTS `%s`;\n"
                   "CREATE TABLE `%s` (%s) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\n"
                   "LOCK TABLES `%s` WRITE;\n" % (name, name, name, cols, name)).encode()
            f.write(ddl)
            written += len(ddl)
            budget = int(size * share)
            tb, rid, t = 0, 0, float(t0)
            while tb < budget:
                rows = []
                for _ in range(rng.randint(80, 160)):
                    rid += 1
                    t += rng.expovariate(1 / 20.0)
                    ts = time.strftime("'%Y-%m-%d %H:%M:%S'", time.gmtime(t))
                    if name == "users":
                        w = v.sample(rng, 6)
                        row = "(%d,%s,%s,%s,%s,%s,%d,%s)" % (
                            rid, sql_quote(w[0] + str(rid)), sql_quote("%s.%s@%s.example" % (w[1], w[2], w[3])),
                            sql_quote((w[4] + " " + w[5]).title()), ts, ts, rng.random() < 0.05,
                            sql_quote(json.dumps({"theme": w[1], "lang": "en", "tz": "UTC"})))
                    elif name == "events":
                        row = "(%d,%d,%s,%s,'10.0.%d.%d',%s)" % (
                            rid, rng.randint(1, 5000), sql_quote(rng.choice(("login", "upload", "share", "delete",
                                                                               "download", "sync"))),
                            ts, rng.randint(0, 255), rng.randint(1, 254),
                            sql_quote(" ".join(v.sample(rng, rng.randint(3, 18)))))
                    elif name == "files":
                        row = "(%d,%d,%s,%d,%s,'%032x',%s)" % (
                            rid, rng.randint(1, 5000), sql_quote("/" + "/".join(v.sample(rng, rng.randint(2, 6)))
                                                                 + rng.choice((".jpg", ".pdf", ".txt", ".mp4"))),
                            rng.randint(0, 10 ** 9), ts, rng.getrandbits(128),
                            sql_quote(rng.choice(("image/jpeg", "application/pdf", "text/plain", "video/mp4"))))
                    else:
                        row = "(%d,%s,%s,%.4f,%s)" % (
                            rid, sql_quote("sensor." + rng.choice(v.idents[:60])), ts,
                            rng.gauss(21.0, 4.0), sql_quote(rng.choice(("C", "%", "W", "kWh", "hPa"))))
                    rows.append(row)
                stmt = ("INSERT INTO `%s` VALUES %s;\n" % (name, ",".join(rows))).encode()
                f.write(stmt)
                tb += len(stmt)
            tail = b"UNLOCK TABLES;\n\n"
            f.write(tail)
            written += tb + len(tail)
        f.write(b"SET FOREIGN_KEY_CHECKS=1;\n-- Dump completed\n")


def gen_random(rng, size, header=b"", trailer=b""):
    body = size - len(header) - len(trailer)
    return header + rng.randbytes(max(0, body)) + trailer


def write_random_file(rng, path, size, header=b"", trailer=b""):
    with open(path, "wb") as f:
        f.write(header)
        left = size - len(header) - len(trailer)
        while left > 0:
            k = min(left, 8 * MIB)
            f.write(rng.randbytes(k))
            left -= k
        f.write(trailer)


def gen_elf(v, rng, size):
    """Machine-code-like bytes: Zipf-chosen 'instructions', string tables, zero padding."""
    irng = random.Random("instructions")  # same instruction set for every binary
    instr = [irng.randbytes(irng.choice((1, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8, 10))) for _ in range(4096)]
    itab = [instr[min(4095, int(4096 * (irng.random() ** 3)))] for _ in range(65536)]
    out = [b"\x7fELF\x02\x01\x01\x00" + bytes(8) + struct.pack("<HHIQQQ", 3, 62, 1, 0x1000, 64, 0)]
    n = len(out[0])
    while n < size:
        r = rng.random()
        if r < 0.75:
            k = rng.randint(2000, 20000)
            idx = memoryview(rng.randbytes(2 * k)).cast("H")
            chunk = b"".join(operator.itemgetter(*idx)(itab))
        elif r < 0.9:
            chunk = b"\x00".join(w.encode() for w in v.sample(rng, rng.randint(200, 2000))) + b"\x00"
        elif r < 0.97:
            chunk = bytes(rng.choice((64, 256, 1024, 4096)) * rng.randint(1, 4))
        else:
            chunk = rng.randbytes(rng.randint(512, 8192))  # embedded compressed/crypto blobs
        out.append(chunk)
        n += len(chunk)
    return b"".join(out)[:size]


def gen_metrics(rng, size):
    """Time-series chunk: (ts, series id, value) records, values as random walks."""
    nseries = rng.randint(50, 400)
    vals = [rng.uniform(0, 1000) for _ in range(nseries)]
    ts = (BASE_MTIME - rng.randint(0, 86400 * 30)) * 1000
    out, n = [b"PROMCHNK\x01\x00\x00\x00"], 12
    rec = struct.Struct("<qHd")
    while n < size:
        batch = []
        ts += 15000
        for sid in range(nseries):
            if rng.random() < 0.6:
                vals[sid] += rng.gauss(0, 1)
            batch.append(rec.pack(ts + rng.randint(0, 40), sid, vals[sid]))
        b = b"".join(batch)
        out.append(b)
        n += len(b)
    return b"".join(out)[:size]


def gen_sqlite(v, rng, size):
    """SQLite-like file: 4 KiB pages with a header, text+int cells and free space."""
    page = 4096
    out = [b"SQLite format 3\x00" + struct.pack(">HBBBBBB", page, 1, 1, 0, 64, 32, 32) + bytes(page - 24)]
    n = page
    while n < size:
        cells, used = [], 8
        fill = rng.uniform(0.4, 0.95) * page
        while used < fill:
            txt = " ".join(v.sample(rng, rng.randint(2, 20))).encode()
            c = struct.pack(">IqI", rng.getrandbits(32), rng.getrandbits(40), len(txt)) + txt
            cells.append(c)
            used += len(c)
        body = b"".join(cells)[: page - 8]
        p = struct.pack(">BHHH", 13, 0, len(cells) % 65536, page - len(body)) + b"\x00" + bytes(page - 8 - len(body)) + body
        out.append(p[:page])
        n += page
    return b"".join(out)[:size]


# ----------------------------------------------------------------------------
# Plan: which files exist, with kind and size.
# ----------------------------------------------------------------------------

def make_plan(total, seed, v):
    rng = random.Random(f"plan:{seed}")
    scale = total / (1 << 30)
    files = []  # (relpath, kind, size)

    def add(path, kind, size):
        files.append((path, kind, int(size)))

    users = ["alice", "bob"]
    # --- SQL dumps (~22 %) -----------------------------------------------------
    for name, share in (("nextcloud", 0.27), ("gitea", 0.33), ("homeassistant", 0.40)):
        add("var/backups/db/%s-20240301.sql" % name, "sql", 0.22 * total * share)
    # --- incompressible: photos, videos, vaults (~32 %) ------------------------
    add("home/alice/vault/passwords.kdbx", "vault", max(64 * 1024, 0.002 * total))
    add("home/alice/vault/keys-offsite.tar.gpg", "vault", 0.012 * total)
    add("home/bob/vault/veracrypt.hc", "vault", 0.026 * total)
    add("srv/media/videos/2023-summer.mp4", "video", 0.02 * total)
    add("srv/media/videos/2024-birthday.mp4", "video", 0.014 * total)
    budget = 0.246 * total
    i = 0
    while budget > 0:
        u = users[i % 2]
        sz = min(budget, lognormal_size(rng, 3.2 * MIB, 0.5, 300 * 1024, 9 * MIB))
        add("home/%s/Photos/%d/%02d/IMG_%04d.jpg" % (u, 2019 + (i // 37) % 6, 1 + (i * 7) % 12, 1000 + i), "photo", sz)
        budget -= sz
        i += 1
    # --- semi-compressible binary (~16 %) --------------------------------------
    budget = 0.06 * total
    i = 0
    while budget > 0:
        sz = min(budget, lognormal_size(rng, 1.4 * MIB, 1.0, 40 * 1024, 12 * MIB))
        d = rng.choice(("opt/apps/bin", "opt/apps/lib", "usr/local/bin", "srv/gitea/bin"))
        ext = ".so" if d.endswith("lib") else ""
        add("%s/%s%s" % (d, v.idents[(i * 13) % len(v.idents)] + ("-%d" % i), ext), "elf", sz)
        budget -= sz
        i += 1
    budget = 0.05 * total
    i = 0
    while budget > 0:
        sz = min(budget, 4 * MIB)
        add("var/lib/prometheus/%02d/chunks/%06d" % (i // 6, i + 1), "metrics", sz)
        budget -= sz
        i += 1
    add("srv/homeassistant/home-assistant_v2.db", "sqlite", 0.03 * total)
    add("srv/nextcloud/data/owncloud.db", "sqlite", 0.012 * total)
    add("srv/gitea/data/gitea.db", "sqlite", 0.008 * total)
    # --- logs (~17 %: 15 % plain, 2 % rotated .gz) ---------------------------------------------------------
    services = ["nginx", "sshd", "nextcloud", "gitea", "homeassistant", "docker", "postgres",
                "traefik", "fail2ban", "cron", "systemd", "backup"]
    budget = 0.15 * total
    i = 0
    while budget > 0:
        s = services[i % len(services)]
        rot = i // len(services)
        sz = min(budget, lognormal_size(rng, 2.5 * MIB, 1.0, 4096, 24 * MIB))
        add("var/log/%s/%s.log%s" % (s, s, ("." + str(rot)) if rot else ""), "log", sz)
        budget -= sz
        i += 1
    budget = 0.02 * total  # compressed size; the raw text is ~4x larger
    i = 0
    while budget > 0:
        s = services[i % len(services)]
        sz = min(budget, lognormal_size(rng, 3 * MIB, 0.8, 64 * 1024, 16 * MIB))
        add("var/log/%s/%s.log.%d.gz" % (s, s, 2 + i // len(services)), "loggz", sz * 4)
        budget -= sz
        i += 1
    # --- medium text files (~12 %) across nested source trees / docs -----------
    projects = ["%s-%s" % (v.idents[(7 * k) % len(v.idents)], v.idents[(11 * k + 3) % len(v.idents)])
                for k in range(max(3, int(14 * scale ** 0.5)))]
    dirs = []
    for p in projects:
        base = "srv/git/%s" % p
        for sub in ("src", "lib", "tests", "docs", "scripts"):
            d = base + "/" + sub
            for _ in range(rng.randint(1, 4)):
                dd = d
                for _ in range(rng.randint(0, 4)):
                    dd += "/" + rng.choice(v.idents[:400])
                dirs.append(dd)
    doc_dirs = ["home/%s/Documents/%s" % (u, "/".join(rng.choice(v.idents[:300]) for _ in range(rng.randint(0, 3))))
                for u in users for _ in range(12)]
    kinds = [("source", 0.045, 36 * 1024, (".py", ".java", ".go", ".js")), ("json", 0.03, 60 * 1024, (".json",)),
             ("markdown", 0.025, 28 * 1024, (".md",)), ("prose", 0.013, 40 * 1024, (".txt",)),
             ("html", 0.007, 30 * 1024, (".html",))]
    n = 0
    for kind, share, mean, exts in kinds:
        budget = share * total
        while budget > 0:
            sz = min(budget, lognormal_size(rng, mean, 1.1, 4097, 2 * MIB))
            ext = rng.choice(exts)
            d = rng.choice(doc_dirs if kind in ("markdown", "prose") and rng.random() < 0.5 else dirs)
            if kind == "html":
                d = "srv/www/%s" % rng.choice(projects)
            add("%s/%s_%d%s" % (d, rng.choice(v.idents), n, ext), kind, sz)
            budget -= sz
            n += 1
    # --- many small files (<4 KiB) ----------------------------------------------
    nsmall = max(300, int(2000 * scale))
    small_kinds = ("conf", "conf", "source", "source", "json", "prose", "key", "markdown")
    etc_dirs = ["etc/%s" % s for s in services] + ["etc/%s/conf.d" % s for s in services[:6]] + \
               ["etc/systemd/system", "srv/docker/compose", "home/alice/.config/app", "home/bob/.ssh"]
    for k in range(nsmall):
        kind = small_kinds[k % len(small_kinds)]
        sz = lognormal_size(rng, 1100, 0.9, 1, 4095)
        if kind in ("conf", "key"):
            d = rng.choice(etc_dirs)
            ext = ".pem" if kind == "key" else rng.choice((".conf", ".yml", ".ini", ".env", ".service"))
        else:
            d = rng.choice(dirs + doc_dirs)
            ext = {"source": ".py", "json": ".json", "prose": ".txt", "markdown": ".md"}[kind]
        add("%s/%s_s%d%s" % (d, rng.choice(v.idents), k, ext), kind, sz)
    # --- empty files and directories -------------------------------------------
    for k in range(max(6, int(24 * scale))):
        d = rng.choice(dirs + etc_dirs + ["var/lock", "var/run/app"])
        add("%s/%s" % (d, rng.choice((".keep", "__init__.py", "LOCK", "empty_%d.log" % k, ".gitkeep"))), "empty", 0)
    empty_dirs = ["var/spool/mail", "srv/nextcloud/data/tmp", "home/bob/Downloads", "mnt/usb",
                  "srv/git/%s/.git/refs/tags" % projects[0]]
    # de-duplicate paths (keep first)
    seen, uniq = set(), []
    for f in files:
        if f[0] not in seen:
            seen.add(f[0])
            uniq.append(f)
    return uniq, empty_dirs


def generate(tree, size_mb, seed):
    v = Vocab(seed)
    total = size_mb * MIB
    files, empty_dirs = make_plan(total, seed, v)
    os.makedirs(tree)
    comp = {}
    t_start = time.time()
    log_start = BASE_MTIME - 60 * 86400
    for idx, (rel, kind, size) in enumerate(files):
        path = os.path.join(tree, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        rng = random.Random(f"{seed}:{rel}")
        mode = 0o644
        if kind == "sql":
            gen_sql_dump(v, rng, path, size)
        elif kind in ("photo", "video", "vault"):
            if kind == "photo":
                header = b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00*\x00\x00\x00\x08"
                trailer = b"\xff\xd9"
            elif kind == "video":
                header = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
                trailer = b""
            else:
                header, trailer = b"", b""
                mode = 0o600
            write_random_file(rng, path, size, header, trailer)
        else:
            if kind == "elf":
                data = gen_elf(v, rng, size)
                mode = 0o755 if "/lib" not in rel else 0o644
            elif kind == "metrics":
                data = gen_metrics(rng, size)
            elif kind == "sqlite":
                data = gen_sqlite(v, rng, size)
            elif kind == "log":
                data = gen_log(v, rng, size, rel.split("/")[2], log_start + idx * 3600)
            elif kind == "loggz":
                raw = gen_log(v, rng, size, rel.split("/")[2], log_start - idx * 86400)
                data = gzip.compress(raw, compresslevel=6, mtime=0)
            elif kind == "source":
                data = gen_source(v, rng, size, {".py": "py", ".java": "java", ".go": "go"}.get(
                    os.path.splitext(rel)[1], "js"))
            elif kind == "json":
                data = gen_json(v, rng, size)
            elif kind == "markdown":
                data = gen_markdown(v, rng, size)
            elif kind == "prose":
                data = gen_prose(v, rng, size)
            elif kind == "html":
                data = gen_html(v, rng, size)
            elif kind == "conf":
                data = gen_conf(v, rng, size)
            elif kind == "key":
                import base64
                data = (b"-----BEGIN PRIVATE KEY-----\n" +
                        base64.encodebytes(rng.randbytes(max(16, size * 3 // 4 - 60))) +
                        b"-----END PRIVATE KEY-----\n")
                mode = 0o600
            elif kind == "empty":
                data = b""
            else:
                raise ValueError(kind)
            if kind == "json" and size < 4096:
                data = data[:size] if len(data) > size else data
            with open(path, "wb") as f:
                f.write(data)
        os.chmod(path, mode)
        mt = BASE_MTIME - rng.randint(0, 2 * 365 * 86400)
        os.utime(path, (mt, mt))
        st = os.stat(path)
        c = comp.setdefault(kind, [0, 0])
        c[0] += 1
        c[1] += st.st_size
        if sys.stderr.isatty() and idx % 200 == 0:
            print("\r  generating %d/%d files" % (idx, len(files)), end="", file=sys.stderr)
    for d in empty_dirs:
        os.makedirs(os.path.join(tree, d), exist_ok=True)
    # deterministic directory mtimes (bottom-up, after all content exists)
    for root, dnames, _ in os.walk(tree, topdown=False):
        for d in dnames:
            os.utime(os.path.join(root, d), (BASE_MTIME, BASE_MTIME))
    os.utime(tree, (BASE_MTIME, BASE_MTIME))
    if sys.stderr.isatty():
        print("\r", end="", file=sys.stderr)
    return comp, time.time() - t_start


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size-mb", type=int, default=int(os.environ.get("BENCH_SIZE_MB", "1024")))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("BENCH_SEED", "42")))
    ap.add_argument("--dir", default=os.environ.get("BENCH_DIR", os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "work")))
    args = ap.parse_args()
    if args.size_mb < 20:
        ap.error("--size-mb must be at least 20")
    bdir = os.path.abspath(args.dir)
    os.makedirs(bdir, exist_ok=True)
    name = "tree-%dm-s%d" % (args.size_mb, args.seed)
    tree = os.path.join(bdir, name)
    stamp = tree + ".stamp"
    manifest = tree + ".manifest"
    params = {"generator": "bench/gen_tree.py", "version": GEN_VERSION, "size_mb": args.size_mb, "seed": args.seed}
    if os.path.isdir(tree) and os.path.isfile(stamp) and os.path.isfile(manifest):
        try:
            with open(stamp) as f:
                old = json.load(f)
            if all(old.get(k) == v for k, v in params.items()):
                print("tree up to date: %s" % tree, file=sys.stderr)
                print(tree)
                return 0
        except (OSError, ValueError):
            pass
    # Remove only what this generator made: a tree with our stamp, or our own .tmp dir.
    tmp = tree + ".tmp"
    if os.path.isdir(tree):
        if not os.path.isfile(stamp):
            print("error: %s exists but has no stamp file; not touching it (remove it yourself)" % tree,
                  file=sys.stderr)
            return 2
        print("parameters changed, regenerating %s" % tree, file=sys.stderr)
        shutil.rmtree(tree)
    for p in (stamp, manifest):
        if os.path.exists(p):
            os.remove(p)
    if os.path.isdir(tmp):
        shutil.rmtree(tmp)
    print("generating %d MiB tree (seed %d) in %s ..." % (args.size_mb, args.seed, tree), file=sys.stderr)
    comp, secs = generate(tmp, args.size_mb, args.seed)
    os.rename(tmp, tree)
    m = treecheck.build_manifest(tree)
    treecheck.write_manifest(m, manifest)
    stats = treecheck.manifest_stats(m)
    info = dict(params)
    info.update({"files": stats["files"], "dirs": stats["dirs"], "bytes": stats["bytes"],
                 "generated_in_s": round(secs, 1),
                 "composition": {k: {"files": c[0], "bytes": c[1]} for k, c in sorted(comp.items())}})
    with open(stamp, "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    print("generated %d files, %d dirs, %.1f MiB in %.0f s" % (
        stats["files"], stats["dirs"], stats["bytes"] / MIB, secs), file=sys.stderr)
    print(tree)
    return 0


if __name__ == "__main__":
    sys.exit(main())
