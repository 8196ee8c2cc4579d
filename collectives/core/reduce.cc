#include "collectives/core/reduce.h"

#include <algorithm>
#include <cstdint>

#include "collectives/core/error.h"
#include "collectives/core/half.h"

namespace hockney {
namespace {

template <typename T, typename Op>
void loop(T* __restrict dst, const T* __restrict src, size_t count, Op op) {
  for (size_t i = 0; i < count; ++i) dst[i] = op(dst[i], src[i]);
}

template <typename T>
void reduceNative(void* dst, const void* src, size_t count, ReduceOp op) {
  auto* d = static_cast<T*>(dst);
  const auto* s = static_cast<const T*>(src);
  switch (op) {
    case ReduceOp::kSum:
      return loop(d, s, count, [](T a, T b) { return static_cast<T>(a + b); });
    case ReduceOp::kProd:
      return loop(d, s, count, [](T a, T b) { return static_cast<T>(a * b); });
    case ReduceOp::kMin:
      return loop(d, s, count, [](T a, T b) { return std::min(a, b); });
    case ReduceOp::kMax:
      return loop(d, s, count, [](T a, T b) { return std::max(a, b); });
  }
  HOCKNEY_THROW("unknown ReduceOp value {}", static_cast<int>(op));
}

// 16-bit floats: widen, operate in float, round back once per element.
template <typename H, H (*Narrow)(float)>
void reduceNarrow(void* dst, const void* src, size_t count, ReduceOp op) {
  auto* d = static_cast<H*>(dst);
  const auto* s = static_cast<const H*>(src);
  auto apply = [&](auto f) {
    for (size_t i = 0; i < count; ++i) d[i] = Narrow(f(toFloat(d[i]), toFloat(s[i])));
  };
  switch (op) {
    case ReduceOp::kSum:
      return apply([](float a, float b) { return a + b; });
    case ReduceOp::kProd:
      return apply([](float a, float b) { return a * b; });
    case ReduceOp::kMin:
      return apply([](float a, float b) { return std::min(a, b); });
    case ReduceOp::kMax:
      return apply([](float a, float b) { return std::max(a, b); });
  }
  HOCKNEY_THROW("unknown ReduceOp value {}", static_cast<int>(op));
}

}  // namespace

void hostReduce(void* dst, const void* src, size_t count, DataType type, ReduceOp op) {
  if (count == 0) return;
  switch (type) {
    case DataType::kFloat32:
      return reduceNative<float>(dst, src, count, op);
    case DataType::kFloat64:
      return reduceNative<double>(dst, src, count, op);
    case DataType::kInt32:
      return reduceNative<int32_t>(dst, src, count, op);
    case DataType::kInt64:
      return reduceNative<int64_t>(dst, src, count, op);
    case DataType::kBfloat16:
      return reduceNarrow<Bfloat16, toBfloat16>(dst, src, count, op);
    case DataType::kFloat16:
      return reduceNarrow<Float16, toFloat16>(dst, src, count, op);
  }
  HOCKNEY_THROW("unknown DataType value {}", static_cast<int>(type));
}

}  // namespace hockney
