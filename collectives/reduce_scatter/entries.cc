// The reduce-scatter algorithms, as the registry lists them. count = the whole input (p blocks).
#include <array>

#include "collectives/block_entries.h"
#include "collectives/reduce_scatter/reduce_scatter.h"

namespace hockney {
namespace {

constexpr std::array kAlgorithms{
    blockEntry<ringReduceScatter, ringReduceScatterCost, ringReduceScatterScratch>(
        "reduce_scatter", "ring", "p-1 neighbour steps, one block each"),
    blockEntry<recursiveHalvingReduceScatter, recursiveHalvingReduceScatterCost,
               recursiveHalvingReduceScatterScratch>(
        "reduce_scatter", "recursive_halving",
        "lg p steps halving the range (non-powers of two fold)"),
    blockEntry<pairwiseReduceScatter, pairwiseReduceScatterCost, pairwiseReduceScatterScratch>(
        "reduce_scatter", "pairwise", "p-1 steps, each block sent straight to its owner"),
};

constexpr std::array kVendors{
    VendorCall{"mpi", "MPI_Reduce_scatter_block", "MPI_Reduce_scatter_block of the MPI library"},
    VendorCall{"nccl", "ncclReduceScatter", "ncclReduceScatter of the NCCL library"},
};

}  // namespace

const Pattern& reduceScatterPattern() {
  static const Pattern kPattern{"reduce_scatter",
                                "each rank ends with its block of the reduction of all inputs",
                                allBlocks,
                                oneBlock,
                                noCheck,
                                {},
                                kAlgorithms,
                                {.reduces = true,
                                 .blocks = true,
                                 .busFactor = blockBusFactor,
                                 .reference = "ring",
                                 .vendors = kVendors,
                                 .halfOf = "allreduce"}};
  return kPattern;
}

}  // namespace hockney
