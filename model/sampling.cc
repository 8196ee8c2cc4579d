#include "model/sampling.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "collectives/core/error.h"
#include "model/calibration.h"

namespace hockney {

std::vector<double> proposeSizes(const FitResult& fit, const SamplingOptions& o) {
  const std::vector<double>& sizes = fit.sizes;
  // Score of each gap (between sizes[i-1] and sizes[i]) that is wide enough to split.
  std::map<size_t, double> gapScore;
  auto consider = [&](size_t gap, double score) {
    if (gap == 0 || gap >= sizes.size()) return;
    if (sizes[gap] / sizes[gap - 1] < o.minRatio * o.minRatio) return;
    gapScore[gap] = std::max(gapScore[gap], score);
  };
  // Breaks first: a regime change is located only to within its gap.
  for (double b : fit.breaks) {
    const auto at =
        static_cast<size_t>(std::lower_bound(sizes.begin(), sizes.end(), b) - sizes.begin());
    consider(at, 1.0 + fit.heldOutWorstRelErr);
  }
  // Then both gaps beside every size predicted badly when held out.
  std::map<double, double> worstAt;
  for (const auto& [bytes, err] : fit.heldOut) worstAt[bytes] = std::max(worstAt[bytes], err);
  for (const auto& [bytes, err] : worstAt) {
    if (err <= o.goodEnough) continue;
    const auto at =
        static_cast<size_t>(std::lower_bound(sizes.begin(), sizes.end(), bytes) - sizes.begin());
    consider(at, err);
    consider(at + 1, err);
  }
  std::vector<std::pair<double, size_t>> ranked;
  for (const auto& [gap, score] : gapScore) ranked.emplace_back(score, gap);
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<double> out;
  for (const auto& [score, gap] : ranked) {
    if (out.size() >= o.maxNew) break;
    out.push_back(std::sqrt(sizes[gap - 1] * sizes[gap]));
  }
  return out;
}

std::vector<ResultRow> mergeVisits(const std::vector<ResultRow>& visits) {
  std::map<std::string, std::vector<const ResultRow*>> byKey;
  std::vector<std::string> order;
  for (const ResultRow& r : visits) {
    auto& v = byKey[r.key()];
    if (v.empty()) order.push_back(r.key());
    v.push_back(&r);
  }
  std::vector<ResultRow> out;
  for (const auto& key : order) {
    std::vector<const ResultRow*> v = byKey[key];
    if (v.size() == 1) {
      out.push_back(*v[0]);
      continue;
    }
    nlohmann::json medians = nlohmann::json::array();
    bool anyFailed = false;
    for (const ResultRow* r : v) {
      medians.push_back(r->timeUs.median);
      anyFailed = anyFailed || r->check == "fail";
    }
    std::sort(v.begin(), v.end(), [](const ResultRow* a, const ResultRow* b) {
      return a->timeUs.median < b->timeUs.median;
    });
    ResultRow chosen = *v[(v.size() - 1) / 2];
    if (anyFailed)
      for (const ResultRow* r : v)
        if (r->check == "fail") chosen = *r;  // a failed visit is never hidden
    chosen.details["visits_median_us"] = medians;
    out.push_back(std::move(chosen));
  }
  return out;
}

SeriesNext nextForSeries(const std::vector<const ResultRow*>& series, size_t maxNew) {
  SeriesNext next;
  std::vector<FitPoint> pts;
  std::map<double, const ResultRow*> byBytes;
  for (const ResultRow* r : series)
    if (r->check != "fail" && r->timeUs.median > 0) {
      pts.push_back(fitPointOf(*r));
      byBytes[static_cast<double>(r->bytes)] = r;
    }
  FitResult fit;
  try {
    FitOptions fo;
    fo.useGamma = false;
    fit = fitPoints(pts, fo);
  } catch (const UsageError&) {
    return next;  // too few sizes to fit yet: the coarse passes cover it
  }
  SamplingOptions so;
  so.maxNew = maxNew;
  next.sizes = proposeSizes(fit, so);
  // Isolated outliers (far off while the series fits well elsewhere) are visited again rather
  // than given a regime of their own.
  std::vector<double> errs;
  for (const auto& h : fit.heldOut) errs.push_back(h.second);
  std::sort(errs.begin(), errs.end());
  const double typical = errs.empty() ? 0 : errs[errs.size() / 2];
  for (const auto& [bytes, err] : fit.heldOut) {
    if (err < std::max(0.10, 3 * typical)) continue;
    auto it = byBytes.find(bytes);
    if (it == byBytes.end()) continue;
    const ResultRow* r = it->second;
    const size_t visits =
        r->details.contains("visits_median_us") ? r->details["visits_median_us"].size() : 1;
    if (visits < static_cast<size_t>(kVisits)) next.outliers.push_back(r);
  }
  return next;
}

std::vector<double> geometricGrid(double lo, double hi, double factor) {
  std::vector<double> out;
  for (double s = lo; s < hi * (1 - 1e-9); s *= factor) out.push_back(std::round(s));
  out.push_back(hi);
  return out;
}

std::vector<double> coarseSizes(double lo, double hi) {
  if (!(hi > lo)) return {hi};
  const double factor =
      std::min(16.0, std::pow(hi / lo, 1.0 / static_cast<double>(kCoarseSizes - 1)));
  return geometricGrid(lo, hi, std::max(factor, 1.0 + 1e-6));
}

double estimateCallSeconds(const std::vector<std::pair<double, double>>& measured, double bytes,
                           double fallback) {
  if (measured.empty()) return fallback;
  std::vector<std::pair<double, double>> m = measured;
  std::sort(m.begin(), m.end());
  const auto [b2, t2] = m.back();
  if (bytes <= b2) {
    // The nearest measured size at or above it.
    for (const auto& [b, t] : m)
      if (b >= bytes) return t;
    return t2;
  }
  if (m.size() < 2) return t2;
  const auto [b1, t1] = m[m.size() - 2];
  const double slope = b2 > b1 ? std::max(0.0, (t2 - t1) / (b2 - b1)) : 0.0;
  return t2 + slope * (bytes - b2);
}

double pointSeconds(double callSeconds, long minIterations, double targetSeconds) {
  const double calls =
      std::max(static_cast<double>(minIterations), targetSeconds / std::max(callSeconds, 1e-9));
  return (1 + calls) * callSeconds + 0.002;
}

namespace {

double seriesCoarseCost(const SeriesCost& s, double ceiling, long minIterations,
                        double targetSeconds) {
  double total = 0;
  for (double bytes : coarseSizes(s.lo, std::max(ceiling, s.lo))) {
    const bool measured = std::any_of(s.have.begin(), s.have.end(), [&](double h) {
      return std::abs(h - bytes) <= 0.02 * bytes;
    });
    if (!measured)
      total +=
          pointSeconds(estimateCallSeconds(s.measured, bytes, 1e-3), minIterations, targetSeconds);
  }
  return total;
}

}  // namespace

CoarseBudget budgetCoarse(const std::vector<SeriesCost>& series, double hi, double seconds,
                          long minIterations, double targetSeconds,
                          const std::vector<double>& from) {
  size_t groups = from.size();
  for (const SeriesCost& s : series) groups = std::max(groups, s.group + 1);
  CoarseBudget b;
  b.ceilings.assign(groups, hi);
  for (size_t g = 0; g < from.size(); ++g) b.ceilings[g] = std::min(hi, from[g]);
  b.minIterations = minIterations;
  auto groupCost = [&](size_t g) {
    double total = 0;
    for (const SeriesCost& s : series)
      if (s.group == g) total += seriesCoarseCost(s, b.ceilings[g], b.minIterations, targetSeconds);
    return total;
  };
  auto total = [&] {
    double t = 0;
    for (size_t g = 0; g < groups; ++g) t += groupCost(g);
    return t;
  };
  b.estimateSeconds = total();
  if (b.estimateSeconds <= seconds) return b;
  if (minIterations > kFewIterations) {
    b.minIterations = kFewIterations;
    b.loweredRepetitions = true;
    b.estimateSeconds = total();
    if (b.estimateSeconds <= seconds) return b;
  }
  std::vector<double> floor(b.ceilings), cost(groups);
  for (const SeriesCost& s : series)
    floor[s.group] = std::min(floor[s.group], s.floor > 0 ? s.floor : 32 * s.lo);
  for (size_t g = 0; g < groups; ++g) cost[g] = groupCost(g);
  while (b.estimateSeconds > seconds) {
    // The costliest group that can still come down.
    size_t worst = groups;
    for (size_t g = 0; g < groups; ++g)
      if (b.ceilings[g] / 2 >= floor[g] && (worst == groups || cost[g] > cost[worst])) worst = g;
    if (worst == groups) break;  // every grid at its floor: whatever it costs
    b.ceilings[worst] /= 2;
    b.loweredCeiling = true;
    b.estimateSeconds -= cost[worst];
    cost[worst] = groupCost(worst);
    b.estimateSeconds += cost[worst];
  }
  return b;
}

}  // namespace hockney
