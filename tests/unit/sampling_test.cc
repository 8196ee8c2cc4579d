// The adaptive sampler on synthetic timings with known breaks: starting from a coarse grid, it
// must put its sizes where the regimes change, and the fit on what it measured must find every
// break and meet the calibration goal (held-out median 5%, p90 15%).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "model/fit.h"
#include "model/sampling.h"

namespace hockney {
namespace {

// Eager (α 0.4 µs, 5 GB/s) below 6 KiB, in-cache single copy (α 3 µs, 20 GB/s) below 3 MiB,
// out of cache (8 GB/s) above; 2% noise.
double timeOf(double bytes, std::mt19937& gen) {
  std::uniform_real_distribution<double> jitter(0.98, 1.02);
  const double t = bytes < 6144      ? 0.4e-6 + bytes / 5e9
                   : bytes < 3145728 ? 3e-6 + bytes / 20e9
                                     : 3e-6 + bytes / 8e9;
  return t * jitter(gen);
}

TEST(Sampling, GeometricGridEndsAtItsMaximum) {
  EXPECT_EQ(geometricGrid(8, 8192, 4), (std::vector<double>{8, 32, 128, 512, 2048, 8192}));
  EXPECT_EQ(geometricGrid(8, 100, 4), (std::vector<double>{8, 32, 100}));
}

TEST(Sampling, RefinesWhereRegimesChangeAndFindsEveryBreak) {
  std::mt19937 gen(11);
  std::vector<FitPoint> pts;
  std::set<double> measured;
  auto measure = [&](double bytes) {
    bytes = std::max(4.0, std::round(bytes / 4) * 4);
    if (!measured.insert(bytes).second) return;
    pts.push_back({1, bytes, 0, timeOf(bytes, gen), bytes, 2});
  };
  for (double s : geometricGrid(8, 64.0 * 1024 * 1024, 4)) measure(s);
  FitOptions fo;
  fo.useGamma = false;
  const size_t coarse = measured.size();
  FitResult fit = fitPoints(pts, fo);
  std::vector<double> firstProposals = proposeSizes(fit, SamplingOptions{});
  ASSERT_FALSE(firstProposals.empty());
  for (int round = 0; round < 12; ++round) {
    std::vector<double> next = proposeSizes(fit, SamplingOptions{});
    if (next.empty()) break;
    for (double s : next) measure(s);
    fit = fitPoints(pts, fo);
  }
  ASSERT_EQ(fit.breaks.size(), 2u) << "sizes measured: " << measured.size();
  EXPECT_GT(fit.breaks[0], 6144 / 1.5);
  EXPECT_LT(fit.breaks[0], 6144 * 1.5);
  EXPECT_GT(fit.breaks[1], 3145728 / 1.5);
  EXPECT_LT(fit.breaks[1], 3145728 * 1.5);
  EXPECT_LT(fit.heldOutMedianRelErr, 0.05);
  EXPECT_LT(fit.heldOutP90RelErr, 0.15);
  // The new sizes went near the breaks, not evenly across the range: most added sizes lie
  // within a factor of 4 of a true break.
  size_t added = measured.size() - coarse, nearBreak = 0;
  std::set<double> coarseSet;
  for (double s : geometricGrid(8, 64.0 * 1024 * 1024, 4)) coarseSet.insert(s);
  for (double s : measured) {
    if (coarseSet.count(s)) continue;
    if ((s > 6144 / 4.0 && s < 6144 * 4.0) || (s > 3145728 / 4.0 && s < 3145728 * 4.0)) ++nearBreak;
  }
  EXPECT_GT(added, 0u);
  EXPECT_GE(2 * nearBreak, added) << nearBreak << " of " << added << " near a break";
}

TEST(Sampling, AStraightLineNeedsNoMoreSizes) {
  FitResult fit;
  std::vector<FitPoint> pts;
  for (double s : geometricGrid(8, 1 << 20, 4)) pts.push_back({1, s, 0, 1e-6 + s / 1e10, s, 2});
  FitOptions fo;
  fo.useGamma = false;
  EXPECT_TRUE(proposeSizes(fitPoints(pts, fo), SamplingOptions{}).empty());
}

ResultRow visit(size_t bytes, double us, const char* check = "pass") {
  ResultRow r;
  r.pattern = "allreduce";
  r.algorithm = "ring";
  r.backend = "mpi";
  r.ranks = 2;
  r.bytes = bytes;
  r.dtype = "float32";
  r.op = "sum";
  r.timeUs.median = us;
  r.check = check;
  return r;
}

TEST(Sampling, TheMedianVisitStandsAndAFailedVisitIsNeverHidden) {
  const auto merged = mergeVisits(
      {visit(64, 1.0), visit(128, 3.0), visit(64, 0.5), visit(64, 2.0), visit(128, 1.0, "fail")});
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].bytes, 64u);
  EXPECT_DOUBLE_EQ(merged[0].timeUs.median, 1.0);  // of 1.0, 0.5 and 2.0
  EXPECT_EQ(merged[0].details["visits_median_us"].size(), 3u);
  EXPECT_EQ(merged[1].check, "fail");
}

