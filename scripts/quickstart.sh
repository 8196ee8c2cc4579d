#!/usr/bin/env bash
# From a fresh Debian 12 machine to a first report: installs what is missing, builds, and
# measures every all-reduce algorithm (own and MPI's) on 2 local ranks from 8 B to 8 MiB.
# The table goes to the terminal, the report to results/quickstart.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
source scripts/mpi-env.sh
mkdir -p results
rm -f results/quickstart.json.jsonl  # a previous quickstart that was interrupted
mpirun_local 2 build/hockney run --pattern allreduce --algo all -b 8 -e 8M -f 4 \
  --out results/quickstart.json "$@"
/usr/bin/python3 scripts/validate_report.py reports/schema/results.schema.json results/quickstart.json
