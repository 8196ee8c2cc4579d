// The all-gather algorithms, as the registry lists them. count = the whole output (p blocks).
#include <array>

#include "collectives/allgather/allgather.h"
#include "collectives/block_entries.h"

namespace hockney {
namespace {

constexpr std::array kAlgorithms{
    blockEntry<ringAllgather, ringAllgatherCost, ringAllgatherScratch>(
        "allgather", "ring", "p-1 neighbour steps, one block each"),
    blockEntry<recursiveDoublingAllgather, recursiveDoublingAllgatherCost,
               recursiveDoublingAllgatherScratch>(
        "allgather", "recursive_doubling",
        "lg p steps doubling the range (non-powers of two fold)"),
    blockEntry<bruckAllgather, bruckAllgatherCost, bruckAllgatherScratch>(
        "allgather", "bruck", "ceil(lg p) steps for any p, then a local rotation"),
};

constexpr std::array kVendors{
    VendorCall{"mpi", "MPI_Allgather", "MPI_Allgather of the MPI library"},
    VendorCall{"nccl", "ncclAllGather", "ncclAllGather of the NCCL library"},
};

}  // namespace

const Pattern& allgatherPattern() {
  static const Pattern kPattern{"allgather",
                                "every rank ends with all ranks' blocks, in rank order",
                                oneBlock,
                                allBlocks,
                                noCheck,
                                {},
                                kAlgorithms,
                                {.blocks = true,
                                 .busFactor = blockBusFactor,
                                 .reference = "ring",
                                 .vendors = kVendors,
                                 .halfOf = "allreduce"}};
  return kPattern;
}

}  // namespace hockney
