#!/usr/bin/env bash
# Issue #20's benchmark: incremental backups, Firesafe side by side with restic, in one run, printing ratios.
#
#   bash bench/incremental.sh                      # the issue's run: a generated 2 GiB tree, 10 changed backups
#   BENCH_SIZE_MB=300 BENCH_ROUNDS=3 bash bench/incremental.sh   # a quick look
#
# The tree: bench/gen_tree.py (a home-lab server's data) of SIZE-500 MiB plus one 500 MB database file. Runs:
#   (a) first backup; (b) unchanged backups (BENCH_UNCHANGED_RUNS, 5: the median); (c) after a round of bench/mutate.py (1% of files changed in
#   place, 50 new files, a folder holding 10% of the data renamed, 20 scattered 64 KiB writes into the database
#   file), repeated ROUNDS times; (d) restore of the newest of those backups; (e) restore of the oldest of them;
#   and, as the yardstick for (d) and (e), a Firesafe `backup --full` of the final tree into an empty target and
#   its restore. Page cache warm (the tree was just written; both tools see the same), every run a fresh process
#   started after a sync (so no run pays for the previous one's write-back), wall time to exit, peak RSS from
#   /usr/bin/time, bytes written = growth of the repository folder.
# Output: a table on stdout and in bench/out/incremental.md; raw rows in bench/out/incremental.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MB=${BENCH_SIZE_MB:-2048}
ROUNDS=${BENCH_ROUNDS:-10}
UNCHANGED=${BENCH_UNCHANGED_RUNS:-5}   # (b) is about a second for either tool: the median of several, like (c)
DB_MB=$(( SIZE_MB >= 1000 ? 500 : SIZE_MB / 4 ))
WORK=bench/work/incremental
OUT=bench/out
JAR=${FIRESAFE_JAR:-target/quarkus-app/quarkus-run.jar}
die() { echo "incremental.sh: $*" >&2; exit 1; }

command -v restic >/dev/null || die "restic is missing (apt-get install restic)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install time)"
if [[ ! -f $JAR || ${FIRESAFE_BUILD:-} == always ]]; then
    ./mvnw -q -B -ntp -DskipTests package >/dev/null
fi
[[ $JAR -ot pom.xml ]] && echo "note: $JAR is older than pom.xml; FIRESAFE_BUILD=always rebuilds it" >&2

rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"
LOGS=$PWD/$WORK/logs; mkdir -p "$LOGS"
SRC=$WORK/src
gen=$(python3 bench/gen_tree.py --size-mb $(( SIZE_MB - DB_MB )) --seed 42 --dir bench/work)
cp -a "$gen" "$SRC"
python3 - "$SRC/db/app.db" "$DB_MB" <<'EOF'
import os, random, sys
# 4 KiB pages, half random and half zero: a database file that compresses about 2:1
path, mb = sys.argv[1], int(sys.argv[2])
os.makedirs(os.path.dirname(path), exist_ok=True)
rnd = random.Random(7)
with open(path, "wb") as out:
    for _ in range(mb * 256):
        out.write(rnd.randbytes(2048) + bytes(2048))
EOF
cat "$SRC"/db/app.db >/dev/null
SRC=$(cd "$SRC" && pwd)

export RESTIC_PASSWORD=bench RESTIC_CACHE_DIR=$PWD/$WORK/restic-cache
RREPO=$PWD/$WORK/restic-repo
restic -r "$RREPO" init >"$LOGS/restic-init.log" 2>&1

# Firesafe runs as the systemd timer runs it (deploy/systemd/firesafe.service): the JVM options file next to the
# jar (heap, collector, start-up compile thresholds) and an AppCDS archive made once from a probe backup, as
# native-build/README.md ("Start-up") tells a host to. BENCH_FIRESAFE_JVM="..." replaces those options.
JVM_OPTIONS=$(dirname "$PWD/$JAR")/jvm.options
[[ -f $JVM_OPTIONS ]] || die "$JVM_OPTIONS is missing (FIRESAFE_BUILD=always rebuilds)"
JSA=$PWD/$WORK/firesafe.jsa
if [[ -z ${BENCH_FIRESAFE_JVM:-} ]]; then
    mkdir -p "$WORK/cds/data" && echo probe >"$WORK/cds/data/probe.txt"
    cds_key=$(env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS java "@$JVM_OPTIONS" -Duser.home="$PWD/$WORK/cds" \
        -jar "$PWD/$JAR" keygen 2>/dev/null | tail -1)
    FIRESAFE_MASTER_KEY=$cds_key env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS java "@$JVM_OPTIONS" \
        -XX:ArchiveClassesAtExit="$JSA" -Duser.home="$PWD/$WORK/cds" -jar "$PWD/$JAR" \
        backup --source "$PWD/$WORK/cds/data" --target "$PWD/$WORK/cds/backups" >"$LOGS/cds.log" 2>&1 \
        || die "making the AppCDS archive failed; see $LOGS/cds.log"
    rm -rf "$WORK/cds"
