#!/usr/bin/env bash
# Smoke test of a Firesafe build, for the first native executable you build (native-build/README.md):
# keygen, backup, list, verify and restore of a small tree in both key modes (master key; write-only with a recovery
# key), then the restored tree is compared with the original (diff -r, plus file types, modes and link targets).
#
#   native-build/smoke.sh                                   # the newest target/*-runner
#   native-build/smoke.sh target/firesafe-0.1.0-SNAPSHOT-runner
#   native-build/smoke.sh "java -jar target/quarkus-app/quarkus-run.jar"   # the same steps on the JVM
#
# The argument is split into words (no quoting inside it). Everything happens in a fresh temporary folder, run as
# the working directory, with FIRESAFE_* variables of your shell removed and the cache, content key and default key
# file placed in it, so neither your keys, your cache nor your config are read or written; the keys made here are
# never printed. Exit 0 when every step passed; otherwise the failing step's output.
set -uo pipefail
umask 077 # the keys made below are files only this user can read

if [ $# -gt 0 ]; then
  read -r -a exe <<<"$1"
else
  runner=$(ls -t target/*-runner 2>/dev/null | head -1)
  [ -n "$runner" ] || { echo "smoke: no target/*-runner; give the executable (or a command) as the argument" >&2; exit 2; }
  exe=("$runner")
fi
# Relative paths in the command (the executable, a jar) stay valid after the cd below.
for i in "${!exe[@]}"; do
  w=${exe[$i]}
  if [ "${w#/}" = "$w" ] && [ "${w#-}" = "$w" ] && [ -e "$w" ]; then exe[$i]="$PWD/$w"; fi
done

for v in $(compgen -e | grep '^FIRESAFE_'); do unset "$v"; done
work=$(mktemp -d "${TMPDIR:-/tmp}/firesafe-smoke.XXXXXX") || exit 2
chmod 700 "$work"
trap 'rm -rf "$work"' EXIT
# Firesafe's per-user files live under the account's home (Java's user.home, whatever HOME says): the local cache,
# a write-only host's content key (made by the first write-only backup) and the key file read last. Here they are
# in the temporary folder too, so the smoke test neither reads yours nor leaves its own behind.
export FIRESAFE_CACHE_DIR=$work/cache FIRESAFE_CONTENT_KEY_FILE=$work/content.key \
  FIRESAFE_DEFAULT_KEY_FILE=$work/no-default.key
cd "$work" || exit 2

# step NAME OUTFILE COMMAND...: runs one step, keeps its stdout in OUTFILE, prints its time; on failure, its
# output, and the smoke test stops there.
step() {
  local name=$1 out=$2; shift 2
  local t0 t1 rc
  t0=$(date +%s%N)
  "$@" >"$out" 2>"$work/err"; rc=$?
  t1=$(date +%s%N)
  if [ $rc -ne 0 ]; then
    echo "smoke: FAIL $name (exit $rc)"; sed 's/^/  | /' "$work/err" | head -30
    echo "smoke: FAIL (${exe[*]})"; exit 1
  fi
  printf 'smoke: ok   %-34s %6d ms\n' "$name" $(( (t1 - t0) / 1000000 ))
}

# The tree: text and random bytes (more than one zstd worker job and one encryption segment), an empty file and
# folder, nested folders, a name with spaces, an executable, a private file, a symbolic link.
src=$work/data
mkdir -p "$src/etc/app" "$src/var/lib/db" "$src/empty dir"
for i in $(seq 1 2000); do echo "line $i: the same words again and again, as in a log file"; done >"$src/var/log.txt"
head -c 3000000 /dev/urandom >"$src/var/lib/db/blob.bin"
: >"$src/etc/empty"
printf 'key = value\n' >"$src/etc/app/app conf.ini"
printf '#!/bin/sh\necho hi\n' >"$src/etc/app/run.sh"; chmod 755 "$src/etc/app/run.sh"
printf 'secret\n' >"$src/etc/app/private"; chmod 600 "$src/etc/app/private"
ln -s ../var/log.txt "$src/etc/log-link"

# compare RESTORED MODE: the restored tree has the original's names, contents, types, modes and link targets.
compare() {
  if diff -r --no-dereference "$src" "$1" >"$work/diff" 2>&1 \
     && diff <(cd "$src" && find . -printf '%p %y %m %l\n' | sort) \
             <(cd "$1" && find . -printf '%p %y %m %l\n' | sort) >>"$work/diff" 2>&1; then
    echo "smoke: ok   restored tree = original ($2)"
  else
    echo "smoke: FAIL restored tree differs from the original ($2):"; head -30 "$work/diff"
    echo "smoke: FAIL (${exe[*]})"; exit 1
  fi
}

# 1. Master key mode.
step "keygen" "$work/master.key" "${exe[@]}" keygen
chmod 600 "$work/master.key"
export FIRESAFE_MASTER_KEY_FILE=$work/master.key
step "backup (master key)" "$work/backup1.out" "${exe[@]}" backup --source "$src" --target "$work/backups"
step "list" "$work/list1.out" "${exe[@]}" list --target "$work/backups"
step "verify latest" "$work/verify1.out" "${exe[@]}" verify latest --target "$work/backups"
step "restore latest" "$work/restore1.out" "${exe[@]}" restore latest --to "$work/restored" --target "$work/backups"
compare "$work/restored/data" "master key"
unset FIRESAFE_MASTER_KEY_FILE

# 2. Write-only mode: the host holds only the public key; verify and restore need the recovery key.
step "keygen --write-only" "$work/public.key" "${exe[@]}" keygen --write-only --out "$work/recovery.key"
export FIRESAFE_PUBLIC_KEY_FILE=$work/public.key
step "backup (write-only)" "$work/backup2.out" "${exe[@]}" backup --source "$src" --target "$work/backups-wo"
unset FIRESAFE_PUBLIC_KEY_FILE
export FIRESAFE_MASTER_KEY_FILE=$work/recovery.key
step "verify latest (recovery key)" "$work/verify2.out" "${exe[@]}" verify latest --target "$work/backups-wo"
step "restore latest (recovery key)" "$work/restore2.out" "${exe[@]}" restore latest --to "$work/restored-wo" \
  --target "$work/backups-wo"
compare "$work/restored-wo/data" "write-only"

echo "smoke: PASS (${exe[*]})"
