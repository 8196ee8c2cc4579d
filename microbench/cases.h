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
#include "microbench/backend.h"

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
  // The job's memory per rank (0: not bounded): prepare() checks what it would build against it
  // before building it (the MoE router's tables and routed bytes).
  size_t memoryPerRank = 0;
  std::string memoryWhere;
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
// reported sizes, closed-form test data and its check, row details. What the pattern is (buffer
// sizes, bus-bandwidth factor, block unit) comes from its registry entry.
struct BenchCase {
  std::string pattern;
  std::string algorithm;
  std::string summary;
  const Pattern* entry = nullptr;  // the registry's pattern
  const Algorithm* own = nullptr;  // the registry's algorithm; null for vendor cases
  bool vendor() const { return own == nullptr; }
  // Reported bytes for a requested size (by default rounded down to the pattern's unit).
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
  // Vendor cases only: the library's collective, bound by the backend.
  VendorRun vendorRun = nullptr;
  std::string_view vendorCall;  // its name in the registry ("MPI_Allreduce")
  // A vendor variant (vendor:NAME): the library's algorithm forced, and the transport it runs on
  // (the job's ranks on a communicator made with it forced; set by the runner, collectively).
  std::optional<VendorVariant> variant;
  std::shared_ptr<Transport> transport;

  // From the registry, the same for own and vendor cases of a pattern where they apply.
  size_t inputBytes(const CaseShape& s, const void* state, int rank) const;
  size_t outputBytes(const CaseShape& s, const void* state, int rank) const;
  size_t scratchBytes(const CaseShape& s, const void* state, int rank) const;  // vendor: 0
  double busFactor(int p) const;  // busbw = algbw × factor (nccl-tests' definitions)
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

// What the harness adds to a registry pattern: one file per pattern (microbench/cases/), one
// registration each, as nccl-tests gives each collective one testColl record.
struct PatternHarness {
  std::string_view pattern;  // the registry's name
  // Sets one case's test data and check (init, verify; where the pattern needs them prepare,
  // effectiveBytes, algbwBytes, details). The case's algorithm, own (null for the vendor case)
  // and entry are set.
  void (*describe)(BenchCase& c) = nullptr;
  // The harness's own options of the pattern (alltoall's router): throws UsageError. May be null.
  void (*checkOptions)(const PatternOptions& o, int p) = nullptr;
  // Adjusts the shape an algorithm's unavailable() is asked with (routed all-to-all: per-peer
  // traffic). May be null.
  void (*probe)(CallShape& shape, const PatternOptions& o) = nullptr;
  // What the smallest size is made of, for the error on smaller sizes. May be null: "one element"
  // or, for block patterns, "one element per rank".
  std::string (*unitName)(const PatternOptions& o) = nullptr;
  // Notes a run with these options on p ranks deserves (idle pipeline ranks). May be null.
  std::vector<std::string> (*notes)(const PatternOptions& o, int p) = nullptr;
  // The command-line flags of the harness's own options of the pattern (alltoall's router).
  std::span<const std::string_view> options = {};
};

// The command-line flags a pattern reads (the registry's and the harness's): a pattern flag
// given with another pattern is an error.
std::vector<std::string_view> patternFlags(std::string_view pattern);

// Adds the harness of a registered pattern (a test's or a plug-in's; the built-in ones are in
// microbench/cases/builtin.cc). Throws Error when the pattern has one already.
void registerHarness(const PatternHarness& harness);
// The harness of a pattern; throws UsageError for an unknown pattern (naming the known ones).
const PatternHarness& harnessFor(std::string_view pattern);

// Every case of a pattern on a backend: own algorithms first, then the backend library's
// collective where the registry names one. Throws UsageError for an unknown pattern or backend.
std::vector<BenchCase> casesFor(std::string_view pattern, std::string_view backend = "mpi");
// The cases named (or all for "all"); throws UsageError naming an unknown algorithm and listing
// the pattern's algorithms. "vendor:NAME" is the library's collective with its algorithm NAME
// forced, "vendor:all" the library's own choice and every algorithm it offers (read from the
// library: Backend::variants); one it does not offer is refused with the reason.
std::vector<BenchCase> selectCases(std::string_view pattern, const std::vector<std::string>& names,
                                   std::string_view backend = "mpi");

// The cases that can run with these options on p ranks (nodeOfRank: each rank's host, used where
// it holds p entries). One that cannot is an error naming why when `refuse` (the user named it),
// else left out with a note.
std::vector<BenchCase> runnableCases(std::vector<BenchCase> cases, const PatternOptions& options,
                                     int p, const std::vector<int>* nodeOfRank, bool refuse,
                                     std::vector<std::string>& notes);

// Throws UsageError when the pattern's options cannot work on p ranks (--stages 5 on 4 ranks,
// --servers 0, --top-k above the experts, ...).
void checkPatternOptions(std::string_view pattern, const PatternOptions& options, int p);

// Every pattern with its algorithms and vendor calls per backend: what `hockney list` prints,
// with the variants the MPI library here offers when `variants`.
std::string describePatterns(bool variants = false);

// The all-to-all state's routing layout, for the vendor all-to-all(v) calls (cases/alltoall.cc).
const AlltoallvLayout& alltoallLayoutOf(const void* alltoallState);

}  // namespace hockney
