#!/usr/bin/env bash
# Turns a results.tsv written by run.sh into a markdown table (stdout).
#   bash bench/crypto/summarize.sh bench/crypto/results/run-*/results.tsv
set -euo pipefail
awk -F'\t' '
  NR == 1 { next }
  {
    k = $1
    if (!(k in seen)) { seen[k] = 1; order[++n] = k; ovh[k] = $13 }
    m = ($2 == "encrypt") ? "e" : "d"
    cnt[k, m]++; sum[k, m] += $9; runs[k, m] = runs[k, m] (cnt[k, m] > 1 ? "/" : "") sprintf("%.0f", $9)
    wsum[k, m] += $11; if ($12 > rss[k, m]) rss[k, m] = $12
    if ($15 != "-" && $15 > 0.2 + 0.1 * $11) noisy[k, m] = "!"
    if ($17 != "") { split($17, t, " "); fcnt[k, m]++; fsum[k, m] += t[1] }
  }
  function cell(k, m) { return cnt[k, m] ? sprintf("%.0f (%s)%s", sum[k, m] / cnt[k, m], runs[k, m], noisy[k, m]) : "-" }
  function first(k, m) { return fcnt[k, m] ? sprintf("%.0f", fsum[k, m] / fcnt[k, m]) : "-" }
  function wall(k, m) { return cnt[k, m] ? sprintf("%.1f", wsum[k, m] / cnt[k, m]) : "-" }
  function mib(k, m) { return cnt[k, m] ? sprintf("%.0f", rss[k, m] / 1024) : "-" }
  END {
    print "| configuration | encrypt MB/s | decrypt MB/s | first 128 MiB MB/s enc / dec | process wall s enc / dec | max RSS MiB enc / dec | ciphertext overhead % |"
    print "|---|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= n; i++) {
      k = order[i]
      printf "| %s | %s | %s | %s / %s | %s / %s | %s / %s | %.4f |\n", k, cell(k, "e"), cell(k, "d"), \
        first(k, "e"), first(k, "d"), wall(k, "e"), wall(k, "d"), mib(k, "e"), mib(k, "d"), ovh[k]
    }
    print ""
    print "MB = 10^6 bytes of plaintext per second of the data phase (mean, individual runs in parentheses);"
    print "first 128 MiB = throughput over the first 128 MiB of the data phase; ! = other processes used CPU during a run despite retries."
  }' "$1"
