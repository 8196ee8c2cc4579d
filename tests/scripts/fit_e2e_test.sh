#!/usr/bin/env bash
# hockney run (2 ranks, all all-reduce algorithms, a sweep) then hockney fit: the calibration
# is schema-valid, fits every algorithm, and a bad input is a clear error that writes nothing.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hockney=$1
dir=$(mktemp -d)
fail() { echo "FAIL: $*"; exit 1; }
"$here/mpirun.sh" 2 "$hockney" run --algo all -b 8 -e 1M -f 4 --target-time 0.01 \
  --out "$dir/r.json" >/dev/null || fail "hockney run failed"
"$hockney" fit "$dir/r.json" --out "$dir/cal.json" >"$dir/fit.out" 2>&1 || { cat "$dir/fit.out"; fail "fit failed"; }
cat "$dir/fit.out"
/usr/bin/python3 - "$dir/cal.json" "$here/../../reports/schema/calibration.schema.json" <<'PY' || exit 1
import json, sys
import jsonschema
cal = json.load(open(sys.argv[1]))
jsonschema.validate(cal, json.load(open(sys.argv[2])))
algos = {f["algorithm"] for f in cal["fits"]}
want = {"ring", "recursive_doubling", "rabenseifner", "tree", "double_binary_tree", "vendor"}
assert algos == want, f"fits for {sorted(algos)}, want {sorted(want)}"
for f in cal["fits"]:
    for p in f["pieces"]:
        assert p["alpha_us"] >= 0 and p["beta_s_per_byte"] >= 0
print(f"calibration valid: {len(cal['fits'])} fits, selection {len(cal['selection'])}")
PY
echo '{"kind": "results", "schema_version": 1, "results": [' >"$dir/bad.json"
"$hockney" fit "$dir/bad.json" --out "$dir/cal2.json" 2>"$dir/err" && fail "malformed JSON accepted"
grep -q "is not valid JSON" "$dir/err" || fail "unclear error: $(cat "$dir/err")"
[ ! -e "$dir/cal2.json" ] || fail "a calibration was written from bad input"
"$hockney" fit "$dir/cal.json" --out "$dir/cal2.json" 2>"$dir/err" && fail "a calibration accepted as results"
grep -q 'is not a hockney results report' "$dir/err" || fail "unclear error: $(cat "$dir/err")"
# γ from the host kernels: hockney-kernels JSON next to the results.
kernels=$(dirname "$hockney")/hockney-kernels
if [ -x "$kernels" ]; then
  "$kernels" --benchmark_filter='reduce/float32/sum/(4096|262144)$' --benchmark_min_time=0.01 \
    --benchmark_out="$dir/kernels.json" --benchmark_out_format=json >/dev/null 2>&1 || fail "kernels failed"
  "$hockney" fit "$dir/r.json" "$dir/kernels.json" --out "$dir/calk.json" >/dev/null || fail "fit with kernels failed"
  /usr/bin/python3 -c "
import json
k = json.load(open('$dir/calk.json'))['reduction_kernels']
assert len(k) == 2 and all(x['dtype'] == 'float32' and x['reduction_gbps'] > 0 for x in k), k
print('kernels: gamma for float32 sum at %s' % ', '.join('%d B %.1f GB/s' % (x['bytes'], x['reduction_gbps']) for x in k))
" || fail "kernel gamma missing"
fi
# compare: a report with itself gives ratios of 1, and says why; mixed kinds are refused.
"$hockney" compare "$dir/r.json" "$dir/r.json" --out "$dir/cmp.json" >"$dir/cmp.txt" || fail "compare failed"
grep -q "hold the same results: every ratio is 1 by construction" "$dir/cmp.txt" ||
  fail "comparing a file with itself says nothing: $(cat "$dir/cmp.txt")"
/usr/bin/python3 -c "
import json, sys
c = json.load(open('$dir/cmp.json'))
assert c['kind'] == 'comparison' and c['points'], c
assert all(abs(p['time_ratio_b_over_a'] - 1) < 1e-12 for p in c['points'])
print('compare: %d points, all ratios 1' % len(c['points']))
" || fail "self-comparison not 1"
"$hockney" compare "$dir/r.json" "$dir/cal.json" 2>"$dir/err" && fail "mixed kinds compared"
grep -q "two results reports or two calibrations" "$dir/err" || fail "unclear error: $(cat "$dir/err")"
# project with this calibration: every group priced, or a clear error for a missing fit.
"$hockney" project --model megatron-8.3b --calibration "$dir/cal.json" --layout tp=2,pp=1,dp=1 \
  --global-batch 8 --gpus-per-node 2 --out "$dir/step.json" >/dev/null || fail "project failed"
