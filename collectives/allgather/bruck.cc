// Bruck all-gather: ⌈lg p⌉ steps for any p. A working buffer holds blocks in rotated order
// (position j = block of rank r+j); in step k rank r sends its first min(2^k, p-2^k) blocks to
// rank r-2^k and receives as many from rank r+2^k behind them. A final rotation puts block j at
// rank r+j's place.
// Cost: ⌈lg p⌉·α + (p-1)·b·β (+ local copies). Scratch: p blocks.
// Reference: Bruck et al., IEEE TPDS 8(11), 1997; MPICH allgather Bruck.
#include "collectives/allgather/allgather.h"
#include "collectives/core/chunk.h"

#include <algorithm>

namespace hockney {

void bruckAllgather(Transport& t, const BlockShape& s, const void* input, void* output,
                    void* scratch) {
  if (s.block == 0) return;  // nothing to move: no messages either
  const int p = s.p;
  const int r = t.rank();
  const size_t bb = s.blockBytes();
  auto* work = static_cast<std::byte*>(scratch);
  t.copy(work, input, bb);
  for (int dist = 1; dist < p; dist *= 2) {
    const size_t blocks = static_cast<size_t>(std::min(dist, p - dist));
    t.sendRecv((r - dist + p) % p, work, blocks * bb, (r + dist) % p,
               work + static_cast<size_t>(dist) * bb, blocks * bb);
  }
  auto* out = static_cast<std::byte*>(output);
  for (int j = 0; j < p; ++j)
    t.copy(out + static_cast<size_t>((r + j) % p) * bb, work + static_cast<size_t>(j) * bb, bb);
}

Cost bruckAllgatherCost(const BlockShape& s) {
  if (s.p == 1 || s.block == 0) return {};
  return {static_cast<double>(ceilLog2(static_cast<size_t>(s.p))),
          static_cast<double>((s.p - 1) * s.blockBytes()), 0};
}

size_t bruckAllgatherScratch(const BlockShape& s) {
  return s.totalBytes();
}

}  // namespace hockney
