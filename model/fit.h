#pragma once
// Calibration: regress measured times on an algorithm's own cost coefficients,
//   t ≈ a·α + b·β + c·γ   with α, β, γ ≥ 0,
// weighted so that relative error counts (small and large messages alike), exactly (all
// subsets of the three terms are tried: a non-negative least-squares solution is the best
// feasible one of them). Piecewise: as many breaks (eager/rendezvous, cache tiers, protocol
// switches) as cross-validation over sizes supports, each piece fitted on its own; quality is
// reported on held-out sizes.
#include <optional>
#include <string>
#include <vector>

namespace hockney {

struct FitPoint {
  double a = 0, b = 0, c = 0;  // α count, β bytes, γ bytes
  double seconds = 0;          // measured (median) time
  double bytes = 0;            // message size, for breaks and folds
  int ranks = 0;
};

struct Coefficients {
  double alpha = 0;  // seconds per message round
  double beta = 0;   // seconds per byte transferred
  double gamma = 0;  // seconds per byte reduced
};

struct Piece {
  double fromBytes = 0;  // inclusive
  double toBytes = 0;    // exclusive; +inf for the last piece
  Coefficients coeffs;
};

struct FitResult {
  std::vector<Piece> pieces;   // one per regime, in size order
  std::vector<double> breaks;  // the first size of every piece but the first
  double r2 = 0;               // on all points, of log times
  // |pred - t| / t of every size predicted by a fit that did not see it (its piece refitted
  // without it: leave-one-size-out, or k-fold with `folds` > 0)
  double heldOutMedianRelErr = 0;
  double heldOutP90RelErr = 0;
  double heldOutWorstRelErr = 0;
  double worstBytes = 0;     // the size of the worst held-out error
  size_t heldOutPoints = 0;  // 0: too few sizes to hold any out (quality unknown)
  std::vector<std::pair<double, double>> heldOut;  // (bytes, relative error) of each held-out point
  int folds = 0;                                   // 0: leave one size out
  std::vector<double> sizes;                       // distinct sizes used
  std::vector<int> ranks;                          // distinct rank counts used
  double predict(const FitPoint& x) const;
};

// The one prediction of the model: a·α + b·β + c·γ with the coefficients of the piece whose
// [fromBytes, toBytes) holds `bytes` (the last piece beyond them all).
double predictPieces(const std::vector<Piece>& pieces, double a, double b, double c, double bytes);

// Non-negative weighted least squares of t on (a, b, c); useGamma=false fixes γ = 0.
// Throws Error when no point has a positive time.
Coefficients fitNonNegative(const std::vector<FitPoint>& points, bool useGamma);

struct FitOptions {
  bool useGamma = true;
  bool allowBreak = true;
  int folds = 0;  // 0: leave one size out; k >= 2: k folds of every k-th size
  int minSizesPerPiece = 3;
  int maxPieces = 6;
  // A break must cut the mean held-out relative error by this fraction and by this much
  // absolute, so that noise (a few percent) never buys a break.
  double breakGain = 0.10;
  double breakMinAbsoluteGain = 0.005;
};

// Throws UsageError naming the problem for degenerate input (fewer than two distinct sizes,
// no positive time).
FitResult fitPoints(const std::vector<FitPoint>& points, const FitOptions& options);

}  // namespace hockney
