#!/usr/bin/env python3
"""hockney plot: figures next to hockney's JSON reports (matplotlib, Agg).

Each input is read by its "kind":
  results       busbw against message size per algorithm (log x) and time against size (log-log),
                one figure pair per pattern; two results reports: their busbw side by side
  calibration   measured time (from the results it was fitted on) against the fitted model per
                algorithm, regime breaks marked
  comparison    bandwidth of every fit on A against B, and the projected step under each
  pair_matrix   bandwidth and latency of every rank pair as heat maps, outliers marked
  step_cost     the projected step per group, stacked by collective kind
  plan          one layout's step (compute, bubble, each group's exposed communication, optimizer)
                and its memory per GPU against the GPU's
  plan_search   the best step per fabric against the GPU count, and the best layouts' breakdowns
Usage: plot.py [--out-dir DIR] [--format png,svg] REPORT...
Prints the path of every figure written."""
import argparse
import json
import math
import os
import sys

try:
    import matplotlib
except ImportError:
    print("hockney plot: matplotlib is missing: install Debian's python3-matplotlib "
             "(bash scripts/install-deps.sh), or set HOCKNEY_PYTHON to a python that has it",
          file=sys.stderr)
    sys.exit(2)

matplotlib.use("Agg")
import matplotlib.colors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402


def die(message):
    """Bad input: the message and exit code 2, as every hockney subcommand."""
    print(message, file=sys.stderr)
    sys.exit(2)


def size_label(b, _pos=None):
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= scale:
            v = b / scale
            return f"{v:.0f} {unit}" if v == int(v) else f"{v:.1f} {unit}"
    return f"{b:.0f} B"


def log_time_axis(ax):
    ax.set_yscale("log")
    plain = FuncFormatter(lambda v, _pos: f"{v:g}")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _pos: f"{v:g}" if str(v)[0] in "25" else ""))
    ax.tick_params(axis="y", which="minor", labelsize=7)


def size_axis(ax):
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_formatter(FuncFormatter(size_label))
    ax.tick_params(axis="x", labelrotation=45)
    ax.set_xlabel("message size")
    ax.grid(True, which="major", alpha=0.3)


class Writer:
    def __init__(self, out_dir, formats):
        self.out_dir, self.formats, self.written = out_dir, formats, []

    def save(self, fig, stem):
        try:
            os.makedirs(self.out_dir, exist_ok=True)
            for fmt in self.formats:
                path = os.path.join(self.out_dir, f"{stem}.{fmt}")
                fig.savefig(path, dpi=130, bbox_inches="tight")
                self.written.append(path)
        except OSError as e:
            die(f"hockney plot: cannot write figures to {self.out_dir}: {e.strerror or e}")
        plt.close(fig)


# What each kind must hold for its figures: (key, type) at the top level, and the keys every row
# of its list has. A report missing one is named, not a traceback.
REQUIRED = {
    "results": ([("results", list)], ("results", ["pattern", "algorithm", "bytes", "time_us",
                                                  "busbw_gbps"])),
    "calibration": ([("fits", list)], ("fits", ["pattern", "algorithm"])),
    "comparison": ([], None),
    "pair_matrix": ([("pairs", list)], ("pairs", ["a", "b", "bandwidth_gbps", "latency_us"])),
    "step_cost": ([("groups", dict), ("total_ms", (int, float))], None),
    "plan": ([("step", dict), ("memory", dict), ("gpu", dict), ("exposed", dict),
              ("layout", dict), ("model", dict), ("options", dict)], None),
    "plan_search": ([("counts", list), ("fabrics", list), ("model", dict), ("gpu", dict)], None),
}


def check_shape(path, report):
    kind = report["kind"]
    if kind not in REQUIRED:
        return
    fields, rows = REQUIRED[kind]
    for key, typ in fields:
        if not isinstance(report.get(key), typ):
            die(f"hockney plot: {path}: a {kind} report needs {key!r} "
                f"({'missing' if key not in report else 'of the wrong type'})")
    if rows:
        key, needed = rows
        for i, row in enumerate(report[key]):
            if not isinstance(row, dict):
                die(f"hockney plot: {path}: {key}[{i}] is not an object")
            missing = [k for k in needed if k not in row]
            if missing:
                die(f"hockney plot: {path}: {key}[{i}] has no {', '.join(missing)}")
    if kind == "results" and not report["results"]:
        die(f"hockney plot: {path}: the results report has no rows: nothing to draw")


