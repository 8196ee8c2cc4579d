// Reports and calibrations written by landed code load unchanged with today's readers
// (tests/fixtures/landed/README.md says which commit wrote which file): rows and fits round-trip
// through their structs, older names are read as what they meant, and the model prices with
// them.
#include <gtest/gtest.h>

#include "model/calibration.h"
#include "model/projection.h"
#include "reports/json_io.h"
#include "reports/results.h"

namespace hockney {
namespace {

const std::string kFixtures = HOCKNEY_FIXTURES;

TEST(LandedReports, ResultRowsRoundTripUnchanged) {
  for (const std::string& path :
       {kFixtures + "/landed/0cf1dd2/results.json", kFixtures + "/plot/fast/results.json"}) {
    const nlohmann::json report = readJsonFile(path, "results report");
    ASSERT_FALSE(report.at("results").empty()) << path;
    for (const nlohmann::json& row : report.at("results")) {
      const ResultRow typed = row.get<ResultRow>();
      nlohmann::json again = typed;
      // Fields newer code always writes, absent from older rows, come back with their defaults.
      for (const char* added : {"scope", "buffers", "buffer_sets", "in_place", "calls_per_sample"})
        if (!row.contains(added)) again.erase(added);
      EXPECT_EQ(again, row) << path;
    }
  }
  // Before topology discovery rows recorded no level: not recorded, written without one.
  const ResultRow old = readResultsReport(kFixtures + "/landed/0cf1dd2/results.json").rows.at(0);
  EXPECT_EQ(old.level, LinkLevel::kUnrecorded);
  // Before --buffers, runs rotated through buffer sets: read as cold, which they were.
  EXPECT_GT(old.bufferSets, 1);
  EXPECT_EQ(old.buffers, "cold");
}

TEST(LandedReports, ACalibrationWithLevelsAndADriftRecordRoundTrips) {
  const std::string path = kFixtures + "/plot/fast/calibration.json";
  const nlohmann::json written = readJsonFile(path, "calibration");
  const Calibration c = Calibration::fromJson(written, path);
  ASSERT_EQ(c.fits.size(), written["fits"].size());
  EXPECT_EQ(c.fits[0].level, LinkLevel::kNetwork);
  nlohmann::json again = c.toJson();
  // The drift record was written only past the limit then: read as drifted, with its spread.
  ASSERT_TRUE(c.hostDrift.has_value());
  EXPECT_TRUE(c.hostDrift->drifted);
  EXPECT_GT(c.hostDrift->spread, kDriftLimit);
  for (const char* added : {"drifted", "spread", "limit", "minor_faults_per_call"})
    again["host_drift"].erase(added);
  // Fits now say whether they are under-determined (derived from sizes and held-out points):
  // none of these is.
  for (nlohmann::json& f : again["fits"]) {
    EXPECT_FALSE(f.at("under_determined").get<bool>()) << f.dump();
    f.erase("under_determined");
  }
  EXPECT_EQ(again, written);
}

TEST(LandedReports, ACalibrationFromBeforeLinkLevelsLoadsAndPrices) {
  const std::string path = kFixtures + "/landed/0cf1dd2/calibration-intra.json";
  const Calibration c = Calibration::fromJson(readJsonFile(path, "calibration"), path);
  ASSERT_EQ(c.fits.size(), 2u);
  for (const CalibratedFit& f : c.fits) {
    EXPECT_EQ(f.level, LinkLevel::kNode) << "'intra' was the in-host level";
    EXPECT_EQ(f.buffers, "cold") << "calibrations before --buffers rotated";
  }
  const CalibrationSet set = loadCalibrations({path});
  CommItem item{"TP", "allreduce", "an in-host all-reduce", 2, 1 << 20, 1, DataType::kFloat32};
  std::vector<std::string> notes;
  const PricedCall priced = priceCall(item, LinkLevel::kNode, set, "best", notes);
  EXPECT_EQ(priced.calibrationLevel, LinkLevel::kNode);
  EXPECT_TRUE(priced.levelNote.empty());
  EXPECT_GT(priced.seconds, 0);
}

}  // namespace
}  // namespace hockney
