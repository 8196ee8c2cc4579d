// calibrate's pass plan survives the text every rank agrees on, and its order is the one
// calibrate_pass.h promises: by size in the first passes, series by series after.
#include "microbench/calibrate_pass.h"

#include <gtest/gtest.h>

#include "microbench/cases.h"

namespace hockney {
namespace {

TEST(CalibratePass, PlanRoundTripsThroughText) {
  PassPlan plan;
  plan.minIterations = 7;
  plan.ceilings = {{0, 1024}, {1, 4096}};
  plan.points = {{1, 64, -1}, {0, 128, 2}};
  const PassPlan back = PassPlan::fromText(plan.text());
  ASSERT_TRUE(back.minIterations.has_value());
  EXPECT_EQ(*back.minIterations, 7);
  EXPECT_EQ(back.ceilings, plan.ceilings);
  ASSERT_EQ(back.points.size(), 2u);
  EXPECT_EQ(back.points[1].target, 0u);
  EXPECT_EQ(back.points[1].bytes, 128u);
  EXPECT_EQ(back.points[1].onlyCase, 2);
  EXPECT_FALSE(PassPlan::fromText("3 8 -1\n").minIterations.has_value());
}

TEST(CalibratePass, BySizeFirstThenSeriesBySeriesPointToPointFirst) {
  std::vector<CalibrationTarget> targets(2);
  targets[0].pattern = "allreduce";
  targets[0].cases = selectCases("allreduce", {"ring", "tree"});
  targets[1].pattern = "sendrecv";
  targets[1].cases = selectCases("sendrecv", {"pingpong"});
  const std::vector<PlannedPoint> points{{0, 1024, -1}, {1, 64, -1}, {0, 64, 1}};
  const std::vector<PassWork> coarse = passOrder(1, points, targets);
  ASSERT_EQ(coarse.size(), 4u);  // 1024 B: both cases; 64 B: the revisit of case 1 and pingpong
  EXPECT_EQ(coarse[0].bytes, 64u);
  EXPECT_EQ(coarse.back().bytes, 1024u);
  const std::vector<PassWork> later = passOrder(5, points, targets);
  ASSERT_EQ(later.size(), 4u);
  EXPECT_EQ(later[0].target, 1u);  // point-to-point first
  EXPECT_EQ(later[1].target, 0u);
  EXPECT_EQ(later[1].caseIndex, 0u);  // then the all-reduce, case by case
  EXPECT_EQ(later[1].bytes, 1024u);
  EXPECT_EQ(later[2].caseIndex, 1u);
  EXPECT_EQ(later[2].bytes, 64u);
}

}  // namespace
}  // namespace hockney
