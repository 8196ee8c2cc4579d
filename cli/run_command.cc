#include <algorithm>
#include <cstdlib>

#include "cli/commands.h"
#include "collectives/core/error.h"
#include "collectives/core/split.h"
#include "collectives/transport/mpi.h"
#include "microbench/backend.h"
#include "microbench/control.h"
#include "microbench/pairs.h"
#include "microbench/sizes.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace hockney {

RunCommand::RunCommand(CLI::App& app) {
  sub_ = app.add_subcommand(
      "run",
      "Measure a pattern's algorithms over a sweep of sizes (every rank, under mpirun or srun)");
  auto& s = options_.sweep;
  sub_->add_option("-p,--pattern", options_.pattern,
                   "Communication pattern (hockney list), or pairs: the pair matrix (ping-pong "
                   "latency at -b and bandwidth at -e for every rank pair)")
      ->capture_default_str();
  sub_->add_option("--scope", options_.scope,
                   "Ranks to run on: world (all), node (the ranks of each host, every host at "
                   "once) or leaders (one rank per host)")
      ->check(CLI::IsMember({"world", "node", "leaders"}))
      ->capture_default_str();
  addBackendOption(sub_, options_.backend);
  sub_->add_flag("--cuda-graph", options_.sweep.cudaGraph,
                 "--backend nccl: capture each sample's calls as a CUDA graph and replay it (as "
                 "nccl-tests -G)");
  sub_->add_option("--pairs-sample", pairsSample_,
                   "pairs: measure this many pairs, drawn at random (0 = every pair)")
      ->capture_default_str();
  sub_->add_option("--pairs-repeats", pairsRepeats_,
                   "pairs: measure the whole matrix this many times; a host or link is named "
                   "only where it is slow in most of them, with that fraction as its confidence")
      ->capture_default_str();
  sub_->add_option("-a,--algo", algos_, "Algorithms, comma-separated, or all (see hockney list)")
      ->capture_default_str();
  sub_->add_option("-b,--min-bytes", minBytes_, "Smallest size (bytes; K, M, G suffixes)")
      ->capture_default_str();
  sub_->add_option("-e,--max-bytes", maxBytes_, "Largest size")->capture_default_str();
  sub_->add_option("-f,--step-factor", factor_, "Multiply the size by this between points")
      ->capture_default_str();
  sub_->add_option("--sizes", sizes_,
                   "Explicit comma-separated sizes (overrides -b/-e/-f), e.g. 4,1004,64K");
  sub_->add_option("-n,--iters", s.iterations,
                   "Timed samples per point; 0 = enough for --target-time")
      ->capture_default_str();
  sub_->add_option("--batch", s.batch,
                   "Back-to-back calls per timed sample; 0 = enough for 20 us (small messages)")
      ->capture_default_str();
  sub_->add_option("--rank-stat", s.rankStat,
                   "A sample across ranks: max (the slowest rank: a collective ends when its last "
                   "rank does), avg (the mean of ranks, as OSU and nccl-tests' default report), "
                   "min, or rank0 (rank 0's own time, as nccl-tests -a 0); recorded in every row")
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kRankStats), std::end(kRankStats))))
      ->capture_default_str();
  sub_->add_option("-w,--warmup", s.warmup, "Untimed warm-up iterations per point")
      ->capture_default_str();
  sub_->add_option("--target-time", s.targetSeconds,
                   "Seconds of timed iterations per point when --iters is 0")
      ->capture_default_str();
  sub_->add_option("-d,--dtype", dtype_, "float32|float64|bfloat16|float16|int32|int64")
      ->capture_default_str();
  sub_->add_option("-o,--op", op_, "sum|prod|min|max")->capture_default_str();
  sub_->add_option("-c,--check", check_, "Validate results (1) or not (0)")
      ->check(CLI::IsMember({0, 1}))
      ->capture_default_str();
  sub_->add_option("--out", options_.out,
                   "Report file (default results/<pattern>-<ranks>ranks-<time>.json); points are "
                   "checkpointed to <out>.jsonl");
  sub_->add_flag("--resume", options_.resume,
                 "Continue from <out>.jsonl, skipping points already measured");
  addMallocOption(sub_, malloc_);
  sub_->add_option("--timeout", options_.timeoutSeconds,
                   "Seconds one collective call may take before the watchdog aborts the job")
      ->capture_default_str();
  sub_->add_option("--chunk-bytes", chunk_,
                   "Pipelining chunk of double_binary_tree (default 512K)");
  sub_->add_option("--buffers", s.buffers,
                   "hot: one input/output pair reused (as OSU, nccl-tests); cold: rotate through "
                   "buffer sets larger than twice the last-level cache")
      ->check(CLI::IsMember({"hot", "cold"}))
      ->capture_default_str();
  sub_->add_option("--buffer-sets", s.bufferSets,
                   "--buffers cold: sets to rotate through; 0 = enough to exceed twice the "
                   "last-level cache")
      ->capture_default_str();
  auto& po = s.pattern;
  const std::string kPattern = kPatternGroup;
  sub_->add_option("--root", po.root, "bcast/reduce: root rank")
      ->group(kPattern)
      ->capture_default_str();
  sub_->add_option("--peers", peers_,
                   "sendrecv pingpong/bidirectional: the two ranks, A,B (default 0,1)")
      ->group(kPattern);
  sub_->add_option("--servers", po.servers, "ps sharded: number of servers")
      ->group(kPattern)
      ->capture_default_str();
  sub_->add_option("--ps-placement", po.placement,
                   "ps: dedicated (extra server ranks) or colocated (workers host shards)")
      ->group(kPattern)
      ->capture_default_str();
  sub_->add_option("--stages", po.stages, "pipeline: stages per pipeline (0 = all ranks)")
      ->group(kPattern)
      ->capture_default_str();
  sub_->add_option("--microbatches", po.microbatches, "pipeline: micro-batches per step")
      ->group(kPattern)
      ->capture_default_str();
  sub_->add_option("--schedule", schedule_, "pipeline: gpipe or 1f1b (the same as --algo)")
      ->group(kPattern);
  sub_->add_option("--compute-us", po.computeUs,
                   "pipeline: busy compute per micro-batch and direction, microseconds")
      ->group(kPattern)
      ->capture_default_str();
  sub_->add_option("--routing", po.routing, "alltoall: uniform or topk")
      ->group(kPattern)
      ->capture_default_str();
  sub_->add_option("--experts", po.experts, "alltoall topk: experts (0 = one per rank)")
      ->group(kPattern)
      ->capture_default_str();
  sub_->add_option("--top-k", po.topK, "alltoall topk: experts per token")
      ->group(kPattern)
      ->capture_default_str();
  sub_->add_option("--capacity-factor", po.capacityFactor, "alltoall topk: expert capacity factor")
      ->check(positive())
      ->group(kPattern)
      ->capture_default_str();
  sub_->add_option("--skew", skew_, "alltoall topk: expert popularity, zipf:S (S = 0 uniform)")
      ->group(kPattern);
  sub_->add_option("--hidden", po.hidden, "alltoall topk: elements per token")
      ->group(kPattern)
      ->capture_default_str();
  sub_->add_option("--seed", po.seed, "alltoall topk: router seed")
      ->group(kPattern)
      ->capture_default_str();
  sub_->add_option("--inject-hang", injectHang_,
                   "Test hook RANK:STEP: RANK stops sending at STEP of each call")
      ->group("");
}

