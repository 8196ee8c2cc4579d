// Logs as people have them (issue 23): nccl-tests output pasted from SLURM and mpirun job logs,
// imported unmodified; vendor fits from them price groups of other rank counts, each number
// saying how. Fixtures: tests/fixtures/import/README.md (sources beside each).
#include <gtest/gtest.h>

#include <string>

#include "collectives/core/error.h"
#include "model/calibration.h"
#include "model/catalog.h"
#include "model/projection.h"
#include "model/vendor.h"
#include "reports/import.h"
#include "reports/json_io.h"
#include "tests/unit/expect_error.h"

namespace hockney {
namespace {

const std::string kPublishedDir = std::string(HOCKNEY_FIXTURES) + "/import/";

ImportedLog publishedLog(const std::string& file, ImportOptions o = {"allreduce", 0, "", {}}) {
  return importNcclTests(kPublishedDir + file, readTextFile(kPublishedDir + file, "log"), o);
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += x + "\n";
  return s;
}

TEST(ImportPublished, SrunLabelledTwoNodeLog) {
  const ImportedLog log = publishedLog("nccl-tests-h100-2node-srun.txt");
  EXPECT_EQ(log.ranks, 16);
  EXPECT_EQ(log.ranksPerHost, 8);
  EXPECT_EQ(log.device, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(log.level, LinkLevel::kNetwork);
  ASSERT_EQ(log.rows.size(), 22u);  // 11 sizes, out-of-place and in-place apart
  EXPECT_EQ(log.rows[0].bytes, 8388608u);
  EXPECT_DOUBLE_EQ(log.rows[0].timeUs.median, 215.3);
  EXPECT_DOUBLE_EQ(log.rows[1].timeUs.median, 180.0);
  EXPECT_TRUE(log.rows[1].inPlace);
  EXPECT_EQ(log.rows[0].level, LinkLevel::kNetwork);
  EXPECT_EQ(log.rows[0].details["ranks_per_host"], 8);
  EXPECT_NE(joined(log.notes).find("srun -l prefixes taken off"), std::string::npos)
      << joined(log.notes);
  // --level overrides what the device lines say.
  const ImportedLog forced =
      publishedLog("nccl-tests-h100-2node-srun.txt", {"allreduce", 0, "", LinkLevel::kNode});
  EXPECT_EQ(forced.rows[0].level, LinkLevel::kNode);
}

TEST(ImportPublished, TagOutputLogWithOtherRanksInterleaved) {
  const ImportedLog log = publishedLog("nccl-tests-t4-efa-tag-output.txt");
  EXPECT_EQ(log.ranks, 2);
  EXPECT_EQ(log.ranksPerHost, 1);
  EXPECT_EQ(log.device, "Tesla T4");
  EXPECT_EQ(log.level, LinkLevel::kNetwork);
  ASSERT_EQ(log.rows.size(), 58u);  // 29 sizes above 0, twice
  EXPECT_EQ(log.rows[0].bytes, 4u);
  EXPECT_DOUBLE_EQ(log.rows.back().timeUs.median, 344454);
  const std::string notes = joined(log.notes);
  EXPECT_NE(notes.find("mpirun --tag-output"), std::string::npos) << notes;
  EXPECT_NE(notes.find("skipped 22 lines of other ranks"), std::string::npos) << notes;
  EXPECT_NE(notes.find("2 rows of size 0 skipped"), std::string::npos) << notes;
}

TEST(ImportPublished, OneNodeLogIsNodeLevelAndInPlaceStaysApart) {
  const ImportedLog one = publishedLog("nccl-tests-h100-1node.txt");
  EXPECT_EQ(one.ranks, 8);
  EXPECT_EQ(one.ranksPerHost, 8);
  EXPECT_EQ(one.level, LinkLevel::kNode);
  const nlohmann::json report = importedReport({one}, "test", "test", "none");
  std::vector<std::string> warnings;
  const Calibration cal = fitCalibration({{"one.json", report}}, CalibrateOptions{}, warnings);
  ASSERT_EQ(cal.fits.size(), 2u);
  EXPECT_NE(cal.fits[0].inPlace, cal.fits[1].inPlace);
  for (const CalibratedFit& f : cal.fits) {
    EXPECT_EQ(f.level, LinkLevel::kNode);
    EXPECT_EQ(f.ranksPerHost, 8);
    EXPECT_EQ(f.points, 6u);  // six sizes each: in-place rows are not pooled in
  }
  const ImportedLog a3 = publishedLog("nccl-tests-h100-2node-a3mega.txt");
  EXPECT_EQ(a3.level, LinkLevel::kNetwork);
  EXPECT_EQ(a3.rows.size(), 62u);
}

TEST(ImportPublished, BadLogsNameTheLine) {
  expectError([] { publishedLog("bad/nccl-two-collectives.txt"); },
              "nccl-two-collectives.txt:26: a second collective (all_gather_perf)");
  expectError([] { publishedLog("bad/nccl-srun-cut.txt"); },
              "nccl-srun-cut.txt:27: a result row of 12 fields");
  expectError(
      [] {
        publishedLog("nccl-tests-h100-2node-srun.txt", {"allreduce", 8, "", {}});
      },
      "names 16 ranks (its device lines, from line 4), not --ranks 8");
  const std::string table = readTextFile(kPublishedDir + "nccl-tests-h100-1node.txt", "log");
  expectError(
      [&] {
        importNcclTests("twice.txt", table + table, {"allreduce", 0, "", {}});
      },
      "twice.txt:38: a second nccl-tests table (the first at line 14)");
}

// Every launcher's prefix, stacked as job logs stack them, and lines no launcher would write: a
// megabyte-long line once overflowed the stack of std::regex's matcher (a crash, not an error).
TEST(ImportPublished, PrefixesOfEveryLauncherAndLongLines) {
  const std::string table = readTextFile(kPublishedDir + "nccl-tests-2.2x-allreduce.txt", "log");
  std::string text =
      "2024-05-01T12:00:00.123Z [1,0]<stdout>:# nThread 1 nGpus 1 minBytes 8 maxBytes 16 step: "
      "2(factor) warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0\n"
      "(head, rank=0, pid=3808) [1,0]<stdout>:#  Rank  0 Group  0 Pid 1 on a device  0 [0x1] G\n"
      "[12:00:01] 1: # a line of rank 1\n"
      " 0: #  Rank  1 Group  0 Pid 1 on b device  0 [0x1] G\n"
      "(" +
      std::string(1 << 20, 'a') + "\n" + std::string(1 << 20, ' ') + "x\n";
  size_t line = 0, from = 0;
  for (size_t at; (at = table.find('\n', from)) != std::string::npos; from = at + 1)
    if (++line >= 6) text += "[0] " + table.substr(from, at + 1 - from);
  const ImportedLog log = importNcclTests("mixed.txt", text, {"allreduce", 0, "", {}});
  EXPECT_EQ(log.ranks, 2);
  EXPECT_EQ(log.level, LinkLevel::kNetwork);  // hosts a and b
  EXPECT_EQ(log.rows.size(), 24u);
  const std::string notes = joined(log.notes);
  for (const char* launcher :
       {"SkyPilot", "[rank]", "mpirun --tag-output", "srun -l", "timestamps"})
    EXPECT_NE(notes.find(launcher), std::string::npos) << launcher << ": " << notes;
  EXPECT_NE(notes.find("skipped 1 lines of other ranks"), std::string::npos) << notes;
  // A rank number no launcher prints is not a prefix: the line stays what it was.
  expectError(
      [] {
        importNcclTests("huge.txt", "99999999999999999999: # x\n" + std::string(1 << 20, '('),
                        {"allreduce", 0, "", {}});
      },
      "no nccl-tests table");
}

Calibration fitted(const std::vector<std::pair<std::string, ImportOptions>>& logs) {
  std::vector<CalibrationInput> inputs;
  for (const auto& [file, o] : logs) {
    const ImportedLog l = publishedLog(file, o);
    inputs.emplace_back(file, importedReport({l}, "test", "test", "none"));
  }
  std::vector<std::string> warnings;
  return fitCalibration(inputs, CalibrateOptions{}, warnings);
}

CalibrationSet setOf(const Calibration& c) {
  CalibrationSet set;
  set.fits = c.fits;
  return set;
}

// The done-when: a calibration made only of a 1-node and a 2-node all-reduce log prices
// every group of GPT-3 175B at tp=8, pp=16, dp=8, each carried group saying how.
TEST(ImportPublished, OneAndTwoNodeLogsPriceEveryGroup) {
  const ImportOptions ar{"allreduce", 0, "", {}};
  const CalibrationSet set =
      setOf(fitted({{"nccl-tests-h100-1node.txt", ar}, {"nccl-tests-h100-2node-srun.txt", ar}}));
  TrainingOptions o;
  o.gpusPerNode = 8;
  const StepCost step =
      projectIteration(findModel("gpt3-175b"), parseLayout("tp=8,pp=16,dp=8"), o, set, "best");
  ASSERT_FALSE(step.items.empty());
  for (const PricedItem& i : step.items) {
    EXPECT_TRUE(std::isfinite(i.call.seconds) && i.call.seconds > 0) << i.item.group;
    // Named for what priced it: no send was measured, so PP says whose bandwidth it used.
    EXPECT_EQ(i.call.algorithm, i.item.group == "PP" ? "allreduce-busbw" : "vendor");
    if (i.item.group == "TP") {
      EXPECT_TRUE(i.call.scalingNote.empty());  // the 8-rank log itself
    }
    if (i.item.group == "DP") {
      EXPECT_EQ(i.level, LinkLevel::kNetwork);
      EXPECT_NE(i.call.scalingNote.find("scaled from a 16-rank vendor fit by bus bandwidth"),
                std::string::npos)
          << i.call.scalingNote;
      EXPECT_NE(i.call.scalingNote.find("8 ranks per host and the group has 1"), std::string::npos)
          << i.call.scalingNote;
    }
    if (i.item.group == "PP") {
      EXPECT_NE(i.call.scalingNote.find("bus bandwidth"), std::string::npos);
    }
  }
  // A forced own algorithm is not replaced by a vendor's bandwidth: it fails, naming the fit.
  CommItem pp{"PP", "pipeline", "test", 2, 1e6, 16, DataType::kBfloat16, 8};
  std::vector<std::string> ppNotes;
  EXPECT_EQ(priceCall(pp, LinkLevel::kNetwork, set, "best", ppNotes).algorithm, "allreduce-busbw");
  expectError([&] { priceCall(pp, LinkLevel::kNetwork, set, "ring", ppNotes); },
              "no calibrated sendrecv fit at any level (PP group)");
  // The assumption is the user's: ring and tree price a latency-bound 8-rank call differently.
  CommItem small{"DP", "allreduce", "test", 8, 4096, 1, DataType::kFloat32, 0};
  std::vector<std::string> notes;
  CalibrationSet ring = set, tree = set;
  ring.vendorScaling = VendorScaling::kRing;
  tree.vendorScaling = VendorScaling::kTree;
  const double r = priceCall(small, LinkLevel::kNetwork, ring, "best", notes).seconds;
  const double t = priceCall(small, LinkLevel::kNetwork, tree, "best", notes).seconds;
  // From 16 ranks: ring's latency 7/15 of the fit's, tree's 3/4.
  EXPECT_LT(r, t);
}

// Four rank counts of one level (vTrain's published A100 tables): fits across rank counts with
// the error on each rank count left out, and pricing that uses them.
TEST(ImportPublished, VendorFitAcrossRankCounts) {
  std::vector<std::pair<std::string, ImportOptions>> logs;
  for (int p : {2, 4, 6, 8})
    logs.push_back({"vtrain-a100-allreduce-gpu" + std::to_string(p) + ".csv",
                    {"allreduce", p, "", LinkLevel::kNode}});
  const Calibration cal = fitted(logs);
  int across = 0;
  for (const CalibratedFit& f : cal.fits) {
    if (f.scaling.empty()) continue;
    ++across;
    EXPECT_EQ(f.measuredRanks, (std::vector<int>{2, 4, 6, 8}));
    EXPECT_EQ(f.acrossRanks.points, 80u);  // 20 sizes at each of 4 rank counts
    ASSERT_EQ(f.acrossRanksMedian.size(), 4u);
    EXPECT_GT(f.acrossRanks.median, 0);
    // It survives its JSON.
    const CalibratedFit back = CalibratedFit::fromJson(f.toJson(), "test");
    EXPECT_EQ(back.scaling, f.scaling);
    EXPECT_DOUBLE_EQ(back.acrossRanks.p90, f.acrossRanks.p90);
  }
  EXPECT_EQ(across, 4);  // ring and tree, out-of-place and in-place
  // 8 ranks is measured: its own fit prices it; 16 is not: the fit across rank counts does.
  CalibrationSet set = setOf(cal);
  std::vector<std::string> notes;
  CommItem item{"TP", "allreduce", "test", 8, 64e6, 1, DataType::kFloat32, 0};
  EXPECT_TRUE(priceCall(item, LinkLevel::kNode, set, "best", notes).scalingNote.empty());
  item.ranks = 16;
  const PricedCall carried = priceCall(item, LinkLevel::kNode, set, "best", notes);
  EXPECT_NE(carried.scalingNote.find("across 2, 4, 6, 8 ranks"), std::string::npos)
      << carried.scalingNote;
  // Without --level a table with no device lines says its level is not recorded.
  const ImportedLog plain =
      publishedLog("vtrain-a100-allreduce-gpu2.csv", {"allreduce", 2, "", {}});
  EXPECT_EQ(plain.level, LinkLevel::kUnrecorded);
  EXPECT_NE(joined(plain.notes).find("level is not recorded"), std::string::npos);
  expectError([] { publishedLog("vtrain-a100-allreduce-gpu2.csv"); }, "pass --ranks");
}

}  // namespace
}  // namespace hockney
