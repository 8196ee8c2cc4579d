#!/usr/bin/env python3
"""Typed values between layers, JSON at the edges (STYLE.md 14): a calibration, a projection
(step cost), a comparison and a replay are structs written by their toJson and read by their
fromJson only. Fails naming the file and line where
  - cli/ reads a value out of JSON (.get<...> or get_to): commands print from structs;
  - code outside the readers reads a field of a calibration or projection object (a .get<...>
    on a line naming one of their fields).
The readers: model/calibration_json.cc (Calibration::fromJson), and the row readers whose field
names overlap (ResultRow's and PairRow's from_json). Usage: check_typed_edges.py [ROOT]"""
import pathlib
import re
import sys

READERS = {"model/calibration_json.cc", "reports/results.cc", "reports/pair_matrix.cc"}
FIELDS = ["fits", "pieces", "alpha_us", "alpha_s", "beta_s_per_byte", "bandwidth_gbps",
          "heldout_rel_err", "quality_warnings", "selection", "reduction_kernels", "host_drift",
          "items", "groups", "total_ms", "time_per_call_us", "time_per_step_ms",
          "dominant_group", "calibration_level", "level_note", "projection"]
GET = re.compile(r"\.get<|get_to\(")
FIELD = re.compile(r'\[\s*"(' + "|".join(FIELDS) + r')"\s*\]|\.at\(\s*"(' + "|".join(FIELDS) +
                   r')"\s*\)')


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    failures = 0
    for folder in ["cli", "microbench", "model", "jobscripts", "reports", "topology"]:
        for path in sorted((root / folder).rglob("*.cc")):
            rel = path.relative_to(root).as_posix()
            if rel in READERS:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if line.lstrip().startswith("//") or not GET.search(line):
                    continue
                if folder == "cli":
                    print(f"FAIL: {rel}:{number}: a command reads JSON back; print from the "
                          f"struct: {line.strip()}")
                    failures += 1
                elif FIELD.search(line):
                    print(f"FAIL: {rel}:{number}: reads a calibration or projection field "
                          f"outside its fromJson: {line.strip()}")
                    failures += 1
    if failures == 0:
        print("ok: commands print from structs; calibration and projection fields are read only "
              "by their fromJson")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
