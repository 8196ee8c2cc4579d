// Step communication volumes against hand-computed figures.
#include <gtest/gtest.h>

#include <cmath>

#include "collectives/core/error.h"
#include "model/iteration.h"

namespace hockney {
namespace {

const CommItem& item(const IterationComm& plan, const std::string& group,
                     const std::string& pattern) {
  for (const auto& i : plan.items)
    if (i.group == group && i.pattern == pattern) return i;
  throw std::runtime_error("no " + group + " " + pattern);
}

TEST(StepComm, Gpt3_175B_Tp8Pp16Dp8) {
  TrainingOptions o;
  o.globalBatch = 1536;
  o.microBatch = 1;
  IterationComm plan =
      iterationCommunication(findModel("GPT-3 175B"), parseLayout("tp=8,pp=16,dp=8"), o);
  EXPECT_EQ(plan.microBatches, 192);          // 1536 / (1 · 8)
  const double act = 1.0 * 2048 * 12288 * 2;  // b·s·h·ε = 50,331,648 B
  const CommItem& tp = item(plan, "TP", "allreduce");
  EXPECT_EQ(tp.bytes, act);
  EXPECT_EQ(tp.count, 6 * 192 * 4);  // (96/16 layers) · 192 micro-batches · 4 all-reduces
  EXPECT_EQ(tp.ranks, 8);
  const CommItem& pp = item(plan, "PP", "pipeline");
  EXPECT_EQ(pp.bytes, act);
  EXPECT_EQ(pp.count, 384);  // 2 · 192 messages, in 1F1B passes of the step's 192 micro-batches
  EXPECT_EQ(pp.microbatches, 192);
  EXPECT_EQ(pp.ranks, 2);  // one stage boundary
  EXPECT_EQ(item(plan, "EMB", "allreduce").bytes, 50257.0 * 12288 / 8 * 4);
  // The gradient all-reduce in 25 MiB buckets (the default): same bytes, ceil(total/bucket) calls.
  // Ψ = 12·96·12288² + 50257·12288 = 174,563,733,504; per GPU /(8·16); fp32 gradients.
  const double dpBytes = 174563733504.0 / 128 * 4;  // 5,455,116,672 B
  const double bucket = 25.0 * 1024 * 1024;
  double total = 0, calls = 0;
  for (const CommItem& i : plan.items)
    if (i.group == "DP") {
      EXPECT_EQ(i.pattern, "allreduce");
      EXPECT_EQ(i.ranks, 8);
      EXPECT_LE(i.bytes, bucket);
      total += i.stepBytes();
      calls += i.count;
    }
  EXPECT_EQ(total, dpBytes);
  EXPECT_EQ(calls, std::ceil(dpBytes / bucket));  // 209 calls: 208 full buckets and the rest
  EXPECT_EQ(calls, 209);
  EXPECT_EQ(plan.items.size(), 5u);  // TP, PP, EMB and the DP buckets (full, last)
  // --bucket 0: one call of the whole vector, as before buckets.
  o.bucketBytes = 0;
  plan = iterationCommunication(findModel("GPT-3 175B"), parseLayout("tp=8,pp=16,dp=8"), o);
  EXPECT_EQ(item(plan, "DP", "allreduce").bytes, dpBytes);
  EXPECT_EQ(item(plan, "DP", "allreduce").count, 1);
  EXPECT_EQ(plan.items.size(), 4u);
}

TEST(StepComm, BucketsKeepEveryItemsBytesAndCountTheCalls) {
  CommItem ag{"DP", "allgather", "ZeRO-3 parameter all-gather", 8, 1000, 2, DataType::kBfloat16};
  // 1000 B in 300 B buckets: 3 full (x2 calls: forward and backward) and 100 B twice.
  const std::vector<CommItem> b = bucketed(ag, 300);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].bytes, 300);
  EXPECT_EQ(b[0].count, 6);
  EXPECT_EQ(b[1].bytes, 100);
  EXPECT_EQ(b[1].count, 2);
  EXPECT_EQ(b[0].stepBytes() + b[1].stepBytes(), ag.stepBytes());
  // Buckets are whole elements: 301 B of bfloat16 is 300 B.
  EXPECT_EQ(bucketed(ag, 301)[0].bytes, 300);
  // An exact multiple has no remainder; an item no larger than the bucket stays one call.
  EXPECT_EQ(bucketed(ag, 500).size(), 1u);
  EXPECT_EQ(bucketed(ag, 500)[0].count, 4);
  EXPECT_EQ(bucketed(ag, 1000)[0].count, 2);
  EXPECT_EQ(bucketed(ag, 0)[0].bytes, 1000);
  EXPECT_THROW(bucketed(ag, 1), UsageError);  // less than one element
  // Only data-parallel items are bucketed: TP and PP items keep their sizes.
  TrainingOptions o;
  o.globalBatch = 1536;
  o.bucketBytes = 1 << 20;
  o.zero = 3;
  IterationComm plan =
      iterationCommunication(findModel("GPT-3 175B"), parseLayout("tp=8,pp=16,dp=8"), o);
  EXPECT_EQ(item(plan, "TP", "allreduce").bytes, 1.0 * 2048 * 12288 * 2);
  double gather = 0;
  for (const CommItem& i : plan.items)
    if (i.group == "DP" && i.pattern == "allgather") gather += i.stepBytes();
  // ZeRO-3 gathers the weights again in every micro-batch's forward and backward: 2 x 192.
  EXPECT_EQ(gather, 2 * 192 * 174563733504.0 / 128 * 2);
  o.bucketBytes = -1;
  EXPECT_THROW(iterationCommunication(findModel("GPT-3 175B"), parseLayout("tp=8,pp=16,dp=8"), o),
               UsageError);
}

