#pragma once
// Adaptive sampling for `hockney calibrate`: after a coarse pass, where should the next sizes
// go? Into the gaps where the fit is least trusted — the gap that straddles each break (to pin
// the regime change down) and the gaps beside sizes the fit predicts worst when it has not seen
// them (held-out error) — never closer than a minimum ratio between neighbours.
#include <vector>

#include "model/fit.h"
#include "reports/results.h"

namespace hockney {

struct SamplingOptions {
  double minRatio = 1.19;    // no new size closer than this ratio to a measured one
  double goodEnough = 0.03;  // held-out relative error below which a size needs no neighbours
  size_t maxNew = 8;         // sizes proposed per call
};

// New sizes (bytes, not rounded: the caller rounds to its element and rank multiples), most
// needed first; empty when every gap is either trusted or too narrow to split.
std::vector<double> proposeSizes(const FitResult& fit, const SamplingOptions& options);

// A point measured in an unlucky moment (this VM has spells where everything runs 2-6x faster
// or slower) disagrees with its neighbours; calibrate measures it until it has kVisits visits,
// and mergeVisits lets the visit with the median time stand for it (every visit's median in
// its details; a failed visit is never hidden). Rows of other keys pass through in order.
inline constexpr int kVisits = 3;
std::vector<ResultRow> mergeVisits(const std::vector<ResultRow>& visits);

struct SeriesNext {
  std::vector<double> sizes;               // what its fit asks to measure (bytes, unrounded)
  std::vector<const ResultRow*> outliers;  // its rows to visit again
};
// One series (pattern, algorithm, dtype; merged rows): the sizes its fit proposes (at most
// maxNew) and the isolated outliers — held-out error >= 10% and >= 3x the series' median —
// that have fewer than kVisits visits (details.visits_median_us). Empty while it has too few
// sizes to fit.
SeriesNext nextForSeries(const std::vector<const ResultRow*>& series, size_t maxNew);

// Geometric sizes from `lo` to `hi` by `factor` (hi always included).
std::vector<double> geometricGrid(double lo, double hi, double factor);

}  // namespace hockney
