#include "model/calibration.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>

#include "collectives/core/error.h"
#include "model/fit.h"
#include "reports/json_io.h"
#include "reports/results.h"

namespace hockney {

using nlohmann::json;

namespace {

struct Group {
  std::string backend, pattern, algorithm, dtype, buffers, level;
  int ranks = 0;  // black boxes only: fitted per rank count
  bool blackBox = false;
  std::vector<FitPoint> points;
  std::set<std::string> sources;
};

// Fits are per element type too: reduction speed differs by type (bfloat16 reduces through
// float on CPUs), so a float32 calibration would under-price a bfloat16 all-reduce.
// The level a row is fitted at: the override, else the level the row recorded, else "world"
// (reports from before topology discovery, imported logs).
std::string levelOf(const ResultRow& r, const std::string& override) {
  if (!override.empty()) return override;
  return r.level.empty() ? "world" : r.level;
}

std::string groupKey(const ResultRow& r, const std::string& level) {
  // Hot and cold buffers measure different things (cache-resident or not): never pooled; nor
  // are link levels.
  return r.cost ? fmt::format("{}|{}|{}|{}|{}|{}", r.backend, r.pattern, r.algorithm, r.dtype,
                              r.buffers, level)
                : fmt::format("{}|{}|{}|{}|{}|{}|{}", r.backend, r.pattern, r.algorithm, r.dtype,
                              r.buffers, level, r.ranks);
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

double toRate(double secondsPerByte) {  // GB/s, null-like 0 when unfitted
  return secondsPerByte > 0 ? 1e-9 / secondsPerByte : 0;
}

json pieceJson(const Piece& p, bool blackBox, bool gamma) {
  json j{{"from_bytes", p.fromBytes},
         {"to_bytes", std::isinf(p.toBytes) ? json(nullptr) : json(p.toBytes)},
         {"alpha_us", p.coeffs.alpha * 1e6},
         {"alpha_s", p.coeffs.alpha},
         {"beta_s_per_byte", p.coeffs.beta},
         {"bandwidth_gbps", p.coeffs.beta > 0 ? json(toRate(p.coeffs.beta)) : json(nullptr)}};
  if (!blackBox && gamma) {
    j["gamma_s_per_byte"] = p.coeffs.gamma;
    j["reduction_gbps"] = p.coeffs.gamma > 0 ? json(toRate(p.coeffs.gamma)) : json(nullptr);
  }
  return j;
}

}  // namespace

double CalibratedFit::predict(const Cost& c, double bytes) const {
  return predictPieces(pieces, c.alphaCount, c.betaBytes, c.gammaBytes, bytes);
}

CalibratedFit calibratedFitFromJson(const json& j, const std::string& where) {
  return interpretJson(where, [&] {
    CalibratedFit f;
    f.backend = j.value("backend", "");
    f.pattern = j.at("pattern").get<std::string>();
    f.algorithm = j.at("algorithm").get<std::string>();
    f.level = j.at("level").get<std::string>();
    f.dtype = j.value("dtype", "");
    f.buffers = j.value("buffers", "cold");  // calibrations before --buffers rotated
    f.qualityWarnings = j.value("quality_warnings", std::vector<std::string>{});
    f.blackBox = j.at("black_box").get<bool>();
    if (f.blackBox) {
      f.ranks = wholeNumber<int>(j, "ranks");
      f.measuredRanks = {f.ranks};
    } else if (j.contains("ranks") && j["ranks"].is_array()) {
      for (const json& r : j["ranks"])
        f.measuredRanks.push_back(wholeNumber<int>({{"ranks", r}}, "ranks"));
    }
    for (const json& p : j.at("pieces")) {
      Piece piece;
      piece.fromBytes = p.at("from_bytes").get<double>();
      piece.toBytes = p.value("to_bytes", json(nullptr)).is_null()
                          ? std::numeric_limits<double>::infinity()
                          : p.at("to_bytes").get<double>();
      piece.coeffs.alpha = p.at("alpha_s").get<double>();
      piece.coeffs.beta = p.at("beta_s_per_byte").get<double>();
      piece.coeffs.gamma = p.value("gamma_s_per_byte", 0.0);
      f.pieces.push_back(piece);
    }
    HOCKNEY_USAGE_CHECK(!f.pieces.empty(), "{}: the {} {} fit has no pieces", where, f.pattern,
                        f.algorithm);
    if (j.contains("sizes") && j["sizes"].is_array())
      for (const json& s : j["sizes"])
        if (s.is_number())
          f.largestMeasuredBytes = std::max(f.largestMeasuredBytes, s.get<double>());
    return f;
  });
}

namespace {

std::string groupName(const Group& g) {
  return g.blackBox ? fmt::format("{}/{}/{} {} {} at {} ranks ({})", g.backend, g.pattern,
                                  g.algorithm, g.dtype, g.buffers, g.ranks, g.level)
                    : fmt::format("{}/{}/{} {} {} ({})", g.backend, g.pattern, g.algorithm, g.dtype,
                                  g.buffers, g.level);
}

}  // namespace

bool isKernelBenchmark(const json& j) {
  return j.is_object() && j.contains("benchmarks") && j.contains("context");
}

CalibrationInput readResultsReport(const std::string& path) {
  CalibrationInput input{path, readJsonFile(path, "results report")};
  if (isKernelBenchmark(input.report)) return input;  // hockney-kernels --benchmark_out
  HOCKNEY_USAGE_CHECK(input.report.is_object() && input.report.value("kind", "") == "results",
                      "{} is not a hockney results report (kind \"results\") nor hockney-kernels "
                      "benchmark output",
                      path);
  HOCKNEY_USAGE_CHECK(input.report.value("schema_version", 0) == kResultsSchemaVersion,
                      "{} has schema_version {}, this hockney reads {}", path,
                      input.report.value("schema_version", 0), kResultsSchemaVersion);
  return input;
}

json calibrate(const std::vector<CalibrationInput>& inputs, const CalibrateOptions& o,
               std::vector<std::string>& warnings) {
  HOCKNEY_USAGE_CHECK(!inputs.empty(), "no results reports to fit");
  std::map<std::string, Group> groups;
  std::vector<ResultRow> allRows;
  json sources = json::array();
  json kernels = json::array();
  for (const CalibrationInput& in : inputs) {
    if (isKernelBenchmark(in.report)) {
      // Reduction kernels (hockney-kernels): γ directly, as reduced bytes per second, on the
      // host (reduce/<dtype>/<op>/<bytes>) and on the GPU (device_reduce/...).
      for (const auto& b : in.report["benchmarks"]) {
        const std::string name = b.value("name", "");
        const bool gpu = name.rfind("device_reduce/", 0) == 0;
        if ((!gpu && name.rfind("reduce/", 0) != 0) || !b.contains("bytes_per_second")) continue;
        const size_t d = gpu ? 14 : 7;
        const size_t a = name.find('/', d), c = name.find('/', a == std::string::npos ? a : a + 1);
        if (a == std::string::npos || c == std::string::npos) continue;
        const double rate =
            interpretJson(in.path, [&] { return b.at("bytes_per_second").get<double>(); });
        const std::string size = name.substr(c + 1);
        char* end = nullptr;
        const double bytes = std::strtod(size.c_str(), &end);
        if (size.empty() || *end != '\0') continue;  // an aggregate row (…/4096_mean)
        kernels.push_back({{"dtype", name.substr(d, a - d)},
                           {"op", name.substr(a + 1, c - a - 1)},
                           {"bytes", bytes},
                           {"device", gpu ? "gpu" : "host"},
                           {"reduction_gbps", rate / 1e9},
                           {"gamma_s_per_byte", rate > 0 ? 1.0 / rate : 0.0}});
      }
      sources.push_back({{"path", in.path},
                         {"tool", "hockney-kernels"},
                         {"context", in.report["context"]},
                         {"rows", kernels.size()}});
      continue;
    }
    const auto rows = interpretJson(
        in.path, [&] { return in.report.at("results").get<std::vector<ResultRow>>(); });
    sources.push_back({{"path", in.path},
                       {"tool", in.report.value("tool", json::object())},
                       {"started_at", in.report.value("started_at", "")},
                       {"hosts", in.report.value("hosts", json::array())},
                       {"mpi", in.report.value("mpi", json::object())},
                       {"ranks", in.report.value("ranks", 0)},
                       {"rows", rows.size()}});
    for (const ResultRow& r : rows) {
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
      const bool blackBox = !r.cost.has_value();
      Group& g = groups[groupKey(r, levelOf(r, o.level))];
      g.level = levelOf(r, o.level);
      g.backend = r.backend;
      g.pattern = r.pattern;
      g.algorithm = r.algorithm;
      g.dtype = r.dtype;
      g.buffers = r.buffers;
      g.blackBox = blackBox;
      if (blackBox) g.ranks = r.ranks;
      g.points.push_back(fitPointOf(r));
      g.sources.insert(in.path);
      allRows.push_back(r);
    }
  }

  json fits = json::array();
  json skipped = json::array();
  std::map<std::string, FitResult> fitted;  // by group key
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
        quality.push_back(fmt::format("only {} sizes: too few to check the fit on held-out sizes",
                                      f.sizes.size()));
      if (f.heldOutP90RelErr > kQualityP90)
        quality.push_back(fmt::format("held-out p90 error {:.0f}% (over {:.0f}%)",
                                      100 * f.heldOutP90RelErr, 100 * kQualityP90));
      if (f.r2 < kQualityR2)
        quality.push_back(fmt::format("R2 {:.2f} (under {:.2f})", f.r2, kQualityR2));
      if (!quality.empty())
        warnings.push_back(fmt::format("{}: poor fit: {}", groupName(g), fmt::join(quality, "; ")));
      json pieces = json::array();
      for (const Piece& p : f.pieces) pieces.push_back(pieceJson(p, g.blackBox, gamma));
      fits.push_back({{"backend", g.backend},
                      {"pattern", g.pattern},
                      {"algorithm", g.algorithm},
                      {"dtype", g.dtype},
                      {"buffers", g.buffers},
                      {"level", g.level},
                      {"black_box", g.blackBox},
                      {"model", g.blackBox ? "t = alpha + bytes * beta (per rank count)"
                                           : (gamma ? "t = a*alpha + b*beta + c*gamma"
                                                    : "t = a*alpha + b*beta")},
                      {"ranks", g.blackBox ? json(g.ranks) : json(f.ranks)},
                      {"pieces", pieces},
                      {"breaks_bytes", f.breaks},
                      {"r2", f.r2},
                      {"heldout_rel_err",
                       {{"median", f.heldOutMedianRelErr},
                        {"p90", f.heldOutP90RelErr},
                        {"worst", f.heldOutWorstRelErr},
                        {"worst_bytes", f.worstBytes},
                        {"points", f.heldOutPoints},
                        {"folds", f.folds == 0 ? json("leave-one-size-out") : json(f.folds)}}},
                      {"points", g.points.size()},
                      {"quality_warnings", quality},
                      {"gamma_note", gammaNote.empty() ? json(nullptr) : json(gammaNote)},
                      {"sizes", f.sizes},
                      {"sources", g.sources}});
      fitted.emplace(key, std::move(f));
    } catch (const UsageError& e) {
      warnings.push_back(fmt::format("cannot fit {}: {}", groupName(g), e.what()));
      skipped.push_back({{"group", groupName(g)}, {"reason", e.what()}});
    }
  }
  HOCKNEY_USAGE_CHECK(!fits.empty() || !kernels.empty(), "nothing could be fitted: {}",
                      warnings.empty() ? std::string("no rows") : warnings.back());

