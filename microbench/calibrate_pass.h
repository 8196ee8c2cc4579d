#pragma once
// One pass of calibrate: what rank 0 plans and tells every rank (the points to measure and, for
// the coarse pass, the budget's iteration floor and per-target ceilings, as text every rank
// agrees on), and the order its points are measured in.
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "microbench/calibrate_setup.h"

namespace hockney {

struct PlannedPoint {
  size_t target = 0;   // index into the targets
  size_t bytes = 0;    // requested
  long onlyCase = -1;  // -1: every case of the target; else a revisit of this case
};

struct PassPlan {
  std::optional<long> minIterations;                // the budget's floor (coarse pass)
  std::vector<std::pair<size_t, size_t>> ceilings;  // (target, largest request)
  std::vector<PlannedPoint> points;
  std::string text() const;                           // what rank 0 sends
  static PassPlan fromText(const std::string& text);  // what every rank reads
};

struct PassWork {
  size_t target = 0, caseIndex = 0, bytes = 0;
};
// The scouting, coarse and world-check passes (0-2) go size by size across every series, so that
// a budget cut still leaves every pattern measured (project needs them all). Later passes go
// series by series, sizes ascending within each, so that a slow spell of the host shifts a
// stretch of a series rather than scattering its points; point-to-point first (pipelines, the
// headline of a fabric comparison), then the network's targets, then in-host ones, checks last.
std::vector<PassWork> passOrder(int pass, std::vector<PlannedPoint> points,
                                const std::vector<CalibrationTarget>& targets);

}  // namespace hockney
