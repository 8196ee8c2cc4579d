#pragma once
// `hockney calibrate`: everything `project` needs, measured and fitted in one job within a time
// budget. All-reduce (every algorithm and the vendor's), reduce-scatter, all-gather,
// point-to-point (pingpong), all-to-all and pipeline passes (1F1B between two stages) over sizes
// from --min-bytes to --max-bytes: a coarse pass (factor 16, then 4), then adaptive passes that add
// sizes where the cross-validated error of a fit is highest or where a regime changes, until the
// fits need no more sizes or the budget is spent. Writes DIR/results.json (one report, all
// patterns) and DIR/calibration.json; points are checkpointed to DIR/results.json.jsonl, so
// --resume continues a killed job.
#include <string>
#include <vector>

#include "collectives/core/datatype.h"

namespace hockney {

struct CalibrateJob {
  std::string outDir = "calibration";
  double budgetSeconds = 120;
  size_t minBytes = 8;
  size_t maxBytes = size_t{64} << 20;
  std::vector<std::string> patterns{"allreduce", "reduce_scatter", "allgather",
                                    "sendrecv",  "alltoall",       "pipeline"};
  std::string buffers = "hot";
  // Element types of the reducing patterns (all-reduce, reduce-scatter): a reduction's speed
  // depends on its type (bfloat16 reduces through float on CPUs), and project prices
  // activations in bfloat16 and gradients in float32 by default. Patterns that only move bytes
  // are measured in the first.
  std::vector<DataType> types{DataType::kFloat32, DataType::kBfloat16};
  bool resume = false;
  // Exit 0 even when a fit is under-determined (fewer than kMinFitSizes sizes or never checked on
  // a held-out size); without it such a calibration exits kExitIncomplete (5).
  bool allowPartial = false;
  double timeoutSeconds = 300;
  double targetSeconds = 0.02;  // timed seconds per point
  // Calls per timed sample. 1 (the default) times isolated calls, as a training step issues
  // them between computations: back-to-back small collectives overlap one another on shared
  // memory, and whether they do flips from point to point (0.5 or 1.0 us for the same call).
  long batch = 1;
  std::string backend = "mpi";  // nccl: device buffers over NCCL, vendor = NCCL's collectives
  std::string level;            // override of the level rows record (empty: from the topology)
  std::string commandLine;
};

// The patterns calibrate measures, and which of their algorithms (empty: all of them).
std::vector<std::string> calibrationAlgorithms(const std::string& pattern);

// Everything that can be checked before MPI starts; throws UsageError with the reason.
void validateCalibrateJob(const CalibrateJob& job);

// MPI must be initialised. Returns the exit code: 0 all points passed validation and every fit
// is determined, 1 one failed, 2 bad input found once the job was up, 5 a fit is under-determined
// (the files are written all the same) unless allowPartial.
int runCalibrateJob(const CalibrateJob& job);

}  // namespace hockney
