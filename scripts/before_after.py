#!/usr/bin/python3
"""New against old, run by run: before_after.py DIR RUNS  where DIR holds old1..oldN.json and
new1..newN.json of the same sweep (scripts/bench-before-after.sh), measured interleaved. Per
algorithm: the median time of the new binary over the old one's, per size as the median of the
per-run ratios, then their median and range over sizes; and the old binary's own spread (its
runs against each other), the noise the first must be read against."""
import json
import statistics
import sys


def times(path):
    return {(r["algorithm"], r["bytes"]): r["time_us"]["median"]
            for r in json.load(open(path))["results"]}


def main() -> int:
    root, runs = sys.argv[1], int(sys.argv[2])
    old = [times(f"{root}/old{i}.json") for i in range(1, runs + 1)]
    new = [times(f"{root}/new{i}.json") for i in range(1, runs + 1)]
    print("| algorithm | new/old per size: median | range | old run to run: median spread |")
    print("|---|---:|---|---:|")
    for algo in sorted({a for a, _ in old[0]}):
        sizes = sorted(b for a, b in old[0] if a == algo)
        ratios, spreads = [], []
        for b in sizes:
            per_run = [n[(algo, b)] / o[(algo, b)] for o, n in zip(old, new) if (algo, b) in n]
            ratios.append(statistics.median(per_run))
            olds = [o[(algo, b)] for o in old]
            spreads.append(max(olds) / min(olds))
        print(f"| {algo} | {statistics.median(ratios):.3f} | {min(ratios):.2f}–{max(ratios):.2f} | "
              f"{statistics.median(spreads):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
