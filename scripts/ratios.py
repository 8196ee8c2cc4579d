#!/usr/bin/python3
"""Median busbw of each algorithm as a ratio to `vendor` at each size.

ratios.py [--markdown] REPORT [REPORT ...]

Within one report every point was measured in the same run, so each ratio compares like with
like; with several reports (repeated runs) the table shows the median of the per-run ratios,
and the vendor's median busbw across runs."""
import json
import statistics
import sys


def main() -> int:
    markdown = "--markdown" in sys.argv
    paths = [a for a in sys.argv[1:] if a != "--markdown"]
    reports = [json.load(open(p)) for p in paths]
    algos = [a for a in reports[0]["config"]["algorithms"] if a != "vendor"]
    sizes = sorted({r["bytes"] for rep in reports for r in rep["results"]})
    head = ["bytes", "vendor busbw GB/s"] + [f"{a}" for a in algos] + ["best own"]
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---:|" * len(head))
    else:
        print("\t".join(head))
    for size in sizes:
        per_algo = {a: [] for a in algos}
        vendor_bw = []
        for rep in reports:
            by = {(r["algorithm"], r["bytes"]): r for r in rep["results"]}
            vendor = by.get(("vendor", size))
            if not vendor:
                continue
            vendor_bw.append(vendor["busbw_gbps"])
            for a in algos:
                if (a, size) in by:  # same bytes and factor: busbw ratio = inverse time ratio
                    per_algo[a].append(vendor["time_us"]["median"] / by[(a, size)]["time_us"]["median"])
        if not vendor_bw:
            continue
        ratios = [statistics.median(per_algo[a]) if per_algo[a] else float("nan") for a in algos]
        cells = [str(size), f"{statistics.median(vendor_bw):.3f}"] + [f"{x:.2f}" for x in ratios]
        cells.append(f"{max(ratios):.2f}")
        print(("| " + " | ".join(cells) + " |") if markdown else "\t".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
