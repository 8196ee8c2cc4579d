// hockney import: every fixture (published nccl-tests and OSU output) becomes rows that survive
// the report's JSON and that fit accepts; malformed and truncated logs are errors naming the
// file and line.
#include <gtest/gtest.h>

#include <string>

#include "collectives/core/error.h"
#include "model/calibration.h"
#include "reports/import.h"
#include "reports/json_io.h"
#include "tests/unit/expect_error.h"

namespace hockney {
namespace {

const std::string kDir = std::string(HOCKNEY_FIXTURES) + "/import/";

ImportedLog nccl(const std::string& file, ImportOptions o = {}) {
  return importNcclTests(kDir + file, readTextFile(kDir + file, "log"), o);
}
ImportedLog osu(const std::string& file, ImportOptions o = {}) {
  return importOsu(kDir + file, readTextFile(kDir + file, "log"), o);
}

// The report's rows read back equal what was imported, and fit makes a vendor black box of them.
void roundTrips(const ImportedLog& log) {
  const nlohmann::json report = importedReport({log}, "hockney import test", "test", "none");
  const auto rows = report.at("results").get<std::vector<ResultRow>>();
  ASSERT_EQ(rows.size(), log.rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].key(), log.rows[i].key());
    EXPECT_DOUBLE_EQ(rows[i].timeUs.median, log.rows[i].timeUs.median);
    EXPECT_EQ(rows[i].algorithm, "vendor");
    EXPECT_EQ(rows[i].buffers, "hot");
  }
  std::vector<std::string> warnings;
  const nlohmann::json cal =
      fitCalibration({{"imported.json", report}}, CalibrateOptions{}, warnings).toJson();
  // One fit per placement the log timed (nccl-tests: out-of-place and in-place, never pooled).
  bool inPlace = false;
  for (const ResultRow& r : log.rows) inPlace = inPlace || r.inPlace;
  ASSERT_EQ(cal["fits"].size(), inPlace ? 2u : 1u);
  for (const auto& fit : cal["fits"]) {
    EXPECT_TRUE(fit["black_box"].get<bool>());
    EXPECT_EQ(fit["ranks"], log.ranks);
    EXPECT_EQ(fit["pattern"], log.pattern);
  }
}

TEST(Import, NcclTestsTableWithRootAndWrongColumns) {
  // This excerpt lacks the "Collective test starting" line: the pattern comes from --pattern.
  ImportedLog log = nccl("nccl-tests-2.2x-allreduce.txt", {"allreduce", 0, "", {}});
  EXPECT_EQ(log.pattern, "allreduce");
  EXPECT_EQ(log.ranks, 2);
  EXPECT_EQ(log.hosts, (std::vector<std::string>{"qualid", "qualid"}));
  ASSERT_EQ(log.rows.size(), 24u);  // 12 sizes, out-of-place and in-place
  EXPECT_EQ(log.rows[0].bytes, 8u);
  EXPECT_EQ(log.rows[0].dtype, "float32");
  EXPECT_DOUBLE_EQ(log.rows[0].timeUs.median, 6.21);  // out-of-place, microseconds
  EXPECT_FALSE(log.rows[0].inPlace);
  EXPECT_DOUBLE_EQ(log.rows[1].timeUs.median, 6.23);  // in-place
  EXPECT_TRUE(log.rows[1].inPlace);
  EXPECT_NE(log.rows[0].key(), log.rows[1].key());
  EXPECT_DOUBLE_EQ(log.rows[22].busbwGbps, 1.52);
  EXPECT_DOUBLE_EQ(log.rows[23].busbwGbps, 1.56);
  EXPECT_EQ(log.rows[22].check, "pass");
  EXPECT_EQ(log.rows[22].callsPerSample, 20);
  EXPECT_EQ(log.level, LinkLevel::kNode);  // both ranks on host qualid
  EXPECT_EQ(log.rows[0].backend, "nccl");
  roundTrips(log);
}

TEST(Import, NcclTestsOlderLayoutsAndMilliseconds) {
  ImportedLog old = nccl("nccl-tests-2019-allreduce.txt", {"allreduce", 0, "", {}});
  EXPECT_EQ(old.ranks, 2);
  EXPECT_EQ(old.hosts, (std::vector<std::string>{"ip-172-31-1-1", "ip-172-31-1-2"}));
  ASSERT_EQ(old.rows.size(), 26u);
  EXPECT_EQ(old.level, LinkLevel::kNetwork);  // two hosts
  EXPECT_DOUBLE_EQ(old.rows[0].timeUs.median, 163.4);
  EXPECT_EQ(old.rows[0].check, "off");  // an error magnitude, not a pass/fail count
  roundTrips(old);
  // NCCL 2.4 printed milliseconds and no units line: size / algbw says which.
  ImportedLog ms = nccl("nccl-tests-2.4-ms.txt", {"allreduce", 0, "", {}});
  EXPECT_EQ(ms.ranks, 2);
  ASSERT_EQ(ms.rows.size(), 10u);
  EXPECT_NEAR(ms.rows[0].timeUs.median, 2059, 1e-6);
  EXPECT_NEAR(ms.rows[1].timeUs.median, 3314, 1e-6);  // its in-place column, in ms too
  bool said = false;
  for (const std::string& n : ms.notes) said = said || n.find("times read as ms") != n.npos;
  EXPECT_TRUE(said);
  roundTrips(ms);
}

