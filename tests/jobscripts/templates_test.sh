#!/usr/bin/env bash
# The templates in jobscripts/templates/ are what `hockney jobscript` generates today: regenerate
# them into a scratch folder and compare. After changing the generator, run
# `bash jobscripts/templates/make.sh` and commit the result.
set -euo pipefail
hockney=$1
src=$(cd "$(dirname "$0")/../../jobscripts/templates" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bash "$src/make.sh" "$hockney" "$tmp"
status=0
for t in "$src"/*.sbatch; do
  if ! diff -u "$t" "$tmp/$(basename "$t")"; then
    echo "FAIL: $(basename "$t") is not what hockney jobscript generates (run jobscripts/templates/make.sh)"
    status=1
  else
    bash -n "$t" && echo "ok: $(basename "$t") regenerates identically and is valid bash"
  fi
done
[ "$(ls "$tmp"/*.sbatch | wc -l)" = "$(ls "$src"/*.sbatch | wc -l)" ] || { echo "FAIL: template count differs"; status=1; }
exit $status
