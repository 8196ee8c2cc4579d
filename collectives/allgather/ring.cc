#include "collectives/allgather/ring.h"

#include "collectives/allgather/allgather.h"

#include "collectives/core/chunk.h"

namespace hockney {

void ringAllgatherBlocks(Transport& t, void* buf, size_t count, size_t elemSize) {
  const int p = t.size();
  const int r = t.rank();
  if (p == 1 || count == 0) return;
  auto* base = static_cast<std::byte*>(buf);
  const int next = (r + 1) % p;
  const int prev = (r - 1 + p) % p;
  for (int s = 0; s < p - 1; ++s) {
    Chunk out = chunkOf(count, p, static_cast<size_t>(((r - s) % p + p) % p));
    Chunk in = chunkOf(count, p, static_cast<size_t>(((r - s - 1) % p + p) % p));
    t.sendRecv(next, base + out.offset * elemSize, out.length * elemSize, prev,
               base + in.offset * elemSize, in.length * elemSize);
  }
}

Cost ringAllgatherBlocksCost(int p, size_t count, size_t elemSize) {
  if (p == 1 || count == 0) return {};
  double c = static_cast<double>(maxChunkLength(count, p) * elemSize);
  return {static_cast<double>(p - 1), (p - 1) * c, 0};
}

}  // namespace hockney

namespace hockney {

// The all-gather pattern: this rank's block into its place in the output, then the ring.
// Cost as ringAllgatherBlocks with count = p·block: (p-1)·α + (p-1)·b·β. No scratch.
void ringAllgather(Transport& t, const BlockShape& s, const void* input, void* output, void*) {
  if (s.block == 0) return;  // nothing to move: no messages either
  t.copy(static_cast<std::byte*>(output) + static_cast<size_t>(t.rank()) * s.blockBytes(), input,
         s.blockBytes());
  ringAllgatherBlocks(t, output, s.block * static_cast<size_t>(s.p), elementSize(s.type));
}

Cost ringAllgatherCost(const BlockShape& s) {
  return ringAllgatherBlocksCost(s.p, s.block * static_cast<size_t>(s.p), elementSize(s.type));
}

size_t ringAllgatherScratch(const BlockShape&) {
  return 0;
}

}  // namespace hockney
