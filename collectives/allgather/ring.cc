#include "collectives/allgather/ring.h"

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