/usr/bin/python3 -c "
import json, jsonschema
s = json.load(open('$dir/step.json'))
jsonschema.validate(s, json.load(open('$here/../../reports/schema/step_cost.schema.json')))
assert s['kind'] == 'step_cost' and s['total_ms'] > 0 and s['dominant_group'] == 'TP', s['groups']
print('project: %.1f ms per step, TP priced with %s' % (s['total_ms'], s['items'][0]['algorithm']))
" || fail "projection wrong"
# Without a point-to-point fit PP sends are priced from the level's all-reduce bus bandwidth,
# and the projection says so (issue 23).
"$hockney" project --model megatron-8.3b --calibration "$dir/cal.json" --layout tp=2,pp=2,dp=1 \
  --global-batch 8 >"$dir/pp-out" || fail "PP without a sendrecv fit not priced"
grep -q "PP messages priced from the '.*' allreduce vendor fit's bus bandwidth" "$dir/pp-out" ||
  fail "no note on how PP was priced: $(cat "$dir/pp-out")"
"$hockney" project --model megatron-8.3b --calibration "$dir/cal.json" --layout tp=5 --global-batch 8 \
  2>"$dir/err" && fail "accepted tp=5 for 32 heads"
grep -q "not divisible by tp=5" "$dir/err" || fail "unclear error: $(cat "$dir/err")"
# replay: the step's TP all-reduce and PP sends on 2 ranks, measured beside the projection.
"$here/mpirun.sh" 2 "$hockney" run --pattern sendrecv --algo pingpong -b 1K -e 1M -f 4 \
  --target-time 0.01 --out "$dir/pp.json" >/dev/null || fail "pingpong run failed"
"$hockney" fit "$dir/r.json" "$dir/pp.json" --out "$dir/cal3.json" >/dev/null || fail "fit with sendrecv failed"
"$here/mpirun.sh" 2 "$hockney" replay --model megatron-8.3b --layout tp=2,pp=2,dp=1 --global-batch 4 \
  --seq-len 64 --calibration "$dir/cal3.json" --target-time 0.01 --out "$dir/replay.json" \
  >"$dir/replay.out" 2>&1 || { cat "$dir/replay.out"; fail "replay failed"; }
/usr/bin/python3 -c "
import json
r = json.load(open('$dir/replay.json'))
assert r['kind'] == 'replay'
groups = set(r['groups'])
assert {'TP', 'PP'} <= groups, groups
for i in r['items']:
    assert i['check'] == 'pass' and i['measured_us'] > 0 and i['projected_us'] > 0, i
# The pipeline is measured as a pipeline sends (1F1B, its micro-batches), and priced with the
# calibration's ping-pong fit, since it has no pipeline fit: both said.
pp = [i for i in r['items'] if i['group'] == 'PP']
assert len(pp) == 1 and pp[0]['algorithm'] == '1f1b' and pp[0]['projected_algorithm'] == 'pingpong', pp
assert pp[0]['microbatches_replayed'] == pp[0]['microbatches_in_step'] == 4, pp
assert any('measured as 1f1b, projected with the pingpong fit' in n for n in r['notes']), r['notes']
print('replay: ' + ', '.join('%s measured %.2f ms projected %.2f ms' % (g, v['measured_ms'], v['projected_ms']) for g, v in r['groups'].items()))
" || fail "replay report wrong"
# Gradient buckets: a bucket whose buffers exceed a rank's memory is refused before anything is
# measured, naming the bucket; no report is written. The default bucket replays the same step.
"$here/mpirun.sh" 2 "$hockney" replay --model gpt3-175b --layout tp=1,pp=1,dp=2 --global-batch 2 \
  --calibration "$dir/cal3.json" --bucket 4096G --out "$dir/big.json" >"$dir/big.out" 2>&1 &&
  fail "a bucket larger than memory was replayed"
grep -q "choose a smaller --bucket" "$dir/big.out" || fail "unclear error: $(cat "$dir/big.out")"
[ ! -e "$dir/big.json" ] || fail "a replay report was written for a refused bucket"
"$here/mpirun.sh" 2 "$hockney" replay --model bert-large --layout tp=1,pp=1,dp=2 --global-batch 2 \
  --calibration "$dir/cal3.json" --bucket 1M --target-time 0.01 --out "$dir/dp.json" \
  >"$dir/dp.out" 2>&1 || { cat "$dir/dp.out"; fail "bucketed DP replay failed"; }
/usr/bin/python3 -c "
import json
r = json.load(open('$dir/dp.json'))
dp = [i for i in r['items'] if i['group'] == 'DP']
# BERT-Large's 1.33 GB of gradients in 1 MiB buckets: the full ones and the remainder.
assert len(dp) == 2 and dp[0]['bytes'] == 1 << 20 and dp[1]['bytes'] < 1 << 20, dp
calls = sum(i['count'] for i in dp)
total = sum(i['bytes_in_step'] * i['count'] for i in dp)
assert calls == -(-total // (1 << 20)), (calls, total)
print('bucketed DP replay: %d calls of up to 1 MiB, %.3f GB' % (calls, total / 1e9))
" || fail "bucketed replay report wrong"
echo "ok"
