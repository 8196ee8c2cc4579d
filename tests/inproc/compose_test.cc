// The priced clock (collectives/transport/counting.h) runs an algorithm dry over a two-level
// placement and prices each step at the level its peers sit at; model/compose.h prices world-scope
// calls with it. Checked against the two-level counting clock, which runs the algorithm with real
// data: priced at one unit on one component of one level (and nothing elsewhere), the priced clock
// must give exactly that component of the two-level clock, for every own algorithm of every
// pattern; a hierarchical algorithm's levelCost() is the same numbers.
#include <gtest/gtest.h>

#include <algorithm>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collectives/registry.h"
#include "collectives/transport/counting.h"
#include "microbench/calibrate_setup.h"
#include "model/compose.h"

namespace hockney {
namespace {

std::vector<int> placed(int p, int perHost) {
  std::vector<int> out;
  for (int r = 0; r < p; ++r) out.push_back(r / perHost);
  return out;
}

LevelCost countedWithData(const Algorithm& a, const CallShape& shape,
                          const std::vector<int>& placement) {
  // Room for any pattern's buffers (a pipeline holds 2 x micro-batches activations).
  const size_t bytes = shape.bytes() * 64 + 64;
  return countLevelCost(shape.ranks, placement, [&](Transport& t) {
    std::vector<std::byte> in(bytes), out(bytes), scratch(a.scratch(shape, t.rank()) + 64);
    a.run(t, shape, CallBuffers{in.data(), out.data(), scratch.data()});
  });
}

// The five components: node α, β, γ and network α, β.
struct Component {
  const char* name;
  LevelPrices prices;
  double (*of)(const LevelCost&);
};
const std::vector<Component>& components() {
  static const std::vector<Component> kAll{
      {"node alpha", {{1, 0, 0}, {}}, [](const LevelCost& c) { return c.node.alphaCount; }},
      {"node beta", {{0, 1, 0}, {}}, [](const LevelCost& c) { return c.node.betaBytes; }},
      {"node gamma", {{0, 0, 1}, {}}, [](const LevelCost& c) { return c.node.gammaBytes; }},
      {"network alpha", {{}, {1, 0, 0}}, [](const LevelCost& c) { return c.network.alphaCount; }},
      {"network beta", {{}, {0, 1, 0}}, [](const LevelCost& c) { return c.network.betaBytes; }}};
  return kAll;
}

TEST(PricedClock, EveryOwnAlgorithmMatchesTheTwoLevelClockComponentByComponent) {
  int checked = 0;
  for (const Pattern& pattern : patterns())
    for (const Algorithm& a : pattern.algorithms)
      for (const auto& [p, perHost] : std::vector<std::pair<int, int>>{{4, 2}, {6, 2}, {8, 4}}) {
        CallShape shape;
        shape.ranks = p;
        shape.count = static_cast<size_t>(p) * 97;
        const std::vector<int> placement = placed(p, perHost);
        shape.nodeOfRank = &placement;
        if (a.unavailable && a.unavailable(shape)) continue;
        const LevelCost counted = countedWithData(a, shape, placement);
        for (const Component& c : components())
          EXPECT_DOUBLE_EQ(composedSeconds(a, shape, placement, c.prices), c.of(counted))
              << pattern.name << "/" << a.name << " p=" << p << " " << perHost << " per host, "
              << c.name;
        ++checked;
      }
  EXPECT_GT(checked, 60);
}

TEST(PricedClock, HierarchicalLevelCostIsThePricedClocksComponents) {
  const Algorithm* h = findAlgorithm("allreduce", "hierarchical");
  ASSERT_NE(h, nullptr);
  for (const auto& [p, perHost] : std::vector<std::pair<int, int>>{{8, 2}, {8, 4}, {12, 3}}) {
    CallShape shape;
    shape.ranks = p;
    shape.count = 4096;
    const std::vector<int> placement = placed(p, perHost);
    shape.nodeOfRank = &placement;
    const LevelCost lc = h->levelCost(shape);
    for (const Component& c : components())
      EXPECT_DOUBLE_EQ(composedSeconds(*h, shape, placement, c.prices), c.of(lc))
          << "p=" << p << " " << perHost << " per host, " << c.name;
  }
}

// A ring across 4 hosts x 2 ranks: every rank has a peer on another host in every step, so
// every round is priced at the network; a binomial tree's first round stays within hosts.
TEST(PricedClock, StepsArePricedAtTheLevelTheirPeersSitAt) {
  const std::vector<int> placement = placed(8, 2);
  const LevelPrices prices{{1e-6, 0, 0}, {1e-3, 0, 0}};
  CallShape shape;
  shape.ranks = 8;
  shape.count = 8 * 1024;
  shape.nodeOfRank = &placement;
  const Algorithm* ring = findAlgorithm("allreduce", "ring");
  EXPECT_DOUBLE_EQ(composedSeconds(*ring, shape, placement, prices), 14 * 1e-3);
  const Algorithm* tree = findAlgorithm("allreduce", "tree");
  const double t = composedSeconds(*tree, shape, placement, prices);
  const double rounds = tree->cost(shape).alphaCount;
  EXPECT_LT(t, rounds * 1e-3);  // some rounds within hosts
  EXPECT_GT(t, rounds * 1e-6);
}

// With the host's link shared, recursive doubling on 4 hosts x 2 ranks pays twice the bytes of its
// two steps across hosts (both ranks of a host cross in each), the ring nothing more (one rank of
// a host sends across, one receives, in every step).
TEST(PricedClock, ASharedHostLinkCarriesEveryRankOfTheHostThatCrosses) {
  const std::vector<int> placement = placed(8, 2);
  CallShape shape;
  shape.ranks = 8;
  shape.count = 8 * 1024;
  shape.nodeOfRank = &placement;
  LevelPrices shared{{}, {0, 1, 0}, true};
  const Algorithm* rd = findAlgorithm("allreduce", "recursive_doubling");
  const LevelCost rdCounted = countedWithData(*rd, shape, placement);
  EXPECT_DOUBLE_EQ(composedSeconds(*rd, shape, placement, shared), 2 * rdCounted.network.betaBytes);
  const Algorithm* ring = findAlgorithm("allreduce", "ring");
  EXPECT_DOUBLE_EQ(composedSeconds(*ring, shape, placement, shared),
                   countedWithData(*ring, shape, placement).network.betaBytes);
  // One rank per host: nothing to share.
  const std::vector<int> alone = placed(8, 1);
  shape.nodeOfRank = &alone;
  EXPECT_DOUBLE_EQ(composedSeconds(*rd, shape, alone, shared),
                   countedWithData(*rd, shape, alone).network.betaBytes);
}

// A job of 4 hosts x 2 ranks: every pattern is measured on each host's ranks (an in-host level),
// on one rank per host (network) and across all (the world check, never fitted); pingpong within
// rank 0's host and between three pairs of hosts. On one host: the world alone, as before.
TEST(CalibrationTargets, EveryLevelOfAMultiHostJob) {
  auto topology = std::make_shared<Topology>();
  topology->hosts.resize(4);
  for (int r = 0; r < 8; ++r) topology->ranks.push_back({r / 2, RankPlace{}});
  for (int me : {0, 1, 5}) {
    SweepConfig sweep;
    const std::vector<CalibrationPlace> places = calibrationPlaces(sweep, topology, me);
    ASSERT_EQ(places.size(), 3u);
    EXPECT_EQ(places[1].scope, PlaceScope::kNode);
    EXPECT_EQ(places[1].ranks, 2);
    EXPECT_EQ(places[1].members, (std::vector<int>{me / 2 * 2, me / 2 * 2 + 1}));
    EXPECT_EQ(places[2].scope, PlaceScope::kLeaders);
    EXPECT_EQ(places[2].ranks, 4);
    EXPECT_EQ(places[2].members.empty(), me % 2 == 1);  // only the first rank of each host
    CalibrateJob job;
    job.types = {DataType::kFloat32};
    std::vector<std::string> notes;
    const std::vector<CalibrationTarget> targets =
        calibrationTargets(job, places, *topology, notes);
    for (const std::string& pattern : job.patterns) {
      std::map<std::string, int> at;  // level or "check" -> targets
      for (const CalibrationTarget& t : targets)
        if (t.pattern == pattern)
          ++at[t.checkOnly ? std::string("check") : std::string(name(t.level))];
      if (findPattern(pattern).facts.pointToPoint) {
        EXPECT_EQ(at, (std::map<std::string, int>{{"network", 3}, {"node", 1}})) << me;
      } else if (pattern == "pipeline") {
        // Two stages on consecutive ranks: at world scope every stage pair sits on one host, so
        // there is nothing across hosts to check, and calibrate says so.
        EXPECT_EQ(at, (std::map<std::string, int>{{"network", 1}, {"node", 1}})) << me;
        EXPECT_NE(std::find(notes.begin(), notes.end(),
                            "pipeline/1f1b: no world check, its messages stay within each host "
                            "on this placement"),
                  notes.end());
      } else {
        EXPECT_EQ(at, (std::map<std::string, int>{{"check", 1}, {"network", 1}, {"node", 1}}))
            << pattern << " on rank " << me;
      }
    }
  }
  auto one = std::make_shared<Topology>();
  one->hosts.resize(1);
  one->ranks.resize(4);
  EXPECT_EQ(calibrationPlaces(SweepConfig{}, one, 0).size(), 1u);
}

}  // namespace
}  // namespace hockney
