// The counting transport runs each algorithm for real and measures its critical path; the
// algorithm's cost() must give exactly the same α, β and γ coefficients.
#include <gtest/gtest.h>

#include <vector>

#include "collectives/allreduce/allreduce.h"
#include "collectives/allreduce/double_binary_tree.h"
#include "collectives/transport/counting.h"
#include "microbench/validation.h"

namespace hockney {
namespace {

Cost measured(const Algorithm& algo, int p, const AllreduceShape& shape) {
  const size_t bytes = shape.count * elementSize(shape.type) + 1;
  return countCost(p, [&](Transport& t) {
    std::vector<std::byte> in(bytes), out(bytes),
        scratch(algo.scratch(allreduceCall(p, shape), 0) + 1);
    fillInput(in.data(), shape.count, shape.type, shape.op, t.rank());
    algo.run(t, allreduceCall(t.size(), shape), CallBuffers{in.data(), out.data(), scratch.data()});
  });
}

TEST(AllreduceCost, CountingTransportReproducesEveryAlgorithmsCost) {
  for (const auto& algo : allreducePattern().algorithms)
    for (int p = 1; p <= 16; ++p)
      for (size_t count :
           {size_t{0}, size_t{1}, static_cast<size_t>(p) + 1, size_t{1009}, size_t{4096}})
        for (DataType type : {DataType::kFloat32, DataType::kFloat16}) {
          AllreduceShape shape{count, type, ReduceOp::kSum, 256};
          EXPECT_EQ(measured(algo, p, shape), algo.cost(allreduceCall(p, shape)))
              << algo.name << " p=" << p << " count=" << count << " " << name(type);
        }
}

TEST(AllreduceCost, TextbookFormulasWhenPDividesTheCount) {
  const double n = 4096.0 * 4;
  AllreduceShape shape{4096, DataType::kFloat32, ReduceOp::kSum, kDefaultChunkBytes};
  const int p = 8;
  EXPECT_EQ(findAlgorithm("allreduce", "ring")->cost(allreduceCall(p, shape)),
            (Cost{14, 2 * 7 * n / 8, 7 * n / 8}));
  EXPECT_EQ(findAlgorithm("allreduce", "recursive_doubling")->cost(allreduceCall(p, shape)),
            (Cost{3, 3 * n, 3 * n}));
  EXPECT_EQ(findAlgorithm("allreduce", "rabenseifner")->cost(allreduceCall(p, shape)),
            (Cost{6, 2 * 7 * n / 8, 7 * n / 8}));
  EXPECT_EQ(findAlgorithm("allreduce", "tree")->cost(allreduceCall(p, shape)),
            (Cost{6, 6 * n, 3 * n}));
  // p = 6: fold to 4, MPICH's non-power-of-two formulas.
  EXPECT_EQ(findAlgorithm("allreduce", "recursive_doubling")->cost(allreduceCall(6, shape)),
            (Cost{4, 4 * n, 3 * n}));
  EXPECT_EQ(findAlgorithm("allreduce", "rabenseifner")->cost(allreduceCall(6, shape)),
            (Cost{6, (2 * 3.0 / 4 + 2) * n, (1 + 3.0 / 4) * n}));
  EXPECT_EQ(findAlgorithm("allreduce", "tree")->cost(allreduceCall(6, shape)),
            (Cost{6, 6 * n, 3 * n}));
}

TEST(AllreduceCost, DoubleBinaryTreeApproachesTwoNBetaForManyChunks) {
  // 16 MiB in 64 KiB chunks on 8 ranks: bandwidth term ~ 2 n (two chunks per round, both phases)
  // plus the pipeline fill, far below recursive doubling's lg p · n.
  AllreduceShape shape{size_t{4} << 20, DataType::kFloat32, ReduceOp::kSum, 64 * 1024};
  Cost c = doubleBinaryTreeAllreduceCost(8, shape);
  const double n = 16.0 * 1024 * 1024;
  EXPECT_GT(c.betaBytes, 2 * n);
  EXPECT_LT(c.betaBytes, 2.5 * n);
  EXPECT_LT(c.alphaCount, 2 * (256 + 4) + 2);
}

TEST(DoubleBinaryTree, TreesAreTreesAndComplementary) {
  for (int p = 1; p <= 33; ++p) {
    BinaryTree a = inorderTree(p), b = complementTree(a);
    for (const BinaryTree* t : {&a, &b}) {
      int roots = 0;
      for (int r = 0; r < p; ++r) {
        int par = t->parent[static_cast<size_t>(r)];
        if (par < 0) {
          ++roots;
          EXPECT_EQ(r, t->root);
          continue;
        }
        const auto& kids = t->children[static_cast<size_t>(par)];
        EXPECT_TRUE(kids[0] == r || kids[1] == r) << "p " << p << " rank " << r;
      }
      EXPECT_EQ(roots, 1);
    }
    if (p >= 4) {
      EXPECT_NE(a.root, b.root) << "p " << p;
    }
  }
}

}  // namespace
}  // namespace hockney
