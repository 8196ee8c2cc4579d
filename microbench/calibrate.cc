#include "microbench/calibrate.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "collectives/core/error.h"
#include "collectives/transport/mpi.h"
#include "microbench/allocator.h"
#include "microbench/calibrate_budget.h"
#include "microbench/calibrate_pass.h"
#include "microbench/calibrate_report.h"
#include "microbench/calibrate_setup.h"
#include "microbench/cases.h"
#include "microbench/control.h"
#include "microbench/interrupt.h"
#include "microbench/job.h"
#include "microbench/runner.h"
#include "microbench/sizes.h"
#include "microbench/table.h"
#include "microbench/validation.h"
#include "microbench/watchdog.h"
#include "model/calibration.h"
#include "model/sampling.h"
#include "reports/json_io.h"

namespace hockney {
namespace {

using nlohmann::json;

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Seconds kept back from the budget for fitting and writing the reports.
double reserveFor(double budget) {
  return std::min(0.05 * budget, 5.0);
}

// What rank 0 tells every rank before each measurement.
enum Decision : int64_t { kMeasure = 0, kHave = 1, kStop = 2 };

}  // namespace

int runCalibrateJob(const CalibrateJob& job) {
  validateCalibrateJob(job);
  const auto start = std::chrono::steady_clock::now();
  MpiTransport transport(MPI_COMM_WORLD, FaultInjection{});
  const int rank = transport.rank();
  const int ranks = transport.size();
  const std::string startedAt = utcNow();
  const std::string resultsFile = resultsPath(job);
  const Checkpoint checkpoint(checkpointPathFor(resultsFile));

  SweepConfig sweep;
  sweep.type = job.types.front();
  sweep.buffers = job.buffers;
  sweep.targetSeconds = job.targetSeconds;
  sweep.warmup = 1;
  sweep.batch = job.batch;
  sweep.pool = std::make_shared<BufferPool>();
  const auto topology = std::make_shared<const Topology>(gatherTopology(transport));
  std::vector<int> everyRank(static_cast<size_t>(ranks));
  for (int r = 0; r < ranks; ++r) everyRank[static_cast<size_t>(r)] = r;
  placeSweep(sweep, topology, everyRank, "world");
  decideHostLimits(transport, sweep, *topology);

  // Where it measures (the world; on several hosts with several ranks each, also every host's
  // ranks and one rank per host) and what: the patterns and algorithms that can run there.
  std::vector<CalibrationPlace> places = calibrationPlaces(sweep, topology, rank);
  for (CalibrationPlace& place : places)
    if (place.scope != PlaceScope::kWorld)
      place.group = MpiTransport::split(MPI_COMM_WORLD, place.color, rank);
  std::vector<std::string> notes;
  std::string problem;
  std::vector<CalibrationTarget> plans;
  try {
    plans = calibrationTargets(job, places, *topology, notes);
  } catch (const UsageError& e) {
    problem = e.what();
  }
  std::sort(notes.begin(), notes.end());
  notes.erase(std::unique(notes.begin(), notes.end()), notes.end());

  // --backend nccl: every group over NCCL, one GPU per rank; control traffic stays on MPI. Plans
  // fail alike on every rank, so all ranks open it or none does.
  for (CalibrationPlace& place : places) {
    if (!problem.empty()) break;
    Transport* group = place.scope == PlaceScope::kWorld ? &transport : place.group.get();
    place.device =
        openBackend(findBackend(job.backend), group, place.members, rank, *topology, problem);
  }
  problem = firstProblem(transport, problem);

  // The checkpoint, on rank 0's file system.
  const json identity{{"command", "calibrate"},         {"ranks", ranks},
                      {"dtypes", typeNames(job.types)}, {"op", name(sweep.op)},
                      {"buffers", job.buffers},         {"patterns", job.patterns},
                      {"backend", job.backend}};
  std::vector<ResultRow> visits;  // rank 0: every measurement, resumed and fresh
  if (rank == 0 && problem.empty()) {
    try {
      visits = openCalibrationCheckpoint(job, checkpoint, identity, ranks, notes);
      setInterruptLine(checkpointInterruptLine(checkpoint.path()));
    } catch (const std::exception& e) {
      problem = e.what();
    }
  }
  if (stopOnProblem(transport, problem)) return kExitUsage;
  auto measuredOn = [&](CalibrationPlace& place) -> Transport& {
    if (place.device) return *place.device;
    return place.group ? static_cast<Transport&>(*place.group) : transport;
  };

  const json devices = applyDeviceLimits(transport, places.front().device.get(), sweep, *topology);
  for (CalibrationPlace& place : places) {
    place.sweep.memoryPerRank = sweep.memoryPerRank;
    place.sweep.memoryWhere = sweep.memoryWhere;
    place.sweep.rotateBytes = sweep.rotateBytes;
  }
  Watchdog watchdog(std::chrono::duration<double>(job.timeoutSeconds),
                    measuredOn(places.front()).progress(), rank, abortJobOnStall);

  std::map<std::string, int> have;  // rank 0: visits per key measured
  for (const auto& r : visits) ++have[r.key()];
  long minIterations = sweep.minIterations;  // lowered by the budget on a slow fabric
  auto configOf = [&](const CalibrationTarget& plan) {
    return targetSweep(places, plan, minIterations);
  };
  auto probeOf = [&](const CalibrationTarget& plan, const BenchCase& c, size_t bytes) {
    return targetProbe(places, plan, c, bytes, job.backend);
  };
  // Rank 0's estimate of a point's cost on the clock, from the series' measured calls.
  auto estimate = [&](const CalibrationTarget& plan, const BenchCase& c, size_t bytes) {
    const SeriesCost sc = targetSeriesCost(job, places, plan, c, visits);
    return pointSeconds(estimateCallSeconds(sc.measured, static_cast<double>(bytes), 1e-3),
                        minIterations, job.targetSeconds);
  };

  ProgressLine progress(rank == 0 && isatty(STDERR_FILENO));
  if (rank == 0) {
    fmt::print(
        "# hockney calibrate: {} ranks, {}, {} buffers, {} .. {}, budget {:.0f} s; patterns {}\n",
        ranks, fmt::join(typeNames(job.types), " "), job.buffers, formatBytes(job.minBytes),
        formatBytes(job.maxBytes), job.budgetSeconds, fmt::join(job.patterns, " "));
    if (places.size() > 1)
      fmt::print(
          "# levels: {} hosts x {} ranks; every pattern on each host's ranks (node), on one "
          "rank per host (network), and across all (a check of the two composed)\n",
          topology->hosts.size(), places[1].ranks);
    fmt::print("# malloc: {}\n", allocatorSettings().summary());
    for (const auto& n : notes) fmt::print("# note: {}\n", n);
    std::fflush(stdout);
  }

  const double deadline = job.budgetSeconds - reserveFor(job.budgetSeconds);
  // The drift probe: MPI's all-reduce of float32 at 1 MiB (memory-bound, ~0.1-0.5 ms a call), on
  // every rank of the world.
  const std::optional<DriftProbe> drift = driftProbe(plans);
  std::vector<double> references, referenceFaults;
  bool budgetSpent = false;
  std::vector<std::string> unmeasured;
  json passes = json::array();
  json budgetPlan;
  double scoutSeconds = 0, scoutEstimate = 0;  // the scouting points: clock and call estimate
  double overhead = 1, coarseDeadline = 0;     // rank 0: the coarse pass's plan
  constexpr int kMaxPasses = 24;
  for (int pass = 0; pass < kMaxPasses && !budgetSpent; ++pass) {
    // Rank 0 plans the pass, every rank learns it (calibrate_pass.h).
    PassPlan plan0;
    // Scouting (two cheap sizes of everything: what points cost), the coarse grids (every fit
    // its kCoarseSizes sizes within half of what is left), the world checks (their few sizes,
    // after the fits' own, so that they never starve them), a factor of 4, then adaptive.
    const std::string kind = pass == 0   ? "scout"
                             : pass == 1 ? "coarse"
                             : pass == 2 ? "world checks"
                             : pass == 3 ? "coarse x4"
                                         : "adaptive";
    if (rank == 0) {
      const std::vector<ResultRow> rows = mergeVisits(visits);
      if (pass == 1) {
        // Budget by cost: every target's coarse grid must fit half of what is left, the rest
        // refines (calibrate_budget.h). What a point costs beyond its calls (agreeing on it,
        // validation, the harness), as the scouting pass showed it: its clock against the
        // estimate of its calls.
        overhead = scoutEstimate > 0 ? std::clamp(scoutSeconds / scoutEstimate, 1.0, 10.0) : 1.0;
        const double share = 0.5 * (deadline - secondsSince(start));
        coarseDeadline = secondsSince(start) + share;
        const CoarseDecision d =
            planCoarse(job, places, plans, visits, share, overhead, minIterations);
        budgetPlan = d.record;
        if (!d.note.empty()) {
          notes.push_back(d.note);
          progress.clear();
          fmt::print("# note: {}\n", d.note);
        }
        // Rank 0 plans this pass's sizes with them now; the others apply them from the text.
        plan0.minIterations = minIterations;
        for (size_t pi = 0; pi < plans.size(); ++pi)
          plan0.ceilings.emplace_back(pi, plans[pi].ceiling);
      }
      std::vector<PlannedPoint>& planned = plan0.points;
      for (size_t pi = 0; pi < plans.size(); ++pi) {
        CalibrationTarget& plan = plans[pi];
        // Checks: their few sizes in their own pass, never refined.
        if (pass > 0 && plan.checkOnly != (pass == 2)) continue;
        std::set<size_t> sizes;
        auto add = [&](double s) {
          if (plan.ceiling < std::max(plan.unit, job.minBytes)) return;  // nothing fits
          size_t bytes =
              static_cast<size_t>(std::llround(s / static_cast<double>(plan.unit))) * plan.unit;
          bytes = std::clamp(bytes, std::max(plan.unit, job.minBytes), plan.ceiling);
          if (bytes < job.minBytes || bytes > plan.ceiling) return;
          for (const BenchCase& c : plan.cases)
            if (c.effectiveBytes(bytes, places[plan.place].ranks, plan.type,
                                 configOf(plan).pattern) > 0 &&
                !have.count(probeOf(plan, c, bytes).key())) {
              sizes.insert(bytes);
              return;
            }
        };
        const PassWants wants = passWants(pass, job, places, plan, rows, have);
        for (const auto& [ci, requested] : wants.revisits)
          planned.push_back({pi, requested, static_cast<long>(ci)});
        for (double size : wants.sizes) {
          if (pass > 3 && sizes.size() >= 8) break;
          add(size);
        }
        for (size_t s : sizes) planned.push_back({pi, s, -1});
      }
      std::stable_sort(planned.begin(), planned.end(),
                       [](const PlannedPoint& a, const PlannedPoint& b) {
                         return std::tie(a.target, a.bytes) < std::tie(b.target, b.bytes);
                       });
    }
    const PassPlan agreed = PassPlan::fromText(agree(transport, plan0.text()));
    if (agreed.minIterations) minIterations = *agreed.minIterations;
    for (const auto& [target, ceiling] : agreed.ceilings)
      if (target < plans.size()) plans[target].ceiling = std::min(plans[target].ceiling, ceiling);
    const std::vector<PlannedPoint>& planned = agreed.points;
    if (planned.empty()) {
      if (rank == 0 && pass >= 4)
        fmt::print("# the fits need no more sizes (pass {}): done before the budget\n",
                   passes.size() + 1);
      if (pass >= 4) break;
      continue;
    }
    // In the order calibrate_pass.h says (this VM's speed drifts: 262144 B ring all-reduce
    // read 196 us and 75 us in two jobs minutes apart, each within 3% over its own repeats).
    const std::vector<PassWork> work = passOrder(pass, planned, plans);
    const double passStart = secondsSince(start);
    // The host's speed now: one fixed probe per pass. Fits pool points of every pass, so a host
    // whose speed drifts between passes cannot be fitted closely; the probes show whether it did.
    double referenceUs = 0;
    if (drift && places[drift->place].member()) {
      CalibrationTarget where;
      where.place = drift->place;
      const ResultRow probe = measurePoint(measuredOn(places[drift->place]), drift->call,
                                           kReferenceBytes, configOf(where), &watchdog);
      referenceUs = probe.timeUs.median;
      references.push_back(referenceUs);
      referenceFaults.push_back(probe.minorFaultsPerCall.value_or(0));
    }
    size_t measuredThisPass = 0;
    size_t coarseReached = 0;  // rank 0: the largest size the coarse pass has started
    for (size_t w = 0; w < work.size() && !budgetSpent; ++w) {
      CalibrationTarget& plan = plans[work[w].target];
      CalibrationPlace& place = places[plan.place];
      const size_t bytes = work[w].bytes;
      const BenchCase& c = plan.cases[work[w].caseIndex];
      const bool revisit = std::any_of(planned.begin(), planned.end(), [&](const PlannedPoint& p) {
        return p.target == work[w].target && p.bytes == bytes &&
               p.onlyCase == static_cast<long>(work[w].caseIndex);
      });
      int64_t decision[2] = {kMeasure, minIterations};
      if (rank == 0) {
        if (pass == 1 && bytes > coarseReached) {
          if (coarseReached > 0)
            if (auto note =
                    replanCoarse(job, places, plans, visits, coarseDeadline - secondsSince(start),
                                 overhead, minIterations, bytes)) {
              notes.push_back(*note);
              progress.clear();
              fmt::print("# note: {}\n", *note);
            }
          coarseReached = bytes;
          decision[1] = minIterations;
        }
        const ResultRow probe = probeOf(plan, c, bytes);
        if (probe.bytes == 0 || bytes > plan.ceiling || (!revisit && have.count(probe.key())))
          decision[0] = kHave;
        else if (secondsSince(start) + estimate(plan, c, bytes) > deadline)
          decision[0] = kStop;
      }
      broadcastFromZero(transport, decision, sizeof decision);
      minIterations = decision[1];
      if (decision[0] == kHave) continue;
      if (decision[0] == kStop) {
        budgetSpent = true;
        if (rank == 0)
          for (size_t k = w; k < work.size(); ++k)
            unmeasured.push_back(
                fmt::format("{} {} {}", plans[work[k].target].label(),
                            plans[work[k].target].cases[work[k].caseIndex].algorithm,
                            formatBytes(work[k].bytes)));
        break;
      }
      if (rank == 0)
        progress.show(fmt::format("[pass {} {}] {}/{} {}  {:.0f}/{:.0f} s", passes.size() + 1, kind,
                                  plan.label(), c.algorithm, formatBytes(bytes),
                                  secondsSince(start), job.budgetSeconds));
      const double pointStart = secondsSince(start);
      ResultRow row;
      std::string refused;
      if (place.member()) {
        try {
          row = measurePoint(measuredOn(place), c, bytes, configOf(plan), &watchdog);
        } catch (const UsageError& e) {
          refused = e.what();  // its memory: refused on every rank of the group alike
        }
      }
      // Every host's group measured at once: a failure on another host counts.
      if (place.scope == PlaceScope::kNode) {
        double failed = row.check == "fail" ? 1.0 : 0.0;
        maxOverRanks(transport, {&failed, 1});
        if (failed > 0 && row.check == "pass") {
          row.check = "fail";
          row.checkDetail = "the group of another host failed validation";
        }
      }
      if (rank != 0) continue;
      if (!refused.empty()) {
        plan.ceiling = bytes - 1;  // no larger size of this target either
        progress.clear();
        const std::string note =
            fmt::format("{}: stopped below {}: {}", plan.label(), formatBytes(bytes), refused);
        fmt::print("# note: {}\n", note);
        notes.push_back(note);
        continue;
      }
      ++measuredThisPass;
      if (pass == 0) {
        scoutSeconds += secondsSince(start) - pointStart;
        scoutEstimate += pointSeconds(callSeconds(row, c), minIterations, job.targetSeconds);
      }
      ++have[row.key()];
      checkpoint.append(row);
      if (row.check == "fail") {
        progress.clear();
        fmt::print("# FAILED validation: {}/{} at {} B: {}\n", row.pattern, row.algorithm,
                   row.bytes, row.checkDetail);
      }
      visits.push_back(std::move(row));
    }
    if (rank == 0) {
      progress.clear();
      const double took = secondsSince(start) - passStart;
      fmt::print("# pass {} ({}): {} points in {:.1f} s{}\n", passes.size() + 1, kind,
                 measuredThisPass, took, budgetSpent ? " (budget spent)" : "");
      std::fflush(stdout);
      json record{
          {"pass", passes.size() + 1},
          {"kind", kind},
          {"planned_sizes", planned.size()},
          {"points", measuredThisPass},
          {"seconds", took},
          {"reference_us", referenceUs},
          {"reference_faults_per_call", referenceFaults.empty() ? 0.0 : referenceFaults.back()}};
      if (pass == 1) record["budget"] = budgetPlan;
      passes.push_back(record);
    }
  }

  int exitCode = kExitOk;
  if (rank == 0) {
    CalibrationOutcome outcome;
    outcome.visits = std::move(visits);
    outcome.notes = std::move(notes);
    outcome.unmeasured = std::move(unmeasured);
    outcome.algorithms = targetAlgorithms(plans, job.types.front());
    outcome.budgetSpent = budgetSpent;
    outcome.passes = std::move(passes);
    outcome.references = std::move(references);
    if (drift) outcome.referenceRanks = places[drift->place].ranks;
    outcome.referenceFaults = std::move(referenceFaults);
    outcome.sweep = sweep;
    outcome.provenance = finishedProvenance(startedAt, job.commandLine, *topology);
    outcome.provenance.devices = devices;
    exitCode =
        writeCalibration(job, std::move(outcome), checkpoint, [&] { return secondsSince(start); });
    setInterruptLine(fmt::format(" (exit {}) after writing {}\n",
                                 static_cast<int>(kExitInterrupted), job.outDir));
  }
  int64_t code = exitCode;
  broadcastFromZero(transport, &code, sizeof code);
  return static_cast<int>(code);
}

}  // namespace hockney
