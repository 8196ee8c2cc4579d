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
# --resume with no checkpoint over a finished report of another run is refused, and the report
# is left as it was (it used to be overwritten).
cp "$dir/full.json" "$dir/before.json"
"$here/mpirun.sh" 2 "$hockney" run -p allgather --algo ring --sizes 8 -n 3 -w 1 --out "$dir/full.json" \
  --resume >"$dir/stdout" 2>"$dir/stderr"
rc=$?
[ "$rc" = 2 ] || fail "--resume over another run's report: rc $rc, want 2: $(cat "$dir/stderr")"
grep -q 'finished report of another run: its pattern is "allreduce", this run.s is "allgather"' \
  "$dir/stderr" || fail "the refusal does not name the difference: $(cat "$dir/stderr")"
cmp -s "$dir/full.json" "$dir/before.json" || fail "the other run's report was changed"
[ ! -e "$dir/full.json.jsonl" ] || fail "a refused run left a checkpoint"
echo "ok: --resume over another run's finished report refused, report kept"
# ... and over a file that is no results report.
echo '{"kind": "calibration"}' >"$dir/cal.json"
"$here/mpirun.sh" 2 "$hockney" run --algo ring --sizes 8 -n 3 -w 1 --out "$dir/cal.json" --resume \
  >"$dir/stdout" 2>"$dir/stderr" && fail "--resume over a calibration accepted"
grep -q "is not a hockney results report" "$dir/stderr" || fail "unclear: $(cat "$dir/stderr")"
grep -q calibration "$dir/cal.json" || fail "the calibration was overwritten"
# Over a finished report of this run it keeps its points and measures only what it lacks.
"$here/mpirun.sh" 2 "$hockney" run --algo ring,tree --sizes 8,4096,65536 -n 3 -w 1 \
  --out "$dir/full.json" --resume >"$dir/stdout" 2>"$dir/stderr" ||
  fail "--resume over this run's finished report failed: $(cat "$dir/stderr")"
grep -q "finished report of this run; its 4 points are kept" "$dir/stdout" ||
  fail "no note of the kept points: $(cat "$dir/stdout")"
/usr/bin/python3 - "$dir" <<'PY' || exit 1
import json, sys
d = sys.argv[1]
before = {(r["algorithm"], r["bytes"]): r for r in json.load(open(f"{d}/before.json"))["results"]}
rows = json.load(open(f"{d}/full.json"))["results"]
assert len(rows) == 6, f"{len(rows)} rows, want 6"
for r in rows:
    k = (r["algorithm"], r["bytes"])
    if k in before:
        assert r["time_us"] == before[k]["time_us"], f"{k} was measured again"
assert sorted(r["bytes"] for r in rows if (r["algorithm"], r["bytes"]) not in before) == [65536, 65536]
print("ok: --resume over this run's finished report kept 4 points and measured 2")
PY
# SIGTERM (scancel, a time limit) to every rank: exit 6, not 1 ("a check failed"), and rank 0
# names the checkpoint; --resume then keeps its points.
"$here/mpirun.sh" 2 "$hockney" run --algo ring --sizes 8,32M,64M,128M --out "$dir/sig.json" \
  >"$dir/stdout" 2>"$dir/stderr" &
job=$!
for _ in $(seq 600); do
  [ "$(cat "$dir/sig.json.jsonl" 2>/dev/null | wc -l)" -ge 2 ] && break
  sleep 0.1
done
[ "$(cat "$dir/sig.json.jsonl" 2>/dev/null | wc -l)" -ge 2 ] || fail "no point in the checkpoint after 60 s"
for pid in $(pgrep -f -- "--out $dir/sig.json"); do
  [ "$(ps -o comm= -p "$pid")" = hockney ] && kill -TERM "$pid"
done
wait "$job"
rc=$?
[ "$rc" = 6 ] || fail "SIGTERM to the ranks: rc $rc, want 6: $(cat "$dir/stderr")"
grep -q "interrupted by SIGTERM (exit 6): the points measured so far are kept in $dir/sig.json.jsonl" \
  "$dir/stderr" || fail "no line naming the checkpoint: $(cat "$dir/stderr")"
[ ! -e "$dir/sig.json" ] || fail "an interrupted run wrote a report"
"$here/mpirun.sh" 2 "$hockney" run --algo ring --sizes 8 --out "$dir/sig.json" --resume \
  >"$dir/stdout" 2>"$dir/stderr" || fail "--resume after SIGTERM failed: $(cat "$dir/stderr")"
grep -q "resumed" "$dir/stdout" || fail "--resume after SIGTERM measured again: $(cat "$dir/stdout")"
echo "ok: SIGTERM exits 6 naming the checkpoint; --resume keeps its points"
