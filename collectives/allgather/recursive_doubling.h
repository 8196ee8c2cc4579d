#pragma once
#include "collectives/core/chunk.h"
#include "collectives/core/cost.h"
#include "collectives/transport/transport.h"

namespace hockney {

// Recursive-doubling all-gather among the p' = fold.pof2 participants of a fold, in place over
// `count` elements split into p' chunks: new rank i contributes chunk i.
// Level m = 1, 2, ..., p'/2: exchange the aligned m-chunk block holding chunk i with new rank
// i^m, which sends its block back.
// Cost: lg p'·α + Σ_m S(m)·β, S(m) = bytes of chunks [0, m); (p'-1)/p'·n when p' divides count.
// No scratch. Reference: MPICH allgather recursive doubling.
void recursiveDoublingAllgatherBlocks(Transport& t, const Fold& fold, void* buf, size_t count,
                                      size_t elemSize);
Cost recursiveDoublingAllgatherBlocksCost(int pof2, size_t count, size_t elemSize);

}  // namespace hockney