TEST(Import, NcclTestsJsonNamesItsProgramAndDevices) {
  ImportedLog log = nccl("nccl-tests-allreduce.json");
  EXPECT_EQ(log.pattern, "allreduce");
  EXPECT_EQ(log.ranks, 2);
  ASSERT_EQ(log.rows.size(), 24u);
  EXPECT_DOUBLE_EQ(log.rows[18].timeUs.median, 7.62);
  EXPECT_EQ(log.rows[18].check, "pass");
  EXPECT_EQ(log.device, "NVIDIA GeForce RTX 4070 Ti SUPER");
  EXPECT_EQ(log.provenance["format"], "json");
  // The text table and the JSON of the same run give the same rows.
  ImportedLog text = nccl("nccl-tests-2.2x-allreduce.txt", {"allreduce", 0, "", {}});
  for (size_t i = 0; i < log.rows.size(); ++i) {
    EXPECT_EQ(log.rows[i].key(), text.rows[i].key());
    EXPECT_DOUBLE_EQ(log.rows[i].timeUs.median, text.rows[i].timeUs.median);
  }
  roundTrips(log);
  // A pattern the program contradicts is an error.
  EXPECT_THROW(nccl("nccl-tests-allreduce.json", {"allgather", 0, "", {}}), UsageError);
}

TEST(Import, OsuCollectivesAndLatency) {
  ImportedLog v5 = osu("osu-5.8-allreduce.txt", {"", 2, "float32", {}});
  EXPECT_EQ(v5.pattern, "allreduce");
  ASSERT_EQ(v5.rows.size(), 19u);
  EXPECT_DOUBLE_EQ(v5.rows.back().timeUs.median, 230.90);
  EXPECT_EQ(v5.rows.back().bytes, 1048576u);
  // busbw with nccl-tests' all-reduce factor 2(p-1)/p = 1 at p = 2.
  EXPECT_NEAR(v5.rows.back().busbwGbps, 1048576 / 230.90e-6 / 1e9, 1e-9);
  roundTrips(v5);
  ImportedLog v7 = osu("osu-7.5-allreduce-int.txt", {"allreduce", 8, "", {}});
  EXPECT_EQ(v7.rows[0].dtype, "int32");
  EXPECT_EQ(v7.ranks, 8);
  roundTrips(v7);
  ImportedLog lat = osu("osu-5.6-latency.txt");
  EXPECT_EQ(lat.pattern, "sendrecv");
  EXPECT_EQ(lat.ranks, 2);
  ASSERT_EQ(lat.rows.size(), 13u);  // size 0 skipped, with a note
  EXPECT_EQ(lat.rows[0].dtype, "int8");
  // The int8 it assumed, the size 0 it skipped, and the level no device line gives.
  ASSERT_EQ(lat.notes.size(), 3u);
  EXPECT_NE(lat.notes[2].find("level is not recorded"), std::string::npos) << lat.notes[2];
  EXPECT_EQ(lat.level, LinkLevel::kUnrecorded);
  EXPECT_NE(lat.notes[0].find("recorded as int8"), std::string::npos) << lat.notes[0];
  EXPECT_NE(lat.notes[1].find("size 0 skipped"), std::string::npos) << lat.notes[1];
  roundTrips(lat);
}

TEST(Import, BadLogsAreErrorsNamingTheLine) {
  const ImportOptions ar{"allreduce", 0, "", {}};
  expectError([&] { nccl("bad/nccl-truncated.txt", ar); },
              "nccl-truncated.txt:15: a result row of");
  expectError([&] { nccl("bad/nccl-not-a-number.txt", ar); },
              "nccl-not-a-number.txt:19: time '7,62' is not a number");
  expectError([&] { nccl("bad/nccl-no-header.txt", ar); }, "no nccl-tests table");
  expectError([&] { nccl("bad/nccl-avg.txt", ar); }, "redop 'avg' is not one hockney models");
  expectError([&] { nccl("bad/nccl-cut.json"); }, "nccl-tests JSON is not valid JSON");
  expectError([&] { nccl("nccl-tests-2.2x-allreduce.txt"); }, "pass --pattern");
  expectError(
      [&] {
        nccl("nccl-tests-2.2x-allreduce.txt", {"allreduce", 4, "", {}});
      },
      "the log names 2 ranks (its device lines, from line 4), not --ranks 4");
  expectError(
      [&] {
        osu("bad/osu-truncated.txt", {"", 2, "float32", {}});
      },
      "osu-truncated.txt:22: a result row of 1 fields");
  expectError([&] { osu("bad/osu-bandwidth.txt", {"", 2, "", {}}); }, "is a bandwidth test");
  expectError([&] { osu("osu-5.8-allreduce.txt", {"", 2, "", {}}); }, "pass --dtype");
  expectError([&] { osu("osu-5.8-allreduce.txt", {"", 0, "float32", {}}); }, "pass --ranks");
  expectError(
      [&] {
        osu("osu-5.8-allreduce.txt", {"alltoall", 2, "float32", {}});
      },
      "not --pattern alltoall");
}

}  // namespace
}  // namespace hockney
