// The counting transport runs each algorithm for real and measures its critical path; the
// algorithm's cost() must give exactly the same α, β and γ coefficients.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "collectives/allreduce/allreduce.h"
#include "collectives/allreduce/double_binary_tree.h"
#include "collectives/transport/counting.h"
#include "collectives/transport/group.h"
#include "microbench/control.h"
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
    if (algo.levelCost == nullptr)  // hierarchical ones: the two-level test below
      for (int p = 1; p <= 16; ++p)
        for (size_t count :
             {size_t{0}, size_t{1}, static_cast<size_t>(p) + 1, size_t{1009}, size_t{4096}})
          for (DataType type : {DataType::kFloat32, DataType::kFloat16}) {
            AllreduceShape shape{count, type, ReduceOp::kSum, 256};
            EXPECT_EQ(measured(algo, p, shape), algo.cost(allreduceCall(p, shape)))
                << algo.name << " p=" << p << " count=" << count << " " << name(type);
          }
}

// The hierarchical all-reduce on a two-level clock: rounds and bytes between nodes count as
// `network`, the rest (and every reduction) as `node`; levelCost() must match both exactly.
TEST(AllreduceCost, HierarchicalTwoLevelClockMatchesLevelCost) {
  const Algorithm* h = findAlgorithm("allreduce", "hierarchical");
  ASSERT_NE(h, nullptr);
  ASSERT_NE(h->levelCost, nullptr);
  for (int p : {2, 4, 6, 8, 9, 12, 16})
    for (int g = 1; g <= p / 2; ++g) {
      if (p % g != 0) continue;
      std::vector<int> placement;
      for (int r = 0; r < p; ++r) placement.push_back(r / g);
      for (size_t count : {size_t{1}, static_cast<size_t>(p) + 1, size_t{1009}, size_t{4096}}) {
        AllreduceShape shape{count, DataType::kFloat32, ReduceOp::kSum, kDefaultChunkBytes};
        CallShape call = allreduceCall(p, shape);
        call.nodeOfRank = &placement;
        const LevelCost counted = countLevelCost(p, placement, [&](Transport& t) {
          std::vector<std::byte> in(count * 4 + 1), out(count * 4 + 1),
              scratch(h->scratch(call, t.rank()) + 1);
          fillInput(in.data(), count, shape.type, shape.op, t.rank());
          h->run(t, call, CallBuffers{in.data(), out.data(), scratch.data()});
        });
        EXPECT_EQ(counted, h->levelCost(call)) << "p=" << p << " g=" << g << " count=" << count;
        EXPECT_EQ(counted.total(), h->cost(call));
      }
    }
  // 4 nodes of 8 ranks, 8 MiB: only n/g crosses the network, in 2 lg m rounds.
  std::vector<int> placement;
  for (int r = 0; r < 32; ++r) placement.push_back(r / 8);
  AllreduceShape shape{size_t{2} << 20, DataType::kFloat32, ReduceOp::kSum, kDefaultChunkBytes};
  CallShape call = allreduceCall(32, shape);
  call.nodeOfRank = &placement;
  const double n = 8.0 * (1 << 20);
  const LevelCost c = h->levelCost(call);
  EXPECT_EQ(c.network, (Cost{4, 2 * 3.0 / 4 * n / 8, 0}));
  EXPECT_EQ(c.node, (Cost{14, 2 * 7 * n / 8, 7 * n / 8 + 3.0 / 4 * n / 8}));
}

// The harness's control collectives are binomial trees: ceil(lg p) rounds each way.
TEST(ControlCollectives, LogarithmicRounds) {
  for (int p : {1, 2, 3, 5, 8, 13, 16, 33}) {
    const double lg = p == 1 ? 0 : std::ceil(std::log2(p));
    uint64_t value = 0;
    const Cost bcast = countCost(p, [&](Transport& t) {
      uint64_t v = t.rank() == 0 ? 42 : 0;
      broadcastFromZero(t, &v, sizeof v);
      if (t.rank() == p - 1) value = v;
    });
    EXPECT_EQ(bcast.alphaCount, lg) << "p=" << p;
    EXPECT_EQ(value, 42u);
    std::vector<double> maxima(static_cast<size_t>(p));
    const Cost max = countCost(p, [&](Transport& t) {
      double v[2] = {static_cast<double>(t.rank()), -static_cast<double>(t.rank())};
      maxOverRanks(t, v);
      maxima[static_cast<size_t>(t.rank())] = v[0] + v[1];
    });
    EXPECT_EQ(max.alphaCount, 2 * lg) << "p=" << p;  // up the tree, then down
    for (double m : maxima) EXPECT_EQ(m, p - 1.0);
    // --rank-stat: per sample, the slowest, the mean, the fastest or rank 0's, on every rank.
    for (const std::string stat : {"max", "avg", "min", "rank0"}) {
      std::vector<std::vector<double>> got(static_cast<size_t>(p));
      countCost(p, [&](Transport& t) {
        std::vector<double> v{t.rank() + 1.0, 10.0 * (p - t.rank())};
        combineOverRanks(t, v, stat);
        got[static_cast<size_t>(t.rank())] = v;
      });
      const double n = p;
      const std::vector<double> want = stat == "max"   ? std::vector<double>{n, 10 * n}
                                       : stat == "min" ? std::vector<double>{1, 10}
                                       : stat == "avg"
                                           ? std::vector<double>{(n + 1) / 2, 10 * (n + 1) / 2}
                                           : std::vector<double>{1, 10 * n};
      for (const auto& g : got) {
        ASSERT_EQ(g.size(), 2u);
        EXPECT_DOUBLE_EQ(g[0], want[0]) << stat << " p=" << p;
        EXPECT_DOUBLE_EQ(g[1], want[1]) << stat << " p=" << p;
      }
    }
    std::vector<std::string> gathered;
    const Cost gather = countCost(p, [&](Transport& t) {
      auto all = gatherToZero(t, std::string(static_cast<size_t>(t.rank()), 'x'));
      if (t.rank() == 0) gathered = all;
    });
    EXPECT_EQ(gather.alphaCount, 2 * lg) << "p=" << p;  // a length, then the records
    ASSERT_EQ(gathered.size(), static_cast<size_t>(p));
    for (int r = 0; r < p; ++r) EXPECT_EQ(gathered[static_cast<size_t>(r)].size(), size_t(r));
  }
}

// A group is a transport of its own: ranks renumbered, peers translated, barrier among members.
TEST(GroupTransport, RunsAnAlgorithmOnASubsetOfRanks) {
  const int p = 6;
  std::vector<float> sums(p, -1);
  runInproc(p, [&](Transport& t) {
    std::vector<int> odd{1, 3, 5}, even{0, 2, 4};
    GroupTransport g(t, t.rank() % 2 ? odd : even);
    EXPECT_EQ(g.size(), 3);
    EXPECT_EQ(g.rank(), t.rank() / 2);
    g.barrier();
    float in = static_cast<float>(t.rank()), out = 0;
    const Algorithm* ring = findAlgorithm("allreduce", "ring");
    AllreduceShape shape{1, DataType::kFloat32, ReduceOp::kSum, kDefaultChunkBytes};
    std::vector<std::byte> scratch(ring->scratch(allreduceCall(3, shape), 0) + 1);
    ring->run(g, allreduceCall(3, shape), CallBuffers{&in, &out, scratch.data()});
    sums[static_cast<size_t>(t.rank())] = out;
  });
  for (int r = 0; r < p; ++r) EXPECT_EQ(sums[static_cast<size_t>(r)], r % 2 ? 9.0f : 6.0f);
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
