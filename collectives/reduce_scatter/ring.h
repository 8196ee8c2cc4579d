#pragma once
#include "collectives/core/cost.h"
#include "collectives/core/datatype.h"
#include "collectives/transport/transport.h"

namespace hockney {

// Ring reduce-scatter, in place over `count` elements split into p chunks (chunkOf): rank r ends
// with chunk r reduced over all ranks; other chunks hold partial sums.
// Step s = 0..p-2: send chunk (r-s-1) mod p to r+1, receive chunk (r-s-2) mod p from r-1 into
// scratch and reduce it in. Any p.
// Cost: (p-1)·α + (p-1)·c·β + (p-1)·c·γ, c = ceil(count/p)·elemSize: with unequal chunks the
// critical path carries the largest chunk every step (the path follows one chunk round the
// ring). Equals the textbook (p-1)/p·n when p divides count.
// Scratch: c bytes. Reference: Chan et al. 2007 ("bucket"); Patarasuk & Yuan 2009.
void ringReduceScatterBlocks(Transport& t, void* buf, size_t count, DataType type, ReduceOp op,
                             void* scratch);
Cost ringReduceScatterBlocksCost(int p, size_t count, DataType type);

}  // namespace hockney
