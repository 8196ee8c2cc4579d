#!/usr/bin/env python3
"""Reference fabrics (data/fabrics/NAME/): rebuild each calibration from its published logs.

Every fabric's fabric.json lists the hockney commands that turn its raw logs into its
calibration (`hockney import` then `hockney fit`). This script runs them, in a scratch
directory holding copies of the logs, with the hockney binary given:

  python3 scripts/fabrics.py build [--hockney build/hockney] [NAME...]   write calibration.json
  python3 scripts/fabrics.py check [--hockney build/hockney] [NAME...]   rebuild and compare

`check --alter` passes only when a 1% change to each shipped calibration is caught and named.
`check` fails (exit 1) naming the first field that differs between the rebuilt and the shipped
calibration. Fields that say when or with which build a file was made (created_at, started_at,
command_line, the tool's commit) are not compared; numbers compare to 1e-6 relative, so a build
with another compiler still matches.
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FABRICS = os.path.join(ROOT, "data", "fabrics")
VOLATILE = {"created_at", "started_at", "finished_at", "command_line", "tool"}


def fabric_names():
    return sorted(
        d for d in os.listdir(FABRICS) if os.path.isfile(os.path.join(FABRICS, d, "fabric.json")))


def rebuild(name, hockney, scratch):
    """Runs the fabric's build commands in scratch; returns the calibration's path there."""
    src = os.path.join(FABRICS, name)
    with open(os.path.join(src, "fabric.json")) as f:
        manifest = json.load(f)
    for entry in os.listdir(src):
        if entry not in ("fabric.json", "calibration.json"):
            shutil.copy(os.path.join(src, entry), scratch)
    for argv in manifest["build"]:
        # argv[0] "hockney", as a user types it: the command line the files record is the same
        # wherever the binary was built.
        proc = subprocess.run(["hockney"] + argv, executable=hockney, cwd=scratch,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"fabrics: {name}: `hockney {' '.join(argv)}` failed ({proc.returncode}):\n"
                     f"{proc.stdout}{proc.stderr}")
    out = os.path.join(scratch, "calibration.json")
    if not os.path.isfile(out):
        sys.exit(f"fabrics: {name}: the build commands wrote no calibration.json")
    return out


def difference(a, b, where="calibration"):
    """The first place a and b differ (None when they match), volatile fields left out."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key in VOLATILE:
                continue
            if key not in a or key not in b:
                return f"{where}.{key}: present in only one of them"
            d = difference(a[key], b[key], f"{where}.{key}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} entries against {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = difference(x, y, f"{where}[{i}]")
            if d:
                return d
        return None
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        if math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-15):
            return None
        return f"{where}: {b} rebuilt, {a} shipped"
    return None if a == b else f"{where}: {b!r} rebuilt, {a!r} shipped"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["build", "check"])
    parser.add_argument("names", nargs="*", help="fabrics (default: all of data/fabrics/)")
    parser.add_argument("--hockney", default=os.path.join(ROOT, "build", "hockney"))
    parser.add_argument("--alter", action="store_true",
                        help="check that raising the shipped first fit's alpha by 1%% is caught "
                        "and named (the comparison can fail)")
    args = parser.parse_args()
    hockney = os.path.abspath(args.hockney)
    names = args.names or fabric_names()
    unknown = [n for n in names if n not in fabric_names()]
    if unknown:
        sys.exit(f"fabrics: no reference fabric {', '.join(unknown)} "
                 f"(data/fabrics has {', '.join(fabric_names())})")
    failed = 0
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"fabric-{name}-") as scratch:
            built = rebuild(name, hockney, scratch)
            shipped = os.path.join(FABRICS, name, "calibration.json")
            if args.action == "build":
                shutil.copy(built, shipped)
                print(f"fabrics: {name}: wrote {os.path.relpath(shipped, ROOT)}")
                continue
            if not os.path.isfile(shipped):
                print(f"fabrics: {name}: FAIL: no shipped calibration.json (run build)")
                failed += 1
                continue
            with open(built) as f, open(shipped) as g:
                rebuilt, ship = json.load(f), json.load(g)
            if args.alter:
                # Passes only when the comparison names the altered figure: a rebuild that failed
                # for another reason, or a comparison that missed it, fails.
                ship["fits"][0]["pieces"][0]["alpha_s"] *= 1.01
                d = difference(ship, rebuilt)
                ok = d is not None and d.startswith("calibration.fits[0].pieces[0].alpha_s:")
                print(f"fabrics: {name}: altered copy {'caught: ' if ok else 'NOT caught: '}{d}")
                failed += not ok
                continue
            d = difference(ship, rebuilt)
            print(f"fabrics: {name}: {'FAIL: ' + d if d else 'matches the shipped calibration'}")
            failed += bool(d)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
