// The reference fabrics built into the binary (data/fabrics/, model/fabrics.h): each is complete
// and cited, ref:NAME reads as a calibration wherever a file does, and a fabric with a node level
// prices an in-node group with it. scripts/fabrics.py check (ctest unit.fabrics_rebuild) rebuilds
// each calibration from its logs.
#include <gtest/gtest.h>

#include <set>

#include "expect_error.h"
#include "model/calibration.h"
#include "model/catalog.h"
#include "model/fabrics.h"
#include "model/projection.h"

namespace hockney {
namespace {

TEST(Fabrics, EachIsCitedAndItsCalibrationReads) {
  std::set<std::string> gpus;
  for (const ReferenceFabric& f : referenceFabrics()) {
    SCOPED_TRACE(f.name);
    EXPECT_EQ(f.sourceUrl.rfind("https://", 0), 0u);
    EXPECT_FALSE(f.sourceWhat.empty());
    EXPECT_FALSE(f.sourceDate.empty());
    EXPECT_FALSE(f.system.empty());
    ASSERT_FALSE(f.levels.empty());
    const Calibration c = Calibration::fromJson(f.calibration, "ref:" + f.name);
    ASSERT_FALSE(c.fits.empty());
    for (const CalibratedFit& fit : c.fits) {
      EXPECT_NE(std::find(f.levels.begin(), f.levels.end(), std::string(name(fit.level))),
                f.levels.end());
      if (!fit.device.empty()) {  // CSV tables name no device
        EXPECT_EQ(fit.device, f.gpu);
      }
    }
    gpus.insert(f.gpu);
  }
  EXPECT_GE(referenceFabrics().size(), 3u);
  EXPECT_GE(gpus.size(), 2u);
}

TEST(Fabrics, RefNamesAFabricAndAnUnknownOneListsThem) {
  const CalibrationSet set = loadCalibrations({"ref:h100-ndr-ib"});
  EXPECT_FALSE(set.fits.empty());
  EXPECT_EQ(set.sources.at(0).at("path"), "ref:h100-ndr-ib");
  expectError([] { loadCalibrations({"ref:h100"}); },
              "no reference fabric 'h100' (there are: a100-node, h100-gcp-a3mega, h100-ndr-ib");
  expectError([] { referenceFabric(""); }, "no reference fabric ''");
}

TEST(Fabrics, ANodeLevelPricesTheTensorParallelGroupWithoutALevelNote) {
  TrainingOptions o;
  o.globalBatch = 1536;
  o.gpusPerNode = 8;
  const StepCost step = projectIteration(findModel("gpt3-175b"), parseLayout("tp=8,pp=16,dp=8"), o,
                                         loadCalibrations({"ref:h100-ndr-ib"}), "best");
  std::set<std::string> groups;
  for (const PricedItem& i : step.items) {
    groups.insert(i.item.group);
    const LinkLevel want = i.item.group == "TP" ? LinkLevel::kNode : LinkLevel::kNetwork;
    EXPECT_EQ(i.level, want) << i.item.group;
    EXPECT_EQ(i.call.calibrationLevel, want) << i.item.group;
    EXPECT_EQ(i.call.levelNote, "") << i.item.group;
    EXPECT_GT(i.call.seconds, 0) << i.item.group;
  }
  EXPECT_EQ(groups, (std::set<std::string>{"TP", "PP", "EMB", "DP"}));
  // A fabric without a node level says so for the same group.
  const StepCost net = projectIteration(findModel("gpt3-175b"), parseLayout("tp=8,pp=16,dp=8"), o,
                                        loadCalibrations({"ref:h100-gcp-a3mega"}), "best");
  for (const PricedItem& i : net.items)
    if (i.item.group == "TP") {
      EXPECT_NE(i.call.levelNote.find("'network'"), std::string::npos);
    }
}

}  // namespace
}  // namespace hockney