  // Selection: at each measured (pattern, ranks, size), the algorithm the fits predict fastest.
  std::map<std::tuple<std::string, std::string, int, std::string, std::string>,
           std::map<size_t, std::pair<std::string, double>>>
      best;
  std::set<std::string> levels;
  for (const ResultRow& r : allRows) {
    const std::string level = levelOf(r, o.level);
    levels.insert(level);
    auto it = fitted.find(groupKey(r, level));
    if (it == fitted.end()) continue;
    double t = it->second.predict(fitPointOf(r));
    auto& slot = best[{r.backend, r.pattern, r.ranks, r.buffers, level}][r.bytes];
    if (slot.first.empty() || t < slot.second) slot = {r.algorithm, t};
  }
  json selection = json::array();
  for (const auto& [id, bySize] : best) {
    json ranges = json::array();
    for (const auto& [bytes, winner] : bySize) {
      if (!ranges.empty() && ranges.back()["algorithm"] == winner.first) {
        ranges.back()["to_bytes"] = bytes;
        continue;
      }
      ranges.push_back({{"from_bytes", bytes}, {"to_bytes", bytes}, {"algorithm", winner.first}});
    }
    selection.push_back({{"backend", std::get<0>(id)},
                         {"pattern", std::get<1>(id)},
                         {"ranks", std::get<2>(id)},
                         {"buffers", std::get<3>(id)},
                         {"level", std::get<4>(id)},
                         {"ranges", ranges}});
  }
  return json{{"schema_version", kCalibrationSchemaVersion},
              {"kind", "calibration"},
              {"created_at", utcNow()},
              {"command_line", o.commandLine},
              {"level", levels.size() == 1 ? *levels.begin() : std::string("per fit")},
              {"levels", std::vector<std::string>(levels.begin(), levels.end())},
              {"sources", sources},
              {"fits", fits},
              {"skipped", skipped},
              {"selection", selection},
              {"reduction_kernels", kernels},
              {"notes",
               {"times are the medians of each point; weights make relative error count",
                "own algorithms pool rank counts (their coefficients carry p); vendor "
                "collectives are black boxes fitted per rank count",
                "selection ranges span measured sizes only"}}};
}

