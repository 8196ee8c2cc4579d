#!/usr/bin/env python3
"""Arrows point down only (docs/ARCHITECTURE.md, Layers): reads every #include "..." of the
project's C++ files and fails, naming the file, the line and the include, when one points up or
across a layer. Usage: check_layers.py [SOURCE_ROOT]"""
import pathlib
import re
import sys

# (folder prefix of the including file, allowed prefixes of what it includes). The first rule
# whose prefix matches the file applies; includes without a folder (generated headers) pass.
MPI_TRANSPORT = "collectives/transport/mpi.h"
RULES = [
    ("collectives/core/", ["collectives/core/"]),
    ("collectives/transport/", ["collectives/core/", "collectives/transport/"]),
    ("collectives/schedule/", ["collectives/core/", "collectives/transport/", "collectives/schedule/"]),
    # registry, pattern tables and algorithms: anything in collectives/ but the MPI transport
    ("collectives/", ["collectives/"]),
    ("topology/", ["collectives/core/", "topology/"]),
    # the registry: what a pattern is (reduces, bus-bandwidth factor), for imported logs
    ("reports/", ["collectives/core/", "collectives/registry.h", "reports/"]),
    ("model/", ["collectives/core/", "collectives/registry.h", "reports/", "model/"]),
    ("microbench/", ["collectives/", "topology/", "reports/", "model/", "microbench/"]),
    ("jobscripts/", ["collectives/core/", "collectives/registry.h", "model/", "jobscripts/"]),
    ("cli/", [""]),
    ("tests/", [""]),
]
# Only the MPI transport, the harness (vendor cases, runner, replay), cli and MPI tests may see
# the MPI transport.
MPI_ALLOWED = ("collectives/transport/mpi.", "microbench/", "cli/", "tests/mpi/")
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def violations(root: pathlib.Path):
    for path in sorted(root.rglob("*")):
        if path.suffix not in {".h", ".cc", ".cu", ".cuh"}:
            continue
        rel = path.relative_to(root).as_posix()
        if rel.startswith(("build", ".git")):
            continue
        rule = next((allowed for prefix, allowed in RULES if rel.startswith(prefix)), None)
        if rule is None:
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m or "/" not in m.group(1):
                continue
            target = m.group(1)
            if target == MPI_TRANSPORT and not rel.startswith(MPI_ALLOWED):
                yield f"{rel}:{number}: includes {target}: only the harness may use the MPI transport"
            elif not any(target.startswith(a) for a in rule):
                yield f"{rel}:{number}: includes {target}: {rel.split('/')[0]}/ may include only {', '.join(rule)}"


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    found = list(violations(root))
    for v in found:
        print(v)
    if found:
        print(f"FAIL: {len(found)} include(s) point up or across the layers")
        return 1
    print("ok: every include points down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