def title_of(report, path):
    hosts = report.get("hosts") or []
    return (f"{os.path.basename(path)}: {report.get('ranks', '?')} ranks on "
            f"{len(hosts) or '?'} host(s)")


def series(rows, key):
    """{(pattern, algorithm/backend/dtype): [(bytes, value)]} of rows that passed."""
    out = {}
    for r in rows:
        if r.get("check") == "fail":
            continue
        label = r["algorithm"] if r.get("backend", "mpi") == "mpi" else f"{r['algorithm']} ({r['backend']})"
        if r.get("dtype") not in (None, "float32"):
            label += f" {r['dtype']}"
        out.setdefault(r["pattern"], {}).setdefault(label, []).append((r["bytes"], key(r)))
    return out


def draw_lines(ax, by_label):
    """One line per algorithm: {label: [(bytes, value)]}."""
    for label, pts in sorted(by_label.items()):
        pts.sort()
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3, label=label)
    size_axis(ax)


def plot_results(reports, w):
    busbw = lambda r: r["busbw_gbps"]
    time = lambda r: r["time_us"]["median"]
    if len(reports) == 2:
        (pa, a), (pb, b) = reports
        sa, sb = series(a["results"], busbw), series(b["results"], busbw)
        for pattern in sorted(set(sa) & set(sb)):
            fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), sharey=True)
            for ax, (path, s) in zip(axes, ((pa, sa), (pb, sb))):
                draw_lines(ax, s[pattern])
                ax.set_title("/".join(os.path.abspath(path).split(os.sep)[-3:]), fontsize=10)
            axes[0].set_ylabel("bus bandwidth (GB/s)")
            axes[1].legend(fontsize=8)
            fig.suptitle(f"{pattern}: bus bandwidth, side by side")
            w.save(fig, f"{pattern}-busbw-side-by-side")
        return
    for path, report in reports:
        stem = os.path.splitext(os.path.basename(path))[0]
        for key, ylabel, what, suffix, log_y in (
                (busbw, "bus bandwidth (GB/s)", "bus bandwidth", "busbw", False),
                (time, "time per call, median (µs)", "latency", "time", True)):
            for pattern, s in series(report["results"], key).items():
                fig, ax = plt.subplots(figsize=(8, 4.8))
                draw_lines(ax, s)
                if log_y:
                    log_time_axis(ax)
                ax.set_ylabel(ylabel)
                ax.set_title(f"{pattern} {what} — {title_of(report, path)}", fontsize=10)
                ax.legend(fontsize=8)
                w.save(fig, f"{stem}-{pattern}-{suffix}")


def predicted_us(fit, row):
    """The fit's time for a row: t = a·α + b·β (+ c·γ), a, b, c from the row's cost, or α' + n·β'
    for black boxes."""
    n = row["bytes"]
    piece = next((p for p in fit["pieces"] if n >= p["from_bytes"] and
                  (p["to_bytes"] is None or n < p["to_bytes"])), fit["pieces"][-1])
    cost = row.get("cost")
    if fit.get("black_box") or not cost:
        a, b, c = 1.0, float(n), 0.0
    else:
        a, b, c = cost["alpha_count"], cost["beta_bytes"], cost["gamma_bytes"]
    t = a * piece["alpha_s"] + b * piece["beta_s_per_byte"] + c * piece.get("gamma_s_per_byte", 0.0)
    return t * 1e6


