#pragma once
// Host reduction kernels: dst[i] = dst[i] (op) src[i] for count elements. Plain loops the
// compiler vectorises for float, double and the integers; bfloat16/float16 go through float.
// Their throughput is γ in the cost model (see hockney-kernels).
#include <cstddef>

#include "collectives/core/datatype.h"

namespace hockney {

void hostReduce(void* dst, const void* src, size_t count, DataType type, ReduceOp op);

}  // namespace hockney
