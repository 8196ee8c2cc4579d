// Hierarchical all-reduce over a two-level placement: m nodes of g ranks each.
//   1. ring reduce-scatter among the g ranks of each node: local rank i holds part i (of g) of
//      the node's sum;
//   2. all-reduce of part i among the m ranks with local rank i, one on each node
//      (Rabenseifner: logarithmic rounds, bandwidth-optimal), the g exchanges in parallel;
//   3. ring all-gather among the g ranks of each node.
// Cost, c = ceil(count/g) elements (the largest part), e bytes each, n = count·e:
//   node:    2(g-1)·α + 2(g-1)·c·e·β + (g-1)·c·e·γ, plus the inter phase's γ;
//   network: Rabenseifner's α and β for m ranks and c elements (2 lg m·α + 2(m-1)/m·c·e·β when
//            m is a power of two dividing c).
// Only n/g bytes per rank cross the network instead of n: where the network is the slow level,
// this is the algorithm of NCCL's and MVAPICH's multi-node all-reduce.
// Needs the placement (CallShape::nodeOfRank) with every node holding the same number of ranks
// and more than one node. Scratch: c·e bytes. Reference: Thakur et al. 2005; Jia et al. 2018
// ("hierarchical all-reduce"); NCCL's tree/ring split by node.
#include "collectives/allreduce/hierarchical.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "collectives/allgather/ring.h"
#include "collectives/allreduce/allreduce.h"
#include "collectives/core/chunk.h"
#include "collectives/core/error.h"
#include "collectives/reduce_scatter/ring.h"
#include "collectives/transport/group.h"

namespace hockney {

NodeGroups nodeGroups(const std::vector<int>& nodeOfRank) {
  NodeGroups g;
  std::map<int, size_t> index;
  for (size_t r = 0; r < nodeOfRank.size(); ++r) {
    auto [it, added] = index.emplace(nodeOfRank[r], g.nodes.size());
    if (added) g.nodes.emplace_back();
    g.nodes[it->second].push_back(static_cast<int>(r));
  }
  return g;
}

std::optional<std::string> hierarchicalUnavailable(const CallShape& s) {
  if (s.nodeOfRank == nullptr || static_cast<int>(s.nodeOfRank->size()) != s.ranks)
    return std::string("needs the job's placement (which ranks share a host)");
  const NodeGroups g = nodeGroups(*s.nodeOfRank);
  if (g.nodes.size() < 2)
    return fmt::format("all {} ranks are on one host; it needs more than one", s.ranks);
  for (const auto& node : g.nodes)
    if (node.size() != g.nodes.front().size())
      return fmt::format(
          "hosts hold unequal numbers of ranks ({} and {}); it needs the same "
          "number on every host",
          g.nodes.front().size(), node.size());
  return std::nullopt;
}

void hierarchicalAllreduceRun(Transport& t, const CallShape& s, const CallBuffers& b) {
  const size_t es = elementSize(s.type);
  t.copy(b.output, b.input, s.count * es);
  if (t.size() == 1 || s.count == 0) return;
  if (auto why = hierarchicalUnavailable(s)) HOCKNEY_THROW("hierarchical all-reduce: {}", *why);
  const NodeGroups g = nodeGroups(*s.nodeOfRank);
  const int perNode = g.perNode();
  std::vector<int> local, peers;
  int localRank = -1;
  for (const auto& node : g.nodes) {
    auto it = std::find(node.begin(), node.end(), t.rank());
    if (it != node.end()) {
      local = node;
      localRank = static_cast<int>(it - node.begin());
    }
  }
  for (const auto& node : g.nodes) peers.push_back(node[static_cast<size_t>(localRank)]);

  GroupTransport inNode(t, local), acrossNodes(t, peers);
  ringReduceScatterBlocks(inNode, b.output, s.count, s.type, s.op, b.scratch);
  const Chunk mine = chunkOf(s.count, static_cast<size_t>(perNode), static_cast<size_t>(localRank));
  std::byte* part = static_cast<std::byte*>(b.output) + mine.offset * es;
  rabenseifnerAllreduce(
      acrossNodes,
      AllreduceArgs{{mine.length, s.type, s.op, kDefaultChunkBytes}, part, part, b.scratch});
  ringAllgatherBlocks(inNode, b.output, s.count, es);
}

LevelCost hierarchicalAllreduceLevelCost(const CallShape& s) {
  if (s.ranks == 1 || s.count == 0 || hierarchicalUnavailable(s)) return {};
  const NodeGroups g = nodeGroups(*s.nodeOfRank);
  const int perNode = g.perNode(), nodes = static_cast<int>(g.nodes.size());
  const size_t es = elementSize(s.type);
  LevelCost c;
  c.node = ringReduceScatterBlocksCost(perNode, s.count, s.type) +
           ringAllgatherBlocksCost(perNode, s.count, es);
  const Cost inter = rabenseifnerAllreduceCost(
      nodes, AllreduceShape{maxChunkLength(s.count, static_cast<size_t>(perNode)), s.type, s.op,
                            kDefaultChunkBytes});
  c.network = Cost{inter.alphaCount, inter.betaBytes, 0};
  c.node.gammaBytes += inter.gammaBytes;
  return c;
}

size_t hierarchicalAllreduceScratch(const CallShape& s, int) {
  if (s.nodeOfRank == nullptr || hierarchicalUnavailable(s)) return s.count * elementSize(s.type);
  const NodeGroups g = nodeGroups(*s.nodeOfRank);
  return maxChunkLength(s.count, static_cast<size_t>(g.perNode())) * elementSize(s.type);
}

}  // namespace hockney
