#!/usr/bin/env bash
# S3 upload throughput, Firesafe against rclone, against the same S3-compatible server, in one run:
#
#   bash bench/s3.sh
#
# Starts Adobe S3Mock on loopback (the jar `./mvnw verify` copies to target/s3mock; its extra plain-HTTP port is
# moved to a random one), then for the bench tree (bench/gen_tree.py, BENCH_SIZE_MB, default 1024):
#   firesafe-s3:    backup straight to s3://bench/fs (archive, compress, encrypt and multipart upload overlap;
#                   nothing staged on disk)
#   firesafe-local: backup to a local folder (the same work minus the upload), then
#   rclone:         `rclone copyto` of that encrypted file to s3://bench/rclone (upload alone)
# Reports MiB/s of encrypted bytes for each, and two ratios: Firesafe's upload-included backup against rclone's
# upload alone, and against "stage the encrypted archive on disk, then upload it" (local backup + rclone).
# Writes bench/out/s3-results.md.  Needs rclone (Debian package) and python3.
set -euo pipefail
unset AWS_CA_BUNDLE   # rclone 1.60 cannot apply it to its HTTP transport (LoadCustomCABundleError); loopback needs none

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SIZE_MB=${BENCH_SIZE_MB:-1024}
REPEAT=${BENCH_REPEAT:-3}
WORK=${BENCH_DIR:-$HERE/work}
OUT=${BENCH_OUT:-$HERE/out}
JAR=${FIRESAFE_JAR:-$ROOT/target/quarkus-app/quarkus-run.jar}
S3MOCK=${S3MOCK_JAR:-$ROOT/target/s3mock/s3mock.jar}
die() { echo "s3.sh: $*" >&2; exit 2; }
say() { echo "[bench-s3] $*" >&2; }

command -v rclone >/dev/null || die "rclone is required (apt-get install rclone)"
[[ -f $S3MOCK ]] || die "S3Mock jar missing: $S3MOCK (run ./mvnw verify once, or set S3MOCK_JAR)"
[[ -f $JAR ]] || { say "building Firesafe"; (cd "$ROOT" && ./mvnw -q -DskipTests package) >&2; }
TREE=$(python3 "$HERE/gen_tree.py" --size-mb "$SIZE_MB" --seed 42 --dir "$WORK") || die "tree generation failed"
S=$WORK/s3; rm -rf "$S"; mkdir -p "$S/store" "$S/empty" "$OUT"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
java -Xmx512m -jar "$S3MOCK" --server.address=127.0.0.1 --server.port="$PORT" --server.ssl.enabled=false \
    --com.adobe.testing.s3mock.http-port="$(free_port)" --com.adobe.testing.s3mock.store.root="$S/store" \
    --com.adobe.testing.s3mock.store.initial-buckets=bench >"$S/s3mock.log" 2>&1 &
MOCK=$!
trap 'kill $MOCK 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/bench" && break; sleep 0.5; done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/bench" || die "S3Mock did not start (see $S/s3mock.log)"

export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret
export FIRESAFE_S3_ENDPOINT=http://127.0.0.1:$PORT FIRESAFE_S3_PATH_STYLE=true
export RCLONE_CONFIG_MOCK_TYPE=s3 RCLONE_CONFIG_MOCK_PROVIDER=Other RCLONE_CONFIG_MOCK_ENDPOINT=$FIRESAFE_S3_ENDPOINT
export RCLONE_CONFIG_MOCK_ACCESS_KEY_ID=bench RCLONE_CONFIG_MOCK_SECRET_ACCESS_KEY=bench-secret
export RCLONE_CONFIG_MOCK_FORCE_PATH_STYLE=true
FIRESAFE_MASTER_KEY=$(java -jar "$JAR" keygen 2>/dev/null); export FIRESAFE_MASTER_KEY
FS=(env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS HOME="$S/empty" java -jar "$JAR" backup --plan s3-bench
    --source "$TREE" --json)

: >"$S/results"
timed() { # name bytes-file command...
    local name=$1; shift
    sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
    /usr/bin/time -f '%e %M' -o "$S/time" "$@" >"$S/$name.stdout" 2>"$S/$name.stderr" \
        || { cat "$S/$name.stderr" >&2; die "$name failed"; }
    echo "$name $(cat "$S/time")" >>"$S/results"
}
for i in $(seq 1 "$REPEAT"); do
    say "run $i/$REPEAT: firesafe straight to S3"
    (cd "$S/empty" && timed firesafe-s3 "${FS[@]}" --target "s3://bench/fs$i")
    say "run $i/$REPEAT: firesafe to a local folder"
    rm -rf "$S/local"
    (cd "$S/empty" && timed firesafe-local "${FS[@]}" --target "$S/local")
    FILE=$(find "$S/local" -name '*.firesafe' | head -1)
    echo "$(stat -c %s "$FILE")" >"$S/bytes"
    say "run $i/$REPEAT: rclone copyto of that file"
    timed rclone env -u AWS_CA_BUNDLE rclone copyto --s3-upload-cutoff 8M --s3-chunk-size 8M "$FILE" "mock:bench/rclone$i/x.firesafe"
done

python3 - "$S/results" "$(cat "$S/bytes")" "$OUT/s3-results.md" <<'PY'
import statistics, sys
res, size, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
runs = {}
for line in open(res):
    name, secs, rss = line.split()
    runs.setdefault(name, []).append((float(secs), int(rss)))
med = {n: statistics.median(s for s, _ in v) for n, v in runs.items()}
rss = {n: max(r for _, r in v) // 1024 for n, v in runs.items()}
mib = size / 2**20
rows = [f"| {n} | {med[n]:.2f} | {mib / med[n]:.1f} | {rss[n]} |" for n in ("firesafe-s3", "firesafe-local", "rclone")]
staged = med["firesafe-local"] + med["rclone"]
text = "\n".join([
    f"Encrypted archive of {mib:.0f} MiB, S3Mock on loopback, median of {len(runs['rclone'])} runs, page cache dropped before each", "",
    "| run | seconds | MiB/s of encrypted bytes | peak RSS MiB |", "|---|---:|---:|---:|", *rows,
    f"| stage on disk, then rclone (sum) | {staged:.2f} | {mib / staged:.1f} | |", "",
    f"Firesafe backup straight to S3 / rclone upload alone (throughput): {med['rclone'] / med['firesafe-s3']:.2f}x",
    f"Firesafe backup straight to S3 / local backup + rclone upload: {staged / med['firesafe-s3']:.2f}x"])
open(out, "w").write(text + "\n")
print(text)
PY
