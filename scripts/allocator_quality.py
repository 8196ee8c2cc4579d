#!/usr/bin/python3
"""Markdown tables of scripts/bench-allocator.sh runs, for microbench/BENCHMARKS.md:
allocator_quality.py DIR  where DIR holds MODEr/{results,calibration}.json (hockney calibrate
--malloc MODE) and fresh-MODEr-{a,b}.json (hockney run of MPI's all-reduce, fresh processes run
just before and after it). Per calibrate job: the drift probe per pass, its spread and its median
over the fresh runs' 1 MiB median; each calibrate row of the vendor all-reduce (float32) at
512 KiB-2 MiB over the fresh runs' median at its size; the held-out median/p90 error of the own
all-reduce, reduce-scatter and pingpong fits and of the vendor's, against the goals."""
import glob
import json
import os
import re
import statistics
import sys

SIZES = (524288, 1048576, 2097152)


def rows(path):
    return json.load(open(path))["results"]


def fresh_medians(root, tag):
    got = {}
    for path in glob.glob(os.path.join(root, f"fresh-{tag}-*.json")):
        for r in rows(path):
            got.setdefault(r["bytes"], []).append(r["time_us"]["median"])
    return {b: statistics.median(v) for b, v in got.items()}


def main() -> int:
    root = sys.argv[1]
    jobs = sorted(d for d in glob.glob(os.path.join(root, "*[0-9]"))
                  if os.path.exists(os.path.join(d, "calibration.json")))
    if not jobs:
        print(f"no MODEr/calibration.json under {root}", file=sys.stderr)
        return 2
    print("| job | probe per pass (us) | spread | faults/call | probe median / fresh 1 MiB | "
          "calibrate/fresh per size in 512K-2M | own fits median/p90 % (worst) | "
          "vendor allreduce fit median/p90 % |")
    print("|---|---|---:|---|---:|---|---|---|")
    for job in jobs:
        tag = os.path.basename(job)
        cal = json.load(open(os.path.join(job, "calibration.json")))
        drift = cal.get("host_drift", {})
        probes = drift.get("reference_us", [])
        faults = drift.get("minor_faults_per_call", [])
        fresh = fresh_medians(root, tag)
        probe_ratio = statistics.median(probes) / fresh[1048576] if probes and 1048576 in fresh else float("nan")
        ratios = []
        for r in rows(os.path.join(job, "results.json")):
            if (r["pattern"], r["algorithm"], r["dtype"]) == ("allreduce", "vendor", "float32") \
                    and r["bytes"] in SIZES and r["bytes"] in fresh:
                ratios.append((r["bytes"], r["time_us"]["median"] / fresh[r["bytes"]]))
        ratios.sort()
        worst = max(ratios, key=lambda x: abs(x[1] - 1))[1] if ratios else float("nan")
        own, vendor = [], ""
        for f in cal["fits"]:
            e = f["heldout_rel_err"]
            key = (f["pattern"], f["algorithm"])
            if f["pattern"] in ("allreduce", "reduce_scatter", "sendrecv") and f["algorithm"] != "vendor":
                own.append((e["median"], e["p90"], f"{f['pattern']}/{f['algorithm']} {f.get('dtype', '')}"))
            if key == ("allreduce", "vendor") and f.get("dtype") == "float32":
                vendor = f"{100 * e['median']:.1f} / {100 * e['p90']:.1f}"
        worst_own = max(own, key=lambda x: (x[1], x[0])) if own else None
        own_text = (f"{100 * statistics.median(x[0] for x in own):.1f} / "
                    f"{100 * statistics.median(x[1] for x in own):.1f} "
                    f"({worst_own[2]}: {100 * worst_own[0]:.1f} / {100 * worst_own[1]:.1f}); "
                    f"{sum(1 for x in own if x[0] <= 0.05 and x[1] <= 0.15)} of {len(own)} meet 5/15") if own else "-"
        print(f"| {tag} | {' '.join(f'{p:.0f}' for p in probes)} | {drift.get('spread', float('nan')):.2f} | "
              f"{' '.join(f'{x:.0f}' for x in faults)} | {probe_ratio:.2f} | "
              f"{' '.join(f'{b // 1024}K:{x:.2f}' for b, x in ratios)} (worst {worst:.2f}) | {own_text} | {vendor} |")
    watches = sorted(glob.glob(os.path.join(root, "host[0-9]*.txt")))
    if watches:
        print()
        print("| before run | bare MPI_Allreduce 1 MiB, no hockney (scripts/host_watch.c) |")
        print("|---|---|")
        for path in watches:
            summary = [l for l in open(path) if l.startswith("# ")]
            tag = os.path.basename(path)[4:-4]
            print(f"| {tag} | {summary[-1][2:].strip() if summary else '-'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
