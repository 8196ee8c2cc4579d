#include "microbench/calibrate.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "collectives/core/error.h"
#include "collectives/transport/mpi.h"
#include "microbench/allocator.h"
#include "microbench/calibrate_report.h"
#include "microbench/calibrate_setup.h"
#include "microbench/cases.h"
#include "microbench/control.h"
#include "microbench/job.h"
#include "microbench/runner.h"
#include "microbench/sizes.h"
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

struct Planned {
  size_t pattern;  // index into the plans
  size_t bytes;    // requested
  long onlyCase;   // -1: every case of the pattern; else a revisit of this case
};

// What rank 0 tells every rank before each measurement.
enum Decision : int64_t { kMeasure = 0, kHave = 1, kStop = 2 };

ResultRow probeRow(const BenchCase& c, size_t requested, int ranks, const SweepConfig& s,
                   const std::string& backend) {
  ResultRow probe;
  probe.pattern = c.pattern;
  probe.algorithm = c.algorithm;
  probe.backend = backend;
  probe.ranks = ranks;
  probe.bytes = c.effectiveBytes(requested, ranks, s.type, s.pattern);
  probe.dtype = std::string(name(s.type));
  probe.op = std::string(name(s.op));
  probe.buffers = s.buffers;
  return probe;
}

class Progress {
 public:
  explicit Progress(bool on) : on_(on) {}
  void show(const std::string& text) {
    if (!on_) return;
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    std::fflush(stderr);
    shown_ = true;
  }
  void clear() {
    if (!shown_) return;
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    shown_ = false;
  }

