#!/usr/bin/env bash
# hockney calibrate on 2 ranks (sizes to 1 MiB, short points): writes a schema-valid results report (every
# pattern project needs, hot buffers recorded) and calibration; project prices every group of
# GPT-3 175B with it; --resume refines a finished calibration; without --resume a finished one
# is never overwritten; bad options are clear errors before MPI starts.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hockney=$1
schemas="$here/../../reports/schema"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# A generous budget: on a quiet machine the fits stop asking for sizes after ~12 s.
"$here/mpirun.sh" 2 "$hockney" calibrate --budget 60 --max-bytes 1M --target-time 0.002 \
  --out "$dir/cal" >"$dir/out1" 2>&1 || { cat "$dir/out1"; fail "calibrate failed"; }
cat "$dir/out1"
validate="$here/../../scripts/validate_report.py"
/usr/bin/python3 "$validate" "$schemas/results.schema.json" "$dir/cal/results.json" || fail "results"
/usr/bin/python3 "$validate" "$schemas/calibration.schema.json" "$dir/cal/calibration.json" ||
  fail "calibration"
/usr/bin/python3 - "$dir/cal" "$schemas" <<'PY' || exit 1
import json, sys
d, schemas = sys.argv[1], sys.argv[2]
res = json.load(open(f"{d}/results.json"))
cal = json.load(open(f"{d}/calibration.json"))
# One host: its widest level is within it (numa on this VM), and every row says so.
topo = res["topology"]
assert len(topo["hosts"]) == 1 and topo["widest_level"] in ("numa", "socket", "node"), topo
assert all(r["level"] == topo["widest_level"] and r["scope"] == "world" for r in res["results"])
patterns = {r["pattern"] for r in res["results"]}
want = {"allreduce", "reduce_scatter", "allgather", "sendrecv", "alltoall", "pipeline"}
assert patterns == want, f"measured {sorted(patterns)}, want {sorted(want)}"
assert all(r["buffers"] == "hot" and r["buffer_sets"] == 1 for r in res["results"]), "rows not hot"
assert res["config"]["buffers"] == "hot" and res["config"]["command"] == "calibrate"
assert all(r["check"] == "pass" for r in res["results"]), "a row failed validation"
passes = res["config"]["passes"]
assert [p["kind"] for p in passes[:2]] == ["scout", "coarse"], passes
assert set(passes[1]["budget"]["ceilings_bytes"].values()) == {1 << 20}, passes[1]  # a fast host keeps the range
fits = {(f["pattern"], f["algorithm"]) for f in cal["fits"]}
# Reductions in both element types project prices (activations bfloat16, gradients float32);
# byte-moving patterns once.
types = lambda p: {f["dtype"] for f in cal["fits"] if f["pattern"] == p}
assert types("allreduce") == {"float32", "bfloat16"}, types("allreduce")
assert types("reduce_scatter") == {"float32", "bfloat16"}, types("reduce_scatter")
assert types("sendrecv") == {"float32"} and types("alltoall") == {"float32"}
assert types("pipeline") == {"float32"}
# PP sends are calibrated as a pipeline sends them: 1F1B passes between two stages, each
# micro-batch's activation its own buffer (8 of them: the cost counts 9 rounds a pass).
pipe = [r for r in res["results"] if r["pattern"] == "pipeline"]
assert pipe and all(r["algorithm"] == "1f1b" and r["cost"]["alpha_count"] == 9 for r in pipe), pipe[:1]
assert res["config"]["dtypes"] == ["float32", "bfloat16"]
for need in [("allreduce", "ring"), ("allreduce", "vendor"), ("sendrecv", "pingpong"),
             ("reduce_scatter", "ring"), ("allgather", "ring"), ("alltoall", "pairwise"),
             ("pipeline", "1f1b")]:
    assert need in fits, f"no fit for {need}: {sorted(fits)}"
for f in cal["fits"]:
    assert f["buffers"] == "hot"
    e = f["heldout_rel_err"]
    assert e["folds"] == "leave-one-size-out" and e["worst"] >= e["p90"] >= 0, e
    assert len(f["pieces"]) == len(f["breaks_bytes"]) + 1
