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

// Budget by cost. Every fit gets at least kCoarseSizes sizes spanning its range before any fit is
// refined: the coarse grid from lo to hi by a factor of 16 at most, finer where the range is
// short.
inline constexpr size_t kCoarseSizes = 6;
std::vector<double> coarseSizes(double lo, double hi);

// A call's seconds at `bytes` from a series' measured (bytes, seconds per call): the line
// through its two largest sizes (slope at least 0) beyond them, the nearest measured size's time
// below; `fallback` with nothing measured.
double estimateCallSeconds(const std::vector<std::pair<double, double>>& measured, double bytes,
                           double fallback);

// What measuring one point costs on the clock: a warm-up call, then at least minIterations calls
// or enough for targetSeconds, and a little for validation and agreement.
double pointSeconds(double callSeconds, long minIterations, double targetSeconds);

struct SeriesCost {
  std::vector<std::pair<double, double>> measured;  // (bytes, seconds per call), any order
  std::vector<double> have;                         // sizes already measured (not re-measured)
  double lo = 8;                                    // its smallest size
  size_t group = 0;  // series of one group share a ceiling (calibrate: a target's algorithms)
  double floor = 0;  // its ceiling never comes below this (0: 32·lo, so its grid spans something)
};
struct CoarseBudget {
  std::vector<double> ceilings;  // per group: the largest size its coarse grids reach
  long minIterations = 10;       // timed calls per point at least
  double estimateSeconds = 0;    // the coarse grids' cost at those ceilings and repetitions
  bool lowered() const { return loweredCeiling || loweredRepetitions; }
  bool loweredCeiling = false, loweredRepetitions = false;
};
// The coarse pass that fits `seconds`: the job's ceiling `hi` and repetitions when they fit; else
// fewer repetitions (kFewIterations); else the ceiling of the costliest group halved, again and
// again (never below 32·lo, so its grid still spans something), until the grids fit: a slow
// fabric's network collectives stop lower than its cheap in-host groups and point-to-point, and
// every fit keeps its kCoarseSizes sizes. Pure: the calibrate job calls it after a scouting pass
// measured every series at two cheap sizes.
inline constexpr long kFewIterations = 3;
// `from`: the groups' ceilings so far (re-planning during the coarse pass lowers them only);
// empty: `hi` for all.
CoarseBudget budgetCoarse(const std::vector<SeriesCost>& series, double hi, double seconds,
                          long minIterations, double targetSeconds,
                          const std::vector<double>& from = {});

}  // namespace hockney
