// Ring all-reduce = ring reduce-scatter + ring all-gather (collectives/reduce_scatter/ring.h,
// collectives/allgather/ring.h), in place on the output after copying the input there.
// Steps: 2(p-1) neighbour exchanges; any p.
// Cost: 2(p-1)·α + 2(p-1)·c·β + (p-1)·c·γ, c = ceil(count/p)·elemSize
//       (= 2(p-1)/p·n β + (p-1)/p·n γ when p divides count: bandwidth-optimal).
// Scratch: c bytes. Reference: Patarasuk & Yuan, JPDC 69(2), 2009.
#include "collectives/allgather/ring.h"
#include "collectives/allreduce/allreduce.h"
#include "collectives/core/chunk.h"
#include "collectives/reduce_scatter/ring.h"

namespace hockney {

void ringAllreduce(Transport& t, const AllreduceArgs& args) {
  const auto& s = args.shape;
  t.copy(args.output, args.input, s.count * elementSize(s.type));
  ringReduceScatterBlocks(t, args.output, s.count, s.type, s.op, args.scratch);
  ringAllgatherBlocks(t, args.output, s.count, elementSize(s.type));
}

Cost ringAllreduceCost(int p, const AllreduceShape& s) {
  return ringReduceScatterBlocksCost(p, s.count, s.type) +
         ringAllgatherBlocksCost(p, s.count, elementSize(s.type));
}

size_t ringAllreduceScratch(int p, const AllreduceShape& s) {
  return maxChunkLength(s.count, static_cast<size_t>(p)) * elementSize(s.type);
}

}  // namespace hockney
