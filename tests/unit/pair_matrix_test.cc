// The pair matrix's analysis: per-level medians, and the slow host or link named.
#include <gtest/gtest.h>

#include "reports/pair_matrix.h"

namespace hockney {
namespace {

// 4 hosts x 2 ranks; rank r on host "n{r/2+1}"; network pairs at `fast` GB/s unless they touch
// host `slow` (then `slowRate`); on-host pairs at 5 GB/s.
std::vector<PairRow> fabric(double fast, const std::string& slow, double slowRate) {
  std::vector<PairRow> rows;
  for (int a = 0; a < 8; ++a)
    for (int b = a + 1; b < 8; ++b) {
      PairRow r;
      r.a = a;
      r.b = b;
      r.hostA = "n" + std::to_string(a / 2 + 1);
      r.hostB = "n" + std::to_string(b / 2 + 1);
      const bool net = r.hostA != r.hostB;
      r.level = net ? LinkLevel::kNetwork : LinkLevel::kNuma;
      r.latencyUs = net ? 60 + a : 3;
      r.bandwidthGBps = !net ? 5.0 : (r.hostA == slow || r.hostB == slow) ? slowRate : fast;
      rows.push_back(r);
    }
  return rows;
}

TEST(PairMatrix, NamesTheSlowHostAndNoLink) {
  const PairAnalysis a = analysePairs(fabric(0.125, "n3", 0.03125));
  ASSERT_EQ(a.levels.size(), 2u);
  // Narrowest level first.
  EXPECT_EQ(a.levels[0].level, LinkLevel::kNuma);
  EXPECT_DOUBLE_EQ(a.levels[0].medianBandwidthGBps, 5.0);
  EXPECT_EQ(a.levels[1].level, LinkLevel::kNetwork);
  EXPECT_EQ(a.levels[1].pairs, 24);
  ASSERT_EQ(a.hosts.size(), 1u);
  EXPECT_EQ(a.hosts[0].host, "n3");
  EXPECT_EQ(a.hosts[0].metric, "bandwidth");
  EXPECT_DOUBLE_EQ(a.hosts[0].value, 0.03125);
  EXPECT_DOUBLE_EQ(a.hosts[0].levelMedian, 0.125);
  EXPECT_TRUE(a.links.empty());  // its pairs are as slow as the host, no slower
  EXPECT_NE(formatPairAnalysis(a).find("SLOW HOST n3"), std::string::npos);
  const auto j = toJson(a);
  EXPECT_EQ(j["outliers"]["hosts"][0]["host"], "n3");
}

TEST(PairMatrix, UniformFabricHasNoOutliers) {
  const PairAnalysis a = analysePairs(fabric(0.125, "", 0));
  EXPECT_TRUE(a.hosts.empty());
  EXPECT_TRUE(a.links.empty());
  EXPECT_NE(formatPairAnalysis(a).find("outliers: none"), std::string::npos);
}

TEST(PairMatrix, NamesASlowLinkBetweenHealthyHosts) {
  auto rows = fabric(0.125, "", 0);
  for (auto& r : rows)
    if (r.a == 0 && r.b == 6) r.bandwidthGBps = 0.01;
  const PairAnalysis a = analysePairs(rows);
  EXPECT_TRUE(a.hosts.empty());
  ASSERT_EQ(a.links.size(), 1u);
  EXPECT_EQ(a.links[0].a, 0);
  EXPECT_EQ(a.links[0].b, 6);
  EXPECT_EQ(a.links[0].hostB, "n4");
}

TEST(PairMatrix, FailedPairsAreLeftOutOfTheStatistics) {
  auto rows = fabric(0.125, "", 0);
  rows[1].check = "fail";
  rows[1].bandwidthGBps = 1e-9;
  const PairAnalysis a = analysePairs(rows);
  EXPECT_TRUE(a.links.empty());
  EXPECT_EQ(a.levels[0].pairs + a.levels[1].pairs, 27);
}

TEST(PairMatrix, RowsRoundTripThroughJson) {
  PairRow r = fabric(0.125, "", 0)[3];
  r.checkDetail = "byte 4";
  const PairRow back = nlohmann::json(r).get<PairRow>();
  EXPECT_EQ(back.a, r.a);
  EXPECT_EQ(back.hostB, r.hostB);
  EXPECT_EQ(back.level, r.level);
  EXPECT_DOUBLE_EQ(back.bandwidthGBps, r.bandwidthGBps);
  EXPECT_EQ(back.checkDetail, "byte 4");
}

}  // namespace
}  // namespace hockney
