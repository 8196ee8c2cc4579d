#include <gtest/gtest.h>

#include "reports/stats.h"

namespace hockney {
namespace {

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
