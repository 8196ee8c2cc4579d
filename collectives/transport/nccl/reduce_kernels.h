#pragma once
// Device reductions on a stream: dst[i] = dst[i] (op) src[i] for count elements, for every
// DataType × ReduceOp (bfloat16 and float16 through float, as on the host). These are γ of the
// cost model on the GPU (hockney-kernels measures them).
#include <cuda_runtime_api.h>

#include <cstddef>

#include "collectives/core/datatype.h"

namespace hockney {

void deviceReduce(void* dst, const void* src, size_t count, DataType type, ReduceOp op,
                  cudaStream_t stream);

}  // namespace hockney
