#include "model/compose.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "collectives/core/error.h"
#include "reports/json_io.h"

namespace hockney {

using nlohmann::json;

LevelPrices levelPricesAt(const CalibratedFit& node, const CalibratedFit& network, double bytes) {
  auto price = [&](const CalibratedFit& f) {
    return LevelPrice{f.predict(Cost{1, 0, 0}, bytes), f.predict(Cost{0, 1, 0}, bytes),
                      f.gamma ? f.predict(Cost{0, 0, 1}, bytes) : 0.0};
  };
  return {price(node), price(network), true};
}

double composedSeconds(const Algorithm& algorithm, const CallShape& shape,
                       const std::vector<int>& nodeOfRank, const LevelPrices& prices) {
  return pricedOnPlacement(algorithm, shape, nodeOfRank, prices);
}

std::vector<int> RowPlacement::nodeOfRank(int ranks) const {
  std::vector<int> out;
  for (int r = 0; r < ranks; ++r) out.push_back(std::min(r / ranksPerHost, hosts - 1));
  return out;
}

std::optional<RowPlacement> placementOf(const ResultRow& row) {
  if (!row.details.contains("placement") || !row.details["placement"].is_object())
    return std::nullopt;
  const json& p = row.details["placement"];
  RowPlacement out;
  out.hosts = p.value("hosts", 1);
  out.ranksPerHost = p.value("ranks_per_host", 1);
  if (out.hosts < 1 || out.ranksPerHost < 1) return std::nullopt;
  return out;
}

json ComposedCheck::toJson() const {
  json list = json::array();
  for (const Point& p : points)
    list.push_back(
        {{"bytes", p.bytes}, {"measured_us", p.measuredUs}, {"composed_us", p.composedUs}});
  return {{"backend", backend},
          {"pattern", pattern},
          {"algorithm", algorithm},
          {"dtype", dtype},
          {"hosts", hosts},
          {"ranks_per_host", ranksPerHost},
          {"node_fit", nodeFit},
          {"network_fit", networkFit},
          {"node_fit_up_to_bytes", nodeFitUpTo},
          {"network_fit_up_to_bytes", networkFitUpTo},
          {"points", list},
          {"median_rel_err", medianRelErr},
          {"median_over_sizes", medianOver}};
}

ComposedCheck ComposedCheck::fromJson(const json& j, const std::string& where) {
  return interpretJson(where, [&] {
    ComposedCheck c;
    c.backend = j.at("backend").get<std::string>();
    c.pattern = j.at("pattern").get<std::string>();
    c.algorithm = j.at("algorithm").get<std::string>();
    c.dtype = j.at("dtype").get<std::string>();
    c.hosts = j.at("hosts").get<int>();
    c.ranksPerHost = j.at("ranks_per_host").get<int>();
    c.nodeFit = j.at("node_fit").get<std::string>();
    c.networkFit = j.at("network_fit").get<std::string>();
    c.nodeFitUpTo = j.value("node_fit_up_to_bytes", 0.0);
    c.networkFitUpTo = j.value("network_fit_up_to_bytes", 0.0);
    for (const json& p : j.at("points"))
      c.points.push_back({p.at("bytes").get<double>(), p.at("measured_us").get<double>(),
                          p.at("composed_us").get<double>()});
    c.medianRelErr = j.at("median_rel_err").get<double>();
    c.medianOver = j.at("median_over_sizes").get<size_t>();
    return c;
  });
}

namespace {

// The fit of `algorithm` at a level that `want` accepts, same backend, pattern, type, buffers.
const CalibratedFit* fitAt(const std::vector<CalibratedFit>& fits, const ResultRow& r,
                           std::string_view algorithm, bool inHost) {
  for (const CalibratedFit& f : fits)
    if (!f.blackBox && f.backend == r.backend && f.pattern == r.pattern &&
        f.algorithm == algorithm && f.dtype == r.dtype && f.buffers == r.buffers &&
        (inHost ? withinHost(f.level) && f.level != LinkLevel::kSelf
                : f.level == LinkLevel::kNetwork))
      return &f;
  return nullptr;
}

}  // namespace

std::vector<ComposedCheck> composedChecks(const std::vector<ResultRow>& mixedRows,
                                          const std::vector<CalibratedFit>& fits,
                                          std::vector<std::string>& missing) {
  std::map<std::string, ComposedCheck> checks;
  std::map<std::string, std::string> lacking;
  for (const ResultRow& r : mixedRows) {
    const Algorithm* own = findAlgorithm(r.pattern, r.algorithm);
    const std::optional<RowPlacement> placement = placementOf(r);
    if (own == nullptr || !placement || !placement->mixesLevels()) continue;
    // A composed algorithm's levels are its parts' (ring within hosts, Rabenseifner across);
    // any other algorithm is its own at both.
    const std::string_view nodeAlgo = own->composes ? own->composes->nodeAlgorithm : own->name;
    const std::string_view netAlgo = own->composes ? own->composes->networkAlgorithm : own->name;
    const std::string key =
        fmt::format("{}|{}|{}|{}|{}|{}", r.backend, r.pattern, r.algorithm, r.dtype, r.buffers,
                    placement->hosts * 1000 + placement->ranksPerHost);
    const CalibratedFit* node = fitAt(fits, r, nodeAlgo, true);
    const CalibratedFit* net = fitAt(fits, r, netAlgo, false);
    if (!node || !net) {
      lacking[key] = fmt::format(
          "{}/{} {} on {} hosts x {}: no {}", r.pattern, r.algorithm, r.dtype, placement->hosts,
          placement->ranksPerHost,
          !node ? fmt::format("in-host {} fit", nodeAlgo) : fmt::format("network {} fit", netAlgo));
      continue;
    }
    ComposedCheck& c = checks[key];
    if (c.points.empty()) {
      c.backend = r.backend;
      c.pattern = r.pattern;
      c.algorithm = r.algorithm;
      c.dtype = r.dtype;
      c.hosts = placement->hosts;
      c.ranksPerHost = placement->ranksPerHost;
      c.nodeFit = fmt::format("{}/{} at '{}'", r.pattern, nodeAlgo, name(node->level));
      c.networkFit = fmt::format("{}/{} at '{}'", r.pattern, netAlgo, name(net->level));
      c.nodeFitUpTo = node->largestMeasuredBytes();
      c.networkFitUpTo = net->largestMeasuredBytes();
    }
    CallShape shape;
    shape.ranks = r.ranks;
    shape.count = r.count;
    shape.type = parseDataType(r.dtype);
    const double bytes = static_cast<double>(r.bytes);
    const double seconds = composedSeconds(*own, shape, placement->nodeOfRank(r.ranks),
                                           levelPricesAt(*node, *net, bytes)) *
                           own->timeScale;
    c.points.push_back({bytes, r.timeUs.median, seconds * 1e6});
  }
  std::vector<ComposedCheck> out;
  for (auto& [key, c] : checks) {
    std::sort(c.points.begin(), c.points.end(),
              [](const auto& a, const auto& b) { return a.bytes < b.bytes; });
    std::vector<double> errs, all;
    for (const auto& p : c.points) {
      const double e = std::abs(p.composedUs - p.measuredUs) / p.measuredUs;
      all.push_back(e);
      if (p.bytes >= 1 << 20) errs.push_back(e);
    }
    if (errs.empty()) errs = all;
    std::sort(errs.begin(), errs.end());
    const size_t n = errs.size();
    c.medianRelErr = n % 2 ? errs[n / 2] : (errs[n / 2 - 1] + errs[n / 2]) / 2;
    c.medianOver = n;
    out.push_back(std::move(c));
  }
  for (const auto& [key, why] : lacking)
    if (!checks.count(key)) missing.push_back(why);
  return out;
}

}  // namespace hockney