def plot_calibration(path, cal, w):
    rows_by_source = {}
    for fit in cal["fits"]:
        for src in fit.get("sources", []):
            if src not in rows_by_source:
                # Where fit read it, or beside the calibration (a folder moved or copied).
                for candidate in (src, os.path.join(os.path.dirname(path), os.path.basename(src))):
                    try:
                        rows_by_source[src] = json.load(open(candidate)).get("results", [])
                        break
                    except (OSError, ValueError):
                        rows_by_source[src] = None
    stem = os.path.splitext(os.path.basename(path))[0]
    missing = sorted(src for src, rows in rows_by_source.items() if rows is None)
    if missing:
        print(f"note: {path}: measured rows not found ({', '.join(missing)}, nor beside the "
              "calibration): fitted models only", file=sys.stderr)
    groups = {}
    for fit in cal["fits"]:
        groups.setdefault((fit["pattern"], fit["level"], fit.get("dtype", "")), []).append(fit)
    for (pattern, level, dtype), fits in sorted(groups.items()):
        cols = min(3, len(fits))
        rows_n = math.ceil(len(fits) / cols)
        fig, axes = plt.subplots(rows_n, cols, figsize=(5 * cols, 3.8 * rows_n), squeeze=False)
        for ax, fit in zip(axes.flat, fits):
            pts = []
            for src in fit.get("sources", []):
                for r in rows_by_source.get(src) or []:
                    if (r["pattern"], r["algorithm"], r.get("dtype"), r.get("backend")) == \
                            (fit["pattern"], fit["algorithm"], fit.get("dtype"), fit.get("backend")) \
                            and r.get("level", "world") in (fit["level"], "") and r.get("check") != "fail":
                        pts.append((r["bytes"], r["time_us"]["median"], predicted_us(fit, r)))
            pts.sort()
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], "o", ms=4, label="measured (median)")
                ax.plot([p[0] for p in pts], [p[2] for p in pts], "-", label="fitted model")
            for brk in fit.get("breaks_bytes", []):
                ax.axvline(brk, color="grey", ls="--", lw=1)
            size_axis(ax)
            log_time_axis(ax)
            ax.set_ylabel("time per call (µs)")
            err = fit.get("heldout_rel_err", {}).get("p90")
            ax.set_title(f"{fit['algorithm']} ({fit.get('backend')}): R² {fit.get('r2', float('nan')):.2f}"
                         + (f", held-out p90 {err * 100:.0f}%" if err is not None else ""), fontsize=9)
            ax.legend(fontsize=7)
        for ax in list(axes.flat)[len(fits):]:
            ax.axis("off")
        fig.suptitle(f"{pattern} at level {level} {dtype}: measured against fitted (dashed: regime breaks)"
                     + ("" if rows_by_source and any(rows_by_source.values()) else " — results not found, fits only"))
        fig.tight_layout()
        w.save(fig, f"{stem}-{pattern}-{level}-{dtype or 'any'}-fit")


def side_name(path, fallback):
    """A comparison side's label: a reference fabric's name, else the folder above the file's."""
    if path.startswith("ref:"):
        return path
    return os.path.basename(os.path.dirname(os.path.dirname(path))) or fallback


def plot_comparison(path, c, w):
    stem = os.path.splitext(os.path.basename(path))[0]
    a_name, b_name = side_name(c.get("a", "A"), "A"), side_name(c.get("b", "B"), "B")
    fits = [f for f in c.get("fits", []) if f["a"].get("bandwidth_gbps") and f["b"].get("bandwidth_gbps")]
    if fits:
        labels = [f"{f['pattern']}/{f['algorithm']}\n{f['level']}" for f in fits]
        fig, ax = plt.subplots(figsize=(max(7, 0.9 * len(fits)), 4.8))
        x = range(len(fits))
        ax.bar([i - 0.2 for i in x], [f["a"]["bandwidth_gbps"] for f in fits], 0.4, label=f"A: {a_name}")
        ax.bar([i + 0.2 for i in x], [f["b"]["bandwidth_gbps"] for f in fits], 0.4, label=f"B: {b_name}")
        for i, f in enumerate(fits):
            ax.annotate(f"×{1 / f['bandwidth_ratio_b_over_a']:.2f}", (i, max(f["a"]["bandwidth_gbps"], f["b"]["bandwidth_gbps"])),
                        ha="center", va="bottom", fontsize=7)
        ax.set_xticks(list(x))
        ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
        ax.set_ylabel("fitted bandwidth, large messages (GB/s)")
        ax.set_title(f"A against B (labels: A/B): {os.path.basename(path)}", fontsize=10)
        ax.legend()
        w.save(fig, f"{stem}-bandwidth")
    p = c.get("projection")
    if p:
        plot_step_groups([(f"A: {a_name}", p["a"]), (f"B: {b_name}", p["b"])],
                         f"{p.get('model', '')} step communication under each", w, f"{stem}-projection")


