#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Longer libFuzzer runs (`make fuzz`):  scripts/fuzz.sh BUILD_DIR SECONDS
#
# BUILD_DIR is a build configured with -DS7P_BUILD_FUZZ=ON (`make build-asan`). Each target
# fuzz_<name> runs for SECONDS on a persistent corpus, BUILD_DIR/fuzz/corpus/persistent/<name>,
# seeded from the corpus generated out of the real captures (ctest fixture `fuzz_corpus`).
# New inputs land in a scratch directory and are merged into the persistent corpus
# (libFuzzer -merge=1 keeps only inputs that add coverage). Targets run in parallel, FUZZ_JOBS
# at a time (default: number of CPUs). Crash inputs: BUILD_DIR/fuzz/artifacts/<name>/, logs:
# BUILD_DIR/fuzz/logs/. Prints a table (target, executions, corpus size, crashes) and exits 1
# if any target crashed.
set -u

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build=$(cd "$1" 2>/dev/null && pwd) || { echo "fuzz.sh: no build directory $1" >&2; exit 2; }
secs=$2
case $secs in ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number" >&2; exit 2 ;; esac
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}

fdir=$build/fuzz
targets=()
for f in "$fdir"/fuzz_*; do
  n=$(basename "$f")
  case $n in *_replay|*.*) continue ;; esac
  [ -f "$f" ] && [ -x "$f" ] && targets+=("$n")
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz.sh: no libFuzzer targets in $fdir (configure with CC=clang -DS7P_BUILD_FUZZ=ON)" >&2
  exit 2
fi

# Seeds from the captures (the same fixture the ctest smoke runs use).
if ! ctest --test-dir "$build" -R '^fuzz_(corpus|legacy_seeds|sim_seeds)$' --output-on-failure >/dev/null; then
  echo "fuzz.sh: generating the seed corpus failed; fuzzing without seeds" >&2
fi

mkdir -p "$fdir/logs"
run_one() {
  local t=$1 name=${1#fuzz_}
  # Targets that share another's seeds are listed in corpus/seeds_of.txt ("alarm object").
  local seeds_of
  seeds_of=$(awk -v t="$name" '$1 == t { print $2 }' "$fdir/corpus/seeds_of.txt" 2>/dev/null)
  local persist=$fdir/corpus/persistent/$name seed=$fdir/corpus/seed/${seeds_of:-$name}
  local scratch=$fdir/corpus/scratch/$name art=$fdir/artifacts/$name log=$fdir/logs/$name.log
  rm -rf "$scratch"
  mkdir -p "$persist" "$seed" "$scratch" "$art"
  local before
  before=$(find "$art" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  "$fdir/$t" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$art/" "$scratch" "$persist" "$seed" >"$log" 2>&1
  local rc=$?
  # Keep what adds coverage: seeds, the old persistent corpus and this run's finds.
  "$fdir/$t" -merge=1 -timeout=5 -rss_limit_mb=2048 "$persist" "$seed" "$scratch" \
    >>"$log" 2>&1 || echo "merge failed" >>"$log"
  rm -rf "$scratch"
  local after execs size crashes
  after=$(find "$art" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  crashes=$((after - before))
  [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | head -n 1)
  size=$(find "$persist" -maxdepth 1 -type f | wc -l)
  echo "$t ${execs:-?} $size $crashes $rc" >"$fdir/logs/$name.result"
}

pids=()
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
  echo "fuzz.sh: $t for ${secs}s" >&2
  run_one "$t" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done

total=0
printf '%-22s %14s %12s %8s\n' target executions corpus crashes
for t in "${targets[@]}"; do
  r=$fdir/logs/${t#fuzz_}.result
  if [ -f "$r" ]; then
    read -r name execs size crashes rc <"$r"
  else
    name=$t execs='?' size='?' crashes=1
  fi
  printf '%-22s %14s %12s %8s\n' "$name" "$execs" "$size" "$crashes"
  total=$((total + crashes))
done
if [ "$total" -ne 0 ]; then
  echo "fuzz.sh: $total target(s) crashed; inputs in $fdir/artifacts/, logs in $fdir/logs/" >&2
  exit 1
fi
exit 0