 private:
  bool on_;
  bool shown_ = false;
};

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

  // The patterns and algorithms that can run on this many ranks.
  std::vector<std::string> notes;
  std::string problem;
  std::vector<CalibrationTarget> plans;
  try {
    plans = calibrationTargets(job, sweep, ranks, notes);
  } catch (const UsageError& e) {
    problem = e.what();
  }

  // --backend nccl: every rank over NCCL, one GPU each; control traffic stays on MPI. Plans fail
  // alike on every rank, so all ranks open it or none does.
  std::unique_ptr<Transport> nccl =
      problem.empty()
          ? openBackend(findBackend(job.backend), &transport, everyRank, rank, *topology, problem)
          : nullptr;
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
    } catch (const std::exception& e) {
      problem = e.what();
    }
  }
  if (stopOnProblem(transport, problem)) return kExitUsage;
  Transport& measured = nccl ? *nccl : transport;

  decideHostLimits(transport, sweep, *topology);
  const json devices = applyDeviceLimits(transport, nccl.get(), sweep, *topology);
  Watchdog watchdog(std::chrono::duration<double>(job.timeoutSeconds), measured.progress(), rank,
                    abortJobOnStall);

  std::map<std::string, int> have;  // rank 0: visits per key measured
  for (const auto& r : visits) ++have[r.key()];
  // Rank 0's estimate of how long a case takes at a size: from its largest measured point.
  std::map<std::string, std::pair<double, double>> lastCost;  // pattern/algo -> (bytes, seconds)
  auto seriesKey = [](const BenchCase& c, DataType type) {
    return fmt::format("{}/{}/{}", c.pattern, c.algorithm, name(type));
  };
  auto estimate = [&](const BenchCase& c, DataType type, size_t bytes) {
    auto it = lastCost.find(seriesKey(c, type));
    if (it == lastCost.end()) return 0.05;
    const auto [measuredBytes, seconds] = it->second;
    const double b = static_cast<double>(bytes);
    return b > measuredBytes && measuredBytes >= 65536 ? seconds * b / measuredBytes : seconds;
  };

  // A plan's sweep: the job's, in the plan's element type.
  auto configOf = [&](const CalibrationTarget& plan) {
    SweepConfig c = sweep;
    c.type = plan.type;
    return c;
  };
  Progress progress(rank == 0 && isatty(STDERR_FILENO));
  if (rank == 0) {
    fmt::print(
        "# hockney calibrate: {} ranks, {}, {} buffers, {} .. {}, budget {:.0f} s; patterns {}\n",
        ranks, fmt::join(typeNames(job.types), " "), job.buffers, formatBytes(job.minBytes),
        formatBytes(job.maxBytes), job.budgetSeconds, fmt::join(job.patterns, " "));
    fmt::print("# malloc: {}\n", allocatorSettings().summary());
    for (const auto& n : notes) fmt::print("# note: {}\n", n);
    std::fflush(stdout);
  }

  const double deadline = job.budgetSeconds - reserveFor(job.budgetSeconds);
  // The drift probe: MPI's all-reduce of float32 at 1 MiB (memory-bound, ~0.1-0.5 ms a call).
  std::optional<BenchCase> reference;
  for (const CalibrationTarget& plan : plans)
    for (const BenchCase& c : plan.cases)
      if (!reference && c.entry == &allreducePattern() && c.vendor() &&
          plan.type == DataType::kFloat32)
        reference = c;
  std::vector<double> references, referenceFaults;
  bool budgetSpent = false;
  std::vector<std::string> unmeasured;
  json passes = json::array();
  constexpr int kMaxPasses = 24;
  for (int pass = 0; pass < kMaxPasses && !budgetSpent; ++pass) {
    // Rank 0 plans the pass, every rank learns it ("pattern-index bytes" lines).
    std::string text;
    std::string kind = pass == 0 ? "coarse x16" : pass == 1 ? "coarse x4" : "adaptive";
    if (rank == 0) {
      const std::vector<ResultRow> rows = mergeVisits(visits);
      std::vector<Planned> planned;
      for (size_t pi = 0; pi < plans.size(); ++pi) {
        CalibrationTarget& plan = plans[pi];
        std::set<size_t> sizes;
        auto add = [&](double s) {
          if (plan.ceiling < std::max(plan.unit, job.minBytes)) return;  // nothing fits
          size_t bytes =
              static_cast<size_t>(std::llround(s / static_cast<double>(plan.unit))) * plan.unit;
          bytes = std::clamp(bytes, std::max(plan.unit, job.minBytes), plan.ceiling);
          if (bytes < job.minBytes || bytes > plan.ceiling) return;
          for (const BenchCase& c : plan.cases)
            if (c.effectiveBytes(bytes, ranks, plan.type, sweep.pattern) > 0 &&
                !have.count(probeRow(c, bytes, ranks, configOf(plan), job.backend).key())) {
              sizes.insert(bytes);
              return;
            }
        };
        const double lo = static_cast<double>(std::max(job.minBytes, plan.unit));
        const double hi = static_cast<double>(plan.ceiling);
        if (pass < 2) {
          for (double s : geometricGrid(lo, hi, pass == 0 ? 16 : 4)) add(s);
        } else {
          // Every algorithm's fit proposes sizes; the pattern measures their union.
          std::set<double> proposals;
          for (size_t ci = 0; ci < plan.cases.size(); ++ci) {
            const BenchCase& c = plan.cases[ci];
            std::vector<const ResultRow*> series;
            for (const ResultRow& r : rows)
              if (r.pattern == plan.pattern && r.algorithm == c.algorithm &&
                  r.dtype == name(plan.type))
                series.push_back(&r);
            const SeriesNext next = nextForSeries(series, 4);
            proposals.insert(next.sizes.begin(), next.sizes.end());
            for (const ResultRow* r : next.outliers) {
              // Its requested size: the row's own (block patterns report what they measured).
              const size_t requested = r->details.value("requested_bytes", r->bytes);
              for (int v = have[r->key()]; v < kVisits; ++v)
                planned.push_back({pi, requested, static_cast<long>(ci)});
            }
          }
          for (double s : proposals) {
            if (sizes.size() >= 8) break;
            add(s);
          }
        }
        for (size_t s : sizes) planned.push_back({pi, s, -1});
      }
      std::stable_sort(planned.begin(), planned.end(), [](const Planned& a, const Planned& b) {
        return std::tie(a.pattern, a.bytes) < std::tie(b.pattern, b.bytes);
      });
      for (const Planned& p : planned)
        text += fmt::format("{} {} {}\n", p.pattern, p.bytes, p.onlyCase);
    }
    text = agree(transport, text);
    std::vector<Planned> planned;
    for (size_t at = 0; at < text.size();) {
      const size_t end = text.find('\n', at);
      Planned p{};
      std::sscanf(text.substr(at, end - at).c_str(), "%zu %zu %ld", &p.pattern, &p.bytes,
                  &p.onlyCase);
      planned.push_back(p);
      at = end + 1;
    }
    if (planned.empty()) {
      if (rank == 0 && pass >= 2)
        fmt::print("# the fits need no more sizes (pass {}): done before the budget\n", pass);
      if (pass >= 2) break;
      continue;
    }
    // The first pass goes size by size across every series, so that a budget cut still leaves
    // every pattern measured (project needs them all). Later passes go series by series, sizes
    // ascending within each: a series is then measured in one stretch, so a slow spell of the
    // host shifts a stretch of it rather than scattering its points (this VM's speed drifts:
    // 262144 B ring all-reduce read 196 us and 75 us in two jobs minutes apart, each within 3%
    // over its own repeats).
    struct Work {
      size_t plan, caseIndex, bytes;
    };
    std::vector<Work> work;
    if (pass == 0) {
      std::vector<Planned> bySize = planned;
      std::stable_sort(bySize.begin(), bySize.end(),
                       [](const Planned& a, const Planned& b) { return a.bytes < b.bytes; });
      for (const Planned& p : bySize)
        for (size_t ci = 0; ci < plans[p.pattern].cases.size(); ++ci)
          if (p.onlyCase < 0 || static_cast<size_t>(p.onlyCase) == ci)
            work.push_back({p.pattern, ci, p.bytes});
    }
    for (size_t g = 0; pass > 0 && g < planned.size();) {
      size_t e = g;
      while (e < planned.size() && planned[e].pattern == planned[g].pattern) ++e;
      for (size_t ci = 0; ci < plans[planned[g].pattern].cases.size(); ++ci)
        for (size_t i = g; i < e; ++i)
          if (planned[i].onlyCase < 0 || static_cast<size_t>(planned[i].onlyCase) == ci)
            work.push_back({planned[i].pattern, ci, planned[i].bytes});
      g = e;
    }
    const double passStart = secondsSince(start);
    // The host's speed now: one fixed probe per pass. Fits pool points of every pass, so a host
    // whose speed drifts between passes cannot be fitted closely; the probes show whether it did.
    double referenceUs = 0;
    if (reference) {
      const ResultRow probe = measurePoint(measured, *reference, kReferenceBytes, sweep, &watchdog);
      referenceUs = probe.timeUs.median;
      references.push_back(referenceUs);
      referenceFaults.push_back(probe.minorFaultsPerCall.value_or(0));
    }
    size_t measuredThisPass = 0;
    for (size_t w = 0; w < work.size() && !budgetSpent; ++w) {
      CalibrationTarget& plan = plans[work[w].plan];
      const size_t bytes = work[w].bytes;
      if (bytes > plan.ceiling) continue;
      {
        const BenchCase& c = plan.cases[work[w].caseIndex];
        const bool revisit = std::any_of(planned.begin(), planned.end(), [&](const Planned& p) {
          return p.pattern == work[w].plan && p.bytes == bytes &&
                 p.onlyCase == static_cast<long>(work[w].caseIndex);
        });
        int64_t decision = kMeasure;
        if (rank == 0) {
          const ResultRow probe = probeRow(c, bytes, ranks, configOf(plan), job.backend);
          if (probe.bytes == 0 || (!revisit && have.count(probe.key())))
            decision = kHave;
          else if (secondsSince(start) + estimate(c, plan.type, bytes) > deadline)
            decision = kStop;
        }
        broadcastFromZero(transport, &decision, sizeof decision);
        if (decision == kHave) continue;
        if (decision == kStop) {
          budgetSpent = true;
          if (rank == 0)
            for (size_t k = w; k < work.size(); ++k)
              unmeasured.push_back(
                  fmt::format("{}/{} {} {}", plans[work[k].plan].pattern,
                              plans[work[k].plan].cases[work[k].caseIndex].algorithm,
                              name(plans[work[k].plan].type), formatBytes(work[k].bytes)));
          break;
        }
        if (rank == 0)
          progress.show(fmt::format("[pass {} {}] {}/{} {} {}  {:.0f}/{:.0f} s", pass + 1, kind,
                                    c.pattern, c.algorithm, name(plan.type), formatBytes(bytes),
                                    secondsSince(start), job.budgetSeconds));
        const double pointStart = secondsSince(start);
        ResultRow row;
        try {
          row = measurePoint(measured, c, bytes, configOf(plan), &watchdog);
        } catch (const UsageError& e) {
          // Refused on every rank alike (its memory): no larger size of this pattern either.
          plan.ceiling = bytes - 1;
          if (rank == 0) {
            progress.clear();
            const std::string note =
                fmt::format("{}: stopped below {}: {}", plan.pattern, formatBytes(bytes), e.what());
            fmt::print("# note: {}\n", note);
            notes.push_back(note);
          }
          continue;
        }
        ++measuredThisPass;
        if (rank == 0) {
          lastCost[seriesKey(c, plan.type)] = {static_cast<double>(bytes),
                                               secondsSince(start) - pointStart};
          ++have[row.key()];
          checkpoint.append(row);
          if (row.check == "fail") {
            progress.clear();
            fmt::print("# FAILED validation: {}/{} at {} B: {}\n", row.pattern, row.algorithm,
                       row.bytes, row.checkDetail);
          }
          visits.push_back(std::move(row));
        }
      }
    }
    if (rank == 0) {
      progress.clear();
      const double took = secondsSince(start) - passStart;
      fmt::print("# pass {} ({}): {} points in {:.1f} s{}\n", pass + 1, kind, measuredThisPass,
                 took, budgetSpent ? " (budget spent)" : "");
      std::fflush(stdout);
      passes.push_back(
          {{"pass", pass + 1},
           {"kind", kind},
           {"planned_sizes", planned.size()},
           {"points", measuredThisPass},
           {"seconds", took},
           {"reference_us", referenceUs},
           {"reference_faults_per_call", referenceFaults.empty() ? 0.0 : referenceFaults.back()}});
    }
  }

  int exitCode = kExitOk;
  if (rank == 0) {
    CalibrationOutcome outcome;
    outcome.visits = std::move(visits);
    outcome.notes = std::move(notes);
    outcome.unmeasured = std::move(unmeasured);
    for (const auto& plan : plans)
      for (const auto& c : plan.cases)
        if (plan.type == job.types.front())
          outcome.algorithms.push_back(c.pattern + "/" + c.algorithm);
    outcome.budgetSpent = budgetSpent;
    outcome.passes = std::move(passes);
    outcome.references = std::move(references);
    outcome.referenceFaults = std::move(referenceFaults);
    outcome.sweep = sweep;
    outcome.provenance = finishedProvenance(startedAt, job.commandLine, *topology);
    outcome.provenance.devices = devices;
    exitCode =
        writeCalibration(job, std::move(outcome), checkpoint, [&] { return secondsSince(start); });
  }
  int64_t code = exitCode;
  broadcastFromZero(transport, &code, sizeof code);
  return static_cast<int>(code);
}

}  // namespace hockney
