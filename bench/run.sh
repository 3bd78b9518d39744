#!/usr/bin/env bash
# Firesafe backup/restore benchmark against reference tools, in one run.
#
#   bash bench/run.sh
#
# Generates (once) a deterministic ~1 GiB tree, then for each tool -- a
# tar|zstd|openssl pipe, restic, borg and Firesafe -- runs a cold backup and a
# cold restore as whole processes, measures wall time and peak RSS with
# /usr/bin/time -v and the output size, verifies every restore against a
# SHA-256 manifest of the source, and prints a table with the Firesafe ratios.
# The table also goes to bench/out/results.md.  See bench/README.md.
#
# Environment (all optional):
#   BENCH_SIZE_MB  tree size in MiB (default 1024; >= 20)   BENCH_SEED  (default 42)
#   BENCH_REPEAT   runs per tool, the median is reported (default 1)
#   BENCH_TOOLS    subset of "pipe restic borg firesafe" (default: all four)
#   BENCH_DIR      where the tree and the scratch repos go (default bench/work)
#   BENCH_OUT      where results and logs go (default bench/out)
#   BENCH_SYNC     1 (default): timed region ends with a sync of the output filesystem
#   BENCH_CACHE    warm: never drop the page cache (default: drop it when permitted)
#   BENCH_TIMEOUT  seconds before one tool run is killed (default 3600)
#   BENCH_KEEP     1: keep the scratch repos and restores (default 0: delete them)
#   FIRESAFE_JAR   jar to run (default target/quarkus-app/quarkus-run.jar, built if missing)
#   FIRESAFE_BUILD always: rebuild the default jar even if it exists
#
# Exit status: 0 when every selected tool ran and every restore matched the
# source (target misses are reported, never fatal); 1 when a tool failed or a
# restore differed; 2 on a usage or setup error.

set -uo pipefail

BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_HOME/.." && pwd)

SIZE_MB=${BENCH_SIZE_MB:-1024}
SEED=${BENCH_SEED:-42}
REPEAT=${BENCH_REPEAT:-1}
TOOLS=${BENCH_TOOLS:-pipe restic borg firesafe}
WORK=${BENCH_DIR:-$BENCH_HOME/work}
OUT=${BENCH_OUT:-$BENCH_HOME/out}
DO_SYNC=${BENCH_SYNC:-1}
TIMEOUT=${BENCH_TIMEOUT:-3600}
KEEP=${BENCH_KEEP:-0}
PASSWORD=bench   # benchmark-only secret for the reference tools

die() { echo "run.sh: $*" >&2; exit 2; }
say() { echo "[bench] $*" >&2; }

for v in SIZE_MB SEED REPEAT TIMEOUT; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
((SIZE_MB >= 20)) || die "BENCH_SIZE_MB must be at least 20"
((REPEAT >= 1)) || die "BENCH_REPEAT must be at least 1"
for t in $TOOLS; do
    case $t in pipe|restic|borg|firesafe) ;; *) die "unknown tool '$t' in BENCH_TOOLS" ;; esac
done
command -v python3 >/dev/null || die "python3 is required"
export PYTHONDONTWRITEBYTECODE=1

