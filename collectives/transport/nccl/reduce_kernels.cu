// Element-wise reduction kernels: one grid-stride loop per DataType × ReduceOp.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "collectives/core/error.h"
#include "collectives/transport/nccl/cuda_check.h"
#include "collectives/transport/nccl/reduce_kernels.h"

namespace hockney {
namespace {

struct Sum {
  template <typename T>
  __device__ T operator()(T a, T b) const {
    return a + b;
  }
};
struct Prod {
  template <typename T>
  __device__ T operator()(T a, T b) const {
    return a * b;
  }
};
struct Min {
  template <typename T>
  __device__ T operator()(T a, T b) const {
    return b < a ? b : a;
  }
};
struct Max {
  template <typename T>
  __device__ T operator()(T a, T b) const {
    return a < b ? b : a;
  }
};

// How an element type computes: itself, or through float for the 16-bit floats.
template <typename T>
struct Arith {
  __device__ static T load(T x) { return x; }
  __device__ static T store(T x) { return x; }
};
template <>
struct Arith<__half> {
  __device__ static float load(__half x) { return __half2float(x); }
  __device__ static __half store(float x) { return __float2half_rn(x); }
};
template <>
struct Arith<__nv_bfloat16> {
  __device__ static float load(__nv_bfloat16 x) { return __bfloat162float(x); }
  __device__ static __nv_bfloat16 store(float x) { return __float2bfloat16_rn(x); }
};

template <typename T, typename Op>
__global__ void reduceKernel(T* __restrict__ dst, const T* __restrict__ src, size_t count) {
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += stride)
    dst[i] = Arith<T>::store(Op()(Arith<T>::load(dst[i]), Arith<T>::load(src[i])));
}

template <typename T, typename Op>
void launch(void* dst, const void* src, size_t count, cudaStream_t stream) {
  constexpr unsigned kThreads = 256;
  // Enough blocks to fill any current GPU several times over; the loop covers the rest.
  const size_t wanted = (count + kThreads - 1) / kThreads;
  const unsigned blocks = static_cast<unsigned>(wanted < 8192 ? wanted : 8192);
  reduceKernel<T, Op>
      <<<blocks, kThreads, 0, stream>>>(static_cast<T*>(dst), static_cast<const T*>(src), count);
  HOCKNEY_CUDA(cudaGetLastError());
}

template <typename T>
void launchOp(void* dst, const void* src, size_t count, ReduceOp op, cudaStream_t stream) {
  switch (op) {
    case ReduceOp::kSum:
      return launch<T, Sum>(dst, src, count, stream);
    case ReduceOp::kProd:
      return launch<T, Prod>(dst, src, count, stream);
    case ReduceOp::kMin:
      return launch<T, Min>(dst, src, count, stream);
    case ReduceOp::kMax:
      return launch<T, Max>(dst, src, count, stream);
  }
  HOCKNEY_THROW("no device reduction for op {}", static_cast<int>(op));
}

}  // namespace

void deviceReduce(void* dst, const void* src, size_t count, DataType type, ReduceOp op,
                  cudaStream_t stream) {
  if (count == 0) return;
  switch (type) {
    case DataType::kFloat32:
      return launchOp<float>(dst, src, count, op, stream);
    case DataType::kFloat64:
      return launchOp<double>(dst, src, count, op, stream);
    case DataType::kBfloat16:
      return launchOp<__nv_bfloat16>(dst, src, count, op, stream);
    case DataType::kFloat16:
      return launchOp<__half>(dst, src, count, op, stream);
    case DataType::kInt32:
      return launchOp<int32_t>(dst, src, count, op, stream);
    case DataType::kInt64:
      return launchOp<int64_t>(dst, src, count, op, stream);
  }
  HOCKNEY_THROW("no device reduction for type {}", static_cast<int>(type));
}

}  // namespace hockney
