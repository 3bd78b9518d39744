#!/usr/bin/env bash
# Start-up of the packaged CLI (issue #7): medians of N cold-JVM runs of
#   --help                       picocli only
#   list on an empty target      config, CDI, target listing
#   backup, to first byte read   from launching `java` until the first source byte is read
#   serve                        from launching `java serve` until /q/health/live answers
# The first byte read is taken from a command source that writes a timestamp when it starts. The commands run in
# an empty scratch folder, so the default plan has no folder sources (from the repository's root it would walk the
# repository first) and the probe is the first thing the backup reads. Wall time needs a quiet machine; CPU time (user+sys of the
# process) is printed too, because it barely moves when other jobs share the cores.
# Usage: bash bench/startup.sh [RUNS] [extra java options...]   (default 7 runs; ./mvnw package first)
# AppCDS, from the repository's root, with absolute paths (the runs happen in a scratch folder, where a relative
# archive is not found, and the archive records the jar's path; either way the JVM silently starts without it):
#   java -XX:ArchiveClassesAtExit=$PWD/firesafe.jsa -jar $PWD/target/quarkus-app/quarkus-run.jar list --target /tmp/x
#   bash bench/startup.sh 7 -XX:SharedArchiveFile=$PWD/firesafe.jsa
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
shift || true
jar="$PWD/target/quarkus-app/quarkus-run.jar"
[ -f "$jar" ] || { echo "no $jar: run ./mvnw package -DskipTests first" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
jvm=(java "-Duser.home=$work/home" "-Djava.io.tmpdir=$work" "$@")
java=("${jvm[@]}" -jar "$jar")
export FIRESAFE_MASTER_KEY
FIRESAFE_MASTER_KEY="$("${java[@]}" keygen 2>/dev/null | tail -1)"

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%d", m}'; }

declare -A wall cpu
run() { # run LABEL ARGS...: one timed run; appends wall and CPU ms under LABEL
  local label="$1"; shift
  local t0; t0=$(now_ms)
  /usr/bin/time -f "%U %S" -o "$work/cpu" "${java[@]}" "$@" >/dev/null 2>&1
  wall[$label]+="$(( $(now_ms) - t0 )) "
  cpu[$label]+="$(awk '{printf "%d", ($1 + $2) * 1000}' "$work/cpu") "
  last_t0=$t0
}

# serve: from launching `java` until /q/health/live answers (the host is up: HTTP, triggers, messaging wired).
mkdir -p "$work/serve/functions"  # not in the working folder: one-shot commands there would load it
printf 'plan:\n  sources:\n    - path: %s\n  targets:\n    - %s\ntriggers:\n  - type: http\n' \
  "$work/serve" "$work/serve-target" > "$work/serve/functions/probe.yaml"
serve_once() {
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local t0; t0=$(now_ms)
  "${jvm[@]}" "-Dquarkus.http.port=$port" -jar "$jar" serve --functions "$work/serve/functions" >"$work/serve.log" 2>&1 &
  local pid=$!
  until curl -sf "http://127.0.0.1:$port/q/health/live" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "serve exited early:" >&2; cat "$work/serve.log" >&2; return 1; }
    sleep 0.02
  done
  wall[serve]+="$(( $(now_ms) - t0 )) "
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

for i in $(seq "$runs"); do
  serve_once
  run help --help
  run list list --target "$work/empty-target"
  rm -f "$work/first-read"
  run backup backup --command "probe.txt=date +%s%3N > $work/first-read; echo probe" --target "$work/target-$i"
  wall[first]+="$(( $(cat "$work/first-read") - last_t0 )) "
done
report() {
  printf '%-30s wall %6s ms  cpu %6s ms   (wall runs: %s)\n' "$1" "$(tr ' ' '\n' <<<"${wall[$2]}" | grep . | median)" \
    "$( [ -n "${cpu[$2]:-}" ] && tr ' ' '\n' <<<"${cpu[$2]}" | grep . | median || echo -)" "${wall[$2]}"
}
report "--help" help
report "list (empty target)" list
report "backup: to first byte read" first
report "backup: whole (tiny source)" backup
report "serve: until /q/health/live" serve