mkdir -p "$WORK" "$OUT/logs" || die "cannot create $WORK or $OUT"
WORK=$(cd "$WORK" && pwd)
OUT=$(cd "$OUT" && pwd)
LOGS=$OUT/logs
# Logs of an earlier run of this script (only our own file names).
rm -f "$LOGS"/*.log "$LOGS"/*.json "$LOGS"/*.time
NOTES=()
note() { NOTES+=("$*"); say "note: $*"; }

# ---------------------------------------------------------------- packages --
APT_UPDATED=0
apt_install() {   # apt_install PKG... ; best effort, never fatal
    if [[ $(id -u) != 0 ]]; then
        note "not root: cannot apt-get install $*"
        return 1
    fi
    say "apt-get install -y $*"
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$LOGS/apt.log" 2>&1; then
        return 0
    fi
    if ((APT_UPDATED == 0)); then
        APT_UPDATED=1
        say "apt-get update"
        apt-get update >>"$LOGS/apt.log" 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$LOGS/apt.log" 2>&1 && return 0
    fi
    local p rc=1   # one by one, so that one missing package does not block the others
    for p in "$@"; do
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$p" >>"$LOGS/apt.log" 2>&1 && rc=0
    done
    return $rc
}

has_tool() { [[ " $TOOLS " == *" $1 "* ]]; }

need=()
[[ -x /usr/bin/time ]] || need+=(time)
command -v tar >/dev/null || need+=(tar)
if has_tool pipe; then
    command -v zstd >/dev/null || need+=(zstd)
    command -v openssl >/dev/null || need+=(openssl)
fi
if has_tool restic; then command -v restic >/dev/null || need+=(restic); fi
if has_tool borg; then command -v borg >/dev/null || need+=(borgbackup); fi
if ((${#need[@]})); then
    apt_install "${need[@]}" || true
fi
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing and could not be installed (apt-get install time)"

SELECTED=()
for t in $TOOLS; do
    case $t in
        pipe)   miss=(); for c in tar zstd openssl; do command -v $c >/dev/null || miss+=("$c"); done ;;
        restic) miss=(); command -v restic >/dev/null || miss+=(restic) ;;
        borg)   miss=(); command -v borg >/dev/null || miss+=(borg) ;;
        *)      miss=() ;;
    esac
    if ((${#miss[@]})); then
        note "$t skipped: ${miss[*]} not installed and apt-get install failed (see $LOGS/apt.log)"
    else
        SELECTED+=("$t")
    fi
done

# -------------------------------------------------------------------- tree --
say "tree: ${SIZE_MB} MiB, seed $SEED, in $WORK"
TREE=$(python3 "$BENCH_HOME/gen_tree.py" --size-mb "$SIZE_MB" --seed "$SEED" --dir "$WORK") \
    || die "tree generation failed"
MANIFEST=$TREE.manifest
read -r TREE_FILES TREE_DIRS TREE_BYTES < <(python3 "$BENCH_HOME/treecheck.py" stats "$MANIFEST") \
    || die "cannot read $MANIFEST"
say "tree: $TREE ($TREE_FILES files, $TREE_DIRS dirs, $TREE_BYTES bytes)"

RUN=$(mktemp -d "$WORK/run.XXXXXX") || die "mktemp failed"
# shellcheck disable=SC2317  # invoked by the traps below
cleanup() {
    if [[ $KEEP == 1 ]]; then
        say "kept scratch data in $RUN"
    else
        rm -rf -- "$RUN"
    fi
}
# shellcheck disable=SC2317
on_signal() { exit 130; }
trap cleanup EXIT
trap on_signal INT TERM

# ------------------------------------------------------------- cache state --
if [[ ${BENCH_CACHE:-cold} != warm ]] && sync && (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
    CACHE_MODE=cold
    CACHE_DESC="cold: sync + page cache dropped (echo 3 > /proc/sys/vm/drop_caches) before every timed run"
else
    CACHE_MODE=warm
    CACHE_DESC="warm: the page cache is not dropped (not permitted here, or BENCH_CACHE=warm); the tree was read once before all runs and every tool sees it cached"
    say "not dropping the page cache; warming it with one read of the tree"
    find "$TREE" -type f -exec cat {} + >/dev/null
fi
say "cache: $CACHE_DESC"
drop_caches() {
    sync
    if [[ $CACHE_MODE == cold ]]; then
        echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
    fi
}

# ---------------------------------------------------------------- firesafe --
FS_READY=0
FS_WHY=""
FS_JAVA=java
[[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]] && FS_JAVA=$JAVA_HOME/bin/java
# No extra JVM flags: the product's defaults, and none inherited from the caller either.
FS_BASE=(env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS)
FS_KEY=""
prepare_firesafe() {
    local jar
    if ! command -v "$FS_JAVA" >/dev/null; then
        FS_WHY="no java"
        return 1
    fi
    if [[ -n ${FIRESAFE_JAR:-} ]]; then
        jar=$FIRESAFE_JAR
        [[ -f $jar ]] || { FS_WHY="FIRESAFE_JAR=$jar does not exist"; return 1; }
    else
        jar=$REPO_ROOT/target/quarkus-app/quarkus-run.jar
        if [[ ! -f $jar || ${FIRESAFE_BUILD:-} == always ]]; then
            say "building Firesafe: ./mvnw -q -DskipTests package (log: $LOGS/build.log)"
            if ! (cd "$REPO_ROOT" && ./mvnw -q -DskipTests package) >"$LOGS/build.log" 2>&1 </dev/null; then
                FS_WHY="build failed (see $LOGS/build.log)"
                return 1
            fi
            [[ -f $jar ]] || { FS_WHY="build did not produce $jar"; return 1; }
        elif [[ -n $(find "$REPO_ROOT/src" "$REPO_ROOT/pom.xml" -newer "$jar" -print -quit 2>/dev/null) ]]; then
            note "the Firesafe jar is older than src/ or pom.xml; set FIRESAFE_BUILD=always to rebuild it"
        fi
    fi
    FS_JAR=$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")
    say "Firesafe jar: $FS_JAR"
    if ! "${FS_BASE[@]}" "$FS_JAVA" -jar "$FS_JAR" keygen >"$LOGS/firesafe-keygen.out" 2>"$LOGS/firesafe-keygen.log" </dev/null; then
        FS_WHY="keygen failed (see $LOGS/firesafe-keygen.log)"
        return 1
    fi
    # The key is the last stdout line; tolerate log lines after it by taking the
    # last non-blank line without blanks in it.
    FS_KEY=$(awk 'NF == 1 && length($1) >= 16 { k = $1 } END { print k }' "$LOGS/firesafe-keygen.out")
    [[ -n $FS_KEY ]] || { FS_WHY="keygen printed no key (see $LOGS/firesafe-keygen.out)"; return 1; }
    return 0
}
if [[ " ${SELECTED[*]} " == *" firesafe "* ]]; then
    if prepare_firesafe; then
        FS_READY=1
    else
        note "Firesafe not runnable: $FS_WHY"
    fi
fi

# --------------------------------------------------------------- measuring --
RESULTS=$OUT/results.tsv
printf 'tool\top\trep\tstatus\tseconds\tsync_seconds\trss_kb\trss_note\tout_bytes\tnote\n' >"$RESULTS"
FAILURES=0
record() {   # record TOOL OP REP STATUS SECONDS SYNC_S RSS_KB RSS_NOTE OUT_BYTES NOTE
    local IFS=$'\t'
    printf '%s\n' "$*" >>"$RESULTS"
    case $4 in FAILED|DIFF) FAILURES=$((FAILURES + 1)) ;; esac
}

ns_now() { date +%s%N; }
secs() { awk -v n="$1" 'BEGIN { printf "%.3f", n / 1e9 }'; }
rss_of() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1" 2>/dev/null; }
bytes_in() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }

# Timed region = the tool's process(es), then (BENCH_SYNC=1) a sync of the
# output filesystem, so tools that fsync and tools that don't end at the same
# state: data on disk.  Sets T_NS (total), T_SYNC_NS, T_RC.
finish_timing() {   # finish_timing START_NS PROC_END_NS
    local e
    if [[ $DO_SYNC == 1 ]]; then
        sync -f "$RUN"
    fi
    e=$(ns_now)
    T_NS=$((e - $1))
    T_SYNC_NS=$((e - $2))
}

# run_timed TIMEFILE STDOUT STDERR CMD...
run_timed() {
    local tf=$1 so=$2 se=$3 s p
    shift 3
    s=$(ns_now)
    timeout "$TIMEOUT" /usr/bin/time -v -o "$tf" "$@" >"$so" 2>"$se" </dev/null
    T_RC=$?
    p=$(ns_now)
    finish_timing "$s" "$p"
    T_RSS=$(rss_of "$tf")
    T_RSS=${T_RSS:-0}
    ((T_RC == 124)) && echo "run.sh: killed after ${TIMEOUT}s (BENCH_TIMEOUT)" >>"$se"
}

verify_restore() {   # verify_restore DIR LOG -> 0 same, 1 differs
    python3 "$BENCH_HOME/treecheck.py" verify "$MANIFEST" "$1" --source-path "$TREE" >>"$2" 2>&1
}

# --- tar | zstd | openssl -----------------------------------------------------
bench_pipe() {
    local rep=$1 d=$RUN/rep$1/pipe tag=pipe-$1 s p rc out r1 r2 r3 rdir status
    mkdir -p "$d"
    out=$d/out.tar.zst.enc
    drop_caches
    s=$(ns_now)
    /usr/bin/time -v -o "$d/t1" tar -cf - -C "$TREE" . 2>>"$LOGS/$tag-backup.log" \
        | /usr/bin/time -v -o "$d/t2" zstd -3 -T1 -q 2>>"$LOGS/$tag-backup.log" \
        | /usr/bin/time -v -o "$d/t3" openssl enc -aes-256-ctr -pbkdf2 -pass "pass:$PASSWORD" \
            >"$out" 2>>"$LOGS/$tag-backup.log"
    rc="${PIPESTATUS[*]}"
    p=$(ns_now)
    finish_timing "$s" "$p"
    r1=$(rss_of "$d/t1"); r2=$(rss_of "$d/t2"); r3=$(rss_of "$d/t3")
    cat "$d"/t1 "$d"/t2 "$d"/t3 >"$LOGS/$tag-backup.time" 2>/dev/null
    if [[ $rc != "0 0 0" ]]; then
        record pipe backup "$rep" FAILED "$(secs "$T_NS")" "$(secs "$T_SYNC_NS")" 0 "" 0 "exit statuses $rc"
        record pipe restore "$rep" SKIPPED 0 0 0 "" 0 "backup failed"
        return
    fi
    record pipe backup "$rep" ok "$(secs "$T_NS")" "$(secs "$T_SYNC_NS")" $((r1 + r2 + r3)) \
        "sum of 3 processes: tar $((r1 / 1024)) + zstd $((r2 / 1024)) + openssl $((r3 / 1024)) MiB" \
        "$(stat -c %s "$out")" ""

    rdir=$d/restore
    mkdir -p "$rdir"
    drop_caches
    s=$(ns_now)
    /usr/bin/time -v -o "$d/t1" openssl enc -d -aes-256-ctr -pbkdf2 -pass "pass:$PASSWORD" -in "$out" \
            2>>"$LOGS/$tag-restore.log" \
        | /usr/bin/time -v -o "$d/t2" zstd -d -q 2>>"$LOGS/$tag-restore.log" \
        | /usr/bin/time -v -o "$d/t3" tar -xf - -C "$rdir" 2>>"$LOGS/$tag-restore.log"
    rc="${PIPESTATUS[*]}"
    p=$(ns_now)
    finish_timing "$s" "$p"
    r1=$(rss_of "$d/t1"); r2=$(rss_of "$d/t2"); r3=$(rss_of "$d/t3")
    cat "$d"/t1 "$d"/t2 "$d"/t3 >"$LOGS/$tag-restore.time" 2>/dev/null
    status=ok
    if [[ $rc != "0 0 0" ]]; then
        status=FAILED
    elif ! verify_restore "$rdir" "$LOGS/$tag-restore.log"; then
        status=DIFF
    fi
    record pipe restore "$rep" "$status" "$(secs "$T_NS")" "$(secs "$T_SYNC_NS")" $((r1 + r2 + r3)) \
        "sum of 3 processes: openssl $((r1 / 1024)) + zstd $((r2 / 1024)) + tar $((r3 / 1024)) MiB" 0 \
        "$([[ $status == ok ]] || echo "exit statuses $rc; see logs/$tag-restore.log")"
    [[ $KEEP == 1 ]] || rm -rf -- "$d"
}

# --- single-process tools -------------------------------------------------------
# one_op TOOL OP REP OUTPUT_DIR CMD... : one timed run; a restore is verified
# against the manifest (restored tree in $RDIR); a backup's output size is the
# sum of the file sizes in OUTPUT_DIR.  Returns 0 when the run is ok.
one_op() {
    local tool=$1 op=$2 rep=$3 odir=$4 tag=$1-$3 status note="" outb=0 ok_rc=0
    shift 4
    [[ $tool == borg ]] && ok_rc=1   # borg: 1 = finished with warnings
    drop_caches
    local so=$LOGS/$tag-$op.log
    [[ $tool == firesafe && $op == backup ]] && so=$LOGS/$tag-backup.json
    run_timed "$LOGS/$tag-$op.time" "$so" "$LOGS/$tag-$op.log" "$@"
    if ((T_RC > ok_rc)); then
        status=FAILED
        note="exit status $T_RC; see logs/$tag-$op.log"
        ((T_RC == 124)) && note="killed after ${TIMEOUT}s"
    else
        status=ok
        ((T_RC == 1)) && note="exit status 1 (warnings)"
        if [[ $op == restore ]]; then
            if ! verify_restore "$RDIR" "$LOGS/$tag-$op.log"; then
                status=DIFF
                note="restored tree differs from the source; see logs/$tag-$op.log"
            fi
            local root
            root=$(sed -n 's/^verify: root=\([^ ]*\) .*/\1/p' "$LOGS/$tag-$op.log" | tail -n 1)
            if [[ -n $root && $root != . ]]; then
                note="${note:+$note; }restored under DIR/$root"
            fi
        fi
    fi
    if [[ $op == backup && $status == ok ]]; then
        outb=$(bytes_in "$odir")
        if [[ $tool == firesafe ]]; then
            note=$(python3 - "$so" <<'EOF'
import json, sys
obj = None
for line in open(sys.argv[1], errors="replace"):
    line = line.strip()
    if line.startswith("{"):
        try:
            obj = json.loads(line)
        except ValueError:
            pass
if obj is None:
    print("no JSON object on stdout")
else:
    keys = ("files", "bytesIn", "bytesOut", "durationMs")
    print("json: " + ", ".join("%s=%s" % (k, obj.get(k, "?")) for k in keys))
EOF
)
        fi
    fi
    record "$tool" "$op" "$rep" "$status" "$(secs "$T_NS")" "$(secs "$T_SYNC_NS")" "$T_RSS" "" "$outb" "$note"
    [[ $status == ok ]]
}

