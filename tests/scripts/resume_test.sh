#!/usr/bin/env bash
# The checkpoint: a run whose <out>.jsonl holds finished points refuses to start without
# --resume, and with it measures only the missing points and keeps the saved ones as they were.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hockney=$1
dir=$(mktemp -d)
fail() { echo "FAIL: $*"; exit 1; }
"$here/mpirun.sh" 2 "$hockney" run --algo ring,tree --sizes 8,4096 -n 3 -w 1 --out "$dir/full.json" >/dev/null ||
  fail "the first run failed"
[ ! -e "$dir/full.json.jsonl" ] || fail "the checkpoint of a finished run was left behind"
# Pretend a job died after three points (and in the middle of writing a fourth line).
/usr/bin/python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
rows = json.load(open(f"{d}/full.json"))["results"]
with open(f"{d}/part.json.jsonl", "w") as f:
    for r in rows[:3]:
        r["time_us"]["median"] = 123456.0  # a marker no new measurement gives
        f.write(json.dumps(r) + "\n")
    f.write('{"pattern": "allred')
PY
"$here/mpirun.sh" 2 "$hockney" run --algo ring,tree --sizes 8,4096 -n 3 -w 1 --out "$dir/part.json" \
  >"$dir/stdout" 2>"$dir/stderr" && fail "started over an existing checkpoint without --resume"
grep -q "pass --resume" "$dir/stderr" || fail "no hint to use --resume: $(cat "$dir/stderr")"
"$here/mpirun.sh" 2 "$hockney" run --algo ring,tree --sizes 8,4096 -n 3 -w 1 --out "$dir/part.json" \
  --resume >"$dir/stdout" 2>"$dir/stderr" || fail "the resumed run failed: $(cat "$dir/stderr")"
grep -q "resumed" "$dir/stdout" || fail "the table does not mark resumed points"
grep -q "truncated last line" "$dir/stdout" || fail "the truncated line was not reported"
/usr/bin/python3 - "$dir" <<'PY' || exit 1
import json, sys
rows = json.load(open(f"{sys.argv[1]}/part.json"))["results"]
kept = [r for r in rows if r["time_us"]["median"] == 123456.0]
assert len(rows) == 4, f"{len(rows)} rows, want 4"
assert len(kept) == 3, f"{len(kept)} saved rows kept, want 3"
assert all(r["check"] == "pass" for r in rows)
print("resume kept 3 saved points and measured 1")
PY
