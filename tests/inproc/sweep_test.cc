// The harness on in-process ranks: every rank gets the same rows, checks really check (a broken
// algorithm is reported "fail" with the element), and costs are attached to own algorithms.
#include <gtest/gtest.h>

#include <mutex>

#include "collectives/core/error.h"
#include "collectives/transport/inproc.h"
#include "microbench/cases.h"
#include "microbench/sweep.h"

namespace hockney {
namespace {

SweepConfig smallConfig() {
  SweepConfig c;
  c.sizes = {4, 1004, 65536};
  c.iterations = 3;
  c.warmup = 1;
  return c;
}

TEST(Sweep, OwnAlgorithmsPassAndRanksAgree) {
  std::vector<BenchCase> cases =
      selectCases("allreduce", {"ring", "rabenseifner", "double_binary_tree"});
  std::mutex mutex;
  std::vector<std::vector<ResultRow>> perRank(5);
  runInproc(5, [&](Transport& t) {
    auto rows = runSweep(t, cases, smallConfig(), nullptr, {});
    std::lock_guard lock(mutex);
    perRank[static_cast<size_t>(t.rank())] = rows;
  });
  ASSERT_EQ(perRank[0].size(), 9u);
  for (const auto& row : perRank[0]) {
    EXPECT_EQ(row.check, "pass") << row.algorithm << " " << row.bytes << ": " << row.checkDetail;
    EXPECT_EQ(row.ranks, 5);
    EXPECT_EQ(row.backend, "inproc");
    ASSERT_TRUE(row.cost.has_value());
    EXPECT_GT(row.timeUs.median, 0);
    EXPECT_LE(row.timeUs.min, row.timeUs.median);
    EXPECT_LE(row.timeUs.median, row.timeUs.max);
  }
  for (const auto& rows : perRank) {
    ASSERT_EQ(rows.size(), perRank[0].size());
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(rows[i].check, perRank[0][i].check);
      EXPECT_EQ(rows[i].timeUs.median, perRank[0][i].timeUs.median);  // max over ranks, shared
      EXPECT_EQ(rows[i].iterations, perRank[0][i].iterations);
    }
  }
}

TEST(Sweep, ABrokenAlgorithmFailsItsCheckOnEveryRank) {
  BenchCase broken = selectCases("allreduce", {"ring"}).front();
  static Algorithm brokenRing = *broken.own;
  brokenRing.run = [](Transport& t, const CallShape& s, const CallBuffers& b) {
    findAlgorithm("allreduce", "ring")->run(t, s, b);
    if (t.rank() == 2 && s.count > 7) static_cast<float*>(b.output)[7] += 1.0f;
  };
  broken.algorithm = "broken_ring";
  broken.own = &brokenRing;
  std::mutex mutex;
  std::vector<ResultRow> rows;
  runInproc(3, [&](Transport& t) {
    SweepConfig c = smallConfig();
    c.sizes = {1004};
    ResultRow row = measurePoint(t, broken, 1004, c, nullptr);
    std::lock_guard lock(mutex);
    rows.push_back(row);
  });
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows) EXPECT_EQ(row.check, "fail");
  bool detailed = false;
  for (const auto& row : rows)
    detailed = detailed || row.checkDetail.find("rank 2: element 7") != std::string::npos;
  EXPECT_TRUE(detailed);
}

TEST(Sweep, AutomaticIterationsAreTheSameOnEveryRankAndBounded) {
  std::vector<BenchCase> cases = selectCases("allreduce", {"tree"});
  std::mutex mutex;
  std::vector<long> iterations;
  runInproc(3, [&](Transport& t) {
    SweepConfig c = smallConfig();
    c.iterations = 0;
    c.targetSeconds = 0.01;
    c.minIterations = 4;
    c.maxIterations = 50;
    ResultRow row = measurePoint(t, cases[0], 64, c, nullptr);
    std::lock_guard lock(mutex);
    iterations.push_back(row.iterations);
  });
  ASSERT_EQ(iterations.size(), 3u);
  EXPECT_EQ(iterations[0], iterations[1]);
  EXPECT_EQ(iterations[1], iterations[2]);
  EXPECT_GE(iterations[0], 4);
  EXPECT_LE(iterations[0], 50);
}

TEST(Sweep, SkipsPointsAlreadyMeasured) {
  std::vector<BenchCase> cases = selectCases("allreduce", {"ring"});
  SweepHooks hooks;
  ResultRow done;
  done.pattern = "allreduce";
  done.algorithm = "ring";
  done.backend = "inproc";
  done.ranks = 2;
  done.bytes = 1004;
  done.dtype = "float32";
  done.op = "sum";
  hooks.skipKeys.insert(done.key());
  std::vector<size_t> measured;
  runInproc(2, [&](Transport& t) {
    auto rows = runSweep(t, cases, smallConfig(), nullptr, hooks);
    if (t.rank() == 0)
      for (const auto& r : rows) measured.push_back(r.bytes);
  });
  EXPECT_EQ(measured, (std::vector<size_t>{4, 65536}));
}

TEST(Cases, VendorNeedsMpiAndSaysSo) {
  BenchCase vendor = selectCases("allreduce", {"vendor"}).front();
  EXPECT_TRUE(vendor.vendor());
  EXPECT_FALSE(vendor.cost(CaseShape{}, nullptr).has_value());
  EXPECT_THROW(runInproc(1,
                         [&](Transport& t) {
                           SweepConfig c = smallConfig();
                           measurePoint(t, vendor, 8, c, nullptr);
                         }),
               Error);
}

}  // namespace
}  // namespace hockney
