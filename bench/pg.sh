#!/usr/bin/env bash
# PostgreSQL dump + archive + encrypt throughput, Firesafe against the reference pipe, in one run:
#
#   bash bench/pg.sh
#
# Starts a throwaway PostgreSQL cluster (Debian's server binaries, as the postgres user), fills one database with
# ~BENCH_PG_MB MiB of mixed rows (ids, timestamps, hostnames, hex payloads, JSON), then times, cold-ish and as whole
# processes:
#   pipe:     pg_dumpall | zstd -3 -T1 | openssl enc -aes-256-ctr > file
#   firesafe: java -jar quarkus-run.jar backup --postgres postgresql://postgres@127.0.0.1:PORT/  (same dump, its own
#             pipeline: tar entry with SHA-256, zstd, Tink streaming AEAD, local target)
# and prints wall time, MiB/s of dump bytes, peak RSS, output size and the Firesafe/pipe throughput ratio.
# Writes bench/out/pg-results.md.  Environment: BENCH_PG_MB (default 1024), BENCH_REPEAT (default 3, median),
# BENCH_DIR (default bench/work), FIRESAFE_JAR (default target/quarkus-app/quarkus-run.jar).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
MB=${BENCH_PG_MB:-1024}
REPEAT=${BENCH_REPEAT:-3}
WORK=${BENCH_DIR:-$HERE/work}/pg
OUT=${BENCH_OUT:-$HERE/out}
JAR=${FIRESAFE_JAR:-$ROOT/target/quarkus-app/quarkus-run.jar}
die() { echo "pg.sh: $*" >&2; exit 2; }
say() { echo "[bench-pg] $*" >&2; }

BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -n $BIN && -x $BIN/initdb ]] || die "PostgreSQL server binaries missing (apt-get install postgresql)"
for t in zstd openssl python3; do command -v $t >/dev/null || die "$t is required"; done
[[ -f $JAR ]] || { say "building Firesafe"; (cd "$ROOT" && ./mvnw -q -DskipTests package) >&2; }
AS=(); [[ $(id -u) == 0 ]] && AS=(runuser -u postgres --)

rm -rf "$WORK"; mkdir -p "$WORK/sock" "$WORK/data" "$WORK/empty" "$OUT"
[[ $(id -u) == 0 ]] && chown -R postgres:postgres "$WORK/sock" "$WORK/data"
chmod 700 "$WORK/data"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${AS[@]}" "$BIN/initdb" -D "$WORK/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
"${AS[@]}" "$BIN/pg_ctl" -D "$WORK/data" -l "$WORK/sock/server.log" -w start \
    -o "-p $PORT -k $WORK/sock -c listen_addresses=127.0.0.1 -c fsync=off" >/dev/null
trap '"${AS[@]}" "$BIN/pg_ctl" -D "$WORK/data" -m fast stop >/dev/null 2>&1 || true' EXIT
PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -X -q -v ON_ERROR_STOP=1)

ROWS=$((MB * 1024 * 1024 / 212))   # ~212 bytes of dump text per row (measured)
say "filling database 'events' with $ROWS rows (~$MB MiB of dump)"
"${PSQL[@]}" -c "CREATE DATABASE events"
"${PSQL[@]}" -d events -c "CREATE TABLE event (id bigint PRIMARY KEY, at timestamptz, host text, kind text,
    payload text, attrs jsonb)"
"${PSQL[@]}" -d events -c "INSERT INTO event SELECT g, timestamptz '2026-01-01' + g * interval '1 second',
    'host-' || (g % 97), (ARRAY['login','backup','error','metric'])[1 + g % 4],
    md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text) || md5((g * 31)::text),
    jsonb_build_object('n', g, 'ok', g % 3 = 0, 'tag', 't' || (g % 1000))
    FROM generate_series(1, $ROWS) g"
"${PSQL[@]}" -c "CHECKPOINT"
DUMP_BYTES=$("$BIN/pg_dumpall" -h 127.0.0.1 -p "$PORT" -U postgres | wc -c)
say "pg_dumpall output: $DUMP_BYTES bytes"

KEY=$(java -jar "$JAR" keygen 2>/dev/null)
timed() { # name, command...: appends "name seconds rss_kib output_bytes" to results
    local name=$1; shift
    sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >"$WORK/$name.stdout" 2>"$WORK/$name.stderr" \
        || { cat "$WORK/$name.stderr" >&2; die "$name failed"; }
    echo "$name $(cat "$WORK/time")" >>"$WORK/results"
}
: >"$WORK/results"
for i in $(seq 1 "$REPEAT"); do
    say "run $i/$REPEAT: pipe"
    timed pipe bash -c "set -o pipefail; '$BIN/pg_dumpall' -h 127.0.0.1 -p $PORT -U postgres | zstd -3 -T1 -q \
        | openssl enc -aes-256-ctr -pbkdf2 -pass pass:bench > '$WORK/pipe.out'"
    echo "pipe_out $(stat -c %s "$WORK/pipe.out")" >>"$WORK/sizes"
    say "run $i/$REPEAT: firesafe"
    rm -rf "$WORK/fs-target"
    (cd "$WORK/empty" && FIRESAFE_MASTER_KEY="$KEY" HOME="$WORK/empty" timed firesafe \
        env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS java -jar "$JAR" backup --plan pg-bench \
        --postgres "postgresql://postgres@127.0.0.1:$PORT/" --target "$WORK/fs-target" --json)
    echo "firesafe_out $(find "$WORK/fs-target" -name '*.firesafe' -printf '%s\n' | head -1)" >>"$WORK/sizes"
done

python3 - "$WORK/results" "$WORK/sizes" "$DUMP_BYTES" "$OUT/pg-results.md" <<'PY'
import statistics, sys
res, sizes, dump, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
runs = {}
for line in open(res):
    name, secs, rss = line.split()
    runs.setdefault(name, []).append((float(secs), int(rss)))
size = {}
for line in open(sizes):
    name, b = line.split()
    size[name.replace("_out", "")] = int(b)
rows = []
med = {}
for name in ("pipe", "firesafe"):
    secs = statistics.median(s for s, _ in runs[name])
    rss = max(r for _, r in runs[name]) // 1024
    med[name] = secs
    rows.append(f"| {name} | {secs:.2f} | {dump / secs / 2**20:.1f} | {rss} | {size[name] / 2**20:.1f} |")
ratio = med["pipe"] / med["firesafe"]
text = "\n".join([
    f"PostgreSQL dump of {dump / 2**20:.0f} MiB (pg_dumpall text), median of {len(runs['pipe'])} runs, page cache dropped before each",
    "", "| tool | seconds | MiB/s of dump | peak RSS MiB (largest process) | output MiB |", "|---|---:|---:|---:|---:|",
    *rows, "", f"Firesafe / pipe throughput: {ratio:.2f}x"])
open(out, "w").write(text + "\n")
print(text)
PY
