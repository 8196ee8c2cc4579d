// hockney plan (model/plan.h): memory per GPU against figures computed by hand from Korthikanti
// et al. 2022 §4 and the ZeRO paper's 2 + 4 + 12 bytes per parameter, FLOPs against 6·Ψ·tokens,
// the step's arithmetic (bubble, exposed communication), and the layouts it refuses.
#include <gtest/gtest.h>

#include <cmath>

#include "expect_error.h"
#include "model/catalog.h"
#include "model/gpu.h"
#include "model/plan.h"
#include "model/projection.h"

namespace hockney {
namespace {

// GPT-3 175B at tp=8, pp=16, dp=8, micro-batch 1, sequence 2048, batch 1536 (192 micro-batches per
// pipeline).
struct Gpt3 {
  const ModelSpec& model = findModel("gpt3-175b");
  Layout layout = parseLayout("tp=8,pp=16,dp=8");
  TrainingOptions o;
  Gpt3() {
    o.globalBatch = 1536;
    o.seqLen = 2048;
  }
};

// By hand: a stage's 6 layers of 12·h² weights over tp=8, plus the vocab-parallel embedding.
constexpr double kH = 12288, kS = 2048;
constexpr double kParamsPerGpu = 6 * 12 * kH * kH / 8 + 50257 * kH / 8;  // 1,436,149,248
constexpr double kSbh = kS * 1 * kH;

TEST(PlanMemory, Gpt3WeightsGradientsOptimizerAndZero1) {
  Gpt3 g;
  EXPECT_DOUBLE_EQ(kParamsPerGpu, 1436149248.0);
  const MemoryUse m = memoryPerGpu(g.model, g.layout, g.o, 192);
  EXPECT_DOUBLE_EQ(m.params, kParamsPerGpu);
  EXPECT_DOUBLE_EQ(m.weights, 2 * kParamsPerGpu);     // bf16
  EXPECT_DOUBLE_EQ(m.gradients, 4 * kParamsPerGpu);   // fp32 gradients
  EXPECT_DOUBLE_EQ(m.optimizer, 12 * kParamsPerGpu);  // Adam: fp32 master, m, v
  g.o.zero = 1;
  const MemoryUse z1 = memoryPerGpu(g.model, g.layout, g.o, 192);
  EXPECT_DOUBLE_EQ(z1.optimizer, 12 * kParamsPerGpu / 8);  // sharded over dp=8
  EXPECT_DOUBLE_EQ(z1.gradients, m.gradients);
  EXPECT_DOUBLE_EQ(z1.weights, m.weights);
  g.o.zero = 3;
  const MemoryUse z3 = memoryPerGpu(g.model, g.layout, g.o, 192);
  EXPECT_DOUBLE_EQ(z3.weights, 2 * kParamsPerGpu / 8);
  EXPECT_DOUBLE_EQ(z3.gradients, 4 * kParamsPerGpu / 8);
}

TEST(PlanMemory, Gpt3ActivationsByRecomputation) {
  Gpt3 g;
  // 1F1B: the first stage keeps pp = 16 micro-batches of its 6 layers, 96 layers' worth.
  // Korthikanti Table 2, tp=8, no sequence parallelism: sbh(10 + 24/t + 5as/(ht)) per layer.
  const MemoryUse none = memoryPerGpu(g.model, g.layout, g.o, 192);
  EXPECT_DOUBLE_EQ(none.microBatchesInFlight, 16);
  EXPECT_DOUBLE_EQ(none.activationsPerLayer, kSbh * (10 + 24.0 / 8 + 5 * 96 * kS / (kH * 8)));
  EXPECT_DOUBLE_EQ(none.activations, 96 * kSbh * 23);  // 55.6 GB
  g.o.recompute = Recompute::kSelective;               // sbh(10 + 24/t)
  EXPECT_DOUBLE_EQ(memoryPerGpu(g.model, g.layout, g.o, 96).activations, 96 * kSbh * 13);
  g.o.sequenceParallel = true;  // sbh·34/t
  EXPECT_DOUBLE_EQ(memoryPerGpu(g.model, g.layout, g.o, 96).activations, 96 * kSbh * 34 / 8);
  g.o.sequenceParallel = false;
  g.o.recompute = Recompute::kFull;  // 2sbh, each layer's input
  EXPECT_DOUBLE_EQ(memoryPerGpu(g.model, g.layout, g.o, 96).activations, 96 * kSbh * 2);
  // Fewer micro-batches than stages: no more in flight than the step has.
  EXPECT_DOUBLE_EQ(memoryPerGpu(g.model, g.layout, g.o, 4).microBatchesInFlight, 4);
  // Interleaved (v = 2): (1 + (p-1)/(p·v)) times p.
  g.o.interleave = 2;
  EXPECT_DOUBLE_EQ(memoryPerGpu(g.model, g.layout, g.o, 96).microBatchesInFlight,
                   16 * (1 + 15.0 / 32));
}

TEST(PlanFlops, ModelFlopsAreSixPsiPerTokenPlusAttention) {
  Gpt3 g;
  const double psi = countParams(g.model).total();
  const double tokens = 1536 * kS;
  const double attention = 3 * 4 * kS * kH * 96 * tokens;  // QK^T and AV, fwd + bwd
  const StepFlops none = flopsPerStep(g.model, g.o, 1536, 2048);
  EXPECT_NEAR(none.model / (6 * psi * tokens + attention), 1, 1e-12);
  EXPECT_NEAR(none.model / (6 * psi * tokens), 1, 0.03);  // attention: s/(6h) = 2.8%
  EXPECT_DOUBLE_EQ(none.hardware, none.model);
  g.o.recompute = Recompute::kFull;  // the forward again: + 2·Ψ·tokens (the output layer not)
  const StepFlops full = flopsPerStep(g.model, g.o, 1536, 2048);
  const double again = full.hardware - full.model;
  EXPECT_NEAR(again / (2 * (psi - 50257 * kH) * tokens + attention / 3), 1, 1e-12);
  EXPECT_NEAR(again / (2 * psi * tokens), 1, 0.03);
}

CalibrationSet a100Node() {
  return loadCalibrations({"ref:a100-node"});
}

TEST(PlanStep, TheStepIsItsParts) {
  Gpt3 g;
  g.o.recompute = Recompute::kSelective;
  g.o.sequenceParallel = true;
  g.o.interleave = 2;
  PlanOptions po;
  po.training = g.o;
  po.gpu = findGpu("a100-80gb");
  const StepPlan p = planStep(g.model, g.layout, po, a100Node());
  EXPECT_NEAR(p.gemmEfficiency, 248.0 / 312, 1e-12);
  EXPECT_NEAR(p.bubbleMs, 15.0 / 2 * p.perMicroBatchMs, 1e-9);
  EXPECT_NEAR(p.computeMs, 192 * p.perMicroBatch.seconds() * 1e3, 1e-6);
  EXPECT_NEAR(p.stepMs, p.computeMs + p.bubbleMs + p.exposedCommMs + p.optimizerMs, 1e-6);
  // TP and PP block: all exposed. DP overlaps the backward pass, the last bucket at least.
  ASSERT_TRUE(p.exposed.count("TP") && p.exposed.count("PP") && p.exposed.count("DP"));
  EXPECT_DOUBLE_EQ(p.exposed.at("TP").exposedMs, p.exposed.at("TP").totalMs);
  EXPECT_LE(p.exposed.at("DP").exposedMs, p.exposed.at("DP").totalMs);
  EXPECT_GT(p.exposed.at("DP").exposedMs, 0);
  // Sequence parallelism on an all-reduce-only calibration: half an all-reduce each.
  for (const PricedItem& i : p.comm.items) {
    if (i.item.group == "TP") {
      EXPECT_EQ(i.call.algorithm, "allreduce-half");
    }
  }
  EXPECT_GT(p.mfu, 0.2);
  EXPECT_LT(p.mfu, p.gemmEfficiency);
  // --compute-efficiency halves the GEMM rate: more compute time.
  po.computeEfficiency = p.gemmEfficiency / 2;
  EXPECT_GT(planStep(g.model, g.layout, po, a100Node()).computeMs, 1.8 * p.computeMs);
}

TEST(PlanStep, ALayoutThatDoesNotFitNamesWhatItNeeds) {
  Gpt3 g;  // no recomputation: 2.9 + 5.7 + 17.2 + 55.6 GB
  PlanOptions po;
  po.training = g.o;
  po.gpu = findGpu("a100-80gb");
  expectError([&] { planStep(g.model, g.layout, po, a100Node()); }, "needs 81.4 GB per GPU");
  expectError([&] { planStep(g.model, g.layout, po, a100Node()); }, "more than the 80.0 GB");
  po.training.recompute = Recompute::kSelective;  // 57.3 GB: fits
  EXPECT_NO_THROW(planStep(g.model, g.layout, po, a100Node()));
}

TEST(PlanStep, LayoutsTheModelCannotTakeAreRefused) {
  Gpt3 g;
  PlanOptions po;
  po.training = g.o;
  po.training.recompute = Recompute::kFull;
  po.gpu = findGpu("h100-sxm");
  expectError([&] { planStep(g.model, parseLayout("tp=7,pp=16,dp=8"), po, a100Node()); },
              "96 heads, not divisible by tp=7");
  po.training.interleave = 5;  // 96 layers over pp=16 · v=5
  expectError([&] { planStep(g.model, g.layout, po, a100Node()); },
              "not divisible by pp·interleave");
  po.training.interleave = 2;
  expectError([&] { planStep(g.model, parseLayout("tp=8,pp=1,dp=8"), po, a100Node()); },
              "needs a pipeline");
  expectError([] { findGpu("v100"); }, "unknown --gpu-type 'v100'");
  expectError([] { parseRecompute("some"); }, "none, selective or full");
}

TEST(PlanGpus, EveryGpuIsCitedAndConsistent) {
  ASSERT_GE(builtinGpus().size(), 5u);
  for (const char* name : {"a100-40gb", "a100-80gb", "h100-sxm", "h200", "b200"}) {
    const GpuSpec& g = findGpu(name);
    SCOPED_TRACE(g.name);
    EXPECT_FALSE(g.peakSource.empty());
    EXPECT_FALSE(g.gemmSource.empty());
    EXPECT_GT(g.gemmEfficiency(), 0.5);
    EXPECT_LT(g.gemmEfficiency(), 0.9);
  }
}

}  // namespace
}  // namespace hockney
