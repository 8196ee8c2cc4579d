#include "microbench/calibrate_setup.h"
#include "microbench/job.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#include "collectives/core/error.h"
#include "microbench/calibrate_report.h"
#include "microbench/runner.h"
#include "microbench/sizes.h"
#include "microbench/validation.h"
#include "reports/json_io.h"
#include "topology/host.h"

namespace hockney {

using nlohmann::json;

std::vector<std::string> calibrationAlgorithms(const std::string& pattern) {
  // Point-to-point is priced with pingpong (one-way time); the others with every algorithm.
  if (pattern == "sendrecv") return {"pingpong"};
  return {"all"};
}

void validateCalibrateJob(const CalibrateJob& job) {
  HOCKNEY_USAGE_CHECK(job.budgetSeconds > 0 && std::isfinite(job.budgetSeconds),
                      "--budget must be a positive number of seconds, not {}", job.budgetSeconds);
  HOCKNEY_USAGE_CHECK(job.minBytes > 0, "--min-bytes must be at least one element");
  HOCKNEY_USAGE_CHECK(job.maxBytes >= job.minBytes, "--max-bytes {} is below --min-bytes {}",
                      job.maxBytes, job.minBytes);
  const size_t memory = hostMemoryBytes();
  HOCKNEY_USAGE_CHECK(memory == 0 || job.maxBytes <= memory,
                      "--max-bytes {} is larger than this host's memory ({} bytes)", job.maxBytes,
                      memory);
  HOCKNEY_USAGE_CHECK(!job.types.empty(), "no element types to calibrate");
  for (DataType t : job.types) checkWholeElements({job.minBytes, job.maxBytes}, t);
  HOCKNEY_USAGE_CHECK(job.buffers == "hot" || job.buffers == "cold",
                      "--buffers must be hot or cold, not '{}'", job.buffers);
  HOCKNEY_USAGE_CHECK(job.timeoutSeconds > 0, "--timeout must be > 0 seconds");
  HOCKNEY_USAGE_CHECK(job.targetSeconds > 0, "--target-time must be > 0 seconds");
  HOCKNEY_USAGE_CHECK(job.batch >= 0 && job.batch <= kMaxIterations,
                      "--batch must be 0 (automatic) .. {}, not {}", kMaxIterations, job.batch);
  checkBackend(job.backend);
  HOCKNEY_USAGE_CHECK(!job.patterns.empty(), "no patterns to calibrate");
  for (const auto& p : job.patterns) selectCases(p, calibrationAlgorithms(p));  // names known
  namespace fs = std::filesystem;
  HOCKNEY_USAGE_CHECK(!fs::exists(job.outDir) || fs::is_directory(job.outDir),
                      "--out {} is a file; calibrate writes a directory (results.json and "
                      "calibration.json in it)",
                      job.outDir);
}

std::vector<PatternPlan> planCalibration(const CalibrateJob& job, const SweepConfig& sweep,
                                         int ranks, std::vector<std::string>& notes) {
  std::vector<PatternPlan> plans;
  for (const auto& pattern : job.patterns) {
    const bool reduces = pattern == "allreduce" || pattern == "reduce_scatter";
    for (DataType type : job.types) {
      if (!reduces && type != job.types.front()) continue;  // moving bytes: one type will do
      PatternPlan plan;
      plan.pattern = pattern;
      plan.type = type;
      if (pattern == "sendrecv" && ranks < 2) {
        notes.push_back("sendrecv skipped: point-to-point needs 2 ranks");
        continue;
      }
      checkPatternOptions(pattern, sweep.pattern, ranks);
      std::vector<BenchCase> cases = selectCases(pattern, calibrationAlgorithms(pattern));
      useBackend(cases, job.backend);
      for (BenchCase& c : cases) {
        if (auto why = c.unavailable(sweep.pattern, ranks, &sweep.nodeOfRank))
          notes.push_back(fmt::format("skipped {}/{}: {}", pattern, c.algorithm, *why));
        else
          plan.cases.push_back(std::move(c));
      }
      if (plan.cases.empty()) continue;
      const size_t element = elementSize(type);
      plan.unit = pattern == "reduce_scatter" || pattern == "allgather" || pattern == "alltoall"
                      ? element * static_cast<size_t>(ranks)
                      : element;
      plan.ceiling = job.maxBytes;
      plans.push_back(std::move(plan));
    }
  }
  HOCKNEY_USAGE_CHECK(!plans.empty(), "no pattern can be calibrated on {} ranks", ranks);
  for (DataType t : job.types)
    if (ranks > validationRankLimit(t))
      throw UsageError(fmt::format("{} ranks: validation of {} is exact only up to {} ranks", ranks,
                                   name(t), validationRankLimit(t)));
  return plans;
}

std::vector<ResultRow> openCalibrationCheckpoint(const CalibrateJob& job,
                                                 const Checkpoint& checkpoint, const json& identity,
                                                 int ranks, std::vector<std::string>& notes) {
  const std::string resultsFile = resultsPath(job);
  std::vector<ResultRow> visits;
  std::filesystem::create_directories(job.outDir);
  if (checkpoint.exists() && !checkpoint.hasRows()) checkpoint.remove();
  if (checkpoint.exists() && !job.resume)
    throw UsageError(fmt::format(
        "{} holds points of an unfinished calibration; pass --resume to continue it, or "
        "remove it",
        checkpoint.path()));
  const bool finished = std::filesystem::exists(resultsFile);
  if (finished && !checkpoint.exists() && !job.resume)
    throw UsageError(fmt::format(
        "{} holds a finished calibration; pass --resume to refine it (its points are kept "
        "and the new budget spent where the fits need it), or choose another --out",
        job.outDir));
  if (job.resume && finished && !checkpoint.exists()) {
    // Refining a finished calibration: its rows seed the checkpoint, checked like one.
    const json report = readJsonFile(resultsFile, "results report");
    const json config = interpretJson(resultsFile, [&] { return report.at("config"); });
    for (const char* field : {"dtypes", "buffers"})
      HOCKNEY_USAGE_CHECK(config.value(field, json()) == identity[field],
                          "--resume: {} was measured with {} {}, this job asks for {}", resultsFile,
                          field, config.value(field, json()).dump(), identity[field].dump());
    HOCKNEY_USAGE_CHECK(report.value("ranks", 0) == ranks,
                        "--resume: {} was measured on {} ranks, this job has {}", resultsFile,
                        report.value("ranks", 0), ranks);
    visits = interpretJson(resultsFile,
                           [&] { return report.at("results").get<std::vector<ResultRow>>(); });
    checkpoint.create(identity);
    for (const ResultRow& r : visits) checkpoint.append(r);
    notes.push_back(fmt::format("--resume: refining {} ({} points)", resultsFile, visits.size()));
  } else if (job.resume && checkpoint.exists()) {
    visits = checkpoint.load(identity, notes);
    notes.push_back(fmt::format("--resume: {} points from {}", visits.size(), checkpoint.path()));
  } else if (job.resume) {
    notes.push_back("--resume: no checkpoint found, started afresh");
  }
  if (!checkpoint.exists()) checkpoint.create(identity);
  return visits;
}

}  // namespace hockney
