#pragma once
// Vendor collectives (MPI_Allreduce, ncclAllReduce: black boxes) carried to rank counts they were
// not measured at. A black box measured at p ranks says nothing about q ranks without an
// assumption; hockney's is nccl-tests' bus-bandwidth convention,
//   t(p, n) = α · g(p) + n · factor(p) · β_bus,
// with factor the pattern's bus factor (2(p-1)/p for all-reduce, (p-1)/p for all-gather,
// reduce-scatter and all-to-all, 1 for point-to-point) and g the growth of the latency term in p
// of a named algorithm: ring p - 1 steps, tree ⌈log2 p⌉. The assumption is the user's choice
// (--vendor-scaling), and every number priced this way says which one it used.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectives/core/cost.h"
#include "model/calibration.h"
#include "model/fit.h"
#include "model/iteration.h"

namespace hockney {

// ring | tree | auto (tree where the call is latency-bound, ring where it is bandwidth-bound).
enum class VendorScaling { kRing, kTree, kAuto };
std::optional<VendorScaling> parseVendorScaling(std::string_view name);
std::string_view name(VendorScaling scaling);

// The latency steps g(p) of `scaling` ("ring" or "tree"), 1 for point-to-point patterns.
double latencySteps(std::string_view pattern, std::string_view scaling, int p);
// The bus-convention coefficients of a call of `bytes` on p ranks: {g(p), bytes * factor(p), 0}.
Cost busCost(std::string_view pattern, std::string_view scaling, int p, double bytes);

// The rows of one black-box fit at one rank count, as fitted.
struct VendorSeries {
  const CalibratedFit* fit = nullptr;
  std::vector<FitPoint> points;
};
// Series of one (backend, pattern, algorithm, dtype, buffers, level, placement) at three or more
// rank counts: one fit across them per scaling (ring, tree), each with its error on every rank
// count left out of the fit. Collectives only (point-to-point has nothing to scale).
std::vector<CalibratedFit> fitAcrossRanks(const std::vector<VendorSeries>& series,
                                          const FitOptions& options,
                                          std::vector<std::string>& warnings);

struct VendorPrice {
  double seconds = 0;
  const CalibratedFit* fit = nullptr;  // the fit it came from
  std::string note;                    // how it was carried to the item's rank count; empty: not
};
// A vendor call of `item` (ranksPerNode of its ranks on a host) from `fits`, the black boxes of
// its pattern, level, type and backend: the fit measured at its rank count; else a fit across rank
// counts; else the nearest rank count's, scaled. nullopt when `fits` has none.
std::optional<VendorPrice> priceVendor(const CommItem& item, int ranksPerNode,
                                       const std::vector<const CalibratedFit*>& fits,
                                       VendorScaling scaling);
// A point-to-point message of `item.bytes` priced from a vendor collective's fit (`fit`, the
// level's): one step of its latency and the bytes at its bus bandwidth.
VendorPrice priceSendFromBus(const CommItem& item, const CalibratedFit& fit);

}  // namespace hockney