# The allocator every point was measured in, and the drift probe's readings, drifted or not.
alloc = res["allocator"]
assert alloc["mode"] == "pinned" and alloc["mmap_max"] == 0, alloc
assert alloc["trim_threshold"] == 2**64 - 1, alloc
assert "GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=" in alloc["reproduce"], alloc
assert all("minor_faults_per_call" in r for r in res["results"]), "a row without its page faults"
drift = cal["host_drift"]
assert len(drift["reference_us"]) == len(passes) == len(drift["minor_faults_per_call"]), drift
assert drift["drifted"] == (drift["spread"] > drift["limit"]), drift
print(f"ok: {len(res['results'])} rows over {len(passes)} passes, {len(cal['fits'])} fits")
PY
"$hockney" project --calibration "$dir/cal/calibration.json" --model gpt3-175b \
  --layout tp=8,pp=16,dp=8 --gpus-per-node 8 --global-batch 1536 --out "$dir/step.json" \
  >"$dir/project.out" 2>&1 || { cat "$dir/project.out"; fail "project with the calibration failed"; }
grep -q "^# total" "$dir/project.out" || fail "project printed no total"
echo "ok: project prices GPT-3 175B with it: $(grep '^# total' "$dir/project.out")"

# A budget spent before the coarse pass ends still leaves every pattern measured, and says what it
# skipped; its fits rest on too few sizes: printed '-' (never 0), flagged, and exit 5 unless
# --allow-partial. (Every point takes at least its 50 ms target: the scouting pass alone, 56
# points, takes over 2.8 s of the 1 s.)
"$here/mpirun.sh" 2 "$hockney" calibrate --budget 1 --max-bytes 1M --target-time 0.05 \
  --out "$dir/short" >"$dir/short.out" 2>&1
rc=$?
grep -q "was spent before" "$dir/short.out" || { cat "$dir/short.out"; fail "a spent budget not said"; }
[ "$rc" -eq 5 ] || { cat "$dir/short.out"; fail "an under-determined calibration exited $rc, want 5"; }
grep -q "^# calibration incomplete: " "$dir/short.out" || fail "exit 5 not explained: $(cat "$dir/short.out")"
/usr/bin/python3 - "$dir/short" "$dir/short.out" <<'PY' || exit 1
import json, sys
cal = json.load(open(f"{sys.argv[1]}/calibration.json"))
table = [l.split() for l in open(sys.argv[2]) if l.startswith("! ")]
under = [f for f in cal["fits"] if f["under_determined"]]
assert under, "a 1 s budget left no fit under-determined"
for f in under:
    assert len(f["sizes"]) < 5 or f["heldout_rel_err"]["points"] == 0, f
    assert any(w.startswith("under-determined") for w in f["quality_warnings"]), f
    if f["heldout_rel_err"]["points"] == 0:
        assert f["heldout_rel_err"]["median"] is None, f["heldout_rel_err"]
# Flagged rows of the table end in three '-' (median, p90, worst), never 0.0.
assert table and all(row[-3:] == ["-", "-", "-"] for row in table), table
print(f"ok: {len(under)} under-determined fits flagged, errors printed '-'")
PY
"$here/mpirun.sh" 2 "$hockney" calibrate --budget 1 --max-bytes 1M --target-time 0.05 \
  --allow-partial --out "$dir/short2" >"$dir/short2.out" 2>&1 ||
  { cat "$dir/short2.out"; fail "--allow-partial did not exit 0"; }