fi
read -r -a JVM <<<"${BENCH_FIRESAFE_JVM:-@$JVM_OPTIONS -XX:SharedArchiveFile=$JSA -Xshare:auto}"
FS=(env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS java "${JVM[@]}" -jar "$PWD/$JAR")
echo "Firesafe runs as: java ${JVM[*]} -jar $JAR" >&2
"${FS[@]}" keygen --out "$PWD/$WORK/master.key" >/dev/null 2>&1 || die "firesafe keygen failed"
export FIRESAFE_MASTER_KEY_FILE=$PWD/$WORK/master.key   # kept, so a failed run can be looked into
FREPO=$PWD/$WORK/firesafe-repo
export FIRESAFE_CACHE_DIR=$PWD/$WORK/firesafe-cache

TSV=$OUT/incremental.tsv
printf 'run\ttool\tseconds\tpeak_rss_kib\tbytes_written\tcpu_seconds\n' >"$TSV"

bytes() { du -sb "$1" 2>/dev/null | awk '{print $1}' || echo 0; }

# timed NAME TOOL REPO CMD...: runs CMD in SRC, records wall seconds, peak RSS and the repository's growth
timed() {
    local run=$1 tool=$2 repo=$3; shift 3
    local before after log=$LOGS/$run-$tool.log
    before=$(bytes "$repo")
    sync # the previous run's write-back (a restore writes 2 GB) is not this run's cost
    if ! (cd "$SRC" && /usr/bin/time -f '%e %M %U %S' -o "$log.time" "$@" >"$log" 2>&1 </dev/null); then
        die "$tool $run failed; see $log"
    fi
    after=$(bytes "$repo")
    read -r secs rss usr sys <"$log.time"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$tool" "$secs" "$rss" $(( after - before )) \
        "$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" >>"$TSV"
}

backup_both() {
    local run=$1
    timed "$run" restic "$RREPO" restic -r "$RREPO" backup --host bench .
    timed "$run" firesafe "$FREPO" "${FS[@]}" backup --plan bench --source "$SRC" --target "file://$FREPO" --json
    grep -o '"id" *: *"[^"]*"' "$LOGS/$run-firesafe.log" | head -1 | sed 's/.*"\([^"]*\)"$/\1/' >"$LOGS/$run.id"
}

echo "tree: $(bytes "$SRC") bytes, $(find "$SRC" -type f | wc -l) files; $ROUNDS changed backups" >&2
backup_both a
for u in $(seq 1 "$UNCHANGED"); do
    backup_both "b$u"
done
for r in $(seq 1 "$ROUNDS"); do
    python3 bench/mutate.py --tree "$SRC" --db "$SRC/db/app.db" --seed "$r" >"$LOGS/mutate-$r.json"
    backup_both "c$r"
done

restore_both() {
    local run=$1 which=$2 ids=$3
    local rid fid
    rid=$(restic -r "$RREPO" snapshots --json | python3 -c "import json,sys; s=json.load(sys.stdin); print(s[$which]['short_id'])")
    fid=$(cat "$LOGS/$ids.id")
    rm -rf "$WORK/r-restic" "$WORK/r-firesafe"
    timed "$run" restic "$WORK/r-restic" restic -r "$RREPO" restore "$rid" --target "$PWD/$WORK/r-restic"
    timed "$run" firesafe "$WORK/r-firesafe" "${FS[@]}" restore "$fid" --plan bench --target "file://$FREPO" \
        --to "$PWD/$WORK/r-firesafe"
}
# snapshots 0: (a), 1..UNCHANGED: (b), then c1 ... the newest
restore_both d "$(( UNCHANGED + ROUNDS ))" "c$ROUNDS"
# the newest restored trees are the source as it is now: check both
diff -rq "$SRC" "$WORK/r-restic" >"$LOGS/d-restic.diff" 2>&1 || die "restic's restore differs from the source; $LOGS/d-restic.diff"
diff -rq "$SRC" "$WORK/r-firesafe/$(basename "$SRC")" >"$LOGS/d-firesafe.diff" 2>&1 \
    || die "Firesafe's restore differs from the source; $LOGS/d-firesafe.diff"
restore_both e "$(( UNCHANGED + 1 ))" c1

