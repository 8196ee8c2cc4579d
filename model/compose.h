#pragma once
// Pricing a call whose steps cross two link levels from the fits of each level: the algorithm
// runs dry on the priced clock (collectives/transport/counting.h) over the call's placement, each
// step at the α-β of the level its peers sit at. calibrate measures every pattern on node-local
// groups and on one rank per host (single-level fits) and at world scope, where it sets this
// composed time beside the measured one as a held-out check of the per-level model.
#include <optional>
#include <string>
#include <vector>

#include "collectives/registry.h"
#include "model/calibration.h"

namespace hockney {

// The α, β and γ of each level's fit in the regime of a call of `bytes` (γ 0 where the fit
// folded the reduction into β), with the host's network link shared by its ranks (a network fit
// measured one rank per host: one flow on each link).
LevelPrices levelPricesAt(const CalibratedFit& node, const CalibratedFit& network, double bytes);

// Seconds of one call of `algorithm` (an own algorithm of any pattern) on `shape.ranks` ranks
// placed by `nodeOfRank`, with `prices` per level. Runs every rank's steps in process without data
// (buffers are reserved address space, never touched).
double composedSeconds(const Algorithm& algorithm, const CallShape& shape,
                       const std::vector<int>& nodeOfRank, const LevelPrices& prices);

// Where a row's ranks sit, when it records it (details.placement, written by the sweep for calls
// across several hosts): hosts and the most ranks on one host.
struct RowPlacement {
  int hosts = 1, ranksPerHost = 1;
  bool mixesLevels() const { return hosts > 1 && ranksPerHost > 1; }
  std::vector<int> nodeOfRank(int ranks) const;  // consecutive ranks per host, as mpirun places
};
std::optional<RowPlacement> placementOf(const ResultRow& row);

// The checks of every mixed-level row group that has both single-level fits in `fits`; groups
// without them are named in `missing`.
std::vector<ComposedCheck> composedChecks(const std::vector<ResultRow>& mixedRows,
                                          const std::vector<CalibratedFit>& fits,
                                          std::vector<std::string>& missing);

}  // namespace hockney
