#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One libFuzzer smoke run, for ctest (fuzz/CMakeLists.txt):
#   run_smoke.sh FUZZER SECONDS WORK_DIR SEED_DIR ARTIFACT_DIR
# New inputs are written to WORK_DIR, crash inputs to ARTIFACT_DIR. Prints libFuzzer's final
# lines ("#N DONE ... exec/s", stat::number_of_executed_units) so CI logs show the executions;
# on failure prints the end of the log (the crash report and the input).
set -u
if [ $# -ne 5 ]; then
  echo "usage: $0 FUZZER SECONDS WORK_DIR SEED_DIR ARTIFACT_DIR" >&2
  exit 2
fi
fuzzer=$1 secs=$2 work=$3 seed=$4 art=$5
name=$(basename "$fuzzer")
mkdir -p "$work" "$art" || exit 2
log="$art/smoke.log"

"$fuzzer" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$art/" "$work" "$seed" >"$log" 2>&1
rc=$?

grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1
grep -E '^(Done [0-9]+ runs|stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss_mb)' "$log"
echo "$name: corpus $(find "$work" "$seed" -maxdepth 1 -type f | wc -l) files, exit status $rc"
if [ "$rc" -ne 0 ]; then
  echo "$name: FAILED (libFuzzer exit status $rc); end of $log:"
  tail -n 100 "$log"
  echo "artifacts in $art:"
  ls -l "$art"
  exit 1
fi
exit 0
