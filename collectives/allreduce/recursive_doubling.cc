// Recursive-doubling all-reduce: at distance m = 1, 2, ..., p'/2 every rank exchanges its whole
// vector with rank^m and reduces what it receives. p not a power of two: fold to p' first
// (collectives/allreduce/fold.h) and unfold at the end.
// Cost, p = p': lg p·α + lg p·n·β + lg p·n·γ.
//       other p: (lg p' + 2)·α + (lg p' + 2)·n·β + (lg p' + 1)·n·γ.
// Best for small messages (fewest rounds); moves lg p times the data.
// Scratch: n bytes. Reference: MPICH allreduce_intra_recursive_doubling.c; Thakur et al. 2005.
#include "collectives/allreduce/allreduce.h"
#include "collectives/allreduce/fold.h"

namespace hockney {

void recursiveDoublingAllreduce(Transport& t, const AllreduceArgs& args) {
  const auto& s = args.shape;
  const size_t bytes = s.count * elementSize(s.type);
  t.copy(args.output, args.input, bytes);
  if (t.size() == 1 || s.count == 0) return;
  Fold fold = foldOf(t.rank(), t.size());
  foldIn(t, fold, args.output, s.count, s.type, s.op, args.scratch);
  if (fold.participates()) {
    for (int m = 1; m < fold.pof2; m *= 2) {
      int partner = fold.oldRank(fold.newRank ^ m);
      t.sendRecv(partner, args.output, bytes, partner, args.scratch, bytes);
      t.reduce(args.output, args.scratch, s.count, s.type, s.op);
    }
  }
  foldOut(t, fold, args.output, s.count, s.type);
}

Cost recursiveDoublingAllreduceCost(int p, const AllreduceShape& s) {
  if (p == 1 || s.count == 0) return {};
  int lg = floorLog2(static_cast<size_t>(p));
  double n = static_cast<double>(s.count * elementSize(s.type));
  return Cost{static_cast<double>(lg), lg * n, lg * n} + foldCost(p, s.count, s.type);
}

size_t recursiveDoublingAllreduceScratch(int, const AllreduceShape& s) {
  return s.count * elementSize(s.type);
}

}  // namespace hockney
