"""ReFrame tests of hockney: a sweep (`hockney run`) and a calibration (`hockney calibrate`) as
run-only checks. Sanity: hockney's exit status (written to the output: Slurm without accounting has no exit
codes for ReFrame) and every row of the report passing its check.
Performance: read from the JSON report, busbw per algorithm at chosen sizes (run) and the fitted
large-message bandwidth per pattern, algorithm and link level (calibrate), against reference
values per system (REFERENCES; loose floors here, set your cluster's own).

  reframe -C jobscripts/reframe/settings.py -c jobscripts/reframe/hockney_checks.py \\
      --system local -r -S hockney=$PWD/build/hockney

Variables (-S name=value): hockney (path of the binary), nodes, tasks_per_node, pattern, sizes
(run: --sizes), perf_sizes (the sizes whose busbw become performance variables), budget and
patterns (calibrate)."""
import json
import os

import reframe as rfm
import reframe.utility.sanity as sn
from reframe.core.builtins import (performance_function, run_after, run_before,
                                   sanity_function, variable)

# Reference values per system: {system: {variable: (value, lower, upper, unit)}}; "*" for any
# variable not listed. Lower/upper are fractions (-0.9 accepts down to 10% of value). The floors
# below only catch a broken run; replace them with your cluster's measured values.
REFERENCES = {
    "local": {"*": (0.001, -0.99, None, "GB/s")},
    "slurm": {"*": (0.001, -0.99, None, "GB/s")},
    "*": {"*": (0.0, None, None, "GB/s")},
}


class HockneyBase(rfm.RunOnlyRegressionTest):
    """What both checks share: the binary, the rank layout, the launcher's options."""

    hockney = variable(str, value=os.environ.get("HOCKNEY", "hockney"))
    nodes = variable(int, value=1)
    tasks_per_node = variable(int, value=2)
    valid_systems = ["*"]
    valid_prog_environs = ["*"]
    tags = {"hockney"}

    @run_after("init")
    def set_layout(self):
        self.num_tasks_per_node = self.tasks_per_node
        self.num_tasks = self.nodes * self.tasks_per_node
        self.executable = self.hockney
        # The launcher's exit status, in the output: ReFrame's squeue backend (Slurm without
        # accounting) cannot tell a job's exit code.
        self.postrun_cmds = ['echo "hockney exit status: $?"']

    def exited_zero(self):
        return sn.assert_found(r"^hockney exit status: 0$", self.stdout,
                               msg="hockney did not exit 0 (see rfm_job.out / rfm_job.err)")

    @run_before("run")
    def launcher_options(self):
        # mpirun (local system): more ranks than cores need oversubscription without binding.
        if self.job.launcher.registered_name == "mpirun":
            self.job.launcher.options = ["--oversubscribe", "--bind-to", "none"]
        elif self.job.launcher.registered_name == "srun":
            self.job.launcher.options = ["--mpi=pmix"]

    def reference_for(self, names, unit):
        table = REFERENCES.get(self.current_system.name, REFERENCES["*"])
        default = table.get("*", (0.0, None, None, unit))
        return {"*": {n: table.get(n, default) for n in names}}


def report_problem(path):
    """What is wrong with a results report ("" when every row passed)."""
    try:
        with open(path) as f:
            rows = json.load(f)["results"]
    except (OSError, ValueError, KeyError) as e:
        return f"no readable report {path}: {e}"
    failed = [f"{r['algorithm']} at {r['bytes']} B" for r in rows if r["check"] != "pass"]
    if not rows:
        return f"{path} has no rows"
    return f"rows failed their check: {', '.join(failed)}" if failed else ""


@rfm.simple_test
class HockneyRun(HockneyBase):
    """hockney run: one pattern over a sweep of sizes, every algorithm and the vendor's."""

    pattern = variable(str, value="allreduce")
    sizes = variable(str, value="8,4K,64K,1M")
    perf_sizes = variable(str, value="4K,1M")
    report = "report.json"

    @run_after("init")
    def set_options(self):
        self.executable_opts = ["run", "--pattern", self.pattern, "--sizes", self.sizes,
                                "--out", self.report]
        self.descr = f"hockney run --pattern {self.pattern} on {self.nodes} node(s)"

    def rows(self):
        with open(os.path.join(self.stagedir, self.report)) as f:
            return json.load(f)["results"]

    @sanity_function
    def every_row_passes(self):
        problem = report_problem(os.path.join(self.stagedir, self.report))
        return sn.all([self.exited_zero(), sn.assert_eq(problem, "", msg="{0}")])

    @run_before("performance")
    def busbw_variables(self):
        wanted = {_bytes(s) for s in self.perf_sizes.split(",") if s}
        values = {}
        for r in self.rows():
            if r["bytes"] in wanted:
                values[f"busbw_{r['algorithm']}_{r['bytes']}"] = r["busbw_gbps"]
        self.perf_variables = {
            name: sn.make_performance_function(sn.defer(v), "GB/s") for name, v in values.items()}
        self.reference = self.reference_for(values, "GB/s")


@rfm.simple_test
class HockneyCalibrate(HockneyBase):
    """hockney calibrate within a budget: the fitted bandwidth per pattern, algorithm and level."""

    budget = variable(int, value=30)
    patterns = variable(str, value="allreduce,sendrecv")
    out_dir = "calibration"

    @run_after("init")
    def set_options(self):
        self.executable_opts = ["calibrate", "--patterns", self.patterns, "--budget",
                                str(self.budget), "--dtypes", "float32", "-e", "4M",
                                "--out", self.out_dir]
        self.descr = f"hockney calibrate ({self.patterns}) on {self.nodes} node(s)"

    @sanity_function
    def every_row_passes(self):
        problem = report_problem(os.path.join(self.stagedir, self.out_dir, "results.json"))
        cal = os.path.join(self.stagedir, self.out_dir, "calibration.json")
        return sn.all([self.exited_zero(), sn.assert_eq(problem, "", msg="{0}"),
                       sn.assert_true(os.path.exists(cal), msg=f"no calibration {cal}")])

    @run_before("performance")
    def bandwidth_variables(self):
        with open(os.path.join(self.stagedir, self.out_dir, "calibration.json")) as f:
            fits = json.load(f)["fits"]
        values = {}
        for fit in fits:
            last = fit["pieces"][-1]
            if last.get("bandwidth_gbps"):
                values[f"bw_{fit['pattern']}_{fit['algorithm']}_{fit['level']}"] = last["bandwidth_gbps"]
        self.perf_variables = {
            name: sn.make_performance_function(sn.defer(v), "GB/s") for name, v in values.items()}
        self.reference = self.reference_for(values, "GB/s")


def _bytes(text):
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip()
    return int(text[:-1]) * scale[text[-1].upper()] if text[-1].upper() in scale else int(text)
