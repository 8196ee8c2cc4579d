#include "model/calibration.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>

#include "collectives/core/error.h"
#include "collectives/registry.h"
#include "model/compose.h"
#include "model/fit.h"
#include "model/vendor.h"
#include "reports/json_io.h"
#include "reports/results.h"

namespace hockney {

using nlohmann::json;

namespace {

struct Group {
  std::string backend, pattern, algorithm, dtype, buffers;
  LinkLevel level = LinkLevel::kUnrecorded;
  int ranks = 0;  // black boxes only: fitted per rank count
  bool blackBox = false;
  bool inPlace = false;
  int ranksPerHost = 0;  // imported logs' device lines
  std::string device;
  std::vector<FitPoint> points;
  std::set<std::string> sources;
};

// Fits are per element type too: reduction speed differs by type (bfloat16 reduces through
// float on CPUs), so a float32 calibration would under-price a bfloat16 all-reduce.
// The level a row is fitted at: the override, else the level the row recorded (not recorded
// in reports from before topology discovery and imported logs).
LinkLevel fitLevel(const ResultRow& r, std::optional<LinkLevel> override) {
  return override ? *override : r.level;
}

std::string groupKey(const ResultRow& r, LinkLevel level) {
  // Hot and cold buffers measure different things (cache-resident or not): never pooled; nor
  // are link levels.
  // In-place and out-of-place calls (nccl-tests times both) are apart too.
  return r.cost ? fmt::format("{}|{}|{}|{}|{}|{}|{}", r.backend, r.pattern, r.algorithm, r.dtype,
                              r.buffers, name(level), r.inPlace)
                : fmt::format("{}|{}|{}|{}|{}|{}|{}|{}", r.backend, r.pattern, r.algorithm, r.dtype,
                              r.buffers, name(level), r.ranks, r.inPlace);
}

// Point-to-point rows of several pairs at one level and size (calibrate measures a few pairs
// between hosts, so that one slow link does not stand for the fabric): the pair with the median
// time stands for them, every pair's time kept in its details.
std::vector<std::pair<std::string, ResultRow>> medianOverPairs(
    std::vector<std::pair<std::string, ResultRow>> rows) {
  std::map<std::string, std::vector<size_t>> byPoint;
  std::vector<std::string> order;
  for (size_t i = 0; i < rows.size(); ++i) {
    const ResultRow& r = rows[i].second;
    const std::string key =
        r.details.contains("peers")
            ? fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", r.pattern, r.algorithm, r.backend,
                          r.ranks, r.bytes, r.dtype, r.op, r.buffers, r.scope, name(r.level))
            : fmt::format("row {}", i);
    auto& v = byPoint[key];
    if (v.empty()) order.push_back(key);
    v.push_back(i);
  }
  std::vector<std::pair<std::string, ResultRow>> out;
  for (const std::string& key : order) {
    std::vector<size_t> v = byPoint[key];
    if (v.size() == 1) {
      out.push_back(std::move(rows[v[0]]));
      continue;
    }
    std::sort(v.begin(), v.end(), [&](size_t a, size_t b) {
      return rows[a].second.timeUs.median < rows[b].second.timeUs.median;
    });
    json pairs = json::array();
    for (size_t i : v)
      pairs.push_back({{"peers", rows[i].second.details["peers"]},
                       {"median_us", rows[i].second.timeUs.median}});
    auto chosen = std::move(rows[v[(v.size() - 1) / 2]]);
    chosen.second.details["pair_medians"] = pairs;
    out.push_back(std::move(chosen));
  }
  return out;
}

}  // namespace

FitPoint fitPointOf(const ResultRow& r) {
  FitPoint p;
  p.seconds = r.timeUs.median * 1e-6;
  p.bytes = static_cast<double>(r.bytes);
  p.ranks = r.ranks;
  if (r.cost) {
    p.a = r.cost->alphaCount;
    p.b = r.cost->betaBytes;
    p.c = r.cost->gammaBytes;
  } else {  // black box: one latency and a per-byte time
    p.a = 1;
    p.b = static_cast<double>(r.bytes);
  }
  return p;
}

namespace {

std::string groupName(const Group& g) {
  return g.blackBox ? fmt::format("{}/{}/{} {} {} at {} ranks ({})", g.backend, g.pattern,
                                  g.algorithm, g.dtype, g.buffers, g.ranks, name(g.level))
                    : fmt::format("{}/{}/{} {} {} ({})", g.backend, g.pattern, g.algorithm, g.dtype,
                                  g.buffers, name(g.level));
}

}  // namespace

