#include "microbench/pairs.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "collectives/core/error.h"
#include "collectives/transport/mpi.h"
#include "microbench/control.h"
#include "microbench/host_buffer.h"
#include "microbench/job.h"
#include "microbench/runner.h"
#include "microbench/watchdog.h"
#include "reports/pair_matrix.h"
#include "reports/stats.h"

namespace hockney {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::byte patternByte(int a, int b, size_t i) {
  return static_cast<std::byte>((static_cast<size_t>(a) * 131 + static_cast<size_t>(b) * 31 + i) &
                                0xff);
}

// One ping-pong series between a (initiator) and b: returns one-way times of the timed
// iterations on a (empty on b). b echoes what it received; both check the data when asked.
std::vector<double> pingPong(Transport& t, int a, int b, std::byte* buf, size_t bytes, long warmup,
                             long iterations, bool check, std::string& problem) {
  const bool initiator = t.rank() == a;
  const int peer = initiator ? b : a;
  std::vector<double> oneWay;
  if (initiator)
    for (size_t i = 0; i < bytes; ++i) buf[i] = patternByte(a, b, i);
  for (long it = -warmup; it < iterations; ++it) {
    if (initiator) {
      const auto t0 = Clock::now();
      t.send(peer, buf, bytes);
      t.recv(peer, buf, bytes);
      const double rtt = std::chrono::duration<double>(Clock::now() - t0).count();
      if (it >= 0) oneWay.push_back(rtt / 2);
    } else {
      t.recv(peer, buf, bytes);
      t.send(peer, buf, bytes);
    }
  }
  if (check && problem.empty())
    for (size_t i = 0; i < bytes; ++i)
      if (buf[i] != patternByte(a, b, i)) {
        problem = fmt::format(
            "{} B message between ranks {} and {}: byte {} is {} on rank {}, "
            "expected {}",
            bytes, a, b, i, static_cast<int>(buf[i]), t.rank(),
            static_cast<int>(patternByte(a, b, i)));
        break;
      }
  return oneWay;
}

}  // namespace

std::vector<RankPair> pairOrder(int p) {
  std::vector<RankPair> order;
  const int n = p % 2 == 0 ? p : p + 1;  // an odd count gets a bye (rank n-1 = none)
  for (int round = 0; round < n - 1; ++round)
    for (int i = 0; i < n / 2; ++i) {
      int x = i == 0 ? n - 1 : (round + i) % (n - 1);
      int y = (round - i + n - 1) % (n - 1);
      if (i == 0) y = round;
      if (x >= p || y >= p) continue;
      order.emplace_back(std::min(x, y), std::max(x, y));
    }
  return order;
}

std::vector<RankPair> samplePairs(int p, long n, unsigned seed) {
  std::vector<RankPair> all = pairOrder(p);
  if (n <= 0 || n >= static_cast<long>(all.size())) return all;
  std::vector<size_t> index(all.size());
  for (size_t i = 0; i < index.size(); ++i) index[i] = i;
  std::mt19937_64 rng(seed);
  std::shuffle(index.begin(), index.end(), rng);
  index.resize(static_cast<size_t>(n));
  std::sort(index.begin(), index.end());
  std::vector<RankPair> chosen;
  for (size_t i : index) chosen.push_back(all[i]);
  return chosen;
}

std::vector<std::vector<RankPair>> scheduleRounds(const std::vector<RankPair>& pairs,
                                                  const std::vector<int>& hostOfRank) {
  std::vector<std::vector<RankPair>> rounds;
  // busy[h][r]: host h takes part in round r; firstFree[h]: no earlier round has room for h.
  // Starting each search there keeps scheduling near-linear in the number of pairs.
  const int hosts =
      hostOfRank.empty() ? 0 : *std::max_element(hostOfRank.begin(), hostOfRank.end()) + 1;
  std::vector<std::vector<char>> busy(static_cast<size_t>(hosts));
  std::vector<size_t> firstFree(static_cast<size_t>(hosts), 0);
  auto isBusy = [&](int h, size_t r) {
    const auto& b = busy[static_cast<size_t>(h)];
    return r < b.size() && b[r] != 0;
  };
  auto take = [&](int h, size_t r) {
    auto& b = busy[static_cast<size_t>(h)];
    if (b.size() <= r) b.resize(r + 1, 0);
    b[r] = 1;
    size_t& f = firstFree[static_cast<size_t>(h)];
    while (isBusy(h, f)) ++f;
  };
  for (const RankPair& pr : pairs) {
    const int ha = hostOfRank.at(static_cast<size_t>(pr.first));
    const int hb = hostOfRank.at(static_cast<size_t>(pr.second));
    size_t r = std::max(firstFree[static_cast<size_t>(ha)], firstFree[static_cast<size_t>(hb)]);
    while (isBusy(ha, r) || isBusy(hb, r)) ++r;
    if (rounds.size() <= r) rounds.resize(r + 1);
    rounds[r].push_back(pr);
    take(ha, r);
    take(hb, r);
  }
  return rounds;
}