grep -q -- "--allow-partial: exit 0" "$dir/short2.out" || fail "--allow-partial not said: $(cat "$dir/short2.out")"
echo "ok: --allow-partial accepts an incomplete calibration"
/usr/bin/python3 -c "
import json
r = json.load(open('$dir/short/results.json'))
assert r['config']['budget_spent'] is True
got = {x['pattern'] for x in r['results']}
want = {'allreduce', 'reduce_scatter', 'allgather', 'sendrecv', 'alltoall', 'pipeline'}
assert got == want, f'measured {sorted(got)} of {sorted(want)}'
print(f\"ok: a 1 s budget measured {len(r['results'])} points of every pattern and said what it skipped\")
" || fail "a short budget left a pattern unmeasured"

# A finished calibration is not overwritten without --resume.
before=$(md5sum <"$dir/cal/results.json")
"$here/mpirun.sh" 2 "$hockney" calibrate --budget 5 --max-bytes 1M --out "$dir/cal" \
  >"$dir/out2" 2>&1
rc=$?
[ "$rc" -eq 2 ] || { cat "$dir/out2"; fail "calibrate over a finished one: rc=$rc, want 2"; }
grep -q "holds a finished calibration; pass --resume" "$dir/out2" || fail "unclear: $(cat "$dir/out2")"
[ "$(md5sum <"$dir/cal/results.json")" = "$before" ] || fail "the finished results were changed"
echo "ok: refused to overwrite a finished calibration"

# --resume keeps every point and adds what the new budget buys.
rows_before=$(/usr/bin/python3 -c "import json; print(len(json.load(open('$dir/cal/results.json'))['results']))")
"$here/mpirun.sh" 2 "$hockney" calibrate --budget 8 --max-bytes 1M --target-time 0.002 \
  --out "$dir/cal" --resume >"$dir/out3" 2>&1 || { cat "$dir/out3"; fail "--resume failed"; }
grep -q "refining" "$dir/out3" || fail "--resume did not say it refines: $(cat "$dir/out3")"
rows_after=$(/usr/bin/python3 -c "import json; print(len(json.load(open('$dir/cal/results.json'))['results']))")
[ "$rows_after" -ge "$rows_before" ] || fail "--resume lost points: $rows_before -> $rows_after"
[ ! -e "$dir/cal/results.json.jsonl" ] || fail "checkpoint left behind"
echo "ok: --resume kept $rows_before points, now $rows_after"

# --resume with other buffers is refused, naming the difference.
"$here/mpirun.sh" 2 "$hockney" calibrate --budget 5 --buffers cold --out "$dir/cal" --resume \
  >"$dir/out4" 2>&1 && fail "--resume with cold buffers over hot ones accepted"
grep -q 'measured with buffers "hot", this job asks for "cold"' "$dir/out4" || fail "unclear: $(cat "$dir/out4")"
echo "ok: --resume refuses other buffers"

# hockney run records which buffers it measured: cold rotates through several sets.
"$here/mpirun.sh" 2 "$hockney" run --sizes 4096 --algo ring --buffers cold --target-time 0.002 \
  --out "$dir/cold.json" >/dev/null 2>&1 || fail "run --buffers cold failed"
/usr/bin/python3 -c "
import json, sys
r = json.load(open('$dir/cold.json'))
assert r['config']['buffers'] == 'cold', r['config']
assert all(x['buffers'] == 'cold' and x['buffer_sets'] > 1 for x in r['results']), r['results']
" || fail "cold buffers not recorded"
echo "ok: run --buffers cold records cold rows"

# Bad options fail before MPI starts, with exit code 2.
for args in "--budget 0" "--budget -5" "--min-bytes 3" "--max-bytes 4 --min-bytes 8" \
            "--patterns allreduce,nonsense" "--buffers lukewarm"; do
  # shellcheck disable=SC2086
  "$hockney" calibrate $args --out "$dir/x" >"$dir/err" 2>&1
  rc=$?
  [ "$rc" -eq 2 ] || fail "calibrate $args: rc=$rc, want 2 ($(cat "$dir/err"))"
  echo "ok: calibrate $args -> $(head -n1 "$dir/err")"
done
: >"$dir/afile"
"$hockney" calibrate --out "$dir/afile" >"$dir/err" 2>&1 && fail "--out FILE accepted"
grep -q "is a file; calibrate writes a directory" "$dir/err" || fail "unclear: $(cat "$dir/err")"
echo "PASS"
