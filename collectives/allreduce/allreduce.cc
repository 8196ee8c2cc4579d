#include "collectives/allreduce/allreduce.h"

#include <array>

namespace hockney {
namespace {

constexpr std::array kAlgorithms{
    AllreduceAlgorithm{"ring", "ring reduce-scatter + ring all-gather (bandwidth-optimal, any p)",
                       ringAllreduce, ringAllreduceCost, ringAllreduceScratch},
    AllreduceAlgorithm{
        "recursive_doubling",
        "full-vector exchange with partners at distance 1, 2, 4, ... (latency-optimal)",
        recursiveDoublingAllreduce, recursiveDoublingAllreduceCost,
        recursiveDoublingAllreduceScratch},
    AllreduceAlgorithm{
        "rabenseifner", "recursive-halving reduce-scatter + recursive-doubling all-gather",
        rabenseifnerAllreduce, rabenseifnerAllreduceCost, rabenseifnerAllreduceScratch},
    AllreduceAlgorithm{"tree", "binomial-tree reduce to rank 0 + binomial-tree broadcast",
                       treeAllreduce, treeAllreduceCost, treeAllreduceScratch},
    AllreduceAlgorithm{"double_binary_tree",
                       "two complementary binary trees, each reducing and broadcasting half, "
                       "pipelined in chunks",
                       doubleBinaryTreeAllreduce, doubleBinaryTreeAllreduceCost,
                       doubleBinaryTreeAllreduceScratch},
};

}  // namespace

std::span<const AllreduceAlgorithm> allreduceAlgorithms() {
  return kAlgorithms;
}

const AllreduceAlgorithm* findAllreduce(std::string_view name) {
  for (const auto& a : kAlgorithms)
    if (a.name == name) return &a;
  return nullptr;
}

}  // namespace hockney
