#include "reports/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace hockney {

double percentile(std::vector<double> sorted, double q) {
  if (sorted.empty()) return 0;
  double pos = q * static_cast<double>(sorted.size() - 1);
  auto lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, sorted.size() - 1);
  double frac = pos - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

Summary summarize(std::span<const double> samples) {
  if (samples.empty()) return {};
  std::vector<double> s(samples.begin(), samples.end());
  std::sort(s.begin(), s.end());
  Summary out;
  out.min = s.front();
  out.max = s.back();
  out.mean = std::accumulate(s.begin(), s.end(), 0.0) / static_cast<double>(s.size());
  out.median = percentile(s, 0.5);
  out.p95 = percentile(s, 0.95);
  out.p99 = percentile(s, 0.99);
  return out;
}

bool isBimodal(std::span<const double> samples) {
  if (samples.size() < 10) return false;
  std::vector<double> s(samples.begin(), samples.end());
  std::sort(s.begin(), s.end());
  const size_t tenth = (s.size() + 9) / 10;
  for (size_t i = tenth; i + tenth <= s.size(); ++i)
    if (s[i - 1] > 0 && s[i] / s[i - 1] > 2.0) return true;
  return false;
}

std::vector<size_t> cliffs(std::span<const double> bytes, std::span<const double> medianTimes,
                           double ratio, double minBytes) {
  std::vector<size_t> out;
  for (size_t i = 1; i < bytes.size() && i < medianTimes.size(); ++i) {
    if (bytes[i - 1] < minBytes || bytes[i] <= 0 || medianTimes[i - 1] <= 0) continue;
    double before = medianTimes[i - 1] / bytes[i - 1];
    double now = medianTimes[i] / bytes[i];
    if (now > ratio * before) out.push_back(i);
  }
  return out;
}

double median(std::vector<double> samples) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  return percentile(std::move(samples), 0.5);
}

}  // namespace hockney
