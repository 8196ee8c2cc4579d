#pragma once
// The registry of benchmark cases: every algorithm of every pattern, own and vendor, plugs into
// the one harness through the same few functions (as nccl-tests' testColl), so all share
// buffers, timing, validation and reporting.
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectives/core/cost.h"
#include "collectives/core/datatype.h"
#include "collectives/transport/transport.h"

namespace hockney {

// Options of particular patterns (defaults are what a user gets without the flag).
struct PatternOptions {
  int root = 0;                         // bcast, reduce
  int peerA = 0, peerB = 1;             // sendrecv pingpong/bidirectional
  int servers = 2;                      // ps sharded
  std::string placement = "dedicated";  // ps: dedicated | colocated
  int stages = 0;                       // pipeline: 0 = every rank one stage
  int microbatches = 8;
  std::string schedule = "1f1b";    // gpipe | 1f1b
  double computeUs = 0;             // pipeline busy work per micro-batch and direction
  std::string routing = "uniform";  // alltoall: uniform | topk
  int experts = 0;                  // 0 = one per rank
  int topK = 2;
  double capacityFactor = 1.25;
  double zipfS = 0;  // 0 = no skew
  int hidden = 1024;
  unsigned seed = 1;
};

struct CaseShape {
  int ranks = 1;
  size_t requestedBytes = 0;  // what the sweep asked for
  size_t bytes = 0;           // what the row reports (pattern-specific rounding)
  size_t count = 0;           // elements of `bytes`
  DataType type = DataType::kFloat32;
  ReduceOp op = ReduceOp::kSum;
  size_t chunkBytes = 0;  // pipelining segment for algorithms that have one
  const PatternOptions* opts = nullptr;
};

struct CaseBuffers {
  const void* input;
  void* output;
  void* scratch;
  const void* state;  // what prepare() built, or null
  double* phases;     // seconds per phase, added to by run (phaseNames order)
};

struct BenchCase {
  std::string pattern;
  std::string algorithm;
  bool vendor = false;
  std::string summary;
  double (*busFactor)(int p);  // busbw = algbw × factor (nccl-tests' definitions)
  // Reported bytes for a requested size (e.g. rounded to p blocks); identity by default.
  std::function<size_t(size_t requested, int p, DataType type, const PatternOptions&)>
      effectiveBytes;
  // Per-point set-up outside the timed region (a routing matrix, a plan); may be empty.
  std::function<std::shared_ptr<const void>(const CaseShape&, int rank)> prepare;
  std::function<size_t(const CaseShape&, const void* state, int rank)> inputBytes;
  std::function<size_t(const CaseShape&, const void* state, int rank)> outputBytes;
  std::function<size_t(const CaseShape&, const void* state, int rank)> scratchBytes;
  std::function<void(void* input, const CaseShape&, const void* state, int rank)> init;
  // The first wrong element described, or nullopt.
  std::function<std::optional<std::string>(const void* output, const CaseShape&, const void* state,
                                           int rank)>
      verify;
  std::function<void(Transport&, const CaseShape&, const CaseBuffers&)> run;
  // Critical-path coefficients of the reported time (the call's × timeScale); none for vendor
  // cases (black boxes, fitted as α' + n·β').
  std::function<std::optional<Cost>(const CaseShape&, const void* state)> cost;
  // Bytes algbw divides by (default: the reported bytes); e.g. the busiest rank's volume.
  std::function<size_t(const CaseShape&, const void* state)> algbwBytes;
  // Extra facts for the row's "details" (imbalance, servers, ...).
  std::function<nlohmann::json(const CaseShape&, const void* state)> details;
  double timeScale = 1.0;               // reported time = measured call time × timeScale
  std::vector<std::string> phaseNames;  // phases run() reports (e.g. push, pull)
  // Why this case cannot run with these options, or nullopt. `all` skips such cases with a
  // note; naming one explicitly is an error.
  std::function<std::optional<std::string>(const PatternOptions&, int p)> unavailable;
};

std::vector<std::string> patternNames();
// Every case of a pattern, own algorithms first, vendor last. Throws UsageError for an unknown
// pattern.
std::vector<BenchCase> casesFor(std::string_view pattern);
// The cases named (or all for "all"); throws UsageError naming an unknown algorithm and listing
// the pattern's algorithms.
std::vector<BenchCase> selectCases(std::string_view pattern, const std::vector<std::string>& names);

// Throws UsageError when the pattern's options cannot work on p ranks (--stages 5 on 4 ranks,
// --servers 0, --top-k above the experts, ...).
void checkPatternOptions(std::string_view pattern, const PatternOptions& options, int p);

// Pattern registrations (one file each).
std::vector<BenchCase> allreduceCases();
std::vector<BenchCase> blockPatternCases(std::string_view pattern);  // reduce_scatter, allgather
std::vector<BenchCase> rootedCases(std::string_view pattern);        // bcast, reduce
std::vector<BenchCase> alltoallCases();
std::vector<BenchCase> sendrecvCases();
std::vector<BenchCase> paramServerCases();
std::vector<BenchCase> pipelineCases();

// Defaults the registrations share: full-vector buffers of shape.bytes, no scratch, no state.
BenchCase baseCase(std::string pattern, std::string algorithm, std::string summary,
                   double (*busFactor)(int));

// Vendor (MPI library) collectives, in vendor_mpi.cc: the only MPI calls outside transport/.
void vendorAllreduce(Transport&, const CaseShape&, const CaseBuffers&);
void vendorReduceScatter(Transport&, const CaseShape&, const CaseBuffers&);
void vendorAllgather(Transport&, const CaseShape&, const CaseBuffers&);
void vendorBcast(Transport&, const CaseShape&, const CaseBuffers&);
void vendorReduce(Transport&, const CaseShape&, const CaseBuffers&);
void vendorAlltoallv(Transport&, const CaseShape&, const CaseBuffers&);

struct AlltoallvLayout;
const AlltoallvLayout& alltoallLayoutOf(const void* alltoallState);  // cases_alltoall.cc

}  // namespace hockney
