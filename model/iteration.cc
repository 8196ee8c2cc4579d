#include "model/iteration.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "collectives/core/error.h"
#include "collectives/core/split.h"

namespace hockney {

Layout parseLayout(const std::string& text) {
  Layout l;
  std::set<std::string> seen;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string part = text.substr(start, comma - start);
    size_t eq = part.find('=');
    HOCKNEY_USAGE_CHECK(eq != std::string::npos,
                        "bad --layout part '{}' (expected tp=N,pp=N,dp=N[,ep=N])", part);
    std::string key = part.substr(0, eq);
    int value = 0;
    try {
      size_t used = 0;
      value = std::stoi(part.substr(eq + 1), &used);
      HOCKNEY_USAGE_CHECK(used == part.size() - eq - 1, "bad number in --layout part '{}'", part);
    } catch (const std::logic_error&) {
      throw UsageError(fmt::format("bad number in --layout part '{}'", part));
    }
    HOCKNEY_USAGE_CHECK(value >= 1, "--layout {} must be at least 1, not {}", key, value);
    HOCKNEY_USAGE_CHECK(seen.insert(key).second, "--layout names {} twice", key);
    if (key == "tp")
      l.tp = value;
    else if (key == "pp")
      l.pp = value;
    else if (key == "dp")
      l.dp = value;
    else if (key == "ep")
      l.ep = value;
    else
      throw UsageError(fmt::format("unknown --layout dimension '{}' (tp, pp, dp, ep)", key));
    start = comma + 1;
  }
  // Counts of GPUs stay ints everywhere downstream: refuse layouts past what they hold.
  const long long gpus = static_cast<long long>(l.tp) * l.pp * l.dp;
  HOCKNEY_USAGE_CHECK(gpus <= kMaxLayoutGpus,
                      "--layout tp·pp·dp = {} GPUs is more than hockney projects ({})", gpus,
                      kMaxLayoutGpus);
  return l;
}

std::vector<std::string> parseOrder(const std::string& text) {
  const std::vector<std::string> order = splitCommas(text);
  std::vector<std::string> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  HOCKNEY_USAGE_CHECK(sorted == (std::vector<std::string>{"dp", "pp", "tp"}),
                      "--order must name tp, pp and dp once each, innermost first, not '{}'", text);
  return order;
}

std::string_view name(Recompute r) {
  switch (r) {
    case Recompute::kNone:
      return "none";
    case Recompute::kSelective:
      return "selective";
    case Recompute::kFull:
      return "full";
  }
  return "none";
}

Recompute parseRecompute(std::string_view text) {
  for (Recompute r : {Recompute::kNone, Recompute::kSelective, Recompute::kFull})
    if (name(r) == text) return r;
  throw UsageError(fmt::format("--recompute must be none, selective or full, not '{}'", text));
}

std::vector<CommItem> bucketed(const CommItem& item, double bucketBytes) {
  const double es = static_cast<double>(elementSize(item.dtype));
  const double bucket = std::floor(bucketBytes / es) * es;
  HOCKNEY_USAGE_CHECK(bucketBytes == 0 || bucket > 0,
                      "--bucket {} B is smaller than one {} element", bucketBytes,
                      name(item.dtype));
  if (bucket == 0 || item.bytes <= bucket) return {item};
  const double full = std::floor(item.bytes / bucket);
  const double rest = item.bytes - full * bucket;
  std::vector<CommItem> out;
  CommItem b = item;
  b.bytes = bucket;
  b.count = item.count * full;
  b.purpose = fmt::format("{}, {:.0f} buckets", item.purpose, full + (rest > 0 ? 1 : 0));
  out.push_back(b);
  if (rest > 0) {
    b.bytes = rest;
    b.count = item.count;
    b.purpose = fmt::format("{}, last bucket", item.purpose);
    out.push_back(b);
  }
  return out;
}

long globalBatchOf(const ModelSpec& m, const TrainingOptions& o) {
  if (o.globalBatch > 0) return o.globalBatch;
  long batch = 0;
  const auto& ts = m.trainingSetup;
  for (const char* key : {"global_batch_seqs", "global_batch_seqs_approx"})
    if (ts.contains(key) && ts[key].is_number()) batch = ts[key].get<long>();
  HOCKNEY_USAGE_CHECK(batch > 0, "{} documents no global batch in sequences; pass --global-batch",
                      m.name);
  return batch;
}

