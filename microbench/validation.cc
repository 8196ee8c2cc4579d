#include "microbench/validation.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "collectives/core/error.h"
#include "collectives/core/half.h"

namespace hockney {

double inputValue(int rank, size_t i, ReduceOp op) {
  const auto r = static_cast<size_t>(rank);
  switch (op) {
    case ReduceOp::kSum:
      return static_cast<double>((r + i) % 4 + 1);
    case ReduceOp::kProd: {
      // At most 8 factors of two (256) and a sign from rank 1: exact in bfloat16.
      double v = ((r + i) % 5 == 0 && rank < 8) ? 2.0 : 1.0;
      return (rank == 1 && i % 3 == 0) ? -v : v;
    }
    case ReduceOp::kMin:
    case ReduceOp::kMax:
      return static_cast<double>(static_cast<int>((r * 7 + i * 13) % 17) - 8);
  }
  HOCKNEY_THROW("unknown ReduceOp value {}", static_cast<int>(op));
}

int validationRankLimit(DataType type) {
  // A sum reaches 4p: bfloat16 holds integers exactly up to 256, half up to 2048.
  switch (type) {
    case DataType::kBfloat16:
      return 64;
    case DataType::kFloat16:
      return 512;
    default:
      return 1 << 20;
  }
}

void checkValidationRanks(int ranks, DataType type, std::string_view advice) {
  HOCKNEY_USAGE_CHECK(ranks <= validationRankLimit(type),
                      "{} ranks: validation of {} is exact only up to {} ranks{}", ranks,
                      name(type), validationRankLimit(type), advice);
}

double expectedValue(int p, size_t i, ReduceOp op) {
  HOCKNEY_CHECK(p >= 1 && p <= (1 << 20), "validation of {} ranks", p);
  double acc = inputValue(0, i, op);
  for (int r = 1; r < p; ++r) {
    double v = inputValue(r, i, op);
    switch (op) {
      case ReduceOp::kSum:
        acc += v;
        break;
      case ReduceOp::kProd:
        acc *= v;
        break;
      case ReduceOp::kMin:
        acc = std::min(acc, v);
        break;
      case ReduceOp::kMax:
        acc = std::max(acc, v);
        break;
    }
  }
  return acc;
}

double readElement(const void* buf, size_t i, DataType type) {
  switch (type) {
    case DataType::kFloat32:
      return static_cast<const float*>(buf)[i];
    case DataType::kFloat64:
      return static_cast<const double*>(buf)[i];
    case DataType::kInt32:
      return static_cast<const int32_t*>(buf)[i];
    case DataType::kInt64:
      return static_cast<double>(static_cast<const int64_t*>(buf)[i]);
    case DataType::kBfloat16:
      return toFloat(static_cast<const Bfloat16*>(buf)[i]);
    case DataType::kFloat16:
      return toFloat(static_cast<const Float16*>(buf)[i]);
  }
  HOCKNEY_THROW("unknown DataType value {}", static_cast<int>(type));
}

void writeElement(void* buf, size_t i, DataType type, double value) {
  switch (type) {
    case DataType::kFloat32:
      static_cast<float*>(buf)[i] = static_cast<float>(value);
      return;
    case DataType::kFloat64:
      static_cast<double*>(buf)[i] = value;
      return;
    case DataType::kInt32:
      static_cast<int32_t*>(buf)[i] = static_cast<int32_t>(value);
      return;
    case DataType::kInt64:
      static_cast<int64_t*>(buf)[i] = static_cast<int64_t>(value);
      return;
    case DataType::kBfloat16:
      static_cast<Bfloat16*>(buf)[i] = toBfloat16(static_cast<float>(value));
      return;
    case DataType::kFloat16:
      static_cast<Float16*>(buf)[i] = toFloat16(static_cast<float>(value));
      return;
  }
  HOCKNEY_THROW("unknown DataType value {}", static_cast<int>(type));
}

void fillInput(void* buf, size_t count, DataType type, ReduceOp op, int rank) {
  for (size_t i = 0; i < count; ++i) writeElement(buf, i, type, inputValue(rank, i, op));
}

void poison(void* buf, size_t count, DataType type) {
  const double bad = isFloatingPoint(type) ? std::numeric_limits<double>::quiet_NaN() : 1e9;
  for (size_t i = 0; i < count; ++i) writeElement(buf, i, type, bad);
}

std::optional<std::string> checkReduced(const void* buf, size_t count, DataType type, ReduceOp op,
                                        int p, size_t first) {
  for (size_t i = 0; i < count; ++i) {
    double got = readElement(buf, i, type);
    double want = expectedValue(p, first + i, op);
    if (!(got == want))
      return fmt::format("element {} is {} but should be {} ({} {} over {} ranks)", first + i, got,
                         want, name(type), name(op), p);
  }
  return std::nullopt;
}

}  // namespace hockney
