#include "model/projection.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "collectives/core/error.h"
#include "collectives/registry.h"
#include "model/calibration.h"
#include "reports/json_io.h"
#include "reports/results.h"

namespace hockney {

using nlohmann::json;

CalibrationSet loadCalibrations(const std::vector<std::string>& paths) {
  HOCKNEY_USAGE_CHECK(!paths.empty(), "no --calibration given");
  CalibrationSet set;
  for (const auto& path : paths) {
    const Calibration c = Calibration::fromJson(readJsonFile(path, "calibration"), path);
    set.fits.insert(set.fits.end(), c.fits.begin(), c.fits.end());
    // Where its numbers came from, as the step-cost report records it.
    set.sources.push_back({{"path", path},
                           {"created_at", c.createdAt},
                           {"level", c.toJson()["level"]},
                           {"sources", c.sources}});
  }
  return set;
}

namespace {

struct Placement {
  std::map<std::string, long> stride;  // GPUs between neighbours of a dimension's group
};

Placement place(const Layout& l) {
  Placement p;
  long s = 1;
  for (const auto& dim : l.order) {
    p.stride[dim] = s;
    s *= dim == "tp" ? l.tp : dim == "pp" ? l.pp : l.dp;
  }
  return p;
}

// GPUs a group's members span (first to last, inclusive of the stride).
long spanOf(const CommItem& item, const Layout& l, const Placement& pl) {
  if (item.group == "TP") return pl.stride.at("tp") * l.tp;
  if (item.group == "PP" || item.group == "EMB") return pl.stride.at("pp") * l.pp;
  if (item.group == "DP" || item.group == "EDP") return pl.stride.at("dp") * l.dp;
  if (item.group == "EP") return pl.stride.at("dp") * l.ep;
  return std::numeric_limits<long>::max();
}

}  // namespace

LevelChoice chooseLevel(LinkLevel needed, const std::set<LinkLevel>& have) {
  // Candidates in order of preference, each with what it means to price `needed` with it.
  struct Option {
    LinkLevel level;
    const char* meaning;  // empty: the same level
  };
  static const std::vector<Option> kInHost{
      {LinkLevel::kNode, ""},
      {LinkLevel::kSocket, "the widest in-host level measured"},
      {LinkLevel::kNuma, "the widest in-host level measured"},
      {LinkLevel::kUnrecorded, "a calibration that recorded no link level"},
      {LinkLevel::kNetwork, "a slower level than the group crosses"}};
  static const std::vector<Option> kNetwork{
      {LinkLevel::kNetwork, ""},
      {LinkLevel::kUnrecorded, "a calibration that recorded no link level"},
      {LinkLevel::kNode, "an in-host level, faster than the network the group crosses"},
      {LinkLevel::kSocket, "an in-host level, faster than the network the group crosses"},
      {LinkLevel::kNuma, "an in-host level, faster than the network the group crosses"}};
  const auto& order = needed == LinkLevel::kNetwork ? kNetwork : kInHost;
  if (have.count(needed)) return {needed, ""};
  for (const Option& o : order)
    if (have.count(o.level))
      return {o.level, *o.meaning ? fmt::format("priced with '{}' fits ({}): the calibration has "
                                                "no '{}' fits",
                                                name(o.level), o.meaning, name(needed))
                                  : ""};
  HOCKNEY_USAGE_CHECK(!have.empty(), "the calibration has no fits");
  const LinkLevel any = *have.begin();
  return {any, fmt::format("priced with '{}' fits: the calibration has no '{}' fits", name(any),
                           name(needed))};
}

namespace {

// The fit of `algorithm` for the item's pattern at `level`, in the item's type where there is
// one (as priceCall chooses), or null.
const CalibratedFit* ownFit(const CalibrationSet& cal, const CommItem& item,
                            const std::string& algorithm, LinkLevel level) {
  const CalibratedFit* any = nullptr;
  for (const CalibratedFit& f : cal.fits)
    if (!f.blackBox && f.pattern == item.pattern && f.algorithm == algorithm && f.level == level) {
      if (f.dtype == name(item.dtype)) return &f;
      if (any == nullptr) any = &f;
    }
  return any;
}

}  // namespace

PricedCall priceCall(const CommItem& item, LinkLevel level, const CalibrationSet& cal,
                     const std::string& policy, std::vector<std::string>& notes, int ranksPerNode) {
  HOCKNEY_USAGE_CHECK(policy == "best" || policy == "ring" || policy == "vendor",
                      "unknown --algo-policy '{}' (best, ring, vendor)", policy);
  std::set<LinkLevel> levels;
  for (const auto& f : cal.fits)
    if (f.pattern == item.pattern) levels.insert(f.level);
  HOCKNEY_USAGE_CHECK(!levels.empty(),
                      "no calibrated {} fit at any level ({} group); measure it (hockney "
                      "calibrate measures every pattern project needs, or hockney run --pattern "
                      "{} then hockney fit)",
                      item.pattern, item.group, item.pattern);
  const LevelChoice choice = chooseLevel(level, levels);
  const LinkLevel used = choice.level;
  const Pattern& entry = findPattern(item.pattern);
  const std::string reference(entry.facts.reference);
  std::string wanted;
  if (policy == "ring") wanted = reference;
  if (policy == "vendor") wanted = entry.facts.vendors.empty() ? reference : "vendor";
  PricedCall best;
  best.calibrationLevel = used;
  best.levelNote = choice.note;
  // Fits of the collective's own element type; others only when it has none (said in a note).
  // Patterns that only move bytes (no reduction) are priced by bytes, whatever the type.
  const std::string dtype(name(item.dtype));
  const bool reduces = entry.facts.reduces;
  bool haveType = !reduces;
  for (const CalibratedFit& fit : cal.fits)
    haveType = haveType || (fit.pattern == item.pattern && fit.level == used && fit.dtype == dtype);
  if (!haveType)
    notes.push_back(fmt::format("{} {} ({}): no {} fits, priced with another type's", item.group,
                                item.pattern, dtype, dtype));
  for (const CalibratedFit& fit : cal.fits) {
    if (fit.pattern != item.pattern || fit.level != used) continue;
    if (reduces && haveType && fit.dtype != dtype) continue;
    const std::string& algo = fit.algorithm;
    if (!wanted.empty() && algo != wanted) continue;
    const double es = static_cast<double>(elementSize(item.dtype));
    if (fit.blackBox) {
      if (fit.ranks != item.ranks) continue;
      double t = fit.predict(Cost{1, item.bytes, 0}, item.bytes);
      best.candidates.push_back(algo);
      if (t < best.seconds) {
        best.algorithm = algo;
        best.seconds = t;
        best.cost = nullptr;
        best.blackBox = true;
        best.measuredRanks = fit.measuredRanks;
        best.qualityWarnings = fit.qualityWarnings;
        best.largestMeasuredBytes = fit.largestMeasuredBytes();
      }
      continue;
    }
    if (algo == "double_binary_tree" && item.ranks > 64) {
      notes.push_back("double_binary_tree not priced above 64 ranks (its cost replays the plan)");
      continue;
    }
    const Algorithm* own = findAlgorithm(item.pattern, algo);
    if (!own || own->composes) continue;  // composed from its levels' fits below
    CallShape shape;  // the pattern's default options: uniform blocks, root 0, peers 0 and 1
    shape.ranks = item.ranks;
    shape.type = item.dtype;
    shape.count = static_cast<size_t>(item.bytes / es);
    const Cost c = own->cost(shape);
    double t = fit.predict(c, item.bytes);
    best.candidates.push_back(algo);
    if (t < best.seconds) {
      best.algorithm = algo;
      best.seconds = t;
      best.cost = json{{"alpha_count", c.alphaCount},
                       {"beta_bytes", c.betaBytes},
                       {"gamma_bytes", c.gammaBytes}};
      best.blackBox = false;
      best.measuredRanks = fit.measuredRanks;
      best.qualityWarnings = fit.qualityWarnings;
      best.largestMeasuredBytes = fit.largestMeasuredBytes();
    }
  }
  // Algorithms that compose levels (the hierarchical all-reduce), for a group of several nodes
  // with several ranks on each: the in-host phases priced with the in-host fit of the algorithm
  // it composes there (a ring's steps among the g ranks of a node), the exchange across nodes
  // with the network's fit of the other (Rabenseifner among the m nodes, on n/g bytes).
  const LevelChoice inHost = chooseLevel(LinkLevel::kNode, levels);
  const bool inHostMeasured = withinHost(inHost.level) && inHost.level != LinkLevel::kSelf;
  const bool severalNodes = level == LinkLevel::kNetwork && choice.note.empty() &&
                            ranksPerNode > 1 && item.ranks > ranksPerNode &&
                            item.ranks % ranksPerNode == 0 && inHostMeasured;
  for (const Algorithm& composed : entry.algorithms) {
    if (!composed.composes || !composed.levelCost || !severalNodes) continue;
    if (!wanted.empty() && wanted != composed.name) continue;
    const LevelFits& parts = *composed.composes;
    const CalibratedFit* nodeFit =
        ownFit(cal, item, std::string(parts.nodeAlgorithm), inHost.level);
    const CalibratedFit* netFit = ownFit(cal, item, std::string(parts.networkAlgorithm), used);
    if (!nodeFit || !netFit) continue;
    std::vector<int> placement;
    for (int r = 0; r < item.ranks; ++r) placement.push_back(r / ranksPerNode);
    CallShape shape;
    shape.ranks = item.ranks;
    shape.type = item.dtype;
    shape.count = static_cast<size_t>(item.bytes / static_cast<double>(elementSize(item.dtype)));
    shape.nodeOfRank = &placement;
    const LevelCost lc = composed.levelCost(shape);
    const double t = nodeFit->predict(lc.node, item.bytes) +
                     netFit->predict(lc.network, item.bytes / ranksPerNode);
    best.candidates.emplace_back(composed.name);
    if (t >= best.seconds) continue;
    best.algorithm = std::string(composed.name);
    best.seconds = t;
    const Cost total = lc.total();
    best.cost = json{{"alpha_count", total.alphaCount},
                     {"beta_bytes", total.betaBytes},
                     {"gamma_bytes", total.gammaBytes},
                     {"node",
                      {{"alpha_count", lc.node.alphaCount},
                       {"beta_bytes", lc.node.betaBytes},
                       {"gamma_bytes", lc.node.gammaBytes},
                       {"fit", fmt::format("{}/{} at '{}'", item.pattern, parts.nodeAlgorithm,
                                           name(inHost.level))}}},
                     {"network",
                      {{"alpha_count", lc.network.alphaCount},
                       {"beta_bytes", lc.network.betaBytes},
                       {"fit", fmt::format("{}/{} at '{}'", item.pattern, parts.networkAlgorithm,
                                           name(used))}}}};
    best.blackBox = false;
    best.measuredRanks = netFit->measuredRanks;
    best.qualityWarnings = nodeFit->qualityWarnings;
    for (const auto& w : netFit->qualityWarnings) best.qualityWarnings.push_back(w);
    best.largestMeasuredBytes = nodeFit->largestMeasuredBytes();
    notes.push_back(fmt::format(
        "{} {} priced hierarchically ({} ranks per node): {} fits at '{}' within nodes, {} fits "
        "at '{}' across them",
        item.group, item.pattern, ranksPerNode, parts.nodeAlgorithm, name(inHost.level),
        parts.networkAlgorithm, name(used)));
  }
  HOCKNEY_USAGE_CHECK(std::isfinite(best.seconds),
                      "no calibrated {} fit{} at level '{}' for {} ranks ({} group); measure it "
                      "(hockney calibrate measures every pattern project needs, or hockney run "
                      "--pattern {} then hockney fit)",
                      item.pattern, wanted.empty() ? "" : " for " + wanted, name(used), item.ranks,
                      item.group, item.pattern);
  return best;
}

json projectIteration(const ModelSpec& model, const Layout& layout, const TrainingOptions& o,
                      const CalibrationSet& cal, const std::string& policy) {
  HOCKNEY_USAGE_CHECK(policy == "best" || policy == "ring" || policy == "vendor",
                      "unknown --algo-policy '{}' (best, ring, vendor)", policy);
  IterationComm plan = iterationCommunication(model, layout, o);
  Placement pl = place(layout);
  std::set<LinkLevel> levels;
  for (const auto& f : cal.fits) levels.insert(f.level);
  std::vector<std::string> notes;
  if (auto warning = paramMismatch(model)) notes.push_back(*warning);

  json items = json::array();
  std::map<std::string, json> groups;
  double total = 0;
  for (const CommItem& item : plan.items) {
    const long span = spanOf(item, layout, pl);
    const LinkLevel level = span <= o.gpusPerNode ? LinkLevel::kNode : LinkLevel::kNetwork;
    // Ranks of the group on one node: consecutive members are `stride` GPUs apart.
    const long stride = item.ranks > 1 ? span / item.ranks : span;
    const int perNode = static_cast<int>(std::clamp<long>(
        stride >= o.gpusPerNode ? 1 : o.gpusPerNode / std::max(1L, stride), 1, item.ranks));
    PricedCall best = priceCall(item, level, cal, policy, notes, perNode);
    if (!best.levelNote.empty())
      notes.push_back(fmt::format("{} {}: {}", item.group, item.pattern, best.levelNote));
    const LinkLevel used = best.calibrationLevel;
    const std::vector<std::string>& considered = best.candidates;
    const double stepSeconds = best.seconds * item.count;
    total += stepSeconds;
    // Bytes this GPU puts on the wire per call: the algorithm's β bytes (black boxes: unknown).
    const json wire = best.cost.is_null()
                          ? json(nullptr)
                          : json(best.cost["beta_bytes"].get<double>() * item.count);
    const auto& fitRanks = best.measuredRanks;
    const bool extrapolated =
        !fitRanks.empty() && *std::max_element(fitRanks.begin(), fitRanks.end()) < item.ranks;
    for (const std::string& w : best.qualityWarnings)
      notes.push_back(fmt::format("{} {} priced with a flagged {} fit: {}", item.group,
                                  item.pattern, best.algorithm, w));
    if (best.largestMeasuredBytes > 0 && item.bytes > 2 * best.largestMeasuredBytes)
      notes.push_back(fmt::format(
          "{} {} of {:.3g} MB priced with a {} fit measured up to {:.3g} MB (its last regime "
          "extrapolated {:.0f}x; calibrate --max-bytes reaches further)",
          item.group, item.pattern, item.bytes / 1e6, best.algorithm,
          best.largestMeasuredBytes / 1e6, item.bytes / best.largestMeasuredBytes));
    if (extrapolated)
      notes.push_back(fmt::format(
          "{} {} on {} ranks priced with a {} fit measured at {} ranks at most (extrapolated "
          "through the algorithm's cost())",
          item.group, item.pattern, item.ranks, best.algorithm,
          *std::max_element(fitRanks.begin(), fitRanks.end())));
    items.push_back({{"group", item.group},
                     {"pattern", item.pattern},
                     {"purpose", item.purpose},
                     {"ranks", item.ranks},
                     {"bytes", item.bytes},
                     {"dtype", name(item.dtype)},
                     {"count", item.count},
                     {"level", name(level)},
                     {"calibration_level", name(used)},
                     {"level_note", best.levelNote},
                     {"ranks_per_node", perNode},
                     {"gpus_spanned", span},
                     {"algorithm", best.algorithm},
                     {"black_box", best.blackBox},
                     {"candidates", considered},
                     {"cost", best.cost},
                     {"time_per_call_us", best.seconds * 1e6},
                     {"time_per_step_ms", stepSeconds * 1e3},
                     {"bytes_per_gpu_per_step", item.bytes * item.count},
                     {"wire_bytes_per_gpu_per_step", wire},
                     {"fit_ranks", fitRanks},
                     {"extrapolated", extrapolated},
                     {"fit_quality_warnings", best.qualityWarnings}});
    json& g = groups[item.group];
    if (g.is_null())
      g = {{"collectives", 0.0}, {"bytes_per_gpu", 0.0},        {"wire_bytes_per_gpu", 0.0},
           {"time_ms", 0.0},     {"algorithms", json::array()}, {"level", name(level)}};
    g["collectives"] = g["collectives"].get<double>() + item.count;
    g["bytes_per_gpu"] = g["bytes_per_gpu"].get<double>() + item.bytes * item.count;
    if (!wire.is_null())
      g["wire_bytes_per_gpu"] = g["wire_bytes_per_gpu"].get<double>() + wire.get<double>();
    g["time_ms"] = g["time_ms"].get<double>() + stepSeconds * 1e3;
    g["algorithms"].push_back(best.algorithm);
  }
  std::string dominant;
  double worst = -1;
  for (auto& [name, g] : groups)
    if (g["time_ms"].get<double>() > worst) {
      worst = g["time_ms"].get<double>();
      dominant = name;
    }
  std::vector<std::string> assumptions = plan.assumptions;
  assumptions.push_back(fmt::format(
      "placement innermost first: {}; a group within {} GPUs is priced at level 'node', "
      "else 'network' (the slowest level it crosses)",
      fmt::format("{},{},{}", layout.order[0], layout.order[1], layout.order[2]), o.gpusPerNode));
  std::sort(notes.begin(), notes.end());
  notes.erase(std::unique(notes.begin(), notes.end()), notes.end());
  return json{{"schema_version", 1},
              {"kind", "step_cost"},
              {"created_at", utcNow()},
              {"model", toJson(model)},
              {"layout",
               {{"tp", layout.tp},
                {"pp", layout.pp},
                {"dp", layout.dp},
                {"ep", layout.ep},
                {"order", layout.order},
                {"gpus", layout.gpus()},
                {"gpus_per_node", o.gpusPerNode}}},
              {"options",
               {{"global_batch", plan.globalBatch},
                {"micro_batch", o.microBatch},
                {"micro_batches_per_pipeline", plan.microBatches},
                {"seq_len", plan.seqLen},
                {"zero", o.zero},
                {"sequence_parallel", o.sequenceParallel},
                {"recompute", o.recompute},
                {"dtype", name(o.dtype)},
                {"grad_dtype", name(o.gradDtype)},
                {"algo_policy", policy}}},
              {"items", items},
              {"groups", groups},
              {"total_ms", total * 1e3},
              {"dominant_group", dominant},
              {"assumptions", assumptions},
              {"notes", notes},
              {"calibration", cal.sources}};
}

}  // namespace hockney
