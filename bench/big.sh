#!/usr/bin/env bash
# Issue #20 point 8, "sources of 100 GB": back up, verify and restore one 100 GB file with the launchers' flags
# (-Xmx128m -XX:+UseSerialGC), measuring wall time, peak RSS and bytes stored.
#
#   bash bench/big.sh                                  # 100 GB file, 4 GiB of it random data
#   BIG_SIZE_GB=30 BIG_DATA_MB=2048 bash bench/big.sh  # smaller
#
# The source is one SPARSE file of BIG_SIZE_GB GB (10^9 bytes): BIG_DATA_MB MiB of random data in 64 MiB extents at
# scattered offsets, zeros (holes) elsewhere, so it needs only the data's room on disk (this machine has ~80 GB
# free). Firesafe reads all of it: the zeros are read, chunked and hashed like any byte (it does not look for holes
# when backing up); zero runs become identical max-size chunks, stored once. The restore uses --sparse (zero blocks
# written as holes), the only way a 100 GB restore fits here; Firesafe checks the whole file's SHA-256 either way,
# and this script compares each random extent and the size and hole-free content with the source's.
# Output: bench/out/big.md (table), logs in bench/work/big/logs.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_GB=${BIG_SIZE_GB:-100}
DATA_MB=${BIG_DATA_MB:-4096}
WORK=$PWD/bench/work/big
OUT=$PWD/bench/out
JAR=${FIRESAFE_JAR:-target/quarkus-app/quarkus-run.jar}
die() { echo "big.sh: $*" >&2; exit 1; }
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install time)"
[[ -f $JAR ]] || ./mvnw -q -B -ntp -DskipTests package >/dev/null

rm -rf "$WORK"; mkdir -p "$WORK/src" "$WORK/logs" "$OUT"
SRC=$WORK/src/big.img
python3 - "$SRC" "$SIZE_GB" "$DATA_MB" <<'PY'
import random, sys
path, gb, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
size, ext = gb * 10**9, 64 * 2**20
n = max(1, mb * 2**20 // ext)
rnd = random.Random(20)
with open(path, "wb") as f:
    f.truncate(size)
    stride = size // n
    for i in range(n):
        # an extent somewhere in each stride, 4 KiB aligned, so holes and data interleave over the whole file
        at = i * stride + rnd.randrange(0, stride - ext) // 4096 * 4096
        f.seek(at)
        f.write(rnd.randbytes(ext))
        print(at, file=sys.stderr)
PY
[[ -s $SRC ]] || die "no source"
echo "source: $(stat -c %s "$SRC") bytes apparent, $(du -B1 "$SRC" | cut -f1) on disk" >&2

FS=(env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS
    java -Xmx128m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -jar "$PWD/$JAR")
"${FS[@]}" keygen --out "$WORK/master.key" >/dev/null 2>&1 || die "keygen failed"
export FIRESAFE_MASTER_KEY_FILE=$WORK/master.key FIRESAFE_CACHE_DIR=$WORK/cache
REPO=$WORK/repo

TSV=$OUT/big.tsv
printf 'op\tseconds\tpeak_rss_kib\tcpu_seconds\n' >"$TSV"
timed() {  # timed OP CMD...: wall seconds and peak RSS of CMD (a fresh JVM)
    local op=$1; shift
    /usr/bin/time -v -o "$WORK/logs/$op.time" "$@" >"$WORK/logs/$op.log" 2>&1 </dev/null \
        || die "$op failed; see $WORK/logs/$op.log"
    local secs rss cpu
    secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$WORK/logs/$op.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/logs/$op.time")
    cpu=$(awk -F': ' '/(User|System) time/ {s+=$2} END {print s}' "$WORK/logs/$op.time")
    printf '%s\t%s\t%s\t%s\n' "$op" "$secs" "$rss" "$cpu" >>"$TSV"
    echo "$op: ${secs} s (CPU ${cpu} s), peak RSS $(( rss / 1024 )) MiB" >&2
}

timed backup "${FS[@]}" backup --plan big --source "$WORK/src" --target "file://$REPO" --json
STORED=$(du -sb "$REPO" | cut -f1)
timed verify "${FS[@]}" verify latest --plan big --target "file://$REPO" --json
timed restore "${FS[@]}" restore latest --plan big --target "file://$REPO" --to "$WORK/restored" --sparse --json
OUTF=$WORK/restored/src/big.img
[[ $(stat -c %s "$OUTF") == $(stat -c %s "$SRC") ]] || die "restored size differs"
# every 64 MiB of the source that holds data (found by SEEK_DATA) equals the restored file's; elsewhere both are
# zero by construction (the restored file's holes read as zeros, and Firesafe checked the whole file's SHA-256)
python3 - "$SRC" "$OUTF" <<'PY' || die "restored content differs"
import os, sys
a, b = (os.open(p, os.O_RDONLY) for p in sys.argv[1:3])
size, pos, checked = os.fstat(a).st_size, 0, 0
while pos < size:
    try:
        pos = os.lseek(a, pos, os.SEEK_DATA)
    except OSError:
        break
    end = os.lseek(a, pos, os.SEEK_HOLE)
    while pos < end:
        n = min(end - pos, 8 << 20)
        if os.pread(a, n, pos) != os.pread(b, n, pos):
            sys.exit("differs at %d" % pos)
        pos += n; checked += n
print("data regions equal: %d bytes compared" % checked, file=sys.stderr)
PY
RESTORED_DISK=$(du -B1 "$OUTF" | cut -f1)

python3 - "$TSV" "$(stat -c %s "$SRC")" "$(du -B1 "$SRC" | cut -f1)" "$STORED" "$RESTORED_DISK" <<'PY' | tee "$OUT/big.md"
import csv, sys
tsv, size, disk, stored, rdisk = sys.argv[1], *map(int, sys.argv[2:])
print("Source: one file of %.1f GB (%.2f GiB of random data on disk, the rest holes read as zeros); stored: %.2f GiB;"
      " restored with --sparse: %.2f GiB on disk.\n" % (size / 1e9, disk / 2**30, stored / 2**30, rdisk / 2**30))
print("| op | wall s | CPU s (user+sys) | MB/s (of %.0f GB) | peak RSS MiB |" % (size / 1e9))
print("|---|---:|---:|---:|---:|")
for r in csv.DictReader(open(tsv), delimiter="\t"):
    s = float(r["seconds"])
    print("| %s | %.0f | %.0f | %.0f | %d |" % (r["op"], s, float(r["cpu_seconds"]), size / 1e6 / s,
                                             int(r["peak_rss_kib"]) // 1024))
PY
rm -rf "$WORK/restored"
