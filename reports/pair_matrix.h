#pragma once
// The pair matrix (`hockney run --pattern pairs`): ping-pong latency and bandwidth of rank
// pairs, summarised per link level, with the hosts and links that are far off their level named.
// Robust statistics (median and MAD), so one slow host cannot hide by moving the mean.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "collectives/core/link_level.h"

namespace hockney {

inline constexpr int kPairMatrixSchemaVersion = 1;

struct PairRow {
  int a = 0, b = 0;  // ranks, a < b
  std::string hostA, hostB;
  LinkLevel level = LinkLevel::kUnrecorded;
  int round = 0;             // the round it was measured in
  double latencyUs = 0;      // median one-way time of the small message
  double bandwidthGBps = 0;  // large message bytes over its median one-way time, GB/s
  std::string check = "pass";
  std::string checkDetail;
  // Of a pair combined over repeats of the matrix: each repeat's figure, in the order measured
  // (empty for a single repeat).
  std::vector<double> latencyUsByRepeat, bandwidthGBpsByRepeat;
};

void to_json(nlohmann::json& j, const PairRow& r);
void from_json(const nlohmann::json& j, PairRow& r);

struct LevelSummary {
  LinkLevel level = LinkLevel::kUnrecorded;
  int pairs = 0;
  double medianLatencyUs = 0, madLatencyUs = 0;
  double medianBandwidthGBps = 0, madBandwidthGBps = 0;
};

struct HostOutlier {
  std::string host;
  LinkLevel level = LinkLevel::kUnrecorded;
  std::string metric;      // "bandwidth" or "latency"
  double value = 0;        // the host's median over its pairs of that level
  double levelMedian = 0;  // the median of every host's value
  int pairs = 0;
  int heldIn = 1, repeats = 1;  // the repeats of the matrix in which the verdict held
  double confidence() const { return static_cast<double>(heldIn) / repeats; }
};

struct LinkOutlier {
  int a = 0, b = 0;
  std::string hostA, hostB;
  LinkLevel level = LinkLevel::kUnrecorded;
  std::string metric;
  double value = 0, expected = 0;  // what its hosts (or its level) lead one to expect
  int heldIn = 1, repeats = 1;
  double confidence() const { return static_cast<double>(heldIn) / repeats; }
};

struct PairAnalysis {
  std::vector<LevelSummary> levels;
  std::vector<HostOutlier> hosts;
  std::vector<LinkOutlier> links;
};

// Flags a value as far off when it differs from the median by more than both kMadFactor
// scaled MADs and a floor relative to the median (so a perfectly uniform fabric, MAD 0, does
// not flag the slightest jitter): bandwidth below 75% of it, latency above twice it (small
// messages jitter more, by scheduling alone).
inline constexpr double kMadFactor = 3.0;
inline constexpr double kBandwidthFloor = 0.25;
inline constexpr double kLatencyFloor = 1.0;

// Per level: medians and MADs. Per host and level (three hosts or more): the median of the
// host's pairs, flagged against the other hosts'. Per pair: flagged when it is far below what
// its two hosts deliver elsewhere (or, within a host, far off its level), by more than the
// level's own spread.
PairAnalysis analysePairs(const std::vector<PairRow>& rows);

// The matrix measured `repeats.size()` times (every pair in each): each repeat judged on its
// own, and a verdict kept only where it held in more than half of them, with the fraction as
// its confidence (value and expectation: medians over the repeats where it held). Levels are
// summarised over every pair's median across repeats (`combined`). One jittery moment (a
// 120 us latency on one pair once) no longer names a healthy host or link.
PairAnalysis analysePairRepeats(const std::vector<std::vector<PairRow>>& repeats,
                                const std::vector<PairRow>& combined);
// Per pair, the median latency and bandwidth over the repeats; failed in any: failed.
std::vector<PairRow> combineRepeats(const std::vector<std::vector<PairRow>>& repeats);

nlohmann::json toJson(const PairAnalysis& a);
// The readable summary: per level, then the outliers named (or "none").
std::string formatPairAnalysis(const PairAnalysis& a);

}  // namespace hockney
