#!/usr/bin/env bash
# Runs one libFuzzer harness for a while from its seed corpus.
#   run_fuzzer.sh HARNESS SEED_DIR WORK_DIR SECONDS
# The seeds are copied into WORK_DIR/corpus, which the run grows; the seed
# directory in the project is never written. Exits 0 when the run found
# nothing; otherwise libFuzzer's exit code, with the input that failed in
# WORK_DIR (crash-*, leak-*, timeout-*, oom-*) and named on stderr.
set -euo pipefail
harness=$1 seeds=$2 work=$3 seconds=$4

mkdir -p "$work/corpus"
cp -n "$seeds"/* "$work/corpus/" 2>/dev/null || true
rm -f "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*

code=0
"$harness" "$work/corpus" -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
  -artifact_prefix="$work/" 2>"$work/log" || code=$?
if ((code != 0)); then
  tail -n 60 "$work/log" >&2
  echo "fuzz: $(basename "$harness") failed (exit $code);" \
       "the input is in $work" >&2
  exit "$code"
fi
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' \
  "$work/log" || true