def plot_step_groups(items, title, w, stem):
    groups = sorted({g for _, s in items for g in s["groups"]})
    fig, ax = plt.subplots(figsize=(7, 4.8))
    bottoms = [0.0] * len(items)
    for g in groups:
        vals = [s["groups"].get(g, {}).get("time_ms", 0.0) for _, s in items]
        shown = " / ".join(f"{v:.1f}" for v in vals)
        ax.bar([name for name, _ in items], vals, 0.5, bottom=bottoms, label=f"{g}: {shown} ms")
        bottoms = [b + v for b, v in zip(bottoms, vals)]
    for i, (_, s) in enumerate(items):
        ax.annotate(f"{s['total_ms']:.1f} ms", (i, bottoms[i]), ha="center", va="bottom", fontsize=9)
    ax.set_ylabel("communication per training step (ms)")
    ax.set_title(title, fontsize=10)
    ax.legend(title="group")
    w.save(fig, stem)


def plot_step(path, s, w):
    stem = os.path.splitext(os.path.basename(path))[0]
    layout = s.get("layout", {})
    name = s.get("model", {}).get("name", "") if isinstance(s.get("model"), dict) else s.get("model", "")
    keys = ("tp", "pp", "dp", "ep")
    lay = (",".join(f"{k}={layout[k]}" for k in keys if k in layout) if isinstance(layout, dict)
           else str(layout))
    if isinstance(layout, dict) and "gpus" in layout:
        lay += f" ({layout['gpus']} GPUs, {layout.get('gpus_per_node', '?')} per node)"
    plot_step_groups([(lay or "step", s)], f"{name} {lay}: communication per step by group", w, f"{stem}-groups")


def plot_plan(path, p, w):
    """The step broken down (one stacked bar) beside the memory per GPU (another)."""
    stem = os.path.splitext(os.path.basename(path))[0]
    step, mem, gpu = p["step"], p["memory"], p["gpu"]
    lay = p["layout"]
    title = (f"{p['model']['name']} tp={lay['tp']} pp={lay['pp']} dp={lay['dp']} on {lay['gpus']} x "
             f"{gpu['name']}, recompute {p['options']['recompute']}")
    parts = [("compute", step["compute_ms"]), ("pipeline bubble", step["bubble_ms"])]
    parts += [(f"{g} exposed", e["exposed_ms"]) for g, e in sorted(p["exposed"].items())
              if e["exposed_ms"] > 0]
    parts.append(("optimizer", step["optimizer_ms"]))
    fig, (ax, am) = plt.subplots(1, 2, figsize=(10, 5), gridspec_kw={"width_ratios": [3, 2]})
    bottom = 0.0
    for label, ms in parts:
        ax.bar(["step"], [ms / 1e3], 0.5, bottom=bottom, label=f"{label}: {ms / 1e3:.2f} s")
        bottom += ms / 1e3
    ax.annotate(f"{step['step_ms'] / 1e3:.2f} s, MFU {step['mfu'] * 100:.1f}%", (0, bottom),
                ha="center", va="bottom", fontsize=9)
    ax.set_ylabel("seconds per training step")
    ax.legend(fontsize=8)
    bottom = 0.0
    for label, key in (("weights", "weights_bytes"), ("gradients", "gradients_bytes"),
                       ("optimizer state", "optimizer_bytes"), ("activations", "activations_bytes")):
        gb = mem[key] / 1e9
        am.bar(["memory"], [gb], 0.5, bottom=bottom, label=f"{label}: {gb:.1f} GB")
        bottom += gb
    am.axhline(gpu["hbm_gb"], color="red", ls="--", lw=1)
    am.annotate(f"{gpu['name']}: {gpu['hbm_gb']:.0f} GB", (0, gpu["hbm_gb"]), ha="center",
                va="bottom", fontsize=8, color="red")
    am.set_ylabel("GB per GPU (most loaded stage)")
    am.legend(fontsize=8, loc="lower right")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    w.save(fig, f"{stem}-plan")


