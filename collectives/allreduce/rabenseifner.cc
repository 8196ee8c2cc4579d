// Rabenseifner's all-reduce (bandwidth-optimal with logarithmic rounds): recursive-halving
// reduce-scatter, then recursive-doubling all-gather (collectives/reduce_scatter/
// recursive_halving.h, collectives/allgather/recursive_doubling.h); p not a power of two is
// folded to p' first and unfolded after (collectives/allreduce/fold.h).
// Cost, p = p' dividing count: 2 lg p·α + 2(p-1)/p·n·β + (p-1)/p·n·γ.
//       exact: 2 lg p'·α + 2S·β + S·γ with S = Σ_{m=p'/2..1} bytes of chunks [0, m) of count
//       split in p' parts; other p add the fold's 2α + 2n·β + n·γ, i.e.
//       (2⌊lg p⌋ + 2)·α + (2(p'-1)/p' + 2)·n·β + (1 + (p'-1)/p')·n·γ.
// Scratch: n bytes (the fold receives a whole vector). Reference: MPICH
// allreduce_intra_reduce_scatter_allgather.c; Rabenseifner 2004; Thakur et al. 2005.
#include "collectives/allgather/recursive_doubling.h"
#include "collectives/allreduce/allreduce.h"
#include "collectives/allreduce/fold.h"
#include "collectives/reduce_scatter/recursive_halving.h"

namespace hockney {

void rabenseifnerAllreduce(Transport& t, const AllreduceArgs& args) {
  const auto& s = args.shape;
  t.copy(args.output, args.input, s.count * elementSize(s.type));
  if (t.size() == 1 || s.count == 0) return;
  Fold fold = foldOf(t.rank(), t.size());
  foldIn(t, fold, args.output, s.count, s.type, s.op, args.scratch);
  if (fold.participates()) {
    const Parts parts = Parts::equal(s.count, fold.pof2);
    recursiveHalvingReduceScatterBlocks(t, fold, args.output, parts, s.type, s.op, args.scratch);
    recursiveDoublingAllgatherBlocks(t, fold, args.output, parts, elementSize(s.type));
  }
  foldOut(t, fold, args.output, s.count, s.type);
}

Cost rabenseifnerAllreduceCost(int p, const AllreduceShape& s) {
  if (p == 1 || s.count == 0) return {};
  const Parts parts = Parts::equal(s.count, foldOf(0, p).pof2);
  return recursiveHalvingReduceScatterBlocksCost(parts, s.type) +
         recursiveDoublingAllgatherBlocksCost(parts, elementSize(s.type)) +
         foldCost(p, s.count, s.type);
}

size_t rabenseifnerAllreduceScratch(int, const AllreduceShape& s) {
  return s.count * elementSize(s.type);
}

}  // namespace hockney
