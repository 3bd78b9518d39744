#!/usr/bin/env bash
# PostgreSQL point-in-time recovery (issue #21): RPO, shipping throughput and RTO, Firesafe next to the pipe
# `pg_receivewal -> zstd -3 -> openssl enc`, on throwaway PostgreSQL clusters, in one command:
#
#   bash bench/pitr.sh
#   BENCH_PITR_SCALE=20 BENCH_PITR_LOAD_S=20 bash bench/pitr.sh      # quicker
#   BENCH_PITR_SCALE=70 BENCH_PITR_RTO_WAL_MB=1024 bash bench/pitr.sh  # the issue's RTO: 1 GB cluster + 1 GB of WAL
#
# 1. Shipping: pgbench -i -s SCALE writes WAL while two reserved replication slots hold it; then, one after the
#    other, each side catches up from its slot and is timed until every completed segment is stored:
#      firesafe: serve, a function with a wal: stream section (pg_receivewal child, encrypted archive, local target)
#      pipe:     pg_receivewal --endpos, each completed segment zstd -3 -T1 | openssl enc -aes-256-ctr into a folder
#    MB/s = WAL bytes / seconds.
# 2. RPO, streaming: base backups (firesafe backup with a postgres-base: source; the pipe: pg_basebackup -Ft |
#    zstd | openssl), then pgbench load plus one row a second (clock_timestamp()) for LOAD_S seconds, both sides
#    streaming; then the fire: the server is stopped with -m immediate, serve and the receivers are killed -9, the
#    data directory is deleted. Each side restores (firesafe: restore --postgres-pitr --start-port; the pipe:
#    untar, restore_command decrypting its segments) and the newest row found gives the seconds lost.
# 3. RPO, archive_command: a cluster with archive_command = 'firesafe wal-push %p' and archive_timeout = 60 s,
#    the same row a second for ARCHIVE_S seconds, the same fire and restore.
# 4. RTO: the restores of 2 are timed (restore until the server accepts writes); the cluster size and the WAL
#    replayed are printed with them. With BENCH_PITR_RTO_WAL_MB the load of 2 runs (at least LOAD_S seconds)
#    until that many MiB of WAL were written after the base backups, then the WAL is switched and the fire waits
#    until both sides have stored the last completed segment: both restores replay the same ~RTO_WAL_MB of WAL
#    from the archive (the RPO of that run is then measured after the catch-up, not under load).
#
# Writes bench/out/pitr-results.md. Environment: BENCH_PITR_SCALE (60, ~1 GB of WAL at initialisation and a
# ~0.9 GB cluster), BENCH_PITR_LOAD_S (30), BENCH_PITR_RTO_WAL_MB (0: load for LOAD_S only), BENCH_PITR_ARCHIVE_S
# (90), BENCH_DIR (bench/work), FIRESAFE_JAR.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SCALE=${BENCH_PITR_SCALE:-60}
LOAD_S=${BENCH_PITR_LOAD_S:-30}
ARCHIVE_S=${BENCH_PITR_ARCHIVE_S:-90}
RTO_WAL_MB=${BENCH_PITR_RTO_WAL_MB:-0}
WORK=${BENCH_DIR:-$HERE/work}/pitr
OUT=${BENCH_OUT:-$HERE/out}
JAR=${FIRESAFE_JAR:-$ROOT/target/quarkus-app/quarkus-run.jar}
die() { echo "pitr.sh: $*" >&2; exit 2; }
say() { echo "[bench-pitr] $(date +%T) $*" >&2; }

BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -n $BIN && -x $BIN/initdb && -x $BIN/pg_receivewal ]] || die "PostgreSQL server binaries missing (apt-get install postgresql)"
for t in zstd openssl python3 pgbench; do command -v $t >/dev/null || die "$t is required"; done
[[ -f $JAR ]] || { say "building Firesafe"; (cd "$ROOT" && ./mvnw -q -DskipTests package) >&2; }
AS=(); [[ $(id -u) == 0 ]] && AS=(runuser -u postgres --)
JAVA=(env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS java)

