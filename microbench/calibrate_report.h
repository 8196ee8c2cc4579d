#pragma once
// The end of a calibrate job (rank 0): its rows, notes and drift probes become DIR/results.json
// and DIR/calibration.json, and the fit table is printed. No MPI: calibrate.cc runs the job.
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "microbench/calibrate.h"
#include "microbench/sweep.h"
#include "reports/results.h"

namespace hockney {

// The drift probe: MPI's float32 all-reduce of this size, once per pass.
inline constexpr size_t kReferenceBytes = size_t{1} << 20;

std::string resultsPath(const CalibrateJob& job);
std::string calibrationPath(const CalibrateJob& job);
std::vector<std::string> typeNames(const std::vector<DataType>& types);

struct CalibrationOutcome {
  std::vector<ResultRow> visits;        // every measurement, resumed and fresh
  std::vector<std::string> notes;       // the job's so far
  std::vector<std::string> unmeasured;  // planned points the budget left out
  std::vector<std::string> algorithms;  // pattern/algorithm measured
  bool budgetSpent = false;
  nlohmann::json passes = nlohmann::json::array();
  std::vector<double> references;       // the drift probe's median, per pass (us)
  std::vector<double> referenceFaults;  // its minor page faults per call, per pass
  int referenceRanks = 0;               // the ranks it ran on
  SweepConfig sweep;                    // as measured (op, warm-up, rotation)
  Provenance provenance;
};

// Writes both reports (the results first, then the checkpoint goes), prints the fit table and
// returns the exit code: kExitOk, kExitCheckFailed when a point failed validation, kExitUsage
// when nothing could be fitted, kExitIncomplete when a fit is under-determined (unless
// job.allowPartial). `elapsed` is the job's clock, for the closing line.
int writeCalibration(const CalibrateJob& job, CalibrationOutcome outcome,
                     const Checkpoint& checkpoint, const std::function<double()>& elapsed);

}  // namespace hockney
