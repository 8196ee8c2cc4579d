#!/usr/bin/env bash
# Configures and builds hockney in build/ (preset "default"); extra arguments go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset default "$@" >build.configure.log 2>&1 || { cat build.configure.log; exit 1; }
grep -E "^-- hockney" build.configure.log || true
cmake --build --preset default -j"$(nproc)"
