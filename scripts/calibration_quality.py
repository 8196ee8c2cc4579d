#!/usr/bin/python3
"""Markdown tables of calibrate runs, for microbench/BENCHMARKS.md:
calibration_quality.py DIR  where DIR holds runN/calibration.json (hockney calibrate --out DIR/runN)
and, optionally, replayN-*.json (hockney replay --calibration DIR/runN/calibration.json --out ...).
Per fit: held-out median and p90 relative error per run and their medians, against the goal
(median <= 5%, p90 <= 15%); per replayed item: projected/measured per run and the median."""
import glob
import json
import os
import re
import statistics
import sys


def main() -> int:
    root = sys.argv[1]
    runs = sorted(glob.glob(os.path.join(root, "run*", "calibration.json")))
    if not runs:
        print(f"no run*/calibration.json under {root}", file=sys.stderr)
        return 2
    fits = {}
    for path in runs:
        for f in json.load(open(path))["fits"]:
            key = (f["pattern"], f["algorithm"], f.get("dtype", ""))
            e = f["heldout_rel_err"]
            fits.setdefault(key, []).append((e["median"], e["p90"], len(f["pieces"])))
    print(f"| pattern | algorithm | dtype | held-out median % (runs) | p90 % (runs) | median of medians | median of p90s | pieces | goal met |")
    print("|---|---|---|---|---|---:|---:|---|---|")
    for key in sorted(fits):
        v = fits[key]
        med = statistics.median(x[0] for x in v)
        p90 = statistics.median(x[1] for x in v)
        fmt = lambda i: " ".join(f"{100 * x[i]:.1f}" for x in v)
        pieces = " ".join(str(x[2]) for x in v)
        met = "yes" if med <= 0.05 and p90 <= 0.15 else "no"
        print(f"| {key[0]} | {key[1]} | {key[2]} | {fmt(0)} | {fmt(1)} | {100 * med:.1f} | {100 * p90:.1f} | {pieces} | {met} |")
    replays = sorted(glob.glob(os.path.join(root, "replay*-*.json")))
    if replays:
        items = {}
        for path in replays:
            tag = re.sub(r"^replay\d+-", "", os.path.basename(path))[:-5]
            r = json.load(open(path))
            for it in r["items"]:
                key = (tag, r["model"], it["group"], it["pattern"], it["bytes"])
                items.setdefault(key, []).append((it["projected_over_measured"], it["algorithm"]))
        print()
        print("| replay | model | group | collective | bytes | projected/measured (algorithm), per run | median | within 10% |")
        print("|---|---|---|---|---:|---|---:|---|")
        for key in sorted(items):
            v = items[key]
            m = statistics.median(x[0] for x in v)
            runs = ", ".join(f"{x[0]:.2f} ({x[1]})" for x in v)
            print(f"| {key[0]} | {key[1]} | {key[2]} | {key[3]} | {key[4]} | {runs} | {m:.2f} | "
                  f"{'yes' if abs(m - 1) <= 0.10 else 'no'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
