#include "collectives/reduce_scatter/ring.h"

#include "collectives/core/chunk.h"
#include "collectives/reduce_scatter/reduce_scatter.h"

namespace hockney {

void ringReduceScatterBlocks(Transport& t, void* buf, size_t count, DataType type, ReduceOp op,
                             void* scratch) {
  const int p = t.size();
  const int r = t.rank();
  if (p == 1 || count == 0) return;
  const size_t es = elementSize(type);
  auto* base = static_cast<std::byte*>(buf);
  const int next = (r + 1) % p;
  const int prev = (r - 1 + p) % p;
  for (int s = 0; s < p - 1; ++s) {
    Chunk out = chunkOf(count, p, static_cast<size_t>(((r - s - 1) % p + p) % p));
    Chunk in = chunkOf(count, p, static_cast<size_t>(((r - s - 2) % p + p) % p));
    t.sendRecv(next, base + out.offset * es, out.length * es, prev, scratch, in.length * es);
    t.reduce(base + in.offset * es, scratch, in.length, type, op);
  }
}

Cost ringReduceScatterBlocksCost(int p, size_t count, DataType type) {
  if (p == 1 || count == 0) return {};
  double c = static_cast<double>(maxChunkLength(count, p) * elementSize(type));
  return {static_cast<double>(p - 1), (p - 1) * c, (p - 1) * c};
}

}  // namespace hockney

namespace hockney {

void ringReduceScatter(Transport& t, const BlockShape& s, const void* input, void* output,
                       void* scratch) {
  if (s.block == 0) return;  // nothing to move: no messages either
  auto* work = static_cast<std::byte*>(scratch);
  const size_t n = s.block * static_cast<size_t>(s.p);
  t.copy(work, input, s.totalBytes());
  ringReduceScatterBlocks(t, work, n, s.type, s.op, work + s.totalBytes());
  t.copy(output, work + static_cast<size_t>(t.rank()) * s.blockBytes(), s.blockBytes());
}

Cost ringReduceScatterCost(const BlockShape& s) {
  return ringReduceScatterBlocksCost(s.p, s.block * static_cast<size_t>(s.p), s.type);
}

size_t ringReduceScatterScratch(const BlockShape& s) {
  return s.totalBytes() + s.blockBytes();
}

}  // namespace hockney
