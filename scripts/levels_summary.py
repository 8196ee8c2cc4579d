"""Summary of scripts/bench-levels.sh: per run and fabric, the network pingpong bandwidth against
the configured rate less ~4% of TCP/IP/Ethernet headers (1448 payload bytes of a 1514-byte frame
give 0.956), the composed world-scope checks, the budget planner's decision, the exit code; per
run compare's pingpong ratio against the configured one and whether it names the faster fabric.
  python3 scripts/levels_summary.py results/bench-levels FAST SLOW RUNS"""
import json
import statistics
import sys

HEADERS = 1448 / 1514

d, fast, slow, runs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])


def network_pingpong(cal, res):
    fits = [f for f in cal["fits"] if f["pattern"] == "sendrecv" and f["level"] == "network"]
    fit_mbit = fits[0]["pieces"][-1]["bandwidth_gbps"] * 8e3 if fits else None
    # A line through the median pair's rows of at least 1 MiB.
    by_size = {}
    for r in res["results"]:
        if r["pattern"] == "sendrecv" and r["level"] == "network" and r["bytes"] >= 1 << 20:
            by_size.setdefault(r["bytes"], []).append(r["time_us"]["median"])
    pts = sorted((b, statistics.median(t)) for b, t in by_size.items())
    line = None
    if len(pts) >= 2:
        (b1, t1), (b2, t2) = pts[0], pts[-1]
        line = (b2 - b1) / (t2 - t1) * 8  # bytes per us -> Mbit/s
    return fit_mbit, line, [b for b, _ in pts]


for r in range(1, runs + 1):
    for side, rate in (("fast", fast), ("slow", slow)):
        try:
            cal = json.load(open(f"{d}/{side}{r}/calibration.json"))
            res = json.load(open(f"{d}/{side}{r}/results.json"))
        except OSError as e:
            print(f"run {r} {side}: {e}")
            continue
        rc = open(f"{d}/{side}{r}.rc").read().strip()
        want = rate * HEADERS
        fit, line, sizes = network_pingpong(cal, res)
        budget = next((p.get("budget") for p in res["config"]["passes"] if "budget" in p), {})
        print(f"run {r} {side} ({rate:.0f} Mbit/s, {want:.0f} less headers): exit {rc}; "
              f"ceilings {', '.join(f'{c / 2**20:.3g}M' for c in sorted(set(budget.get('ceilings_bytes', {}).values())))}, "
              f"{budget.get('min_iterations')} repetitions at least, scout overhead "
              f"{budget.get('scout_overhead', 0):.2f}; {len(res['results'])} rows")
        if fit:
            print(f"  network pingpong, fit's last regime: {fit:.0f} Mbit/s ({fit / want:.3f} of "
                  f"{want:.0f})")
        if line:
            print(f"  network pingpong, rows >= 1 MiB ({', '.join(str(s >> 10) + 'K' for s in sizes)}):"
                  f" {line:.0f} Mbit/s ({line / want:.3f})")
        # Own collectives' network fits (one rank per host): bandwidth of the last regime against
        # the line (the old world-scope fits of the tree read 1.33-1.36x it).
        own = [f for f in cal["fits"] if f["level"] == "network" and not f["black_box"]
               and f["pattern"] == "allreduce" and f["dtype"] == "float32"]
        print("  network all-reduce fits, last regime / line: " + ", ".join(
            f"{f['algorithm']} {f['pieces'][-1]['bandwidth_gbps'] * 8e3 / want:.2f}"
            for f in own if f["pieces"][-1]["bandwidth_gbps"]))
        under = [f"{f['pattern']}/{f['algorithm']}@{f['level']}" for f in cal["fits"] if f.get("under_determined")]
        print(f"  under-determined fits: {len(under)} {under[:6]}")
        for c in sorted(cal.get("composed_checks", []), key=lambda c: (c["pattern"], c["algorithm"], c["dtype"])):
            big = [p for p in c["points"] if p["bytes"] >= 1 << 20]
            pts = ", ".join(f"{p['bytes'] / 2**20:.3g}M {p['measured_us'] / 1e3:.1f}/{p['composed_us'] / 1e3:.1f} ms"
                            for p in big)
            beyond = c.get("network_fit_up_to_bytes", 0)
            extra = (f"; network fit measured to {beyond / 2**20:.3g} MiB: extrapolated"
                     if big and beyond and big[-1]["bytes"] > beyond else "")
            print(f"  composed {c['pattern']}/{c['algorithm']} {c['dtype']}: median error "
                  f"{100 * c['median_rel_err']:.1f}% over {c['median_over_sizes']} sizes (measured/composed: {pts}){extra}")
    try:
        cmp = json.load(open(f"{d}/compare{r}.json"))
    except OSError:
        continue
    pp = [f for f in cmp["fits"] if f["pattern"] == "sendrecv" and f["level"] == "network"]
    for f in pp:
        ratio = 1 / f["bandwidth_ratio_b_over_a"] if f["bandwidth_ratio_b_over_a"] else None
        print(f"run {r} compare: network pingpong A/B bandwidth {ratio:.2f} against {fast / slow:.2f} "
              f"configured ({ratio / (fast / slow):.3f}); faster for large messages: "
              f"{f['faster_large_messages']}")
    print(f"run {r} compare: {len(cmp['notes'])} notes; projection faster: "
          f"{cmp['projection']['faster']} (B/A {cmp['projection']['total_ratio_b_over_a']:.2f})")
