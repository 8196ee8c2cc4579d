// Tree all-reduce: binomial-tree reduce to rank 0, then binomial-tree broadcast from rank 0
// (collectives/reduce/binomial.h, collectives/bcast/binomial.h). Not pipelined: whole vectors
// move at every level, so it suits small messages only.
// Cost: 2⌈lg p⌉·α + 2⌈lg p⌉·n·β + ⌈lg p⌉·n·γ, any p.
// Scratch: n bytes. Reference: Chan et al. 2007 (MST reduce + broadcast).
#include "collectives/allreduce/allreduce.h"
#include "collectives/bcast/binomial.h"
#include "collectives/reduce/binomial.h"

namespace hockney {

void treeAllreduce(Transport& t, const AllreduceArgs& args) {
  const auto& s = args.shape;
  const size_t bytes = s.count * elementSize(s.type);
  t.copy(args.output, args.input, bytes);
  binomialReduce(t, args.output, s.count, s.type, s.op, 0, args.scratch);
  binomialBcast(t, args.output, bytes, 0);
}

Cost treeAllreduceCost(int p, const AllreduceShape& s) {
  return binomialReduceCost(p, s.count, s.type) +
         binomialBcastCost(p, s.count * elementSize(s.type));
}

size_t treeAllreduceScratch(int, const AllreduceShape& s) {
  return s.count * elementSize(s.type);
}

}  // namespace hockney