IterationComm iterationCommunication(const ModelSpec& m, const Layout& l,
                                     const TrainingOptions& o) {
  IterationComm plan;
  const int t = l.tp, p = l.pp, d = l.dp, e = l.ep;
  HOCKNEY_USAGE_CHECK(m.heads % t == 0, "{} has {} heads, not divisible by tp={}", m.name, m.heads,
                      t);
  HOCKNEY_USAGE_CHECK(m.layers % p == 0, "{} has {} layers, not divisible by pp={}", m.name,
                      m.layers, p);
  HOCKNEY_USAGE_CHECK(o.zero >= 0 && o.zero <= 3, "--zero must be 0, 1, 2 or 3, not {}", o.zero);
  HOCKNEY_USAGE_CHECK(o.microBatch >= 1, "--micro-batch must be at least 1");
  HOCKNEY_USAGE_CHECK(o.gpusPerNode >= 1, "--gpus-per-node must be at least 1");
  HOCKNEY_USAGE_CHECK(o.interleave >= 1, "--interleave must be at least 1, not {}", o.interleave);
  HOCKNEY_USAGE_CHECK(o.interleave == 1 || p > 1,
                      "--interleave {} needs a pipeline (pp > 1): it splits each stage's layers",
                      o.interleave);
  HOCKNEY_USAGE_CHECK(m.layers % (p * o.interleave) == 0,
                      "{} has {} layers, not divisible by pp·interleave = {}·{}", m.name, m.layers,
                      p, o.interleave);
  if (e > 1) {
    HOCKNEY_USAGE_CHECK(m.moe(), "ep={} but {} has no experts", e, m.name);
    HOCKNEY_USAGE_CHECK(d % e == 0,
                        "ep={} must divide dp={} (experts are spread within data parallel)", e, d);
    HOCKNEY_USAGE_CHECK(e <= m.experts, "ep={} exceeds the {} experts of {}", e, m.experts, m.name);
    HOCKNEY_USAGE_CHECK(m.experts % e == 0, "ep={} must divide the {} experts", e, m.experts);
  }
  const long batch = globalBatchOf(m, o);
  if (o.globalBatch == 0)
    plan.assumptions.push_back(fmt::format("global batch {} sequences, from the catalog", batch));
  HOCKNEY_USAGE_CHECK(batch % (static_cast<long>(d) * o.microBatch) == 0,
                      "global batch {} is not divisible by dp·micro-batch = {}·{}", batch, d,
                      o.microBatch);
  // Megatron-LM's interleaved schedule runs micro-batches in groups of pp.
  HOCKNEY_USAGE_CHECK(o.interleave == 1 || (batch / (static_cast<long>(d) * o.microBatch)) % p == 0,
                      "--interleave needs the micro-batches per pipeline ({}) to be a multiple of "
                      "pp={}",
                      batch / (static_cast<long>(d) * o.microBatch), p);
  plan.globalBatch = batch;
  plan.microBatches = static_cast<int>(batch / (static_cast<long>(d) * o.microBatch));
  plan.seqLen = o.seqLen > 0 ? o.seqLen : m.seqLen;
  const double mb = plan.microBatches;
  const double eps = static_cast<double>(elementSize(o.dtype));
  const double epsG = static_cast<double>(elementSize(o.gradDtype));
  const double act = static_cast<double>(o.microBatch) * plan.seqLen * m.dModel * eps;  // n_a
  const double layersPerStage = static_cast<double>(m.layers) / p;
  // fwd 2 + bwd 2, and the forward's 2 again with full recomputation (selective recomputes only
  // the attention core, which lies between a layer's collectives).
  const double passes = o.recompute == Recompute::kFull ? 6 : 4;
  ParamCount pc = countParams(m);
  plan.denseParams = pc.dense;
  plan.expertParams = pc.experts;

  if (t > 1) {
    const double n = layersPerStage * mb * passes;
    if (o.sequenceParallel) {
      plan.items.push_back({"TP", "reduce_scatter", "sequence-parallel reduce-scatter per layer", t,
                            act, n, o.dtype});
      plan.items.push_back(
          {"TP", "allgather", "sequence-parallel all-gather per layer", t, act, n, o.dtype});
    } else {
      plan.items.push_back(
          {"TP", "allreduce", "attention and MLP output all-reduce per layer", t, act, n, o.dtype});
    }
  }
  if (p > 1) {
    // Interleaved 1F1B: a micro-batch crosses each stage boundary once per model chunk.
    CommItem pp{"PP",
                "pipeline",
                o.interleave > 1
                    ? fmt::format("activation forward + gradient backward per "
                                  "micro-batch and model chunk (interleaved 1F1B, v={})",
                                  o.interleave)
                    : "activation forward + gradient backward per micro-batch (1F1B)",
                2,
                act,
                2 * mb * o.interleave,
                o.dtype};
    pp.microbatches = plan.microBatches;
    plan.items.push_back(pp);
    if (m.tiedEmbeddings)
      plan.items.push_back({"EMB", "allreduce", "tied embedding gradients, first and last stage", 2,
                            static_cast<double>(m.vocab) * m.dModel / t * epsG, 1, o.gradDtype});
  }
  if (d > 1) {
    const double psi = pc.dense / (static_cast<double>(t) * p);  // per GPU
    if (o.zero == 0) {
      plan.items.push_back(
          {"DP", "allreduce", "gradient all-reduce", d, psi * epsG, 1, o.gradDtype});
    } else {
      // ZeRO-2 keeps only its shard of the gradients, so every micro-batch's backward pass
      // reduce-scatters them; ZeRO-3 keeps only its shard of the weights, so every micro-batch's
      // forward and backward gather them again (Rajbhandari et al. 2020 §5; DeepSpeed's
      // gradient accumulation). ZeRO-1 reduces and gathers once per step.
      plan.items.push_back({"DP", "reduce_scatter",
                            o.zero >= 2 ? "ZeRO gradient reduce-scatter per micro-batch"
                                        : "ZeRO gradient reduce-scatter",
                            d, psi * epsG, o.zero >= 2 ? mb : 1.0, o.gradDtype});
      plan.items.push_back({"DP", "allgather",
                            o.zero == 3 ? "ZeRO-3 parameter all-gather (forward and backward of "
                                          "each micro-batch)"
                                        : "ZeRO parameter all-gather",
                            d, psi * eps, o.zero == 3 ? 2.0 * mb : 1.0, o.dtype});
    }
  }
  if (m.moe() && e > 1) {
    HOCKNEY_USAGE_CHECK(
        std::isfinite(o.capacityFactor) && o.capacityFactor > 0 && o.capacityFactor <= m.experts,
        "--capacity-factor {} must be in (0, {}] for {} ({} experts: at {} an "
        "expert already takes every token)",
        o.capacityFactor, m.experts, m.name, m.experts, m.experts);
    const double moeLayersPerStage = static_cast<double>(m.moeLayers()) / p;
    const double a2a = m.topK * o.capacityFactor * o.microBatch * plan.seqLen * m.dModel * eps;
    plan.items.push_back({"EP", "alltoall", "MoE dispatch and combine per MoE layer", e, a2a,
                          moeLayersPerStage * mb * passes, o.dtype});
    if (d / e > 1)
      plan.items.push_back({"EDP", "allreduce", "expert gradient all-reduce", d / e,
                            pc.experts / (static_cast<double>(p) * e) * epsG, 1, o.gradDtype});
  }
  HOCKNEY_USAGE_CHECK(o.bucketBytes >= 0 && std::isfinite(o.bucketBytes),
                      "--bucket must be 0 (one call) or a positive size, not {}", o.bucketBytes);
  if (o.bucketBytes > 0) {
    std::vector<CommItem> split;
    for (const CommItem& item : plan.items) {
      for (CommItem& b :
           item.dataParallel() ? bucketed(item, o.bucketBytes) : std::vector<CommItem>{item})
        split.push_back(std::move(b));
    }
    plan.items = std::move(split);
    plan.assumptions.push_back(fmt::format(
        "data-parallel items in buckets of {:.0f} B (--bucket; PyTorch DDP's default is 25 MiB)",
        o.bucketBytes));
  }
  plan.assumptions.push_back("no overlap: the step's communication time is the sum of its parts");
  plan.assumptions.push_back("per GPU: counts are what one GPU takes part in per optimizer step");
  plan.assumptions.push_back(
      fmt::format("Ψ from the dims ({:.1f}B dense, {:.1f}B in experts), split evenly over tp·pp",
                  pc.dense / 1e9, pc.experts / 1e9));
  if (p > 1)
    plan.assumptions.push_back(
        "pipeline sends priced as 1F1B passes between two stages with the step's micro-batches "
        "(a pipeline fit), or as one-way ping-pong messages where the calibration has none; the "
        "whole activation each (no Megatron scatter/gather optimisation)");
  if (m.encoderLayers > 0 && t > 1)
    plan.assumptions.push_back(
        "decoder cross-attention all-reduces of encoder-decoder models not counted");
  if (m.moe() && e > 1)
    plan.assumptions.push_back(
        fmt::format("experts are not tensor-parallel; capacity factor {}", o.capacityFactor));
  if (m.moe() && e == 1) plan.assumptions.push_back("ep=1: experts replicated, no all-to-all");
  return plan;
}

}  // namespace hockney