# the yardstick: a self-contained backup of the final tree, and its restore
FULL=$PWD/$WORK/firesafe-full
timed full firesafe "$FULL" "${FS[@]}" backup --plan bench --source "$SRC" --target "file://$FULL" --full --json
rm -rf "$WORK/r-full"
timed full-restore firesafe "$WORK/r-full" "${FS[@]}" restore latest --plan bench --target "file://$FULL" \
    --to "$PWD/$WORK/r-full"
rm -rf "$WORK/r-restic" "$WORK/r-firesafe" "$WORK/r-full"

python3 - "$TSV" "$ROUNDS" "$(bytes "$SRC")" "$UNCHANGED" <<'EOF' | tee "$OUT/incremental.md"
import csv, statistics, sys
tsv, rounds, size, unchanged = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows = {}
for r in csv.DictReader(open(tsv), delimiter="\t"):
    rows[(r["run"], r["tool"])] = (float(r["seconds"]), int(r["peak_rss_kib"]), int(r["bytes_written"]),
                                   float(r["cpu_seconds"]))
def med(tool, i, run="c", n=rounds):
    return statistics.median(rows[("%s%d" % (run, k), tool)][i] for k in range(1, n + 1))
mib = lambda b: "%.1f MiB" % (b / 2**20)
full_restore = rows[("full-restore", "firesafe")][0]
print("Tree: %.2f GiB; (b) is the median of %d unchanged backups, (c) of %d changed ones.\n"
      % (size / 2**30, unchanged, rounds))
print("| run | restic s | Firesafe s | ratio | CPU s restic / Firesafe | ratio | restic written | Firesafe written "
      "| ratio | peak RSS restic / Firesafe |")
print("|---|---|---|---|---|---|---|---|---|---|")
def line(name, rs, fs, rb, fb, rr, fr, rc, fc):
    ratio_b = "%.2f" % (fb / rb) if rb > 0 else ("-" if fb == 0 else "inf")
    print("| %s | %.2f | %.2f | %.2f | %.2f / %.2f | %.2f | %s | %s | %s | %d / %d MiB |" % (name, rs, fs, fs / rs,
          rc, fc, fc / rc if rc > 0 else 0, mib(rb), mib(fb), ratio_b, rr // 1024, fr // 1024))
r, f = rows[("a", "restic")], rows[("a", "firesafe")]
line("(a) first backup", r[0], f[0], r[2], f[2], r[1], f[1], r[3], f[3])
line("(b) unchanged (median)", med("restic", 0, "b", unchanged), med("firesafe", 0, "b", unchanged),
     med("restic", 2, "b", unchanged), med("firesafe", 2, "b", unchanged),
     max(rows[("b%d" % k, "restic")][1] for k in range(1, unchanged + 1)),
     max(rows[("b%d" % k, "firesafe")][1] for k in range(1, unchanged + 1)),
     med("restic", 3, "b", unchanged), med("firesafe", 3, "b", unchanged))
line("(c) changed (median)", med("restic", 0), med("firesafe", 0), med("restic", 2), med("firesafe", 2),
     max(rows[("c%d" % k, "restic")][1] for k in range(1, rounds + 1)),
     max(rows[("c%d" % k, "firesafe")][1] for k in range(1, rounds + 1)), med("restic", 3), med("firesafe", 3))
for run, name in (("d", "(d) restore newest"), ("e", "(e) restore oldest")):
    r, f = rows[(run, "restic")], rows[(run, "firesafe")]
    line(name, r[0], f[0], r[2], f[2], r[1], f[1], r[3], f[3])
fb = rows[("full", "firesafe")]
print()
print("(b) each run, restic / Firesafe s: %s" % ", ".join("%.2f / %.2f" % (rows[("b%d" % k, "restic")][0],
      rows[("b%d" % k, "firesafe")][0]) for k in range(1, unchanged + 1)))
print("Firesafe `backup --full` of the final tree: %.2f s, %s; its restore %.2f s (peak RSS %d MiB)."
      % (fb[0], mib(fb[2]), full_restore, rows[("full-restore", "firesafe")][1] // 1024))
print("(d) / full restore: %.2f; (e) / full restore: %.2f (target <= 1.2)."
      % (rows[("d", "firesafe")][0] / full_restore, rows[("e", "firesafe")][0] / full_restore))
print("Repositories at the end: restic %s, Firesafe %s." % (mib(sum(rows[(k, "restic")][2] for k in
      ["a"] + ["b%d" % i for i in range(1, unchanged + 1)] + ["c%d" % i for i in range(1, rounds + 1)])),
      mib(sum(rows[(k, "firesafe")][2] for k in ["a"] + ["b%d" % i for i in range(1, unchanged + 1)]
              + ["c%d" % i for i in range(1, rounds + 1)]))))
EOF
