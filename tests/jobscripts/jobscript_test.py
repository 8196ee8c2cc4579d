#!/usr/bin/env python3
"""hockney jobscript under hostile input. Every option gets values with blanks, quotes, $(...),
backticks, newlines, ';', '|', globs: each either is refused (exit 2, the option named, no
script written) or yields a script that `bash -n` accepts and that, run with stub srun, mpirun,
scontrol and hockney on PATH, creates no marker file (nothing injected ran) and hands the value
to the stub exactly as given. Also: the generated script's shape (explicit --nodes, resume and
skip of finished steps, fit and compare per variant) and the checks of impossible options.
Usage: jobscript_test.py HOCKNEY"""
import json
import os
import pathlib
import stat
import subprocess
import sys
import tempfile

hockney = os.path.abspath(sys.argv[1])
work = pathlib.Path(tempfile.mkdtemp(prefix="hockney-jobscript-"))
marker = work / "PWNED"
failures = []

STUB = f"""#!/usr/bin/env python3
import json, os, sys
with open({str(work / 'calls.jsonl')!r}, "a") as f:
    f.write(json.dumps({{"argv": sys.argv, "env": {{k: v for k, v in os.environ.items()
                                                    if k.startswith(("HOCKNEY_", "XV"))}}}}) + "\\n")
if os.path.basename(sys.argv[0]) == "scontrol":
    print("n1")
"""
stubs = work / "bin"
stubs.mkdir()
for name in ("srun", "mpirun", "scontrol", "hockney-stub"):
    p = stubs / name
    p.write_text(STUB)
    p.chmod(p.stat().st_mode | stat.S_IXUSR)

HOSTILE = [
    "a b", "it's", 'say "hi"', f"$(touch {marker})", f"`touch {marker}`", f"; touch {marker}",
    f"x\ntouch {marker}", f"x || touch {marker}", f"&& touch {marker} #", "${HOME}", "*", "-",
    f"'; touch {marker}; '", "\\", "%x-%j",
]


def calls():
    path = work / "calls.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def generate(args, out=None):
    out = out or work / "job.sh"
    if out.exists():
        out.unlink()
    r = subprocess.run([hockney, "jobscript", "--out", str(out)] + args, capture_output=True,
                       text=True)
    return r, out


def run_script(script):
    (work / "calls.jsonl").unlink(missing_ok=True)
    env = dict(os.environ, PATH=f"{stubs}:{os.environ['PATH']}", SLURM_JOB_NODELIST="n1",
               SLURM_JOB_ID="7")
    return subprocess.run(["bash", str(script)], cwd=work / "run", capture_output=True, text=True,
                          env=env, timeout=60)


def check(label, args, expect_in_call=None):
    """expect_in_call(calls) -> True when the value reached a stub intact."""
    r, script = generate(args)
    if r.returncode == 2:
        named = "error" in r.stderr or label.split()[0] in r.stderr
        if not named or script.exists():
            failures.append(f"{label}: refused without a clear error, or wrote a script: {r.stderr!r}")
        return "refused"
    if r.returncode != 0:
        failures.append(f"{label}: exit {r.returncode}: {r.stderr!r}")
        return "error"
    syntax = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    if syntax.returncode != 0:
        failures.append(f"{label}: invalid bash: {syntax.stderr}")
        return "invalid"
    (work / "run").mkdir(exist_ok=True)
    run_script(script)
    if marker.exists():
        failures.append(f"{label}: the script ran an injected command")
        marker.unlink()
    if expect_in_call and not expect_in_call(calls()):
        failures.append(f"{label}: the value did not reach the launcher intact: {calls()[:2]}")
    return "quoted"


stub = str(stubs / "hockney-stub")
base = ["--hockney", stub]
outcomes = {}
for value in HOSTILE:
    v = value
    # Values that become arguments or environment of the measurement: must arrive verbatim.
    outcomes.setdefault("command argument", []).append(check(
        f"command argument {v!r}", base + ["--", "run", "--pattern", v],
        lambda cs, v=v: any(c["argv"][0].endswith("srun") and v in c["argv"] for c in cs)))
    outcomes.setdefault("--variant value", []).append(check(
        f"--variant value {v!r}", base + ["--variant", f"x:XV={v}", "--", "run"],
        lambda cs, v=v: any(c["argv"][0].endswith("srun") and c["env"].get("XV") == v for c in cs)))
    outcomes.setdefault("--hockney", []).append(check(
        f"--hockney {v!r}", ["--hockney", v, "--", "run"],
        lambda cs, v=v: any(c["argv"][0].endswith("srun") and v in c["argv"] for c in cs)))
    outcomes.setdefault("--launcher mpirun, argument", []).append(check(
        f"mpirun launcher, argument {v!r}", base + ["--launcher", "mpirun", "--", "run", v],
        lambda cs, v=v: any(c["argv"][0].endswith("mpirun") and v in c["argv"] for c in cs)))
    # Values that land on #SBATCH lines or name files, and the rest: refused or harmless.
    for option in ("--job-name", "--partition", "--account", "--time", "--output-dir", "--model",
                   "--layout", "--nodes", "--ntasks-per-node", "--gpus-per-node",
                   "--cpus-per-task", "--launcher"):
        extra = ["--layout", "tp=1,pp=1,dp=1"] if option == "--model" else \
                ["--model", "gpt3-175b"] if option == "--layout" else []
        outcomes.setdefault(option, []).append(check(f"{option} {v!r}", base + [option, v] + extra + ["--", "run"]))
    outcomes.setdefault("--variant name", []).append(check(f"--variant name {v!r}", base + ["--variant", f"{v}:XV=1", "--", "run"]))
    outcomes.setdefault("--variant env name", []).append(check(f"--variant env name {v!r}", base + ["--variant", f"x:{v}=1", "--", "run"]))
    r, out = generate(base + ["--", "run"], out=work / f"script {len(outcomes)}.sh")

