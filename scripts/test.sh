#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (ctest labels unit, inproc,
# mpi). Pass ctest arguments to narrow it, e.g. `bash scripts/test.sh -L unit`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
source scripts/mpi-env.sh
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 600 "$@"
