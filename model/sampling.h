#pragma once
// Adaptive sampling for `hockney calibrate`: after a coarse pass, where should the next sizes
// go? Into the gaps where the fit is least trusted — the gap that straddles each break (to pin
// the regime change down) and the gaps beside sizes the fit predicts worst when it has not seen
// them (held-out error) — never closer than a minimum ratio between neighbours.
#include <vector>

#include "model/fit.h"

namespace hockney {

struct SamplingOptions {
  double minRatio = 1.19;    // no new size closer than this ratio to a measured one
  double goodEnough = 0.03;  // held-out relative error below which a size needs no neighbours
  size_t maxNew = 8;         // sizes proposed per call
};

// New sizes (bytes, not rounded: the caller rounds to its element and rank multiples), most
// needed first; empty when every gap is either trusted or too narrow to split.
std::vector<double> proposeSizes(const FitResult& fit, const SamplingOptions& options);

// Geometric sizes from `lo` to `hi` by `factor` (hi always included).
std::vector<double> geometricGrid(double lo, double hi, double factor);

}  // namespace hockney