bench_restic() {
    local rep=$1 d=$RUN/rep$1/restic
    REPO=$d/repo RDIR=$d/restore
    mkdir -p "$d" "$RDIR"
    export RESTIC_PASSWORD=$PASSWORD RESTIC_CACHE_DIR=$d/cache
    if ! restic -r "$REPO" init >"$LOGS/restic-$rep-init.log" 2>&1 </dev/null; then
        record restic backup "$rep" FAILED 0 0 0 "" 0 "restic init failed; see logs/restic-$rep-init.log"
        record restic restore "$rep" SKIPPED 0 0 0 "" 0 "init failed"
        return
    fi
    if one_op restic backup "$rep" "$REPO" env -C "$TREE" restic -r "$REPO" backup .; then
        one_op restic restore "$rep" - restic -r "$REPO" restore latest --target "$RDIR"
    else
        record restic restore "$rep" SKIPPED 0 0 0 "" 0 "backup failed"
    fi
    unset RESTIC_PASSWORD RESTIC_CACHE_DIR
    [[ $KEEP == 1 ]] || rm -rf -- "$d"
}

bench_borg() {
    local rep=$1 d=$RUN/rep$1/borg
    REPO=$d/repo RDIR=$d/restore
    mkdir -p "$d" "$RDIR"
    export BORG_PASSPHRASE=$PASSWORD BORG_BASE_DIR=$d/base BORG_RELOCATED_REPO_ACCESS_IS_OK=yes \
        BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes BORG_DISPLAY_PASSPHRASE=no
    if ! borg init -e repokey "$REPO" >"$LOGS/borg-$rep-init.log" 2>&1 </dev/null; then
        record borg backup "$rep" FAILED 0 0 0 "" 0 "borg init failed; see logs/borg-$rep-init.log"
        record borg restore "$rep" SKIPPED 0 0 0 "" 0 "init failed"
        return
    fi
    if one_op borg backup "$rep" "$REPO" env -C "$TREE" borg create --compression zstd,3 "$REPO::bench" .; then
        one_op borg restore "$rep" - env -C "$RDIR" borg extract "$REPO::bench"
    else
        record borg restore "$rep" SKIPPED 0 0 0 "" 0 "backup failed"
    fi
    unset BORG_PASSPHRASE BORG_BASE_DIR BORG_RELOCATED_REPO_ACCESS_IS_OK \
        BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK BORG_DISPLAY_PASSPHRASE
    [[ $KEEP == 1 ]] || rm -rf -- "$d"
}

