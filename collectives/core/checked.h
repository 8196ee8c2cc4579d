#pragma once
// Size arithmetic that refuses to wrap: a byte count past size_t is bad input (a size no job can
// hold), not a tiny buffer and a segfault.
#include <cstddef>
#include <string_view>

#include "collectives/core/error.h"

namespace hockney {

inline size_t checkedAdd(size_t a, size_t b, std::string_view what) {
  size_t r = 0;
  HOCKNEY_USAGE_CHECK(!__builtin_add_overflow(a, b, &r), "{}: {} + {} bytes overflows", what, a, b);
  return r;
}

inline size_t checkedMul(size_t a, size_t b, std::string_view what) {
  size_t r = 0;
  HOCKNEY_USAGE_CHECK(!__builtin_mul_overflow(a, b, &r), "{}: {} x {} bytes overflows", what, a, b);
  return r;
}

}  // namespace hockney