bool isKernelBenchmark(const json& j) {
  return j.is_object() && j.contains("benchmarks") && j.contains("context");
}

namespace {

// Reduction kernels (hockney-kernels): γ directly, as reduced bytes per second, on the host
// (reduce/<dtype>/<op>/<bytes>) and on the GPU (device_reduce/...).
std::vector<ReductionKernel> kernelsOf(const std::string& path, const json& bench) {
  std::vector<ReductionKernel> kernels;
  for (const auto& b : bench["benchmarks"]) {
    const std::string name = b.value("name", "");
    const bool gpu = name.rfind("device_reduce/", 0) == 0;
    if ((!gpu && name.rfind("reduce/", 0) != 0) || !b.contains("bytes_per_second")) continue;
    const size_t d = gpu ? 14 : 7;
    const size_t a = name.find('/', d), c = name.find('/', a == std::string::npos ? a : a + 1);
    if (a == std::string::npos || c == std::string::npos) continue;
    const double rate = interpretJson(path, [&] { return b.at("bytes_per_second").get<double>(); });
    const std::string size = name.substr(c + 1);
    char* end = nullptr;
    const double bytes = std::strtod(size.c_str(), &end);
    if (size.empty() || *end != '\0') continue;  // an aggregate row (…/4096_mean)
    kernels.push_back({name.substr(d, a - d), name.substr(a + 1, c - a - 1), gpu ? "gpu" : "host",
                       bytes, rate / 1e9, rate > 0 ? 1.0 / rate : 0.0});
  }
  return kernels;
}

}  // namespace

CalibrationInput::CalibrationInput(std::string p, const json& report) : path(std::move(p)) {
  if (isKernelBenchmark(report)) {
    kernels = kernelsOf(path, report);
    source = {{"path", path},
              {"tool", "hockney-kernels"},
              {"context", report["context"]},
              {"rows", kernels.size()}};
    return;
  }
  HOCKNEY_USAGE_CHECK(report.is_object() && report.value("kind", "") == "results",
                      "{} is not a hockney results report (kind \"results\") nor hockney-kernels "
                      "benchmark output",
                      path);
  HOCKNEY_USAGE_CHECK(report.value("schema_version", 0) == kResultsSchemaVersion,
                      "{} has schema_version {}, this hockney reads {}", path,
                      report.value("schema_version", 0), kResultsSchemaVersion);
  rows = interpretJson(path, [&] { return report.at("results").get<std::vector<ResultRow>>(); });
  source = {{"path", path},
            {"tool", report.value("tool", json::object())},
            {"started_at", report.value("started_at", "")},
            {"hosts", report.value("hosts", json::array())},
            {"mpi", report.value("mpi", json::object())},
            {"ranks", report.value("ranks", 0)},
            {"rows", rows.size()}};
}

CalibrationInput::CalibrationInput(std::string p, std::vector<ResultRow> r, json s)
    : path(std::move(p)), rows(std::move(r)), source(std::move(s)) {}

CalibrationInput readResultsReport(const std::string& path) {
  return CalibrationInput(path, readJsonFile(path, "results report"));
}