bench_firesafe() {
    local rep=$1 d=$RUN/rep$1/firesafe fs
    if ((FS_READY == 0)); then
        record firesafe backup "$rep" FAILED 0 0 0 "" 0 "not runnable: $FS_WHY"
        record firesafe restore "$rep" SKIPPED 0 0 0 "" 0 "no backup"
        return
    fi
    REPO=$d/repo RDIR=$d/restore
    mkdir -p "$REPO" "$RDIR"
    fs=("${FS_BASE[@]}" FIRESAFE_MASTER_KEY="$FS_KEY" "$FS_JAVA" -jar "$FS_JAR")
    if one_op firesafe backup "$rep" "$REPO" "${fs[@]}" backup --source "$TREE" --target "file://$REPO" --json; then
        one_op firesafe restore "$rep" - "${fs[@]}" restore latest --to "$RDIR" --target "file://$REPO"
    else
        record firesafe restore "$rep" SKIPPED 0 0 0 "" 0 "backup failed"
    fi
    [[ $KEEP == 1 ]] || rm -rf -- "$d"
}

for ((rep = 1; rep <= REPEAT; rep++)); do
    for t in "${SELECTED[@]}"; do
        say "run $rep/$REPEAT: $t"
        case $t in
            pipe) bench_pipe "$rep" ;;
            restic) bench_restic "$rep" ;;
            borg) bench_borg "$rep" ;;
            firesafe) bench_firesafe "$rep" ;;
        esac
    done
