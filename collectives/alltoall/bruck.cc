// Bruck all-to-all (store and forward, uniform blocks only): rotate so position j holds the
// block for rank r+j; in step k (distance 2^k) send every block whose position has bit k set to
// rank r+2^k and receive the same positions from r-2^k; finally the block at position j came
// from rank r-j. ⌈lg p⌉ messages instead of p-1, each carrying about half the data.
// Cost: ⌈lg p⌉·α + Σ_k c_k·b·β, c_k = #{j < p : bit k of j set} (≈ (n/2)·lg p for powers of
// two). Scratch: 2n (rotated blocks, packed blocks). Reference: Bruck et al. 1997; MPICH
// alltoall Bruck.
#include "collectives/alltoall/alltoall.h"
#include "collectives/core/chunk.h"

namespace hockney {
namespace {

size_t blocksWithBit(int p, int bit) {
  size_t c = 0;
  for (int j = 0; j < p; ++j) c += (j & bit) ? 1 : 0;
  return c;
}

}  // namespace

void bruckAlltoall(Transport& t, const BlockShape& s, const void* input, void* output,
                   void* scratch) {
  if (s.block == 0) return;  // nothing to move: no messages either
  const int p = s.p;
  const int r = t.rank();
  const size_t bb = s.blockBytes();
  const auto* in = static_cast<const std::byte*>(input);
  auto* out = static_cast<std::byte*>(output);
  auto* work = static_cast<std::byte*>(scratch);
  auto* packed = work + s.totalBytes();
  for (int j = 0; j < p; ++j)
    t.copy(work + static_cast<size_t>(j) * bb, in + static_cast<size_t>((r + j) % p) * bb, bb);
  for (int bit = 1; bit < p; bit *= 2) {
    size_t k = 0;
    for (int j = 0; j < p; ++j)
      if (j & bit) t.copy(packed + (k++) * bb, work + static_cast<size_t>(j) * bb, bb);
    // Receive into the output as a staging area: it is rewritten by the final rotation.
    t.sendRecv((r + bit) % p, packed, k * bb, (r - bit + p) % p, out, k * bb);
    k = 0;
    for (int j = 0; j < p; ++j)
      if (j & bit) t.copy(work + static_cast<size_t>(j) * bb, out + (k++) * bb, bb);
  }
  for (int j = 0; j < p; ++j)
    t.copy(out + static_cast<size_t>((r - j + p) % p) * bb, work + static_cast<size_t>(j) * bb, bb);
}

Cost bruckAlltoallCost(const BlockShape& s) {
  if (s.p == 1 || s.block == 0) return {};
  Cost c;
  for (int bit = 1; bit < s.p; bit *= 2)
    c += Cost{1, static_cast<double>(blocksWithBit(s.p, bit) * s.blockBytes()), 0};
  return c;
}

size_t bruckAlltoallScratch(const BlockShape& s) {
  return 2 * s.totalBytes();
}

}  // namespace hockney
