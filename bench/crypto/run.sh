#!/usr/bin/env bash
# Cold-JVM benchmark matrix for Tink streaming AEAD (see docs/crypto-choice.md).
#
#   bash bench/crypto/run.sh
#
# Every measurement is a fresh `java` process timed by /usr/bin/time (wall + max RSS).
# Runs strictly one after another; do not run anything else on the machine meanwhile.
# Environment knobs: SIZE_MIB (default 1024), REPS (default 2), WBUF (write/read buffer
# bytes, default 1048576), JAVA (default: java on PATH), OUT (result directory).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SIZE_MIB=${SIZE_MIB:-1024}
REPS=${REPS:-2}
WBUF=${WBUF:-1048576}
JAVA=${JAVA:-java}
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

printf 'label\tmode\tkey\tseg\tprovider\tjvmflags\twarmup\trep\tmbps\tdata_ms\twall_s\tmaxrss_kb\toverhead_pct\ttrace\n' > "$TSV"
START=$SECONDS

# run_one LABEL MODE KEY SEG PROVIDER REP "JVMFLAGS" [extra bench args...]
run_one() {
  local label=$1 mode=$2 key=$3 seg=$4 prov=$5 rep=$6 flags=$7
  shift 7
  local extra=("$@")
  local io=()
  if [[ $mode == decrypt ]]; then io=(--keyset "$WORK/keyset.json" --in "$WORK/ct.bin"); fi
  # shellcheck disable=SC2086
  /usr/bin/time -f '%e %M' -o "$WORK/time.txt" \
    "$JAVA" $flags -cp "$CP" "$MAIN" "$mode" "$key" "$seg" "$prov" "$SIZE_MIB" "$WBUF" \
    "${io[@]}" "${extra[@]}" > "$WORK/stdout.txt"
  local res trace wall rss
  res=$(grep '^RESULT' "$WORK/stdout.txt")
  trace=$(grep '^TRACE' "$WORK/stdout.txt" | sed 's/^TRACE per-128MiB MB\/s: //' || true)
  read -r wall rss < "$WORK/time.txt"
  field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$res"; }
  local warm="-"
  if [[ $(field warmupMiB) != 0 ]]; then warm="$(field warmupMiB)MiB@$(field warmupSeg)"; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$label" "$mode" "$key" "$seg" "$prov" "${flags:--}" "$warm" "$rep" \
    "$(field mbps)" "$(field dataMs)" "$wall" "$rss" "$(field overheadPct)" "$trace" >> "$TSV"
  { echo "### $label | $mode rep $rep | flags: ${flags:--} | wall ${wall}s rss ${rss}kB"; cat "$WORK/stdout.txt"; } >> "$LOG"
  printf '[%4ds] %-45s %-7s rep%s %8s MB/s  wall %6ss  rss %7s kB  trace: %s\n' \
    $((SECONDS - START)) "$label" "$mode" "$rep" "$(field mbps)" "$wall" "$rss" "$trace" >&2
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
/usr/bin/time -f '%e %M' -o "$WORK/time.txt" \
  bash -c "head -c ${SIZE_MIB}M /dev/zero | openssl enc -aes-256-ctr -pass pass:x -pbkdf2 > /dev/null"
read -r wall rss < "$WORK/time.txt"
mbps=$(awk -v s="$SIZE_MIB" -v w="$wall" 'BEGIN { printf "%.1f", s * 1048576 / w / 1e6 }')
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
  "openssl enc -aes-256-ctr (pipe from head)" encrypt - - openssl - - 1 "$mbps" - "$wall" "$rss" 0 "" >> "$TSV"
echo "[$((SECONDS - START))s] openssl enc -aes-256-ctr: ${wall}s wall, ${mbps} MB/s" >&2
openssl speed -elapsed -seconds 2 -bytes 1048576 -evp aes-256-gcm 2>/dev/null | tail -n 2 > "$OUT/openssl-speed-aes-256-gcm.txt"
cat "$OUT/openssl-speed-aes-256-gcm.txt" >&2

# ---- summary (mean of reps; individual runs in parentheses) ----
awk -F'\t' '
  NR == 1 { next }
  {
    k = $1
    if (!(k in seen)) { seen[k] = 1; order[++n] = k; ovh[k] = $13 }
    m = ($2 == "encrypt") ? "e" : "d"
    cnt[k, m]++; sum[k, m] += $9; runs[k, m] = runs[k, m] (cnt[k, m] > 1 ? "/" : "") sprintf("%.0f", $9)
    wsum[k, m] += $11; if ($12 > rss[k, m]) rss[k, m] = $12
  }
  function cell(k, m) { return cnt[k, m] ? sprintf("%.0f (%s)", sum[k, m] / cnt[k, m], runs[k, m]) : "-" }
  function wall(k, m) { return cnt[k, m] ? sprintf("%.1f", wsum[k, m] / cnt[k, m]) : "-" }
  function mib(k, m) { return cnt[k, m] ? sprintf("%.0f", rss[k, m] / 1024) : "-" }
  END {
    print "| configuration | encrypt MB/s | decrypt MB/s | wall s enc / dec | max RSS MiB enc / dec | ciphertext overhead % |"
    print "|---|---:|---:|---:|---:|---:|"
    for (i = 1; i <= n; i++) {
      k = order[i]
      printf "| %s | %s | %s | %s / %s | %s / %s | %.3f |\n", k, cell(k, "e"), cell(k, "d"), \
        wall(k, "e"), wall(k, "d"), mib(k, "e"), mib(k, "d"), ovh[k]
    }
  }' "$TSV" > "$OUT/summary.md"

echo >&2
cat "$OUT/summary.md"
echo "total machine time: $((SECONDS - START))s; results in $OUT" >&2