TEST(Sampling, AnIsolatedOutlierIsVisitedAgainNotGivenARegime) {
  std::vector<ResultRow> rows;
  for (double s : geometricGrid(64, 1 << 20, 2)) {
    const auto b = static_cast<size_t>(s);
    ResultRow r = visit(b, 1.0 + static_cast<double>(b) / 1e4);
    r.cost = Cost{1, static_cast<double>(b), 0};
    if (b == 8192) r.timeUs.median *= 3;  // one unlucky point
    rows.push_back(r);
  }
  std::vector<const ResultRow*> series;
  for (const auto& r : rows) series.push_back(&r);
  SeriesNext next = nextForSeries(series, 4);
  ASSERT_EQ(next.outliers.size(), 1u);
  EXPECT_EQ(next.outliers[0]->bytes, 8192u);
  // Once it has kVisits visits, it is not asked for again.
  rows[7].details["visits_median_us"] = {1.0, 2.0, 3.0};
  ASSERT_EQ(rows[7].bytes, 8192u);
  EXPECT_TRUE(nextForSeries(series, 4).outliers.empty());
}

// Budget by cost, on synthetic timings: 20 series (patterns x algorithms) scouted at 8 B and
// 64 KiB, a 90 s budget of which half may go to the coarse grids. A fabric at 1 GB/s keeps the
// job's 64 MiB and 10 repetitions with time left to refine; one 100x slower gets fewer repetitions
// and a lower ceiling, and still every fit its kCoarseSizes sizes within the budget.
TEST(Sampling, TheBudgetGivesEveryFitItsCoarseSizesOnAFabric100xSlower) {
  const double lo = 8, hi = 64.0 * (1 << 20), half = 0.5 * 85;
  for (const double bandwidth : {1e9, 1e7}) {
    auto call = [&](double bytes) { return 50e-6 + bytes / bandwidth; };
    std::vector<SeriesCost> series(20);
    for (size_t i = 0; i < series.size(); ++i) {
      SeriesCost& s = series[i];
      s.group = i;
      s.lo = lo;
      for (double b : {lo, 65536.0}) {
        s.measured.emplace_back(b, call(b));
        s.have.push_back(b);
      }
    }
    const CoarseBudget b = budgetCoarse(series, hi, half, 10, 0.02);
    // What the coarse grids then cost on this fabric, point by point.
    double seconds = 0;
    ASSERT_EQ(b.ceilings.size(), series.size());
    for (size_t i = 0; i < series.size(); ++i) {
      const std::vector<double> sizes = coarseSizes(lo, b.ceilings[i]);
      EXPECT_GE(sizes.size(), kCoarseSizes);
      for (double size : sizes)
        if (size != lo && size != 65536.0)
          seconds += pointSeconds(call(size), b.minIterations, 0.02);
    }
    EXPECT_LE(seconds, half) << bandwidth;
    EXPECT_NEAR(seconds, b.estimateSeconds, 0.01 * seconds);  // sizes rounded apart
    const auto [lowest, highest] = std::minmax_element(b.ceilings.begin(), b.ceilings.end());
    if (bandwidth == 1e9) {
      EXPECT_FALSE(b.lowered());
      EXPECT_EQ(*lowest, hi);
      EXPECT_EQ(b.minIterations, 10);
      EXPECT_LT(seconds, 0.5 * half);  // the rest of the budget refines
    } else {
      EXPECT_TRUE(b.loweredRepetitions && b.loweredCeiling);
      EXPECT_EQ(b.minIterations, kFewIterations);
      EXPECT_GE(*lowest, 1 << 20);  // still past the small-message regime
      EXPECT_LT(*highest, hi);
      EXPECT_LE(*highest / *lowest, 2.0);  // alike series come down alike
    }
  }
  // Series of unequal cost: the costly one comes down, the cheap one keeps the job's ceiling.
  std::vector<SeriesCost> mixed(2);
  for (size_t i = 0; i < 2; ++i) {
    mixed[i].group = i;
    mixed[i].lo = lo;
    const double bw = i == 0 ? 1e7 : 1e10;
    for (double b : {lo, 65536.0}) mixed[i].measured.emplace_back(b, 50e-6 + b / bw);
  }
  const CoarseBudget m = budgetCoarse(mixed, hi, 10, 10, 0.02);
  EXPECT_LT(m.ceilings[0], hi);
  EXPECT_EQ(m.ceilings[1], hi);
  EXPECT_LE(m.estimateSeconds, 10);
  // The coarse grid: at least kCoarseSizes sizes, a factor of 16 at most, both ends included.
  for (const auto& [a, z] :
       std::vector<std::pair<double, double>>{{8, 64 << 20}, {65536, 4 << 20}}) {
    const std::vector<double> g = coarseSizes(a, z);
    EXPECT_GE(g.size(), kCoarseSizes);
    EXPECT_EQ(g.front(), a);
    EXPECT_EQ(g.back(), z);
    for (size_t i = 1; i < g.size(); ++i) EXPECT_LE(g[i] / g[i - 1], 16.0 * (1 + 1e-9));
  }
  // Estimates: the line through the two largest sizes beyond them, never below the last.
  EXPECT_DOUBLE_EQ(estimateCallSeconds({{1000, 1.0}, {2000, 2.0}}, 4000, 0), 4.0);
  EXPECT_DOUBLE_EQ(estimateCallSeconds({{1000, 2.0}, {2000, 1.0}}, 4000, 0), 1.0);
  EXPECT_DOUBLE_EQ(estimateCallSeconds({}, 4000, 0.5), 0.5);
}

}  // namespace
}  // namespace hockney
