// The all-reduce algorithms, as the registry lists them. count = the whole vector.
#include "collectives/allreduce/allreduce.h"
#include "collectives/allreduce/hierarchical.h"

#include <array>

namespace hockney {
namespace {

AllreduceShape shapeOf(const CallShape& s) {
  return AllreduceShape{s.count, s.type, s.op, s.chunkBytes ? s.chunkBytes : kDefaultChunkBytes};
}

// One registry entry from an algorithm's typed functions.
template <void (*Run)(Transport&, const AllreduceArgs&), Cost (*CostOf)(int, const AllreduceShape&),
          size_t (*ScratchOf)(int, const AllreduceShape&)>
constexpr Algorithm entry(std::string_view name, std::string_view summary) {
  return Algorithm{
      "allreduce",
      name,
      summary,
      [](Transport& t, const CallShape& s, const CallBuffers& b) {
        Run(t, AllreduceArgs{shapeOf(s), b.input, b.output, b.scratch});
      },
      [](const CallShape& s) { return CostOf(s.ranks, shapeOf(s)); },
      [](const CallShape& s, int) { return ScratchOf(s.ranks, shapeOf(s)); },
  };
}

// Its cost() replays both trees' schedules on every rank: priced up to 64 ranks.
constexpr Algorithm doubleBinaryTree() {
  Algorithm a = entry<doubleBinaryTreeAllreduce, doubleBinaryTreeAllreduceCost,
                      doubleBinaryTreeAllreduceScratch>(
      "double_binary_tree",
      "two complementary binary trees, each reducing and broadcasting half, pipelined in chunks");
  a.costRankLimit = 64;
  return a;
}

constexpr std::array kAlgorithms{
    entry<ringAllreduce, ringAllreduceCost, ringAllreduceScratch>(
        "ring", "ring reduce-scatter + ring all-gather (bandwidth-optimal, any p)"),
    entry<recursiveDoublingAllreduce, recursiveDoublingAllreduceCost,
          recursiveDoublingAllreduceScratch>(
        "recursive_doubling",
        "full-vector exchange with partners at distance 1, 2, 4, ... (latency-optimal)"),
    entry<rabenseifnerAllreduce, rabenseifnerAllreduceCost, rabenseifnerAllreduceScratch>(
        "rabenseifner", "recursive-halving reduce-scatter + recursive-doubling all-gather"),
    entry<treeAllreduce, treeAllreduceCost, treeAllreduceScratch>(
        "tree", "binomial-tree reduce to rank 0 + binomial-tree broadcast"),
    doubleBinaryTree(),
    Algorithm{.pattern = "allreduce",
              .name = "hierarchical",
              .summary = "reduce-scatter within each host, all-reduce of each part across hosts, "
                         "all-gather within each host (needs more than one host)",
              .run = hierarchicalAllreduceRun,
              .cost = [](const CallShape& s) { return hierarchicalAllreduceLevelCost(s).total(); },
              .scratch = hierarchicalAllreduceScratch,
              .unavailable = hierarchicalUnavailable,
              .levelCost = hierarchicalAllreduceLevelCost,
              // Its in-host phases are a ring's steps among a node's ranks; its exchange across
              // hosts is Rabenseifner's among the nodes, on a node's share of the vector.
              .composes = LevelFits{"ring", "rabenseifner"}},
};

constexpr std::array kVendors{
    VendorCall{"mpi", "MPI_Allreduce", "MPI_Allreduce of the MPI library"},
    VendorCall{"nccl", "ncclAllReduce", "ncclAllReduce of the NCCL library"},
};

}  // namespace

const Pattern& allreducePattern() {
  static const Pattern kPattern{
      "allreduce",
      "every rank ends with the reduction of all vectors",
      wholeVector,
      wholeVector,
      noCheck,
      {},
      kAlgorithms,
      {.reduces = true, .busFactor = allreduceBusFactor, .reference = "ring", .vendors = kVendors}};
  return kPattern;
}

}  // namespace hockney
