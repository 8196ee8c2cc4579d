#pragma once
// The one list of hockney's own algorithms: every (pattern, algorithm) with what it does, how it
// runs, its critical-path cost and its scratch, plus each pattern's buffer sizes and option
// checks. Each pattern's entries live in collectives/<pattern>/entries.cc beside the algorithm
// files; this header is how everyone else finds them: the harness builds its cases from it, the
// model prices with its cost(), `hockney list` prints it. Vendor collectives (MPI_Allreduce,
// ncclAllReduce, ...) are not algorithms of ours: they are cases of the harness.
#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "collectives/core/cost.h"
#include "collectives/core/datatype.h"
#include "collectives/transport/transport.h"

namespace hockney {

inline constexpr size_t kDefaultChunkBytes = 512 * 1024;

// Options of particular patterns that change what an algorithm does (defaults are what a user
// gets without the flag).
struct PatternParams {
  int root = 0;                         // bcast, reduce
  int peerA = 0, peerB = 1;             // sendrecv pingpong/bidirectional
  int servers = 2;                      // ps sharded
  std::string placement = "dedicated";  // ps: dedicated | colocated
  int stages = 0;                       // pipeline: 0 = every rank one stage
  int microbatches = 8;
  std::string schedule = "1f1b";  // pipeline: gpipe | 1f1b (the algorithm a run picks)
  double computeUs = 0;           // pipeline busy work per micro-batch and direction
};

// bytes[src][dst]: what each rank sends each other rank (the diagonal stays local).
using TrafficMatrix = std::vector<std::vector<size_t>>;
struct AlltoallvLayout {
  std::vector<size_t> sendBytes, sendOffset;  // per destination, in the input
  std::vector<size_t> recvBytes, recvOffset;  // per source, in the output
};

// One call of a pattern. `count` is in elements of the pattern's vector: the whole vector for
// allreduce, bcast, reduce and ps; the whole input (p blocks) for reduce-scatter and all-to-all;
// the whole output (p blocks) for all-gather; one message for sendrecv and one micro-batch's
// activation for pipeline.
struct CallShape {
  int ranks = 1;
  size_t count = 0;
  DataType type = DataType::kFloat32;
  ReduceOp op = ReduceOp::kSum;
  size_t chunkBytes = 0;                  // pipelining segment; 0: the algorithm's default
  const PatternParams* params = nullptr;  // null: defaults
  // All-to-all with per-peer sizes (a router's output); null: p equal blocks. `layout` is this
  // rank's view of `traffic` (alltoallvLayout), built outside timed calls.
  const TrafficMatrix* traffic = nullptr;
  const AlltoallvLayout* layout = nullptr;
  // The host (node) index of every rank, from the discovered topology; null: unknown. What
  // hierarchical algorithms group ranks by.
  const std::vector<int>* nodeOfRank = nullptr;

