// hockney fit over results reports: own and vendor rows, broken times, foreign input, hot and
// cold buffers, compare's flags, mixed-level rows and reduction kernels.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "collectives/core/error.h"
#include "collectives/registry.h"
#include "model/calibration.h"
#include "model/compare.h"
#include "model/compose.h"
#include "model/fit.h"
#include "reports/results.h"

namespace hockney {
namespace {
nlohmann::json reportOf(std::vector<ResultRow> rows) {
  Provenance p;
  p.toolVersion = "test";
  p.ranks = 2;
  p.hostOfRank = {"h", "h"};
  return makeResultsReport(p, nlohmann::json::object(), rows, {});
}

ResultRow row(std::string algorithm, size_t bytes, double us, std::optional<Cost> cost) {
  ResultRow r;
  r.pattern = "allreduce";
  r.algorithm = std::move(algorithm);
  r.backend = "mpi";
  r.ranks = 2;
  r.bytes = bytes;
  r.count = bytes / 4;
  r.dtype = "float32";
  r.op = "sum";
  r.iterations = 10;
  r.timeUs.median = us;
  r.check = "pass";
  r.cost = cost;
  return r;
}

TEST(Calibration, FitsOwnAndVendorRowsAndSelectsTheFastest) {
  std::vector<ResultRow> rows;
  for (size_t n = 1024; n <= (size_t{1} << 24); n *= 4) {
    const double b = static_cast<double>(n);
    rows.push_back(row("ring", n, 2 * 1.0 + b / 1e3 * 1.0 / 2, Cost{2, b, b / 2}));  // 2 GB/s
    rows.push_back(row("vendor", n, 0.5 + b / 4e3, std::nullopt));                   // 4 GB/s
  }
  std::vector<std::string> warnings;
  nlohmann::json cal =
      fitCalibration({{"a.json", reportOf(rows)}}, CalibrateOptions{}, warnings).toJson();
  EXPECT_EQ(cal["kind"], "calibration");
  ASSERT_EQ(cal["fits"].size(), 2u);
  for (const auto& f : cal["fits"]) {
    if (f["algorithm"] == "vendor") {
      EXPECT_TRUE(f["black_box"].get<bool>());
      EXPECT_EQ(f["ranks"], 2);
      EXPECT_NEAR(f["pieces"][0]["bandwidth_gbps"].get<double>(), 4.0, 0.01);
      EXPECT_NEAR(f["pieces"][0]["alpha_us"].get<double>(), 0.5, 0.01);
    }
  }
  for (const auto& f : cal["fits"]) {
    if (f["algorithm"] == "ring") {
      EXPECT_FALSE(f["gamma_note"].is_null());  // c = b/2 always
    }
  }
  ASSERT_EQ(cal["selection"].size(), 1u);
  EXPECT_EQ(cal["selection"][0]["ranges"][0]["algorithm"], "vendor");
  EXPECT_TRUE(warnings.empty());
}

TEST(Calibration, BrokenTimesAreDroppedNotFittedAndPoorFitsAreFlagged) {
  std::vector<ResultRow> rows;
  for (size_t n = 1024; n <= (size_t{1} << 24); n *= 4) {
    const double b = static_cast<double>(n);
    rows.push_back(row("ring", n, 2.0 + b / 2e3, Cost{2, b, b / 2}));
  }
  const size_t good = rows.size();
  rows.push_back(row("ring", 4096 * 3, -5, Cost{2, 4096 * 3, 4096 * 1.5}));
  rows.push_back(row("ring", 4096 * 5, 1e300, Cost{2, 4096 * 5, 4096 * 2.5}));
  std::vector<std::string> warnings;
  nlohmann::json cal =
      fitCalibration({{"a.json", reportOf(rows)}}, CalibrateOptions{}, warnings).toJson();
  ASSERT_EQ(cal["fits"].size(), 1u);
  const auto& f = cal["fits"][0];
  EXPECT_EQ(f["points"], good);  // the two broken rows are not counted
  EXPECT_GT(f["pieces"][0]["beta_s_per_byte"].get<double>(), 0);  // never infinite bandwidth
  EXPECT_NEAR(f["r2"].get<double>(), 1.0, 1e-6);
  EXPECT_TRUE(f["quality_warnings"].empty());
  EXPECT_EQ(warnings.size(), 2u);
  for (const auto& w : warnings)
    EXPECT_NE(w.find("is not a time a call can take"), std::string::npos) << w;

  // Times that no alpha-beta line can follow are fitted, flagged, and the flag reaches projection.
  std::vector<ResultRow> wild;
  double t = 1;
  for (size_t n = 1024; n <= (size_t{1} << 24); n *= 2, t = t > 50 ? 1 : t * 40)
    wild.push_back(row("ring", n, t, Cost{2, static_cast<double>(n), static_cast<double>(n) / 2}));
  warnings.clear();
  nlohmann::json poor =
      fitCalibration({{"b.json", reportOf(wild)}}, CalibrateOptions{}, warnings).toJson();
  ASSERT_EQ(poor["fits"].size(), 1u);
  EXPECT_FALSE(poor["fits"][0]["quality_warnings"].empty());
  CalibratedFit typed = CalibratedFit::fromJson(poor["fits"][0], "b.json");
  EXPECT_FALSE(typed.qualityWarnings.empty());
}

TEST(Calibration, RejectsForeignAndUnfittableInput) {
  std::vector<std::string> warnings;
  nlohmann::json notResults = {{"kind", "calibration"}};
  EXPECT_THROW(
      fitCalibration({{"x.json", {{"kind", "results"}, {"results", 3}}}}, {}, warnings).toJson(),
      UsageError);
  std::vector<ResultRow> lone{row("ring", 64, 3, Cost{2, 64, 32})};
  try {
    fitCalibration({{"a.json", reportOf(lone)}}, {}, warnings).toJson();
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("only 1 distinct size"), std::string::npos) << e.what();
  }
}

// Hot and cold buffers measure different things: fit keeps them apart, compare refuses to mix
// them unless forced, and names the faster side of each regime.
TEST(Calibration, HotAndColdAreFittedApartAndCompareRefusesToMixThem) {
  std::vector<ResultRow> rows;
  for (size_t n = 1024; n <= (size_t{1} << 22); n *= 4) {
    const double b = static_cast<double>(n);
    ResultRow hot = row("vendor", n, 1.0 + b / 4e3, std::nullopt);
    ResultRow cold = row("vendor", n, 1.0 + b / 2e3, std::nullopt);
    hot.buffers = "hot";
    cold.buffers = "cold";
    rows.push_back(hot);
    rows.push_back(cold);
  }
  std::vector<std::string> warnings;
  nlohmann::json cal =
      fitCalibration({{"a.json", reportOf(rows)}}, CalibrateOptions{}, warnings).toJson();
  ASSERT_EQ(cal["fits"].size(), 2u);
  std::set<std::string> kinds;
  for (const auto& f : cal["fits"]) kinds.insert(f["buffers"].get<std::string>());
  EXPECT_EQ(kinds, (std::set<std::string>{"hot", "cold"}));

  // Two calibrations: A hot and faster for large messages, B cold.
  const std::string dir = ::testing::TempDir();
  auto write = [&](const std::string& name, const std::string& buffers, double alphaUs,
                   double gbps) {
    std::vector<ResultRow> rs;
    for (size_t n = 1024; n <= (size_t{1} << 22); n *= 4) {
      ResultRow r = row("ring", n, 2 * alphaUs + static_cast<double>(n) / (gbps * 1e3),
                        Cost{2, static_cast<double>(n), static_cast<double>(n) / 2});
      r.buffers = buffers;
      rs.push_back(r);
    }
    std::vector<std::string> w;
    writeFileAtomically(
        dir + name, fitCalibration({{name, reportOf(rs)}}, CalibrateOptions{}, w).toJson().dump());
    return dir + name;
  };
  const std::string a = write("hot.json", "hot", 1.0, 8.0);
  const std::string b = write("cold.json", "cold", 0.5, 2.0);
  try {
    compareFiles(a, b, std::nullopt);
    FAIL() << "hot and cold compared without --force";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("A measured hot buffers, B cold"), std::string::npos)
        << e.what();
  }
  nlohmann::json c = compareFiles(a, b, std::nullopt, /*force=*/true).toJson();
  EXPECT_NE(c["notes"].dump().find("--force"), std::string::npos);
  ASSERT_EQ(c["fits"].size(), 1u);
  const auto& f = c["fits"][0];
  EXPECT_EQ(f["faster_small_messages"], "b");  // α 0.5 us against 1 us
  EXPECT_EQ(f["faster_large_messages"], "a");  // 8 GB/s against 2
  EXPECT_NEAR(f["bandwidth_ratio_b_over_a"].get<double>(), 0.25, 0.02);
  // The same file twice: a tie everywhere.
  nlohmann::json same = compareFiles(a, a, std::nullopt).toJson();
  EXPECT_EQ(same["fits"][0]["faster_small_messages"], "tie");
  EXPECT_EQ(same["fits"][0]["faster_large_messages"], "tie");
}

