#include "collectives/core/datatype.h"

#include <fmt/format.h>

#include <utility>

#include "collectives/core/error.h"

namespace hockney {
namespace {

struct TypeInfo {
  DataType type;
  std::string_view name;
  size_t size;
  bool floating;
};

constexpr std::array kTypes{
    TypeInfo{DataType::kFloat32, "float32", 4, true},
    TypeInfo{DataType::kFloat64, "float64", 8, true},
    TypeInfo{DataType::kBfloat16, "bfloat16", 2, true},
    TypeInfo{DataType::kFloat16, "float16", 2, true},
    TypeInfo{DataType::kInt32, "int32", 4, false},
    TypeInfo{DataType::kInt64, "int64", 8, false},
};

constexpr std::array<std::pair<std::string_view, DataType>, 8> kTypeAliases{{
    {"float", DataType::kFloat32},
    {"double", DataType::kFloat64},
    {"bf16", DataType::kBfloat16},
    {"half", DataType::kFloat16},
    {"fp16", DataType::kFloat16},
    {"fp32", DataType::kFloat32},
    {"int", DataType::kInt32},
    {"fp64", DataType::kFloat64},
}};

constexpr std::array<std::pair<std::string_view, ReduceOp>, 4> kOps{{
    {"sum", ReduceOp::kSum},
    {"prod", ReduceOp::kProd},
    {"min", ReduceOp::kMin},
    {"max", ReduceOp::kMax},
}};

const TypeInfo& info(DataType type) {
  for (const auto& t : kTypes)
    if (t.type == type) return t;
  HOCKNEY_THROW("unknown DataType value {}", static_cast<int>(type));
}

}  // namespace

size_t elementSize(DataType type) {
  return info(type).size;
}
bool isFloatingPoint(DataType type) {
  return info(type).floating;
}
std::string_view name(DataType type) {
  return info(type).name;
}

std::string_view name(ReduceOp op) {
  for (const auto& [text, value] : kOps)
    if (value == op) return text;
  HOCKNEY_THROW("unknown ReduceOp value {}", static_cast<int>(op));
}

DataType parseDataType(std::string_view text) {
  for (const auto& t : kTypes)
    if (t.name == text) return t.type;
  for (const auto& [alias, type] : kTypeAliases)
    if (alias == text) return type;
  throw UsageError(fmt::format(
      "unknown data type '{}' (expected float32, float64, bfloat16, float16, int32, int64; "
      "aliases float, double, bf16, half, fp16, int)",
      text));
}

ReduceOp parseReduceOp(std::string_view text) {
  for (const auto& [opName, op] : kOps)
    if (opName == text) return op;
  throw UsageError(fmt::format("unknown reduction op '{}' (expected sum, prod, min, max)", text));
}

}  // namespace hockney
