#include "model/compare.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "collectives/core/error.h"
#include "model/projection.h"
#include "reports/json_io.h"
#include "reports/results.h"

namespace hockney {

using nlohmann::json;

namespace {

// "a", "b" or "tie" (within 3%) for two figures where `higherIsBetter` says which way wins;
// null when either is missing or zero.
json fasterSide(const json& a, const json& b, bool higherIsBetter) {
  if (!a.is_number() || !b.is_number()) return nullptr;
  const double x = a.get<double>(), y = b.get<double>();
  if (!(x > 0) || !(y > 0)) return nullptr;
  if (std::abs(x - y) <= 0.03 * std::max(x, y)) return "tie";
  return (x > y) == higherIsBetter ? "a" : "b";
}

json ratioOf(const json& b, const json& a) {
  if (!a.is_number() || !b.is_number() || !(a.get<double>() > 0)) return nullptr;
  return b.get<double>() / a.get<double>();
}

// Hot buffers (one pair reused) and cold ones (rotating past the cache) measure different
// things; comparing them is refused unless forced, and then said.
void checkBuffers(const std::string& a, const std::string& b, bool force, json& notes) {
  if (a == b) return;
  HOCKNEY_USAGE_CHECK(force,
                      "A measured {} buffers, B {}: hot reuses one buffer pair (as OSU and "
                      "nccl-tests), cold rotates through sets larger than the cache, and their "
                      "times differ by design (1.4-1.9x at 512 KiB-4 MiB on shared memory); "
                      "measure both alike (--buffers) or pass --force",
                      a, b);
  notes.push_back(fmt::format("--force: A measured {} buffers, B {}; ratios include that", a, b));
}

json compareResults(const json& a, const json& b, bool force, json& notes) {
  std::map<std::string, ResultRow> rowsA;
  for (const ResultRow& r : a.at("results").get<std::vector<ResultRow>>())
    rowsA[fmt::format("{}|{}|{}|{}|{}|{}", r.pattern, r.algorithm, r.ranks, r.bytes, r.dtype,
                      r.op)] = r;
  json points = json::array();
  for (const ResultRow& r : b.at("results").get<std::vector<ResultRow>>()) {
    auto it = rowsA.find(
        fmt::format("{}|{}|{}|{}|{}|{}", r.pattern, r.algorithm, r.ranks, r.bytes, r.dtype, r.op));
    if (it == rowsA.end()) continue;
    const ResultRow& x = it->second;
    checkBuffers(x.buffers, r.buffers, force, notes);
    points.push_back(
        {{"pattern", r.pattern},
         {"algorithm", r.algorithm},
         {"ranks", r.ranks},
         {"bytes", r.bytes},
         {"dtype", r.dtype},
         {"op", r.op},
         {"a_median_us", x.timeUs.median},
         {"b_median_us", r.timeUs.median},
         {"time_ratio_b_over_a", x.timeUs.median > 0 ? r.timeUs.median / x.timeUs.median : 0.0},
         {"a_busbw_gbps", x.busbwGbps},
         {"b_busbw_gbps", r.busbwGbps},
         {"busbw_ratio_b_over_a", x.busbwGbps > 0 ? r.busbwGbps / x.busbwGbps : 0.0},
         {"faster", fasterSide(x.timeUs.median, r.timeUs.median, false)}});
  }
  HOCKNEY_USAGE_CHECK(
      !points.empty(),
      "the two results share no measured point (pattern, algorithm, ranks, size, dtype, op)");
  return json{{"points", points}};
}

json number(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

// What compare reads of a fit's first (small-message) and last (large-message) pieces.
json sideOf(const CalibratedFit& f) {
  const Piece& small = f.pieces.front();
  const Piece& large = f.pieces.back();
  const bool withGamma = !f.blackBox && f.gamma;
  return {{"alpha_us", small.coeffs.alpha * 1e6},
          {"bandwidth_gbps", large.coeffs.beta > 0 ? number(1e-9 / large.coeffs.beta) : json()},
          {"bandwidth_from_bytes", large.fromBytes},
          {"reduction_gbps",
           withGamma && large.coeffs.gamma > 0 ? number(1e-9 / large.coeffs.gamma) : json()}};
}

json compareCalibrations(const Calibration& a, const Calibration& b, bool force, json& notes) {
  auto key = [](const CalibratedFit& f) {
    return fmt::format("{}|{}|{}|{}|{}|{}", f.backend, f.pattern, f.algorithm, name(f.level),
                       f.blackBox ? json(f.ranks).dump() : json(f.measuredRanks).dump(), f.dtype);
  };
  std::map<std::string, const CalibratedFit*> fitsA;
  for (const CalibratedFit& f : a.fits) fitsA[key(f)] = &f;
  json fits = json::array();
  for (const CalibratedFit& f : b.fits) {
    auto it = fitsA.find(key(f));
    if (it == fitsA.end()) continue;
    checkBuffers(it->second->buffers, f.buffers, force, notes);
    // The same regime on both sides: latency from the small-message piece, bandwidth from the
    // large-message piece.
    const json sa = sideOf(*it->second), sb = sideOf(f);
    fits.push_back(
        {{"backend", f.backend},
         {"pattern", f.pattern},
         {"algorithm", f.algorithm},
         {"level", name(f.level)},
         {"ranks", f.blackBox ? json(f.ranks) : json(f.measuredRanks)},
         {"a", sa},
         {"b", sb},
         {"latency_ratio_b_over_a", ratioOf(sb["alpha_us"], sa["alpha_us"])},
         {"bandwidth_ratio_b_over_a", ratioOf(sb["bandwidth_gbps"], sa["bandwidth_gbps"])},
         {"faster_small_messages", fasterSide(sa["alpha_us"], sb["alpha_us"], false)},
         {"faster_large_messages", fasterSide(sa["bandwidth_gbps"], sb["bandwidth_gbps"], true)}});
  }
  HOCKNEY_USAGE_CHECK(
      !fits.empty(),
      "the two calibrations share no fit (backend, pattern, algorithm, level, ranks)");
  return json{{"fits", fits}};
}

}  // namespace

json compareFiles(const std::string& pathA, const std::string& pathB,
                  const std::optional<CompareProjection>& projection, bool force) {
  json a = readJsonFile(pathA, "file"), b = readJsonFile(pathB, "file");
  const std::string kindA = a.is_object() ? a.value("kind", "") : "",
                    kindB = b.is_object() ? b.value("kind", "") : "";
  HOCKNEY_USAGE_CHECK(
      (kindA == "results" || kindA == "calibration") && kindA == kindB,
      "compare needs two results reports or two calibrations; {} is '{}', {} is '{}'", pathA, kindA,
      pathB, kindB);
  json out{{"schema_version", 1}, {"kind", "comparison"}, {"created_at", utcNow()}, {"a", pathA},
           {"b", pathB},          {"compares", kindA},    {"notes", json::array()}};
  std::error_code ec;
  if (std::filesystem::equivalent(pathA, pathB, ec) || a == b)
    out["notes"].push_back(fmt::format(
        "{} and {} hold the same {}: every ratio is 1 by construction", pathA, pathB, kindA));
  out.update(interpretJson(pathA + " or " + pathB, [&] {
    return kindA == "results"
               ? compareResults(a, b, force, out["notes"])
               : compareCalibrations(Calibration::fromJson(a, pathA),
                                     Calibration::fromJson(b, pathB), force, out["notes"]);
  }));
  if (projection) {
    HOCKNEY_USAGE_CHECK(kindA == "calibration",
                        "--model projections compare two calibrations, not results");
    json steps = json::object();
    for (const auto& [label, path] : {std::pair{"a", pathA}, std::pair{"b", pathB}}) {
      json step = projectIteration(*projection->model, projection->layout, projection->options,
                                   loadCalibrations({path}), projection->policy);
      steps[label] = {{"total_ms", step["total_ms"]},
                      {"groups", step["groups"]},
                      {"dominant_group", step["dominant_group"]}};
    }
    steps["total_ratio_b_over_a"] =
        steps["a"]["total_ms"].get<double>() > 0
            ? steps["b"]["total_ms"].get<double>() / steps["a"]["total_ms"].get<double>()
            : 0.0;
    steps["faster"] = fasterSide(steps["a"]["total_ms"], steps["b"]["total_ms"], false);
    steps["model"] = projection->model->name;
    out["projection"] = steps;
  }
  return out;
}

}  // namespace hockney
