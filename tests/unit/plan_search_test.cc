// hockney plan --gpus (model/plan_search.h): the enumeration lists only layouts the model can
// take, pruning by memory is part 1's memory check, a request nothing fits is an error naming
// the least memory a layout needs, and two fabrics give two rankings and a ratio.
#include <gtest/gtest.h>

#include <set>

#include "expect_error.h"
#include "model/catalog.h"
#include "model/plan_search.h"

namespace hockney {
namespace {

TrainingOptions optionsFor(long batch) {
  TrainingOptions o;
  o.globalBatch = batch;
  o.seqLen = 2048;
  return o;
}

TEST(PlanSearch, EveryLayoutEnumeratedIsOneTheModelTakes) {
  for (const char* name : {"gpt3-175b", "megatron-22b", "switch-c", "bloom-176b"}) {
    const ModelSpec& m = findModel(name);
    SCOPED_TRACE(name);
    for (int gpus : {8, 64, 96}) {
      const auto candidates = enumerateLayouts(m, gpus, optionsFor(192), SearchFixed{});
      std::set<std::string> labels;
      for (const LayoutCandidate& c : candidates) {
        EXPECT_EQ(c.layout.gpus(), gpus);
        EXPECT_LE(c.layout.tp, 8);  // within a node
        EXPECT_TRUE(labels.insert(c.label()).second) << "twice: " << c.label();
        EXPECT_NO_THROW(iterationCommunication(m, c.layout, c.training)) << c.label();
      }
      EXPECT_FALSE(candidates.empty());
    }
  }
  // Fixed options stay fixed; tp may cross nodes only when allowed.
  SearchFixed fixed;
  fixed.recompute = Recompute::kFull;
  fixed.microBatch = 2;
  for (const auto& c : enumerateLayouts(findModel("gpt3-175b"), 64, optionsFor(64), fixed)) {
    EXPECT_EQ(c.training.recompute, Recompute::kFull);
    EXPECT_EQ(c.training.microBatch, 2);
  }
  fixed.allowCrossNodeTp = true;
  bool wide = false;
  for (const auto& c : enumerateLayouts(findModel("gpt3-175b"), 64, optionsFor(64), fixed))
    wide = wide || c.layout.tp > 8;
  EXPECT_TRUE(wide);
}

TEST(PlanSearch, PruningByMemoryIsThePlansOwnCheck) {
  const ModelSpec& m = findModel("gpt3-175b");
  PlanOptions base;
  base.training = optionsFor(64);
  base.gpu = findGpu("a100-80gb");
  const CalibrationSet cal = loadCalibrations({"ref:a100-node"});
  long fits = 0, pruned = 0;
  for (const LayoutCandidate& c : enumerateLayouts(m, 64, base.training, SearchFixed{})) {
    PlanOptions o = base;
    o.training = c.training;
    const long micro = c.training.globalBatch / (c.layout.dp * c.training.microBatch);
    const bool over =
        memoryPerGpu(m, c.layout, c.training, static_cast<int>(micro)).total() > base.gpu.hbmBytes;
    bool refused = false;
    try {
      planStep(m, c.layout, o, cal);
    } catch (const UsageError& e) {
      refused = std::string(e.what()).find("per GPU") != std::string::npos;
    }
    EXPECT_EQ(over, refused) << c.label();
    (over ? pruned : fits)++;
  }
  EXPECT_GT(fits, 0);
  EXPECT_GT(pruned, 0);
  const SearchReport r = searchLayouts(m, {64}, base, SearchFixed{}, {{"a", cal}});
  ASSERT_EQ(r.counts.size(), 1u);
  EXPECT_EQ(r.counts[0].prunedByMemory, pruned);
  EXPECT_EQ(r.counts[0].priced, fits);
  EXPECT_EQ(r.counts[0].enumerated, fits + pruned);
  const auto& ranked = r.counts[0].fabrics[0].ranked;
  ASSERT_EQ(static_cast<long>(ranked.size()), fits);
  for (size_t i = 1; i < ranked.size(); ++i)
    EXPECT_LE(ranked[i - 1].plan.stepMs, ranked[i].plan.stepMs);
}

TEST(PlanSearch, NothingFitsIsAnErrorNamingTheLeastMemory) {
  PlanOptions base;
  base.training = optionsFor(64);
  base.gpu = findGpu("a100-40gb");
  const CalibrationSet cal = loadCalibrations({"ref:a100-node"});
  // 175B parameters over 8 GPUs: at least 2 bytes of weights each, 44 GB, before anything else.
  expectError(
      [&] {
        searchLayouts(findModel("gpt3-175b"), {8}, base, SearchFixed{}, {{"a", cal}});
      },
      "no layout of GPT-3 175B fits 8 GPUs of 40 GB");
  expectError(
      [&] {
        searchLayouts(findModel("gpt3-175b"), {8}, base, SearchFixed{}, {{"a", cal}});
      },
      "the smallest needs");
}

TEST(PlanSearch, TwoFabricsGiveTwoRankingsAndARatio) {
  PlanOptions base;
  base.training = optionsFor(512);
  base.gpu = findGpu("h100-sxm");
  const std::vector<NamedCalibration> fabrics{
      {"ndr", loadCalibrations({"ref:h100-ndr-ib"})},
      {"a3mega", loadCalibrations({"ref:h100-gcp-a3mega"})}};
  SearchFixed fixed;
  fixed.recompute = Recompute::kSelective;
  const SearchReport r = searchLayouts(findModel("gpt3-175b"), {128}, base, fixed, fabrics);
  ASSERT_EQ(r.counts[0].fabrics.size(), 2u);
  const auto& a = r.counts[0].fabrics[0].ranked;
  const auto& b = r.counts[0].fabrics[1].ranked;
  ASSERT_FALSE(a.empty());
  ASSERT_EQ(a.size(), b.size());  // the same layouts, priced on each
  // The A3 Mega log has no node level: its TP is priced with network fits, slower.
  EXPECT_LT(a.front().plan.stepMs, b.front().plan.stepMs);
  const auto j = r.toJson();
  const auto& cmp = j["counts"][0]["comparisons"];
  ASSERT_EQ(cmp.size(), 1u);
  EXPECT_NEAR(cmp[0]["a_over_b"].get<double>(), a.front().plan.stepMs / b.front().plan.stepMs,
              1e-12);
  EXPECT_EQ(cmp[0]["best_a"], a.front().candidate.label());
  EXPECT_EQ(cmp[0]["best_b"], b.front().candidate.label());
}

}  // namespace
}  // namespace hockney