void validatePairsOptions(const PairsOptions& o) {
  HOCKNEY_USAGE_CHECK(o.latencyBytes > 0 && o.bandwidthBytes > 0,
                      "pairs: message sizes must be at least 1 byte");
  HOCKNEY_USAGE_CHECK(o.latencyIterations >= 1 && o.bandwidthIterations >= 1,
                      "pairs: --iters must be at least 1");
  HOCKNEY_USAGE_CHECK(o.latencyIterations <= kMaxIterations, "--iters {} is more than {}",
                      o.latencyIterations, kMaxIterations);
  HOCKNEY_USAGE_CHECK(o.warmup >= 0 && o.warmup <= kMaxIterations, "--warmup must be 0..{}",
                      kMaxIterations);
  HOCKNEY_USAGE_CHECK(o.sample >= 0, "--pairs-sample must be >= 0 (0 = every pair), not {}",
                      o.sample);
  HOCKNEY_USAGE_CHECK(o.timeoutSeconds > 0, "--timeout must be > 0 seconds");
  HOCKNEY_USAGE_CHECK(o.repeats >= 1 && o.repeats <= 1000,
                      "--pairs-repeats must be 1..1000, not {}", o.repeats);
  HOCKNEY_USAGE_CHECK(o.latencyIterations >= 5,
                      "--pattern pairs takes the median of at least 5 latency samples per pair "
                      "and repeat: -n {} is fewer",
                      o.latencyIterations);
  const size_t memory = hostMemoryBytes();
  HOCKNEY_USAGE_CHECK(memory == 0 || o.bandwidthBytes <= memory / 4,
                      "pairs: {} bytes is more than this host can hold for a message",
                      o.bandwidthBytes);
  if (!o.out.empty())
    HOCKNEY_USAGE_CHECK(!std::filesystem::is_directory(o.out),
                        "--out {} is a directory; name a file", o.out);
}

namespace {

// Measures the rounds; every rank returns the rows of the pairs it initiated.
std::vector<PairRow> measureRounds(Transport& t, const Topology& topology,
                                   const std::vector<std::vector<RankPair>>& rounds,
                                   const PairsOptions& o, Watchdog& watchdog, HostBuffer& small,
                                   HostBuffer& large) {
  const int rank = t.rank();
  std::vector<PairRow> mine;
  for (size_t r = 0; r < rounds.size(); ++r) {
    t.barrier();
    auto it = std::find_if(rounds[r].begin(), rounds[r].end(), [&](const RankPair& pr) {
      return pr.first == rank || pr.second == rank;
    });
    if (it == rounds[r].end()) continue;
    const auto [a, b] = *it;
    std::string bad;
    watchdog.setContext(
        {"pairs", fmt::format("pingpong {}-{} (round {})", a, b, r), o.bandwidthBytes});
    watchdog.arm(static_cast<long>(r));
    const auto lat = pingPong(t, a, b, small.data(), o.latencyBytes, o.warmup, o.latencyIterations,
                              o.check, bad);
    const auto bw = pingPong(t, a, b, large.data(), o.bandwidthBytes, std::min(o.warmup, 1L),
                             o.bandwidthIterations, o.check, bad);
    watchdog.disarm();
    // The responder's verdict travels to the initiator, which reports the pair.
    uint64_t length = bad.size();
    if (rank == b) {
      t.send(a, &length, sizeof length);
      t.send(a, bad.data(), bad.size());
      continue;
    }
    t.recv(b, &length, sizeof length);
    std::string theirs(length, '\0');
    t.recv(b, theirs.data(), length);
    if (bad.empty()) bad = theirs;
    PairRow row;
    row.a = a;
    row.b = b;
    row.hostA = topology.hostOf(a).hostname;
    row.hostB = topology.hostOf(b).hostname;
    row.level = topology.level(a, b);
    row.round = static_cast<int>(r);
    row.latencyUs = median(lat) * 1e6;
    const double oneWay = median(bw);
    row.bandwidthGBps = oneWay > 0 ? static_cast<double>(o.bandwidthBytes) / oneWay / 1e9 : 0;
    row.check = !o.check ? "pass" : bad.empty() ? "pass" : "fail";
    row.checkDetail = bad;
    mine.push_back(row);
  }
  return mine;
}

// Rank 0: every rank's rows, by pair.
std::vector<PairRow> gatherRows(Transport& t, const std::vector<PairRow>& mine) {
  const std::vector<std::string> gathered = gatherToZero(t, json(mine).dump());
  std::vector<PairRow> rows;
  for (const std::string& g : gathered)
    for (const json& j : json::parse(g)) rows.push_back(j.get<PairRow>());
  std::sort(rows.begin(), rows.end(), [](const PairRow& x, const PairRow& y) {
    return std::make_pair(x.a, x.b) < std::make_pair(y.a, y.b);
  });
  return rows;
}

}  // namespace

