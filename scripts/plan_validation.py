#!/usr/bin/env python3
"""hockney plan against the iteration times Korthikanti et al. 2022 measured on Selene.

Table 5 of arXiv 2205.05198 (also encoded in calculon-ai/calculon validation/seqsel/tab5/): DGX
A100 80 GB, 8 GPUs per node, fp16, sequence 2048, dp = 1, micro-batch 1 unless said; the time of
one iteration with full recomputation, and with sequence parallelism + selective recomputation.

  scripts/plan_validation.py [--hockney build/hockney] [--calibration ref:a100-node]
                             [--markdown] [--out-dir DIR] [--check MAX_ROW MAX_MEAN]

Prints per row the command, the predicted and measured step and the error; --check exits 1 when
a row's error or the mean exceeds the bounds given (fractions).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

# (model, gpus, tp, pp, interleave, global batch, micro-batch, full recompute s, sp+selective s)
ROWS = [
    ("megatron-22b", 8, 8, 1, 1, 4, 4, 1.42, 1.10),
    ("gpt3-175b", 64, 8, 8, 3, 64, 1, 18.13, 13.75),
    ("mt-nlg-530b", 280, 8, 35, 3, 280, 1, 49.05, 37.83),
    ("megatron-1t", 512, 8, 64, 1, 512, 1, 94.42, 71.49),
]
SOURCE = "Korthikanti et al. 2022, arXiv 2205.05198, Table 5 (Selene, DGX A100 80 GB)"


def command(hockney, calibration, row, mode, out):
    model, gpus, tp, pp, v, batch, mb, _, _ = row
    cmd = [hockney, "plan", "--model", model, "--layout", f"tp={tp},pp={pp},dp={gpus // (tp * pp)}",
           "--gpu-type", "a100-80gb", "--gpus-per-node", "8", "--global-batch", str(batch),
           "--micro-batch", str(mb), "--seq-len", "2048", "--dtype", "float16"]
    if v > 1:
        cmd += ["--interleave", str(v)]
    cmd += ["--recompute", "full"] if mode == "full" else ["--recompute", "selective",
                                                           "--sequence-parallel"]
    for c in calibration:
        cmd += ["--calibration", c]
    return cmd + ["--out", out]


def step_seconds(cmd):
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"plan_validation: {' '.join(cmd)} failed ({run.returncode}):\n{run.stderr}")
    with open(cmd[cmd.index("--out") + 1]) as f:
        return json.load(f)["step"]["step_ms"] / 1e3


def needed_efficiency(cmd, measured):
    """Bisection on --compute-efficiency: the step falls as the efficiency rises."""
    lo, hi = 0.05, 1.0
    for _ in range(30):
        mid = (lo + hi) / 2
        if step_seconds(cmd + ["--compute-efficiency", f"{mid:.6f}"]) > measured:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def search(args, calibration, out_dir):
    """Part 2's check: the published layout, or one within 5% of it, ranks first."""
    print("| model | GPUs | recompute | published layout | its rank | its step s | best layout | "
          "best step s | published / best | first within 5% | flagged levels |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in ROWS:
        model, gpus, tp, pp, v, batch, mb = row[:7]
        for mode in ("full", "sp+selective"):
            out = os.path.join(out_dir, f"search-{model}-{mode.replace('+', '-')}.json")
            cmd = [args.hockney, "plan", "--model", model, "--gpus", str(gpus), "--gpu-type",
                   "a100-80gb", "--gpus-per-node", "8", "--global-batch", str(batch), "--seq-len",
                   "2048", "--dtype", "float16", "--out", out]
            cmd += ["--recompute", "full"] if mode == "full" else ["--recompute", "selective",
                                                                   "--sequence-parallel"]
            for c in calibration:
                cmd += ["--calibration", c]
            run = subprocess.run(cmd, capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit(f"plan_validation: {' '.join(cmd)} failed ({run.returncode}):\n{run.stderr}")
            with open(out) as f:
                ranked = json.load(f)["counts"][0]["fabrics"][0]["ranked"]
            published = [i for i, r in enumerate(ranked)
                         if (r["tp"], r["pp"], r["dp"], r["interleave"], r["micro_batch"], r["zero"],
                             r["sequence_parallel"])
                         == (tp, pp, gpus // (tp * pp), v, mb, 0, mode != "full")]
            best = ranked[0]
            if published:
                i = published[0]
                pub = ranked[i]
                ratio = pub["step_ms"] / best["step_ms"]
                print(f"| {model} | {gpus} | {mode} | tp={tp},pp={pp},v={v},mb={mb} | {i + 1} of "
                      f"{len(ranked)} | {pub['step_ms'] / 1e3:.2f} | {best['layout']} | "
                      f"{best['step_ms'] / 1e3:.2f} | {ratio:.3f} | "
                      f"{'yes' if ratio <= 1.05 else 'no'} | "
                      f"{'best' if best['priced_with_other_levels'] else '-'} |")
            else:
                print(f"| {model} | {gpus} | {mode} | tp={tp},pp={pp},v={v},mb={mb} | not "
                      f"enumerated or does not fit | - | {best['layout']} | "
                      f"{best['step_ms'] / 1e3:.2f} | - | - | - |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hockney", default="build/hockney")
    ap.add_argument("--calibration", action="append", default=None)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--out-dir")
    ap.add_argument("--check", nargs=2, type=float, metavar=("MAX_ROW", "MAX_MEAN"))
    ap.add_argument("--search", action="store_true",
                    help="instead: search every layout of each row (GPUs, batch and recomputation "
                         "fixed) and say where the published layout ranks")
    ap.add_argument("--needed-efficiency", action="store_true",
                    help="also find, per row, the GEMM efficiency (--compute-efficiency) at which "
                         "the prediction meets the measurement: a diagnosis of the miss, never "
                         "the default")
    args = ap.parse_args()
    calibration = args.calibration or ["ref:a100-node"]
    out_dir = args.out_dir or tempfile.mkdtemp(prefix="plan-validation-")
    os.makedirs(out_dir, exist_ok=True)
    if args.search:
        search(args, calibration, out_dir)
        if not args.out_dir:
            shutil.rmtree(out_dir, ignore_errors=True)
        return
    results = []
    for row in ROWS:
        for mode, measured in (("full", row[7]), ("sp+selective", row[8])):
            out = os.path.join(out_dir, f"{row[0]}-{mode.replace('+', '-')}.json")
            cmd = command(args.hockney, calibration, row, mode, out)
            step_seconds(cmd)
            with open(out) as f:
                plan = json.load(f)
            step = plan["step"]
            predicted = step["step_ms"] / 1e3
            need = needed_efficiency(cmd, measured) if args.needed_efficiency else None
            results.append((row, mode, measured, predicted, (predicted - measured) / measured,
                            step, plan["memory"]["total_bytes"], cmd, need))
    if args.markdown:
        extra = " GEMM efficiency that meets it |" if args.needed_efficiency else ""
        print(f"| model | GPUs | tp·pp·v | recompute | measured s | predicted s | error | compute s | "
              f"bubble s | exposed comm s | MFU | memory GB |{extra}")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|" + ("---|" if extra else ""))
    for row, mode, measured, predicted, err, step, mem, cmd, need in results:
        if args.markdown:
            print(f"| {row[0]} | {row[1]} | {row[2]}·{row[3]}·{row[4]} | {mode} | {measured:.2f} | "
                  f"{predicted:.2f} | {err * 100:+.1f}% | {step['compute_ms'] / 1e3:.2f} | "
                  f"{step['bubble_ms'] / 1e3:.2f} | {step['exposed_communication_ms'] / 1e3:.2f} | "
                  f"{step['mfu'] * 100:.1f}% | {mem / 1e9:.1f} |" +
                  (f" {need * 100:.1f}% |" if need is not None else ""))
        else:
            print(f"{row[0]:12} {mode:13} measured {measured:6.2f} s predicted {predicted:7.2f} s "
                  f"error {err * 100:+6.1f}%  (compute {step['compute_ms'] / 1e3:.2f}, bubble "
                  f"{step['bubble_ms'] / 1e3:.2f}, exposed comm "
                  f"{step['exposed_communication_ms'] / 1e3:.2f}, MFU {step['mfu'] * 100:.1f}%)" +
                  (f" meets it at GEMM efficiency {need * 100:.1f}%" if need is not None else ""))
    errors = [abs(r[4]) for r in results]
    mean, worst = sum(errors) / len(errors), max(errors)
    print(f"{'' if not args.markdown else chr(10)}mean |error| {mean * 100:.1f}%, max "
          f"{worst * 100:.1f}% over {len(errors)} rows ({SOURCE}); calibration "
          f"{', '.join(calibration)}")
    if not args.out_dir:
        shutil.rmtree(out_dir, ignore_errors=True)
    if args.check and (worst > args.check[0] or mean > args.check[1]):
        sys.exit(f"plan_validation: max {worst * 100:.1f}% or mean {mean * 100:.1f}% beyond "
                 f"{args.check[0] * 100:.0f}% / {args.check[1] * 100:.0f}%")


if __name__ == "__main__":
    main()
