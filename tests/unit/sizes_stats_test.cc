#include <gtest/gtest.h>

#include "collectives/core/error.h"
#include "microbench/sizes.h"
#include "reports/stats.h"

namespace hockney {
namespace {

TEST(Sizes, ParsesPlainAndSuffixedSizes) {
  EXPECT_EQ(parseSize("1004"), 1004u);
  EXPECT_EQ(parseSize("64K"), 65536u);
  EXPECT_EQ(parseSize("64k"), 65536u);
  EXPECT_EQ(parseSize("1M"), 1048576u);
  EXPECT_EQ(parseSize("2GiB"), size_t{2} << 30);
  EXPECT_EQ(parseSize("8B"), 8u);
  EXPECT_EQ(parseSizeList("4,1004,64K"), (std::vector<size_t>{4, 1004, 65536}));
}

TEST(Sizes, RejectsWhatIsNotASize) {
  for (const char* bad : {"", "x", "-4", "12Q", "1.5M", "4,,8", "99999999999999999999G"})
    EXPECT_THROW(parseSizeList(bad), UsageError) << bad;
}

TEST(Sizes, GeometricSweepIncludesBothEnds) {
  EXPECT_EQ(geometricSizes(8, 64, 2), (std::vector<size_t>{8, 16, 32, 64}));
  EXPECT_EQ(geometricSizes(8, 100, 4), (std::vector<size_t>{8, 32}));
  EXPECT_EQ(geometricSizes(5, 5, 2), (std::vector<size_t>{5}));
  EXPECT_THROW(geometricSizes(64, 8, 2), UsageError);
  EXPECT_THROW(geometricSizes(8, 64, 1), UsageError);
}

TEST(Sizes, WholeElementsOnly) {
  EXPECT_NO_THROW(checkWholeElements({8, 16}, DataType::kFloat64));
  try {
    checkWholeElements({8, 1002}, DataType::kFloat32);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "size 1002 bytes is not a whole number of float32 elements (4 bytes each)");
  }
}

TEST(Stats, SummaryOfKnownSamples) {
  std::vector<double> s{5, 1, 4, 2, 3};
  Summary sum = summarize(s);
  EXPECT_EQ(sum.min, 1);
  EXPECT_EQ(sum.max, 5);
  EXPECT_EQ(sum.median, 3);
  EXPECT_EQ(sum.mean, 3);
  EXPECT_DOUBLE_EQ(sum.p95, 4.8);
  EXPECT_EQ(summarize({}).max, 0);
}

TEST(Stats, BimodalNeedsAGapAndBothModesPopulated) {
  std::vector<double> two(20, 1.0);
  for (size_t i = 0; i < 6; ++i) two[i] = 5.0;
  EXPECT_TRUE(isBimodal(two));
  std::vector<double> oneOutlier(20, 1.0);
  oneOutlier[0] = 50;
  EXPECT_FALSE(isBimodal(oneOutlier));
  std::vector<double> smooth;
  for (int i = 0; i < 20; ++i) smooth.push_back(1.0 + 0.05 * i);
  EXPECT_FALSE(isBimodal(smooth));
}

TEST(Stats, CliffIsAJumpInTimePerByteAtLargeSizes) {
  // 16 MiB at 2 ms, 32 MiB at 80 ms (the all-reduce cliff seen on this VM): flagged.
  std::vector<double> bytes{8, 1 << 20, 16 << 20, 32 << 20};
  std::vector<double> times{1, 150, 2000, 80000};
  EXPECT_EQ(cliffs(bytes, times), (std::vector<size_t>{3}));
  // Doubling the size and the time is flat time per byte: no cliff; doubling it and tripling the
  // time is one.
  EXPECT_TRUE(cliffs(std::vector<double>{1 << 20, 2 << 20}, std::vector<double>{100, 200}).empty());
  EXPECT_EQ(cliffs(std::vector<double>{1 << 20, 2 << 20}, std::vector<double>{100, 400}).size(),
            1u);
  // Small sizes are latency-bound: time per byte falls, and below 64 KiB nothing is flagged.
  EXPECT_TRUE(cliffs(std::vector<double>{8, 16}, std::vector<double>{1, 100}).empty());
}

}  // namespace
}  // namespace hockney