TEST(StepComm, SequenceParallelRecomputeAndZero3) {
  TrainingOptions o;
  o.globalBatch = 1536;
  o.sequenceParallel = true;
  o.recompute = Recompute::kFull;
  o.zero = 3;
  IterationComm plan =
      iterationCommunication(findModel("GPT-3 175B"), parseLayout("tp=8,pp=16,dp=8"), o);
  EXPECT_EQ(item(plan, "TP", "reduce_scatter").count, 6 * 192 * 6);
  EXPECT_EQ(item(plan, "TP", "allgather").count, 6 * 192 * 6);
  o.bucketBytes = 0;  // whole vectors
  plan = iterationCommunication(findModel("GPT-3 175B"), parseLayout("tp=8,pp=16,dp=8"), o);
  EXPECT_EQ(item(plan, "DP", "reduce_scatter").bytes, 174563733504.0 / 128 * 4);
  EXPECT_EQ(item(plan, "DP", "reduce_scatter").count, 192);  // every micro-batch's backward
  EXPECT_EQ(item(plan, "DP", "allgather").count, 2 * 192);   // every forward and backward
  EXPECT_EQ(item(plan, "DP", "allgather").bytes, 174563733504.0 / 128 * 2);  // bf16 parameters
  o.zero = 1;                                                                // once per step
  plan = iterationCommunication(findModel("GPT-3 175B"), parseLayout("tp=8,pp=16,dp=8"), o);
  EXPECT_EQ(item(plan, "DP", "reduce_scatter").count, 1);
  EXPECT_EQ(item(plan, "DP", "allgather").count, 1);
}

TEST(StepComm, SwitchC_AllToAlls) {
  TrainingOptions o;
  o.globalBatch = 2048;
  IterationComm plan =
      iterationCommunication(findModel("Switch-C 1.6T"), parseLayout("tp=1,pp=1,dp=64,ep=64"), o);
  EXPECT_EQ(plan.microBatches, 32);
  const CommItem& a2a = item(plan, "EP", "alltoall");
  EXPECT_EQ(a2a.bytes, 1 * 1.25 * 1 * 512 * 2080 * 2);  // k·cf·b·s·h·ε = 2,662,400 B
  EXPECT_EQ(a2a.count, 30 * 32 * 4);  // 30 MoE layers · 32 micro-batches · (2 fwd + 2 bwd)
  EXPECT_EQ(a2a.ranks, 64);
  for (const auto& i : plan.items) EXPECT_NE(i.group, "EDP");  // dp/ep = 1: nothing to reduce
}

TEST(StepComm, InvalidLayoutsAreClearErrors) {
  TrainingOptions o;
  o.globalBatch = 1536;
  const ModelSpec& gpt3 = findModel("GPT-3 175B");
  auto message = [&](const std::string& layout, TrainingOptions opt) {
    try {
      iterationCommunication(gpt3, parseLayout(layout), opt);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("tp=7,pp=16,dp=8", o), "GPT-3 175B has 96 heads, not divisible by tp=7");
  EXPECT_EQ(message("tp=8,pp=5,dp=8", o), "GPT-3 175B has 96 layers, not divisible by pp=5");
  EXPECT_EQ(message("tp=8,pp=16,dp=7", o),
            "global batch 1536 is not divisible by dp·micro-batch = 7·1");
  EXPECT_EQ(message("tp=8,pp=16,dp=8,ep=2", o), "ep=2 but GPT-3 175B has no experts");
  EXPECT_THROW(parseLayout("tp=8,pp=x"), UsageError);
  EXPECT_THROW(parseLayout("tp=8,zz=2"), UsageError);
  EXPECT_THROW(parseLayout("tp=0"), UsageError);
  TrainingOptions noBatch;
  EXPECT_THROW(iterationCommunication(findModel("LLaMA-65B"), parseLayout("tp=8"), noBatch),
               UsageError);
  EXPECT_THROW(iterationCommunication(findModel("Switch-C 1.6T"), parseLayout("dp=64,ep=4096"), o),
               UsageError);
}

}  // namespace
}  // namespace hockney
