#!/usr/bin/env python3
"""Summary of scripts/bench-pairs-uniform.sh: how many runs named something, and where a pair's
latency spread comes from. Usage: pairs_uniform_report.py DIR RUNS"""
import json
import statistics
import sys

d, runs = sys.argv[1], int(sys.argv[2])
named = 0
cells = []  # (run, pair, [latency per repeat])
share = {}  # (run, pair) -> fraction of samples with both ranks on one CPU
for r in range(1, runs + 1):
    rep = json.load(open(f"{d}/pairs{r}.json"))
    out = rep["outliers"]
    if out["hosts"] or out["links"]:
        named += 1
        for x in out["hosts"] + out["links"]:
            who = x.get("host") or f"{x['a']}-{x['b']}"
            print(f"run {r}: named {who} {x['metric']} {x['value']:.1f} against "
                  f"{x.get('expected', x.get('hosts_median')):.1f}, held in {x['held_in']}"
                  f" of {x['repeats']}")
    samples = [json.loads(line)["cpu"] for line in open(f"{d}/cpus{r}.jsonl")]
    for p in rep["pairs"]:
        if p["level"] != "network":
            continue
        key = (p["a"], p["b"])
        cells.append((r, key, p.get("latency_us_repeats", [p["latency_us"]])))
        both = [s for s in samples if str(p["a"]) in s and str(p["b"]) in s]
        if both:
            share[(r, key)] = sum(s[str(p["a"])] == s[str(p["b"])] for s in both) / len(both)

print(f"{named} of {runs} runs named a host or link on a uniform fabric")
# Spread of log latency: between (run, pair) cells against within them (repeats).
import math
allv = [math.log(v) for _, _, vs in cells for v in vs]
within = [math.log(v) - statistics.mean(math.log(x) for x in vs) for _, _, vs in cells for v in vs]
cellm = [statistics.mean(math.log(x) for x in vs) for _, _, vs in cells]
print(f"log-latency variance: total {statistics.pvariance(allv):.4f}, between run-pair cells "
      f"{statistics.pvariance(cellm):.4f}, within a cell (repeat to repeat) "
      f"{statistics.pvariance(within):.4f}")
# The pairs slowest in their run: their repeats and how often their ranks shared a CPU.
ranked = sorted(cells, key=lambda c: -statistics.median(c[2]))
print("slowest run-pair cells (median over repeats / the run's network median):")
for r, key, vs in ranked[:8]:
    runmed = statistics.median(statistics.median(c[2]) for c in cells if c[0] == r)
    print(f"  run {r:2d} pair {key[0]}-{key[1]}: {statistics.median(vs) / runmed:.2f}x "
          f"repeats [{', '.join(f'{v:.0f}' for v in vs)}] us; ranks on one CPU in "
          f"{100 * share.get((r, key), float('nan')):.0f}% of samples")
fr = [share[(r, k)] for r, k, _ in cells if (r, k) in share]
if fr:
    print(f"ranks of a pair on one CPU: median {100 * statistics.median(fr):.0f}% of samples "
          f"over {len(fr)} run-pair cells")
