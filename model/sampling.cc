#include "model/sampling.h"

#include <algorithm>
#include <cmath>
#include <map>

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

std::vector<double> geometricGrid(double lo, double hi, double factor) {
  std::vector<double> out;
  for (double s = lo; s < hi * (1 - 1e-9); s *= factor) out.push_back(std::round(s));
  out.push_back(hi);
  return out;
}

}  // namespace hockney
