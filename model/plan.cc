#include "model/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "collectives/core/error.h"
#include "collectives/registry.h"

namespace hockney {

using nlohmann::json;

namespace {

// Adam in mixed precision: an fp32 master copy, first and second moments (ZeRO's K = 12).
constexpr double kOptimizerBytesPerParam = 12;

struct Dims {
  double h, a, kv, ffn, heads, vocab, m;  // m: FFN matrices (2, or 3 gated)
};
Dims dimsOf(const ModelSpec& model) {
  return {static_cast<double>(model.dModel),     static_cast<double>(model.attentionDim),
          static_cast<double>(model.kvDim),      static_cast<double>(model.ffn),
          static_cast<double>(model.heads),      static_cast<double>(model.vocab),
          static_cast<double>(model.ffnMatrices)};
}

// Forward FLOPs of one layer's GEMMs per token: 2 per weight (q, k, v, output projection, FFN).
double linearFlopsPerToken(const Dims& d) {
  return 2 * (d.h * (d.a + 2 * d.kv) + d.a * d.h + d.m * d.h * d.ffn);
}
// Forward FLOPs of the attention core per token (QK^T and attention over V, no causal skipping).
double attentionFlopsPerToken(const Dims& d, double seq) {
  return 4 * seq * d.a;
}

// Parameters of one layer (biases and norms left out, as countParams does).
double layerParams(const Dims& d) {
  return linearFlopsPerToken(d) / 2;
}

}  // namespace

json MemoryUse::toJson() const {
  return json{{"params", params},
              {"weights_bytes", weights},
              {"gradients_bytes", gradients},
              {"optimizer_bytes", optimizer},
              {"activations_bytes", activations},
              {"activations_per_layer_bytes", activationsPerLayer},
              {"micro_batches_in_flight", microBatchesInFlight},
              {"total_bytes", total()}};
}

MemoryUse memoryPerGpu(const ModelSpec& model, const Layout& l, const TrainingOptions& o,
                       int microBatches) {
  const Dims d = dimsOf(model);
  const double t = l.tp, p = l.pp, v = o.interleave;
  const double es = static_cast<double>(elementSize(o.dtype));
  const double gs = static_cast<double>(elementSize(o.gradDtype));
  const double s = o.seqLen > 0 ? o.seqLen : model.seqLen, b = o.microBatch;
  MemoryUse mem;
  // The first stage: its layers' weights split over tp, and the input embedding (vocab-parallel).
  // MoE layers hold their share of the experts (ep ways) instead of a dense FFN.
  const double layersPerStage = model.layers / p;
  const double moeShare = model.moe() ? static_cast<double>(model.moeLayers()) / model.layers : 0;
  const double attention = layerParams(d) - d.m * d.h * d.ffn;
  const double denseFfn = d.m * d.h * d.ffn;
  const double expertFfn = model.moe() ? model.experts * 2 * d.h * d.ffn / l.ep : 0;
  const double perLayer = (attention + (1 - moeShare) * denseFfn) / t + moeShare * expertFfn;
  mem.params = layersPerStage * perLayer + d.vocab * d.h / t;
  if (l.pp == 1 && !model.tiedEmbeddings) mem.params += d.vocab * d.h / t;
  const double dp = l.dp;
  mem.weights = mem.params * es / (o.zero >= 3 ? dp : 1);
  mem.gradients = mem.params * gs / (o.zero >= 2 ? dp : 1);
  mem.optimizer = mem.params * kOptimizerBytesPerParam / (o.zero >= 1 ? dp : 1);
  // Activations of one layer and micro-batch (Korthikanti et al. 2022 §4.1, in bytes with es
  // per value and 1 per dropout-mask element): kept whole on every tensor-parallel rank, the
  // two layer-norm inputs, the QKV and FC1 inputs and two dropout masks, sbh·(4·es + 2); split
  // over tp, Q, K, V, the projection and FFN inputs, es·sb·(2a + 2kv + m·ffn), and the attention
  // core, (2·es + 1)·heads·s²·b (softmax output, its dropout mask and output). Sequence
  // parallelism splits the first part too; selective recomputation drops the attention core;
  // full recomputation keeps only each layer's input.
  const double sbh = s * b * d.h;
  const double whole = sbh * (4 * es + 2);
  const double split = es * s * b * (2 * d.a + 2 * d.kv + d.m * d.ffn);
  const double core = (2 * es + 1) * d.heads * s * s * b;
  const double shard = o.sequenceParallel ? t : 1;
  switch (o.recompute) {
    case Recompute::kNone:
      mem.activationsPerLayer = whole / shard + (split + core) / t;
      break;
    case Recompute::kSelective:
      mem.activationsPerLayer = whole / shard + split / t;
      break;
    case Recompute::kFull:
      mem.activationsPerLayer = es * sbh / shard;
      break;
  }
  // 1F1B: the first stage holds p micro-batches in flight; interleaved, (1 + (p-1)/(p·v)) times
  // that (Korthikanti et al. 2022 §4.2.3); never more than the step has.
  const double inFlight = v > 1 ? p * (1 + (p - 1) / (p * v)) : p;
  mem.microBatchesInFlight = std::min(inFlight, static_cast<double>(microBatches));
  mem.activations = mem.activationsPerLayer * layersPerStage * mem.microBatchesInFlight;
  return mem;
}

StepFlops flopsPerStep(const ModelSpec& model, const TrainingOptions& o, long globalBatch,
                       int seqLen) {
  const Dims d = dimsOf(model);
  const double tokens = static_cast<double>(globalBatch) * seqLen;
  // MoE layers: each token through top_k experts' FFNs instead of one dense FFN.
  const double moeShare = model.moe() ? static_cast<double>(model.moeLayers()) / model.layers : 0;
  const double ffn = 2 * d.m * d.h * d.ffn;
  const double perToken =
      model.layers * (linearFlopsPerToken(d) + moeShare * ffn * (model.topK - 1) +
                      attentionFlopsPerToken(d, seqLen));
  const double logits = 2 * d.h * d.vocab;
  StepFlops f;
  f.model = 3 * tokens * (perToken + logits);
  const double attentionCore = model.layers * attentionFlopsPerToken(d, seqLen);
  f.hardware = f.model + tokens * (o.recompute == Recompute::kFull        ? perToken
                                   : o.recompute == Recompute::kSelective ? attentionCore
                                                                          : 0);
  return f;
}

namespace {

// One micro-batch on a GPU of the last stage: its layers and the output layer.
MicroBatchCompute computePerMicroBatch(const ModelSpec& model, const Layout& l,
                                       const TrainingOptions& o, int seqLen, const GpuSpec& gpu,
                                       double gemmEfficiency) {
  const Dims d = dimsOf(model);
  const double t = l.tp, s = seqLen, b = o.microBatch, tokens = s * b;
  const double es = static_cast<double>(elementSize(o.dtype));
  const double layers = static_cast<double>(model.layers) / l.pp;
  const double moeShare = model.moe() ? static_cast<double>(model.moeLayers()) / model.layers : 0;
  const double linear =
      tokens * (linearFlopsPerToken(d) + moeShare * 2 * d.m * d.h * d.ffn * (model.topK - 1)) / t;
  const double core = tokens * attentionFlopsPerToken(d, s) / t;
  const double logits = 2 * tokens * d.h * d.vocab / t;
  // Elements the memory-bound kernels touch per layer: the attention scores (heads/tp of them),
  // the hidden state (whole on each tensor-parallel rank unless sequence-parallel) and the FFN's
  // activation input.
  const double scores = b * (d.heads / t) * s * s;
  const double hidden = tokens * d.h / (o.sequenceParallel ? t : 1);
  const double ffnAct = tokens * d.ffn / t;
  const double gated = d.m > 2 ? 1 : 0;
  // Forward: scale-mask-softmax reads and writes the scores, its dropout reads, writes and keeps a
  // mask; two layer norms read and write the hidden state; two bias-dropout-residual adds read two
  // and write one (and a mask); the activation reads (two, gated) and writes. Backward: softmax
  // reads output and gradient and writes one, dropout reads gradient and mask and writes, layer
  // norm reads input and gradient and writes, the activation reads input and gradient and writes.
  const double coreFwdBytes = scores * (2 * es + 2 * es + 1);
  const double fwdBytes =
      coreFwdBytes + 2 * hidden * 2 * es + 2 * hidden * (3 * es + 1) + ffnAct * es * (2 + gated);
  const double bwdBytes = scores * (3 * es + 2 * es + 1) + 2 * hidden * 3 * es +
                          2 * hidden * (2 * es + 1) + ffnAct * es * (3 + 2 * gated);
  const double rate = gpu.peakFlops * gemmEfficiency;
  const double bw = gpu.hbmBandwidth;
  MicroBatchCompute c;
  const double fwdFlops = layers * (linear + core) + logits;
  c.forwardS = fwdFlops / rate + layers * fwdBytes / bw;
  c.backwardS = 2 * fwdFlops / rate + layers * bwdBytes / bw;
  double recFlops = 0, recBytes = 0;
  if (o.recompute == Recompute::kFull) {
    recFlops = layers * (linear + core);
    recBytes = layers * fwdBytes;
  } else if (o.recompute == Recompute::kSelective) {
    recFlops = layers * core;
    recBytes = layers * coreFwdBytes;
  }
  c.recomputeS = recFlops / rate + recBytes / bw;
  c.gemmFlops = 3 * fwdFlops + recFlops;
  c.memoryBytes = layers * (fwdBytes + bwdBytes) + recBytes;
  return c;
}

std::string gb(double bytes) {
  return fmt::format("{:.1f} GB", bytes / 1e9);
}

}  // namespace

std::string StepPlan::mostExposedGroup() const {
  std::string most = "-";
  double worst = 0;
  for (const auto& [group, e] : exposed)
    if (e.exposedMs > worst) {
      worst = e.exposedMs;
      most = group;
    }
  return most;
}

StepPlan planStep(const ModelSpec& model, const Layout& layout, const PlanOptions& options,
                  const CalibrationSet& calibration) {
  const TrainingOptions& o = options.training;
  HOCKNEY_USAGE_CHECK(options.computeEfficiency >= 0 && options.computeEfficiency <= 1,
                      "--compute-efficiency must be in (0, 1], not {}", options.computeEfficiency);
  StepPlan plan;
  plan.gpu = options.gpu;
  plan.gemmEfficiency =
      options.computeEfficiency > 0 ? options.computeEfficiency : options.gpu.gemmEfficiency();
  // The communication first: it checks the layout against the model (heads % tp, ...).
  plan.comm = projectIteration(model, layout, o, calibration, options.policy);
  const StepCost& comm = plan.comm;
  const int m = comm.microBatchesPerPipeline;
  plan.memory = memoryPerGpu(model, layout, o, m);
  const MemoryUse& mem = plan.memory;
  HOCKNEY_USAGE_CHECK(
      mem.total() <= options.gpu.hbmBytes,
      "{} at tp={},pp={},dp={} needs {} per GPU (weights {}, gradients {}, optimizer state {}, "
      "activations {} for {:.3g} micro-batches in flight, recompute {}): more than the {} of an "
      "{}; recompute more (--recompute selective|full), shard (--zero, --sequence-parallel), or "
      "split further (tp, pp)",
      model.name, layout.tp, layout.pp, layout.dp, gb(mem.total()), gb(mem.weights),
      gb(mem.gradients), gb(mem.optimizer), gb(mem.activations), mem.microBatchesInFlight,
      name(o.recompute), gb(options.gpu.hbmBytes), options.gpu.name);
  plan.perMicroBatch =
      computePerMicroBatch(model, layout, o, comm.seqLen, options.gpu, plan.gemmEfficiency);
  const MicroBatchCompute& c = plan.perMicroBatch;

  // Per micro-batch on the critical path: its compute, and the tensor-, expert- and
  // pipeline-parallel calls it makes (blocking in Megatron-LM: none overlaps compute). The
  // reductions after the backward pass are overlapped with it; the gathers are not.
  struct Share {
    double critical = 0, reducing = 0, gathering = 0;
  };
  std::map<std::string, Share> shares;  // by group
  Share all;
  double lastBucketMs = 0;
  for (const PricedItem& i : comm.items) {
    const double ms = i.stepSeconds() * 1e3;
    Share& s = shares[i.item.group];
    if (!i.item.afterBackward()) {
      s.critical += ms;
      all.critical += ms;
    } else if (findPattern(i.item.pattern).facts.reduces) {
      s.reducing += ms;
      all.reducing += ms;
      lastBucketMs = std::max(lastBucketMs, i.call.seconds * 1e3);
    } else {
      s.gathering += ms;
      all.gathering += ms;
    }
  }
  plan.perMicroBatchMs = c.seconds() * 1e3 + all.critical / m;
  const double pp = layout.pp, v = o.interleave;
  plan.computeMs = m * c.seconds() * 1e3;
  plan.bubbleMs = (pp - 1) / v * plan.perMicroBatchMs;
  // Gradient reduction overlaps the last micro-batch's backward pass (ZeRO-2 and -3: every
  // micro-batch's, each hiding its own reduce-scatter); what it cannot cover is exposed, and never
  // less than the last bucket (it starts when the backward ends). Shared out over the groups by
  // their part of the reduction.
  const double window = c.backwardS * 1e3 * (o.zero >= 2 ? m : 1);
  const double reductionExposed =
      all.reducing > 0 ? std::max(lastBucketMs, all.reducing - window) : 0;
  for (const auto& [group, g] : comm.groups) {
    const Share& s = shares[group];
    GroupExposure& e = plan.exposed[group];
    e.totalMs = g.timeMs;
    e.exposedMs = s.critical + s.gathering +
                  (all.reducing > 0 ? reductionExposed * s.reducing / all.reducing : 0);
    e.how = s.critical > 0    ? "on the critical path of every micro-batch (blocking calls)"
            : s.gathering > 0 ? "reduction overlapped with the backward pass; the parameter "
                                "all-gathers exposed"
                              : "overlapped with the backward pass, the rest and at least the "
                                "last bucket exposed";
  }
  plan.exposedCommMs = all.critical + all.gathering + reductionExposed;
  // The optimizer step of a mixed-precision trainer (Megatron-LM's): the gradients unscaled and
  // checked for overflow (read, write), their norm for clipping (read), Adam (reads the gradient,
  // reads and writes the fp32 master weight and both moments), and the weights copied back to the
  // training type (read the master, write the copy).
  const double shardedParams = mem.params / (o.zero >= 1 ? layout.dp : 1);
  const double gs = static_cast<double>(elementSize(o.gradDtype));
  const double optBytes = shardedParams * (2 * kOptimizerBytesPerParam + 4 * gs + 4 +
                                           static_cast<double>(elementSize(o.dtype)));
  plan.optimizerMs = optBytes / options.gpu.hbmBandwidth * 1e3;
  plan.stepMs = plan.computeMs + plan.bubbleMs + plan.exposedCommMs + plan.optimizerMs;
  plan.flops = flopsPerStep(model, o, comm.globalBatch, comm.seqLen);
  const double seconds = plan.stepMs / 1e3;
  const double gpus = layout.gpus();
  plan.tokensPerSecond = static_cast<double>(comm.globalBatch) * comm.seqLen / seconds;
  plan.mfu = plan.flops.model / (seconds * gpus * options.gpu.peakFlops);
  plan.hfu = plan.flops.hardware / (seconds * gpus * options.gpu.peakFlops);
  // What the step spends most on, besides compute.
  plan.bottleneck = "compute";
  double worst = plan.computeMs;
  if (plan.bubbleMs > worst) {
    worst = plan.bubbleMs;
    plan.bottleneck = "bubble";
  }
  const std::string most = plan.mostExposedGroup();
  if (most != "-" && plan.exposed.at(most).exposedMs > worst) plan.bottleneck = most;
  auto& a = plan.assumptions;
  a = comm.assumptions;
  a.erase(std::remove(a.begin(), a.end(),
                      std::string("no overlap: the step's communication time is the sum of its "
                                  "parts")),
          a.end());
  a.push_back(fmt::format(
      "GEMMs at {:.1f}% of the {}'s {:.0f} TFLOP/s peak ({}), memory-bound kernels (softmax, "
      "dropout, layer norm, activation, residual) at its {:.0f} GB/s HBM bandwidth",
      plan.gemmEfficiency * 100, options.gpu.name, options.gpu.peakFlops / 1e12,
      options.computeEfficiency > 0 ? "--compute-efficiency"
                                    : "the catalog's sustained matmul rate",
      options.gpu.hbmBandwidth / 1e9));
  a.push_back(fmt::format(
      "{} pipeline: step = m·T + (p-1)/v·T + exposed data-parallel communication + optimizer, "
      "T one micro-batch's compute and tensor/expert/pipeline calls on the last stage (it adds "
      "the output layer); m={}, p={}, v={}",
      o.interleave > 1 ? "interleaved 1F1B" : "1F1B", m, layout.pp, o.interleave));
  a.push_back("tensor-, expert- and pipeline-parallel calls block (none overlaps compute)");
  a.push_back(
      "gradient reduction overlaps the last micro-batch's backward pass; ZeRO's parameter "
      "all-gathers are exposed");
  a.push_back(fmt::format(
      "memory: weights {} B, gradients {} B and Adam's 12 B of fp32 state per parameter, "
      "sharded by ZeRO stage {}; activations per Korthikanti et al. 2022 §4 (recompute {}{}) on "
      "the first stage; framework workspace, fragmentation and the output layer's logits not "
      "counted",
      elementSize(o.dtype), elementSize(o.gradDtype), o.zero, name(o.recompute),
      o.sequenceParallel ? ", sequence parallel" : ""));
  a.push_back(
      "optimizer step at HBM bandwidth: gradients unscaled and checked (read, write), their norm "
      "(read), Adam (gradient read, fp32 weight and moments read and written), weights copied "
      "to the training type");
  a.push_back(
      "MFU: model FLOPs (3 x the forward's GEMMs: 6 per parameter per token, plus the attention "
      "core) over step time x GPUs x peak; HFU adds the recomputed forward");
  return plan;
}

}  // namespace hockney
