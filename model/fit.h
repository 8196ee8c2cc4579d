#pragma once
// Calibration: regress measured times on an algorithm's own cost coefficients,
//   t ≈ a·α + b·β + c·γ   with α, β, γ ≥ 0,
// weighted so that relative error counts (small and large messages alike), exactly (all
// subsets of the three terms are tried: a non-negative least-squares solution is the best
// feasible one of them). Optionally piecewise with one break (a protocol switch), chosen by
// k-fold cross-validation over sizes; quality is reported on held-out sizes.
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
  std::vector<Piece> pieces;         // one, or two with a break
  std::optional<double> breakBytes;  // first size of the second piece
  double r2 = 0;                     // on all points, of times
  double heldOutMedianRelErr = 0;    // |pred - t| / t over k-fold held-out sizes
  double heldOutP90RelErr = 0;
  int folds = 0;
  std::vector<double> sizes;  // distinct sizes used
  std::vector<int> ranks;     // distinct rank counts used
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
  int folds = 5;
  int minSizesPerPiece = 3;
  // A break must cut the held-out median relative error by this fraction and by this many
  // points absolute, so that noise (a few percent) never buys a break.
  double breakGain = 0.25;
  double breakMinAbsoluteGain = 0.02;
};

// Throws UsageError naming the problem for degenerate input (fewer than two distinct sizes,
// no positive time).
FitResult fitPoints(const std::vector<FitPoint>& points, const FitOptions& options);

}  // namespace hockney