done

# ------------------------------------------------------------------ report --
ver() { "$@" 2>&1 | head -n 1 | tr -d '*' | sed 's/^ *//; s/ *$//'; }
META=$RUN/meta.txt
{
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "host=$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr)"
    echo "cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "commit=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo none)$(git -C "$REPO_ROOT" diff --quiet HEAD -- src pom.xml 2>/dev/null || echo ' (+uncommitted changes)')"
    echo "tree=$TREE"
    echo "tree_size_mb=$SIZE_MB"
    echo "seed=$SEED"
    echo "tree_files=$TREE_FILES"
    echo "tree_dirs=$TREE_DIRS"
    echo "tree_bytes=$TREE_BYTES"
    echo "stamp=$TREE.stamp"
    echo "repeat=$REPEAT"
    echo "cache=$CACHE_DESC"
    echo "sync=$DO_SYNC"
    echo "tools=${TOOLS}"
    has_tool pipe && echo "v_pipe=$(ver tar --version), $(ver zstd --version), $(ver openssl version)"
    has_tool restic && command -v restic >/dev/null && echo "v_restic=$(ver restic version)"
    has_tool borg && command -v borg >/dev/null && echo "v_borg=$(ver borg --version)"
    if has_tool firesafe; then
        echo "v_firesafe=${FS_JAR:-not built}; $(ver "$FS_JAVA" -version)"
    fi
    for n in "${NOTES[@]}"; do echo "note=$n"; done
} >"$META"
python3 "$BENCH_HOME/report.py" "$RESULTS" "$META" "$OUT/results.md" || die "report failed"
say "raw results: $RESULTS; logs: $LOGS; markdown: $OUT/results.md"
if ((FAILURES > 0)); then
    say "$FAILURES run(s) failed or restored a different tree (see the table)"
    exit 1
fi
exit 0