int RunCommand::executePairs(int argc, char** argv) {
  HOCKNEY_USAGE_CHECK(options_.backend == "mpi" && !options_.sweep.cudaGraph,
                      "--pattern pairs measures over MPI: --backend nccl and --cuda-graph do not "
                      "apply");
  HOCKNEY_USAGE_CHECK(options_.scope == "world",
                      "--scope {} does not apply to --pattern pairs (it measures every pair)",
                      options_.scope);
  HOCKNEY_USAGE_CHECK(sub_->count("--rank-stat") == 0,
                      "--rank-stat does not apply to --pattern pairs (a pair's time is its "
                      "initiator's round trip)");
  PairsOptions o;
  const bool sized =
      sub_->count("--min-bytes") + sub_->count("--max-bytes") + sub_->count("--sizes") > 0;
  if (sized) {
    const auto sizes = sub_->count("--sizes") == 0
                           ? std::vector<size_t>{parseSize(minBytes_), parseSize(maxBytes_)}
                           : parseSizeList(sizes_);
    HOCKNEY_USAGE_CHECK(!sizes.empty(), "no message sizes");
    o.latencyBytes = *std::min_element(sizes.begin(), sizes.end());
    o.bandwidthBytes = *std::max_element(sizes.begin(), sizes.end());
  }
  const auto& s = options_.sweep;
  if (s.iterations > 0) o.latencyIterations = o.bandwidthIterations = s.iterations;
  if (sub_->count("--warmup")) o.warmup = s.warmup;
  o.sample = pairsSample_;
  o.repeats = pairsRepeats_;
  o.seed = s.pattern.seed;
  o.check = check_ == 1;
  o.out = options_.out;
  o.timeoutSeconds = options_.timeoutSeconds;
  o.commandLine = commandLineOf(argc, argv);
  validatePairsOptions(o);
  if (checkOnly_) return kExitOk;
  return runUnderMpi(
      argc, argv, [&] { return runPairs(o); }, malloc_);
}

