#pragma once
// The measurement loop: cases × sizes, each point timed the same way for own and vendor
// algorithms and validated outside the timed region.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "microbench/cases.h"
#include "reports/results.h"
#include "topology/topology.h"

namespace hockney {

class Watchdog;
class HostBuffer;

// Hot buffers kept from point to point, as nccl-tests and OSU allocate theirs once: every point
// reuses the same, already-touched pages, so what one point allocated or freed does not change
// what the next one measures. Grows (doubling) to the largest size asked for; one per rank.
class BufferPool {
 public:
  BufferPool();
  ~BufferPool();
  // Slot 0 input, 1 output, 2 scratch: at least `bytes`, page-aligned.
  std::byte* get(int slot, size_t bytes);

 private:
  std::vector<HostBuffer> slots_;
};

struct SweepConfig {
  std::vector<size_t> sizes;
  DataType type = DataType::kFloat32;
  ReduceOp op = ReduceOp::kSum;
  long iterations = 0;              // timed samples; 0: chosen per point from the warm-up
  long batch = 0;                   // calls per timed sample; 0: enough to last minSampleSeconds
  double minSampleSeconds = 20e-6;  // batching keeps barrier skew small against the sample
  long warmup = 5;
  std::string rankStat = "max";  // a sample across ranks: max, avg, min or rank0
  double targetSeconds = 0.05;   // timed time per point when iterations are automatic
  long minIterations = 10;
  long maxIterations = 10000;
  long maxBatch = 1000;
  bool check = true;
  size_t chunkBytes = 0;  // 0: each algorithm's default
  // "hot": one input/output pair reused by every call (the convention of OSU and nccl-tests);
  // "cold": calls rotate through buffer sets larger than rotateBytes (caches start cold).
  std::string buffers = "hot";
  int bufferSets = 0;                // cold only: 0 = enough sets to exceed rotateBytes, at most 16
  std::shared_ptr<BufferPool> pool;  // hot buffers from here when set, else fresh per point
  size_t rotateBytes = size_t{64} << 20;
  // Bytes one rank may allocate for a point (the host's available memory over the ranks on it);
  // 0: unchecked. A point that needs more is refused on every rank, naming the figures.
  size_t memoryPerRank = 0;
  std::string memoryWhere = "this host has";  // what memoryPerRank is, for the message
  // Device transports: capture each sample's calls as a CUDA graph once and replay it (as
  // nccl-tests' -G), so launch overheads leave the timed region.
  bool cudaGraph = false;
  PatternOptions pattern;
  // Where the sweep runs (placeSweep): the job's topology, the world rank of each of the
  // transport's ranks, and the scope's name. Rows record the scope and the widest level their
  // messages cross; hierarchical algorithms group ranks by nodeOfRank. No topology (in-process
  // tests): levels unknown, hierarchical algorithms unavailable.
  std::shared_ptr<const Topology> topology;
  std::vector<int> worldRanks;
  std::vector<int> nodeOfRank;
  std::string scope = "world";
};

// Records where a sweep runs: `worldRanks[i]` is the world rank of the transport's rank i.
void placeSweep(SweepConfig& config, std::shared_ptr<const Topology> topology,
                std::vector<int> worldRanks, std::string scope);
// The widest level a case's messages cross on this sweep's ranks (not recorded without a
// topology): the two peers of an algorithm between peers, every rank for the rest.
LinkLevel widestLevel(const SweepConfig& config, const BenchCase& c);

// {"hosts": m, "ranks_per_host": g} when a case's ranks span several hosts (rows' details
// "placement"); none for one host or for an algorithm between two peers.
std::optional<nlohmann::json> placementDetail(const SweepConfig& config, const BenchCase& c);

// Same on every rank: the sets of input/output buffers iterations rotate through.
int bufferSetsFor(const SweepConfig& config, size_t bytesPerSet);

struct SweepHooks {
  std::function<void(const ResultRow&)> onRow;  // every rank; rank 0 prints/saves
  std::function<void(size_t done, size_t total, const BenchCase&, size_t bytes)> onStart;
  std::set<std::string> skipKeys;  // points already measured (--resume)
};

// Bytes the rank that needs most allocates for a point on p ranks (buffer sets and scratch), as
// measurePoint checks them against SweepConfig::memoryPerRank.
size_t largestPointNeed(const BenchCase& c, size_t bytes, int p, const SweepConfig& config);

// Measures one point; every rank returns the same row.
ResultRow measurePoint(Transport& t, const BenchCase& c, size_t bytes, const SweepConfig& config,
                       Watchdog* watchdog);

// Size outer, algorithm inner, so every algorithm sees the same machine state at each size.
std::vector<ResultRow> runSweep(Transport& t, const std::vector<BenchCase>& cases,
                                const SweepConfig& config, Watchdog* watchdog,
                                const SweepHooks& hooks);

}  // namespace hockney
