#include "microbench/block_data.h"

#include <fmt/format.h>

#include "microbench/validation.h"

namespace hockney {

std::optional<std::string> checkInputSlice(const void* buf, size_t count, DataType type, int rank,
                                           size_t first, const char* what) {
  for (size_t i = 0; i < count; ++i) {
    double got = readElement(buf, i, type);
    double want = inputValue(rank, first + i, ReduceOp::kSum);
    if (!(got == want))
      return fmt::format("{}: element {} is {} but should be {} (from rank {})", what, i, got, want,
                         rank);
  }
  return std::nullopt;
}

std::optional<std::string> checkReduceScatter(const void* out, const BlockShape& s, int rank) {
  return checkReduced(out, s.block, s.type, s.op, s.p, static_cast<size_t>(rank) * s.block);
}

std::optional<std::string> checkAllgather(const void* out, const BlockShape& s) {
  const auto* base = static_cast<const std::byte*>(out);
  for (int q = 0; q < s.p; ++q)
    if (auto bad = checkInputSlice(base + static_cast<size_t>(q) * s.blockBytes(), s.block, s.type,
                                   q, 0, "gathered block"))
      return fmt::format("block of rank {}: {}", q, *bad);
  return std::nullopt;
}

std::optional<std::string> checkAlltoall(const void* out, const BlockShape& s, int rank) {
  const auto* base = static_cast<const std::byte*>(out);
  for (int q = 0; q < s.p; ++q)
    if (auto bad = checkInputSlice(base + static_cast<size_t>(q) * s.blockBytes(), s.block, s.type,
                                   q, static_cast<size_t>(rank) * s.block, "received block"))
      return fmt::format("block from rank {}: {}", q, *bad);
  return std::nullopt;
}

}  // namespace hockney