// compare repeats what the calibrations say of the fits it uses: a flagged fit (here fitted on
// 3 sizes: under-determined, its errors unknown) is named beside the numbers and in the JSON; a
// latency fitted as 0 on one side has no ratio.
TEST(Calibration, CompareRepeatsEveryFlagAndGivesNoRatioAgainstAZeroLatency) {
  const std::string dir = ::testing::TempDir();
  auto write = [&](const std::string& name, double alphaUs, size_t largest) {
    std::vector<ResultRow> rs;
    for (size_t n = 1024; n <= largest; n *= 4)
      rs.push_back(row("ring", n, 2 * alphaUs + static_cast<double>(n) / 8e3,
                       Cost{2, static_cast<double>(n), static_cast<double>(n) / 2}));
    std::vector<std::string> w;
    const Calibration cal = fitCalibration({{name, reportOf(rs)}}, CalibrateOptions{}, w);
    writeFileAtomically(dir + name, cal.toJson().dump());
    return cal;
  };
  const Calibration a = write("flag-a.json", 1.0, size_t{1} << 22);
  const Calibration b = write("flag-b.json", 0.0, 16384);  // 1, 4, 16 KiB: 3 sizes
  ASSERT_EQ(a.fits.size(), 1u);
  ASSERT_EQ(b.fits.size(), 1u);
  EXPECT_FALSE(a.fits[0].underDetermined());
  EXPECT_TRUE(b.fits[0].underDetermined());
  ASSERT_FALSE(b.fits[0].qualityWarnings.empty());
  EXPECT_EQ(b.fits[0].qualityWarnings[0].rfind("under-determined", 0), 0u);
  const std::string table = formatFitTable(b);
  EXPECT_NE(table.find("     -      -              -\n"), std::string::npos) << table;
  EXPECT_TRUE(b.toJson()["fits"][0]["under_determined"].get<bool>());

  const nlohmann::json c =
      compareFiles(dir + "flag-a.json", dir + "flag-b.json", std::nullopt).toJson();
  ASSERT_EQ(c["fits"].size(), 1u);
  EXPECT_TRUE(c["fits"][0]["latency_ratio_b_over_a"].is_null()) << c["fits"][0];
  EXPECT_TRUE(c["fits"][0]["faster_small_messages"].is_null());
  const std::string notes = c["notes"].dump();
  EXPECT_NE(notes.find("B: mpi/allreduce/ring float32 at 'world' is flagged: under-determined"),
            std::string::npos)
      << notes;
  EXPECT_EQ(c["fits"][0]["notes"].size(), 1u);
}