int RunCommand::execute(int argc, char** argv) {
  if (options_.pattern == kPairMatrix) return executePairs(argc, argv);
  HOCKNEY_USAGE_CHECK(pairsSample_ == 0, "--pairs-sample applies to --pattern pairs only");
  HOCKNEY_USAGE_CHECK(sub_->count("--pairs-repeats") == 0,
                      "--pairs-repeats applies to --pattern pairs only");
  // A pattern's options with another pattern would be ignored: name whose they are.
  const std::vector<std::string_view> own = patternFlags(options_.pattern);
  for (const CLI::Option* opt : sub_->get_options()) {
    if (opt->get_group() != kPatternGroup || opt->count() == 0) continue;
    const std::string flag = opt->get_name();
    if (std::find(own.begin(), own.end(), flag) != own.end()) continue;
    std::vector<std::string> owners;
    for (const Pattern& p : patterns()) {
      const std::vector<std::string_view> theirs = patternFlags(p.name);
      if (std::find(theirs.begin(), theirs.end(), flag) != theirs.end())
        owners.emplace_back(p.name);
    }
    throw UsageError(fmt::format("{} applies to --pattern {}, not {}", flag,
                                 fmt::join(owners, " or "), options_.pattern));
  }
  auto& s = options_.sweep;
  s.type = parseDataType(dtype_);
  s.op = parseReduceOp(op_);
  s.check = check_ == 1;
  s.sizes = sub_->count("--sizes") == 0
                ? geometricSizes(parseSize(minBytes_), parseSize(maxBytes_), factor_)
                : parseSizeList(sizes_);
  if (!chunk_.empty()) {
    s.chunkBytes = parseSize(chunk_);
    HOCKNEY_USAGE_CHECK(s.chunkBytes > 0, "--chunk-bytes must be > 0");
  }
  if (!schedule_.empty()) {
    HOCKNEY_USAGE_CHECK(algos_ == "all" || algos_ == schedule_,
                        "--schedule {} contradicts --algo {}", schedule_, algos_);
    algos_ = schedule_;
  }
  if (!peers_.empty()) {
    auto list = splitCommas(peers_);
    HOCKNEY_USAGE_CHECK(list.size() == 2, "--peers wants two ranks A,B, not '{}'", peers_);
    try {
      s.pattern.peerA = std::stoi(list[0]);
      s.pattern.peerB = std::stoi(list[1]);
    } catch (const std::exception&) {
      throw UsageError(fmt::format("--peers wants two ranks A,B, not '{}'", peers_));
    }
  }
  if (!skew_.empty()) {
    HOCKNEY_USAGE_CHECK(skew_.rfind("zipf:", 0) == 0, "--skew wants zipf:S, not '{}'", skew_);
    try {
      s.pattern.zipfS = std::stod(skew_.substr(5));
    } catch (const std::exception&) {
      throw UsageError(fmt::format("--skew wants zipf:S with a number S, not '{}'", skew_));
    }
  }
  options_.algorithms = splitCommas(algos_);
  if (!injectHang_.empty()) {
    auto colon = injectHang_.find(':');
    HOCKNEY_USAGE_CHECK(colon != std::string::npos, "--inject-hang wants RANK:STEP");
    options_.fault = FaultInjection{std::stoi(injectHang_.substr(0, colon)),
                                    std::stol(injectHang_.substr(colon + 1))};
  }
  options_.commandLine = commandLineOf(argc, argv);
  // Forcing a vendor variant needs a setting the library reads only at start.
  if (std::any_of(options_.algorithms.begin(), options_.algorithms.end(),
                  [](const std::string& a) { return variantName(a).has_value(); }))
    if (const Backend& b = findBackend(options_.backend); b.prepareVariants) b.prepareVariants();
  validateRunOptions(options_);  // bad input fails here, before MPI starts or files are touched
  if (checkOnly_) return kExitOk;

  return runUnderMpi(
      argc, argv, [&] { return runBenchmark(options_); }, malloc_);
}

}  // namespace hockney
