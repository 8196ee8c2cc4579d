#pragma once
#include "collectives/core/cost.h"
#include "collectives/transport/transport.h"

namespace hockney {

// Binomial-tree broadcast of `bytes` from `root`. With v = (rank - root) mod p, a rank receives
// from v minus its highest set bit, then sends to v + m for the distances m below that bit,
// largest first.
// Cost: ⌈lg p⌉·(α + n·β), any p. No scratch. Reference: MPICH bcast binomial.
void binomialBcast(Transport& t, void* buf, size_t bytes, int root);
Cost binomialBcastCost(int p, size_t bytes);

}  // namespace hockney
