// Reduce-scatter, all-gather and all-to-all algorithms on in-process ranks, p = 1..16 and
// awkward block sizes, checked against the closed form; their cost() against the counting
// transport.
#include <gtest/gtest.h>

#include <vector>

#include "collectives/block_entries.h"
#include "collectives/transport/counting.h"
#include "collectives/transport/inproc.h"
#include "microbench/block_data.h"
#include "microbench/validation.h"

namespace hockney {
namespace {

enum class Kind { kReduceScatter, kAllgather, kAlltoall };

struct Sizes {
  size_t in, out;
};
Sizes sizes(Kind k, const BlockShape& s) {
  switch (k) {
    case Kind::kReduceScatter:
      return {s.totalBytes(), s.blockBytes()};
    case Kind::kAllgather:
      return {s.blockBytes(), s.totalBytes()};
    case Kind::kAlltoall:
      return {s.totalBytes(), s.totalBytes()};
  }
  return {0, 0};
}

void runOne(Kind kind, const Algorithm& algo, const BlockShape& s, Transport& t,
            std::optional<std::string>* problem) {
  Sizes z = sizes(kind, s);
  const size_t es = elementSize(s.type);
  std::vector<std::byte> in(z.in + 1), out(z.out + 1),
      scratch(algo.scratch(blockCall(s), t.rank()) + 1);
  fillInput(in.data(), z.in / es, s.type, kind == Kind::kReduceScatter ? s.op : ReduceOp::kSum,
            t.rank());
  poison(out.data(), z.out / es, s.type);
  algo.run(t, blockCall(s), CallBuffers{in.data(), out.data(), scratch.data()});
  if (!problem) return;
  switch (kind) {
    case Kind::kReduceScatter:
      *problem = checkReduceScatter(out.data(), s, t.rank());
      break;
    case Kind::kAllgather:
      *problem = checkAllgather(out.data(), s);
      break;
    case Kind::kAlltoall:
      *problem = checkAlltoall(out.data(), s, t.rank());
      break;
  }
}

void checkAll(Kind kind, std::span<const Algorithm> algos) {
  for (const Algorithm& algo : algos)
    for (int p = 1; p <= 16; ++p)
      for (size_t block : {size_t{0}, size_t{1}, size_t{3}, size_t{17}})
        for (DataType type : {DataType::kFloat32, DataType::kBfloat16, DataType::kInt64})
          for (ReduceOp op : kAllReduceOps) {
            if (kind != Kind::kReduceScatter && op != ReduceOp::kSum) continue;
            BlockShape s{p, block, type, op};
            std::vector<std::optional<std::string>> problems(static_cast<size_t>(p));
            runInproc(p, [&](Transport& t) {
              runOne(kind, algo, s, t, &problems[static_cast<size_t>(t.rank())]);
            });
            for (int r = 0; r < p; ++r)
              ASSERT_FALSE(problems[static_cast<size_t>(r)].has_value())
                  << algo.name << " p=" << p << " block=" << block << " " << name(type) << " "
                  << name(op) << " rank " << r << ": " << *problems[static_cast<size_t>(r)];
            Cost counted = countCost(p, [&](Transport& t) { runOne(kind, algo, s, t, nullptr); });
            ASSERT_EQ(counted, algo.cost(blockCall(s)))
                << algo.name << " p=" << p << " block=" << block;
          }
}

TEST(BlockPatterns, ReduceScatterAlgorithms) {
  checkAll(Kind::kReduceScatter, reduceScatterPattern().algorithms);
}
TEST(BlockPatterns, AllgatherAlgorithms) {
  checkAll(Kind::kAllgather, allgatherPattern().algorithms);
}
TEST(BlockPatterns, AlltoallAlgorithms) {
  checkAll(Kind::kAlltoall, alltoallPattern().algorithms);
}

TEST(BlockPatterns, TextbookCostsWhenPIsAPowerOfTwo) {
  BlockShape s{8, 1024, DataType::kFloat32, ReduceOp::kSum};
  const double n = 8 * 1024 * 4.0, b = n / 8;
  for (const auto& a : reduceScatterPattern().algorithms) {
    Cost c = a.cost(blockCall(s));
    EXPECT_EQ(c.betaBytes, 7 * b) << a.name;
    EXPECT_EQ(c.gammaBytes, 7 * b) << a.name;
  }
  EXPECT_EQ(reduceScatterPattern().algorithms[1].cost(blockCall(s)).alphaCount, 3);
  for (const auto& a : allgatherPattern().algorithms)
    EXPECT_EQ(a.cost(blockCall(s)).betaBytes, 7 * b) << a.name;
  EXPECT_EQ(alltoallPattern().algorithms[1].cost(blockCall(s)),
            (Cost{3, 3 * n / 2, 0}));  // Bruck: (n/2) lg p
}

}  // namespace
}  // namespace hockney
