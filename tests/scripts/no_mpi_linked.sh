#!/usr/bin/env bash
# Fails when a binary that uses only the model, reports and collectives links an MPI library:
# fit, project and compare must run where MPI is not installed.
set -euo pipefail
bin=$1
libs=$(ldd "$bin")
if grep -qiE 'libmpi|libopen-(pal|rte)' <<<"$libs"; then
  echo "FAIL: $bin links MPI:"; grep -iE 'libmpi|libopen-(pal|rte)' <<<"$libs"; exit 1
fi
echo "ok: $(basename "$bin") links no MPI ($(wc -l <<<"$libs") libraries)"
