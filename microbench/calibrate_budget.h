#pragma once
// calibrate's budget by cost (rank 0): what a target's points cost, estimated from the series'
// measured calls; the coarse pass fitted into its share of the budget (model/sampling.h,
// budgetCoarse) once the scouting pass has measured two cheap sizes of everything, and again as
// the coarse pass reaches larger sizes (ceilings only come down); the world checks' few sizes.
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "microbench/calibrate.h"
#include "microbench/calibrate_setup.h"
#include "model/sampling.h"

namespace hockney {

// Point-to-point keeps sizes up to this at least when the budget is short: the bandwidth of a
// fabric is read from its large messages (and compare's headline with it).
inline constexpr double kPointToPointFloor = 8.0 * (1 << 20);

// The world checks' sizes: one below the large-message regime and two in it, so that the
// composed model is judged where bandwidth decides (a median over sizes of at least 1 MiB).
std::vector<double> checkSizes(double hi);

// A target's sweep: its place's, in the target's element type, between its pair.
SweepConfig targetSweep(const std::vector<CalibrationPlace>& places, const CalibrationTarget& plan,
                        long minIterations);
// The identity of the row a target's case would measure at `requested` bytes (what --resume and
// the visit counts match on), without measuring it.
ResultRow targetProbe(const std::vector<CalibrationPlace>& places, const CalibrationTarget& plan,
                      const BenchCase& c, size_t requested, const std::string& backend);
// Whether `r` is a row of this target (its pattern, type, place and pair) and case.
bool rowOfTarget(const ResultRow& r, const std::vector<CalibrationPlace>& places,
                 const CalibrationTarget& plan, const BenchCase& c);
// Seconds of one call (pingpong reports half a round trip).
double callSeconds(const ResultRow& r, const BenchCase& c);

// What the budget knows of a target's case: its measured calls, its range and floor.
SeriesCost targetSeriesCost(const CalibrateJob& job, const std::vector<CalibrationPlace>& places,
                            const CalibrationTarget& plan, const BenchCase& c,
                            const std::vector<ResultRow>& visits);

// The coarse pass fitted into `seconds` (divided by `overhead`: what a point costs beyond its
// calls, as the scouting pass showed it). Lowers the targets' ceilings (checks keep theirs) and
// `minIterations`; `record` is what the report's passes keep, `note` what calibrate says (empty
// when nothing had to give).
struct CoarseDecision {
  CoarseBudget budget;
  nlohmann::json record;
  std::string note;
};
CoarseDecision planCoarse(const CalibrateJob& job, const std::vector<CalibrationPlace>& places,
                          std::vector<CalibrationTarget>& plans,
                          const std::vector<ResultRow>& visits, double seconds, double overhead,
                          long& minIterations);

// The same during the coarse pass, at `reached` bytes with `seconds` left for it: the note of what
// it lowered, or nothing.
std::optional<std::string> replanCoarse(const CalibrateJob& job,
                                        const std::vector<CalibrationPlace>& places,
                                        std::vector<CalibrationTarget>& plans,
                                        const std::vector<ResultRow>& visits, double seconds,
                                        double overhead, long& minIterations, size_t reached);

// What a target asks for in a pass: 0 scouting (its smallest size and 64 KiB), 1 its coarse grid,
// 2 the checks' sizes, 3 a factor of 4 (and of 2 above 1 MiB for point-to-point), later what its
// fits propose (most needed first) and the outliers to visit again, as (case, requested bytes).
// Sizes are unrounded; `rows` merged, `have` the visits per row key so far.
struct PassWants {
  std::vector<double> sizes;
  std::vector<std::pair<size_t, size_t>> revisits;
};
PassWants passWants(int pass, const CalibrateJob& job, const std::vector<CalibrationPlace>& places,
                    const CalibrationTarget& plan, const std::vector<ResultRow>& rows,
                    const std::map<std::string, int>& have);

// The drift probe: the vendor's float32 all-reduce, on the world when it is measured there.
struct DriftProbe {
  size_t place = 0;
  BenchCase call;
};
std::optional<DriftProbe> driftProbe(const std::vector<CalibrationTarget>& plans);

}  // namespace hockney