def step_parts(best):
    step = best["step"]
    parts = [("compute", step["compute_ms"]), ("pipeline bubble", step["bubble_ms"])]
    parts += [(f"{g} exposed", e["exposed_ms"]) for g, e in sorted(best["exposed"].items())]
    parts.append(("optimizer", step["optimizer_ms"]))
    return parts


def plot_plan_search(path, r, w):
    stem = os.path.splitext(os.path.basename(path))[0]
    names = [f["fabric"] for f in r["fabrics"]]
    fig, ax = plt.subplots(figsize=(7, 4.8))
    for i, name in enumerate(names):
        pts = [(c["gpus"], c["fabrics"][i]["ranked"][0]["step_ms"] / 1e3) for c in r["counts"]
               if c["fabrics"][i]["ranked"]]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=name)
            for g, t in pts:
                ax.annotate(f"{t:.2f} s", (g, t), textcoords="offset points",
                            xytext=(6, 4 - 12 * i), fontsize=8, color=ax.lines[-1].get_color())
    ax.set_xscale("log", base=2)
    counts = [c["gpus"] for c in r["counts"]]
    ax.set_xticks(counts)
    ax.set_xticklabels([str(c) for c in counts])
    ax.minorticks_off()
    ax.set_xlabel("GPUs")
    ax.set_ylabel("best layout's step (s)")
    ax.set_title(f"{r['model']['name']} on {r['gpu']['name']}: the best layout per GPU count", fontsize=10)
    ax.legend(title="fabric")
    w.save(fig, f"{stem}-best")
    bars = [(f"{c['gpus']} GPUs\n{f['fabric']}", f["best"]) for c in r["counts"] for f in c["fabrics"]
            if f["best"]]
    if not bars:
        return
    labels = sorted({label for _, b in bars for label, _ in step_parts(b)},
                    key=lambda l: (l != "compute", l != "pipeline bubble", l == "optimizer", l))
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(bars)), 5))
    bottoms = [0.0] * len(bars)
    for label in labels:
        vals = [dict(step_parts(b)).get(label, 0.0) / 1e3 for _, b in bars]
        ax.bar([n for n, _ in bars], vals, 0.6, bottom=bottoms, label=label)
        bottoms = [x + v for x, v in zip(bottoms, vals)]
    for i, (_, b) in enumerate(bars):
        lay = b["layout"]
        ax.annotate(f"tp={lay['tp']} pp={lay['pp']} dp={lay['dp']}", (i, bottoms[i]), ha="center",
                    va="bottom", fontsize=7)
    ax.set_ylabel("seconds per training step")
    ax.set_title("the best layouts' steps", fontsize=10)
    ax.legend(fontsize=8)
    w.save(fig, f"{stem}-breakdown")


