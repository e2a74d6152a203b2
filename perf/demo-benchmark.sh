#!/usr/bin/env bash
# Runs scripts/demo.sh RUNS times (default 3) and reports, per run and as medians: the demo's end-to-end
# seconds, the training's median seconds per epoch and median samples/s (from the job's per-epoch metrics),
# and the final test accuracy. Usage: perf/demo-benchmark.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
out=$(mktemp -d -t mlops-demo-bench-XXXXXX)

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.4f\n", (a[NR/2]+a[NR/2+1])/2}'; }

printf '%-4s %10s %14s %14s %10s\n' run e2e_s s_per_epoch samples_per_s accuracy
for i in $(seq 1 "$runs"); do
  dir="$out/run-$i"
  start=$(date +%s.%N)
  MLOPS_DEMO_DIR="$dir" bash scripts/demo.sh >"$out/run-$i.log" 2>&1
  end=$(date +%s.%N)
  e2e=$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')
  epochs=$(grep -o 'metrics epoch [0-9]*: .*' "$dir/watch.log")
  spe=$(echo "$epochs" | grep -o 'epoch_seconds=[0-9.]*' | cut -d= -f2 | median)
  sps=$(echo "$epochs" | grep -o 'samples_per_second=[0-9.]*' | cut -d= -f2 | median)
  acc=$(grep -o 'test_accuracy: [0-9.]*' "$dir/watch.log" | tail -1 | awk '{print $2}')
  printf '%-4s %10.1f %14.3f %14.0f %10s\n' "$i" "$e2e" "$spe" "$sps" "$acc"
  echo "$e2e $spe $sps" >>"$out/summary"
done
printf '%-4s %10.1f %14.3f %14.0f\n' median \
  "$(cut -d' ' -f1 "$out/summary" | median)" "$(cut -d' ' -f2 "$out/summary" | median)" "$(cut -d' ' -f3 "$out/summary" | median)"
echo "logs: $out"
