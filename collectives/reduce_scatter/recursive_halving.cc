#include "collectives/reduce_scatter/recursive_halving.h"

namespace hockney {

void recursiveHalvingReduceScatterBlocks(Transport& t, const Fold& fold, void* buf, size_t count,
                                         DataType type, ReduceOp op, void* scratch) {
  const int pof2 = fold.pof2;
  const int me = fold.newRank;
  if (pof2 == 1 || count == 0) return;
  const size_t es = elementSize(type);
  auto* base = static_cast<std::byte*>(buf);
  size_t lo = 0;  // first chunk of the range this rank still reduces
  for (int m = pof2 / 2; m >= 1; m /= 2) {
    const int partner = me ^ m;
    const bool keepLower = (me & m) == 0;
    const size_t keepFirst = keepLower ? lo : lo + static_cast<size_t>(m);
    const size_t sendFirst = keepLower ? lo + static_cast<size_t>(m) : lo;
    Chunk keep = chunkRange(count, static_cast<size_t>(pof2), keepFirst, static_cast<size_t>(m));
    Chunk give = chunkRange(count, static_cast<size_t>(pof2), sendFirst, static_cast<size_t>(m));
    t.sendRecv(fold.oldRank(partner), base + give.offset * es, give.length * es,
               fold.oldRank(partner), scratch, keep.length * es);
    t.reduce(base + keep.offset * es, scratch, keep.length, type, op);
    lo = keepFirst;
  }
}

double halvingLevelBytes(int pof2, size_t count, size_t elemSize) {
  double total = 0;
  for (int m = pof2 / 2; m >= 1; m /= 2)
    total += static_cast<double>(
        chunkRange(count, static_cast<size_t>(pof2), 0, static_cast<size_t>(m)).length * elemSize);
  return total;
}

Cost recursiveHalvingReduceScatterBlocksCost(int pof2, size_t count, DataType type) {
  if (pof2 == 1 || count == 0) return {};
  double s = halvingLevelBytes(pof2, count, elementSize(type));
  return {static_cast<double>(floorLog2(static_cast<size_t>(pof2))), s, s};
}

}  // namespace hockney
