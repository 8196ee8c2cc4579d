#pragma once
#include "collectives/core/cost.h"
#include "collectives/core/datatype.h"
#include "collectives/transport/transport.h"

namespace hockney {

// Ring all-gather, in place over `count` elements of `elemSize` bytes split into p chunks
// (chunkOf): rank r contributes chunk r; afterwards every rank holds all chunks.
// Step s = 0..p-2: send chunk (r-s) mod p to r+1, receive chunk (r-s-1) mod p from r-1.
// Cost: (p-1)·α + (p-1)·c·β, c = ceil(count/p)·elemSize (the largest chunk travels the whole
// ring on the critical path); (p-1)/p·n when p divides count. No scratch. Any p.
// Reference: MPICH allgather ring; Chan et al. 2007.
void ringAllgatherBlocks(Transport& t, void* buf, size_t count, size_t elemSize);
Cost ringAllgatherBlocksCost(int p, size_t count, size_t elemSize);

}  // namespace hockney
