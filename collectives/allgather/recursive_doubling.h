#pragma once
#include "collectives/core/chunk.h"
#include "collectives/core/cost.h"
#include "collectives/transport/transport.h"

namespace hockney {

// Recursive-doubling all-gather among the p' = fold.pof2 participants of a fold, in place over a
// vector split into p' parts: new rank i contributes part i.
// Level m = 1, 2, ..., p'/2: exchange the aligned m-part range holding part i with new rank
// i^m, which sends its range back.
// Cost: lg p'·α + Σ_m S(m)·β, S(m) = bytes of parts [0, m); (p'-1)/p'·n for equal parts.
// No scratch. Reference: MPICH allgather recursive doubling.
void recursiveDoublingAllgatherBlocks(Transport& t, const Fold& fold, void* buf, const Parts& parts,
                                      size_t elemSize);
Cost recursiveDoublingAllgatherBlocksCost(const Parts& parts, size_t elemSize);

}  // namespace hockney
