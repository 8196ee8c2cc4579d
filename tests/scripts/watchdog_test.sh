#!/usr/bin/env bash
# A rank that stops sending must make the job fail within the timeout, with a message that
# names the pattern, algorithm, size and the stalled step, not hang.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hockney=$1
out=$(mktemp -d)
start=$(date +%s)
HOCKNEY_TEST_TIMEOUT=60 "$here/mpirun.sh" 2 "$hockney" run --algo ring --sizes 1024 -n 3 -w 0 \
  --timeout 2 --inject-hang 1:1 --out "$out/r.json" >"$out/stdout" 2>"$out/stderr"
rc=$?
elapsed=$(( $(date +%s) - start ))
cat "$out/stderr"
fail() { echo "FAIL: $*"; exit 1; }
[ "$rc" -ne 0 ] || fail "the stalled job exited 0"
[ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] || fail "the job hung until the test's own timeout"
[ "$rc" -eq 3 ] || fail "the watchdog's exit code is $rc, not 3"
grep -q "watchdog: allreduce/ring at 1024 bytes did not finish within 2 s" "$out/stderr" ||
  fail "no watchdog message naming pattern, algorithm and size"
grep -qE "stalled in step [0-9]+ \(send to \[[0-9]*\]; recv from \[[0-9]+\]\)" "$out/stderr" ||
  fail "the message does not name the stalled step and its peers"
[ ! -e "$out/r.json" ] || fail "a report was written for a job that died"
[ -e "$out/r.json.jsonl" ] || fail "the checkpoint of the dead job is gone"
echo "watchdog fired after ${elapsed}s with rc=$rc"
