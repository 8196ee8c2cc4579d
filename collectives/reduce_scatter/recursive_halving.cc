#include "collectives/reduce_scatter/recursive_halving.h"

namespace hockney {

void recursiveHalvingReduceScatterBlocks(Transport& t, const Fold& fold, void* buf,
                                         const Parts& parts, DataType type, ReduceOp op,
                                         void* scratch) {
  const int pof2 = fold.pof2;
  const int me = fold.newRank;
  if (pof2 == 1 || parts.count == 0) return;
  const size_t es = elementSize(type);
  auto* base = static_cast<std::byte*>(buf);
  int lo = 0;  // first part of the range this rank still reduces
  for (int m = pof2 / 2; m >= 1; m /= 2) {
    const int partner = me ^ m;
    const bool keepLower = (me & m) == 0;
    const int keepFirst = keepLower ? lo : lo + m;
    const int sendFirst = keepLower ? lo + m : lo;
    Chunk keep = parts.range(keepFirst, m);
    Chunk give = parts.range(sendFirst, m);
    t.sendRecv(fold.oldRank(partner), base + give.offset * es, give.length * es,
               fold.oldRank(partner), scratch, keep.length * es);
    t.reduce(base + keep.offset * es, scratch, keep.length, type, op);
    lo = keepFirst;
  }
}

double halvingLevelBytes(const Parts& parts, size_t elemSize) {
  double total = 0;
  for (int m = parts.pof2 / 2; m >= 1; m /= 2)
    total += static_cast<double>(parts.range(0, m).length * elemSize);
  return total;
}

Cost recursiveHalvingReduceScatterBlocksCost(const Parts& parts, DataType type) {
  if (parts.pof2 == 1 || parts.count == 0) return {};
  double s = halvingLevelBytes(parts, elementSize(type));
  return {static_cast<double>(floorLog2(static_cast<size_t>(parts.pof2))), s, s};
}

}  // namespace hockney

// The reduce-scatter pattern by recursive halving. p not a power of two (MPICH's scheme): the
// first 2r ranks fold pairwise (even sends its whole vector to odd, which reduces), participant
// i < r then owns the blocks of ranks 2i and 2i+1, and at the end hands block 2i back.
// Cost: lg p'·α + S·β + S·γ with S = Σ_m bytes of parts [0, m) ((p-1)/p·n for p = p'), plus for
// r > 0 the fold's α + n·β + n·γ and the hand-back's α + b·β: (⌊lg p⌋+2)·α in all.
// Scratch: the working copy (n) and a receive buffer (n).
#include "collectives/allreduce/fold.h"
#include "collectives/reduce_scatter/reduce_scatter.h"

namespace hockney {

void recursiveHalvingReduceScatter(Transport& t, const BlockShape& s, const void* input,
                                   void* output, void* scratch) {
  if (s.block == 0) return;  // nothing to move: no messages either
  const int r = t.rank();
  const size_t n = s.block * static_cast<size_t>(s.p);
  auto* work = static_cast<std::byte*>(scratch);
  auto* recvBuf = work + s.totalBytes();
  const size_t bb = s.blockBytes();
  t.copy(work, input, s.totalBytes());
  const Fold fold = foldOf(r, s.p);
  foldIn(t, fold, work, n, s.type, s.op, recvBuf);
  if (fold.participates())
    recursiveHalvingReduceScatterBlocks(t, fold, work, Parts::foldedBlocks(s.block, s.p), s.type,
                                        s.op, recvBuf);
  if (fold.partner >= 0) {
    if (fold.participates()) {
      t.send(fold.partner, work + static_cast<size_t>(fold.partner) * bb, bb);
      t.copy(output, work + static_cast<size_t>(r) * bb, bb);
    } else {
      t.recv(fold.partner, output, bb);
    }
  } else {
    t.copy(output, work + static_cast<size_t>(r) * bb, bb);
  }
}

Cost recursiveHalvingReduceScatterCost(const BlockShape& s) {
  if (s.p == 1 || s.block == 0) return {};
  const Fold f = foldOf(0, s.p);
  Cost c = recursiveHalvingReduceScatterBlocksCost(Parts::foldedBlocks(s.block, s.p), s.type);
  if (f.remainder > 0) {
    const double n = static_cast<double>(s.totalBytes());
    c += Cost{2, n + static_cast<double>(s.blockBytes()), n};
  }
  return c;
}

size_t recursiveHalvingReduceScatterScratch(const BlockShape& s) {
  return 2 * s.totalBytes();
}

}  // namespace hockney
