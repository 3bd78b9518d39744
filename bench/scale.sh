#!/usr/bin/env bash
# Issue #20 point 8: do `list`, `verify` and `restore` times grow with what they read, not with the number of
# backups? One command:
#
#   bash bench/scale.sh                                   # counts 1 10 50 100 on a 50 MiB tree
#   SCALE_COUNTS="1 10 50 100 200" bash bench/scale.sh    # further
#
# A generated tree (bench/gen_tree.py, SCALE_SIZE_MB MiB, seed 42) gets one full backup, then incremental ones,
# each after a small change (4 KiB rewritten in 5 files, one new 10 kB file; seeded). When the number of backups
# reaches each of SCALE_COUNTS, these are timed, each a fresh JVM with the launchers' flags (-Xmx128m
# -XX:+UseSerialGC), SCALE_REPEAT times (median): list, list --json, verify of the newest backup, verify of the
# oldest (the full one), verify all, restore latest (into an empty folder, then compared with the tree). Page cache
# warm. Expected: verify ID and restore flat; list and verify all growing linearly with the backups / objects they
# read. Output: bench/out/scale.md (table) and bench/out/scale.tsv (every run).
set -euo pipefail
cd "$(dirname "$0")/.."

COUNTS=${SCALE_COUNTS:-1 10 50 100}
SIZE_MB=${SCALE_SIZE_MB:-50}
REPEAT=${SCALE_REPEAT:-3}
WORK=$PWD/bench/work/scale
OUT=$PWD/bench/out
JAR=${FIRESAFE_JAR:-target/quarkus-app/quarkus-run.jar}
die() { echo "scale.sh: $*" >&2; exit 1; }
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install time)"
[[ -f $JAR ]] || ./mvnw -q -B -ntp -DskipTests package >/dev/null

rm -rf "$WORK"; mkdir -p "$WORK/logs" "$OUT"
gen=$(python3 bench/gen_tree.py --size-mb "$SIZE_MB" --seed 42 --dir bench/work)
SRC=$WORK/src
cp -a "$gen" "$SRC"

FS=(env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS
    java -Xmx128m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -jar "$PWD/$JAR")
"${FS[@]}" keygen --out "$WORK/master.key" >/dev/null 2>&1 || die "keygen failed"
export FIRESAFE_MASTER_KEY_FILE=$WORK/master.key FIRESAFE_CACHE_DIR=$WORK/cache
REPO=$WORK/repo
T=(--plan scale --target "file://$REPO")

TSV=$OUT/scale.tsv
printf 'backups\top\tseconds\tpeak_rss_kib\n' >"$TSV"
timed() {  # timed N OP CMD...: wall seconds and peak RSS of CMD, appended to the TSV
    local n=$1 op=$2; shift 2
    local log=$WORK/logs/$n-$op
    /usr/bin/time -f '%e %M' -o "$log.time" "$@" >"$log.log" 2>&1 </dev/null || die "$op at $n failed; see $log.log"
    read -r secs rss <"$log.time"
    printf '%s\t%s\t%s\t%s\n' "$n" "$op" "$secs" "$rss" >>"$TSV"
}

change() {  # a small, seeded change: 4 KiB rewritten in 5 files, one new file
    python3 - "$SRC" "$1" <<'PY'
import os, random, sys
root, seed = sys.argv[1], int(sys.argv[2])
rnd = random.Random(seed)
files = sorted(os.path.join(d, n) for d, _, ns in os.walk(root) for n in ns
               if os.path.isfile(os.path.join(d, n)) and os.path.getsize(os.path.join(d, n)) >= 4096)
for f in rnd.sample(files, 5):
    with open(f, "r+b") as out:
        out.seek(rnd.randrange(0, os.path.getsize(f) - 4096 + 1))
        out.write(rnd.randbytes(4096))
os.makedirs(os.path.join(root, "scale-new"), exist_ok=True)
with open(os.path.join(root, "scale-new", "f%05d.bin" % seed), "wb") as out:
    out.write(rnd.randbytes(10_000))
PY
}

echo "tree: $(du -sb "$SRC" | cut -f1) bytes, $(find "$SRC" -type f | wc -l) files; counts: $COUNTS" >&2
made=0
for n in $COUNTS; do
    while (( made < n )); do
        (( made > 0 )) && change "$made"
        timed "$(( made + 1 ))" backup "${FS[@]}" backup "${T[@]}" --source "$SRC" --json
        made=$(( made + 1 ))
    done
    oldest=$("${FS[@]}" list "${T[@]}" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["backups"][0]["id"])')
    for r in $(seq 1 "$REPEAT"); do
        timed "$n" list "${FS[@]}" list "${T[@]}"
        timed "$n" list-json "${FS[@]}" list "${T[@]}" --json
        timed "$n" verify-latest "${FS[@]}" verify latest "${T[@]}"
        timed "$n" verify-oldest "${FS[@]}" verify "$oldest" "${T[@]}"
        timed "$n" verify-all "${FS[@]}" verify all "${T[@]}"
        rm -rf "$WORK/restored"
        timed "$n" restore-latest "${FS[@]}" restore latest "${T[@]}" --to "$WORK/restored"
    done
    diff -r "$SRC" "$WORK/restored/src" >"$WORK/logs/$n-diff" 2>&1 || die "restore at $n differs; $WORK/logs/$n-diff"
    rm -rf "$WORK/restored"
    printf '%s\tstored\t%s\t%s\n' "$n" "$(du -sb "$REPO" | cut -f1)" "$(find "$REPO" -type f | wc -l)" >>"$TSV"
    echo "$n backups done" >&2
done

python3 - "$TSV" <<'PY' | tee "$OUT/scale.md"
import csv, statistics, sys
from collections import defaultdict
runs, stored, backup = defaultdict(list), {}, {}
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    n = int(r["backups"])
    if r["op"] == "stored":
        stored[n] = (int(r["seconds"]), int(r["peak_rss_kib"]))
    elif r["op"] == "backup":
        backup[n] = (float(r["seconds"]), int(r["peak_rss_kib"]))
    else:
        runs[(n, r["op"])].append((float(r["seconds"]), int(r["peak_rss_kib"])))
ops = ["list", "list-json", "verify-latest", "verify-oldest", "verify-all", "restore-latest"]
print("Median seconds (max peak RSS MiB) of each operation, a fresh JVM each, -Xmx128m -XX:+UseSerialGC.\n")
print("| backups | stored MiB (files) | " + " | ".join(ops) + " |")
print("|---:|---:|" + "---:|" * len(ops))
for n in sorted(stored):
    cells = []
    for op in ops:
        v = runs[(n, op)]
        cells.append("%.2f (%d)" % (statistics.median(s for s, _ in v), max(m for _, m in v) // 1024))
    print("| %d | %.1f (%d) | %s |" % (n, stored[n][0] / 2**20, stored[n][1], " | ".join(cells)))
inc = [backup[k] for k in sorted(backup) if k > 1]
if inc:
    print("\nIncremental backups: median %.2f s, first %.2f s, last %.2f s; peak RSS at most %d MiB."
          % (statistics.median(s for s, _ in inc), inc[0][0], inc[-1][0], max(m for _, m in inc) // 1024))
PY
