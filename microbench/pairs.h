#pragma once
// `hockney run --pattern pairs`: the pair matrix, as mpiGraph measures it. Every rank pair (or a
// sample of them) does a ping-pong of a small message (latency) and of a large one (bandwidth),
// in rounds of disjoint pairs: in a round, a host takes part in one pair at most, so no two
// pairs share its links or cores and a slow result belongs to the pair measured. That takes
// about k·p rounds for p ranks with k per host (O(p) for a fixed k), not one per pair. Rank 0
// writes a pair_matrix report (reports/pair_matrix.h): every pair with its link level, a
// summary per level, and the hosts and links far off their level, by name.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hockney {

struct PairsOptions {
  size_t latencyBytes = 8;
  size_t bandwidthBytes = size_t{4} << 20;
  long latencyIterations = 50;
  long bandwidthIterations = 3;
  long warmup = 2;  // per pair and message size
  long sample = 0;  // 0: every pair; else this many pairs, drawn with `seed`
  int repeats = 5;  // the whole matrix this many times; verdicts must hold in most
  unsigned seed = 1;
  bool check = true;
  std::string out;  // empty: results/pairs-<ranks>ranks-<UTC time>.json
  double timeoutSeconds = 300;
  std::string commandLine;
};

// Everything that can be checked before MPI starts; throws UsageError with the reason.
void validatePairsOptions(const PairsOptions& options);

// MPI must be initialised. Returns the exit code (0 every pair passed its check, 1 one failed,
// 2 bad input found once the job was up: one rank, a sample larger than the pairs).
int runPairs(const PairsOptions& options);

using RankPair = std::pair<int, int>;  // first < second
// Every pair of p ranks once, in the order of a round-robin tournament (circle method), so that
// consecutive pairs rarely share a rank.
std::vector<RankPair> pairOrder(int p);
// n pairs drawn without repetition (the same on every rank for the same seed), in pairOrder's
// order.
std::vector<RankPair> samplePairs(int p, long n, unsigned seed);
// Greedy rounds: each pair goes into the first round where neither of its hosts (hostOfRank)
// is busy yet.
std::vector<std::vector<RankPair>> scheduleRounds(const std::vector<RankPair>& pairs,
                                                  const std::vector<int>& hostOfRank);

}  // namespace hockney
