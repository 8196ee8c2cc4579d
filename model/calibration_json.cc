// calibration.json <-> Calibration: the one writer and the one reader, with the checks every
// command that loads a calibration gets.
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <set>

#include "collectives/core/error.h"
#include "model/calibration.h"
#include "reports/json_io.h"

namespace hockney {

using nlohmann::json;

namespace {

double toRate(double secondsPerByte) {  // GB/s
  return 1e-9 / secondsPerByte;
}

json pieceJson(const Piece& p, bool withGamma) {
  json j{{"from_bytes", p.fromBytes},
         {"to_bytes", std::isinf(p.toBytes) ? json(nullptr) : json(p.toBytes)},
         {"alpha_us", p.coeffs.alpha * 1e6},
         {"alpha_s", p.coeffs.alpha},
         {"beta_s_per_byte", p.coeffs.beta},
         {"bandwidth_gbps", p.coeffs.beta > 0 ? json(toRate(p.coeffs.beta)) : json(nullptr)}};
  if (withGamma) {
    j["gamma_s_per_byte"] = p.coeffs.gamma;
    j["reduction_gbps"] = p.coeffs.gamma > 0 ? json(toRate(p.coeffs.gamma)) : json(nullptr);
  }
  return j;
}

// A coefficient or size of a fit: a finite, non-negative number, or a UsageError naming the fit
// and the field.
double coefficient(const json& piece, const char* key, const std::string& fit, double fallback) {
  if (!piece.contains(key)) {
    HOCKNEY_USAGE_CHECK(!std::isnan(fallback), "{}: no {} in a piece", fit, key);
    return fallback;
  }
  const json& v = piece.at(key);
  HOCKNEY_USAGE_CHECK(v.is_number(), "{}: {} is not a number ({})", fit, key, v.dump());
  const double x = v.get<double>();
  HOCKNEY_USAGE_CHECK(std::isfinite(x) && x >= 0, "{}: {} is {}: it must be finite and >= 0", fit,
                      key, x);
  return x;
}

LinkLevel levelField(const json& j, const std::string& what) {
  const std::string text = j.at("level").get<std::string>();
  const std::optional<LinkLevel> level = readLinkLevel(text);
  HOCKNEY_USAGE_CHECK(level.has_value(), "{}: level \"{}\" is not a link level ({})", what, text,
                      linkLevelNames());
  return *level;
}

constexpr double kRequired = std::numeric_limits<double>::quiet_NaN();

}  // namespace

double CalibratedFit::largestMeasuredBytes() const {
  double most = 0;
  for (double s : sizes) most = std::max(most, s);
  return most;
}

double CalibratedFit::predict(const Cost& c, double bytes) const {
  return predictPieces(pieces, c.alphaCount, c.betaBytes, c.gammaBytes, bytes);
}

json CalibratedFit::acrossRanksJson() const {
  if (scaling.empty()) return nullptr;
  json perRank = json::array();
  for (const auto& [p, median] : acrossRanksMedian)
    perRank.push_back({{"ranks", p}, {"median", median}});
  return {{"median", acrossRanks.median}, {"p90", acrossRanks.p90},
          {"worst", acrossRanks.worst},   {"points", acrossRanks.points},
          {"per_rank_count", perRank},    {"method", "leave-one-rank-count-out"}};
}

json CalibratedFit::toJson() const {
  // Errors of a fit no held-out size checked are unknown: null, never 0.
  auto unknownOr = [&](double v) { return heldOut.points == 0 ? json(nullptr) : json(v); };
  json pieceList = json::array();
  for (const Piece& p : pieces) pieceList.push_back(pieceJson(p, !blackBox && gamma));
  json j{{"backend", backend},
         {"pattern", pattern},
         {"algorithm", algorithm},
         {"dtype", dtype},
         {"buffers", buffers},
         {"level", name(level)},
         {"black_box", blackBox},
         {"model", model},
         {"ranks", blackBox && scaling.empty() ? json(ranks) : json(measuredRanks)},
         {"pieces", pieceList},
         {"breaks_bytes", breaks},
         {"r2", r2},
         {"heldout_rel_err",
          {{"median", unknownOr(heldOut.median)},
           {"p90", unknownOr(heldOut.p90)},
           {"worst", unknownOr(heldOut.worst)},
           {"worst_bytes", heldOut.worstBytes},
           {"points", heldOut.points},
           {"folds", heldOut.folds == 0 ? json("leave-one-size-out") : json(heldOut.folds)}}},
         {"points", points},
         {"under_determined", underDetermined()},
         {"quality_warnings", qualityWarnings},
         {"gamma_note", gammaNote.empty() ? json(nullptr) : json(gammaNote)},
         {"sizes", sizes},
         {"sources", sources}};
  // What imported logs and fits across rank counts add, only where they say something (older
  // calibrations read back unchanged).
  if (inPlace) j["in_place"] = true;
  if (ranksPerHost > 0) j["ranks_per_host"] = ranksPerHost;
  if (!device.empty()) j["device"] = device;
  if (!scaling.empty()) {
    j["vendor_scaling"] = scaling;
    j["heldout_across_ranks"] = acrossRanksJson();
  }
  return j;
}

CalibratedFit CalibratedFit::fromJson(const json& j, const std::string& where) {
  return interpretJson(where, [&] {
    HOCKNEY_USAGE_CHECK(j.is_object(), "{}: a fit is not an object", where);
    CalibratedFit f;
    f.pattern = j.at("pattern").get<std::string>();
    f.algorithm = j.at("algorithm").get<std::string>();
    const std::string fit = fmt::format("{}: the {}/{} fit", where, f.pattern, f.algorithm);
    f.backend = j.value("backend", "");
    f.level = levelField(j, fit);
    f.dtype = j.value("dtype", "");
    f.buffers = j.value("buffers", "cold");  // calibrations before --buffers rotated
    HOCKNEY_USAGE_CHECK(f.buffers == "hot" || f.buffers == "cold",
                        "{}: buffers \"{}\" is not hot or cold", fit, f.buffers);
    f.model = j.value("model", "");
    f.qualityWarnings = j.value("quality_warnings", std::vector<std::string>{});
    f.blackBox = j.at("black_box").get<bool>();
    f.inPlace = j.value("in_place", false);
    f.ranksPerHost = j.contains("ranks_per_host") && j["ranks_per_host"].is_number()
                         ? wholeNumber<int>(j, "ranks_per_host")
                         : 0;
    f.device = j.value("device", json(nullptr)).is_string() ? j["device"].get<std::string>() : "";
    f.scaling = j.value("vendor_scaling", json(nullptr)).is_string()
                    ? j["vendor_scaling"].get<std::string>()
                    : "";
    HOCKNEY_USAGE_CHECK(f.scaling.empty() || f.scaling == "ring" || f.scaling == "tree",
                        "{}: vendor_scaling \"{}\" is not ring or tree", fit, f.scaling);
    if (f.blackBox && f.scaling.empty()) {
      f.ranks = wholeNumber<int>(j, "ranks");
      f.measuredRanks = {f.ranks};
    } else if (j.contains("ranks") && j["ranks"].is_array()) {
      for (const json& r : j["ranks"])
        f.measuredRanks.push_back(wholeNumber<int>({{"ranks", r}}, "ranks"));
    }
    for (const json& p : j.at("pieces")) {
      Piece piece;
      piece.fromBytes = coefficient(p, "from_bytes", fit, kRequired);
      piece.toBytes = p.value("to_bytes", json(nullptr)).is_null()
                          ? std::numeric_limits<double>::infinity()
                          : coefficient(p, "to_bytes", fit, kRequired);
      piece.coeffs.alpha = coefficient(p, "alpha_s", fit, kRequired);
      piece.coeffs.beta = coefficient(p, "beta_s_per_byte", fit, kRequired);
      piece.coeffs.gamma = coefficient(p, "gamma_s_per_byte", fit, 0.0);
      f.gamma = f.gamma || p.contains("gamma_s_per_byte");
      f.pieces.push_back(piece);
    }
    HOCKNEY_USAGE_CHECK(!f.pieces.empty(), "{} has no pieces", fit);
    f.breaks = j.value("breaks_bytes", std::vector<double>{});
    f.r2 = j.value("r2", 0.0);
    if (j.contains("heldout_rel_err")) {
      const json& e = j["heldout_rel_err"];
      // null: never checked (no held-out size), as the writer says it.
      auto error = [&](const char* field) {
        return e.contains(field) && e[field].is_number() ? e[field].get<double>() : 0.0;
      };
      f.heldOut.median = error("median");
      f.heldOut.p90 = error("p90");
      f.heldOut.worst = error("worst");
      f.heldOut.worstBytes = e.value("worst_bytes", 0.0);
      f.heldOut.points = wholeNumberOr<size_t>(e, "points", 0);
      f.heldOut.folds = e.contains("folds") && e["folds"].is_number() ? e["folds"].get<int>() : 0;
    }
    f.points = wholeNumberOr<size_t>(j, "points", 0);
    f.gammaNote = j.value("gamma_note", json(nullptr)).is_string()
                      ? j["gamma_note"].get<std::string>()
                      : std::string();
    if (j.contains("sizes") && j["sizes"].is_array())
      for (const json& s : j["sizes"])
        if (s.is_number()) f.sizes.push_back(s.get<double>());
    f.sources = j.value("sources", std::vector<std::string>{});
    if (!f.scaling.empty() && j.contains("heldout_across_ranks") &&
        j["heldout_across_ranks"].is_object()) {
      const json& e = j["heldout_across_ranks"];
      f.acrossRanks.median = e.value("median", 0.0);
      f.acrossRanks.p90 = e.value("p90", 0.0);
      f.acrossRanks.worst = e.value("worst", 0.0);
      f.acrossRanks.points = wholeNumberOr<size_t>(e, "points", 0);
      for (const json& r : e.value("per_rank_count", json::array()))
        f.acrossRanksMedian.emplace_back(wholeNumber<int>(r, "ranks"), r.value("median", 0.0));
    }
    return f;
  });
}

json Calibration::toJson() const {
  std::set<std::string> names;  // in the order calibrations have always listed them
  for (LinkLevel l : levels) names.insert(std::string(name(l)));
  json fitList = json::array(), skippedList = json::array(), selectionList = json::array(),
       kernelList = json::array();
  for (const CalibratedFit& f : fits) fitList.push_back(f.toJson());
  for (const auto& [group, reason] : skipped)
    skippedList.push_back({{"group", group}, {"reason", reason}});
  for (const Selection& s : selection) {
    json ranges = json::array();
    for (const SelectionRange& r : s.ranges)
      ranges.push_back(
          {{"from_bytes", r.fromBytes}, {"to_bytes", r.toBytes}, {"algorithm", r.algorithm}});
    selectionList.push_back({{"backend", s.backend},
                             {"pattern", s.pattern},
                             {"ranks", s.ranks},
                             {"buffers", s.buffers},
                             {"level", name(s.level)},
                             {"ranges", ranges}});
  }
  for (const ReductionKernel& k : reductionKernels)
    kernelList.push_back({{"dtype", k.dtype},
                          {"op", k.op},
                          {"bytes", k.bytes},
                          {"device", k.device},
                          {"reduction_gbps", k.reductionGbps},
                          {"gamma_s_per_byte", k.gammaSecondsPerByte}});
  json out{{"schema_version", kCalibrationSchemaVersion},
           {"kind", "calibration"},
           {"created_at", createdAt},
           {"command_line", commandLine},
           {"level", names.size() == 1 ? *names.begin() : std::string("per fit")},
           {"levels", std::vector<std::string>(names.begin(), names.end())},
           {"sources", sources},
           {"fits", fitList},
           {"skipped", skippedList},
           {"selection", selectionList},
           {"reduction_kernels", kernelList},
           {"notes", notes}};
  if (!composed.empty()) {
    json checks = json::array();
    for (const ComposedCheck& c : composed) checks.push_back(c.toJson());
    out["composed_checks"] = checks;
  }
  if (hostDrift) {
    const HostDrift& d = *hostDrift;
    out["host_drift"] = {{"reference", d.reference},
                         {"reference_us", d.referenceUs},
                         {"minor_faults_per_call", d.faultsPerCall},
                         {"spread", d.spread},
                         {"limit", d.limit},
                         {"drifted", d.drifted}};
    if (d.ranks > 0) out["host_drift"]["ranks"] = d.ranks;
    if (!d.note.empty()) out["host_drift"]["note"] = d.note;
  }
  return out;
}

Calibration Calibration::fromJson(const json& j, const std::string& where) {
  HOCKNEY_USAGE_CHECK(j.is_object() && j.value("kind", "") == "calibration" &&
                          j.value("schema_version", 0) == kCalibrationSchemaVersion,
                      "{} is not a hockney calibration (kind \"calibration\", schema_version {})",
                      where, kCalibrationSchemaVersion);
  return interpretJson(where, [&] {
    Calibration c;
    c.createdAt = j.value("created_at", "");
    c.commandLine = j.value("command_line", "");
    for (const json& l : j.value("levels", json::array()))
      c.levels.push_back(levelField({{"level", l}}, where));
    for (const json& s : j.value("sources", json::array())) c.sources.push_back(s);
    for (const json& f : j.at("fits")) c.fits.push_back(CalibratedFit::fromJson(f, where));
    if (!j.contains("levels")) {  // calibrations before link levels: their fits' one level
      std::set<LinkLevel> seen;
      for (const CalibratedFit& f : c.fits) seen.insert(f.level);
      c.levels.assign(seen.begin(), seen.end());
    }
    for (const json& s : j.value("skipped", json::array()))
      c.skipped.emplace_back(s.value("group", ""), s.value("reason", ""));
    for (const json& s : j.value("selection", json::array())) {
      Selection sel;
      sel.backend = s.value("backend", "");
      sel.pattern = s.at("pattern").get<std::string>();
      sel.buffers = s.value("buffers", "cold");
      sel.ranks = wholeNumber<int>(s, "ranks");
      sel.level = levelField(s, where);
      for (const json& r : s.at("ranges"))
        sel.ranges.push_back({wholeNumber<size_t>(r, "from_bytes"),
                              wholeNumber<size_t>(r, "to_bytes"),
                              r.at("algorithm").get<std::string>()});
      c.selection.push_back(std::move(sel));
    }
    for (const json& k : j.value("reduction_kernels", json::array()))
      c.reductionKernels.push_back({k.at("dtype").get<std::string>(), k.at("op").get<std::string>(),
                                    k.value("device", "host"), k.at("bytes").get<double>(),
                                    k.at("reduction_gbps").get<double>(),
                                    k.at("gamma_s_per_byte").get<double>()});
    c.notes = j.value("notes", std::vector<std::string>{});
    for (const json& k : j.value("composed_checks", json::array()))
      c.composed.push_back(ComposedCheck::fromJson(k, where));
    if (j.contains("host_drift")) {
      const json& d = j["host_drift"];
      HostDrift drift;
      drift.reference = d.value("reference", "");
      drift.referenceUs = d.value("reference_us", std::vector<double>{});
      drift.faultsPerCall = d.value("minor_faults_per_call", std::vector<double>{});
      drift.note = d.value("note", "");
      drift.ranks = d.value("ranks", 0);
      // Calibrations before the probe was always recorded wrote it only when the host drifted
      // past the same limit, and without its spread.
      drift.drifted = d.value("drifted", true);
      drift.limit = d.value("limit", kDriftLimit);
      double lo = 0, hi = 0;
      for (double r : drift.referenceUs) {
        lo = lo == 0 ? r : std::min(lo, r);
        hi = std::max(hi, r);
      }
      drift.spread = d.value("spread", lo > 0 ? hi / lo : 1.0);
      c.hostDrift = drift;
    }
    return c;
  });
}

}  // namespace hockney
