#!/usr/bin/env bash
# Issue #20 point 8: do `list`, `verify` and `restore` times grow with what they read, not with the number of
# backups? One command:
#
#   bash bench/scale.sh                                   # 100 backups, measured at 1 10 50 100
#   SCALE_COUNTS="1 10 50 100 200" bash bench/scale.sh    # further (the largest count is how many are made)
#   SCALE_REUSE=1 bash bench/scale.sh                     # measure again on the backups made last time
#
# A generated tree (bench/gen_tree.py, SCALE_SIZE_MB MiB, seed 42) gets one full backup, then incremental ones,
# each after a small change (4 KiB rewritten in 5 files, one new 10 kB file; seeded). Then, for each count K of
# SCALE_COUNTS, a target holding the first K backups (hard links to their objects: each object is what that backup
# wrote, so the first K are exactly what the target held after K backups) is measured, each command a fresh JVM
# with the launchers' flags (-Xmx128m -XX:+UseSerialGC), SCALE_REPEAT times (median): list, list --json, verify of
# the newest backup, verify of the oldest (the full one), verify all, restore latest (into an empty folder; at the
# largest count compared with the tree). Wall time and CPU time (user + sys: less disturbed by other load on a
# shared machine than wall time) and peak RSS. Page cache warm. Expected: verify ID and restore flat; list and
# verify all growing linearly with the backups / objects they read.
# Output: bench/out/scale.md (table), bench/out/scale.tsv (every run), bench/out/scale-backups.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNTS=${SCALE_COUNTS:-1 10 50 100}
SIZE_MB=${SCALE_SIZE_MB:-50}
REPEAT=${SCALE_REPEAT:-3}
WORK=${SCALE_WORK:-$PWD/bench/work/scale}
OUT=${SCALE_OUT:-$PWD/bench/out}
JAR=${FIRESAFE_JAR:-target/quarkus-app/quarkus-run.jar}
die() { echo "scale.sh: $*" >&2; exit 1; }
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install time)"
[[ -f $JAR ]] || ./mvnw -q -B -ntp -DskipTests package >/dev/null
MAX=$(printf '%s\n' $COUNTS | sort -n | tail -1)

FS=(env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS
    java -Xmx128m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -jar "$PWD/$JAR")
export FIRESAFE_MASTER_KEY_FILE=$WORK/master.key FIRESAFE_CACHE_DIR=$WORK/cache
REPO=$WORK/repo
SRC=$WORK/src
mkdir -p "$OUT"

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

have=$(ls "$REPO/scale" 2>/dev/null | grep -c '\.firesafe$' || true)
if [[ ${SCALE_REUSE:-} != 1 || $have -lt $MAX ]]; then
    rm -rf "$WORK"; mkdir -p "$WORK/logs"
    gen=$(python3 bench/gen_tree.py --size-mb "$SIZE_MB" --seed 42 --dir bench/work)
    cp -a "$gen" "$SRC"
    "${FS[@]}" keygen --out "$WORK/master.key" >/dev/null 2>&1 || die "keygen failed"
    echo "tree: $(du -sb "$SRC" | cut -f1) bytes, $(find "$SRC" -type f | wc -l) files; making $MAX backups" >&2
    printf 'backup\tseconds\tpeak_rss_kib\n' >"$OUT/scale-backups.tsv"
    for made in $(seq 0 $(( MAX - 1 ))); do
        (( made > 0 )) && change "$made"
        /usr/bin/time -f '%e %M' -o "$WORK/logs/backup.time" "${FS[@]}" backup --plan scale --target "file://$REPO" \
            --source "$SRC" --json >"$WORK/logs/backup-$made.log" 2>&1 </dev/null || die "backup $made failed"
        printf '%s\t%s\n' "$(( made + 1 ))" "$(tr ' ' '\t' <"$WORK/logs/backup.time")" >>"$OUT/scale-backups.tsv"
    done
fi
mkdir -p "$WORK/logs"

