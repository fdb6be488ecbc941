#!/bin/sh
# `make fuzz`: runs each libFuzzer target in BUILD/fuzz/ for FUZZ_TIME
# seconds (default 60) on a working copy of its corpus, and prints one line
# per target with libFuzzer's final figures:
#   fuzz NAME: ok, N runs in S s (R exec/s), cov C ft F, corpus K
# New inputs go to BUILD/fuzz/corpus/NAME (tests/fuzz/README.md says how to
# merge them into tests/fuzz/corpus/NAME); a crash, leak, sanitizer report
# or timeout (30 s) leaves its input in BUILD/fuzz/artifacts/ and fails the run.
#   sh scripts/fuzz.sh BUILD NAME...
set -u
BUILD=${1:?usage: sh scripts/fuzz.sh BUILD NAME...}
shift
FUZZ_TIME=${FUZZ_TIME:-60}
failed=0
mkdir -p "$BUILD/fuzz/artifacts"
for name in "$@"; do
  bin=$BUILD/fuzz/$name
  work=$BUILD/fuzz/corpus/$name
  log=$BUILD/fuzz/$name.log
  mkdir -p "$work"
  dict=""
  [ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
  # -timeout: wall time per input; the heaviest seed takes about 1 s of CPU
  # under the sanitizers, and a shared machine can stretch that several
  # times.  -rss_limit_mb: the scenario target keeps a whole run in memory.
  "$bin" -max_total_time="$FUZZ_TIME" -timeout=30 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$BUILD/fuzz/artifacts/$name-" $dict \
    "$work" "tests/fuzz/corpus/$name" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*' "$log" | tail -n 1)
  if [ "$rc" -eq 0 ]; then
    echo "fuzz $name: ok, ${runs:-?} runs in ${secs:-?} s (${rate:-?} exec/s), $cov"
  else
    failed=$((failed + 1))
    echo "fuzz $name: FAILED (exit $rc) after ${runs:-?} runs; log $log:"
    grep -E 'ERROR|SUMMARY|error contract|Test unit written|runtime error' "$log" | head -n 12 | sed 's/^/      /'
  fi
done
[ "$failed" -eq 0 ]
