#!/usr/bin/env bash
# Paths are bytes: run, fit and project write their reports to paths that are not valid UTF-8
# (the report records such a byte as U+FFFD), and each report reads back as JSON.
set -uo pipefail
hockney=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
r="$dir/$(printf 'r\xff.json')"
c="$dir/$(printf 'c\xfe.json')"
p="$dir/$(printf 'p\xfd.json')"
fail() { echo "FAIL: $*"; exit 1; }
timeout 300 "$hockney" run --sizes 8,1K --out "$r" >"$dir/log" 2>&1 || fail "run: $(tail -n2 "$dir/log")"
timeout 120 "$hockney" fit "$r" --out "$c" >"$dir/log" 2>&1 || fail "fit: $(tail -n2 "$dir/log")"
timeout 120 "$hockney" project --model gpt3-175b --layout tp=2,pp=1,dp=1 --global-batch 8 \
  --calibration "$c" --out "$p" >"$dir/log" 2>&1 || fail "project: $(tail -n2 "$dir/log")"
for f in "$r" "$c" "$p"; do
  /usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1], "rb"))' "$f" ||
    fail "$(printf '%q' "$f") is not JSON"
done
echo "bytes_paths: run, fit and project wrote reports to non-UTF-8 paths"
