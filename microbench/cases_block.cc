// Reduce-scatter and all-gather (p equal blocks; `bytes` is the whole vector, rounded down to a
// multiple of p elements, as nccl-tests does) and the rooted bcast and reduce.
#include "collectives/bcast/binomial.h"
#include "collectives/core/block.h"
#include "collectives/reduce/binomial.h"
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

BlockShape blockShape(const CaseShape& s) {
  return BlockShape{s.ranks, s.count / static_cast<size_t>(s.ranks), s.type, s.op};
}

BenchCase blockBase(std::string_view pattern, std::string algorithm, std::string summary) {
  BenchCase c =
      baseCase(std::string(pattern), std::move(algorithm), std::move(summary), blockBusFactor);
  c.effectiveBytes = [](size_t requested, int p, DataType type, const PatternOptions&) {
    const size_t unit = static_cast<size_t>(p) * elementSize(type);
    return requested / unit * unit;
  };
  const bool rs = pattern == "reduce_scatter";
  auto full = [](const CaseShape& s, const void*, int) { return s.bytes; };
  auto one = [](const CaseShape& s, const void*, int) { return blockShape(s).blockBytes(); };
  c.inputBytes = rs ? std::function<size_t(const CaseShape&, const void*, int)>(full) : one;
  c.outputBytes = rs ? std::function<size_t(const CaseShape&, const void*, int)>(one) : full;
  c.init = [rs](void* in, const CaseShape& s, const void*, int rank) {
    BlockShape b = blockShape(s);
    fillInput(in, rs ? b.block * static_cast<size_t>(b.p) : b.block, s.type,
              rs ? s.op : ReduceOp::kSum, rank);
  };
  c.verify = [rs](const void* out, const CaseShape& s, const void*, int rank) {
    return rs ? checkReduceScatter(out, blockShape(s), rank) : checkAllgather(out, blockShape(s));
  };
  return c;
}

}  // namespace

std::vector<BenchCase> blockPatternCases(std::string_view pattern) {
  const bool rs = pattern == "reduce_scatter";
  std::vector<BenchCase> cases;
  for (const BlockAlgorithm& a : rs ? reduceScatterAlgorithms() : allgatherAlgorithms()) {
    BenchCase c = blockBase(pattern, std::string(a.name), std::string(a.summary));
    const BlockAlgorithm* algo = &a;
    c.scratchBytes = [algo](const CaseShape& s, const void*, int) {
      return algo->scratch(blockShape(s));
    };
    c.run = [algo](Transport& t, const CaseShape& s, const CaseBuffers& b) {
      algo->run(t, blockShape(s), b.input, b.output, b.scratch);
    };
    c.cost = [algo](const CaseShape& s, const void*) {
      return std::optional<Cost>(algo->cost(blockShape(s)));
    };
    cases.push_back(std::move(c));
  }
  BenchCase vendor = blockBase(
      pattern, "vendor",
      rs ? "MPI_Reduce_scatter_block of the MPI library" : "MPI_Allgather of the MPI library");
  vendor.vendor = true;
  vendor.run = rs ? vendorReduceScatter : vendorAllgather;
  cases.push_back(std::move(vendor));
  return cases;
}

std::vector<BenchCase> rootedCases(std::string_view pattern) {
  const bool bcast = pattern == "bcast";
  auto base = [&](std::string algorithm, std::string summary) {
    BenchCase c =
        baseCase(std::string(pattern), std::move(algorithm), std::move(summary), unitBusFactor);
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
    return c;
  };
  std::vector<BenchCase> cases;
  if (bcast) {
    BenchCase c = base("binomial", "binomial tree from the root, ceil(lg p) rounds");
    c.run = [](Transport& t, const CaseShape& s, const CaseBuffers& b) {
      if (t.rank() == s.opts->root) t.copy(b.output, b.input, s.bytes);
      binomialBcast(t, b.output, s.bytes, s.opts->root);
    };
    c.cost = [](const CaseShape& s, const void*) {
      return std::optional<Cost>(binomialBcastCost(s.ranks, s.bytes));
    };
    cases.push_back(std::move(c));
  } else {
    BenchCase c = base("binomial", "binomial tree to the root, ceil(lg p) rounds");
    c.scratchBytes = [](const CaseShape& s, const void*, int) { return s.bytes; };
    c.run = [](Transport& t, const CaseShape& s, const CaseBuffers& b) {
      t.copy(b.output, b.input, s.bytes);
      binomialReduce(t, b.output, s.count, s.type, s.op, s.opts->root, b.scratch);
    };
    c.cost = [](const CaseShape& s, const void*) {
      return std::optional<Cost>(binomialReduceCost(s.ranks, s.count, s.type));
    };
    cases.push_back(std::move(c));
  }
  BenchCase vendor =
      base("vendor", bcast ? "MPI_Bcast of the MPI library" : "MPI_Reduce of the MPI library");
  vendor.vendor = true;
  vendor.run = bcast ? vendorBcast : vendorReduce;
  cases.push_back(std::move(vendor));
  return cases;
}

}  // namespace hockney
