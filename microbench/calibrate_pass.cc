#include "microbench/calibrate_pass.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "collectives/registry.h"

namespace hockney {

std::string PassPlan::text() const {
  std::string t;
  if (minIterations) t += fmt::format("budget {}\n", *minIterations);
  for (const auto& [target, ceiling] : ceilings)
    t += fmt::format("ceiling {} {}\n", target, ceiling);
  for (const PlannedPoint& p : points)
    t += fmt::format("{} {} {}\n", p.target, p.bytes, p.onlyCase);
  return t;
}

PassPlan PassPlan::fromText(const std::string& text) {
  PassPlan plan;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(at, end - at);
    at = end + 1;
    if (line.rfind("budget ", 0) == 0) {
      long floor = 0;
      std::sscanf(line.c_str(), "budget %ld", &floor);
      plan.minIterations = floor;
    } else if (line.rfind("ceiling ", 0) == 0) {
      size_t target = 0, ceiling = 0;
      std::sscanf(line.c_str(), "ceiling %zu %zu", &target, &ceiling);
      plan.ceilings.emplace_back(target, ceiling);
    } else if (!line.empty()) {
      PlannedPoint p;
      std::sscanf(line.c_str(), "%zu %zu %ld", &p.target, &p.bytes, &p.onlyCase);
      plan.points.push_back(p);
    }
  }
  return plan;
}

std::vector<PassWork> passOrder(int pass, std::vector<PlannedPoint> points,
                                const std::vector<CalibrationTarget>& targets) {
  std::vector<PassWork> work;
  auto wanted = [](const PlannedPoint& p, size_t ci) {
    return p.onlyCase < 0 || static_cast<size_t>(p.onlyCase) == ci;
  };
  if (pass <= 2) {
    std::stable_sort(
        points.begin(), points.end(),
        [](const PlannedPoint& a, const PlannedPoint& b) { return a.bytes < b.bytes; });
    for (const PlannedPoint& p : points)
      for (size_t ci = 0; ci < targets[p.target].cases.size(); ++ci)
        if (wanted(p, ci)) work.push_back({p.target, ci, p.bytes});
    return work;
  }
  auto rankOf = [&](const PlannedPoint& p) {
    const CalibrationTarget& t = targets[p.target];
    return std::make_tuple(t.checkOnly, !findPattern(t.pattern).facts.pointToPoint,
                           t.level != LinkLevel::kNetwork, p.target, p.bytes);
  };
  std::stable_sort(points.begin(), points.end(), [&](const PlannedPoint& a, const PlannedPoint& b) {
    return rankOf(a) < rankOf(b);
  });
  for (size_t g = 0; g < points.size();) {
    size_t e = g;
    while (e < points.size() && points[e].target == points[g].target) ++e;
    for (size_t ci = 0; ci < targets[points[g].target].cases.size(); ++ci)
      for (size_t i = g; i < e; ++i)
        if (wanted(points[i], ci)) work.push_back({points[i].target, ci, points[i].bytes});
    g = e;
  }
  return work;
}

}  // namespace hockney
