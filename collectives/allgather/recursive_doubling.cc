#include "collectives/allgather/recursive_doubling.h"

#include "collectives/allgather/allgather.h"
#include "collectives/reduce_scatter/recursive_halving.h"

namespace hockney {

void recursiveDoublingAllgatherBlocks(Transport& t, const Fold& fold, void* buf, const Parts& parts,
                                      size_t elemSize) {
  const int pof2 = fold.pof2;
  const int me = fold.newRank;
  if (pof2 == 1 || parts.count == 0) return;
  auto* base = static_cast<std::byte*>(buf);
  for (int m = 1; m < pof2; m *= 2) {
    const int partner = me ^ m;
    Chunk mine = parts.range(me & ~(m - 1), m);
    Chunk theirs = parts.range(partner & ~(m - 1), m);
    t.sendRecv(fold.oldRank(partner), base + mine.offset * elemSize, mine.length * elemSize,
               fold.oldRank(partner), base + theirs.offset * elemSize, theirs.length * elemSize);
  }
}

Cost recursiveDoublingAllgatherBlocksCost(const Parts& parts, size_t elemSize) {
  if (parts.pof2 == 1 || parts.count == 0) return {};
  return {static_cast<double>(floorLog2(static_cast<size_t>(parts.pof2))),
          halvingLevelBytes(parts, elemSize), 0};
}

}  // namespace hockney

// The all-gather pattern by recursive doubling. p not a power of two: each even rank among the
// first 2r first sends its block to the odd rank above (participant i < r then owns two blocks),
// and receives the whole result from it at the end.
// Cost: lg p'·α + S·β (S = Σ_m bytes of parts [0, m); (p-1)/p·n for p = p') plus, for r > 0,
// α + b·β before and α + n·β after.
namespace hockney {

void recursiveDoublingAllgather(Transport& t, const BlockShape& s, const void* input, void* output,
                                void*) {
  if (s.block == 0) return;  // nothing to move: no messages either
  const int r = t.rank();
  const size_t bb = s.blockBytes();
  auto* out = static_cast<std::byte*>(output);
  t.copy(out + static_cast<size_t>(r) * bb, input, bb);
  const Fold fold = foldOf(r, s.p);
  if (fold.partner >= 0) {
    if (fold.participates())
      t.recv(fold.partner, out + static_cast<size_t>(fold.partner) * bb, bb);
    else
      t.send(fold.partner, out + static_cast<size_t>(r) * bb, bb);
  }
  if (fold.participates())
    recursiveDoublingAllgatherBlocks(t, fold, out, Parts::foldedBlocks(s.block, s.p),
                                     elementSize(s.type));
  if (fold.partner >= 0) {
    if (fold.participates())
      t.send(fold.partner, out, s.totalBytes());
    else
      t.recv(fold.partner, out, s.totalBytes());
  }
}

Cost recursiveDoublingAllgatherCost(const BlockShape& s) {
  if (s.p == 1 || s.block == 0) return {};
  Cost c =
      recursiveDoublingAllgatherBlocksCost(Parts::foldedBlocks(s.block, s.p), elementSize(s.type));
  if (foldOf(0, s.p).remainder > 0)
    c += Cost{2, static_cast<double>(s.blockBytes() + s.totalBytes()), 0};
  return c;
}

size_t recursiveDoublingAllgatherScratch(const BlockShape&) {
  return 0;
}

}  // namespace hockney
