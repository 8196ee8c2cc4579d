#!/usr/bin/python3
"""Markdown tables of calibrate runs, for microbench/BENCHMARKS.md:
calibration_quality.py DIR  where DIR holds runN/calibration.json (hockney calibrate --out DIR/runN)
and, optionally, replayN-*.json (hockney replay --calibration DIR/runN/calibration.json --out ...).
Per fit: held-out median and p90 relative error per run and their medians, against the goal
(median <= 5%, p90 <= 15%); per replayed item and per group's step: projected/measured per run and
the median, with the host's speed during each replay against its calibration."""
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
        # Per item, and per group's step (a bucketed DP item is several calls), beside the host's
        # speed during each replay against its calibration (calibrate's drift probe, replayed).
        items, groups = {}, {}
        for path in replays:
            tag = re.sub(r"^replay\d+-", "", os.path.basename(path))[:-5]
            r = json.load(open(path))
            host = (r.get("host_speed") or {}).get("replay_over_calibration")
            for it in r["items"]:
                key = (tag, r["model"], it["group"], it["pattern"], it["bytes"])
                items.setdefault(key, []).append((it["projected_over_measured"], it["algorithm"]))
            for g, v in r["groups"].items():
                if v["measured_ms"] > 0:
                    groups.setdefault((tag, r["model"], g), []).append(
                        (v["projected_ms"] / v["measured_ms"], host))
        tables = [
            ("| replay | model | group | collective | bytes | projected/measured (algorithm), per run | median | within 10% |",
             "|---|---|---|---|---:|---|---:|---|", items,
             lambda x: f"{x[0]:.2f} ({x[1]})"),
            ("| replay | model | group | projected/measured per step, per run (host probe: replay/calibration) | median | within 10% |",
             "|---|---|---|---|---:|---|", groups,
             lambda x: f"{x[0]:.2f}" + (f" ({x[1]:.2f})" if x[1] else "")),
        ]
        for head, rule, table, cell in tables:
            print()
            print(head)
            print(rule)
            for key in sorted(table):
                v = table[key]
                m = statistics.median(x[0] for x in v)
                cells = " | ".join(str(k) for k in key)
                print(f"| {cells} | {', '.join(cell(x) for x in v)} | {m:.2f} | "
                      f"{'yes' if abs(m - 1) <= 0.10 else 'no'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
