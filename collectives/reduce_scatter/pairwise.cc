// Pairwise-exchange reduce-scatter: in step s = 1..p-1 rank r sends block (r+s) mod p of its
// input to that rank and receives its own block r from rank (r-s) mod p, reducing it in.
// Cost: (p-1)·α + (p-1)·b·β + (p-1)·b·γ, b = block bytes ((p-1)/p·n each). Any p; no
// combining, so every message is a single block (good for large p on switched networks).
// Scratch: one block. Reference: MPICH reduce_scatter pairwise (Thakur et al. 2005).
#include "collectives/reduce_scatter/reduce_scatter.h"

namespace hockney {

void pairwiseReduceScatter(Transport& t, const BlockShape& s, const void* input, void* output,
                           void* scratch) {
  if (s.block == 0) return;  // nothing to move: no messages either
  const int p = s.p;
  const int r = t.rank();
  const auto* in = static_cast<const std::byte*>(input);
  const size_t bb = s.blockBytes();
  t.copy(output, in + static_cast<size_t>(r) * bb, bb);
  for (int step = 1; step < p; ++step) {
    const int to = (r + step) % p;
    const int from = (r - step + p) % p;
    t.sendRecv(to, in + static_cast<size_t>(to) * bb, bb, from, scratch, bb);
    t.reduce(output, scratch, s.block, s.type, s.op);
  }
}

Cost pairwiseReduceScatterCost(const BlockShape& s) {
  if (s.p == 1 || s.block == 0) return {};
  const double b = static_cast<double>(s.blockBytes());
  return {static_cast<double>(s.p - 1), (s.p - 1) * b, (s.p - 1) * b};
}

size_t pairwiseReduceScatterScratch(const BlockShape& s) {
  return s.blockBytes();
}

}  // namespace hockney
