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
  r.latencyUsByRepeat = {60, 61, 90};
  r.bandwidthGBpsByRepeat = {0.12, 0.125, 0.13};
  const PairRow back = nlohmann::json(r).get<PairRow>();
  EXPECT_EQ(back.latencyUsByRepeat, r.latencyUsByRepeat);
  EXPECT_EQ(back.bandwidthGBpsByRepeat, r.bandwidthGBpsByRepeat);
  EXPECT_EQ(back.a, r.a);
  EXPECT_EQ(back.hostB, r.hostB);
  EXPECT_EQ(back.level, r.level);
  EXPECT_DOUBLE_EQ(back.bandwidthGBps, r.bandwidthGBps);
  EXPECT_EQ(back.checkDetail, "byte 4");
}

// One jittery moment (a latency 4x its level's on one pair, in 2 of 5 repeats) named a link
// when each pair was judged once; over repeats it must hold in most of them to be named.
TEST(PairMatrix, AVerdictMustHoldInMostRepeats) {
  std::vector<std::vector<PairRow>> repeats(5, fabric(0.125, "", 0));
  for (int rep : {1, 3})
    for (auto& r : repeats[static_cast<size_t>(rep)])
      if (r.a == 1 && r.b == 5) r.latencyUs = 4 * r.latencyUs;
  EXPECT_EQ(analysePairs(repeats[1]).links.size(), 1u);  // judged on one repeat: a false alarm
  const PairAnalysis a = analysePairRepeats(repeats, combineRepeats(repeats));
  EXPECT_TRUE(a.links.empty());
  EXPECT_TRUE(a.hosts.empty());
  // Slow in 3 of 5: named, with confidence 0.6, its value the median where it held.
  for (int rep : {0, 2, 4})
    for (auto& r : repeats[static_cast<size_t>(rep)])
      if (r.hostA == "n2" || r.hostB == "n2")
        if (r.level == LinkLevel::kNetwork) r.bandwidthGBps = 0.03;
  const PairAnalysis b = analysePairRepeats(repeats, combineRepeats(repeats));
  ASSERT_EQ(b.hosts.size(), 1u);
  EXPECT_EQ(b.hosts[0].host, "n2");
  EXPECT_EQ(b.hosts[0].heldIn, 3);
  EXPECT_EQ(b.hosts[0].repeats, 5);
  EXPECT_DOUBLE_EQ(b.hosts[0].confidence(), 0.6);
  EXPECT_DOUBLE_EQ(b.hosts[0].value, 0.03);
  EXPECT_NE(formatPairAnalysis(b).find("held in 3 of 5 repeats (confidence 0.60)"),
            std::string::npos);
  EXPECT_EQ(toJson(b)["outliers"]["hosts"][0]["confidence"], 0.6);
  // The combined rows are per-pair medians: n2's pairs read fast in 2 of 5, slow in 3; each
  // repeat's figure is kept, in order.
  for (const PairRow& r : combineRepeats(repeats)) {
    ASSERT_EQ(r.bandwidthGBpsByRepeat.size(), 5u);
    if (r.level == LinkLevel::kNetwork && (r.hostA == "n2" || r.hostB == "n2")) {
      EXPECT_DOUBLE_EQ(r.bandwidthGBps, 0.03);
      EXPECT_DOUBLE_EQ(r.bandwidthGBpsByRepeat[1], 0.125);
      EXPECT_DOUBLE_EQ(r.bandwidthGBpsByRepeat[2], 0.03);
    }
  }
}

// With three hosts or more a link's latency is held against its hosts' with the level's own
// spread as margin: on a level whose pairs scatter 30-90 us, 130 us is not far off (the old
// threshold, twice the hosts' 60 us, named it).
TEST(PairMatrix, LinkThresholdsCountTheLevelsSpread) {
  auto rows = fabric(0.125, "", 0);
  int i = 0;
  for (auto& r : rows)
    if (r.level == LinkLevel::kNetwork) r.latencyUs = 30.0 * (1 + i++ % 3);
  for (auto& r : rows)
    if (r.a == 0 && r.b == 7) r.latencyUs = 130;
  EXPECT_TRUE(analysePairs(rows).links.empty());
  for (auto& r : rows)
    if (r.a == 0 && r.b == 7) r.latencyUs = 400;  // beyond any spread: named
  ASSERT_EQ(analysePairs(rows).links.size(), 1u);
}

}  // namespace
}  // namespace hockney
