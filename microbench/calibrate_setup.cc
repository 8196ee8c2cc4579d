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
  // Point-to-point is priced with its reference (pingpong: one-way time); the others with every
  // algorithm.
  const Pattern& p = findPattern(pattern);
  if (p.facts.pointToPoint) return {std::string(p.facts.reference)};
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
  findBackend(job.backend);
  HOCKNEY_USAGE_CHECK(!job.patterns.empty(), "no patterns to calibrate");
  for (const auto& p : job.patterns)
    selectCases(p, calibrationAlgorithms(p), job.backend);  // names known
  namespace fs = std::filesystem;
  HOCKNEY_USAGE_CHECK(!fs::exists(job.outDir) || fs::is_directory(job.outDir),
                      "--out {} is a file; calibrate writes a directory (results.json and "
                      "calibration.json in it)",
                      job.outDir);
}

std::vector<CalibrationTarget> calibrationTargets(const CalibrateJob& job, const SweepConfig& sweep,
                                                  int ranks, std::vector<std::string>& notes) {
  std::vector<CalibrationTarget> plans;
  for (const auto& pattern : job.patterns) {
    const Pattern& entry = findPattern(pattern);
    for (DataType type : job.types) {
      // Moving bytes: one type will do.
      if (!entry.facts.reduces && type != job.types.front()) continue;
      CalibrationTarget plan;
      plan.pattern = pattern;
      plan.type = type;
      if (entry.facts.pointToPoint && ranks < 2) {
        notes.push_back(fmt::format("{} skipped: point-to-point needs 2 ranks", pattern));
        continue;
      }
      checkPatternOptions(pattern, sweep.pattern, ranks);
      std::vector<BenchCase> cases =
          selectCases(pattern, calibrationAlgorithms(pattern), job.backend);
      plan.cases =
          runnableCases(std::move(cases), sweep.pattern, ranks, &sweep.nodeOfRank, false, notes);
      if (plan.cases.empty()) continue;
      plan.unit = entry.unitBytes(ranks, type);
      plan.ceiling = job.maxBytes;
      plans.push_back(std::move(plan));
    }
  }
  HOCKNEY_USAGE_CHECK(!plans.empty(), "no pattern can be calibrated on {} ranks", ranks);
  for (DataType t : job.types) checkValidationRanks(ranks, t, "");
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
