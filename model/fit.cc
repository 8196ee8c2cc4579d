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

FitResult fitFixed(const std::vector<FitPoint>& pts, std::optional<double> breakAt, bool useGamma) {
  FitResult f;
  if (!breakAt) {
    f.pieces.push_back({0, std::numeric_limits<double>::infinity(), fitNonNegative(pts, useGamma)});
    return f;
  }
  std::vector<FitPoint> low, high;
  for (const auto& p : pts) (p.bytes < *breakAt ? low : high).push_back(p);
  f.pieces.push_back({0, *breakAt, fitNonNegative(low, useGamma)});
  f.pieces.push_back(
      {*breakAt, std::numeric_limits<double>::infinity(), fitNonNegative(high, useGamma)});
  f.breakBytes = breakAt;
  return f;
}

// Held-out relative errors: fold f leaves out every k-th distinct size starting at f.
std::vector<double> crossValidate(const std::vector<FitPoint>& pts,
                                  const std::vector<double>& sizes, std::optional<double> breakAt,
                                  const FitOptions& o, int folds) {
  std::vector<double> errors;
  for (int f = 0; f < folds; ++f) {
    std::set<double> heldOut;
    for (size_t i = static_cast<size_t>(f); i < sizes.size(); i += static_cast<size_t>(folds))
      heldOut.insert(sizes[i]);
    std::vector<FitPoint> train, test;
    for (const auto& p : pts) (heldOut.count(p.bytes) ? test : train).push_back(p);
    if (breakAt) {  // each piece needs training points
      bool lowOk = false, highOk = false;
      for (const auto& p : train) (p.bytes < *breakAt ? lowOk : highOk) = true;
      if (!lowOk || !highOk) continue;
    }
    FitResult fit = fitFixed(train, breakAt, o.useGamma);
    for (const auto& p : test) errors.push_back(std::abs(fit.predict(p) - p.seconds) / p.seconds);
  }
  return errors;
}

double medianOf(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return percentile(v, 0.5);
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
  const int folds = std::min<int>(o.folds, static_cast<int>(sizes.size()));

  std::optional<double> bestBreak;
  double bestError = medianOf(crossValidate(pts, sizes, std::nullopt, o, folds));
  if (o.allowBreak) {
    const auto need = static_cast<size_t>(o.minSizesPerPiece);
    double candidateBest = std::numeric_limits<double>::infinity();
    std::optional<double> candidate;
    for (size_t i = need; i + need <= sizes.size(); ++i) {
      std::vector<double> errs = crossValidate(pts, sizes, sizes[i], o, folds);
      if (errs.empty()) continue;
      double e = medianOf(errs);
      if (e < candidateBest) {
        candidateBest = e;
        candidate = sizes[i];
      }
    }
    if (candidate && candidateBest < (1.0 - o.breakGain) * bestError &&
        bestError - candidateBest > o.breakMinAbsoluteGain) {
      bestBreak = candidate;
      bestError = candidateBest;
    }
  }
  FitResult fit = fitFixed(pts, bestBreak, o.useGamma);
  std::vector<double> errs = crossValidate(pts, sizes, bestBreak, o, folds);
  std::sort(errs.begin(), errs.end());
  fit.heldOutMedianRelErr = percentile(errs, 0.5);
  fit.heldOutP90RelErr = percentile(errs, 0.9);
  fit.folds = folds;
  double mean = 0;
  for (const auto& p : pts) mean += p.seconds;
  mean /= static_cast<double>(pts.size());
  double ssRes = 0, ssTot = 0;
  for (const auto& p : pts) {
    ssRes += std::pow(fit.predict(p) - p.seconds, 2);
    ssTot += std::pow(p.seconds - mean, 2);
  }
  fit.r2 = ssTot > 0 ? 1.0 - ssRes / ssTot : 1.0;
  fit.sizes = sizes;
  fit.ranks.assign(rankSet.begin(), rankSet.end());
  return fit;
}

}  // namespace hockney
