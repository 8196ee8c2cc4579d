#include "microbench/replay.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "collectives/core/error.h"
#include "collectives/transport/mpi.h"
#include "microbench/calibrate_report.h"
#include "microbench/cases.h"
#include "microbench/control.h"
#include "microbench/job.h"
#include "microbench/runner.h"
#include "microbench/sweep.h"
#include "microbench/watchdog.h"
#include "reports/results.h"

namespace hockney {

using nlohmann::json;

namespace {

// One collective of the step, as replayed: ranks shrunk to fit the job, and where it must be,
// its size (or a pipeline's micro-batches) shrunk to fit memory and --max-bytes; projected for
// the same shrunk call, so measured and projected always describe one call.
struct ReplayPlan {
  CommItem full;  // as the step has it
  CommItem item;  // as replayed
  BenchCase call;
  SweepConfig config;
  PricedCall priced;
  // Per-step figures of a shrunk item: its step's bytes over those replayed (1: not shrunk).
  double stepScale = 1;
  std::string shrunk;  // how, for the note; empty when not
};

struct ReplayItem {
  ReplayPlan plan;
  size_t bytes = 0;
  std::string check;
  // Per call; a pipeline's per message (its pass over 2·M messages). Measured: the median of
  // the rounds' medians (roundsUs, sorted).
  double measuredSeconds = 0, projectedSeconds = 0;
  std::vector<double> roundsUs;

