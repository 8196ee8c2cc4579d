// The adaptive sampler on synthetic timings with known breaks: starting from a coarse grid, it
// must put its sizes where the regimes change, and the fit on what it measured must find every
// break and meet the calibration goal (held-out median 5%, p90 15%).
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace hockney
