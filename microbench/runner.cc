#include "microbench/runner.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "collectives/core/error.h"
#include "collectives/transport/mpi.h"
#include "microbench/control.h"
#include "microbench/interrupt.h"
#include "microbench/job.h"
#include "microbench/sizes.h"
#include "microbench/table.h"
#include "microbench/validation.h"
#include "microbench/watchdog.h"
#include "topology/host.h"

namespace hockney {
namespace {

using nlohmann::json;

json patternJson(const PatternOptions& p) {
  return json{{"root", p.root},
              {"peers", {p.peerA, p.peerB}},
              {"servers", p.servers},
              {"ps_placement", p.placement},
              {"stages", p.stages},
              {"microbatches", p.microbatches},
              {"compute_us", p.computeUs},
              {"routing", p.routing},
              {"experts", p.experts},
              {"top_k", p.topK},
              {"capacity_factor", p.capacityFactor},
              {"zipf_s", p.zipfS},
              {"hidden", p.hidden},
              {"seed", p.seed}};
}

json configJson(const RunOptions& o, const std::vector<BenchCase>& cases) {
  std::vector<std::string> algos;
  for (const auto& c : cases) algos.push_back(c.algorithm);
  const SweepConfig& s = o.sweep;
  return json{{"pattern", o.pattern},
              {"algorithms", algos},
              {"sizes", s.sizes},
              {"dtype", name(s.type)},
              {"op", name(s.op)},
              {"iterations", s.iterations == 0 ? json("auto") : json(s.iterations)},
              {"warmup", s.warmup},
              {"rank_stat", s.rankStat},
              {"batch", s.batch == 0 ? json("auto") : json(s.batch)},
              {"target_time_s", s.targetSeconds},
              {"check", s.check},
              {"chunk_bytes", s.chunkBytes},
              {"buffers", s.buffers},
              {"buffer_sets", s.buffers == "hot"  ? json(1)
                              : s.bufferSets == 0 ? json("auto")
                                                  : json(s.bufferSets)},
              {"rotate_bytes", s.rotateBytes},
              {"timeout_s", o.timeoutSeconds},
              {"resume", o.resume},
              {"scope", o.scope},
              {"backend", o.backend},
              {"cuda_graph", s.cudaGraph},
              {"timer", findBackend(o.backend).timer},
              {"pattern_options", patternJson(s.pattern)}};
}

// The smallest request a pattern keeps whole on p ranks (its rounding unit).
size_t smallestUnit(const BenchCase& c, int ranks, const SweepConfig& s) {
  size_t unit = elementSize(s.type);
  while (c.effectiveBytes(unit, ranks, s.type, s.pattern) == 0) unit += elementSize(s.type);
  return unit;
}

// What a checkpoint's rows depend on: resuming under anything else would mix measurements.
json runIdentity(const RunOptions& o, int ranks) {
  const SweepConfig& s = o.sweep;
  return json{{"pattern", o.pattern},      {"ranks", ranks},
              {"scope", o.scope},          {"backend", o.backend},
              {"cuda_graph", s.cudaGraph}, {"dtype", name(s.type)},
              {"op", name(s.op)},          {"chunk_bytes", s.chunkBytes},
              {"buffers", s.buffers},      {"buffer_sets", s.bufferSets},
              {"batch", s.batch},          {"check", s.check},
              {"rank_stat", s.rankStat},   {"pattern_options", patternJson(s.pattern)}};
}

}  // namespace

void abortJobOnStall(const std::string& message) {
  std::fprintf(stderr, "hockney: %s; aborting the job\n", message.c_str());
  std::fflush(stderr);
  MpiSession::abortAll(kExitWatchdog);
}

std::string defaultResultsPath(const std::string& pattern, int ranks) {
  std::string stamp = utcNow();
  for (char& ch : stamp)
    if (ch == ':') ch = '-';
  return fmt::format("results/{}-{}ranks-{}.json", pattern, ranks, stamp);
}

std::string checkpointPathFor(const std::string& out) {
  return out + ".jsonl";
}

std::vector<BenchCase> validateRunOptions(const RunOptions& o) {
  const Backend& backend = findBackend(o.backend);
  std::vector<BenchCase> cases = selectCases(o.pattern, o.algorithms, backend.name);
  const SweepConfig& s = o.sweep;
  HOCKNEY_USAGE_CHECK(!backend.device || o.fault.rank < 0,
                      "--inject-hang needs a host backend (--backend mpi)");
  HOCKNEY_USAGE_CHECK(!s.cudaGraph || backend.device,
                      "--cuda-graph captures device work: it needs --backend nccl");
  HOCKNEY_USAGE_CHECK(!s.sizes.empty(), "no message sizes to measure");
  checkWholeElements(s.sizes, s.type);
  const size_t memory = hostMemoryBytes();
  for (size_t size : s.sizes) {
    HOCKNEY_USAGE_CHECK(size > 0,
                        "size 0 measures nothing; the smallest size is one element ({} "
                        "bytes of {})",
                        elementSize(s.type), name(s.type));
    HOCKNEY_USAGE_CHECK(memory == 0 || size <= memory,
                        "size {} bytes is larger than this host's memory ({} bytes)", size, memory);
  }
  HOCKNEY_USAGE_CHECK(s.iterations <= kMaxIterations, "--iters {} is more than {}", s.iterations,
                      kMaxIterations);
  HOCKNEY_USAGE_CHECK(s.batch <= kMaxIterations, "--batch {} is more than {}", s.batch,
                      kMaxIterations);
  HOCKNEY_USAGE_CHECK(s.warmup <= kMaxIterations, "--warmup {} is more than {}", s.warmup,
                      kMaxIterations);
  HOCKNEY_USAGE_CHECK(s.iterations >= 0, "--iters must be >= 0 (0 = automatic), not {}",
                      s.iterations);
  HOCKNEY_USAGE_CHECK(s.batch >= 0, "--batch must be >= 0 (0 = automatic), not {}", s.batch);
  HOCKNEY_USAGE_CHECK(s.warmup >= 0, "--warmup must be >= 0, not {}", s.warmup);
  HOCKNEY_USAGE_CHECK(o.timeoutSeconds > 0, "--timeout must be > 0 seconds, not {}",
                      o.timeoutSeconds);
  HOCKNEY_USAGE_CHECK(s.targetSeconds > 0, "--target-time must be > 0 seconds");
  HOCKNEY_USAGE_CHECK(s.buffers == "hot" || s.buffers == "cold",
                      "--buffers must be hot or cold, not '{}'", s.buffers);
  HOCKNEY_USAGE_CHECK(s.bufferSets >= 0 && s.bufferSets <= 64, "--buffer-sets must be 0..64");
  HOCKNEY_USAGE_CHECK(s.buffers == "cold" || s.bufferSets <= 1,
                      "--buffer-sets {} rotates buffers: it needs --buffers cold", s.bufferSets);
  if (!o.out.empty()) {
    std::filesystem::path out(o.out);
    HOCKNEY_USAGE_CHECK(!std::filesystem::is_directory(out), "--out {} is a directory; name a file",
                        o.out);
  }
  return cases;
}

// The world ranks this rank measures with under `scope` (empty: it sits the sweep out), or
// throws UsageError when the scope cannot work on this placement.
std::vector<int> scopeMembers(const Topology& topo, const std::string& scope, int rank) {
  const int hosts = static_cast<int>(topo.hosts.size());
  if (scope == "node") {
    HOCKNEY_USAGE_CHECK(topo.mostRanksPerHost() >= 2,
                        "--scope node runs the pattern among the ranks of each host, but every "
                        "host holds one rank ({} ranks on {} hosts); use --scope world or "
                        "leaders, or place several ranks per host",
                        topo.size(), hosts);
    std::vector<int> perHost(static_cast<size_t>(hosts));
    for (const RankRecord& r : topo.ranks) ++perHost[static_cast<size_t>(r.host)];
    for (int h = 1; h < hosts; ++h)
      HOCKNEY_USAGE_CHECK(perHost[h] == perHost[0],
                          "--scope node needs the same number of ranks on every host ({} on {}, "
                          "{} on {})",
                          perHost[0], topo.hosts[0].hostname, perHost[h], topo.hosts[h].hostname);
    std::vector<int> members;
    for (int r = 0; r < topo.size(); ++r)
      if (topo.ranks[r].host == topo.ranks[rank].host) members.push_back(r);
    return members;
  }
  if (scope == "leaders") {
    HOCKNEY_USAGE_CHECK(hosts >= 2,
                        "--scope leaders runs the pattern among one rank per host, but all {} "
                        "ranks are on one host ({})",
                        topo.size(), topo.hosts.front().hostname);
    std::vector<int> leaders(static_cast<size_t>(hosts), -1);
    for (int r = 0; r < topo.size(); ++r)
      if (leaders[topo.ranks[r].host] < 0) leaders[topo.ranks[r].host] = r;
    std::sort(leaders.begin(), leaders.end());
    if (std::find(leaders.begin(), leaders.end(), rank) == leaders.end()) return {};
    return leaders;
  }
  HOCKNEY_USAGE_CHECK(scope == "world", "--scope must be world, node or leaders, not '{}'", scope);
  std::vector<int> all(static_cast<size_t>(topo.size()));
  for (int r = 0; r < topo.size(); ++r) all[static_cast<size_t>(r)] = r;
  return all;
}

int runBenchmark(const RunOptions& options) {
  std::vector<BenchCase> cases = validateRunOptions(options);
  MpiTransport world(MPI_COMM_WORLD, options.fault);
  const int rank = world.rank();
  Provenance prov;
  prov.startedAt = utcNow();
  const auto topology = std::make_shared<const Topology>(gatherTopology(world));

  // The ranks this run measures on: all of them, or a level's groups (--scope).
  std::string problem;
  std::vector<int> members;
  try {
    members = scopeMembers(*topology, options.scope, rank);
  } catch (const UsageError& e) {
    problem = e.what();  // the same on every rank: everyone sees the same topology
  }
  if (stopOnProblem(world, problem)) return kExitUsage;
  // Rank 0 is the lowest rank of its group, so it is rank 0 of the group's transport: it prints
  // and writes. Ranks outside every group (non-leaders) hold no transport and wait at the end.
  const int color = members.empty() ? -1 : options.scope == "node" ? topology->ranks[rank].host : 0;
  std::unique_ptr<MpiTransport> scoped =
      MpiTransport::split(MPI_COMM_WORLD, color, rank, options.fault);
  // Every group has as many ranks as rank 0's (node: checked equal; leaders: one per host).
  const int ranks = options.scope == "leaders" ? static_cast<int>(topology->hosts.size())
                                               : static_cast<int>(members.size());
  // --backend nccl: the same group over NCCL, one GPU per rank; control traffic stays on MPI.
  std::unique_ptr<Transport> nccl =
      openBackend(findBackend(options.backend), scoped.get(), members, rank, *topology, problem);
  if (stopOnProblem(world, firstProblem(world, problem))) return kExitUsage;
  Transport* measured = nccl ? nccl.get() : scoped.get();
  std::string out = options.out.empty() ? defaultResultsPath(options.pattern, ranks) : options.out;
  const Checkpoint checkpoint(checkpointPathFor(out));
  SweepConfig sweep = options.sweep;
  placeSweep(sweep, topology, members.empty() ? std::vector<int>{rank} : members, options.scope);

  // Checks that need the job: rank count and the checkpoint on rank 0's file system.
  std::vector<std::string> notes;
  try {
    checkPatternOptions(options.pattern, options.sweep.pattern, ranks);
    const bool explicitAlgos = !(options.algorithms.size() == 1 && options.algorithms[0] == "all");
    cases = runnableCases(std::move(cases), options.sweep.pattern, ranks, &sweep.nodeOfRank,
                          explicitAlgos, notes);
    HOCKNEY_USAGE_CHECK(!cases.empty(), "no {} algorithm can run with these options",
                        options.pattern);
    // Sizes a pattern rounds to nothing on this many ranks (reduce-scatter below one element per
    // rank, top-k all-to-all below one token) would be empty "pass" rows: refuse them.
    const PatternHarness& harness = harnessFor(options.pattern);
    for (size_t size : options.sweep.sizes) {
      const size_t used =
          cases.front().effectiveBytes(size, ranks, options.sweep.type, options.sweep.pattern);
      HOCKNEY_USAGE_CHECK(used > 0,
                          "size {} bytes is less than the smallest {} unit on {} ranks ({}); "
                          "choose sizes of at least {} bytes",
                          size, options.pattern, ranks,
                          harness.unitName ? harness.unitName(options.sweep.pattern)
                                           : std::string("one element per rank"),
                          smallestUnit(cases.front(), ranks, options.sweep));
    }
    if (harness.notes)
      for (std::string& n : harness.notes(options.sweep.pattern, ranks))
        notes.push_back(std::move(n));
  } catch (const UsageError& e) {
    problem = e.what();  // the same on every rank: options and rank count are
  }
  std::vector<ResultRow> previous;
  if (rank == 0 && problem.empty()) {
    try {
      if (options.sweep.check)
        checkValidationRanks(ranks, options.sweep.type, "; use a wider type or -c 0");
      const json identity = runIdentity(options, ranks);
      if (checkpoint.exists() && !checkpoint.hasRows()) {
        notes.push_back(
            fmt::format("{} held no measured point (a job that died before its "
                        "first point); started afresh",
                        checkpoint.path()));
        checkpoint.remove();
      }
      if (checkpoint.exists() && !options.resume)
        throw UsageError(fmt::format(
            "{} holds points of an unfinished run; pass --resume to continue it, or remove it",
            checkpoint.path()));
      bool fromReport = false;
      if (options.resume && checkpoint.exists()) {
        previous = checkpoint.load(identity, notes);
      } else if (options.resume && std::filesystem::exists(out)) {
        previous =
            finishedReportRows(out, checkpoint.path(), configJson(options, cases), identity, notes);
        fromReport = true;
      } else if (options.resume) {
        notes.push_back("--resume: no checkpoint found, started afresh");
      }
      if (!checkpoint.exists()) checkpoint.create(identity);
      // The finished report is replaced only at the end: its rows go into the checkpoint first,
      // so a job that dies now and is resumed again still has them.
      if (fromReport)
        for (const ResultRow& r : previous) checkpoint.append(r);
      setInterruptLine(checkpointInterruptLine(checkpoint.path()));
    } catch (const std::exception& e) {
      problem = e.what();
    }
  }
  if (stopOnProblem(world, problem)) return kExitUsage;

  // Vendor variants: each on a communicator of the same ranks made with its algorithm forced.
  if (measured != nullptr) {
    const Backend& backend = findBackend(options.backend);
    int localRank = 0, localRanks = 0;
    for (int m : members)
      if (topology->ranks[m].host == topology->ranks[rank].host) {
        if (m < rank) ++localRank;
        ++localRanks;
      }
    for (BenchCase& c : cases) {
      if (!c.variant) continue;
      try {
        HOCKNEY_USAGE_CHECK(backend.forceVariant != nullptr,
                            "{}/{}: the {} backend cannot force its library's algorithms",
                            c.pattern, c.algorithm, backend.name);
        const VendorVariants offered = backend.variants(c.vendorCall, ranks);
        HOCKNEY_USAGE_CHECK(!offered.variants.empty(), "{}/{}: {}", c.pattern, c.algorithm,
                            offered.why);
        c.transport = backend.forceVariant(*scoped, *measured, c.vendorCall, *c.variant, localRank,
                                           localRanks);
      } catch (const UsageError& e) {
        problem = e.what();
      }
      if (!problem.empty()) break;
    }
  }
  if (stopOnProblem(world, firstProblem(world, problem))) return kExitUsage;

  // Points already measured, by key, on every rank.
  std::string keys;
  for (const auto& r : previous) keys += r.key() + "\n";
  keys = agree(world, keys);
  SweepHooks hooks;
  for (size_t start = 0; start < keys.size();) {
    size_t end = keys.find('\n', start);
    hooks.skipKeys.insert(keys.substr(start, end - start));
    start = end + 1;
  }

  decideHostLimits(world, sweep, *topology);
  const json devices = applyDeviceLimits(world, measured, sweep, *topology);
  if (rank == 0 && options.scope != "world")
    notes.push_back(fmt::format(
        "--scope {}: {} group(s) of {} ranks measured at once; rows are rank 0's group ({})",
        options.scope, options.scope == "node" ? topology->hosts.size() : 1, ranks,
        options.scope == "node" ? "host " + topology->hostOf(0).hostname : "one rank per host"));

  Table table(stdout, rank == 0 && isatty(STDERR_FILENO));
  if (rank == 0) {
    table.header(options.pattern, ranks, sweep, out);
    for (const auto& n : notes) table.note(n);
    for (const auto& r : previous) table.row(r, /*resumed=*/true);
  }
  hooks.onStart = [&](size_t done, size_t total, const BenchCase& c, size_t bytes) {
    if (rank == 0) table.progress(done, total, c.algorithm, bytes);
  };
  hooks.onRow = [&](const ResultRow& row) {
    if (rank != 0) return;
    table.row(row, false);
    checkpoint.append(row);
  };
  std::vector<ResultRow> fresh;
  if (measured) {
    Watchdog watchdog(std::chrono::duration<double>(options.timeoutSeconds), measured->progress(),
                      rank, abortJobOnStall);
    try {
      fresh = runSweep(*measured, cases, sweep, &watchdog, hooks);
    } catch (const UsageError&) {
      // A point refused on every rank (its memory): keep what was measured, leave no empty
      // checkpoint behind.
      if (rank == 0 && !checkpoint.hasRows()) checkpoint.remove();
      throw;
    }
  }
  // Groups other than rank 0's (--scope node) check their own results: their failures count.
  double failedElsewhere = 0;
  for (const auto& r : fresh) failedElsewhere += r.check == "fail" ? 1 : 0;
  maxOverRanks(world, {&failedElsewhere, 1});

  int exitCode = 0;
  if (rank == 0) {
    // Resumed and fresh rows, in sweep order: by size, then by the order of the cases.
    std::map<std::string, size_t> caseOrder;
    for (size_t i = 0; i < cases.size(); ++i) caseOrder[cases[i].algorithm] = i;
    std::vector<ResultRow> rows = previous;
    rows.insert(rows.end(), fresh.begin(), fresh.end());
    std::stable_sort(rows.begin(), rows.end(), [&](const ResultRow& a, const ResultRow& b) {
      if (a.bytes != b.bytes) return a.bytes < b.bytes;
      return caseOrder[a.algorithm] < caseOrder[b.algorithm];
    });
    for (const auto& n : flagCliffs(rows)) {
      notes.push_back(n);
      table.note(n);
    }
    for (const auto& n : notePageFaults(rows)) {
      notes.push_back(n);
      table.note(n);
    }
    size_t failed = 0;
    for (const auto& r : rows) failed += r.check == "fail" ? 1 : 0;
    if (failedElsewhere > static_cast<double>(failed)) {
      const std::string n = fmt::format(
          "validation failed on another host's group: {} point(s) there against {} here",
          failedElsewhere, failed);
      notes.push_back(n);
      table.note(n);
      failed = static_cast<size_t>(failedElsewhere);
    }
    prov = finishedProvenance(prov.startedAt, options.commandLine, *topology);
    prov.devices = devices;
    if (const Backend& b = findBackend(options.backend); b.tuning) prov.tuning = b.tuning();
    json report = makeResultsReport(prov, configJson(options, cases), rows, notes);
    writeFileAtomically(out, reportText(report));
    checkpoint.remove();
    setInterruptLine(
        fmt::format(" (exit {}) after writing {}\n", static_cast<int>(kExitInterrupted), out));
    table.footer(rows.size(), failed, out);
    exitCode = failed > 0 ? kExitCheckFailed : kExitOk;
  }
  int64_t code = exitCode;
  broadcastFromZero(world, &code, sizeof code);
  return static_cast<int>(code);
}

}  // namespace hockney
