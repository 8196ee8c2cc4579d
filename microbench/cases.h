#pragma once
// The harness's benchmark cases: every algorithm of the registry and every vendor collective
// plugs into the one harness through the same few functions (as nccl-tests' testColl), so all
// share buffers, timing, validation and reporting.
#include <nlohmann/json.hpp>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "collectives/core/cost.h"
#include "collectives/core/datatype.h"
#include "collectives/registry.h"
#include "collectives/transport/transport.h"

namespace hockney {

// The run's pattern options: the registry's (what algorithms do) and the harness's own (how
// test traffic is made: MoE routing for all-to-all).
struct PatternOptions : PatternParams {
  std::string routing = "uniform";  // alltoall: uniform | topk
  int experts = 0;                  // 0 = one per rank
  int topK = 2;
  double capacityFactor = 1.25;
  double zipfS = 0;  // 0 = no skew
  int hidden = 1024;
  unsigned seed = 1;
};

// One measured point. The registry's CallShape (ranks, count, type, op, params, traffic) plus
// what the harness reports.
struct CaseShape : CallShape {
  size_t requestedBytes = 0;  // what the sweep asked for
  size_t bytes = 0;           // what the row reports (pattern-specific rounding) = count × size
  const PatternOptions* opts = nullptr;  // the same object as CallShape::params
  void setOptions(const PatternOptions* o) {
    opts = o;
    params = o;
  }
};

struct CaseBuffers {
  const void* input;
  void* output;
  void* scratch;
  const void* state;  // what prepare() built, or null
  double* phases;     // seconds per phase, added to by run (phases() order)
};

// A case pairs an algorithm of the registry (or a vendor collective) with what the harness adds:
// reported sizes, closed-form test data and its check, bus-bandwidth factor, row details.
struct BenchCase {
  std::string pattern;
  std::string algorithm;
  std::string summary;
  const Pattern* entry = nullptr;  // the registry's pattern: buffer sizes, phases
  const Algorithm* own = nullptr;  // the registry's algorithm; null for vendor cases
  bool vendor() const { return own == nullptr; }
  double (*busFactor)(int p);  // busbw = algbw × factor (nccl-tests' definitions)
  // Reported bytes for a requested size (e.g. rounded to p blocks); identity by default.
  std::function<size_t(size_t requested, int p, DataType type, const PatternOptions&)>
      effectiveBytes;
  // Per-point set-up outside the timed region (a routing matrix); may point the shape's traffic
  // and layout into what it returns. May be empty.
  std::function<std::shared_ptr<const void>(CaseShape&, int rank)> prepare;
  std::function<void(void* input, const CaseShape&, const void* state, int rank)> init;
  // The first wrong element described, or nullopt.
  std::function<std::optional<std::string>(const void* output, const CaseShape&, const void* state,
                                           int rank)>
      verify;
  // Bytes algbw divides by (default: the reported bytes); e.g. the busiest rank's volume.
  std::function<size_t(const CaseShape&, const void* state)> algbwBytes;
  // Extra facts for the row's "details" (imbalance, servers, ...).
  std::function<nlohmann::json(const CaseShape&, const void* state)> details;
  // Vendor cases only: the library's collective.
  void (*vendorRun)(Transport&, const CaseShape&, const CaseBuffers&) = nullptr;

  // From the registry, the same for own and vendor cases of a pattern where they apply.
  size_t inputBytes(const CaseShape& s, const void* state, int rank) const;
  size_t outputBytes(const CaseShape& s, const void* state, int rank) const;
  size_t scratchBytes(const CaseShape& s, const void* state, int rank) const;  // vendor: 0
  // Critical-path coefficients of the reported time; none for vendor cases (black boxes, fitted
  // as α' + n·β').
  std::optional<Cost> cost(const CaseShape& s, const void* state) const;
  void run(Transport& t, const CaseShape& s, const CaseBuffers& b) const;
  double timeScale() const;  // reported time = measured call time × timeScale
  std::span<const std::string_view> phases() const;
  // Why this case cannot run with these options, or nullopt. `all` skips such cases with a
  // note; naming one explicitly is an error.
  // nodeOfRank: the host of each of the p ranks, where known (hierarchical algorithms need it).
  std::optional<std::string> unavailable(const PatternOptions& o, int p,
                                         const std::vector<int>* nodeOfRank = nullptr) const;
};

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

// What every case of a pattern shares before its algorithm is set: identity sizes, no state.
BenchCase baseCase(std::string_view pattern, double (*busFactor)(int));
// One case per own algorithm of the pattern (from the registry), each a copy of `base` with
// the algorithm's name and summary; ownAndVendorCases adds the vendor case last.
std::vector<BenchCase> ownCases(std::string_view pattern, const BenchCase& base);
std::vector<BenchCase> ownAndVendorCases(std::string_view pattern, const BenchCase& base,
                                         std::string vendorSummary,
                                         void (*vendorRun)(Transport&, const CaseShape&,
                                                           const CaseBuffers&));

// Vendor (MPI library) collectives, in vendor_mpi.cc: the only MPI calls outside transport/.
void vendorAllreduce(Transport&, const CaseShape&, const CaseBuffers&);
void vendorReduceScatter(Transport&, const CaseShape&, const CaseBuffers&);
void vendorAllgather(Transport&, const CaseShape&, const CaseBuffers&);
void vendorBcast(Transport&, const CaseShape&, const CaseBuffers&);
void vendorReduce(Transport&, const CaseShape&, const CaseBuffers&);
void vendorAlltoallv(Transport&, const CaseShape&, const CaseBuffers&);

const AlltoallvLayout& alltoallLayoutOf(const void* alltoallState);  // cases_alltoall.cc

// The NCCL library's collective for a pattern (vendor_nccl.cc): `run` is null where this build
// has no NCCL backend or NCCL has no collective for the pattern.
struct VendorCollective {
  void (*run)(Transport&, const CaseShape&, const CaseBuffers&) = nullptr;
  std::string summary;
};
VendorCollective ncclVendorFor(std::string_view pattern);

// The backends `run --backend` takes, and the switch of the cases' vendor case to the backend's
// library (mpi: as registered). Throws UsageError for an unknown backend, or one whose library
// has no collective for a pattern.
inline constexpr std::array<std::string_view, 2> kBackends{"mpi", "nccl"};
void useBackend(std::vector<BenchCase>& cases, std::string_view backend);

}  // namespace hockney