def plot_pairs(path, pm, w):
    stem = os.path.splitext(os.path.basename(path))[0]
    pairs = [p for p in pm["pairs"] if p.get("check") != "fail"]
    n = 1 + max([max(p["a"], p["b"]) for p in pairs] or [0])
    outliers = pm.get("outliers", {})
    slow_hosts = {h["host"] for h in outliers.get("hosts", [])}
    slow_links = {(l["a"], l["b"]) for l in outliers.get("links", [])}
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    for ax, key, label, scale in ((axes[0], "bandwidth_gbps", "bandwidth (Mbit/s)", 8e3),
                                  (axes[1], "latency_us", "latency (µs)", 1.0)):
        m = [[math.nan] * n for _ in range(n)]
        for p in pairs:
            m[p["a"]][p["b"]] = m[p["b"]][p["a"]] = p[key] * scale
        # Log colours: in-host pairs are tens of times faster than the network, which would
        # otherwise flatten every network pair to one colour.
        im = ax.imshow(m, cmap="viridis" if key == "bandwidth_gbps" else "viridis_r",
                       norm=matplotlib.colors.LogNorm())
        if n <= 16:
            for a in range(n):
                for b in range(n):
                    if not math.isnan(m[a][b]):
                        ax.text(b, a, f"{m[a][b]:.0f}", ha="center", va="center", fontsize=6,
                                color="white")
        fig.colorbar(im, ax=ax, label=label, shrink=0.8)
        hosts = {}
        for p in pm["pairs"]:
            hosts[p["a"]], hosts[p["b"]] = p["host_a"], p["host_b"]
        ticks = [f"{r} {hosts.get(r, '')}" + (" (slow)" if hosts.get(r) in slow_hosts else "") for r in range(n)]
        ax.set_xticks(range(n))
        ax.set_yticks(range(n))
        ax.set_xticklabels(ticks, rotation=90, fontsize=7)
        ax.set_yticklabels(ticks, fontsize=7)
        for a, b in slow_links:
            for (y, x) in ((a, b), (b, a)):
                ax.add_patch(plt.Rectangle((x - 0.5, y - 0.5), 1, 1, fill=False, ec="red", lw=2))
        ax.set_title(label + ("; red: slow links" if slow_links else ""), fontsize=10)
        ax.set_xlabel("rank (host)")
        ax.set_ylabel("rank (host)")
    fig.suptitle(f"pair matrix {os.path.basename(path)}" + (f"; slow host(s): {', '.join(sorted(slow_hosts))}" if slow_hosts else ""))
    fig.tight_layout()
    w.save(fig, f"{stem}-pairs")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reports", nargs="+")
    ap.add_argument("--out-dir", default=None, help="default: the first report's folder")
    ap.add_argument("--format", default="png", help="png, svg or png,svg")
    o = ap.parse_args()
    formats = [f for f in o.format.split(",") if f]
    bad = [f for f in formats if f not in ("png", "svg")]
    if bad or not formats:
        die(f"hockney plot: --format takes png, svg or png,svg, not {o.format!r}")
    loaded = []
    for path in o.reports:
        try:
            with open(path) as f:
                report = json.load(f)
        except OSError as e:
            die(f"hockney plot: cannot read {path}: {e.strerror}")
        except ValueError as e:
            die(f"hockney plot: {path} is not JSON: {e}")
        except RecursionError:
            die(f"hockney plot: {path}: its JSON is nested too deeply to be a hockney report")
        if not isinstance(report, dict) or "kind" not in report:
            die(f"hockney plot: {path} is not a hockney report (no \"kind\")")
        check_shape(path, report)
        loaded.append((path, report))
    w = Writer(o.out_dir or os.path.dirname(os.path.abspath(o.reports[0])), formats)
    draw_checked(loaded, w)
    for p in w.written:
        print(p)


def draw_checked(loaded, w):
    """draw(), with a field of the wrong shape deeper than check_shape looks named: exit 2."""
    try:
        draw(loaded, w)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, ZeroDivisionError,
            OverflowError) as e:
        die(f"hockney plot: a report is malformed ({type(e).__name__}: {e})")


def draw(loaded, w):
    results = [(p, r) for p, r in loaded if r["kind"] == "results"]
    if results:
        plot_results(results, w)
    for path, r in loaded:
        kind = r["kind"]
        if kind == "results":
            continue
        elif kind == "calibration":
            plot_calibration(path, r, w)
        elif kind == "comparison":
            plot_comparison(path, r, w)
        elif kind == "pair_matrix":
            plot_pairs(path, r, w)
        elif kind == "step_cost":
            plot_step(path, r, w)
        elif kind == "plan":
            plot_plan(path, r, w)
        elif kind == "plan_search":
            plot_plan_search(path, r, w)
        else:
            die(f"hockney plot: {path}: no figure for reports of kind {kind!r}")
    if len(results) > 2:
        print(f"note: {len(results)} results reports: each plotted alone (two are drawn side by side)",
              file=sys.stderr)


if __name__ == "__main__":
    main()
