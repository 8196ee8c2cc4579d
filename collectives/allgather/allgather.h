#pragma once
// All-gather: input this rank's block, output all p blocks in rank order. One file per
// algorithm (ring.cc, recursive_doubling.cc, bruck.cc) with its steps and cost; entries.cc lists
// them for the registry.
#include "collectives/reduce_scatter/reduce_scatter.h"

namespace hockney {

HOCKNEY_DECLARE_BLOCK_ALGORITHM(ringAllgather)
HOCKNEY_DECLARE_BLOCK_ALGORITHM(recursiveDoublingAllgather)
HOCKNEY_DECLARE_BLOCK_ALGORITHM(bruckAllgather)

}  // namespace hockney
