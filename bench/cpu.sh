#!/usr/bin/env bash
# Where the CPU of a cold Firesafe backup and restore goes, next to the tar|zstd|openssl pipe.
#
#   bash bench/cpu.sh            # the ~1 GiB tree of run.sh (generated once, same seed)
#   BENCH_SIZE_MB=100 bash bench/cpu.sh
#
# On two cores both Firesafe runs are CPU-bound, so their wall time follows their CPU time. This script splits
# the CPU seconds of one cold backup and one cold restore into what the work needs (zstd, SHA-256 and AES in Java
# code, kernel I/O) and what a JVM adds (the JIT compilers, JVM runtime), with `perf record` sampling every thread
# (Debian package linux-perf; installed when missing and run as root). The pipe's processes are timed with
# /usr/bin/time (user + sys each). Without perf the Firesafe rows are per-thread totals from /proc.
#
# Environment: BENCH_SIZE_MB (1024), BENCH_SEED (42), BENCH_DIR (bench/work), FIRESAFE_JAR (the packaged jar).
# Exit status 0 on success, 2 on a setup error. Not a pass/fail check: bench/run.sh is the comparison.
set -uo pipefail

BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_HOME/.." && pwd)
SIZE_MB=${BENCH_SIZE_MB:-1024}
SEED=${BENCH_SEED:-42}
WORK=${BENCH_DIR:-$BENCH_HOME/work}
JAR=${FIRESAFE_JAR:-$REPO_ROOT/target/quarkus-app/quarkus-run.jar}

die() { echo "cpu.sh: $*" >&2; exit 2; }
say() { echo "[cpu] $*" >&2; }

[[ -f $JAR ]] || die "no $JAR: run ./mvnw package -DskipTests first"
for c in python3 tar zstd openssl /usr/bin/time; do command -v "$c" >/dev/null || die "$c is required"; done
if ! command -v perf >/dev/null && [[ $(id -u) == 0 ]]; then
    say "apt-get install -y linux-perf"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-perf >/dev/null 2>&1 || true
fi
PERF=0
command -v perf >/dev/null && perf record -o /dev/null -q -- true 2>/dev/null && PERF=1
((PERF)) || say "perf is not usable here: Firesafe rows are per-thread totals"

