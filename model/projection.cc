#include "model/projection.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "collectives/core/error.h"
#include "collectives/registry.h"
#include "model/calibration.h"
#include "model/fabrics.h"
#include "reports/json_io.h"
#include "reports/results.h"

namespace hockney {

using nlohmann::json;

CalibrationSet loadCalibrations(const std::vector<std::string>& paths) {
  HOCKNEY_USAGE_CHECK(!paths.empty(), "no --calibration given");
  CalibrationSet set;
  for (const auto& path : paths) {
    const Calibration c = Calibration::fromJson(readCalibrationJson(path, "calibration"), path);
    set.fits.insert(set.fits.end(), c.fits.begin(), c.fits.end());
    if (!set.hostDrift && c.hostDrift && !c.hostDrift->referenceUs.empty())
      set.hostDrift = c.hostDrift;
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

// A vendor price as the call's: its time, and the fit's ranks, flags and reach.
void takeVendorPrice(PricedCall& call, const VendorPrice& price) {
  call.seconds = price.seconds;
  call.cost.reset();
  call.blackBox = true;
  call.measuredRanks = price.fit->measuredRanks;
  call.qualityWarnings = price.fit->qualityWarnings;
  call.largestMeasuredBytes = price.fit->largestMeasuredBytes();
  call.scalingNote = price.note;
}

}  // namespace

PricedCall priceCall(const CommItem& item, LinkLevel level, const CalibrationSet& cal,
                     const std::string& policy, std::vector<std::string>& notes, int ranksPerNode) {
  HOCKNEY_USAGE_CHECK(policy == "best" || policy == "ring" || policy == "vendor",
                      "unknown --algo-policy '{}' (best, ring, vendor)", policy);
  std::set<LinkLevel> levels;
  for (const auto& f : cal.fits)
    if (f.pattern == item.pattern) levels.insert(f.level);
  if (levels.empty() && item.pipelined()) {
    // A calibration without pipeline fits (older ones, imported logs): each message as a
    // one-way ping-pong, the way a pipeline does not send (hot buffers, one direction at a time).
    CommItem oneWay = item;
    oneWay.pattern = "sendrecv";
    oneWay.microbatches = 0;
    bool pointToPoint = false;  // else priced from a collective's bus bandwidth (said then)
    for (const CalibratedFit& f : cal.fits)
      pointToPoint = pointToPoint || findPattern(f.pattern).facts.pointToPoint;
    notes.push_back(
        fmt::format("{} priced as {:.0f} one-way {} messages: the calibration has no pipeline fit "
                    "(hockney calibrate measures 1F1B passes between two stages)",
                    item.group, item.count, pointToPoint ? "ping-pong" : "point-to-point"));
    return priceCall(oneWay, level, cal, policy, notes, ranksPerNode);
  }
  if (levels.empty() && findPattern(item.pattern).facts.pointToPoint && policy != "ring") {
    // Only collectives' logs (nccl-tests all_reduce_perf): a message from the bus bandwidth of
    // the level's vendor collective. Not under --algo-policy ring, which asks for the pattern's
    // own reference algorithm: that fails below, naming what to measure.
    std::set<LinkLevel> vendorLevels;
    for (const CalibratedFit& f : cal.fits)
      if (f.blackBox && !f.inPlace) vendorLevels.insert(f.level);
    if (!vendorLevels.empty()) {
      const LevelChoice choice = chooseLevel(level, vendorLevels);
      const CalibratedFit* source = nullptr;
      for (const CalibratedFit& f : cal.fits) {
        if (!f.blackBox || f.inPlace || f.level != choice.level) continue;
        if (f.scaling.empty() && f.ranks < 2) continue;  // one rank moves nothing
        // The fit of the most ranks (the most that shared its bus), then the most sizes.
        const bool better = !source || f.ranks > source->ranks ||
                            (f.ranks == source->ranks && f.sizes.size() > source->sizes.size());
        if (better) source = &f;
      }
      if (source) {
        PricedCall call;
        call.calibrationLevel = choice.level;
        call.levelNote = choice.note;
        // Named for what priced it: no send was measured.
        call.algorithm = fmt::format("{}-busbw", source->pattern);
        call.candidates = {call.algorithm};
        takeVendorPrice(call, priceSendFromBus(item, *source));
        return call;
      }
    }
  }
  const std::string_view halfOf = findPattern(item.pattern).facts.halfOf;
  if (levels.empty() && !halfOf.empty()) {
    // Only all-reduce logs (nccl-tests all_reduce_perf): a ring all-reduce is this pattern and
    // its mirror on the same vector, so this call is priced as half of one.
    bool haveWhole = false;
    for (const CalibratedFit& f : cal.fits) haveWhole = haveWhole || f.pattern == halfOf;
    if (haveWhole) {
      CommItem whole = item;
      whole.pattern = std::string(halfOf);
      PricedCall call = priceCall(whole, level, cal, policy, notes, ranksPerNode);
      call.seconds /= 2;
      if (call.cost) {
        auto halve = [](Cost& c) { c = Cost{c.alphaCount / 2, c.betaBytes / 2, c.gammaBytes / 2}; };
        halve(call.cost->total);
        if (call.cost->node) halve(call.cost->node->cost);
        if (call.cost->network) halve(call.cost->network->cost);
      }
      call.algorithm = fmt::format("{}-half", halfOf);
      call.candidates = {call.algorithm};
      notes.push_back(fmt::format(
          "{} {} priced as half the {} of the same vector (a ring {} is a reduce-scatter then an "
          "all-gather): the calibration has no {} fit",
          item.group, item.pattern, halfOf, halfOf, item.pattern));
      return call;
    }
  }
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
  std::set<std::string> outOfPlaceVendor;  // backends with out-of-place vendor fits here
  for (const CalibratedFit& fit : cal.fits)
    if (fit.blackBox && !fit.inPlace && fit.pattern == item.pattern && fit.level == used)
      outOfPlaceVendor.insert(fit.backend);
  std::map<std::string, std::vector<const CalibratedFit*>> vendorFits;  // by backend
  for (const CalibratedFit& fit : cal.fits) {
    if (fit.pattern != item.pattern || fit.level != used) continue;
    if (reduces && haveType && fit.dtype != dtype) continue;
    const std::string& algo = fit.algorithm;
    if (!wanted.empty() && algo != wanted) continue;
    const double es = static_cast<double>(elementSize(item.dtype));
    if (fit.blackBox) {
      // In-place fits only where the calibration has no out-of-place one (nccl-tests' first
      // column, what frameworks call).
      if (fit.inPlace && outOfPlaceVendor.count(fit.backend)) continue;
      vendorFits[fit.backend].push_back(&fit);
      continue;
    }
    const Algorithm* own = findAlgorithm(item.pattern, algo);
    if (!own || own->composes) continue;  // composed from its levels' fits below
    if (own->costRankLimit > 0 && item.ranks > own->costRankLimit) {
      notes.push_back(fmt::format("{} not priced above {} ranks (its cost replays the schedule)",
                                  algo, own->costRankLimit));
      continue;
    }
    // The pattern's default options (uniform blocks, root 0, peers 0 and 1); a pipeline's are the
    // item's stages and micro-batches, and its message the pass over its 2·M messages.
    PatternParams params;
    params.stages = item.ranks;
    params.microbatches = std::max(item.microbatches, 1);
    CallShape shape;
    shape.ranks = item.ranks;
    shape.type = item.dtype;
    shape.count = static_cast<size_t>(item.bytes / es);
    shape.params = &params;
    const double messages = item.pipelined() ? 2.0 * item.microbatches : 1.0;
    const Cost pass = own->cost(shape);
    const Cost c{pass.alphaCount / messages, pass.betaBytes / messages, pass.gammaBytes / messages};
    double t = fit.predict(pass, item.bytes) / messages;
    best.candidates.push_back(algo);
    if (t < best.seconds) {
      best.algorithm = algo;
      best.seconds = t;
      best.cost = PricedCost{c, std::nullopt, std::nullopt};
      best.blackBox = false;
      best.scalingNote.clear();
      best.measuredRanks = fit.measuredRanks;
      best.qualityWarnings = fit.qualityWarnings;
      best.largestMeasuredBytes = fit.largestMeasuredBytes();
    }
  }
  for (const auto& [backend, fits] : vendorFits) {
    const auto price = priceVendor(item, ranksPerNode, fits, cal.vendorScaling);
    if (!price) continue;
    best.candidates.emplace_back("vendor");
    if (price->seconds >= best.seconds) continue;
    best.algorithm = "vendor";
    takeVendorPrice(best, *price);
    if (price->fit->inPlace)
      notes.push_back(
          fmt::format("{} {} priced with an in-place vendor fit: the calibration has "
                      "no out-of-place one",
                      item.group, item.pattern));
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
    best.scalingNote.clear();
    best.cost =
        PricedCost{lc.total(),
                   PricedCost::Phase{lc.node, fmt::format("{}/{} at '{}'", item.pattern,
                                                          parts.nodeAlgorithm, name(inHost.level))},
                   PricedCost::Phase{lc.network, fmt::format("{}/{} at '{}'", item.pattern,
                                                             parts.networkAlgorithm, name(used))}};
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

StepCost projectIteration(const ModelSpec& model, const Layout& layout, const TrainingOptions& o,
                          const CalibrationSet& cal, const std::string& policy) {
  HOCKNEY_USAGE_CHECK(policy == "best" || policy == "ring" || policy == "vendor",
                      "unknown --algo-policy '{}' (best, ring, vendor)", policy);
  IterationComm plan = iterationCommunication(model, layout, o);
  Placement pl = place(layout);
  StepCost step;
  step.createdAt = utcNow();
  step.model = model;
  step.layout = layout;
  step.options = o;
  step.globalBatch = plan.globalBatch;
  step.microBatchesPerPipeline = plan.microBatches;
  step.seqLen = plan.seqLen;
  step.policy = policy;
  step.calibration = cal.sources;
  std::vector<std::string>& notes = step.notes;
  if (auto warning = paramMismatch(model)) notes.push_back(*warning);

  double total = 0;
  for (const CommItem& item : plan.items) {
    PricedItem priced;
    priced.item = item;
    priced.gpusSpanned = spanOf(item, layout, pl);
    priced.level = priced.gpusSpanned <= o.gpusPerNode ? LinkLevel::kNode : LinkLevel::kNetwork;
    // Ranks of the group on one node: consecutive members are `stride` GPUs apart.
    const long stride = item.ranks > 1 ? priced.gpusSpanned / item.ranks : priced.gpusSpanned;
    priced.ranksPerNode = static_cast<int>(std::clamp<long>(
        stride >= o.gpusPerNode ? 1 : o.gpusPerNode / std::max(1L, stride), 1, item.ranks));
    priced.call = priceCall(item, priced.level, cal, policy, notes, priced.ranksPerNode);
    const PricedCall& best = priced.call;
    if (!best.levelNote.empty())
      notes.push_back(fmt::format("{} {}: {}", item.group, item.pattern, best.levelNote));
    const double stepSeconds = priced.stepSeconds();
    total += stepSeconds;
    const auto& fitRanks = best.measuredRanks;
    priced.extrapolated =
        !fitRanks.empty() && *std::max_element(fitRanks.begin(), fitRanks.end()) < item.ranks;
    if (!best.scalingNote.empty())
      notes.push_back(fmt::format("{} {} on {} ranks: {}", item.group, item.pattern, item.ranks,
                                  best.scalingNote));
    for (const std::string& w : best.qualityWarnings)
      notes.push_back(fmt::format("{} {} priced with a flagged {} fit: {}", item.group,
                                  item.pattern, best.algorithm, w));
    if (best.largestMeasuredBytes > 0 && item.bytes > 2 * best.largestMeasuredBytes)
      notes.push_back(fmt::format(
          "{} {} of {:.3g} MB priced with a {} fit measured up to {:.3g} MB (its last regime "
          "extrapolated {:.0f}x; calibrate --max-bytes reaches further)",
          item.group, item.pattern, item.bytes / 1e6, best.algorithm,
          best.largestMeasuredBytes / 1e6, item.bytes / best.largestMeasuredBytes));
    if (priced.extrapolated && !best.blackBox)
      notes.push_back(fmt::format(
          "{} {} on {} ranks priced with a {} fit measured at {} ranks at most (extrapolated "
          "through the algorithm's cost())",
          item.group, item.pattern, item.ranks, best.algorithm,
          *std::max_element(fitRanks.begin(), fitRanks.end())));
    auto [slot, fresh] = step.groups.try_emplace(item.group);
    GroupCost& g = slot->second;
    if (fresh) g.level = priced.level;
    g.collectives += item.count;
    g.bytesPerGpu += item.stepBytes();
    if (const auto wire = priced.wireBytesPerStep()) g.wireBytesPerGpu += *wire;
    g.timeMs += stepSeconds * 1e3;
    g.algorithms.push_back(best.algorithm);
    if (std::find(g.pricedWith.begin(), g.pricedWith.end(), priced.call.calibrationLevel) ==
        g.pricedWith.end())
      g.pricedWith.push_back(priced.call.calibrationLevel);
    step.items.push_back(std::move(priced));
  }
  double worst = -1;
  for (const auto& [name, g] : step.groups)
    if (g.timeMs > worst) {
      worst = g.timeMs;
      step.dominantGroup = name;
    }
  step.totalMs = total * 1e3;
  step.assumptions = plan.assumptions;
  step.assumptions.push_back(fmt::format(
      "placement innermost first: {}; a group within {} GPUs is priced at level 'node', "
      "else 'network' (the slowest level it crosses)",
      fmt::format("{},{},{}", layout.order[0], layout.order[1], layout.order[2]), o.gpusPerNode));
  bool scaled = false;
  for (const PricedItem& i : step.items) scaled = scaled || !i.call.scalingNote.empty();
  if (scaled)
    step.assumptions.push_back(fmt::format(
        "--vendor-scaling {}: a vendor fit prices other rank counts in nccl-tests' bus-bandwidth "
        "convention, t = alpha * g(p) + bytes * factor(p) / busbw",
        name(cal.vendorScaling)));
  std::sort(notes.begin(), notes.end());
  notes.erase(std::unique(notes.begin(), notes.end()), notes.end());
  return step;
}

}  // namespace hockney
