#pragma once
// Reduce-scatter: input p blocks, output this rank's block reduced over all ranks. One file per
// algorithm (ring.cc, recursive_halving.cc, pairwise.cc) with its steps and cost; entries.cc
// lists them for the registry.
#include "collectives/core/block.h"
#include "collectives/core/cost.h"
#include "collectives/transport/transport.h"

namespace hockney {

#define HOCKNEY_DECLARE_BLOCK_ALGORITHM(id)                                                   \
  void id(Transport& t, const BlockShape& s, const void* input, void* output, void* scratch); \
  Cost id##Cost(const BlockShape& s);                                                         \
  size_t id##Scratch(const BlockShape& s);

HOCKNEY_DECLARE_BLOCK_ALGORITHM(ringReduceScatter)
HOCKNEY_DECLARE_BLOCK_ALGORITHM(recursiveHalvingReduceScatter)
HOCKNEY_DECLARE_BLOCK_ALGORITHM(pairwiseReduceScatter)

}  // namespace hockney
