#pragma once
// What `hockney calibrate` settles before it measures: its options (before MPI starts), the
// patterns and algorithms it can run on this many ranks, and the checkpoint it continues or
// starts (rank 0). Each throws UsageError with the reason.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "microbench/calibrate.h"
#include "microbench/cases.h"
#include "microbench/sweep.h"
#include "reports/results.h"

namespace hockney {

// One pattern in one element type, with the cases calibrate measures for it.
struct CalibrationTarget {
  std::string pattern;
  DataType type = DataType::kFloat32;
  std::vector<BenchCase> cases;
  size_t unit = 4;     // requests are rounded to this (one element, or one per rank)
  size_t ceiling = 0;  // the largest request allowed (lowered when a size does not fit memory)
};

// The plans of the job's patterns and types that can run on `ranks` (the sweep's placement
// decides hierarchical algorithms); what cannot run is said in `notes`.
std::vector<CalibrationTarget> calibrationTargets(const CalibrateJob& job, const SweepConfig& sweep,
                                                  int ranks, std::vector<std::string>& notes);

// Rank 0: creates DIR, and continues (--resume) or starts the checkpoint named `identity`;
// refuses to overwrite a finished calibration without --resume. Returns the points already
// measured.
std::vector<ResultRow> openCalibrationCheckpoint(const CalibrateJob& job,
                                                 const Checkpoint& checkpoint,
                                                 const nlohmann::json& identity, int ranks,
                                                 std::vector<std::string>& notes);

}  // namespace hockney
