#include "microbench/calibrate_setup.h"
#include "microbench/job.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "collectives/core/error.h"
#include "microbench/calibrate_report.h"
#include "microbench/runner.h"
#include "microbench/sizes.h"
#include "microbench/validation.h"
#include "reports/json_io.h"
#include "topology/host.h"

namespace hockney {

using nlohmann::json;

std::vector<std::string> calibrationAlgorithms(const std::string& pattern) {
  // Point-to-point is priced with its reference (pingpong: one-way time); the others with every
  // algorithm.
  const Pattern& p = findPattern(pattern);
  if (!p.facts.calibrated.empty()) return {std::string(p.facts.calibrated)};
  if (p.facts.pointToPoint) return {std::string(p.facts.reference)};
  return {"all"};
}

void validateCalibrateJob(const CalibrateJob& job) {
  HOCKNEY_USAGE_CHECK(job.budgetSeconds > 0 && std::isfinite(job.budgetSeconds),
                      "--budget must be a positive number of seconds, not {}", job.budgetSeconds);
  HOCKNEY_USAGE_CHECK(job.minBytes > 0, "--min-bytes must be at least one element");
  HOCKNEY_USAGE_CHECK(job.maxBytes >= job.minBytes, "--max-bytes {} is below --min-bytes {}",
                      job.maxBytes, job.minBytes);
  const size_t memory = hostMemoryBytes();
  HOCKNEY_USAGE_CHECK(memory == 0 || job.maxBytes <= memory,
                      "--max-bytes {} is larger than this host's memory ({} bytes)", job.maxBytes,
                      memory);
  HOCKNEY_USAGE_CHECK(!job.types.empty(), "no element types to calibrate");
  for (DataType t : job.types) checkWholeElements({job.minBytes, job.maxBytes}, t);
  HOCKNEY_USAGE_CHECK(job.buffers == "hot" || job.buffers == "cold",
                      "--buffers must be hot or cold, not '{}'", job.buffers);
  HOCKNEY_USAGE_CHECK(job.timeoutSeconds > 0, "--timeout must be > 0 seconds");
  HOCKNEY_USAGE_CHECK(job.targetSeconds > 0, "--target-time must be > 0 seconds");
  HOCKNEY_USAGE_CHECK(job.batch >= 0 && job.batch <= kMaxIterations,
                      "--batch must be 0 (automatic) .. {}, not {}", kMaxIterations, job.batch);
  findBackend(job.backend);
  HOCKNEY_USAGE_CHECK(!job.patterns.empty(), "no patterns to calibrate");
  for (const auto& p : job.patterns)
    selectCases(p, calibrationAlgorithms(p), job.backend);  // names known
  namespace fs = std::filesystem;
  HOCKNEY_USAGE_CHECK(!fs::exists(job.outDir) || fs::is_directory(job.outDir),
                      "--out {} is a file; calibrate writes a directory (results.json and "
                      "calibration.json in it)",
                      job.outDir);
}

std::string CalibrationTarget::label() const {
  std::string out = fmt::format(
      "{} {} {}", pattern, name(type),
      level == LinkLevel::kUnrecorded ? std::string("world") : std::string(name(level)));
  if (findPattern(pattern).facts.pointToPoint) out += fmt::format(" {}-{}", peerA, peerB);
  if (checkOnly) out += " (world check)";
  return out;
}

std::vector<CalibrationPlace> calibrationPlaces(const SweepConfig& sweep,
                                                const std::shared_ptr<const Topology>& topology,
                                                int rank) {
  const Topology& topo = *topology;
  const int hosts = static_cast<int>(topo.hosts.size());
  const int size = topo.size();
  std::vector<CalibrationPlace> places;
  CalibrationPlace all;
  all.ranks = size;
  for (int r = 0; r < size; ++r) all.members.push_back(r);
  all.sweep = sweep;
  placeSweep(all.sweep, topology, all.members, "world");
  places.push_back(std::move(all));
  if (hosts < 2 || topo.mostRanksPerHost() < 2) return places;  // the world is one level
  std::vector<int> perHost(static_cast<size_t>(hosts));
  for (const RankRecord& r : topo.ranks) ++perHost[static_cast<size_t>(r.host)];
  const bool even =
      std::all_of(perHost.begin(), perHost.end(), [&](int n) { return n == perHost[0]; });
  const int myHost = topo.ranks[static_cast<size_t>(rank)].host;
  if (even) {
    CalibrationPlace node;
    node.scope = PlaceScope::kNode;
    node.ranks = perHost[0];
    for (int r = 0; r < size; ++r)
      if (topo.ranks[static_cast<size_t>(r)].host == myHost) node.members.push_back(r);
    node.color = myHost;
    node.sweep = sweep;
    placeSweep(node.sweep, topology, node.members, "node");
    places.push_back(std::move(node));
  }
  std::vector<int> leaders(static_cast<size_t>(hosts), -1);
  for (int r = 0; r < size; ++r)
    if (leaders[static_cast<size_t>(topo.ranks[static_cast<size_t>(r)].host)] < 0)
      leaders[static_cast<size_t>(topo.ranks[static_cast<size_t>(r)].host)] = r;
  std::sort(leaders.begin(), leaders.end());
  const bool leader = std::find(leaders.begin(), leaders.end(), rank) != leaders.end();
  CalibrationPlace net;
  net.scope = PlaceScope::kLeaders;
  net.ranks = hosts;
  if (leader) net.members = leaders;
  net.color = leader ? 0 : -1;
  net.sweep = sweep;
  // Every rank plans with the leaders' placement (targets must agree everywhere); only they run.
  placeSweep(net.sweep, topology, leaders, "leaders");
  places.push_back(std::move(net));
  return places;
}

std::vector<CalibrationTarget> calibrationTargets(const CalibrateJob& job,
                                                  const std::vector<CalibrationPlace>& places,
                                                  const Topology& topology,
                                                  std::vector<std::string>& notes) {
  std::vector<CalibrationTarget> plans;
  const bool levels = places.size() > 1;  // several hosts with several ranks on some
  const int world = places.front().ranks;
  // Point-to-point pairs (world ranks): within rank 0's host, and between hosts — up to three
  // pairs of different hosts, so that one slow link does not stand for the fabric.
  std::vector<std::pair<int, int>> pairs;
  {
    const int hosts = static_cast<int>(topology.hosts.size());
    std::vector<std::vector<int>> onHost(static_cast<size_t>(std::max(hosts, 1)));
    for (int r = 0; r < static_cast<int>(topology.ranks.size()); ++r)
      onHost[static_cast<size_t>(topology.ranks[static_cast<size_t>(r)].host)].push_back(r);
    if (hosts < 2) {
      if (world >= 2) pairs.emplace_back(0, 1);
    } else {
      if (onHost[0].size() >= 2) pairs.emplace_back(onHost[0][0], onHost[0][1]);
      for (int h = 0; h + 1 < hosts && h < 3; ++h)
        pairs.emplace_back(onHost[static_cast<size_t>(h)][0],
                           onHost[static_cast<size_t>(h) + 1][0]);
      if (hosts == 2 && onHost[0].size() >= 2 && onHost[1].size() >= 2)
        pairs.emplace_back(onHost[0][1], onHost[1][1]);
    }
  }
  for (const auto& pattern : job.patterns) {
    const Pattern& entry = findPattern(pattern);
    for (DataType type : job.types) {
      // Moving bytes: one type will do.
      if (!entry.facts.reduces && type != job.types.front()) continue;
      std::vector<std::pair<size_t, std::pair<int, int>>> where;  // place, pair
      if (entry.facts.pointToPoint) {
        if (world < 2) {
          notes.push_back(fmt::format("{} skipped: point-to-point needs 2 ranks", pattern));
          continue;
        }
        for (const auto& pr : pairs) where.push_back({0, pr});
      } else {
        for (size_t i = 0; i < places.size(); ++i) where.push_back({i, {0, 1}});
      }
      for (const auto& [pi, pr] : where) {
        const CalibrationPlace& place = places[pi];
        CalibrationTarget plan;
        plan.pattern = pattern;
        plan.type = type;
        plan.place = pi;
        plan.peerA = pr.first;
        plan.peerB = pr.second;
        plan.checkOnly = levels && place.scope == PlaceScope::kWorld && !entry.facts.pointToPoint;
        // The check composes both types alike: the first will do.
        if (plan.checkOnly && type != job.types.front()) continue;
        SweepConfig sweep = place.sweep;
        sweep.pattern.peerA = plan.peerA;
        sweep.pattern.peerB = plan.peerB;
        if (entry.facts.calibrationOptions) entry.facts.calibrationOptions(sweep.pattern);
        try {
          checkPatternOptions(pattern, sweep.pattern, place.ranks);
        } catch (const UsageError& e) {
          // The options a pattern is calibrated with (a pipeline's two stages) may not fit.
          notes.push_back(
              fmt::format("{} skipped on {} ranks: {}", pattern, place.ranks, e.what()));
          continue;
        }
        std::vector<BenchCase> cases =
            selectCases(pattern, calibrationAlgorithms(pattern), job.backend);
        plan.cases = runnableCases(std::move(cases), sweep.pattern, place.ranks, &sweep.nodeOfRank,
                                   false, notes);
        // A vendor collective is a black box: nothing to compose, nothing to check. Nor is an
        // algorithm whose messages all stay within hosts on this placement (a pipeline's stage
        // pairs on consecutive ranks): its world rows are in-host rows, no check of the two
        // levels composed. Priced with a network round of 1 s and nothing else, it costs 0.
        if (plan.checkOnly)
          std::erase_if(plan.cases, [&](const BenchCase& c) {
            if (c.vendor()) return true;
            CallShape shape;
            shape.ranks = place.ranks;
            shape.type = type;
            shape.count = entry.unitBytes(place.ranks, type) / elementSize(type) * 64;
            shape.params = &sweep.pattern;
            const bool crosses =
                pricedOnPlacement(*c.own, shape, sweep.nodeOfRank,
                                  LevelPrices{LevelPrice{}, LevelPrice{1, 0, 0}, false}) > 0;
            if (!crosses)
              notes.push_back(
                  fmt::format("{}/{}: no world check, its messages stay within each "
                              "host on this placement",
                              pattern, c.algorithm));
            return !crosses;
          });
        if (plan.cases.empty()) continue;
        plan.level = widestLevel(sweep, plan.cases.front());
        plan.unit = entry.unitBytes(place.ranks, type);
        plan.ceiling = job.maxBytes;
        plans.push_back(std::move(plan));
      }
    }
  }
  HOCKNEY_USAGE_CHECK(!plans.empty(), "no pattern can be calibrated on {} ranks", world);
  for (DataType t : job.types) checkValidationRanks(world, t, "");
  return plans;
}

std::vector<std::string> targetAlgorithms(const std::vector<CalibrationTarget>& targets,
                                          DataType type) {
  std::set<std::string> seen;
  std::vector<std::string> out;
  for (const CalibrationTarget& t : targets)
    for (const BenchCase& c : t.cases)
      if (t.type == type && seen.insert(c.pattern + "/" + c.algorithm).second)
        out.push_back(c.pattern + "/" + c.algorithm);
  return out;
}

std::vector<ResultRow> openCalibrationCheckpoint(const CalibrateJob& job,
                                                 const Checkpoint& checkpoint, const json& identity,
                                                 int ranks, std::vector<std::string>& notes) {
  const std::string resultsFile = resultsPath(job);
  std::vector<ResultRow> visits;
  std::filesystem::create_directories(job.outDir);
  if (checkpoint.exists() && !checkpoint.hasRows()) checkpoint.remove();
  if (checkpoint.exists() && !job.resume)
    throw UsageError(fmt::format(
        "{} holds points of an unfinished calibration; pass --resume to continue it, or "
        "remove it",
        checkpoint.path()));
  const bool finished = std::filesystem::exists(resultsFile);
  if (finished && !checkpoint.exists() && !job.resume)
    throw UsageError(fmt::format(
        "{} holds a finished calibration; pass --resume to refine it (its points are kept "
        "and the new budget spent where the fits need it), or choose another --out",
        job.outDir));
  if (job.resume && finished && !checkpoint.exists()) {
    // Refining a finished calibration: its rows seed the checkpoint, checked like one.
    const json report = readJsonFile(resultsFile, "results report");
    const json config = interpretJson(resultsFile, [&] { return report.at("config"); });
    for (const char* field : {"dtypes", "buffers"})
      HOCKNEY_USAGE_CHECK(config.value(field, json()) == identity[field],
                          "--resume: {} was measured with {} {}, this job asks for {}", resultsFile,
                          field, config.value(field, json()).dump(), identity[field].dump());
    HOCKNEY_USAGE_CHECK(report.value("ranks", 0) == ranks,
                        "--resume: {} was measured on {} ranks, this job has {}", resultsFile,
                        report.value("ranks", 0), ranks);
    visits = interpretJson(resultsFile,
                           [&] { return report.at("results").get<std::vector<ResultRow>>(); });
    checkpoint.create(identity);
    for (const ResultRow& r : visits) checkpoint.append(r);
    notes.push_back(fmt::format("--resume: refining {} ({} points)", resultsFile, visits.size()));
  } else if (job.resume && checkpoint.exists()) {
    visits = checkpoint.load(identity, notes);
    notes.push_back(fmt::format("--resume: {} points from {}", visits.size(), checkpoint.path()));
  } else if (job.resume) {
    notes.push_back("--resume: no checkpoint found, started afresh");
  }
  if (!checkpoint.exists()) checkpoint.create(identity);
  return visits;
}

}  // namespace hockney
