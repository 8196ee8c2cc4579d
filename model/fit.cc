#include "model/fit.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "collectives/core/error.h"
#include "reports/stats.h"

namespace hockney {
namespace {

double predictWith(const Coefficients& k, const FitPoint& p) {
  return p.a * k.alpha + p.b * k.beta + p.c * k.gamma;
}

double weightedResidual(const std::vector<FitPoint>& pts, const Coefficients& k) {
  double s = 0;
  for (const auto& p : pts) {
    double r = (predictWith(k, p) - p.seconds) / p.seconds;
    s += r * r;
  }
  return s;
}

}  // namespace

double predictPieces(const std::vector<Piece>& pieces, double a, double b, double c, double bytes) {
  HOCKNEY_CHECK(!pieces.empty(), "a fit without pieces cannot predict");
  const Piece* use = &pieces.back();
  for (const Piece& piece : pieces)
    if (bytes >= piece.fromBytes && bytes < piece.toBytes) {
      use = &piece;
      break;
    }
  return predictWith(use->coeffs, FitPoint{a, b, c, 0, bytes, 0});
}

double FitResult::predict(const FitPoint& x) const {
  return predictPieces(pieces, x.a, x.b, x.c, x.bytes);
}

Coefficients fitNonNegative(const std::vector<FitPoint>& all, bool useGamma) {
  std::vector<FitPoint> pts;
  for (const auto& p : all)
    if (p.seconds > 0) pts.push_back(p);
  HOCKNEY_CHECK(!pts.empty(), "no point with a positive time to fit");
  const int terms = useGamma ? 3 : 2;
  Coefficients best;
  double bestResidual = std::numeric_limits<double>::infinity();
  // Every non-empty subset of the terms; the unconstrained solution on a subset is feasible
  // when all its coefficients are >= 0, and the NNLS optimum is the best feasible subset.
  for (int mask = 1; mask < (1 << terms); ++mask) {
    std::vector<int> cols;
    for (int j = 0; j < terms; ++j)
      if (mask & (1 << j)) cols.push_back(j);
    Eigen::MatrixXd A(static_cast<Eigen::Index>(pts.size()),
                      static_cast<Eigen::Index>(cols.size()));
    Eigen::VectorXd y(static_cast<Eigen::Index>(pts.size()));
    for (size_t i = 0; i < pts.size(); ++i) {
      const double w = 1.0 / pts[i].seconds;  // relative error
      const double x[3] = {pts[i].a, pts[i].b, pts[i].c};
      for (size_t j = 0; j < cols.size(); ++j)
        A(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = x[cols[j]] * w;
      y(static_cast<Eigen::Index>(i)) = 1.0;  // t · w
    }
    // Scale columns so α (counts) and β/γ (bytes) are solved at comparable magnitudes.
    Eigen::VectorXd scale = A.colwise().norm().transpose();
    for (Eigen::Index j = 0; j < scale.size(); ++j)
      if (scale(j) > 0) A.col(j) /= scale(j);
    Eigen::VectorXd sol = A.colPivHouseholderQr().solve(y);
    bool feasible = true;
    Coefficients k;
    double* slot[3] = {&k.alpha, &k.beta, &k.gamma};
    for (size_t j = 0; j < cols.size(); ++j) {
      const auto jj = static_cast<Eigen::Index>(j);
      double v = scale(jj) > 0 ? sol(jj) / scale(jj) : 0;
      if (!(v >= 0) || !std::isfinite(v)) feasible = false;
      *slot[cols[j]] = v;
    }
    if (!feasible) continue;
    double r = weightedResidual(pts, k);
    if (r < bestResidual) {
      bestResidual = r;
      best = k;
    }
  }
  return best;
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Pieces for fixed breaks: each fitted on its own points.
std::vector<Piece> fitPiecesAt(const std::vector<FitPoint>& pts, const std::vector<double>& breaks,
                               bool useGamma) {
  std::vector<Piece> pieces;
  for (size_t i = 0; i <= breaks.size(); ++i) {
    const double from = i == 0 ? 0 : breaks[i - 1];
    const double to = i == breaks.size() ? kInf : breaks[i];
    std::vector<FitPoint> mine;
    for (const auto& p : pts)
      if (p.bytes >= from && p.bytes < to) mine.push_back(p);
    pieces.push_back({from, to, fitNonNegative(mine, useGamma)});
  }
  return pieces;
}

struct HeldOut {
  double bytes;
  double relErr;
};

// Held-out relative errors for fixed breaks. Folds hold out sizes (every point of a size
// together): fold f of k holds out every k-th size from f; folds == 0 holds out one size at a
// time. A held-out size is predicted by its own piece refitted without it; a piece left with
// fewer than two training sizes predicts nothing (its sizes are not counted).
std::vector<HeldOut> crossValidate(const std::vector<FitPoint>& pts,
                                   const std::vector<double>& sizes,
                                   const std::vector<double>& breaks, bool useGamma, int folds) {
  std::vector<HeldOut> out;
  const size_t k = folds > 0 ? static_cast<size_t>(folds) : sizes.size();
  for (size_t f = 0; f < k; ++f) {
    std::set<double> heldOut;
    for (size_t i = f; i < sizes.size(); i += k) heldOut.insert(sizes[i]);
    for (size_t piece = 0; piece <= breaks.size(); ++piece) {
      const double from = piece == 0 ? 0 : breaks[piece - 1];
      const double to = piece == breaks.size() ? kInf : breaks[piece];
      std::vector<FitPoint> train, test;
      std::set<double> trainSizes;
      for (const auto& p : pts) {
        if (p.bytes < from || p.bytes >= to) continue;
        if (heldOut.count(p.bytes)) {
          test.push_back(p);
        } else {
          train.push_back(p);
          trainSizes.insert(p.bytes);
        }
      }
      if (test.empty() || trainSizes.size() < 2) continue;
      const Coefficients c = fitNonNegative(train, useGamma);
      for (const auto& p : test)
        out.push_back({p.bytes, std::abs(predictWith(c, p) - p.seconds) / p.seconds});
    }
  }
  return out;
}

double meanError(const std::vector<HeldOut>& v) {
  if (v.empty()) return kInf;
  double s = 0;
  for (const auto& h : v) s += h.relErr;
  return s / static_cast<double>(v.size());
}

// Every piece keeps at least `need` distinct sizes.
bool piecesLargeEnough(const std::vector<double>& sizes, const std::vector<double>& breaks,
                       size_t need) {
  size_t piece = 0, inPiece = 0;
  for (double s : sizes) {
    while (piece < breaks.size() && s >= breaks[piece]) {
      if (inPiece < need) return false;
      ++piece;
      inPiece = 0;
    }
    ++inPiece;
  }
  return inPiece >= need && piece == breaks.size();
}

}  // namespace

FitResult fitPoints(const std::vector<FitPoint>& input, const FitOptions& o) {
  std::vector<FitPoint> pts;
  for (const auto& p : input)
    if (p.seconds > 0) pts.push_back(p);
  HOCKNEY_USAGE_CHECK(!pts.empty(), "no measurement with a positive time");
  std::set<double> sizeSet;
  std::set<int> rankSet;
  for (const auto& p : pts) {
    sizeSet.insert(p.bytes);
    rankSet.insert(p.ranks);
  }
  std::vector<double> sizes(sizeSet.begin(), sizeSet.end());
  HOCKNEY_USAGE_CHECK(sizes.size() >= 2, "only {} distinct size (need at least 2 to fit)",
                      sizes.size());
  const int folds = o.folds >= 2 ? std::min<int>(o.folds, static_cast<int>(sizes.size())) : 0;
  const auto need = static_cast<size_t>(std::max(o.minSizesPerPiece, 2));
  auto errorOf = [&](const std::vector<double>& breaks) {
    return meanError(crossValidate(pts, sizes, breaks, o.useGamma, folds));
  };
  // The mean held-out error of the sizes in [from, to): what a break inside that piece changes.
  auto errorWithin = [&](const std::vector<double>& breaks, double from, double to) {
    std::vector<HeldOut> mine;
    for (const HeldOut& h : crossValidate(pts, sizes, breaks, o.useGamma, folds))
      if (h.bytes >= from && h.bytes < to) mine.push_back(h);
    return meanError(mine);
  };

  // Forward selection of breaks: add the one that cuts the held-out error most, while it cuts
  // it enough; then let each break slide to a neighbouring size while that helps.
  std::vector<double> breaks;
  double error = errorOf(breaks);
  while (o.allowBreak && static_cast<int>(breaks.size()) + 1 < o.maxPieces) {
    std::vector<double> bestBreaks;
    double bestError = kInf;
    for (size_t i = 1; i < sizes.size(); ++i) {
      if (std::find(breaks.begin(), breaks.end(), sizes[i]) != breaks.end()) continue;
      std::vector<double> trial = breaks;
      trial.insert(std::upper_bound(trial.begin(), trial.end(), sizes[i]), sizes[i]);
      if (!piecesLargeEnough(sizes, trial, need)) continue;
      const double e = errorOf(trial);
      if (e < bestError) {
        bestError = e;
        bestBreaks = trial;
      }
    }
    if (bestBreaks.empty() || error - bestError <= o.breakMinAbsoluteGain) break;
    // The gain is judged on the sizes of the piece the break splits, each side apart: noise in
    // other sizes (the smallest of a busy host read 0.3 or 0.6 us at random, which no line
    // follows) must not dilute a regime change on one side.
    double from = 0, to = kInf;
    const double added = *std::find_if(bestBreaks.begin(), bestBreaks.end(), [&](double x) {
      return std::find(breaks.begin(), breaks.end(), x) == breaks.end();
    });
    for (double b : breaks) {
      if (b < added) from = b;
      if (b > added && b < to) to = b;
    }
    bool gains = false;
    for (const auto& [lo, hi] : {std::pair{from, added}, std::pair{added, to}})
      gains = gains ||
              errorWithin(bestBreaks, lo, hi) < (1.0 - o.breakGain) * errorWithin(breaks, lo, hi);
    if (!gains) break;
    breaks = bestBreaks;
    error = bestError;
    for (bool moved = true; moved;) {
      moved = false;
      for (size_t b = 0; b < breaks.size(); ++b) {
        const size_t at = static_cast<size_t>(
            std::lower_bound(sizes.begin(), sizes.end(), breaks[b]) - sizes.begin());
        for (size_t neighbour : {at - 1, at + 1}) {
          if (neighbour == 0 || neighbour >= sizes.size()) continue;
          std::vector<double> trial = breaks;
          trial[b] = sizes[neighbour];
          if (!std::is_sorted(trial.begin(), trial.end()) ||
              std::adjacent_find(trial.begin(), trial.end()) != trial.end() ||
              !piecesLargeEnough(sizes, trial, need))
            continue;
          const double e = errorOf(trial);
          if (e < error) {
            error = e;
            breaks = trial;
            moved = true;
            break;
          }
        }
      }
    }
  }

  FitResult fit;
  fit.pieces = fitPiecesAt(pts, breaks, o.useGamma);
  fit.breaks = breaks;
  std::vector<HeldOut> held = crossValidate(pts, sizes, breaks, o.useGamma, folds);
  std::vector<double> errs;
  for (const auto& h : held) {
    errs.push_back(h.relErr);
    fit.heldOut.emplace_back(h.bytes, h.relErr);
    if (h.relErr >= fit.heldOutWorstRelErr) {
      fit.heldOutWorstRelErr = h.relErr;
      fit.worstBytes = h.bytes;
    }
  }
  std::sort(errs.begin(), errs.end());
  fit.heldOutPoints = errs.size();
  fit.heldOutMedianRelErr = errs.empty() ? 0 : percentile(errs, 0.5);
  fit.heldOutP90RelErr = errs.empty() ? 0 : percentile(errs, 0.9);
  fit.folds = folds;
  // R² of log times: sizes span decades, and a relative fit is judged on every one of them (on
  // raw times the largest size alone would decide it).
  double mean = 0;
  for (const auto& p : pts) mean += std::log(p.seconds);
  mean /= static_cast<double>(pts.size());
  double ssRes = 0, ssTot = 0;
  for (const auto& p : pts) {
    const double predicted = std::max(fit.predict(p), 1e-30);
    ssRes += std::pow(std::log(predicted) - std::log(p.seconds), 2);
    ssTot += std::pow(std::log(p.seconds) - mean, 2);
  }
  fit.r2 = ssTot > 0 ? 1.0 - ssRes / ssTot : 1.0;
  fit.sizes = sizes;
  fit.ranks.assign(rankSet.begin(), rankSet.end());
  return fit;
}

}  // namespace hockney
