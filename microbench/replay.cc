#include "microbench/replay.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "collectives/core/error.h"
#include "collectives/transport/mpi.h"
#include "microbench/cases.h"
#include "microbench/control.h"
#include "microbench/runner.h"
#include "microbench/sweep.h"
#include "microbench/watchdog.h"
#include "reports/results.h"

namespace hockney {

using nlohmann::json;

namespace {

// One collective of the step, run on real ranks beside its projection.
struct ReplayItem {
  CommItem item;  // as replayed: ranks shrunk to fit the job
  int ranksProjected = 0;
  std::string algorithm;
  size_t bytes = 0;
  std::string check;
  double measuredSeconds = 0, projectedSeconds = 0;

  double projectedOverMeasured() const {
    return measuredSeconds > 0 ? projectedSeconds / measuredSeconds : 0.0;
  }
  json toJson() const {
    return {{"group", item.group},
            {"pattern", item.pattern},
            {"algorithm", algorithm},
            {"ranks_projected", ranksProjected},
            {"ranks_replayed", item.ranks},
            {"bytes", bytes},
            {"count", item.count},
            {"check", check},
            {"measured_us", measuredSeconds * 1e6},
            {"projected_us", projectedSeconds * 1e6},
            {"projected_over_measured", projectedOverMeasured()},
            {"measured_ms_per_step", measuredSeconds * item.count * 1e3},
            {"projected_ms_per_step", projectedSeconds * item.count * 1e3}};
  }
};

}  // namespace

int runReplay(const ModelSpec& model, const Layout& layout, const TrainingOptions& step,
              const CalibrationSet& cal, const ReplayOptions& o) {
  MpiTransport world(MPI_COMM_WORLD);
  const int me = world.rank();
  const int ranks = o.scaleToRanks > 0 ? o.scaleToRanks : world.size();
  HOCKNEY_USAGE_CHECK(ranks >= 2 && ranks <= world.size(),
                      "--scale-to-ranks {} must be between 2 and the job's {} ranks", ranks,
                      world.size());
  IterationComm plan = iterationCommunication(model, layout, step);
  std::vector<ReplayItem> items;
  std::map<std::string, std::pair<double, double>> groups;  // measured, projected ms per step
  std::vector<std::string> notes;
  int failures = 0;
  for (const CommItem& full : plan.items) {
    CommItem item = full;
    item.ranks = findPattern(item.pattern).facts.pointToPoint ? 2 : std::min(full.ranks, ranks);
    if (item.bytes > static_cast<double>(o.maxBytes)) {
      notes.push_back(fmt::format("{} {} of {:.0f} B not replayed (over --max-bytes {})",
                                  item.group, item.pattern, item.bytes, o.maxBytes));
      continue;
    }
    // Projected for the shrunk group, with the algorithm the projection would choose for it.
    // Replay runs on the first ranks of one host: in-host fits price it.
    PricedCall priced = priceCall(item, LinkLevel::kNode, cal, o.policy, notes);
    std::vector<BenchCase> cases = selectCases(item.pattern, {priced.algorithm});
    SweepConfig config;
    config.type = item.dtype;
    config.op = ReduceOp::kSum;
    config.targetSeconds = o.targetSeconds;
    config.pattern.peerA = 0;
    config.pattern.peerB = 1;
    const size_t es = elementSize(item.dtype);
    const size_t bytes = static_cast<size_t>(item.bytes / static_cast<double>(es)) * es;
    config.sizes = {bytes};
    ResultRow row;
    {
      std::unique_ptr<MpiTransport> sub = MpiTransport::firstRanks(MPI_COMM_WORLD, item.ranks);
      if (sub) {
        Watchdog watchdog(std::chrono::duration<double>(o.timeoutSeconds), sub->progress(), me,
                          abortJobOnStall);
        row = measurePoint(*sub, cases[0], bytes, config, &watchdog);
      }
    }
    world.barrier();
    if (me != 0) continue;
    const double measured = row.timeUs.median * 1e-6;
    if (row.check != "pass") ++failures;
    auto& g = groups[item.group];
    g.first += measured * item.count * 1e3;
    g.second += priced.seconds * item.count * 1e3;
    items.push_back(
        {item, full.ranks, priced.algorithm, row.bytes, row.check, measured, priced.seconds});
  }
  if (me == 0) {
    json byGroup = json::object();
    double totalM = 0, totalP = 0;
    fmt::print(
        "# replay of {} (tp={} pp={} dp={} ep={}) on {} ranks; groups shrunk to fit, sizes kept\n",
        model.name, layout.tp, layout.pp, layout.dp, layout.ep, ranks);
    fmt::print("# {:<5} {:<15} {:<19} {:>6} {:>12} {:>11} {:>11} {:>8}\n", "group", "collective",
               "algorithm", "ranks", "bytes", "measured", "projected", "proj/meas");
    json itemList = json::array();
    for (const ReplayItem& i : items) {
      fmt::print("  {:<5} {:<15} {:<19} {:>6} {:>12} {:>9.1f}us {:>9.1f}us {:>8.2f}\n",
                 i.item.group, i.item.pattern, i.algorithm, i.item.ranks, i.bytes,
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
    for (const auto& n : notes) fmt::print("# note: {}\n", n);
    json report{
        {"schema_version", 1},
        {"kind", "replay"},
        {"created_at", utcNow()},
        {"command_line", o.commandLine},
        {"model", model.name},
        {"layout", {{"tp", layout.tp}, {"pp", layout.pp}, {"dp", layout.dp}, {"ep", layout.ep}}},
        {"ranks", ranks},
        {"mpi", {{"library_version", mpiLibraryVersion()}}},
        {"items", itemList},
        {"groups", byGroup},
        {"total", {{"measured_ms", totalM}, {"projected_ms", totalP}}},
        {"notes", notes},
        {"calibration", cal.sources}};
    if (!o.out.empty()) {
      writeFileAtomically(o.out, report.dump(2) + "\n");
      fmt::print("# written to {}\n", o.out);
    }
  }
  int64_t code = failures > 0 ? kExitCheckFailed : kExitOk;
  broadcastFromZero(world, &code, sizeof code);
  return static_cast<int>(code);
}

}  // namespace hockney
