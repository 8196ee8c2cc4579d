#pragma once
#include "collectives/core/chunk.h"
#include "collectives/core/cost.h"
#include "collectives/core/datatype.h"
#include "collectives/transport/transport.h"

namespace hockney {

// Recursive-halving reduce-scatter among the p' = fold.pof2 participants of a fold (callers
// with fold.participates() only), in place over `count` elements split into p' chunks: new rank
// i ends with chunk i reduced over all participants.
// Level m = p'/2, ..., 1: exchange with new rank i^m; keep the half of the current range that
// holds chunk i, send the other half, receive the partner's copy of the kept half into scratch
// and reduce it in.
// Cost (p' = power of two): lg p'·α + Σ_m S(m)·β + Σ_m S(m)·γ, S(m) = bytes of chunks [0, m)
// (the largest m-chunk range); = (p'-1)/p'·n when p' divides count.
// Scratch: S(p'/2) bytes. Commutative ops only. Reference: Thakur et al. 2005 (MPICH).
void recursiveHalvingReduceScatterBlocks(Transport& t, const Fold& fold, void* buf, size_t count,
                                         DataType type, ReduceOp op, void* scratch);
Cost recursiveHalvingReduceScatterBlocksCost(int pof2, size_t count, DataType type);

// Σ over m = pof2/2, ..., 1 of the bytes of chunks [0, m) of count elements in pof2 parts.
double halvingLevelBytes(int pof2, size_t count, size_t elemSize);

}  // namespace hockney
