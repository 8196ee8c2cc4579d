#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time on its seed corpus (tests/fuzz/corpus/NAME, read
# only) plus a working corpus in the build tree. Fails when the fuzzer finds a crash, a hang, a
# sanitizer report or an exception other than a usage error; the input is kept under WORK and
# named in the output: copy it into the seed corpus with the fix, so it stays a regression test.
# Usage: fuzz_run.sh TARGET SEED_DIR WORK_DIR SECONDS
set -uo pipefail
target=$1 seeds=$2 work=$3 seconds=$4
[ -d "$seeds" ] && [ -n "$(ls -A "$seeds")" ] || { echo "FAIL: no seed corpus in $seeds"; exit 1; }
mkdir -p "$work/corpus" "$work/crashes"
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$work/crashes/" "$work/corpus" "$seeds" >"$work/log" 2>&1
rc=$?
grep -E "stat::number_of_executed_units|stat::new_units_added" "$work/log"
if [ "$rc" -ne 0 ]; then
  tail -40 "$work/log"
  echo "FAIL: $(basename "$target") found a problem (rc=$rc); input kept in: $work/crashes/$(ls "$work/crashes")"
  exit 1
fi
echo "ok: $(basename "$target") ran ${seconds}s clean"