TSV=$OUT/scale.tsv
printf 'backups\top\tseconds\tpeak_rss_kib\tcpu_seconds\n' >"$TSV"
timed() {  # timed K OP CMD...: wall seconds, peak RSS and CPU seconds of CMD, appended to the TSV
    local k=$1 op=$2; shift 2
    local log=$WORK/logs/$k-$op
    /usr/bin/time -f '%e %M %U %S' -o "$log.time" "$@" >"$log.log" 2>&1 </dev/null || die "$op at $k failed; see $log.log"
    read -r secs rss user sys <"$log.time"
    printf '%s\t%s\t%s\t%s\t%s\n' "$k" "$op" "$secs" "$rss" "$(echo "$user + $sys" | bc)" >>"$TSV"
}

for k in $COUNTS; do
    R=$WORK/repo-$k
    rm -rf "$R"; mkdir -p "$R/scale"
    ls "$REPO/scale" | grep '\.firesafe$' | sort | head -n "$k" | while read -r f; do ln "$REPO/scale/$f" "$R/scale/$f"; done
    T=(--plan scale --target "file://$R")
    oldest=$(ls "$R/scale" | sort | head -1); oldest=${oldest%.firesafe}
    for r in $(seq 1 "$REPEAT"); do
        timed "$k" list "${FS[@]}" list "${T[@]}"
        timed "$k" list-json "${FS[@]}" list "${T[@]}" --json
        timed "$k" verify-latest "${FS[@]}" verify latest "${T[@]}"
        timed "$k" verify-oldest "${FS[@]}" verify "$oldest" "${T[@]}"
        timed "$k" verify-all "${FS[@]}" verify all "${T[@]}"
        rm -rf "$WORK/restored"
        timed "$k" restore-latest "${FS[@]}" restore latest "${T[@]}" --to "$WORK/restored"
    done
    if [[ $k == "$MAX" && -d $SRC ]]; then
        diff -r "$SRC" "$WORK/restored/src" >"$WORK/logs/$k-diff" 2>&1 || die "restore at $k differs; $WORK/logs/$k-diff"
    fi
    rm -rf "$WORK/restored"
    printf '%s\tstored\t%s\t%s\t0\n' "$k" "$(du -sb "$R" | cut -f1)" "$(find "$R" -type f | wc -l)" >>"$TSV"
    rm -rf "$R"
    echo "$k backups measured" >&2
done

python3 - "$TSV" "$OUT/scale-backups.tsv" <<'PY' | tee "$OUT/scale.md"
import csv, statistics, sys
from collections import defaultdict
runs, stored = defaultdict(list), {}
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    n = int(r["backups"])
    if r["op"] == "stored":
        stored[n] = (int(r["seconds"]), int(r["peak_rss_kib"]))
    else:
        runs[(n, r["op"])].append((float(r["seconds"]), float(r["cpu_seconds"]), int(r["peak_rss_kib"])))
ops = ["list", "list-json", "verify-latest", "verify-oldest", "verify-all", "restore-latest"]
print("Median wall s / median CPU s (user+sys) / max peak RSS MiB of each command, a fresh JVM each,"
      " -Xmx128m -XX:+UseSerialGC.\n")
print("| backups | stored MiB | " + " | ".join(ops) + " |")
print("|---:|---:|" + "---:|" * len(ops))
for n in sorted(stored):
    cells = []
    for op in ops:
        v = runs[(n, op)]
        cells.append("%.2f / %.2f / %d" % (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v),
                                           max(x[2] for x in v) // 1024))
    print("| %d | %.1f | %s |" % (n, stored[n][0] / 2**20, " | ".join(cells)))
backups = [(int(r["backup"]), float(r["seconds"]), int(r["peak_rss_kib"]))
           for r in csv.DictReader(open(sys.argv[2]), delimiter="\t")]
inc = [b for b in backups if b[0] > 1]
if inc:
    print("\nBackups: the first %.2f s; the %d incremental ones median %.2f s (first %.2f, last %.2f); peak RSS at"
          " most %d MiB." % (backups[0][1], len(inc), statistics.median(b[1] for b in inc), inc[0][1], inc[-1][1],
                             max(b[2] for b in backups) // 1024))
PY
