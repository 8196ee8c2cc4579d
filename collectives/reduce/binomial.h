#pragma once
#include "collectives/core/cost.h"
#include "collectives/core/datatype.h"
#include "collectives/transport/transport.h"

namespace hockney {

// Binomial-tree reduce to `root`, in place: afterwards root's buf holds the reduction; other
// ranks' buffers hold partial results. With v = (rank - root) mod p, at distance m = 1, 2, 4, ...
// a rank whose v has bit m set sends to v - m and stops; otherwise it receives from v + m
// (if < p) into scratch and reduces.
// Cost: ⌈lg p⌉·(α + n·β + n·γ), any p (the root receives ⌈lg p⌉ times, one after another).
// Scratch: n bytes. Reference: Thakur et al. 2005; MPICH reduce binomial.
void binomialReduce(Transport& t, void* buf, size_t count, DataType type, ReduceOp op, int root,
                    void* scratch);
Cost binomialReduceCost(int p, size_t count, DataType type);

}  // namespace hockney
