#pragma once
// Element types and reduction operators, and their names. One name per value, used in the
// CLI, in JSON and in tables; parse() also accepts the aliases nccl-tests and MPI users type.
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace hockney {

enum class DataType { kFloat32, kFloat64, kBfloat16, kFloat16, kInt32, kInt64 };
enum class ReduceOp { kSum, kProd, kMin, kMax };

inline constexpr std::array kAllDataTypes{DataType::kFloat32,  DataType::kFloat64,
                                          DataType::kBfloat16, DataType::kFloat16,
                                          DataType::kInt32,    DataType::kInt64};
inline constexpr std::array kAllReduceOps{ReduceOp::kSum, ReduceOp::kProd, ReduceOp::kMin,
                                          ReduceOp::kMax};

size_t elementSize(DataType type);
bool isFloatingPoint(DataType type);
std::string_view name(DataType type);
std::string_view name(ReduceOp op);
// Throws UsageError naming the accepted values.
DataType parseDataType(std::string_view text);
ReduceOp parseReduceOp(std::string_view text);

}  // namespace hockney
