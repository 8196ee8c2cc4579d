// Double binary tree all-reduce (as NCCL's tree algorithm): the vector is split in two halves;
// half t is reduced up tree t and broadcast down it, both trees at once, in chunks of chunkBytes
// so that levels work on different chunks concurrently (pipelining).
// Trees: an in-order binary tree whose leaves are the odd ranks, and its complement (mirrored for
// even p, shifted for odd p), so every rank is interior in at most one tree (even p).
// Rounds are global and each message is sent and received in the same round (deadlock-free for
// any pair of tree shapes): with d a rank's depth and D the tree's depth, chunk j leaves depth d
// upwards in round j + D - d (the parent received the children's chunk j in the round before and
// reduced it), and downwards in round R + j + d, R = the reduce phase's rounds. Each round is one
// step carrying both trees' transfers (tag = tree); rounds in which a rank has nothing to do are
// empty steps and cost nothing.
// Cost, k chunks per half, tree depth D, chunk c bytes: about 2(k+D)·α + 2(k+D)·2c·β + (k+D)·2c·γ
//   (an interior node moves two children's chunks per round), i.e. 2Dα + 2nβ + nγ for large n.
//   The exact coefficients depend on the tree shape; cost() replays the schedule below with the
//   counting transport's rules, and tests check that against a counting run.
// Scratch: 4 chunks (2 trees x 2 children). Reference: Sanders, Speck & Träff 2009; NVIDIA,
// "Massively Scale Your Deep Learning Training with NCCL 2.4" (2019).
#include "collectives/allreduce/double_binary_tree.h"

#include <algorithm>
#include <tuple>

#include "collectives/allreduce/allreduce.h"
#include "collectives/core/chunk.h"
#include "collectives/core/error.h"