rm -rf "$WORK"; mkdir -p "$WORK" "$OUT"
chmod 755 "$WORK"
export HOME=$WORK/home
mkdir -p "$HOME"
KEY=$("${JAVA[@]}" -jar "$JAR" keygen 2>/dev/null | tail -1)
export FIRESAFE_MASTER_KEY=$KEY
PASS=bench-pitr
now() { date +%s.%N; }
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    for d in "$WORK"/*/data; do [[ -f $d/postmaster.pid ]] && "${AS[@]}" "$BIN/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1; done
    true
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# start_cluster NAME PORT [-c setting ...]: initdb + start
start_cluster() {
    local name=$1 port=$2; shift 2
    mkdir -p "$WORK/$name/data"
    [[ $(id -u) == 0 ]] && chown -R postgres:postgres "$WORK/$name"
    chmod 700 "$WORK/$name/data"
    "${AS[@]}" "$BIN/initdb" -D "$WORK/$name/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
    "${AS[@]}" "$BIN/pg_ctl" -D "$WORK/$name/data" -l "$WORK/$name/server.log" -w start \
        -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_wal_size=4GB $*" >/dev/null
}
sql() { "$BIN/psql" -h 127.0.0.1 -p "$1" -U postgres -X -A -t -q -v ON_ERROR_STOP=1 -d postgres -c "$2"; }
lsn_bytes() { sql "$1" "SELECT pg_wal_lsn_diff('$3', '$2')::bigint"; }
segment_of() { sql "$1" "SELECT pg_walfile_name('$2')"; }

# ticker PORT FILE SECONDS: one row a second, printing the commit time of each row it committed
ticker() {
    local port=$1 file=$2 secs=$3
    for _ in $(seq 1 "$secs"); do
        sql "$port" "INSERT INTO ticks VALUES (clock_timestamp()) RETURNING extract(epoch FROM t)" >>"$file" \
            2>/dev/null || break
        sleep 1
    done
}

# firesafe_serve DIR: starts serve on the functions in DIR/fns, log in DIR/serve.log; sets SERVE_PID
firesafe_serve() {
    (cd "$1" && exec "${JAVA[@]}" -Dquarkus.http.port=0 -jar "$JAR" serve --functions "$1/fns" >"$1/serve.log" 2>&1) &
    SERVE_PID=$!
    PIDS+=("$SERVE_PID")
    for _ in $(seq 1 600); do grep -q "function host ready" "$1/serve.log" && return; sleep 0.1; done
    cat "$1/serve.log" >&2; die "serve did not start"
}

# ---- 1. shipping throughput ------------------------------------------------------------------------------------
P1=$(free_port)
say "cluster 1 on port $P1, pgbench -i -s $SCALE while two slots hold the WAL"
start_cluster c1 "$P1" -c fsync=off
sql "$P1" "SELECT pg_create_physical_replication_slot('firesafe_ship', true), pg_create_physical_replication_slot('pipe_ship', true)" >/dev/null
L0=$(sql "$P1" "SELECT pg_current_wal_lsn()")
pgbench -h 127.0.0.1 -p "$P1" -U postgres -i -s "$SCALE" -q postgres >/dev/null 2>&1
L1=$(sql "$P1" "SELECT pg_current_wal_lsn()")
sql "$P1" "SELECT pg_switch_wal()" >/dev/null
L2=$(sql "$P1" "SELECT pg_current_wal_lsn()")   # the start of the next segment: the pipe's --endpos
LAST=$(segment_of "$P1" "$L1")
WAL_BYTES=$(lsn_bytes "$P1" "$L0" "$L1")
say "WAL written: $((WAL_BYTES / 1048576)) MiB, last segment $LAST"

S=$WORK/ship-fs; mkdir -p "$S/fns"
cat >"$S/fns/ship.yaml" <<EOF
plan:
  targets: [$S/target]
wal:
  host: 127.0.0.1
  port: $P1
  user: postgres
  slot: firesafe_ship
  spool: $S/spool
  spool-limit: 64GB
  partial-every: 1s
EOF
t0=$(now)
firesafe_serve "$S"
until [[ -f $S/target/ship/wal/00000001/$LAST ]]; do sleep 0.2; done
t1=$(now)
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
FS_SHIP=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
FS_TARGET=$(du -sb "$S/target" | cut -f1)
# steady state: from the first completed segment stored to the last (start-up of the JVM and receiver left out)
FS_STEADY=$(python3 - "$S/target/ship/wal/00000001" <<'PY'
import os, re, sys
d = sys.argv[1]
segs = sorted(f for f in os.listdir(d) if re.fullmatch(r"[0-9A-F]{24}", f))
t = [os.stat(os.path.join(d, f)).st_mtime for f in segs]
print(f"{(len(segs) - 1) * 16 * 1048576 / 1e6 / max(t[-1] - t[0], 1e-3):.0f}" if len(segs) > 1 else "-")
PY
)
say "firesafe shipped in $FS_SHIP s (JVM start included)"

Pp=$WORK/ship-pipe; mkdir -p "$Pp/spool" "$Pp/out"
pipe_ship() {   # pipe_ship SPOOL OUT: encrypts completed segments until the receiver is gone and none is left
    local spool=$1 out=$2 recv=$3
    while :; do
        local any=0
        for f in "$spool"/????????????????????????; do
            [[ -f $f ]] || continue
            any=1
            zstd -3 -T1 -q -c "$f" | openssl enc -aes-256-ctr -pbkdf2 -pass pass:$PASS -out "$out/$(basename "$f").zst.enc"
            rm -f "$f"
        done
        if ((any == 0)); then kill -0 "$recv" 2>/dev/null || break; sleep 0.2; fi
    done
}
t0=$(now)
PGHOST=127.0.0.1 PGPORT=$P1 PGUSER=postgres "$BIN/pg_receivewal" -D "$Pp/spool" --slot pipe_ship -n --endpos="$L2" &
RECV=$!
pipe_ship "$Pp/spool" "$Pp/out" "$RECV"
t1=$(now)
PIPE_SHIP=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
PIPE_TARGET=$(du -sb "$Pp/out" | cut -f1)
say "pipe shipped in $PIPE_SHIP s"
"${AS[@]}" "$BIN/pg_ctl" -D "$WORK/c1/data" -m fast stop >/dev/null

# ---- 2. RPO and RTO, streaming -------------------------------------------------------------------------------
P2=$(free_port)
say "cluster 2 on port $P2: pgbench -i -s $SCALE, base backups, $LOAD_S s of load with a row a second"
start_cluster c2 "$P2"
pgbench -h 127.0.0.1 -p "$P2" -U postgres -i -s "$SCALE" -q postgres >/dev/null 2>&1
sql "$P2" "CREATE TABLE ticks (t timestamptz)" >/dev/null
sql "$P2" "SELECT pg_create_physical_replication_slot('pipe_rpo', true)" >/dev/null
CLUSTER_BYTES=$(sql "$P2" "SELECT sum(pg_database_size(oid)) FROM pg_database")
R=$WORK/rpo-fs; mkdir -p "$R/fns"
cat >"$R/fns/db.yaml" <<EOF
plan:
  sources:
    - postgres-base: {host: 127.0.0.1, port: $P2, user: postgres}
  targets: [$R/target]
wal:
  host: 127.0.0.1
  port: $P2
  user: postgres
  spool: $R/spool
  partial-every: 1s
  rpo: 1m
EOF
firesafe_serve "$R"
(cd "$R" && "${JAVA[@]}" -Dfiresafe.functions-dir="$R/fns" -jar "$JAR" backup --plan db >"$R/backup.log" 2>&1) \
    || { cat "$R/backup.log" >&2; die "firesafe base backup failed"; }
RP=$WORK/rpo-pipe; mkdir -p "$RP/spool" "$RP/out"
PGHOST=127.0.0.1 PGPORT=$P2 PGUSER=postgres "$BIN/pg_receivewal" -D "$RP/spool" --slot pipe_rpo -n &
RECV2=$!; PIDS+=("$RECV2")
pipe_ship "$RP/spool" "$RP/out" "$RECV2" &
SHIP2=$!; PIDS+=("$SHIP2")
"$BIN/pg_basebackup" -h 127.0.0.1 -p "$P2" -U postgres -Ft -X none -D - 2>/dev/null | zstd -3 -T1 -q \
    | openssl enc -aes-256-ctr -pbkdf2 -pass pass:$PASS -out "$RP/base.tar.zst.enc"
LS0=$(sql "$P2" "SELECT pg_current_wal_lsn()")
if ((RTO_WAL_MB > 0)); then
    say "load until $RTO_WAL_MB MiB of WAL are written (at least $LOAD_S s)"
    tl0=$(now)
    pgbench -h 127.0.0.1 -p "$P2" -U postgres -c 2 -T 86400 postgres >"$WORK/pgbench-load.log" 2>&1 &
    LOAD=$!; PIDS+=("$LOAD")
    ticker "$P2" "$WORK/ticks-stream" 86400 &
    TICK=$!; PIDS+=("$TICK")
    sleep "$LOAD_S"
    until (( $(lsn_bytes "$P2" "$LS0" "$(sql "$P2" "SELECT pg_current_wal_lsn()")") >= RTO_WAL_MB * 1048576 )); do
        sleep 1
    done
    kill "$LOAD" "$TICK" 2>/dev/null || true
    wait "$LOAD" "$TICK" 2>/dev/null || true
    LOAD_SECONDS=$(python3 -c "print(f'{$(now) - $tl0:.0f}')")
    LS1=$(sql "$P2" "SELECT pg_current_wal_lsn()")
    sql "$P2" "SELECT pg_switch_wal()" >/dev/null
    DONE_SEG=$(segment_of "$P2" "$LS1")
    say "load ended after $LOAD_SECONDS s; waiting until both sides stored $DONE_SEG"
    tw0=$(now)
    until [[ -f $R/target/db/wal/00000001/$DONE_SEG && -f $RP/out/$DONE_SEG.zst.enc ]]; do sleep 0.5; done
    CATCHUP_S=$(python3 -c "print(f'{$(now) - $tw0:.1f}')")
    LOAD_NOTE="load ran $LOAD_SECONDS s; the fire came $CATCHUP_S s after it, once both sides had stored the last completed segment"
else
    pgbench -h 127.0.0.1 -p "$P2" -U postgres -c 2 -T "$LOAD_S" postgres >"$WORK/pgbench-load.log" 2>&1 &
    LOAD=$!
    ticker "$P2" "$WORK/ticks-stream" "$LOAD_S"
    wait "$LOAD" || true
    LS1=$(sql "$P2" "SELECT pg_current_wal_lsn()")
    LOAD_NOTE="under load"
fi
LOAD_WAL=$(lsn_bytes "$P2" "$LS0" "$LS1")
LAST_TICK=$(tail -1 "$WORK/ticks-stream")
say "the fire: last row committed at $LAST_TICK; $((LOAD_WAL / 1048576)) MiB of WAL since the base backups"
"${AS[@]}" "$BIN/pg_ctl" -D "$WORK/c2/data" -m immediate stop >/dev/null
kill -9 "$SERVE_PID" "$RECV2" "$SHIP2" 2>/dev/null || true
[[ -f $R/spool/receiver.pid ]] && kill -9 "$(cat "$R/spool/receiver.pid")" 2>/dev/null || true
rm -rf "$WORK/c2/data" "$R/spool" "$RP/spool"

P3=$(free_port)
say "firesafe: restore --postgres-pitr (latest) and start"
mkdir -p "$WORK/r-fs"; chmod 755 "$WORK/r-fs"
t0=$(now)
(cd "$R" && "${JAVA[@]}" -Dfiresafe.functions-dir="$R/fns" -jar "$JAR" restore --postgres-pitr --plan db --to "$WORK/r-fs/data" \
    --start-port "$P3" >"$WORK/r-fs/restore.log" 2>&1) || { cat "$WORK/r-fs/restore.log" >&2; die "firesafe restore failed"; }
t1=$(now)
FS_RTO=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
FS_NEWEST=$(sql "$P3" "SELECT extract(epoch FROM max(t)) FROM ticks")
FS_RPO=$(python3 -c "print(f'{$LAST_TICK - $FS_NEWEST:.1f}')")
"${AS[@]}" "$BIN/pg_ctl" -D "$WORK/r-fs/data" -m immediate stop >/dev/null

P4=$(free_port)
say "pipe: decrypt and untar the base backup, recover with a decrypting restore_command, start"
mkdir -p "$WORK/r-pipe/data"; chmod 755 "$WORK/r-pipe"
t0=$(now)
openssl enc -d -aes-256-ctr -pbkdf2 -pass pass:$PASS -in "$RP/base.tar.zst.enc" | zstd -d -q | tar -xf - -C "$WORK/r-pipe/data"
touch "$WORK/r-pipe/data/recovery.signal"
cat >>"$WORK/r-pipe/data/postgresql.auto.conf" <<EOF
restore_command = 'f=$RP/out/%f.zst.enc; test -f \$f && openssl enc -d -aes-256-ctr -pbkdf2 -pass pass:$PASS -in \$f | zstd -d -q > %p'
recovery_target_action = 'promote'
EOF
[[ $(id -u) == 0 ]] && chown -R postgres:postgres "$WORK/r-pipe"
chmod 700 "$WORK/r-pipe/data"
"${AS[@]}" "$BIN/pg_ctl" -D "$WORK/r-pipe/data" -l "$WORK/r-pipe/server.log" -w -t 3600 start \
    -o "-p $P4 -k /tmp -c listen_addresses=127.0.0.1" >/dev/null
until [[ $(sql "$P4" "SELECT pg_is_in_recovery()" 2>/dev/null) == f ]]; do sleep 0.2; done
t1=$(now)
PIPE_RTO=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
PIPE_NEWEST=$(sql "$P4" "SELECT extract(epoch FROM max(t)) FROM ticks")
PIPE_RPO=$(python3 -c "print(f'{$LAST_TICK - $PIPE_NEWEST:.1f}')")
"${AS[@]}" "$BIN/pg_ctl" -D "$WORK/r-pipe/data" -m immediate stop >/dev/null

# ---- 3. RPO, archive_command ---------------------------------------------------------------------------------
P5=$(free_port)
A=$WORK/rpo-ac; mkdir -p "$A/home"; chmod -R 755 "$A"
printf '%s\n' "$KEY" >"$A/master.key"; chmod 644 "$A/master.key"   # the server's user must read it (a bench)
mkdir -p "$A/target/ac"; [[ $(id -u) == 0 ]] && chown -R postgres:postgres "$A/target" "$A/home"   # archive_command writes there
say "cluster 3 on port $P5: archive_command = firesafe wal-push, archive_timeout = 60 s, $ARCHIVE_S s of rows"
start_cluster c3 "$P5" -c archive_mode=on -c archive_timeout=60 \
    "-c archive_command='HOME=$A/home FIRESAFE_MASTER_KEY_FILE=$A/master.key java -XX:TieredStopAtLevel=1 -jar $JAR wal-push %p --plan ac --target $A/target'"
sql "$P5" "CREATE TABLE ticks (t timestamptz)" >/dev/null
(cd "$A" && "${JAVA[@]}" -jar "$JAR" backup --plan ac --postgres-base "postgresql://postgres@127.0.0.1:$P5/" \
    --target "$A/target" >"$A/backup.log" 2>&1) || { cat "$A/backup.log" >&2; die "base backup failed"; }
ticker "$P5" "$WORK/ticks-ac" "$ARCHIVE_S"
AC_LAST=$(tail -1 "$WORK/ticks-ac")
AC_ARCHIVED=$(sql "$P5" "SELECT archived_count || ' archived, ' || failed_count || ' failed' FROM pg_stat_archiver")
"${AS[@]}" "$BIN/pg_ctl" -D "$WORK/c3/data" -m immediate stop >/dev/null
rm -rf "$WORK/c3/data"
P6=$(free_port)
mkdir -p "$WORK/r-ac"; chmod 755 "$WORK/r-ac"
(cd "$A" && "${JAVA[@]}" -jar "$JAR" restore --postgres-pitr --plan ac --target "$A/target" --to "$WORK/r-ac/data" \
    --start-port "$P6" >"$WORK/r-ac/restore.log" 2>&1) || { cat "$WORK/r-ac/restore.log" >&2; die "restore failed"; }
AC_NEWEST=$(sql "$P6" "SELECT COALESCE(extract(epoch FROM max(t)), 0) FROM ticks")
AC_RPO=$(python3 -c "print(f'{$AC_LAST - $AC_NEWEST:.1f}' if $AC_NEWEST > 0 else 'all rows lost')")
"${AS[@]}" "$BIN/pg_ctl" -D "$WORK/r-ac/data" -m immediate stop >/dev/null

# ---- report -------------------------------------------------------------------------------------------------
python3 - "$OUT/pitr-results.md" <<PY
import sys
mib = 1048576
wal, fs_s, pipe_s = $WAL_BYTES, $FS_SHIP, $PIPE_SHIP
lines = [
  f"PITR benchmark (bench/pitr.sh): PostgreSQL 15, pgbench scale $SCALE, 2 cores",
  "",
  f"Shipping {wal / mib:.0f} MiB of WAL held by a slot (catch-up, one side at a time):",
  "",
  "| side | seconds | MB/s of WAL | stored MiB |", "|---|---:|---:|---:|",
  f"| firesafe serve (pg_receivewal child, zstd, AEAD, local target; JVM and serve start included) | {fs_s} | {wal / 1e6 / fs_s:.0f} (steady state, first to last segment stored: $FS_STEADY) | {$FS_TARGET / mib:.0f} |",
  f"| pipe: pg_receivewal, zstd -3 -T1, openssl enc per segment | {pipe_s} | {wal / 1e6 / pipe_s:.0f} | {$PIPE_TARGET / mib:.0f} |",
  "",
  f"RPO and RTO after a fire, pgbench -c 2 load ({$LOAD_WAL / mib:.0f} MiB of WAL after the base backups, replayed by each restore; cluster {$CLUSTER_BYTES / mib:.0f} MiB; $LOAD_NOTE):",
  "",
  "| side | seconds of rows lost (RPO) | restore until it accepts writes (RTO) |", "|---|---:|---:|",
  f"| firesafe streaming (partial-every 1s) | $FS_RPO | $FS_RTO s |",
  f"| pipe (completed segments only) | $PIPE_RPO | $PIPE_RTO s |",
  f"| firesafe archive_command (wal-push, archive_timeout 60 s; $ARCHIVE_S s of rows, $AC_ARCHIVED) | $AC_RPO | - |",
]
text = "\n".join(lines)
open(sys.argv[1], "w").write(text + "\n")
print(text)
PY
