#!/usr/bin/env bash
# Chunker parameters and chunk-index stores for issue #20, measured in one go (see docs/chunking.md).
#
#   bash bench/chunking/run.sh                 # everything: ~2.6 GB tree, scenario (c), restic, index stores
#   PARTS="index" OUT=DIR bash bench/chunking/run.sh   # some parts only, added to DIR: scenario (with the
#        boundary-search speed), throughput (that alone), cold, restic, index, filecache
#
# Knobs: SIZE_MB (gen_tree.py size, default 2048), SEEDS (the changes, each a random draw of what changes;
# default "7 8 9": results are means over them), PARAMS (comma list of MIN/AVG/MAX), ALGORITHMS (gear,aes),
# SAMPLE_MB (in-memory sample for the boundary-search speed, default 512), REPS (default 5),
# INDEX_SIZES (default "1000000 10000000"), FILES (file-cache entries, default 1000000), JAVA, OUT.
# The tree and the two scenario trees go to bench/work/ (git-ignored); srcA/srcB are hard links, so they cost
# only the 500 MB database file and the changed files. Runs one thing at a time: it uses one core, the machine
# has two shared ones; the load average is recorded with every part (measurements on a loaded machine are slower).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SIZE_MB=${SIZE_MB:-2048}
PARAMS=${PARAMS:-64K/256K/1M,128K/512K/2M,256K/512K/2M,256K/1M/4M,512K/1M/8M,512K/2M/8M}
ALGORITHMS=${ALGORITHMS:-gear,aes}
SAMPLE_MB=${SAMPLE_MB:-512}
REPS=${REPS:-5}
INDEX_SIZES=${INDEX_SIZES:-"1000000 10000000"}
FILES=${FILES:-1000000}
PARTS=${PARTS:-"scenario cold restic index filecache"}
SEEDS=${SEEDS:-"7 8 9"}
JAVA=${JAVA:-java}
OUT=${OUT:-$HERE/results/run-$(date +%Y%m%d-%H%M%S)}
WORK=$ROOT/bench/work/chunking
CP="$HERE/target/classes:$HERE/target/lib/*"

has() { [[ " $PARTS " == *" $1 "* ]]; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "building..." >&2
"$ROOT/mvnw" -B -ntp -q -f "$HERE/pom.xml" package

mkdir -p "$OUT"
{
  echo "---"
  echo "date: $(date -Is)"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB"
  "$JAVA" -version 2>&1 | head -1 | sed 's/^/java: /'
  echo "SIZE_MB=$SIZE_MB PARAMS=$PARAMS ALGORITHMS=$ALGORITHMS SAMPLE_MB=$SAMPLE_MB REPS=$REPS"
  echo "load average at start: $(load)"
  echo "PARTS=$PARTS"
} >> "$OUT/env.txt"
cat "$OUT/env.txt" >&2

TREE=$(python3 "$ROOT/bench/gen_tree.py" --size-mb "$SIZE_MB" --seed 42 --dir "$ROOT/bench/work")
BS=""
for seed in $SEEDS; do
  python3 "$HERE/make_change.py" --tree "$TREE" --work "$WORK" --seed "$seed" --name "srcB-s$seed"
  cp "$WORK/srcB-s$seed.json" "$OUT/change-s$seed.json"
  BS="${BS:+$BS,}$WORK/srcB-s$seed"
done
RENAMED=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['renamed_dir'])" "$OUT/change-s${SEEDS%% *}.json")

if has scenario; then
  echo "== scenario (c) and boundary-search speed (load $(load))" | tee -a "$OUT/env.txt" >&2
  "$JAVA" -Xmx3g -cp "$CP" dev.firesafe.bench.chunking.ChunkingBench --a "$WORK/srcA" --b "$BS" \
    --renamed "$RENAMED" --params "$PARAMS" --algorithms "$ALGORITHMS" \
    --sample-mb "$SAMPLE_MB" --reps "$REPS" --zstd-all true --out "$OUT" 2>&1 | tee "$OUT/scenario.log" >&2
  echo "   done (load $(load))" | tee -a "$OUT/env.txt" >&2
fi

if has throughput; then
  echo "== boundary-search speed only (load $(load))" | tee -a "$OUT/env.txt" >&2
  mkdir -p "$OUT/throughput-$(date +%H%M%S)"
  T=$(ls -d "$OUT"/throughput-* | tail -1)
  "$JAVA" -Xmx3g -cp "$CP" dev.firesafe.bench.chunking.ChunkingBench --a "$WORK/srcA" --b "$BS" \
    --renamed "$RENAMED" --params "$PARAMS" --algorithms "$ALGORITHMS" --skip-scenario true \
    --sample-mb "$SAMPLE_MB" --reps "$REPS" --out "$T" 2>&1 | tee "$T/throughput.log" >&2
  echo "   done (load $(load))" | tee -a "$OUT/env.txt" >&2
fi