  size_t bytes() const { return count * elementSize(type); }
  const PatternParams& options() const;
};

struct CallBuffers {
  const void* input = nullptr;
  void* output = nullptr;    // out of place: input is left untouched
  void* scratch = nullptr;   // at least scratch(shape, rank) bytes, allocated once by the caller
  double* phases = nullptr;  // seconds per phase (Pattern::phases order) are added here, or null
};

// Where a composed algorithm's phases are priced: the fit of `nodeAlgorithm` at the in-host
// level and of `networkAlgorithm` across hosts, each on its phase's coefficients (levelCost).
struct LevelFits {
  std::string_view nodeAlgorithm;
  std::string_view networkAlgorithm;
};

struct Algorithm {
  std::string_view pattern;
  std::string_view name;  // the CLI/JSON/table name
  std::string_view summary;
  void (*run)(Transport&, const CallShape&, const CallBuffers&);
  // Critical-path coefficients of the reported time (the call's time × timeScale).
  Cost (*cost)(const CallShape&);
  size_t (*scratch)(const CallShape&, int rank);
  // Why this algorithm cannot run for these options, or nullopt (e.g. Bruck with unequal blocks).
  std::optional<std::string> (*unavailable)(const CallShape&) = nullptr;
  double timeScale = 1.0;  // pingpong reports one-way time: half a call
  // Hierarchical algorithms: the cost split by level (cost() is its total); null otherwise.
  LevelCost (*levelCost)(const CallShape&) = nullptr;
  // Traits the harness and the model read instead of the algorithm's name.
  // Messages only between the pattern's two peers (--peers), not among all ranks.
  bool betweenPeers = false;
  // Composes phases of other algorithms at two levels: priced from their fits (composes),
  // never from a fit of its own.
  std::optional<LevelFits> composes = std::nullopt;
  // cost() replays every rank's schedule: the model prices it only up to this many ranks
  // (0: any), where the replay stays quick.
  int costRankLimit = 0;
};

// A vendor library's collective for a pattern: named here, once (hockney list, the reports);
// bound to the library's function by the backend that runs it (microbench/backend*.cc).
struct VendorCall {
  std::string_view backend;  // "mpi", "nccl"
  std::string_view call;     // "MPI_Allreduce", "ncclAllReduce", ...
  std::string_view summary;
};

// nccl-tests' bus-bandwidth factors (busbw = algbw x factor; doc/PERFORMANCE.md there).
double allreduceBusFactor(int p);  // 2(p-1)/p
double blockBusFactor(int p);      // (p-1)/p: reduce-scatter, all-gather, all-to-all
double unitBusFactor(int p);       // 1: bcast, reduce, point-to-point

// What a pattern is, beyond its buffers: the facts every layer asks (STYLE.md 13).
struct PatternFacts {
  bool reduces = false;       // applies the op: fitted per element type, γ counted
  bool blocks = false;        // the vector is p equal blocks: sizes round down to p elements
  bool pointToPoint = false;  // messages between two ranks: calibrated, priced, replayed on 2
  double (*busFactor)(int p) = unitBusFactor;
  // The own algorithm `--algo-policy ring` prices with, and the one a pattern without a vendor
  // call is priced with under `--algo-policy vendor`.
  std::string_view reference;
  std::span<const VendorCall> vendors;  // per backend; none: the library has no such collective
  // The command-line flags of PatternParams its algorithms read (--root, --peers, ...): given
  // with another pattern they are an error, not silently ignored.
  std::span<const std::string_view> options = {};
  // What calibrate measures where it is not every algorithm with the default options: the
  // algorithm and options a training step uses (a pipeline: 1F1B passes between two stages).
  std::string_view calibrated = {};                      // empty: every algorithm
  void (*calibrationOptions)(PatternParams&) = nullptr;  // null: the defaults
  // The pattern a ring of this one is half of, where there is one: a ring all-reduce is a
  // reduce-scatter then an all-gather of the same vector, so a calibration with only all-reduce
  // logs (nccl-tests all_reduce_perf) prices either as half an all-reduce. Empty: none.
  std::string_view halfOf = {};
};

struct Pattern {
  std::string_view name;
  std::string_view summary;
  // Buffer bytes of one rank for a call: what the algorithms read and write.
  size_t (*inputBytes)(const CallShape&, int rank);
  size_t (*outputBytes)(const CallShape&, int rank);
  // Throws UsageError when the options cannot work on p ranks (--root 5 on 4 ranks, ...).
  void (*check)(const PatternParams&, int p);
  std::span<const std::string_view> phases;  // what run() adds to CallBuffers::phases
  std::span<const Algorithm> algorithms;
  PatternFacts facts;

  // Bytes a size must be a whole number of: an element, or p elements for block patterns.
  size_t unitBytes(int p, DataType type) const;
  // The vendor call of `backend`, or null.
  const VendorCall* vendor(std::string_view backend) const;
};

// `run --pattern pairs` (and the jobscript measurement `pairs`): the pair matrix, a measurement
// of every rank pair (microbench/pairs.h), not a pattern of the registry; no pattern may take
// the name.
inline constexpr std::string_view kPairMatrix = "pairs";

// The built-in patterns in the order `hockney list` prints them, then registered ones.
const std::vector<std::reference_wrapper<const Pattern>>& patterns();
// Adds a pattern after the built-in ones (a test's or a plug-in's); it must outlive its use (a
// static). Throws Error when its name is taken or an algorithm names another pattern.
void registerPattern(const Pattern& pattern);
// Throws UsageError naming the pattern and listing the known ones.
const Pattern& findPattern(std::string_view pattern);
// nullptr when the pattern has no own algorithm of that name.
const Algorithm* findAlgorithm(std::string_view pattern, std::string_view name);
std::vector<std::string> patternNames();

// Seconds of one call of `algorithm` (an own algorithm of any pattern) on `shape.ranks` ranks
// placed by `nodeOfRank`, each step priced at the level its peers sit at (the priced clock of
// collectives/transport/counting.h). Runs every rank's steps in process without data: buffers are
// reserved address space, never touched.
double pricedOnPlacement(const Algorithm& algorithm, const CallShape& shape,
                         const std::vector<int>& nodeOfRank, const LevelPrices& prices);

// The patterns' entries (collectives/<pattern>/entries.cc).
const Pattern& allreducePattern();
const Pattern& reduceScatterPattern();
const Pattern& allgatherPattern();
const Pattern& bcastPattern();
const Pattern& reducePattern();
const Pattern& alltoallPattern();
const Pattern& sendrecvPattern();
const Pattern& paramServerPattern();
const Pattern& pipelinePattern();

// Helpers the tables share.
size_t noScratch(const CallShape&, int rank);
size_t wholeVector(const CallShape& s, int rank);  // s.bytes()
void noCheck(const PatternParams&, int p);
void checkRoot(const PatternParams& o, int p);  // bcast, reduce
inline constexpr std::array<std::string_view, 1> kRootOption{"--root"};

}  // namespace hockney
