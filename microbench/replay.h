#pragma once
// `hockney replay`: runs a model step's communication list on the ranks of this job (groups
// shrunk to fit, message sizes unchanged) through the harness, and sets each measured time
// beside the projection for the same shrunk groups. This is how the projection is checked.
#include <string>

#include "model/projection.h"

namespace hockney {

struct ReplayOptions {
  int scaleToRanks = 0;                // 0: every rank of the job
  size_t maxBytes = size_t{64} << 20;  // larger collectives are not replayed (memory, time)
  double targetSeconds = 0.05;
  double timeoutSeconds = 300;
  std::string policy = "best";
  std::string out;
  std::string commandLine;
};

// Under MPI (initialised). Returns the exit code: 0, or 1 when a replayed collective failed its
// check. Rank 0 prints and writes the report.
int runReplay(const ModelSpec& model, const Layout& layout, const TrainingOptions& step,
              const CalibrationSet& calibration, const ReplayOptions& options);

}  // namespace hockney
