#include "collectives/allgather/recursive_doubling.h"

#include "collectives/reduce_scatter/recursive_halving.h"

namespace hockney {

void recursiveDoublingAllgatherBlocks(Transport& t, const Fold& fold, void* buf, size_t count,
                                      size_t elemSize) {
  const int pof2 = fold.pof2;
  const int me = fold.newRank;
  if (pof2 == 1 || count == 0) return;
  auto* base = static_cast<std::byte*>(buf);
  const auto parts = static_cast<size_t>(pof2);
  for (int m = 1; m < pof2; m *= 2) {
    const int partner = me ^ m;
    Chunk mine =
        chunkRange(count, parts, static_cast<size_t>(me & ~(m - 1)), static_cast<size_t>(m));
    Chunk theirs =
        chunkRange(count, parts, static_cast<size_t>(partner & ~(m - 1)), static_cast<size_t>(m));
    t.sendRecv(fold.oldRank(partner), base + mine.offset * elemSize, mine.length * elemSize,
               fold.oldRank(partner), base + theirs.offset * elemSize, theirs.length * elemSize);
  }
}

Cost recursiveDoublingAllgatherBlocksCost(int pof2, size_t count, size_t elemSize) {
  if (pof2 == 1 || count == 0) return {};
  return {static_cast<double>(floorLog2(static_cast<size_t>(pof2))),
          halvingLevelBytes(pof2, count, elemSize), 0};
}

}  // namespace hockney
