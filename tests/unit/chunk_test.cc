#include "collectives/core/chunk.h"

#include <gtest/gtest.h>

#include <set>

#include "collectives/core/error.h"

namespace hockney {
namespace {

TEST(Chunk, PartsTileTheVectorForEveryCountAndP) {
  for (size_t p = 1; p <= 17; ++p) {
    for (size_t count : {size_t{0}, size_t{1}, p - 1, p, p + 1, size_t{1009}, size_t{1} << 16}) {
      size_t next = 0;
      size_t largest = 0, smallest = count + 1;
      for (size_t i = 0; i < p; ++i) {
        Chunk c = chunkOf(count, p, i);
        EXPECT_EQ(c.offset, next) << "count " << count << " p " << p << " part " << i;
        next = c.offset + c.length;
        largest = std::max(largest, c.length);
        smallest = std::min(smallest, c.length);
      }
      EXPECT_EQ(next, count) << "count " << count << " p " << p;
      EXPECT_LE(largest - smallest, 1u);
      EXPECT_EQ(largest, maxChunkLength(count, p));
      EXPECT_EQ(chunkOf(count, p, 0).length, maxChunkLength(count, p));
    }
  }
}

TEST(Chunk, RangesAreUnionsOfParts) {
  for (size_t p = 1; p <= 17; ++p)
    for (size_t first = 0; first < p; ++first)
      for (size_t n = 1; first + n <= p; ++n) {
        Chunk r = chunkRange(101, p, first, n);
        EXPECT_EQ(r.offset, chunkOf(101, p, first).offset);
        Chunk last = chunkOf(101, p, first + n - 1);
        EXPECT_EQ(r.offset + r.length, last.offset + last.length);
      }
}

TEST(Chunk, RejectsImpossibleParts) {
  EXPECT_THROW(chunkOf(10, 0, 0), Error);
  EXPECT_THROW(chunkOf(10, 3, 3), Error);
}

TEST(Fold, PairsTheFirstTwoRAndRenumbersTheRest) {
  for (int p = 1; p <= 17; ++p) {
    std::set<int> newRanks;
    int pof2 = 1 << floorLog2(static_cast<size_t>(p));
    for (int r = 0; r < p; ++r) {
      Fold f = foldOf(r, p);
      EXPECT_EQ(f.pof2, pof2);
      EXPECT_EQ(f.remainder, p - pof2);
      if (f.participates()) {
        EXPECT_TRUE(newRanks.insert(f.newRank).second);
        EXPECT_EQ(f.oldRank(f.newRank), r);
      } else {
        EXPECT_EQ(r % 2, 0);
        EXPECT_LT(r, 2 * f.remainder);
        EXPECT_TRUE(foldOf(f.partner, p).participates());
      }
    }
    EXPECT_EQ(newRanks.size(), static_cast<size_t>(pof2)) << "p " << p;
    EXPECT_EQ(*newRanks.rbegin(), pof2 - 1);
  }
}

TEST(Log2, FloorAndCeil) {
  EXPECT_EQ(floorLog2(1), 0);
  EXPECT_EQ(ceilLog2(1), 0);
  EXPECT_EQ(floorLog2(5), 2);
  EXPECT_EQ(ceilLog2(5), 3);
  EXPECT_EQ(ceilLog2(8), 3);
  EXPECT_EQ(floorLog2(8), 3);
  EXPECT_THROW(floorLog2(0), Error);
}

}  // namespace
}  // namespace hockney