namespace hockney {
namespace {

size_t chunkElemsFor(const AllreduceShape& s) {
  return std::max<size_t>(1, s.chunkBytes / elementSize(s.type));
}

// A scratch slot holds one chunk of one half.
size_t slotElemsFor(const AllreduceShape& s) {
  return std::min(chunkElemsFor(s), maxChunkLength(s.count, 2));
}

std::vector<Schedule> allPlans(int p, size_t count, size_t chunkElems) {
  std::vector<Schedule> schedules;
  for (int r = 0; r < p; ++r) schedules.push_back(doubleBinaryTreePlan(p, r, count, chunkElems));
  return schedules;
}

}  // namespace

BinaryTree inorderTree(int p) {
  BinaryTree t;
  t.parent.assign(static_cast<size_t>(p), -1);
  t.children.assign(static_cast<size_t>(p), {-1, -1});
  t.root = 0;
  // Rank x >= 1 with lowest set bit b hangs below x - b or x + b, whichever has lowest bit 2b
  // (the in-order tree over 1..2^K-1); when that rank does not exist, below x - b. Rank 0 is the
  // root above the highest power of two. Odd ranks are exactly the leaves.
  for (int x = 1; x < p; ++x) {
    int b = x & -x;
    int up = (x ^ b) | (b << 1);
    if (up >= p) up = x ^ b;
    t.parent[static_cast<size_t>(x)] = up;
    auto& kids = t.children[static_cast<size_t>(up)];
    HOCKNEY_CHECK(kids[1] < 0, "rank {} would get a third child {}", up, x);
    kids[kids[0] < 0 ? 0 : 1] = x;
  }
  return t;
}

BinaryTree complementTree(const BinaryTree& tree) {
  const int p = static_cast<int>(tree.parent.size());
  // role(r): the rank of the first tree whose place r takes.
  auto role = [p](int r) { return p % 2 == 0 ? p - 1 - r : (r + 1) % p; };
  auto holder = [p](int q) { return p % 2 == 0 ? p - 1 - q : (q - 1 + p) % p; };  // role^-1
  auto map = [&](int q) { return q < 0 ? -1 : holder(q); };
  BinaryTree c;
  c.parent.assign(static_cast<size_t>(p), -1);
  c.children.assign(static_cast<size_t>(p), {-1, -1});
  c.root = holder(tree.root);
  for (int r = 0; r < p; ++r) {
    auto q = static_cast<size_t>(role(r));
    c.parent[static_cast<size_t>(r)] = map(tree.parent[q]);
    c.children[static_cast<size_t>(r)] = {map(tree.children[q][0]), map(tree.children[q][1])};
  }
  return c;
}

Schedule doubleBinaryTreePlan(int p, int rank, size_t count, size_t chunkElems) {
  Schedule schedule;
  if (p == 1 || count == 0) return schedule;
  const BinaryTree first = inorderTree(p);
  const std::array<BinaryTree, 2> trees{first, complementTree(first)};
  auto at = [&schedule](size_t round) -> ScheduleStep& {
    if (schedule.size() <= round) schedule.resize(round + 1);
    return schedule[round];
  };
  // Global rounds: every message is sent and received in the same round, which makes the
  // schedule deadlock-free whatever the two trees' shapes. With d = depth and D = tree depth,
  // chunk j goes up from depth d in round j + D - d and down from depth d in round j + d.
  std::array<size_t, 2> depthOf{}, treeDepth{}, chunks{};
  for (size_t ti = 0; ti < 2; ++ti) {
    for (int r = 0; r < p; ++r) {
      size_t d = 0;
      for (int q = r; trees[ti].parent[static_cast<size_t>(q)] >= 0;
           q = trees[ti].parent[static_cast<size_t>(q)])
        ++d;
      if (r == rank) depthOf[ti] = d;
      treeDepth[ti] = std::max(treeDepth[ti], d);
    }
    chunks[ti] = (chunkOf(count, 2, ti).length + chunkElems - 1) / chunkElems;
  }
  size_t reduceRounds = 0;
  for (size_t ti = 0; ti < 2; ++ti)
    if (chunks[ti] > 0) reduceRounds = std::max(reduceRounds, chunks[ti] + treeDepth[ti]);
  for (size_t ti = 0; ti < 2; ++ti) {
    const BinaryTree& tree = trees[ti];
    const Chunk half = chunkOf(count, 2, ti);
    const int parent = tree.parent[static_cast<size_t>(rank)];
    const auto& kids = tree.children[static_cast<size_t>(rank)];
    const int tag = static_cast<int>(ti);
    const size_t up = treeDepth[ti] - depthOf[ti];  // round offset of this rank's upward send
    for (size_t j = 0; j < chunks[ti]; ++j) {
      const size_t off = half.offset + j * chunkElems;
      const size_t len = std::min(chunkElems, half.offset + half.length - off);
      for (size_t c = 0; c < 2; ++c) {
        if (kids[c] < 0) continue;
        const int slot = static_cast<int>(2 * ti + c);
        at(j + up - 1).recvs.push_back({kids[c], off, len, slot, tag});
        at(j + up - 1).reduces.push_back({-1, off, len, slot, tag});
      }
      if (parent >= 0) {
        at(j + up).sends.push_back({parent, off, len, -1, tag});
        at(reduceRounds + j + depthOf[ti] - 1).recvs.push_back({parent, off, len, -1, tag});
      }
      for (int kid : kids)
        if (kid >= 0) at(reduceRounds + j + depthOf[ti]).sends.push_back({kid, off, len, -1, tag});
    }
  }
  return schedule;
}

void doubleBinaryTreeAllreduce(Transport& t, const AllreduceArgs& args) {
  const auto& s = args.shape;
  t.copy(args.output, args.input, s.count * elementSize(s.type));
  const size_t chunkElems = chunkElemsFor(s);
  // Building the schedule is host work, kept out of timed calls: the last schedule is reused while
  // the shape stays the same (per thread, so in-process ranks each keep their own).
  thread_local ScheduleCache<std::tuple<int, int, size_t, size_t>> cache;
  const Schedule& schedule =
      cache.get(std::make_tuple(t.size(), t.rank(), s.count, chunkElems),
                [&] { return doubleBinaryTreePlan(t.size(), t.rank(), s.count, chunkElems); });
  executeSchedule(t, schedule, ScheduleBuffers{args.output, args.scratch, slotElemsFor(s)}, s.type,
                  s.op);
}

Cost doubleBinaryTreeAllreduceCost(int p, const AllreduceShape& s) {
  if (p == 1 || s.count == 0) return {};
  return replaySchedules(allPlans(p, s.count, chunkElemsFor(s)), elementSize(s.type));
}

size_t doubleBinaryTreeAllreduceScratch(int p, const AllreduceShape& s) {
  if (p == 1) return 0;
  return kDbtSlots * slotElemsFor(s) * elementSize(s.type);
}

}  // namespace hockney
