#!/usr/bin/python3
"""Property-based test of hockney plot's reader (reports/plot.py) with Debian's
python3-hypothesis: any JSON document, of any kind hockney writes or none, either draws or ends
in exit 2 with a sentence (SystemExit(2)); never another exception (a traceback, exit 1).

  plot_reader_test.py PLOT_PY [EXAMPLES]
"""
import importlib.util
import io
import os
import sys
import tempfile
from contextlib import redirect_stderr

# Hypothesis caches (its character map) under a directory of its own, not the one it runs in.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY",
                      os.path.join(tempfile.gettempdir(), "hockney-hypothesis"))
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

spec = importlib.util.spec_from_file_location("plot", sys.argv[1])
plot = importlib.util.module_from_spec(spec)
spec.loader.exec_module(plot)
EXAMPLES = int(sys.argv[2]) if len(sys.argv) > 2 else 300

KINDS = ["results", "calibration", "comparison", "pair_matrix", "step_cost", "plan",
         "plan_search", "mystery"]
# Field names the readers look for, so generated reports reach past the first check.
KEYS = ["results", "fits", "pairs", "groups", "total_ms", "step", "memory", "gpu", "exposed",
        "layout", "model", "options", "counts", "fabrics", "pattern", "algorithm", "bytes",
        "time_us", "busbw_gbps", "a", "b", "bandwidth_gbps", "latency_us", "median", "name",
        "kind", "ranked", "best", "gpus", "step_ms", "pieces", "level", "sources", "projection"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**12),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8))
values = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4),
    st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=6)),
    max_leaves=30)
reports = st.builds(lambda kind, body: {**body, "kind": kind}, st.sampled_from(KINDS),
                    st.dictionaries(st.sampled_from(KEYS), values, max_size=8))


# No example database: the test writes nothing into the directory it runs in.
@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(reports)
def test_any_report_draws_or_is_refused(report):
    with tempfile.TemporaryDirectory() as out:
        w = plot.Writer(out, ["png"])
        try:
            with redirect_stderr(io.StringIO()):
                plot.check_shape("r.json", report)
                plot.draw_checked([("r.json", report)], w)
        except SystemExit as e:
            assert e.code == 2, f"exit {e.code} for {report!r}"
        finally:
            plot.plt.close("all")


if __name__ == "__main__":
    test_any_report_draws_or_is_refused()
    print(f"plot_reader: {EXAMPLES} generated reports each drew or were refused with exit 2")
