#include "model/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "collectives/core/error.h"
#include "model/fabrics.h"
#include "reports/json_io.h"
#include "reports/results.h"

namespace hockney {

using nlohmann::json;

namespace {

// Which side wins, `higherIsBetter` saying which way; a tie within 3%; unknown when either
// figure is missing or not positive.
Faster fasterSide(std::optional<double> a, std::optional<double> b, bool higherIsBetter) {
  if (!a || !b || !(*a > 0) || !(*b > 0)) return Faster::kUnknown;
  if (std::abs(*a - *b) <= 0.03 * std::max(*a, *b)) return Faster::kTie;
  return (*a > *b) == higherIsBetter ? Faster::kA : Faster::kB;
}

// B/A; none when either side is missing or not positive (a latency fitted as 0 on one side has
// no ratio: 0.000 would read as infinitely faster).
std::optional<double> ratioOf(std::optional<double> b, std::optional<double> a) {
  if (!a || !b || !(*a > 0) || !(*b > 0)) return std::nullopt;
  return *b / *a;
}

json fasterJson(Faster f) {
  switch (f) {
    case Faster::kA:
      return "a";
    case Faster::kB:
      return "b";
    case Faster::kTie:
      return "tie";
    case Faster::kUnknown:
      break;
  }
  return nullptr;
}

json optional(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

// Hot buffers (one pair reused) and cold ones (rotating past the cache) measure different
// things; comparing them is refused unless forced, and then said.
void checkBuffers(const std::string& a, const std::string& b, bool force,
                  std::vector<std::string>& notes) {
  if (a == b) return;
  HOCKNEY_USAGE_CHECK(force,
                      "A measured {} buffers, B {}: hot reuses one buffer pair (as OSU and "
                      "nccl-tests), cold rotates through sets larger than the cache, and their "
                      "times differ by design (1.4-1.9x at 512 KiB-4 MiB on shared memory); "
                      "measure both alike (--buffers) or pass --force",
                      a, b);
  notes.push_back(fmt::format("--force: A measured {} buffers, B {}; ratios include that", a, b));
}

void compareResults(const json& a, const json& b, bool force, Comparison& out) {
  std::map<std::string, ResultRow> rowsA;
  for (const ResultRow& r : a.at("results").get<std::vector<ResultRow>>())
    rowsA[fmt::format("{}|{}|{}|{}|{}|{}", r.pattern, r.algorithm, r.ranks, r.bytes, r.dtype,
                      r.op)] = r;
  for (const ResultRow& r : b.at("results").get<std::vector<ResultRow>>()) {
    auto it = rowsA.find(
        fmt::format("{}|{}|{}|{}|{}|{}", r.pattern, r.algorithm, r.ranks, r.bytes, r.dtype, r.op));
    if (it == rowsA.end()) continue;
    const ResultRow& x = it->second;
    checkBuffers(x.buffers, r.buffers, force, out.notes);
    PointComparison p;
    p.pattern = r.pattern;
    p.algorithm = r.algorithm;
    p.ranks = r.ranks;
    p.bytes = r.bytes;
    p.dtype = r.dtype;
    p.op = r.op;
    p.aMedianUs = x.timeUs.median;
    p.bMedianUs = r.timeUs.median;
    p.timeRatio = x.timeUs.median > 0 ? r.timeUs.median / x.timeUs.median : 0.0;
    p.aBusbwGbps = x.busbwGbps;
    p.bBusbwGbps = r.busbwGbps;
    p.busbwRatio = x.busbwGbps > 0 ? r.busbwGbps / x.busbwGbps : 0.0;
    p.faster = fasterSide(x.timeUs.median, r.timeUs.median, false);
    out.points.push_back(p);
  }
  HOCKNEY_USAGE_CHECK(
      !out.points.empty(),
      "the two results share no measured point (pattern, algorithm, ranks, size, dtype, op)");
}

FitSide sideOf(const CalibratedFit& f) {
  const Piece& small = f.pieces.front();
  const Piece& large = f.pieces.back();
  FitSide s;
  // A latency the non-negative fit drove to (numerically) zero is zero: no ratio against it.
  s.alphaUs = small.coeffs.alpha > 1e-12 ? small.coeffs.alpha * 1e6 : 0.0;
  if (large.coeffs.beta > 0) s.bandwidthGbps = 1e-9 / large.coeffs.beta;
  s.bandwidthFromBytes = large.fromBytes;
  if (!f.blackBox && f.gamma && large.coeffs.gamma > 0) s.reductionGbps = 1e-9 / large.coeffs.gamma;
  return s;
}

void compareCalibrations(const Calibration& a, const Calibration& b, bool force, Comparison& out) {
  auto key = [](const CalibratedFit& f) {
    return fmt::format("{}|{}|{}|{}|{}|{}", f.backend, f.pattern, f.algorithm, name(f.level),
                       f.blackBox ? json(f.ranks).dump() : json(f.measuredRanks).dump(), f.dtype);
  };
  std::map<std::string, const CalibratedFit*> fitsA;
  for (const CalibratedFit& f : a.fits) fitsA[key(f)] = &f;
  for (const CalibratedFit& f : b.fits) {
    auto it = fitsA.find(key(f));
    if (it == fitsA.end()) continue;
    checkBuffers(it->second->buffers, f.buffers, force, out.notes);
    // The same regime on both sides: latency from the small-message piece, bandwidth from the
    // large-message piece.
    FitComparison c;
    c.backend = f.backend;
    c.pattern = f.pattern;
    c.algorithm = f.algorithm;
    c.level = f.level;
    c.blackBox = f.blackBox;
    c.ranks = f.ranks;
    c.measuredRanks = f.measuredRanks;
    c.a = sideOf(*it->second);
    c.b = sideOf(f);
    c.latencyRatio = ratioOf(c.b.alphaUs, c.a.alphaUs);
    c.bandwidthRatio = ratioOf(c.b.bandwidthGbps, c.a.bandwidthGbps);
    c.fasterSmall = fasterSide(c.a.alphaUs, c.b.alphaUs, false);
    c.fasterLarge = fasterSide(c.a.bandwidthGbps, c.b.bandwidthGbps, true);
    // What the fits' own calibrations say of them, beside the numbers compared.
    for (const auto& [side, fit] : {std::pair{"A", it->second}, std::pair{"B", &f}})
      for (const std::string& w : fit->qualityWarnings) {
        const std::string note =
            fmt::format("{}: {}/{}/{} {} at '{}' is flagged: {}", side, f.backend, f.pattern,
                        f.algorithm, f.dtype, name(f.level), w);
        c.notes.push_back(note);
        out.notes.push_back(note);
      }
    out.fits.push_back(c);
  }
}

json sideJson(const FitSide& s) {
  return {{"alpha_us", s.alphaUs},
          {"bandwidth_gbps", optional(s.bandwidthGbps)},
          {"bandwidth_from_bytes", s.bandwidthFromBytes},
          {"reduction_gbps", optional(s.reductionGbps)}};
}

json stepSideJson(const std::map<std::string, GroupCost>& groups, double totalMs,
                  const std::string& dominant) {
  return {{"total_ms", totalMs}, {"groups", groupsJson(groups)}, {"dominant_group", dominant}};
}

}  // namespace

json Comparison::toJson() const {
  json out{{"schema_version", 1}, {"kind", "comparison"}, {"created_at", createdAt}, {"a", pathA},
           {"b", pathB},          {"compares", compares}, {"notes", notes}};
  if (compares == "results") {
    json list = json::array();
    for (const PointComparison& p : points)
      list.push_back({{"pattern", p.pattern},
                      {"algorithm", p.algorithm},
                      {"ranks", p.ranks},
                      {"bytes", p.bytes},
                      {"dtype", p.dtype},
                      {"op", p.op},
                      {"a_median_us", p.aMedianUs},
                      {"b_median_us", p.bMedianUs},
                      {"time_ratio_b_over_a", p.timeRatio},
                      {"a_busbw_gbps", p.aBusbwGbps},
                      {"b_busbw_gbps", p.bBusbwGbps},
                      {"busbw_ratio_b_over_a", p.busbwRatio},
                      {"faster", fasterJson(p.faster)}});
    out["points"] = list;
  } else {
    json list = json::array();
    for (const FitComparison& f : fits)
      list.push_back({{"backend", f.backend},
                      {"pattern", f.pattern},
                      {"algorithm", f.algorithm},
                      {"level", name(f.level)},
                      {"ranks", f.blackBox ? json(f.ranks) : json(f.measuredRanks)},
                      {"a", sideJson(f.a)},
                      {"b", sideJson(f.b)},
                      {"latency_ratio_b_over_a", optional(f.latencyRatio)},
                      {"bandwidth_ratio_b_over_a", optional(f.bandwidthRatio)},
                      {"faster_small_messages", fasterJson(f.fasterSmall)},
                      {"faster_large_messages", fasterJson(f.fasterLarge)},
                      {"notes", f.notes}});
    out["fits"] = list;
  }
  if (projection)
    out["projection"] = {
        {"a", stepSideJson(projection->aGroups, projection->aTotalMs, projection->aDominant)},
        {"b", stepSideJson(projection->bGroups, projection->bTotalMs, projection->bDominant)},
        {"total_ratio_b_over_a", projection->totalRatio},
        {"faster", fasterJson(projection->faster)},
        {"model", projection->model}};
  return out;
}

Comparison compareFiles(const std::string& pathA, const std::string& pathB,
                        const std::optional<CompareProjection>& projection, bool force) {
  // A reference fabric (ref:NAME) is a calibration wherever a file is.
  json a = readCalibrationJson(pathA, "file"), b = readCalibrationJson(pathB, "file");
  const std::string kindA = a.is_object() ? a.value("kind", "") : "",
                    kindB = b.is_object() ? b.value("kind", "") : "";
  HOCKNEY_USAGE_CHECK(
      (kindA == "results" || kindA == "calibration") && kindA == kindB,
      "compare needs two results reports or two calibrations; {} is '{}', {} is '{}'", pathA, kindA,
      pathB, kindB);
  Comparison out;
  out.createdAt = utcNow();
  out.pathA = pathA;
  out.pathB = pathB;
  out.compares = kindA;
  std::error_code ec;
  if (std::filesystem::equivalent(pathA, pathB, ec) || a == b)
    out.notes.push_back(fmt::format("{} and {} hold the same {}: every ratio is 1 by construction",
                                    pathA, pathB, kindA));
  interpretJson(pathA + " or " + pathB, [&] {
    if (kindA == "results")
      compareResults(a, b, force, out);
    else
      compareCalibrations(Calibration::fromJson(a, pathA), Calibration::fromJson(b, pathB), force,
                          out);
    return 0;
  });
  // Outside interpretJson: both files read fine, they just have nothing in common. Two fabrics
  // measured differently (a CPU host's own algorithms, a GPU log's vendor all-reduce) still
  // compare by the step they price; without a model there is nothing to compare.
  HOCKNEY_USAGE_CHECK(kindA != "calibration" || !out.fits.empty() || projection,
                      "{} and {} share no fit (backend, pattern, algorithm, level, ranks); "
                      "--model compares the steps they price",
                      pathA, pathB);
  if (kindA == "calibration" && out.fits.empty())
    out.notes.push_back(
        "the two calibrations share no fit (backend, pattern, algorithm, level, ranks): only the "
        "step projections are compared");
  if (projection) {
    HOCKNEY_USAGE_CHECK(kindA == "calibration",
                        "--model projections compare two calibrations, not results");
    StepComparison s;
    s.model = projection->model->name;
    const StepCost stepA =
        projectIteration(*projection->model, projection->layout, projection->options,
                         loadCalibrations({pathA}), projection->policy);
    const StepCost stepB =
        projectIteration(*projection->model, projection->layout, projection->options,
                         loadCalibrations({pathB}), projection->policy);
    s.aTotalMs = stepA.totalMs;
    s.bTotalMs = stepB.totalMs;
    s.aGroups = stepA.groups;
    s.bGroups = stepB.groups;
    s.aDominant = stepA.dominantGroup;
    s.bDominant = stepB.dominantGroup;
    s.totalRatio = s.aTotalMs > 0 ? s.bTotalMs / s.aTotalMs : 0.0;
    s.faster = fasterSide(s.aTotalMs, s.bTotalMs, false);
    // Every flag, extrapolation and level note project gives for each side.
    for (const auto& [side, step] : {std::pair{"A", &stepA}, std::pair{"B", &stepB}})
      for (const std::string& n : step->notes)
        out.notes.push_back(fmt::format("{} step: {}", side, n));
    out.projection = s;
  }
  // A warning every fit carries (the host drifted) once per side.
  std::vector<std::string> unique;
  for (const std::string& n : out.notes)
    if (std::find(unique.begin(), unique.end(), n) == unique.end()) unique.push_back(n);
  out.notes = std::move(unique);
  return out;
}

}  // namespace hockney