// World rows whose steps cross hosts and stay within them are not fitted as one level: with fits
// of each level beside them they are priced composed and checked; without, fit says why. Pairs of
// point-to-point rows at one level and size: the median pair stands for the fabric.
TEST(Calibration, MixedLevelRowsAreCheckedNotFittedAndPairsGiveTheirMedian) {
  auto at = [](ResultRow r, const std::string& scope, LinkLevel level, int ranks, int hosts,
               int perHost) {
    r.scope = scope;
    r.level = level;
    r.ranks = ranks;
    r.count = r.bytes / 4;
    if (hosts > 1 && scope != "pair")
      r.details["placement"] = {{"hosts", hosts}, {"ranks_per_host", perHost}};
    if (scope == "pair") r.scope = "world";
    return r;
  };
  const Algorithm* ring = findAlgorithm("allreduce", "ring");
  auto ringRow = [&](size_t n, int p, double alphaUs, double gbps) {
    CallShape shape;
    shape.ranks = p;
    shape.count = n / 4;
    const Cost c = ring->cost(shape);
    return row("ring", n, c.alphaCount * alphaUs + c.betaBytes / (gbps * 1e3), c);
  };
  std::vector<ResultRow> rows;
  for (size_t n = size_t{1} << 16; n <= (size_t{1} << 24); n *= 2) {
    rows.push_back(at(ringRow(n, 2, 1.0, 8.0), "node", LinkLevel::kNuma, 2, 1, 2));
    rows.push_back(at(ringRow(n, 4, 20.0, 0.1), "leaders", LinkLevel::kNetwork, 4, 4, 1));
    // Across 4 hosts x 2: every round of a ring crosses the network (the fits' own numbers).
    rows.push_back(at(ringRow(n, 8, 20.0, 0.1), "world", LinkLevel::kNetwork, 8, 4, 2));
    for (const auto& [peers, gbps] : std::vector<std::pair<std::vector<int>, double>>{
             {{0, 2}, 0.1}, {{2, 4}, 0.05}, {{4, 6}, 0.11}}) {
      ResultRow pp = row("pingpong", n, 20.0 + static_cast<double>(n) / (gbps * 1e3),
                         Cost{1, static_cast<double>(n), 0});
      pp.pattern = "sendrecv";
      pp.details["peers"] = peers;
      rows.push_back(at(pp, "pair", LinkLevel::kNetwork, 8, 4, 2));
    }
  }
  std::vector<std::string> warnings;
  const Calibration cal = fitCalibration({{"levels.json", reportOf(rows)}}, {}, warnings);
  std::map<std::string, const CalibratedFit*> fits;
  for (const CalibratedFit& f : cal.fits)
    fits[f.pattern + "/" + f.algorithm + "@" + std::string(name(f.level))] = &f;
  ASSERT_EQ(fits.size(), 3u) << cal.toJson().dump(1);  // ring numa and network, pingpong network
  EXPECT_EQ(fits.at("allreduce/ring@network")->measuredRanks, (std::vector<int>{4}));
  // The median pair (0.1 GB/s), not the slow one, nor their mean.
  const Piece& pp = fits.at("sendrecv/pingpong@network")->pieces.back();
  EXPECT_NEAR(1e-9 / pp.coeffs.beta, 0.1, 0.002);
  ASSERT_EQ(cal.composed.size(), 1u);
  const ComposedCheck& check = cal.composed[0];
  EXPECT_EQ(check.algorithm, "ring");
  EXPECT_EQ(check.hosts, 4);
  EXPECT_EQ(check.ranksPerHost, 2);
  EXPECT_LT(check.medianRelErr, 0.02) << cal.toJson()["composed_checks"].dump(1);
  // Without the in-host fit: not fitted, and said.
  std::vector<ResultRow> worldOnly;
  for (const ResultRow& r : rows)
    if (!r.details.contains("peers") && r.level == LinkLevel::kNetwork) worldOnly.push_back(r);
  warnings.clear();
  const Calibration alone = fitCalibration({{"w.json", reportOf(worldOnly)}}, {}, warnings);
  EXPECT_TRUE(alone.composed.empty());
  EXPECT_NE(
      ::testing::PrintToString(warnings).find("not fitted as one level (its steps cross hosts "
                                              "and stay within them): allreduce/ring float32 "
                                              "on 4 hosts x 2: no in-host ring fit"),
      std::string::npos)
      << ::testing::PrintToString(warnings);
}

}  // namespace
}  // namespace hockney

