#pragma once
#include "collectives/core/chunk.h"
#include "collectives/core/cost.h"
#include "collectives/core/datatype.h"
#include "collectives/transport/transport.h"

namespace hockney {

// Recursive-halving reduce-scatter among the p' = fold.pof2 participants of a fold (callers
// with fold.participates() only), in place over a vector split into p' parts: new rank i ends
// with part i reduced over all participants.
// Level m = p'/2, ..., 1: exchange with new rank i^m; keep the half of the current range that
// holds chunk i, send the other half, receive the partner's copy of the kept half into scratch
// and reduce it in.
// Cost: lg p'·α + Σ_m S(m)·β + Σ_m S(m)·γ, S(m) = bytes of parts [0, m) (the largest m-part
// range); = (p'-1)/p'·n for equal parts.
// Scratch: S(p'/2) bytes. Commutative ops only. Reference: Thakur et al. 2005 (MPICH).
void recursiveHalvingReduceScatterBlocks(Transport& t, const Fold& fold, void* buf,
                                         const Parts& parts, DataType type, ReduceOp op,
                                         void* scratch);
Cost recursiveHalvingReduceScatterBlocksCost(const Parts& parts, DataType type);

// Σ over m = pof2/2, ..., 1 of the bytes of parts [0, m).
double halvingLevelBytes(const Parts& parts, size_t elemSize);

}  // namespace hockney
