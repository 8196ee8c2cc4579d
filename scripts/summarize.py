#!/usr/bin/python3
"""Small tables from hockney reports for microbench/BENCHMARKS.md.

summarize.py ps REPORT                # single vs sharded: median time, push/pull phases
summarize.py pipeline PIPE PINGPONG   # per-transfer time of each schedule vs one-way pingpong"""
import json
import sys


def rows(path):
    return json.load(open(path))["results"]


def ps(path):
    print("| bytes | algorithm | servers | median us | push us | pull us | sharded speed-up |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    by = {}
    for r in rows(path):
        by.setdefault(r["bytes"], {})[r["algorithm"]] = r
    for size in sorted(by):
        single = by[size].get("single")
        for algo, r in sorted(by[size].items()):
            ph = r["details"].get("phase_median_us", {})
            speed = (f"{single['time_us']['median'] / r['time_us']['median']:.2f}"
                     if single and algo == "sharded" else "")
            print(f"| {size} | {algo} | {r['details']['servers']} | {r['time_us']['median']:.1f} | "
                  f"{ph.get('push', 0):.1f} | {ph.get('pull', 0):.1f} | {speed} |")


def pipeline(pipe_path, pp_path):
    pp = {r["bytes"]: r for r in rows(pp_path) if r["algorithm"] == "pingpong"}
    print("| bytes | schedule | stages x micro-batches | schedule us | transfer us per boundary transfer | pingpong one-way us | ratio |")
    print("|---:|---|---|---:|---:|---:|---:|")
    for r in rows(pipe_path):
        d = r["details"]
        ph = d.get("phase_median_us", {})
        transfers = (ph.get("forward_transfers", 0) + ph.get("backward_transfers", 0) +
                     ph.get("paired_transfers", 0))
        # an interior stage sends and receives one activation and one gradient per micro-batch:
        # 4·M messages, in 2·M (gpipe) to 2·M+1 (1f1b) steps; per boundary transfer = steps' time / (2·M)
        per = transfers / (2 * d["microbatches"])
        one_way = pp.get(r["bytes"], {}).get("time_us", {}).get("median", float("nan"))
        print(f"| {r['bytes']} | {d['schedule']} | {d['stages']} x {d['microbatches']} | "
              f"{r['time_us']['median']:.1f} | {per:.1f} | {one_way:.1f} | {per / one_way:.2f} |")


if __name__ == "__main__":
    if sys.argv[1] == "ps":
        ps(sys.argv[2])
    else:
        pipeline(sys.argv[2], sys.argv[3])