namespace hockney {
namespace {

// hockney-kernels' JSON: host and device reduction rows become γ, each saying where it ran;
// aggregate rows (…_mean) and copies are not reductions.
TEST(Calibration, ReadsHostAndDeviceReductionKernels) {
  const nlohmann::json bench = {
      {"context", {{"host_name", "gpu01"}}},
      {"benchmarks",
       {{{"name", "reduce/float32/sum/4096"}, {"bytes_per_second", 2e10}},
        {{"name", "device_reduce/bfloat16/max/67108864"}, {"bytes_per_second", 1.5e12}},
        {{"name", "device_reduce/float32/sum/4096_mean"}, {"bytes_per_second", 1e12}},
        {{"name", "device_copy/cudaMemcpyAsync/67108864"}, {"bytes_per_second", 2.5e12}}}}};
  std::vector<std::string> warnings;
  const nlohmann::json cal =
      fitCalibration({{"k.json", bench}}, CalibrateOptions{}, warnings).toJson();
  const nlohmann::json& k = cal.at("reduction_kernels");
  ASSERT_EQ(k.size(), 2u) << k.dump();
  EXPECT_EQ(k[0]["device"], "host");
  EXPECT_EQ(k[0]["dtype"], "float32");
  EXPECT_DOUBLE_EQ(k[0]["bytes"].get<double>(), 4096);
  EXPECT_EQ(k[1]["device"], "gpu");
  EXPECT_EQ(k[1]["dtype"], "bfloat16");
  EXPECT_EQ(k[1]["op"], "max");
  EXPECT_DOUBLE_EQ(k[1]["reduction_gbps"].get<double>(), 1500);
  EXPECT_DOUBLE_EQ(k[1]["gamma_s_per_byte"].get<double>(), 1 / 1.5e12);
}

}  // namespace
}  // namespace hockney
