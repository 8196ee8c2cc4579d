#pragma once
// The hierarchical all-reduce's view of the placement: which ranks share a node.
#include <optional>
#include <string>
#include <vector>

#include "collectives/core/cost.h"
#include "collectives/registry.h"

namespace hockney {

// Ranks grouped by node (nodes in order of their lowest rank, ranks ascending within a node).
struct NodeGroups {
  std::vector<std::vector<int>> nodes;
  int perNode() const { return nodes.empty() ? 0 : static_cast<int>(nodes.front().size()); }
};
NodeGroups nodeGroups(const std::vector<int>& nodeOfRank);

// Why the hierarchical all-reduce cannot run with this placement, or nullopt.
std::optional<std::string> hierarchicalUnavailable(const CallShape& shape);
void hierarchicalAllreduceRun(Transport& t, const CallShape& shape, const CallBuffers& b);
LevelCost hierarchicalAllreduceLevelCost(const CallShape& shape);
size_t hierarchicalAllreduceScratch(const CallShape& shape, int rank);

}  // namespace hockney
