#!/usr/bin/env bash
# Cold-JVM benchmark matrix for Tink streaming AEAD (see docs/crypto-choice.md).
#
#   bash bench/crypto/run.sh
#
# Every measurement is a fresh `java` process timed by /usr/bin/time (wall + max RSS).
# Runs strictly one after another; do not run anything else on the machine meanwhile.
# Other load on the machine is detected from /proc/stat: before each run the script waits
# (up to QUIET_MAX_WAIT s) until other processes use < 15 % of one core, and a run during
# which other processes used more than 0.2 s + 10 % of its wall time of CPU is repeated
# (up to NOISY_RETRIES times); the CPU used by others is recorded with every run.
# Environment knobs: SIZE_MIB (default 1024), REPS (default 2), WBUF (write/read buffer
# bytes, default 1048576), JAVA (default: java on PATH), OUT (result directory),
# QUIET_MAX_WAIT (default 600), NOISY_RETRIES (default 2).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SIZE_MIB=${SIZE_MIB:-1024}
REPS=${REPS:-2}
WBUF=${WBUF:-1048576}
JAVA=${JAVA:-java}
QUIET_MAX_WAIT=${QUIET_MAX_WAIT:-600}
NOISY_RETRIES=${NOISY_RETRIES:-2}
CLK=$(getconf CLK_TCK)
OUT=${OUT:-$HERE/results/run-$(date +%Y%m%d-%H%M%S)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/firesafe-crypto-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

MAIN=dev.firesafe.bench.StreamingAeadBench
CP="$HERE/target/classes:$HERE/target/lib/*"
TSV="$OUT/results.tsv"
LOG="$OUT/runs.log"

echo "building..." >&2
"$ROOT/mvnw" -f "$HERE/pom.xml" -q package

mkdir -p "$OUT"
{
  echo "date: $(date -Is)"
  echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "cpu flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -xE 'aes|pclmulqdq|vaes|vpclmulqdq|avx2|avx512f|sha_ni' | tr '\n' ' ')"
  "$JAVA" -version 2>&1 | sed 's/^/java: /'
  openssl version | sed 's/^/openssl: /'
  echo "SIZE_MIB=$SIZE_MIB REPS=$REPS WBUF=$WBUF"
} > "$OUT/env.txt"
cat "$OUT/env.txt" >&2

printf 'label\tmode\tkey\tseg\tprovider\tjvmflags\twarmup\trep\tmbps\tdata_ms\twall_s\tmaxrss_kb\toverhead_pct\tcpu_s\tothers_cpu_s\tattempts\ttrace\n' > "$TSV"
START=$SECONDS

# Busy CPU jiffies of the whole machine (user nice system irq softirq steal).
cpu_busy() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# Wait until the rest of the machine is quiet (< 15 % of one core over 1 s).
wait_quiet() {
  local waited=0 b0 b1
  while :; do
    b0=$(cpu_busy); sleep 1; b1=$(cpu_busy)
    if (( (b1 - b0) * 100 / CLK < 15 )); then
      if (( waited > 0 )); then echo "  (waited ${waited}s for other load to end)" >&2; fi
      return 0
    fi
    waited=$((waited + 1))
    if (( waited >= QUIET_MAX_WAIT )); then
      echo "  machine still busy after ${waited}s; measuring anyway" >&2
      return 0
    fi
  done
}

# run_one LABEL MODE KEY SEG PROVIDER REP "JVMFLAGS" [extra bench args...]
run_one() {
  local label=$1 mode=$2 key=$3 seg=$4 prov=$5 rep=$6 flags=$7
  shift 7
  local extra=("$@")
  local io=()
  if [[ $mode == decrypt ]]; then io=(--keyset "$WORK/keyset.json" --in "$WORK/ct.bin"); fi
  local res trace wall rss usr sys b0 b1 others noisy attempt=1
  while :; do
    wait_quiet
    b0=$(cpu_busy)
    # shellcheck disable=SC2086
    /usr/bin/time -f '%e %M %U %S' -o "$WORK/time.txt" \
      "$JAVA" $flags -cp "$CP" "$MAIN" "$mode" "$key" "$seg" "$prov" "$SIZE_MIB" "$WBUF" \
      "${io[@]}" "${extra[@]}" > "$WORK/stdout.txt"
    b1=$(cpu_busy)
    read -r wall rss usr sys < "$WORK/time.txt"
    others=$(awk -v b=$((b1 - b0)) -v c="$CLK" -v u="$usr" -v s="$sys" \
      'BEGIN { o = b / c - u - s; if (o < 0) o = 0; printf "%.2f", o }')
    noisy=$(awk -v o="$others" -v w="$wall" 'BEGIN { print (o > 0.2 + 0.1 * w) ? 1 : 0 }')
    if [[ $noisy == 1 && $attempt -le $NOISY_RETRIES ]]; then
      echo "  $label $mode rep$rep: other processes used ${others}s CPU during ${wall}s; repeating" >&2
      attempt=$((attempt + 1))
      continue
    fi
    break
  done
  res=$(grep '^RESULT' "$WORK/stdout.txt")
  trace=$(grep '^TRACE' "$WORK/stdout.txt" | sed 's/^TRACE per-128MiB MB\/s: //' || true)
  field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$res"; }
  local warm="-"
  if [[ $(field warmupMiB) != 0 ]]; then warm="$(field warmupMiB)MiB@$(field warmupSeg)"; fi
  local cpu
  cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$label" "$mode" "$key" "$seg" "$prov" "${flags:--}" "$warm" "$rep" \
    "$(field mbps)" "$(field dataMs)" "$wall" "$rss" "$(field overheadPct)" "$cpu" "$others" "$attempt" "$trace" >> "$TSV"
  { echo "### $label | $mode rep $rep | flags: ${flags:--} | wall ${wall}s rss ${rss}kB cpu ${cpu}s others ${others}s attempt $attempt"
    cat "$WORK/stdout.txt"; } >> "$LOG"
  printf '[%4ds] %-50s %-7s rep%s %7s MB/s  wall %6ss  rss %7s kB  cpu %5ss  others %5ss  trace: %s\n' \
    $((SECONDS - START)) "$label" "$mode" "$rep" "$(field mbps)" "$wall" "$rss" "$cpu" "$others" "$trace" >&2
}

# prepare KEY SEG: one untimed process writes keyset + ciphertext of SIZE_MIB to $WORK
# (ciphertext format does not depend on the JCE provider; Conscrypt just makes this fast).
prepare() {
  "$JAVA" -cp "$CP" "$MAIN" encrypt "$1" "$2" conscrypt "$SIZE_MIB" "$WBUF" \
    --keyset "$WORK/keyset.json" --out "$WORK/ct.bin" --quiet-trace > /dev/null
}

# variant LABEL KEY SEG PROVIDER "JVMFLAGS" [extra bench args...]: REPS encrypt + REPS decrypt
# (ciphertext for the current KEY/SEG must already be prepared)
variant() {
  local label=$1 key=$2 seg=$3 prov=$4 flags=$5
  shift 5
  local r
  for ((r = 1; r <= REPS; r++)); do run_one "$label" encrypt "$key" "$seg" "$prov" "$r" "$flags" "$@"; done
  for ((r = 1; r <= REPS; r++)); do run_one "$label" decrypt "$key" "$seg" "$prov" "$r" "$flags" "$@"; done
}

kib() { echo "$(($1 / 1024))KiB"; }

# ---- 1. AES-GCM-HKDF (AES-256), JDK provider, all segment sizes ----
for seg in 4096 16384 65536 262144 1048576; do
  prepare gcm-hkdf $seg
  variant "gcm-hkdf $(kib $seg) jdk" gcm-hkdf $seg jdk ""
  if [[ $seg == 65536 || $seg == 1048576 ]]; then
    # ---- 2. Conscrypt as JCE provider #1 ----
    variant "gcm-hkdf $(kib $seg) conscrypt" gcm-hkdf $seg conscrypt ""
    # ---- 3. JVM flag: lower all JIT thresholds 10x ----
    variant "gcm-hkdf $(kib $seg) jdk CompileThresholdScaling=0.1" gcm-hkdf $seg jdk "-XX:CompileThresholdScaling=0.1"
    # ---- 4. in-process warm-up with small segments before the big run ----
    variant "gcm-hkdf $(kib $seg) jdk warm-up 8MiB@4KiB" gcm-hkdf $seg jdk "" --warmup-mb 8 --warmup-seg 4096
    variant "gcm-hkdf $(kib $seg) jdk warm-up 8MiB@1KiB" gcm-hkdf $seg jdk "" --warmup-mb 8 --warmup-seg 1024
  fi
  if [[ $seg == 1048576 ]]; then
    # ---- 3b. flags that do not help (one encrypt run each) ----
    run_one "gcm-hkdf 1024KiB jdk -TieredCompilation" encrypt gcm-hkdf $seg jdk 1 "-XX:-TieredCompilation"
    run_one "gcm-hkdf 1024KiB jdk TieredStopAtLevel=1" encrypt gcm-hkdf $seg jdk 1 "-XX:TieredStopAtLevel=1"
  fi
done

# ---- 5. AES-CTR-HMAC-SHA256 (AES-256, 32-byte tag), JDK provider ----
for seg in 65536 1048576; do
  prepare ctr-hmac $seg
  variant "ctr-hmac $(kib $seg) jdk" ctr-hmac $seg jdk ""
  if [[ $seg == 1048576 ]]; then
    variant "ctr-hmac $(kib $seg) jdk warm-up 8MiB@1KiB" ctr-hmac $seg jdk "" --warmup-mb 8 --warmup-seg 1024
  fi
done
rm -f "$WORK/ct.bin"

# ---- 6. native reference: OpenSSL ----
wait_quiet
/usr/bin/time -f '%e %M' -o "$WORK/time.txt" \
  bash -c "head -c ${SIZE_MIB}M /dev/zero | openssl enc -aes-256-ctr -pass pass:x -pbkdf2 > /dev/null"
read -r wall rss < "$WORK/time.txt"
mbps=$(awk -v s="$SIZE_MIB" -v w="$wall" 'BEGIN { printf "%.1f", s * 1048576 / w / 1e6 }')
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
  "openssl enc -aes-256-ctr (pipe from head)" encrypt - - openssl - - 1 "$mbps" - "$wall" "$rss" 0 - - 1 "" >> "$TSV"
echo "[$((SECONDS - START))s] openssl enc -aes-256-ctr: ${wall}s wall, ${mbps} MB/s" >&2
wait_quiet
openssl speed -elapsed -seconds 2 -bytes 1048576 -evp aes-256-gcm 2>/dev/null | tail -n 2 > "$OUT/openssl-speed-aes-256-gcm.txt"
cat "$OUT/openssl-speed-aes-256-gcm.txt" >&2

# ---- summary (mean of reps; individual runs in parentheses) ----
bash "$HERE/summarize.sh" "$TSV" > "$OUT/summary.md"

echo >&2
cat "$OUT/summary.md"
echo "total elapsed (incl. waiting for a quiet machine): $((SECONDS - START))s; results in $OUT" >&2
