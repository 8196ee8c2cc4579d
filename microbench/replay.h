#pragma once
// `hockney replay`: runs a model step's communication list on the ranks of this job (groups
// shrunk to fit, message sizes unchanged where memory and --max-bytes allow) through the
// harness, and sets each measured time beside the projection for the same shrunk call. Every
// kind of item is replayed: TP, PP (a 1F1B pass between two stages, as a pipeline sends), DP in
// its gradient buckets, MoE all-to-all. This is how the projection is checked.
#include <string>

#include "model/projection.h"

namespace hockney {

// A pipeline item is replayed as one 1F1B pass of at most this many micro-batches (the step's
// own when fewer): more add only more of the steady state's exchanges.
inline constexpr int kReplayMicrobatches = 16;

struct ReplayOptions {
  int scaleToRanks = 0;  // 0: every rank of the job
  // Larger collectives are replayed (and projected) at this size, said in a note; so are those
  // whose buffers exceed the memory a rank has, except gradient buckets, which are refused.
  size_t maxBytes = size_t{1} << 30;
  double targetSeconds = 0.05;
  int rounds = 3;  // every item measured once per round; its figure the median of its rounds
  double timeoutSeconds = 300;
  std::string policy = "best";
  std::string out;
  std::string commandLine;
};

// Under MPI (initialised). Returns the exit code: 0, or 1 when a replayed collective failed its
// check. Rank 0 prints and writes the report. Throws UsageError (every rank) for a gradient
// bucket whose buffers exceed the memory a rank has.
int runReplay(const ModelSpec& model, const Layout& layout, const TrainingOptions& step,
              const CalibrationSet& calibration, const ReplayOptions& options);

}  // namespace hockney
