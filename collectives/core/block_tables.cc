// The tables of the block patterns' own algorithms; names are the CLI/JSON names.
#include <array>

#include "collectives/core/block.h"

namespace hockney {

#define HOCKNEY_BLOCK_ALGORITHM(id)                                  \
  void id(Transport&, const BlockShape&, const void*, void*, void*); \
  Cost id##Cost(const BlockShape&);                                  \
  size_t id##Scratch(const BlockShape&);

HOCKNEY_BLOCK_ALGORITHM(ringReduceScatter)
HOCKNEY_BLOCK_ALGORITHM(recursiveHalvingReduceScatter)
HOCKNEY_BLOCK_ALGORITHM(pairwiseReduceScatter)
HOCKNEY_BLOCK_ALGORITHM(ringAllgather)
HOCKNEY_BLOCK_ALGORITHM(recursiveDoublingAllgather)
HOCKNEY_BLOCK_ALGORITHM(bruckAllgather)
HOCKNEY_BLOCK_ALGORITHM(pairwiseAlltoall)
HOCKNEY_BLOCK_ALGORITHM(bruckAlltoall)

#define HOCKNEY_ENTRY(name, summary, id)     \
  BlockAlgorithm {                           \
    name, summary, id, id##Cost, id##Scratch \
  }

std::span<const BlockAlgorithm> reduceScatterAlgorithms() {
  static constexpr std::array kTable{
      HOCKNEY_ENTRY("ring", "p-1 neighbour steps, one block each", ringReduceScatter),
      HOCKNEY_ENTRY("recursive_halving", "lg p steps halving the range (non-powers of two fold)",
                    recursiveHalvingReduceScatter),
      HOCKNEY_ENTRY("pairwise", "p-1 steps, each block sent straight to its owner",
                    pairwiseReduceScatter),
  };
  return kTable;
}

std::span<const BlockAlgorithm> allgatherAlgorithms() {
  static constexpr std::array kTable{
      HOCKNEY_ENTRY("ring", "p-1 neighbour steps, one block each", ringAllgather),
      HOCKNEY_ENTRY("recursive_doubling", "lg p steps doubling the range (non-powers of two fold)",
                    recursiveDoublingAllgather),
      HOCKNEY_ENTRY("bruck", "ceil(lg p) steps for any p, then a local rotation", bruckAllgather),
  };
  return kTable;
}

std::span<const BlockAlgorithm> alltoallAlgorithms() {
  static constexpr std::array kTable{
      HOCKNEY_ENTRY("pairwise", "p-1 steps, one peer each (XOR pairs for powers of two)",
                    pairwiseAlltoall),
      HOCKNEY_ENTRY("bruck", "ceil(lg p) store-and-forward steps (uniform blocks only)",
                    bruckAlltoall),
  };
  return kTable;
}

}  // namespace hockney
