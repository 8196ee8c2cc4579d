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
echo "ok"
