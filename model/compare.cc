#include "model/compare.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "collectives/core/error.h"
#include "model/projection.h"
#include "reports/json_io.h"
#include "reports/results.h"

namespace hockney {

using nlohmann::json;

namespace {

json compareResults(const json& a, const json& b) {
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
         {"busbw_ratio_b_over_a", x.busbwGbps > 0 ? r.busbwGbps / x.busbwGbps : 0.0}});
  }
  HOCKNEY_USAGE_CHECK(
      !points.empty(),
      "the two results share no measured point (pattern, algorithm, ranks, size, dtype, op)");
  return json{{"points", points}};
}

json compareCalibrations(const json& a, const json& b) {
  auto key = [](const json& f) {
    return fmt::format("{}|{}|{}|{}|{}|{}", f["backend"].get<std::string>(),
                       f["pattern"].get<std::string>(), f["algorithm"].get<std::string>(),
                       f["level"].get<std::string>(), f["ranks"].dump(), f.value("dtype", ""));
  };
  std::map<std::string, json> fitsA;
  for (const auto& f : a.at("fits")) fitsA[key(f)] = f;
  json fits = json::array();
  for (const auto& f : b.at("fits")) {
    auto it = fitsA.find(key(f));
    if (it == fitsA.end()) continue;
    const json& pa = it->second["pieces"].back();  // the large-message piece
    const json& pb = f["pieces"].back();
    fits.push_back({{"backend", f["backend"]},
                    {"pattern", f["pattern"]},
                    {"algorithm", f["algorithm"]},
                    {"level", f["level"]},
                    {"ranks", f["ranks"]},
                    {"a",
                     {{"alpha_us", it->second["pieces"][0]["alpha_us"]},
                      {"bandwidth_gbps", pa["bandwidth_gbps"]},
                      {"reduction_gbps", pa.value("reduction_gbps", json(nullptr))}}},
                    {"b",
                     {{"alpha_us", f["pieces"][0]["alpha_us"]},
                      {"bandwidth_gbps", pb["bandwidth_gbps"]},
                      {"reduction_gbps", pb.value("reduction_gbps", json(nullptr))}}}});
  }
  HOCKNEY_USAGE_CHECK(
      !fits.empty(),
      "the two calibrations share no fit (backend, pattern, algorithm, level, ranks)");
  return json{{"fits", fits}};
}

}  // namespace

json compareFiles(const std::string& pathA, const std::string& pathB,
                  const std::optional<CompareProjection>& projection) {
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
    return kindA == "results" ? compareResults(a, b) : compareCalibrations(a, b);
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
    steps["model"] = projection->model->name;
    out["projection"] = steps;
  }
  return out;
}

}  // namespace hockney