int runPairs(const PairsOptions& o) {
  validatePairsOptions(o);
  MpiTransport t(MPI_COMM_WORLD);
  const int rank = t.rank(), p = t.size();
  const std::string startedAt = utcNow();
  const Topology topology = gatherTopology(t);
  const long total = static_cast<long>(p) * (p - 1) / 2;
  std::string problem;
  if (p < 2)
    problem = "--pattern pairs measures rank pairs: it needs at least 2 ranks, not 1";
  else if (o.sample > total)
    problem =
        fmt::format("--pairs-sample {} is more than the {} pairs of {} ranks", o.sample, total, p);
  if (stopOnProblem(t, problem)) return kExitUsage;

  const std::vector<RankPair> pairs = samplePairs(p, o.sample, o.seed);
  const auto rounds = scheduleRounds(pairs, topology.nodeOfRank());
  const std::string out = o.out.empty() ? defaultResultsPath("pairs", p) : o.out;
  if (rank == 0)
    std::printf(
        "# hockney pairs: %d ranks on %zu hosts, %zu of %ld pairs in %zu rounds "
        "(latency %zu B x %ld, bandwidth %zu B x %ld)\n# report: %s\n",
        p, topology.hosts.size(), pairs.size(), total, rounds.size(), o.latencyBytes,
        o.latencyIterations, o.bandwidthBytes, o.bandwidthIterations, out.c_str());
  std::fflush(stdout);

  HostBuffer small(o.latencyBytes), large(o.bandwidthBytes);
  Watchdog watchdog(std::chrono::duration<double>(o.timeoutSeconds), t.progress(), rank,
                    abortJobOnStall);
  // The whole matrix `repeats` times, every pair in each: a verdict must hold in most of them
  // (one busy moment on a healthy link named it when each pair was judged once or twice).
  std::vector<std::vector<PairRow>> repeats;
  for (int rep = 0; rep < o.repeats; ++rep) {
    repeats.push_back(gatherRows(t, measureRounds(t, topology, rounds, o, watchdog, small, large)));
    if (rank == 0 && o.repeats > 1) {
      std::printf("# repeat %d of %d done\n", rep + 1, o.repeats);
      std::fflush(stdout);
    }
  }
  int64_t code = kExitOk;
  if (rank == 0) {
    const std::vector<PairRow> rows = combineRepeats(repeats);
    const PairAnalysis analysis = analysePairRepeats(repeats, rows);
    size_t failed = 0;
    if (rows.size() <= 64) {
      std::printf("# %4s %4s %-12s %-12s %-8s %12s %14s %10s %6s\n", "a", "b", "host_a", "host_b",
                  "level", "latency_us", "bandwidth_GB/s", "Mbit/s", "check");
      for (const PairRow& r : rows)
        std::printf("  %4d %4d %-12s %-12s %-8s %12.2f %14.4f %10.0f %6s\n", r.a, r.b,
                    r.hostA.c_str(), r.hostB.c_str(), std::string(name(r.level)).c_str(),
                    r.latencyUs, r.bandwidthGBps, r.bandwidthGBps * 8e3, r.check.c_str());
    }
    std::vector<std::string> notes;
    notes.push_back(fmt::format(
        "the matrix was measured {} time(s); per pair the median over them; a host or link is "
        "named only where it was far off in more than half of them (its confidence: the "
        "fraction)",
        o.repeats));
    for (const PairRow& r : rows)
      if (r.check == "fail") {
        ++failed;
        notes.push_back(fmt::format("pair {}-{} failed its check: {}", r.a, r.b, r.checkDetail));
      }
    std::printf("%s", formatPairAnalysis(analysis).c_str());
    for (const auto& n : notes) std::printf("# %s\n", n.c_str());
    const Provenance prov = finishedProvenance(startedAt, o.commandLine, topology);
    json report = makeResultsReport(prov, json::object(), {}, notes);
    report["kind"] = "pair_matrix";
    report.erase("results");
    report.erase("hosts");
    report.erase("placement");
    report["config"] = {{"latency_bytes", o.latencyBytes},
                        {"bandwidth_bytes", o.bandwidthBytes},
                        {"latency_iterations", o.latencyIterations},
                        {"bandwidth_iterations", o.bandwidthIterations},
                        {"warmup", o.warmup},
                        {"check", o.check},
                        {"pairs_total", total},
                        {"pairs_measured", pairs.size()},
                        {"rounds", rounds.size()},
                        {"repeats", o.repeats},
                        {"sample_seed", o.seed},
                        {"timer",
                         "steady_clock on the lower rank; one-way = round trip / 2; "
                         "median over iterations"}};
    report["pairs"] = rows;
    const json summary = toJson(analysis);
    report["levels"] = summary["levels"];
    report["outliers"] = summary["outliers"];
    writeFileAtomically(out, reportText(report));
    std::printf("# %zu pairs, %zu failed; wrote %s\n", rows.size(), failed, out.c_str());
    code = failed > 0 ? kExitCheckFailed : kExitOk;
  }
  broadcastFromZero(t, &code, sizeof code);
  return static_cast<int>(code);
}

}  // namespace hockney