Calibration fitCalibration(const std::vector<CalibrationInput>& inputs, const CalibrateOptions& o,
                           std::vector<std::string>& warnings) {
  HOCKNEY_USAGE_CHECK(!inputs.empty(), "no results reports to fit");
  std::map<std::string, Group> groups;
  std::vector<ResultRow> allRows;
  std::vector<std::pair<std::string, ResultRow>> accepted;  // (its file, the row)
  std::vector<ResultRow> mixed;
  Calibration cal;
  cal.createdAt = utcNow();
  cal.commandLine = o.commandLine;
  const std::vector<std::string> known = patternNames();
  for (const CalibrationInput& in : inputs) {
    cal.sources.push_back(in.source);
    cal.reductionKernels.insert(cal.reductionKernels.end(), in.kernels.begin(), in.kernels.end());
    const std::vector<ResultRow>& rows = in.rows;
    for (const ResultRow& r : rows) {
      // A row of a pattern hockney does not know fits nothing it can price.
      HOCKNEY_USAGE_CHECK(std::find(known.begin(), known.end(), r.pattern) != known.end(),
                          "{}: a row's pattern '{}' is not one hockney knows ({})", in.path,
                          r.pattern, fmt::join(known, ", "));
      if (r.check == "fail") {
        warnings.push_back(fmt::format("{}: skipped {}/{} at {} B: it failed validation", in.path,
                                       r.pattern, r.algorithm, r.bytes));
        continue;
      }
      // A time no call can take (negative, zero, infinite, over an hour) is a broken row: it
      // would pull α tenfold or make β zero (infinite bandwidth).
      const double t = r.timeUs.median;
      if (!std::isfinite(t) || t <= 0 || t > kMaxCallMicroseconds) {
        warnings.push_back(
            fmt::format("{}: skipped {}/{} at {} B: median time {} us is not a "
                        "time a call can take",
                        in.path, r.pattern, r.algorithm, r.bytes, t));
        continue;
      }
      // Steps at two levels (a world-scope ring across hosts with several ranks on each) are
      // not one level's data: they are checked against the single-level fits instead.
      if (r.cost && !o.level) {
        const std::optional<RowPlacement> placement = placementOf(r);
        if (placement && placement->mixesLevels()) {
          mixed.push_back(r);
          continue;
        }
      }
      accepted.emplace_back(in.path, r);
    }
  }
  for (const auto& [path, r] : medianOverPairs(std::move(accepted))) {
    {
      const bool blackBox = !r.cost.has_value();
      Group& g = groups[groupKey(r, fitLevel(r, o.level))];
      g.level = fitLevel(r, o.level);
      g.backend = r.backend;
      g.pattern = r.pattern;
      g.algorithm = r.algorithm;
      g.dtype = r.dtype;
      g.buffers = r.buffers;
      g.blackBox = blackBox;
      g.inPlace = r.inPlace;
      if (blackBox) g.ranks = r.ranks;
      if (r.details.contains("ranks_per_host") && r.details["ranks_per_host"].is_number())
        g.ranksPerHost = r.details["ranks_per_host"].get<int>();
      if (r.details.contains("device") && r.details["device"].is_string())
        g.device = r.details["device"].get<std::string>();
      g.points.push_back(fitPointOf(r));
      g.sources.insert(path);
      allRows.push_back(r);
    }
  }

  std::map<std::string, FitResult> fitted;                  // by group key
  std::vector<std::pair<size_t, const Group*>> blackBoxes;  // (its fit's index, the group)
  for (auto& [key, g] : groups) {
    bool gamma = false;
    for (const auto& p : g.points) gamma = gamma || p.c > 0;
    // γ is identifiable only if γ bytes are not a fixed multiple of β bytes (ring and
    // Rabenseifner at powers of two have c = b/2 at every p): otherwise it folds into β.
    bool separable = false;
    double ratio = -1;
    for (const auto& p : g.points) {
      if (p.b <= 0 || p.c <= 0) continue;
      if (ratio < 0)
        ratio = p.c / p.b;
      else if (std::abs(p.c / p.b - ratio) > 0.01 * ratio)
        separable = true;
    }
    std::string gammaNote;
    if (gamma && !separable) {
      gamma = false;
      gammaNote =
          "gamma not separable from beta here (gamma bytes a fixed multiple of beta "
          "bytes); the bandwidth term includes the reduction";
    }
    FitOptions fo;
    fo.useGamma = gamma;
    fo.folds = o.folds;
    fo.allowBreak = o.allowBreak;
    try {
      FitResult f = fitPoints(g.points, fo);
      for (const Piece& p : f.pieces)
        HOCKNEY_USAGE_CHECK(std::isfinite(p.coeffs.alpha) && std::isfinite(p.coeffs.beta) &&
                                std::isfinite(p.coeffs.gamma) && std::isfinite(f.r2),
                            "the fit did not converge to finite coefficients");
      std::vector<std::string> quality;
      if (f.heldOutPoints == 0)
        quality.push_back(fmt::format(
            "under-determined: only {} sizes, too few to check the fit on held-out sizes",
            f.sizes.size()));
      else if (f.sizes.size() < kMinFitSizes)
        quality.push_back(fmt::format("under-determined: fitted on {} sizes (fewer than {})",
                                      f.sizes.size(), kMinFitSizes));
      if (f.heldOutP90RelErr > kQualityP90)
        quality.push_back(fmt::format("held-out p90 error {:.0f}% (over {:.0f}%)",
                                      100 * f.heldOutP90RelErr, 100 * kQualityP90));
      if (f.r2 < kQualityR2)
        quality.push_back(fmt::format("R2 {:.2f} (under {:.2f})", f.r2, kQualityR2));
      if (!quality.empty())
        warnings.push_back(fmt::format("{}: poor fit: {}", groupName(g), fmt::join(quality, "; ")));
      CalibratedFit fit;
      fit.backend = g.backend;
      fit.pattern = g.pattern;
      fit.algorithm = g.algorithm;
      fit.dtype = g.dtype;
      fit.buffers = g.buffers;
      fit.level = g.level;
      fit.blackBox = g.blackBox;
      fit.model = g.blackBox ? "t = alpha + bytes * beta (per rank count)"
                             : (gamma ? "t = a*alpha + b*beta + c*gamma" : "t = a*alpha + b*beta");
      fit.ranks = g.blackBox ? g.ranks : 0;
      fit.measuredRanks = g.blackBox ? std::vector<int>{g.ranks} : f.ranks;
      fit.pieces = f.pieces;
      fit.gamma = gamma;
      fit.breaks = f.breaks;
      fit.r2 = f.r2;
      fit.heldOut = {f.heldOutMedianRelErr, f.heldOutP90RelErr, f.heldOutWorstRelErr,
                     f.worstBytes,          f.heldOutPoints,    f.folds};
      fit.points = g.points.size();
      fit.qualityWarnings = quality;
      fit.gammaNote = gammaNote;
      fit.sizes = f.sizes;
      fit.sources.assign(g.sources.begin(), g.sources.end());
      fit.inPlace = g.inPlace;
      fit.ranksPerHost = g.ranksPerHost;
      fit.device = g.device;
      if (g.blackBox) blackBoxes.emplace_back(cal.fits.size(), &g);
      cal.fits.push_back(std::move(fit));
      fitted.emplace(key, std::move(f));
    } catch (const UsageError& e) {
      warnings.push_back(fmt::format("cannot fit {}: {}", groupName(g), e.what()));
      cal.skipped.emplace_back(groupName(g), e.what());
    }
  }
  // Vendor collectives measured at three or more rank counts of one level: fits across them.
  {
    std::vector<VendorSeries> series;
    for (const auto& [index, g] : blackBoxes) series.push_back({&cal.fits[index], g->points});
    FitOptions fo;
    fo.folds = o.folds;
    fo.allowBreak = o.allowBreak;
    std::vector<CalibratedFit> across = fitAcrossRanks(series, fo, warnings);
    for (CalibratedFit& f : across) cal.fits.push_back(std::move(f));
  }
  if (!mixed.empty()) {
    std::vector<std::string> missing;
    cal.composed = composedChecks(mixed, cal.fits, missing);
    for (const std::string& m : missing)
      warnings.push_back(fmt::format(
          "not fitted as one level (its steps cross hosts and stay within them): {}; measure "
          "node-local groups and one rank per host too (hockney calibrate does; hockney run "
          "--scope node and --scope leaders)",
          m));
  }
  HOCKNEY_USAGE_CHECK(!cal.fits.empty() || !cal.reductionKernels.empty(),
                      "nothing could be fitted: {}",
                      warnings.empty() ? std::string("no rows") : warnings.back());

  // Selection: at each measured (pattern, ranks, size), the algorithm the fits predict fastest;
  // listed by level name, as calibrations always were.
  std::map<std::tuple<std::string, std::string, int, std::string, std::string>,
           std::map<size_t, std::pair<std::string, double>>>
      best;
  std::set<LinkLevel> levels;
  for (const ResultRow& r : allRows) {
    const LinkLevel level = fitLevel(r, o.level);
    levels.insert(level);
    auto it = fitted.find(groupKey(r, level));
    if (it == fitted.end()) continue;
    double t = it->second.predict(fitPointOf(r));
    auto& slot =
        best[{r.backend, r.pattern, r.ranks, r.buffers, std::string(name(level))}][r.bytes];
    if (slot.first.empty() || t < slot.second) slot = {r.algorithm, t};
  }
  cal.levels.assign(levels.begin(), levels.end());
  for (const auto& [id, bySize] : best) {
    Selection s;
    s.backend = std::get<0>(id);
    s.pattern = std::get<1>(id);
    s.ranks = std::get<2>(id);
    s.buffers = std::get<3>(id);
    s.level = *readLinkLevel(std::get<4>(id));
    for (const auto& [bytes, winner] : bySize) {
      if (!s.ranges.empty() && s.ranges.back().algorithm == winner.first) {
        s.ranges.back().toBytes = bytes;
        continue;
      }
      s.ranges.push_back({bytes, bytes, winner.first});
    }
    cal.selection.push_back(std::move(s));
  }
  cal.notes = {"times are the medians of each point; weights make relative error count",
               "own algorithms pool rank counts (their coefficients carry p); vendor "
               "collectives are black boxes fitted per rank count, and across rank counts in "
               "nccl-tests' bus-bandwidth convention where three or more were measured",
               "selection ranges span measured sizes only"};
  return cal;
}

}  // namespace hockney