mkdir -p "$WORK" || die "cannot create $WORK"
WORK=$(cd "$WORK" && pwd)
TREE=$(python3 "$BENCH_HOME/gen_tree.py" --size-mb "$SIZE_MB" --seed "$SEED" --dir "$WORK") || die "tree generation failed"
RUN=$(mktemp -d "$WORK/cpu.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$RUN"' EXIT

cold() {
    sync
    echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || say "cannot drop the page cache: runs are warm"
}

# ---- the pipe: user + sys of each process ------------------------------------------------------------------
pipe_rows() {   # pipe_rows OP WALL_MS TIMEFILE...
    local op=$1 wall=$2
    shift 2
    cat "$@" | awk -F'\t' -v op="$op" -v wall="$wall" '
        { printf "pipe       %-8s %-38s %6.2f s  (user %.2f, sys %.2f)\n", op, $1, $2 + $3, $2, $3; t += $2 + $3 }
        END { printf "pipe       %-8s %-38s %6.2f s CPU in %.2f s wall\n", op, "total", t, wall / 1000 }'
}
cold
s=$(date +%s%N)
/usr/bin/time -f $'tar\t%U\t%S' -o "$RUN/p1" tar -cf - -C "$TREE" . \
    | /usr/bin/time -f $'zstd -3 -T1\t%U\t%S' -o "$RUN/p2" zstd -3 -T1 -q \
    | /usr/bin/time -f $'openssl enc\t%U\t%S' -o "$RUN/p3" openssl enc -aes-256-ctr -pbkdf2 -pass pass:bench \
        >"$RUN/pipe.enc"
PIPE_BACKUP_MS=$((($(date +%s%N) - s) / 1000000))
mkdir -p "$RUN/pipe-out"
cold
s=$(date +%s%N)
/usr/bin/time -f $'openssl enc -d\t%U\t%S' -o "$RUN/q1" openssl enc -d -aes-256-ctr -pbkdf2 -pass pass:bench \
        -in "$RUN/pipe.enc" \
    | /usr/bin/time -f $'zstd -d\t%U\t%S' -o "$RUN/q2" zstd -d -q \
    | /usr/bin/time -f $'tar -x\t%U\t%S' -o "$RUN/q3" tar -xf - -C "$RUN/pipe-out"
PIPE_RESTORE_MS=$((($(date +%s%N) - s) / 1000000))
rm -rf "$RUN/pipe.enc" "$RUN/pipe-out"

# ---- Firesafe: perf by thread and library ------------------------------------------------------------------
fs=(env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS java "-Duser.home=$RUN/home" -jar "$JAR")
FIRESAFE_MASTER_KEY=$("${fs[@]}" keygen 2>/dev/null | awk 'NF == 1 && length($1) >= 16 { k = $1 } END { print k }')
[[ -n $FIRESAFE_MASTER_KEY ]] || die "keygen printed no key"
export FIRESAFE_MASTER_KEY

profile() {   # profile NAME ARGS... -> $RUN/NAME.txt: "seconds<TAB>thread<TAB>library" rows
    local name=$1 s e
    shift
    cold
    s=$(date +%s%N)
    if ((PERF)); then
        perf record -q -F 999 -o "$RUN/$name.data" -- "${fs[@]}" "$@" >"$RUN/$name.out" 2>"$RUN/$name.err" \
            || die "$name failed: $(tail -3 "$RUN/$name.err")"
        e=$(date +%s%N)
        perf report -i "$RUN/$name.data" --stdio --sort comm,dso -g none --percent-limit 0 2>/dev/null \
            | python3 -c '
import re, sys
text = sys.stdin.read()
total = float(re.search(r"Event count \(approx\.\): (\d+)", text).group(1)) / 1e9
for line in text.splitlines():
    m = re.match(r"\s+([\d.]+)%\s+(.+?)\s{2,}(\S.*?)\s*$", line)
    if m:
        print("%.4f\t%s\t%s" % (float(m.group(1)) * total / 100, m.group(2), m.group(3)))
' >"$RUN/$name.txt"
    else
        "${fs[@]}" "$@" >"$RUN/$name.out" 2>"$RUN/$name.err" &
        python3 "$BENCH_HOME/cpu_threads.py" $! >"$RUN/$name.txt"
        wait $! || die "$name failed: $(tail -3 "$RUN/$name.err")"
        e=$(date +%s%N)
    fi
    echo "$(((e - s) / 1000000))" >"$RUN/$name.wall"
}
say "Firesafe backup"
profile backup backup --source "$TREE" --target "file://$RUN/repo"
say "Firesafe restore"
mkdir -p "$RUN/restore"
profile restore restore latest --to "$RUN/restore" --target "file://$RUN/repo"

# ---- report ---------------------------------------------------------------------------------------------------
echo
echo "CPU seconds of one cold run each ($(basename "$TREE"); $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ))"
echo
for op in backup restore; do
    if [[ $op == backup ]]; then
        pipe_rows "$op" "$PIPE_BACKUP_MS" "$RUN"/p?
    else
        pipe_rows "$op" "$PIPE_RESTORE_MS" "$RUN"/q?
    fi
    python3 - "$RUN/$op.txt" "$op" "$(cat "$RUN/$op.wall")" <<'EOF'
import sys
from collections import OrderedDict
path, op, wall_ms = sys.argv[1], sys.argv[2], int(sys.argv[3])
groups = OrderedDict((k, 0.0) for k in (
    "zstd (native)", "Java code: pipeline threads", "kernel: I/O", "JIT compilers (C1, C2)",
    "JVM runtime (class loading, GC...)", "pipeline threads (no perf: not split)", "other"))
def group(thread, lib):
    if thread.startswith(("C1 Compiler", "C2 Compiler")):
        return "JIT compilers (C1, C2)"
    if "zstd" in lib:
        return "zstd (native)"
    if lib.startswith("[kernel"):
        return "kernel: I/O"
    if lib == "thread-total":
        return "pipeline threads (no perf: not split)"
    if lib.startswith(("[JIT]", "//anon", "perf-", "[unknown]")):
        return "Java code: pipeline threads"
    if lib.startswith("libjvm") or lib.startswith("libjli"):
        return "JVM runtime (class loading, GC...)"
    return "other"
total = 0.0
for line in open(path):
    secs, thread, lib = line.rstrip("\n").split("\t")
    groups[group(thread, lib)] += float(secs)
    total += float(secs)
for name, secs in groups.items():
    if secs == 0 and name != "zstd (native)":
        continue
    print("firesafe   %-8s %-38s %6.2f s" % (op, name, secs))
print("firesafe   %-8s %-38s %6.2f s CPU in %.2f s wall" % (op, "total", total, wall_ms / 1000))
EOF
    echo
done
echo "\"Java code\" includes the SHA-256 of every file and AES-GCM (JDK intrinsics), tar, copies, and code that"
echo "still runs interpreted or in the first JIT tier. The pipe hashes nothing and starts no JIT."