std::string formatFitTable(const json& cal) {
  std::string out = fmt::format(
      "# {:<9} {:<15} {:<19} {:<7} {:<8} {:<4} {:>6} {:>10} {:>9} {:>8} {:>8} {:>6} {:>6} {:>6} "
      "{:>14}\n",
      "backend", "pattern", "algorithm", "level", "dtype", "buf", "ranks", "from_B", "alpha_us",
      "bw_GB/s", "red_GB/s", "R2", "med%", "p90%", "worst%@bytes");
  auto num = [](const json& v) {
    return v.is_null() ? std::string("-") : fmt::format("{:.3f}", v.get<double>());
  };
  for (const auto& f : cal.at("fits")) {
    const std::string ranks =
        f["ranks"].is_array() ? (f["ranks"].size() == 1 ? std::to_string(f["ranks"][0].get<int>())
                                                        : std::string("pooled"))
                              : std::to_string(f["ranks"].get<int>());
    const json& e = f["heldout_rel_err"];
    const bool flagged = !f.value("quality_warnings", json::array()).empty();
    for (size_t i = 0; i < f["pieces"].size(); ++i) {
      const json& p = f["pieces"][i];
      const bool first = i == 0;
      out += fmt::format(
          "{} {:<9} {:<15} {:<19} {:<7} {:<8} {:<4} {:>6} {:>10.0f} {:>9.3f} {:>8} {:>8} {:>6} "
          "{:>6} {:>6} {:>14}\n",
          first && flagged ? "!" : " ", first ? f["backend"].get<std::string>() : "",
          first ? f["pattern"].get<std::string>() : "",
          first ? f["algorithm"].get<std::string>() : "  (next regime)",
          first ? f.value("level", "") : "", first ? f.value("dtype", "") : "",
          first ? f.value("buffers", "") : "", first ? ranks : "", p["from_bytes"].get<double>(),
          p["alpha_us"].get<double>(), num(p["bandwidth_gbps"]),
          p.contains("reduction_gbps") ? num(p["reduction_gbps"]) : std::string("-"),
          first ? fmt::format("{:.3f}", f["r2"].get<double>()) : "",
          first ? fmt::format("{:.1f}", 100 * e["median"].get<double>()) : "",
          first ? fmt::format("{:.1f}", 100 * e["p90"].get<double>()) : "",
          first ? fmt::format("{:.0f}@{:.0f}", 100 * e.value("worst", 0.0),
                              e.value("worst_bytes", 0.0))
                : "");
    }
  }
  // A warning every fit carries (the host drifted) is said once.
  std::map<std::string, size_t> count;
  for (const auto& f : cal.at("fits"))
    for (const auto& w : f.value("quality_warnings", json::array())) ++count[w.get<std::string>()];
  const size_t fits = cal.at("fits").size();
  for (const auto& [w, n] : count)
    if (fits > 1 && n == fits) out += fmt::format("# ! every fit: {}\n", w);
  for (const auto& f : cal.at("fits"))
    for (const auto& w : f.value("quality_warnings", json::array()))
      if (fits <= 1 || count[w.get<std::string>()] != fits)
        out += fmt::format("# ! {}/{}/{} {}: {}\n", f["backend"].get<std::string>(),
                           f["pattern"].get<std::string>(), f["algorithm"].get<std::string>(),
                           f.value("dtype", ""), w.get<std::string>());
  for (const auto& s : cal.at("selection")) {
    out += fmt::format("# fastest {} at {} ranks:", s["pattern"].get<std::string>(),
                       s["ranks"].get<int>());
    for (const auto& r : s["ranges"])
      out += fmt::format(" [{}..{} B] {}", r["from_bytes"].get<size_t>(),
                         r["to_bytes"].get<size_t>(), r["algorithm"].get<std::string>());
    out += "\n";
  }
  return out;
}

}  // namespace hockney
