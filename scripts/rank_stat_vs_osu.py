#!/usr/bin/env python3
"""Tabulates scripts/bench-rank-stat.sh: per size and statistic, hockney's mean and median over
rounds' medians against OSU's Avg/Min/Max (median over rounds), as ratios hockney / OSU.

OSU -f: each rank's mean latency over its iterations, then the average, minimum and maximum of
those over ranks. hockney: each sample (a barrier, then calls_per_sample calls) taken across
ranks by --rank-stat, then summarised over samples. hockney avg's mean is OSU's Avg by
definition (a mean of means); max and min differ in order (per sample across ranks, against
across ranks of per-rank means), so hockney max >= OSU Max and hockney min <= OSU Min."""
import json
import re
import statistics
import sys


def osu_rows(path):
    rows = {}
    for line in open(path):
        m = re.match(r"\s*(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)", line)
        if m:
            rows[int(m[1])] = {"avg": float(m[2]), "min": float(m[3]), "max": float(m[4])}
    return rows


def main():
    out, rounds = sys.argv[1], int(sys.argv[2])
    osu = [osu_rows(f"{out}/osu{r}.txt") for r in range(1, rounds + 1)]
    hockney = {}
    for stat in ("max", "avg", "min", "rank0"):
        hockney[stat] = []
        for r in range(1, rounds + 1):
            rep = json.load(open(f"{out}/hockney-{stat}{r}.json"))
            assert all(x["rank_stat"] == stat for x in rep["results"]), "rank_stat not recorded"
            hockney[stat].append({x["bytes"]: x["time_us"] for x in rep["results"]})
    sizes = sorted(osu[0])
    print("| size | OSU Avg us | hockney avg mean / OSU Avg | avg median / Avg | OSU Min us | "
          "min mean / OSU Min | OSU Max us | max mean / OSU Max | max median / Max | "
          "rank0 median / Avg |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ratios = {k: [] for k in ("avg_mean", "avg_median", "min_mean", "max_mean", "max_median")}
    for b in sizes:
        o = {k: statistics.median(r[b][k] for r in osu) for k in ("avg", "min", "max")}
        h = {s: {k: statistics.median(run[b][k] for run in hockney[s]) for k in ("mean", "median")}
             for s in hockney}
        row = {"avg_mean": h["avg"]["mean"] / o["avg"], "avg_median": h["avg"]["median"] / o["avg"],
               "min_mean": h["min"]["mean"] / o["min"], "max_mean": h["max"]["mean"] / o["max"],
               "max_median": h["max"]["median"] / o["max"]}
        for k, v in row.items():
            ratios[k].append(v)
        print(f"| {b} | {o['avg']:.2f} | {row['avg_mean']:.2f} | {row['avg_median']:.2f} | "
              f"{o['min']:.2f} | {row['min_mean']:.2f} | {o['max']:.2f} | {row['max_mean']:.2f} | "
              f"{row['max_median']:.2f} | {h['rank0']['median'] / o['avg']:.2f} |")
    for k, v in ratios.items():
        within = sum(1 for x in v if abs(x - 1) <= 0.1)
        print(f"{k}: median ratio {statistics.median(v):.2f}, within 10% at {within} of {len(v)} sizes")


if __name__ == "__main__":
    main()
