#include "microbench/calibrate_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <tuple>

#include "collectives/core/error.h"
#include "model/calibration.h"
#include "model/sampling.h"

namespace hockney {

using nlohmann::json;

std::string resultsPath(const CalibrateJob& job) {
  return (std::filesystem::path(job.outDir) / "results.json").string();
}

std::string calibrationPath(const CalibrateJob& job) {
  return (std::filesystem::path(job.outDir) / "calibration.json").string();
}

std::vector<std::string> typeNames(const std::vector<DataType>& types) {
  std::vector<std::string> out;
  for (DataType t : types) out.emplace_back(name(t));
  return out;
}

int writeCalibration(const CalibrateJob& job, CalibrationOutcome o, const Checkpoint& checkpoint,
                     const std::function<double()>& elapsed) {
  int exitCode = kExitOk;
  if (o.budgetSpent) {
    const std::string note = fmt::format(
        "the budget of {:.0f} s was spent before {} planned point(s) were measured: {}{}",
        job.budgetSeconds, o.unmeasured.size(),
        fmt::join(
            o.unmeasured.begin(),
            o.unmeasured.begin() + static_cast<long>(std::min<size_t>(o.unmeasured.size(), 12)),
            ", "),
        o.unmeasured.size() > 12 ? ", ..." : "");
    o.notes.push_back(note);
    fmt::print("# note: {}\n", note);
  }
  std::vector<ResultRow> rows = mergeVisits(o.visits);
  std::stable_sort(rows.begin(), rows.end(), [](const ResultRow& a, const ResultRow& b) {
    return std::tie(a.pattern, a.bytes) < std::tie(b.pattern, b.bytes);
  });
  for (const auto& n : flagCliffs(rows)) o.notes.push_back(n);
  for (const auto& n : notePageFaults(rows)) o.notes.push_back(n);
  std::string drift, driftShort;
  double spread = 1;
  if (o.references.size() >= 2) {
    const auto [lo, hi] = std::minmax_element(o.references.begin(), o.references.end());
    spread = *lo > 0 ? *hi / *lo : 1;
    if (*lo > 0 && *hi / *lo > kDriftLimit) {
      drift = fmt::format(
          "the host's speed drifted {:.1f}x during calibration (a fixed probe, MPI's 1 MiB "
          "all-reduce, read {:.0f} to {:.0f} us across passes): fits pool every pass, so "
          "expect held-out errors of that order; calibrate on a quiet host",
          *hi / *lo, *lo, *hi);
      driftShort =
          fmt::format("the host's speed drifted {:.1f}x while it was calibrated", *hi / *lo);
      o.notes.push_back(drift);
      fmt::print("# note: {}\n", drift);
    }
  }
  size_t failed = 0;
  for (const auto& r : rows) failed += r.check == "fail" ? 1 : 0;
  std::set<size_t> sizes;
  for (const auto& r : rows) sizes.insert(r.bytes);
  const json config{{"command", "calibrate"},
                    {"patterns", job.patterns},
                    {"algorithms", o.algorithms},
                    {"sizes", sizes},
                    {"min_bytes", job.minBytes},
                    {"max_bytes", job.maxBytes},
                    {"budget_s", job.budgetSeconds},
                    {"budget_spent", o.budgetSpent},
                    {"passes", o.passes},
                    {"dtype", name(job.types.front())},
                    {"dtypes", typeNames(job.types)},
                    {"op", name(o.sweep.op)},
                    {"iterations", "auto"},
                    {"batch", job.batch == 0 ? json("auto") : json(job.batch)},
                    {"warmup", o.sweep.warmup},
                    {"target_time_s", job.targetSeconds},
                    {"check", true},
                    {"buffers", job.buffers},
                    {"backend", job.backend},
                    {"rotate_bytes", o.sweep.rotateBytes},
                    {"timeout_s", job.timeoutSeconds},
                    {"resume", job.resume},
                    {"timer", findBackend(job.backend).timer}};
  const json report = makeResultsReport(o.provenance, config, rows, o.notes);
  writeFileAtomically(resultsPath(job), reportText(report));
  checkpoint.remove();
  fmt::print("# {} points ({} failed validation) written to {}\n", rows.size(), failed,
             resultsPath(job));

  CalibrateOptions co;
  if (!job.level.empty()) co.level = parseLinkLevel(job.level);  // checked by the CLI
  co.commandLine = job.commandLine;
  std::vector<std::string> warnings;
  try {
    // The rows as measured, not read back from the report just written.
    Calibration cal = fitCalibration(
        {CalibrationInput(resultsPath(job), rows,
                          sourceRecord(resultsPath(job), o.provenance, rows.size()))},
        co, warnings);
    // The probe's readings, drifted or not: a quiet job's are the evidence that it was quiet.
    if (!o.references.empty())
      cal.hostDrift = HostDrift{"allreduce/vendor float32 1 MiB, once per pass",
                                o.references,
                                o.referenceFaults,
                                spread,
                                kDriftLimit,
                                !drift.empty(),
                                drift,
                                o.referenceRanks};
    if (!drift.empty())
      for (CalibratedFit& f : cal.fits) f.qualityWarnings.push_back(driftShort);
    writeFileAtomically(calibrationPath(job), reportText(cal.toJson()));
    fmt::print("{}", formatFitTable(cal));
    for (const auto& w : warnings)  // poor fits are marked in the table already
      if (w.find(": poor fit: ") == std::string::npos) fmt::print("# warning: {}\n", w);
    fmt::print("# calibration written to {} in {:.1f} s of a {:.0f} s budget\n",
               calibrationPath(job), elapsed(), job.budgetSeconds);
    std::vector<std::string> partial;
    for (const CalibratedFit& f : cal.fits)
      if (f.underDetermined())
        partial.push_back(fmt::format("{}/{} {} at '{}' ({} sizes{})", f.pattern, f.algorithm,
                                      f.dtype, name(f.level), f.sizes.size(),
                                      f.heldOut.points == 0 ? ", never checked" : ""));
    for (const auto& [group, why] : cal.skipped)
      partial.push_back(fmt::format("{} (not fitted: {})", group, why));
    // A job across hosts prices every network group from network fits: one per pattern.
    const bool acrossHosts = std::any_of(rows.begin(), rows.end(), [](const ResultRow& r) {
      return r.level == LinkLevel::kNetwork;
    });
    for (const std::string& pattern : job.patterns)
      if (acrossHosts &&
          std::none_of(cal.fits.begin(), cal.fits.end(), [&](const CalibratedFit& f) {
            return f.pattern == pattern && f.level == LinkLevel::kNetwork;
          }))
        partial.push_back(fmt::format("{} (no network fit)", pattern));
    if (!partial.empty()) {
      fmt::print(
          "# calibration incomplete: {} fit(s) under-determined or missing (fewer than {} sizes, "
          "or none held out): {}{}\n",
          partial.size(), kMinFitSizes,
          fmt::join(partial.begin(),
                    partial.begin() + static_cast<long>(std::min<size_t>(partial.size(), 8)), "; "),
          partial.size() > 8 ? "; ..." : "");
      if (job.allowPartial) {
        fmt::print("# --allow-partial: exit 0 all the same\n");
      } else {
        fmt::print(
            "# exit {}: give a larger --budget, lower --max-bytes, or --resume to refine it; "
            "--allow-partial accepts it\n",
            static_cast<int>(kExitIncomplete));
        exitCode = kExitIncomplete;
      }
    }
  } catch (const UsageError& e) {
    std::fprintf(stderr, "hockney: error: nothing could be fitted from %s: %s\n",
                 resultsPath(job).c_str(), e.what());
    exitCode = kExitUsage;
  }
  if ((exitCode == kExitOk || exitCode == kExitIncomplete) && failed > 0)
    exitCode = kExitCheckFailed;
  return exitCode;
}

}  // namespace hockney