for option, results in outcomes.items():
    print(f"{option:28} " + " ".join(sorted(set(results))) + f" ({len(results)} values)")
marker.unlink(missing_ok=True)

# The script's shape and behaviour on a (stub) allocation.
r, script = generate(base + ["--nodes", "1,2", "--ntasks-per-node", "2", "--variant", "fast:XV=a",
                             "--variant", "slow:XV=b,c", "--model", "gpt3-175b", "--layout",
                             "tp=2,pp=1,dp=2", "--", "run", "-b", "8", "-e", "64"])
text = script.read_text()
for want in ("#SBATCH --nodes=2\n", "#SBATCH --ntasks-per-node=2\n", "set -euo pipefail",
             "srun --mpi=pmix", "export XV='b,c'", "compare-fast-slow-n2.json", "--resume"):
    if want not in text:
        failures.append(f"script lacks {want!r}")
(work / "run").mkdir(exist_ok=True)
res = run_script(script)
launches = [c for c in calls() if c["argv"][0].endswith("srun")]
if len(launches) != 4 or {c["env"].get("XV") for c in launches} != {"a", "b,c"}:
    failures.append(f"expected 4 launches (2 variants x 2 node counts), got {launches}")
fits = [c for c in calls() if c["argv"][1:2] == ["fit"]]
compares = [c for c in calls() if c["argv"][1:2] == ["compare"]]
projects = [c for c in calls() if c["argv"][1:2] == ["project"]]
if len(fits) != 4 or len(compares) != 2 or len(projects) != 4:
    failures.append(f"fits {len(fits)} (4), compares {len(compares)} (2), projects {len(projects)} (4)")
# Resubmitted: a checkpoint means --resume, a finished report means the step is skipped.
d = work / "run" / "hockney-results"
(d / "fast" / "n1" / "results.json").write_text("{}")
(d / "slow" / "n1" / "results.json.jsonl").write_text("{}")
run_script(script)
launches = [c for c in calls() if c["argv"][0].endswith("srun")]
resumed = [c for c in launches if "--resume" in c["argv"]]
if len(launches) != 3 or len(resumed) != 1 or "--nodes=1" not in resumed[0]["argv"]:
    failures.append(f"resubmission: expected 3 launches, 1 resumed (slow n1): {launches}")

# -- tune: each step measures every variant of the library, then one tuning file per variant of
# the interconnect from all its node counts' reports, beside them.
r, script = generate(base + ["--nodes", "1,2", "--", "tune", "-p", "allreduce"])
text = script.read_text() if script.exists() else ""
want_run = "run '--algo' 'vendor:all' '-p' 'allreduce'"
want_tune = ("tune \"$OUT\"/'default'/n1/results.json \"$OUT\"/'default'/n2/results.json "
             "--format ompi-rules --out \"$OUT\"/'default'/rules.conf")
if r.returncode != 0 or want_run not in text or want_tune not in text:
    failures.append(f"-- tune: rc {r.returncode}; script lacks the variant run or the tune line: {text[-600:]}")
r, script = generate(base + ["--gpus-per-node", "1", "--", "tune", "--backend", "nccl"])
text = script.read_text() if script.exists() else ""
if r.returncode != 0 or "--format nccl-tuner --out \"$OUT\"/'default'/nccl_tuner.conf" not in text:
    failures.append(f"-- tune --backend nccl: rc {r.returncode}; no NCCL config line: {text[-400:]}")

# Impossible combinations: clear errors.
for args, want in [
    (["--nodes", "0", "--", "run"], "--nodes 0"),
    (["--gpus-per-node", "64", "--", "run"], "no node has more than 16 GPUs"),
    (["--variant", ":XV=1", "--", "run"], "a variant needs a name"),
    (["--variant", "a:XV=1", "--variant", "a:XV=2", "--", "run"], "given twice"),
    (["--", "run", "--out", "x"], "the jobscript chooses --out"),
    ([], "no measurement"),
    (["--", "fit", "x.json"], "must be run, pairs, calibrate or tune"),
    (["--", "tune", "--algo", "ring"], "tune measures the library's own choice and every variant"),
    # The measurement's arguments are checked by run/calibrate themselves, before writing.
    (["--", "run", "-p", "frobnicate"], "the measurement after --: unknown pattern 'frobnicate'"),
    (["--", "run", "--no-such-option"], "the measurement after --: The following argument was not expected: --no-such-option"),
    (["--", "calibrate", "--budget", "-5"], "the measurement after --: --budget: must be positive, not -5"),
    (["--", "run", "--sizes", "1e99"], "the measurement after --: bad size '1e99'"),
    (["--ntasks-per-node", "8", "--gpus-per-node", "4", "--", "run", "--backend", "nccl"],
     "one rank per GPU"),
    (["--model", "gpt3-175b", "--", "calibrate"], "--model and --layout go together"),
    (["--model", "no-such-model", "--layout", "tp=1,pp=1,dp=1", "--", "calibrate"], "no-such-model"),
]:
    r, script = generate(base + args)
    if r.returncode != 2 or want not in r.stderr or script.exists():
        failures.append(f"{args}: rc {r.returncode}, expected {want!r} in {r.stderr!r}")
    else:
        print(f"ok: {' '.join(args) or '(nothing)'} -> {r.stderr.strip().splitlines()[0]}")

for f in failures:
    print("FAIL:", f)
print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