  double projectedOverMeasured() const {
    return measuredSeconds > 0 ? projectedSeconds / measuredSeconds : 0.0;
  }
  double measuredMsPerStep() const {
    return measuredSeconds * plan.item.count * plan.stepScale * 1e3;
  }
  double projectedMsPerStep() const {
    return projectedSeconds * plan.item.count * plan.stepScale * 1e3;
  }
  json toJson() const {
    const CommItem& item = plan.item;
    json j{{"group", item.group},
           {"pattern", item.pattern},
           {"purpose", item.purpose},
           {"algorithm", plan.call.algorithm},
           {"projected_algorithm", plan.priced.algorithm},
           {"ranks_projected", plan.full.ranks},
           {"ranks_replayed", item.ranks},
           {"bytes", bytes},
           {"bytes_in_step", plan.full.bytes},
           {"count", item.count},
           {"check", check},
           {"measured_us", measuredSeconds * 1e6},
           {"measured_us_per_round", roundsUs},
           {"projected_us", projectedSeconds * 1e6},
           {"projected_over_measured", projectedOverMeasured()},
           {"measured_ms_per_step", measuredMsPerStep()},
           {"projected_ms_per_step", projectedMsPerStep()},
           {"shrunk", plan.shrunk.empty() ? json(nullptr) : json(plan.shrunk)}};
    if (item.pipelined()) {
      j["microbatches_in_step"] = plan.full.microbatches;
      j["microbatches_replayed"] = item.microbatches;
      j["timing"] =
          "1F1B pass between two stages, each micro-batch's activation its own buffer; per message "
          "= the pass over its 2·M messages";
    }
    return j;
  }
};

bool gradientBucket(const CommItem& item, const TrainingOptions& step) {
  return step.bucketBytes > 0 && item.dataParallel();
}

std::string gb(double bytes) {
  return fmt::format("{:.3g} GB", bytes / 1e9);
}

// Decides how `full` is replayed on `ranks` ranks within `limits` (every rank alike: the
// limits are rank 0's). Throws UsageError for a gradient bucket that cannot fit memory.
ReplayPlan planItem(const CommItem& full, int ranks, const TrainingOptions& step,
                    const CalibrationSet& cal, const ReplayOptions& o, const SweepConfig& limits,
                    std::vector<std::string>& notes) {
  ReplayPlan r;
  r.full = full;
  r.item = full;
  CommItem& item = r.item;
  const Pattern& pattern = findPattern(item.pattern);
  item.ranks = pattern.facts.pointToPoint || item.pipelined() ? 2 : std::min(full.ranks, ranks);
  r.config = limits;
  r.config.type = item.dtype;
  r.config.op = ReduceOp::kSum;
  r.config.targetSeconds = o.targetSeconds;
  r.config.batch = 1;  // isolated calls, as calibrate times them and a step issues them
  r.config.pattern.peerA = 0;
  r.config.pattern.peerB = 1;
  if (pattern.facts.calibrationOptions) pattern.facts.calibrationOptions(r.config.pattern);
  const size_t es = elementSize(item.dtype);
  auto wholeElements = [&](double bytes) {
    return static_cast<double>(static_cast<size_t>(bytes / static_cast<double>(es)) * es);
  };
  item.bytes = std::max(wholeElements(item.bytes), static_cast<double>(es));
  const double memory = static_cast<double>(limits.memoryPerRank);
  auto price = [&] {
    std::vector<std::string> ignored;  // the projection says these; replay's notes are its own
    // Replay runs on the first ranks of one host: in-host fits price it.
    r.priced = priceCall(item, LinkLevel::kNode, cal, o.policy, ignored);
    // What a pipeline does is measured whatever priced it (a ping-pong fit, without a pipeline
    // one): the 1F1B pass of its calibration.
    const std::string algorithm = pattern.facts.calibrated.empty()
                                      ? r.priced.algorithm
                                      : std::string(pattern.facts.calibrated);
    r.call = selectCases(item.pattern, {algorithm}).front();
    if (item.pipelined()) r.config.pattern.microbatches = item.microbatches;
    return static_cast<double>(
        largestPointNeed(r.call, static_cast<size_t>(item.bytes), item.ranks, r.config));
  };
  double need = 0;
  if (item.pipelined()) {
    // Micro-batches beyond a few add more of the same steady-state exchange: at most
    // kReplayMicrobatches, fewer where their buffers (2·M activations each way) exceed memory.
    const int most = std::min(full.microbatches, kReplayMicrobatches);
    for (int m = most;; m = std::max(1, m / 2)) {
      item.microbatches = m;
      need = price();
      if (memory == 0 || need <= memory || m == 1) break;
    }
    if (item.microbatches != full.microbatches)
      r.shrunk = fmt::format("{} of the step's {} micro-batches per pass ({})", item.microbatches,
                             full.microbatches, item.microbatches < most ? "memory" : "time");
  } else {
    need = price();
  }
  const double maxBytes = static_cast<double>(o.maxBytes);
  if (gradientBucket(full, step) && memory > 0 && need > memory)
    throw UsageError(fmt::format(
        "--bucket {:.0f} B: replaying a {} {} bucket of {} on {} ranks needs {} per rank "
        "(buffers and scratch of {}/{}); {} per rank is available on this host: choose a smaller "
        "--bucket",
        step.bucketBytes, full.group, full.pattern, gb(item.bytes), item.ranks, gb(need),
        full.pattern, r.call.algorithm, gb(memory)));
  if (!item.pipelined() && (item.bytes > maxBytes || (memory > 0 && need > memory))) {
    // Shrink to what fits, by the need's share of its bytes (buffers scale with the size).
    const double fit = memory > 0 ? item.bytes * memory / need * 0.9 : item.bytes;
    const double bytes =
        std::max(wholeElements(std::min({item.bytes, maxBytes, fit})), static_cast<double>(es));
    r.shrunk = fmt::format("{:.0f} of its {:.0f} B ({})", bytes, full.bytes,
                           item.bytes > maxBytes ? "over --max-bytes" : "memory");
    r.stepScale = full.bytes / bytes;
    item.bytes = bytes;
    price();
  }
  if (!r.shrunk.empty())
    notes.push_back(fmt::format(
        "{} {} replayed with {}; projected for the same call{}", full.group, full.pattern, r.shrunk,
        r.stepScale != 1 ? fmt::format(", per-step figures scaled by {:.3g} (bytes)", r.stepScale)
                         : ""));
  return r;
}

// The host's speed against the calibration's: calibrate's drift probe (MPI's float32 all-reduce
// of 1 MiB) measured again before and after the items, on as many ranks as it had. Noise a
// machine has between the calibration and the replay shows in every ratio; this says how much.
struct HostSpeed {
  double calibrationUs = 0;      // the median of the calibration's readings
  std::vector<double> replayUs;  // before, after
  double slowdown() const {      // replay over calibration, from the median of the two
    if (calibrationUs <= 0 || replayUs.empty()) return 0;
    return (replayUs.front() + replayUs.back()) / 2 / calibrationUs;
  }
};

void probeHost(MpiTransport& world, const CalibrationSet& cal, const SweepConfig& limits,
               double timeoutSeconds, HostSpeed& speed) {
  if (!cal.hostDrift || cal.hostDrift->ranks < 2 || cal.hostDrift->ranks > world.size()) return;
  std::vector<double> readings = cal.hostDrift->referenceUs;
  std::sort(readings.begin(), readings.end());
  speed.calibrationUs = readings[readings.size() / 2];
  SweepConfig config = limits;
  config.type = DataType::kFloat32;
  config.op = ReduceOp::kSum;
  config.targetSeconds = 0.05;
  config.batch = 1;  // as calibrate measures
  const BenchCase probe = selectCases("allreduce", {"vendor"}).front();
  ResultRow row;
  {
    std::unique_ptr<MpiTransport> sub =
        MpiTransport::firstRanks(MPI_COMM_WORLD, cal.hostDrift->ranks);
    if (sub) {
      Watchdog watchdog(std::chrono::duration<double>(timeoutSeconds), sub->progress(),
                        world.rank(), abortJobOnStall);
      row = measurePoint(*sub, probe, kReferenceBytes, config, &watchdog);
    }
  }
  world.barrier();
  speed.replayUs.push_back(row.timeUs.median);
}

}  // namespace

int runReplay(const ModelSpec& model, const Layout& layout, const TrainingOptions& step,
              const CalibrationSet& cal, const ReplayOptions& o) {
  MpiTransport world(MPI_COMM_WORLD);
  const int me = world.rank();
  const int ranks = o.scaleToRanks > 0 ? o.scaleToRanks : world.size();
  HOCKNEY_USAGE_CHECK(ranks >= 2 && ranks <= world.size(),
                      "--scale-to-ranks {} must be between 2 and the job's {} ranks", ranks,
                      world.size());
  const Topology topology = gatherTopology(world);
  SweepConfig limits;
  decideHostLimits(world, limits, topology);
  // Hot buffers kept from item to item, as calibrate keeps them from point to point.
  limits.pool = std::make_shared<BufferPool>();
  const IterationComm comm = iterationCommunication(model, layout, step);
  std::vector<std::string> notes;
  // Every item planned before any is measured, so a refusal comes before the job's time is spent.
  std::vector<ReplayPlan> plans;
  for (const CommItem& full : comm.items)
    plans.push_back(planItem(full, ranks, step, cal, o, limits, notes));
  std::vector<ReplayItem> items;
  std::map<std::string, std::pair<double, double>> groups;  // measured, projected ms per step
  int failures = 0;
  HostSpeed speed;
  probeHost(world, cal, limits, o.timeoutSeconds, speed);
  // Rounds over every item, the median of each item's rounds its figure: a host whose speed
  // changes from second to second (see BENCHMARKS.md) is sampled at several moments, as
  // calibrate pools its passes, rather than in one snapshot per item.
  std::vector<std::vector<ResultRow>> rounds(plans.size());
  for (int round = 0; round < o.rounds; ++round)
    for (size_t k = 0; k < plans.size(); ++k) {
      const ReplayPlan& plan = plans[k];
      ResultRow row;
      {
        std::unique_ptr<MpiTransport> sub =
            MpiTransport::firstRanks(MPI_COMM_WORLD, plan.item.ranks);
        if (sub) {
          Watchdog watchdog(std::chrono::duration<double>(o.timeoutSeconds), sub->progress(), me,
                            abortJobOnStall);
          row = measurePoint(*sub, plan.call, static_cast<size_t>(plan.item.bytes), plan.config,
                             &watchdog);
        }
      }
      world.barrier();
      rounds[k].push_back(std::move(row));
    }
  for (size_t k = 0; k < plans.size() && me == 0; ++k) {
    const ReplayPlan& plan = plans[k];
    std::vector<double> medians;
    std::string check = "pass";
    for (const ResultRow& row : rounds[k]) {
      medians.push_back(row.timeUs.median);
      if (row.check != "pass") check = row.check;
    }
    std::sort(medians.begin(), medians.end());
    const double messages = plan.item.pipelined() ? 2.0 * plan.item.microbatches : 1.0;
    if (check != "pass") ++failures;
    ReplayItem done{plan,
                    rounds[k].front().bytes,
                    check,
                    medians[medians.size() / 2] * 1e-6 / messages,
                    plan.priced.seconds,
                    {}};
    done.roundsUs = medians;
    for (double& us : done.roundsUs) us /= messages;
    auto& g = groups[plan.item.group];
    g.first += done.measuredMsPerStep();
    g.second += done.projectedMsPerStep();
    items.push_back(std::move(done));
  }
  probeHost(world, cal, limits, o.timeoutSeconds, speed);
  if (me == 0) {
    json byGroup = json::object();
    double totalM = 0, totalP = 0;
    fmt::print(
        "# replay of {} (tp={} pp={} dp={} ep={}) on {} ranks; groups shrunk to fit, sizes kept "
        "unless a note says otherwise; a pipeline's times are per message\n",
        model.name, layout.tp, layout.pp, layout.dp, layout.ep, ranks);
    fmt::print("# {:<5} {:<15} {:<19} {:>6} {:>12} {:>11} {:>11} {:>8}\n", "group", "collective",
               "algorithm", "ranks", "bytes", "measured", "projected", "proj/meas");
    json itemList = json::array();
    for (const ReplayItem& i : items) {
      const std::string algorithm = i.plan.call.algorithm == i.plan.priced.algorithm
                                        ? i.plan.call.algorithm
                                        : i.plan.call.algorithm + "/" + i.plan.priced.algorithm;
      fmt::print("  {:<5} {:<15} {:<19} {:>6} {:>12} {:>9.1f}us {:>9.1f}us {:>8.2f}\n",
                 i.plan.item.group, i.plan.item.pattern, algorithm, i.plan.item.ranks, i.bytes,
                 i.measuredSeconds * 1e6, i.projectedSeconds * 1e6, i.projectedOverMeasured());
      itemList.push_back(i.toJson());
    }
    for (const auto& [name, mp] : groups) {
      byGroup[name] = {{"measured_ms", mp.first},
                       {"projected_ms", mp.second},
                       {"relative_error", mp.first > 0 ? (mp.second - mp.first) / mp.first : 0.0}};
      totalM += mp.first;
      totalP += mp.second;
      fmt::print("# {:<4} measured {:.2f} ms/step, projected {:.2f} ms/step ({:+.0f}%)\n", name,
                 mp.first, mp.second, mp.first > 0 ? 100 * (mp.second - mp.first) / mp.first : 0.0);
    }
    for (const ReplayItem& i : items)
      if (i.plan.call.algorithm != i.plan.priced.algorithm)
        notes.push_back(fmt::format("{} {}: measured as {}, projected with the {} fit",
                                    i.plan.item.group, i.plan.item.pattern, i.plan.call.algorithm,
                                    i.plan.priced.algorithm));
    json host = nullptr;
    if (speed.slowdown() > 0) {
      host = {{"probe", "allreduce/vendor float32 1 MiB"},
              {"ranks", cal.hostDrift->ranks},
              {"calibration_us", speed.calibrationUs},
              {"replay_us", speed.replayUs},
              {"replay_over_calibration", speed.slowdown()}};
      fmt::print(
          "# host: calibrate's probe (allreduce/vendor float32 1 MiB on {} ranks) reads {:.1f} and "
          "{:.1f} us before and after the items, {:.1f} us (median) during the calibration: "
          "{:.2f}x\n",
          cal.hostDrift->ranks, speed.replayUs.front(), speed.replayUs.back(), speed.calibrationUs,
          speed.slowdown());
      if (speed.slowdown() > kDriftLimit || speed.slowdown() < 1 / kDriftLimit)
        notes.push_back(fmt::format(
            "the host runs {:.2f}x as fast as during the calibration (its drift probe): every "
            "projected/measured ratio carries that; replay on a quiet host, or calibrate again",
            1 / speed.slowdown()));
    }
    std::sort(notes.begin(), notes.end());
    notes.erase(std::unique(notes.begin(), notes.end()), notes.end());
    for (const auto& n : notes) fmt::print("# note: {}\n", n);
    json report{
        {"schema_version", 2},
        {"kind", "replay"},
        {"created_at", utcNow()},
        {"command_line", o.commandLine},
        {"model", model.name},
        {"layout", {{"tp", layout.tp}, {"pp", layout.pp}, {"dp", layout.dp}, {"ep", layout.ep}}},
        {"bucket_bytes", step.bucketBytes},
        {"rounds", o.rounds},
        {"ranks", ranks},
        {"mpi", {{"library_version", mpiLibraryVersion()}}},
        {"items", itemList},
        {"groups", byGroup},
        {"total", {{"measured_ms", totalM}, {"projected_ms", totalP}}},
        {"notes", notes},
        {"host_speed", host},
        {"assumptions", comm.assumptions},
        {"calibration", cal.sources}};
    if (!o.out.empty()) {
      writeFileAtomically(o.out, reportText(report));
      fmt::print("# written to {}\n", o.out);
    }
  }
  int64_t code = failures > 0 ? kExitCheckFailed : kExitOk;
  broadcastFromZero(world, &code, sizeof code);
  return static_cast<int>(code);
}

}  // namespace hockney
