#!/usr/bin/env bash
# An end-to-end `hockney run` under mpirun whose report must be schema-valid, with the given
# extra checks. Usage: run_report_test.sh HOCKNEY SCHEMA NP "CHECKS" hockney-run-args...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hockney=$1 schema=$2 np=$3 checks=$4
shift 4
out=$(mktemp -d)/report.json
"$here/mpirun.sh" "$np" "$hockney" run --out "$out" "$@"
/usr/bin/python3 "$here/../../scripts/validate_report.py" "$schema" "$out" "$checks"
