// Reduce-scatter and all-gather (p equal blocks; `bytes` is the whole vector, rounded down to a
// multiple of p elements, as nccl-tests does) and the rooted bcast and reduce.
#include "collectives/block_table.h"
#include "microbench/block_data.h"
#include "microbench/cases.h"
#include "microbench/validation.h"

namespace hockney {
namespace {

double blockBusFactor(int p) {
  return p > 1 ? static_cast<double>(p - 1) / p : 0.0;
}
double unitBusFactor(int) {
  return 1.0;
}

}  // namespace

std::vector<BenchCase> blockPatternCases(std::string_view pattern) {
  const bool rs = pattern == "reduce_scatter";
  BenchCase c = baseCase(pattern, blockBusFactor);
  c.effectiveBytes = [](size_t requested, int p, DataType type, const PatternOptions&) {
    const size_t unit = static_cast<size_t>(p) * elementSize(type);
    return requested / unit * unit;
  };
  c.init = [rs](void* in, const CaseShape& s, const void*, int rank) {
    BlockShape b = blockShapeOf(s);
    fillInput(in, rs ? b.block * static_cast<size_t>(b.p) : b.block, s.type,
              rs ? s.op : ReduceOp::kSum, rank);
  };
  c.verify = [rs](const void* out, const CaseShape& s, const void*, int rank) {
    return rs ? checkReduceScatter(out, blockShapeOf(s), rank)
              : checkAllgather(out, blockShapeOf(s));
  };
  return ownAndVendorCases(
      pattern, c,
      rs ? "MPI_Reduce_scatter_block of the MPI library" : "MPI_Allgather of the MPI library",
      rs ? vendorReduceScatter : vendorAllgather);
}

std::vector<BenchCase> rootedCases(std::string_view pattern) {
  const bool bcast = pattern == "bcast";
  BenchCase c = baseCase(pattern, unitBusFactor);
  c.init = [bcast](void* in, const CaseShape& s, const void*, int rank) {
    fillInput(in, s.count, s.type, bcast ? ReduceOp::kSum : s.op, rank);
  };
  c.verify = [bcast](const void* out, const CaseShape& s, const void*,
                     int rank) -> std::optional<std::string> {
    const int root = s.opts->root;
    if (bcast) return checkInputSlice(out, s.count, s.type, root, 0, "broadcast data");
    if (rank != root) return std::nullopt;  // only the root's result is defined
    return checkReduced(out, s.count, s.type, s.op, s.ranks);
  };
  c.details = [](const CaseShape& s, const void*) {
    return nlohmann::json{{"root", s.opts->root}};
  };
  return ownAndVendorCases(pattern, c,
                           bcast ? "MPI_Bcast of the MPI library" : "MPI_Reduce of the MPI library",
                           bcast ? vendorBcast : vendorReduce);
}

}  // namespace hockney