if has cold; then
  echo "== boundary search in a fresh JVM, first 1 GB of the tree (load $(load))" | tee -a "$OUT/env.txt" >&2
  printf 'params\tfirst_64mb_mb_s\tall_mb_s\tcpu_s\tbytes\tcpu_mb_s_per_64mb\n' > "$OUT/cold.tsv"
  for alg in ${ALGORITHMS//,/ }; do
    id=fastcdc-gear-keyed-v1; [[ $alg == aes ]] && id=fastcdc-toeplitz-aes-v1
    for p in ${COLD_PARAMS:-256K/512K/2M 512K/1M/8M}; do
      "$JAVA" -Xmx2g -cp "$CP" dev.firesafe.bench.chunking.ColdBench --dir "$WORK/srcA" --params "$id:$p" \
        --mb 1024 >> "$OUT/cold.tsv" 2>> "$OUT/cold.log"
      tail -1 "$OUT/cold.log" >&2
    done
  done
fi

if has restic && command -v restic >/dev/null; then
  echo "== restic $(restic version | cut -d' ' -f2) on the same change (load $(load))" | tee -a "$OUT/env.txt" >&2
  export RESTIC_PASSWORD=bench RESTIC_REPOSITORY="$WORK/restic-repo"
  printf 'seed\trepo_bytes_after_backup1\trepo_growth_backup2\tadded_line\n' > "$OUT/restic.tsv"
  for seed in $SEEDS; do
    # a fresh repository and copy each time: the change is applied in place, as restic's parent snapshot needs
    rm -rf "$WORK/restic-repo" "$WORK/restic-src"
    cp -al "$WORK/srcA" "$WORK/restic-src"
    restic init -q
    (cd "$WORK/restic-src" && restic backup . > "$OUT/restic-s$seed-backup1.txt")
    s1=$(du -sb "$WORK/restic-repo" | cut -f1)
    python3 "$HERE/make_change.py" --tree "$TREE" --work "$WORK" --seed "$seed" --apply-to "$WORK/restic-src" 2>/dev/null
    (cd "$WORK/restic-src" && restic backup . > "$OUT/restic-s$seed-backup2.txt")
    s2=$(du -sb "$WORK/restic-repo" | cut -f1)
    printf '%s\t%s\t%s\t%s\n' "$seed" "$s1" "$((s2 - s1))" "$(grep 'Added to the repo' "$OUT/restic-s$seed-backup2.txt")" \
      >> "$OUT/restic.tsv"
    tail -1 "$OUT/restic.tsv" >&2
  done
  rm -rf "$WORK/restic-repo" "$WORK/restic-src" "$WORK/restic-src.json" "$WORK/restic-src.changed.txt"
fi

if has index; then
  echo "== chunk index stores (load $(load))" | tee -a "$OUT/env.txt" >&2
  [[ -f $OUT/index.tsv ]] || printf 'store\tentries\tinsert_per_s\thits_per_s\tmisses_per_s\treopen_s\tdisk_bytes\theap_used\theap_committed\tvmhwm_bytes\tmax_heap\n' > "$OUT/index.tsv"
  for n in $INDEX_SIZES; do
    for s in none memory sorted sqlite mvstore; do
      xmx=128m
      order=random
      lookups=200000
      case $s in
        # one int[] of 65 B an entry; the serial collector's old generation is 2/3 of the heap
        memory) xmx=$(( n * 65 * 3 / 2 / 1048576 + 128 ))m; lookups=1000000 ;;
        none) lookups=1000000 ;;
      esac
      "$JAVA" -Xmx$xmx -XX:+UseSerialGC -cp "$CP" dev.firesafe.bench.chunking.IndexBench --store $s \
        --entries "$n" --lookups $lookups --order $order --dir "$WORK/index-$s" >> "$OUT/index.tsv" \
        2>> "$OUT/index.log" || echo "$s $n failed (see index.log)" >> "$OUT/index.log"
      tail -1 "$OUT/index.log" >&2
      if [[ $s == sqlite || $s == mvstore ]]; then
        "$JAVA" -Xmx$xmx -XX:+UseSerialGC -cp "$CP" dev.firesafe.bench.chunking.IndexBench --store $s \
          --entries "$n" --lookups $lookups --order batch-sorted --dir "$WORK/index-$s" >> "$OUT/index.tsv" \
          2>> "$OUT/index.log" || echo "$s $n batch-sorted failed (see index.log)" >> "$OUT/index.log"
        tail -1 "$OUT/index.log" >&2
      fi
    done
  done
  echo "   done (load $(load))" | tee -a "$OUT/env.txt" >&2
fi

if has filecache; then
  echo "== file cache stores, $FILES files (load $(load))" | tee -a "$OUT/env.txt" >&2
  [[ -f $OUT/filecache.tsv ]] || printf 'store\tfiles\tbuild_per_s\twalk_per_s\tdisk_bytes\theap_used\tvmhwm_bytes\tmax_heap\n' > "$OUT/filecache.tsv"
  for s in sorted sqlite mvstore; do
    "$JAVA" -Xmx128m -XX:+UseSerialGC -cp "$CP" dev.firesafe.bench.chunking.FileCacheBench --store $s \
      --files "$FILES" --dir "$WORK/filecache-$s" >> "$OUT/filecache.tsv" 2>> "$OUT/filecache.log" \
      || echo "$s failed (see filecache.log)" >> "$OUT/filecache.log"
    tail -1 "$OUT/filecache.log" >&2
  done
  echo "   done (load $(load))" | tee -a "$OUT/env.txt" >&2
fi

python3 "$HERE/report.py" "$OUT" | tee "$OUT/results.md"
echo "results: $OUT" >&2
