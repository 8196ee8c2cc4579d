#!/usr/bin/env bash
# hockney plot on one report of every kind (tests/fixtures/plot): each yields its figures as
# real PNG and SVG files; bad input is a clear error and a non-zero exit. Skipped (77) when
# Debian's python3 has no matplotlib.
set -uo pipefail
hockney=$1
fixtures=$(cd "$(dirname "$0")/../fixtures/plot" && pwd)
/usr/bin/python3 -c "import matplotlib" 2>/dev/null || { echo "SKIPPED: python3-matplotlib is not installed"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failures=0
expect_figures() {  # expect_figures "names..." reports...
  local want=$1
  shift
  if ! "$hockney" plot --out-dir "$out" --format png,svg "$@" >"$out/list" 2>"$out/err"; then
    echo "FAIL: plot $*: $(cat "$out/err")"; failures=$((failures + 1)); return
  fi
  for name in $want; do
    for ext in png svg; do
      f="$out/$name.$ext"
      if [ ! -s "$f" ]; then
        echo "FAIL: plot $* did not write $name.$ext (wrote: $(tr '\n' ' ' <"$out/list"))"; failures=$((failures + 1))
      elif [ "$ext" = png ] && [ "$(head -c 4 "$f" | tail -c 3)" != PNG ]; then
        echo "FAIL: $name.png is not a PNG"; failures=$((failures + 1))
      elif [ "$ext" = svg ] && ! grep -q "<svg" "$f"; then
        echo "FAIL: $name.svg is not an SVG"; failures=$((failures + 1))
      fi
    done
  done
  echo "ok: plot $(basename "$1") ... -> $(wc -l <"$out/list") files"
}
expect_figures "results-allreduce-busbw results-allreduce-time results-sendrecv-busbw" "$fixtures/fast/results.json"
expect_figures "allreduce-busbw-side-by-side sendrecv-busbw-side-by-side" "$fixtures/fast/results.json" "$fixtures/slow/results.json"
expect_figures "calibration-allreduce-network-float32-fit calibration-sendrecv-network-float32-fit" "$fixtures/fast/calibration.json"
grep -q "measured rows not found" "$out/err" && { echo "FAIL: the measured rows beside the calibration were not found"; failures=$((failures + 1)); }
# Moved away from its results, a calibration still plots, and says what is missing.
mkdir -p "$out/alone" && cp "$fixtures/fast/calibration.json" "$out/alone/"
"$hockney" plot --out-dir "$out/alone" "$out/alone/calibration.json" >/dev/null 2>"$out/err" &&
  grep -q "measured rows not found" "$out/err" || { echo "FAIL: a calibration without its results did not say so"; failures=$((failures + 1)); }
expect_figures "compare-bandwidth compare-projection" "$fixtures/compare.json"
expect_figures "pairs-pairs" "$fixtures/pairs.json"
expect_figures "step-groups" "$fixtures/fast/step.json"
# A plan of the binary's own making (a reference fabric: nothing to measure).
if "$hockney" plan --model gpt3-175b --layout tp=8,pp=8,dp=1 --gpu-type a100-80gb \
    --calibration ref:a100-node --global-batch 64 --recompute selective --sequence-parallel \
    --interleave 3 --out "$out/plan.json" >/dev/null 2>"$out/err"; then
  expect_figures "plan-plan" "$out/plan.json"
else
  echo "FAIL: plan for the plot: $(cat "$out/err")"; failures=$((failures + 1))
fi
if "$hockney" plan --model gpt3-175b --gpus 64,128 --gpu-type h100 --fabric ndr=ref:h100-ndr-ib \
    --fabric a3=ref:h100-gcp-a3mega --global-batch 128 --recompute selective \
    --out "$out/search.json" >/dev/null 2>"$out/err"; then
  expect_figures "search-best search-breakdown" "$out/search.json"
else
  echo "FAIL: plan for the plot: $(cat "$out/err")"; failures=$((failures + 1))
fi
# Bad input: named, exit 2 (no traceback), no figure.
echo '{"kind": "mystery"}' >"$out/odd.json"
echo 'not json' >"$out/bad.json"
echo '{"kind": "results", "schema_version": 1}' >"$out/norows.json"
echo '{"kind": "results", "results": []}' >"$out/empty.json"
echo '{"kind": "results", "results": [{"pattern": "allreduce"}]}' >"$out/onlypattern.json"
echo '{"kind": "calibration", "fits": "many"}' >"$out/fitsstring.json"
/usr/bin/python3 -c 'print("[" * 2000000 + "]" * 2000000)' >"$out/deep.json"
for args in "$out/missing.json" "$out/bad.json" "$out/odd.json" "--format gif $fixtures/pairs.json" \
    "$out/norows.json" "$out/empty.json" "$out/onlypattern.json" "$out/fitsstring.json" \
    "$out/deep.json"; do
  # shellcheck disable=SC2086 # the words of each case
  "$hockney" plot --out-dir "$out/none" $args >/dev/null 2>"$out/err"
  rc=$?
  if [ "$rc" -ne 2 ] || grep -q Traceback "$out/err"; then
    echo "FAIL: plot $args: exit $rc (want 2, a sentence): $(tail -n1 "$out/err")"; failures=$((failures + 1))
  elif [ -e "$out/none" ] && [ -n "$(ls "$out/none")" ]; then
    echo "FAIL: plot $args wrote figures"; failures=$((failures + 1))
  else
    echo "ok: plot $args -> $(head -n1 "$out/err" | cut -c1-160)"
  fi
done
# A folder it cannot write: exit 2 naming it.
"$hockney" plot --out-dir /proc/hockney-plot "$fixtures/pairs.json" >/dev/null 2>"$out/err"
rc=$?
if [ "$rc" -ne 2 ] || ! grep -q "cannot write figures to /proc/hockney-plot" "$out/err"; then
  echo "FAIL: plot --out-dir /proc/...: exit $rc: $(tail -n1 "$out/err")"; failures=$((failures + 1))
else
  echo "ok: plot --out-dir /proc/hockney-plot -> $(head -n1 "$out/err")"
fi
[ "$failures" = 0 ] && echo "plot: all checks passed"
exit $((failures > 0))
