#include "microbench/calibrate_budget.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

#include "microbench/sizes.h"

namespace hockney {

using nlohmann::json;

std::vector<double> checkSizes(double hi) {
  std::vector<double> out;
  for (double s : {65536.0, 1048576.0, 2097152.0})
    if (s <= hi) out.push_back(s);
  if (out.empty() || out.back() < hi) out.push_back(std::min(hi, 2097152.0));
  return out;
}

SweepConfig targetSweep(const std::vector<CalibrationPlace>& places, const CalibrationTarget& plan,
                        long minIterations) {
  SweepConfig c = places[plan.place].sweep;
  c.type = plan.type;
  c.pattern.peerA = plan.peerA;
  c.pattern.peerB = plan.peerB;
  if (!plan.pattern.empty())
    if (const auto options = findPattern(plan.pattern).facts.calibrationOptions) options(c.pattern);
  c.minIterations = minIterations;
  return c;
}

ResultRow targetProbe(const std::vector<CalibrationPlace>& places, const CalibrationTarget& plan,
                      const BenchCase& c, size_t requested, const std::string& backend) {
  const CalibrationPlace& place = places[plan.place];
  const SweepConfig s = targetSweep(places, plan, 0);
  ResultRow probe;
  probe.pattern = c.pattern;
  probe.algorithm = c.algorithm;
  probe.backend = backend;
  probe.ranks = place.ranks;
  probe.bytes = c.effectiveBytes(requested, place.ranks, s.type, s.pattern);
  probe.dtype = std::string(name(s.type));
  probe.op = std::string(name(s.op));
  probe.buffers = s.buffers;
  probe.scope = s.scope;
  if (c.own != nullptr && c.own->betweenPeers) probe.details["peers"] = {plan.peerA, plan.peerB};
  return probe;
}

bool rowOfTarget(const ResultRow& r, const std::vector<CalibrationPlace>& places,
                 const CalibrationTarget& plan, const BenchCase& c) {
  const CalibrationPlace& place = places[plan.place];
  if (r.pattern != plan.pattern || r.algorithm != c.algorithm || r.dtype != name(plan.type) ||
      r.scope != place.sweep.scope || r.ranks != place.ranks)
    return false;
  return !(c.own != nullptr && c.own->betweenPeers) ||
         r.details.value("peers", json()) == json{plan.peerA, plan.peerB};
}

double callSeconds(const ResultRow& r, const BenchCase& c) {
  const double scale = c.own != nullptr ? c.own->timeScale : 1.0;
  return r.timeUs.median * 1e-6 / scale;
}

SeriesCost targetSeriesCost(const CalibrateJob& job, const std::vector<CalibrationPlace>& places,
                            const CalibrationTarget& plan, const BenchCase& c,
                            const std::vector<ResultRow>& visits) {
  SeriesCost sc;
  sc.lo = static_cast<double>(std::max(job.minBytes, plan.unit));
  if (findPattern(plan.pattern).facts.pointToPoint)
    sc.floor = std::min(static_cast<double>(job.maxBytes), kPointToPointFloor);
  for (const ResultRow& r : visits)
    if (rowOfTarget(r, places, plan, c)) {
      sc.measured.emplace_back(static_cast<double>(r.bytes), callSeconds(r, c));
      sc.have.push_back(static_cast<double>(r.bytes));
    }
  return sc;
}

namespace {

// Every target's cases but the checks' (their few sizes are not lowered), grouped by target.
std::vector<SeriesCost> coarseSeries(const CalibrateJob& job,
                                     const std::vector<CalibrationPlace>& places,
                                     const std::vector<CalibrationTarget>& plans,
                                     const std::vector<ResultRow>& visits) {
  std::vector<SeriesCost> series;
  for (size_t pi = 0; pi < plans.size(); ++pi)
    for (const BenchCase& c : plans[pi].cases)
      if (!plans[pi].checkOnly) {
        series.push_back(targetSeriesCost(job, places, plans[pi], c, visits));
        series.back().group = pi;
      }
  return series;
}

// Each kind of target's ceilings ("network 4 MiB-16 MiB"), for the note.
std::vector<std::string> ceilingsByKind(const std::vector<CalibrationTarget>& plans) {
  std::map<std::string, std::pair<size_t, size_t>> byKind;  // kind -> (lowest, highest)
  for (const CalibrationTarget& t : plans) {
    if (t.checkOnly) continue;
    const std::string kind = fmt::format(
        "{}{}", name(t.level), findPattern(t.pattern).facts.pointToPoint ? " pingpong" : "");
    auto [slot, fresh] = byKind.try_emplace(kind, t.ceiling, t.ceiling);
    slot->second = {std::min(slot->second.first, t.ceiling),
                    std::max(slot->second.second, t.ceiling)};
  }
  std::vector<std::string> out;
  for (const auto& [kind, range] : byKind)
    out.push_back(
        range.first == range.second
            ? fmt::format("{} {}", kind, formatBytes(range.first))
            : fmt::format("{} {}-{}", kind, formatBytes(range.first), formatBytes(range.second)));
  return out;
}

}  // namespace

CoarseDecision planCoarse(const CalibrateJob& job, const std::vector<CalibrationPlace>& places,
                          std::vector<CalibrationTarget>& plans,
                          const std::vector<ResultRow>& visits, double seconds, double overhead,
                          long& minIterations) {
  const std::vector<SeriesCost> series = coarseSeries(job, places, plans, visits);
  const double hi = static_cast<double>(job.maxBytes);
  CoarseDecision d;
  const CoarseBudget& b = d.budget =
      budgetCoarse(series, hi, seconds / overhead, minIterations, job.targetSeconds);
  json ceilings = json::object();
  for (size_t pi = 0; pi < plans.size(); ++pi)
    if (!plans[pi].checkOnly) {
      plans[pi].ceiling = std::min(plans[pi].ceiling, static_cast<size_t>(b.ceilings[pi]));
      ceilings[plans[pi].label()] = plans[pi].ceiling;
    }
  d.record = {{"ceilings_bytes", ceilings},
              {"scout_overhead", overhead},
              {"min_iterations", b.minIterations},
              {"coarse_estimate_s", overhead * b.estimateSeconds},
              {"seconds_for_coarse", seconds},
              {"lowered_ceiling", b.loweredCeiling},
              {"lowered_repetitions", b.loweredRepetitions}};
  if (b.lowered())
    d.note = fmt::format(
        "the budget is short for this fabric: every coarse grid to {} at {} repetitions would "
        "take ~{:.0f} s of the {:.0f} s it may have (estimated from the scouting points); "
        "measuring {}{}{} instead (~{:.0f} s), so that every fit gets {} sizes",
        formatBytes(job.maxBytes), minIterations,
        overhead *
            budgetCoarse(series, hi, 1e300, minIterations, job.targetSeconds).estimateSeconds,
        seconds,
        b.loweredRepetitions ? fmt::format("{} timed calls per point", b.minIterations) : "",
        b.loweredCeiling && b.loweredRepetitions ? ", and " : "",
        b.loweredCeiling
            ? fmt::format("up to (--max-bytes lowered) {}", fmt::join(ceilingsByKind(plans), ", "))
            : "",
        overhead * b.estimateSeconds, kCoarseSizes);
  minIterations = b.minIterations;
  return d;
}

std::optional<std::string> replanCoarse(const CalibrateJob& job,
                                        const std::vector<CalibrationPlace>& places,
                                        std::vector<CalibrationTarget>& plans,
                                        const std::vector<ResultRow>& visits, double seconds,
                                        double overhead, long& minIterations, size_t reached) {
  std::vector<double> from;
  for (const CalibrationTarget& t : plans) from.push_back(static_cast<double>(t.ceiling));
  const CoarseBudget b =
      budgetCoarse(coarseSeries(job, places, plans, visits), static_cast<double>(job.maxBytes),
                   std::max(seconds, 0.0) / overhead, minIterations, job.targetSeconds, from);
  std::vector<std::string> lowered;
  for (size_t pi = 0; pi < plans.size(); ++pi)
    if (!plans[pi].checkOnly && static_cast<size_t>(b.ceilings[pi]) < plans[pi].ceiling) {
      plans[pi].ceiling = static_cast<size_t>(b.ceilings[pi]);
      lowered.push_back(fmt::format("{} to {}", plans[pi].label(), formatBytes(plans[pi].ceiling)));
    }
  if (lowered.empty() && b.minIterations == minIterations) return std::nullopt;
  minIterations = b.minIterations;
  return fmt::format(
      "the coarse pass re-planned at {} from the sizes measured so far (~{:.0f} s left for it): "
      "{} timed calls per point at least{}{}",
      formatBytes(reached), std::max(seconds, 0.0), minIterations,
      lowered.empty() ? "" : "; lowered ", fmt::join(lowered, ", "));
}

PassWants passWants(int pass, const CalibrateJob& job, const std::vector<CalibrationPlace>& places,
                    const CalibrationTarget& plan, const std::vector<ResultRow>& rows,
                    const std::map<std::string, int>& have) {
  PassWants w;
  const double lo = static_cast<double>(std::max(job.minBytes, plan.unit));
  const double hi = static_cast<double>(plan.ceiling);
  if (pass == 0) {
    w.sizes = {lo, std::min(hi, 65536.0)};
  } else if (pass == 1) {
    w.sizes = coarseSizes(lo, hi);
  } else if (pass == 2) {
    w.sizes = checkSizes(hi);
  } else if (pass == 3) {
    w.sizes = geometricGrid(lo, hi, 4);
    // Point-to-point: a factor of 2 among large messages, where a fabric's bandwidth is read
    // (cheap: two ranks).
    if (findPattern(plan.pattern).facts.pointToPoint && hi > 1 << 20)
      for (double s : geometricGrid(1 << 20, hi, 2)) w.sizes.push_back(s);
  } else {
    // Every algorithm's fit proposes sizes; the target measures their union.
    std::set<double> proposals;
    for (size_t ci = 0; ci < plan.cases.size(); ++ci) {
      std::vector<const ResultRow*> series;
      for (const ResultRow& r : rows)
        if (rowOfTarget(r, places, plan, plan.cases[ci])) series.push_back(&r);
      const SeriesNext next = nextForSeries(series, 4);
      proposals.insert(next.sizes.begin(), next.sizes.end());
      for (const ResultRow* r : next.outliers) {
        // Its requested size: the row's own (block patterns report what they measured).
        const size_t requested = r->details.value("requested_bytes", r->bytes);
        const auto seen = have.find(r->key());
        for (int v = seen == have.end() ? 0 : seen->second; v < kVisits; ++v)
          w.revisits.emplace_back(ci, requested);
      }
    }
    w.sizes.assign(proposals.begin(), proposals.end());
  }
  return w;
}

std::optional<DriftProbe> driftProbe(const std::vector<CalibrationTarget>& plans) {
  for (int round = 0; round < 2; ++round)
    for (const CalibrationTarget& plan : plans)
      for (const BenchCase& c : plan.cases)
        if ((round == 1 || plan.place == 0) && c.entry == &allreducePattern() && c.vendor() &&
            plan.type == DataType::kFloat32)
          return DriftProbe{plan.place, c};
  return std::nullopt;
}

}  // namespace hockney
