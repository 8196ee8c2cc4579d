#include "collectives/core/chunk.h"

#include <bit>

#include "collectives/core/error.h"

namespace hockney {

Chunk chunkOf(size_t count, size_t parts, size_t index) {
  HOCKNEY_CHECK(parts > 0 && index < parts, "chunk {} of {} parts", index, parts);
  size_t base = count / parts;
  size_t extra = count % parts;
  size_t offset = index * base + (index < extra ? index : extra);
  return Chunk{offset, base + (index < extra ? 1 : 0)};
}

Chunk chunkRange(size_t count, size_t parts, size_t first, size_t n) {
  HOCKNEY_CHECK(n >= 1 && first + n <= parts, "chunk range [{}, {}) of {} parts", first, first + n,
                parts);
  Chunk a = chunkOf(count, parts, first);
  Chunk b = chunkOf(count, parts, first + n - 1);
  return Chunk{a.offset, b.offset + b.length - a.offset};
}

size_t maxChunkLength(size_t count, size_t parts) {
  return (count + parts - 1) / parts;
}

Fold foldOf(int rank, int p) {
  HOCKNEY_CHECK(p >= 1 && rank >= 0 && rank < p, "rank {} of {}", rank, p);
  int pof2 = 1 << floorLog2(static_cast<size_t>(p));
  int rem = p - pof2;
  Fold f{pof2, rem, -1, -1};
  if (rank < 2 * rem) {
    f.partner = rank % 2 == 0 ? rank + 1 : rank - 1;
    f.newRank = rank % 2 == 0 ? -1 : rank / 2;
  } else {
    f.newRank = rank - rem;
  }
  return f;
}

Parts Parts::foldedBlocks(size_t block, int p) {
  Fold f = foldOf(0, p);
  return Parts{block * static_cast<size_t>(p), f.pof2, block, f.remainder};
}

Chunk Parts::range(int first, int n) const {
  if (block == 0)
    return chunkRange(count, static_cast<size_t>(pof2), static_cast<size_t>(first),
                      static_cast<size_t>(n));
  HOCKNEY_CHECK(n >= 1 && first + n <= pof2, "part range [{}, {}) of {}", first, first + n, pof2);
  auto startBlock = [this](int i) {
    return static_cast<size_t>(i < remainder ? 2 * i : i + remainder);
  };
  size_t begin = startBlock(first) * block;
  return Chunk{begin, startBlock(first + n) * block - begin};
}

int floorLog2(size_t v) {
  HOCKNEY_CHECK(v >= 1, "log2 of {}", v);
  return static_cast<int>(std::bit_width(v)) - 1;
}

int ceilLog2(size_t v) {
  HOCKNEY_CHECK(v >= 1, "log2 of {}", v);
  return v == 1 ? 0 : static_cast<int>(std::bit_width(v - 1));
}

bool isPowerOfTwo(size_t v) {
  return std::has_single_bit(v);
}

}  // namespace hockney
