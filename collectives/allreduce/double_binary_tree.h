#pragma once
// The double binary tree's schedule as data, so the algorithm and its cost() read the same
// schedule: the algorithm executes it, the cost replays it with the counting transport's clock
// rules (collectives/schedule/schedule.h). Tests check the two agree with a real counting run.
#include <array>
#include <vector>

#include "collectives/core/cost.h"
#include "collectives/schedule/schedule.h"

namespace hockney {

struct BinaryTree {
  int root = 0;
  std::vector<int> parent;                   // -1 at the root
  std::vector<std::array<int, 2>> children;  // -1 where absent
};

// In-order binary tree over ranks 0..p-1 built from the ranks' low bits: rank 0 is the root,
// odd ranks are the leaves, depth ~ lg p.
BinaryTree inorderTree(int p);
// The same shape with each rank r playing another's role: mirrored (p-1-r) for even p, shifted
// (r+1) for odd p: parity flips, so the first tree's leaves are the second's interior nodes and
// every rank forwards data in at most one tree (NCCL's double binary tree idea).
BinaryTree complementTree(const BinaryTree& tree);

inline constexpr int kDbtSlots = 4;  // 2 trees x 2 children

Schedule doubleBinaryTreePlan(int p, int rank, size_t count, size_t chunkElems);

}  // namespace hockney
