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

}  // namespace hockney
