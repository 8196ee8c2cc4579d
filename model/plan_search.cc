#include "model/plan_search.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "collectives/core/error.h"
#include "reports/results.h"

namespace hockney {

using nlohmann::json;

namespace {

std::vector<int> divisorsUpTo(long n, long cap) {
  std::vector<int> out;
  for (long d = 1; d <= std::min(n, cap); ++d)
    if (n % d == 0) out.push_back(static_cast<int>(d));
  return out;
}

template <typename T>
std::vector<T> fixedOr(const std::optional<T>& fixed, std::vector<T> searched) {
  return fixed ? std::vector<T>{*fixed} : searched;
}

}  // namespace

std::string LayoutCandidate::label() const {
  const TrainingOptions& o = training;
  std::string s = fmt::format("tp={},pp={},dp={}", layout.tp, layout.pp, layout.dp);
  if (layout.ep > 1) s += fmt::format(",ep={}", layout.ep);
  if (o.interleave > 1) s += fmt::format(",v={}", o.interleave);
  s += fmt::format(",zero={}{},recompute={},mb={}", o.zero, o.sequenceParallel ? ",sp" : "",
                   name(o.recompute), o.microBatch);
  return s;
}

std::vector<LayoutCandidate> enumerateLayouts(const ModelSpec& model, int gpus,
                                              const TrainingOptions& base,
                                              const SearchFixed& fixed) {
  HOCKNEY_USAGE_CHECK(gpus >= 1 && gpus <= kMaxLayoutGpus, "--gpus {} is out of range (1..{})",
                      gpus, kMaxLayoutGpus);
  const long batch = globalBatchOf(model, base);
  const long tpCap = fixed.allowCrossNodeTp ? gpus : std::min(gpus, base.gpusPerNode);
  std::vector<LayoutCandidate> out;
  for (int tp : fixedOr(fixed.tp, divisorsUpTo(model.heads, tpCap))) {
    if (model.heads % tp != 0 || gpus % tp != 0) continue;
    for (int pp : fixedOr(fixed.pp, divisorsUpTo(model.layers, gpus / tp))) {
      if (model.layers % pp != 0 || gpus % (tp * pp) != 0) continue;
      const int dp = gpus / (tp * pp);
      if (batch % dp != 0) continue;
      std::vector<int> eps{1};
      if (model.moe()) {
        eps.clear();
        for (int e : divisorsUpTo(model.experts, dp))
          if (dp % e == 0) eps.push_back(e);
      }
      for (int ep : fixedOr(fixed.ep, eps)) {
        if (ep > 1 && (!model.moe() || dp % ep != 0 || model.experts % ep != 0)) continue;
        for (int mb : fixedOr(fixed.microBatch, divisorsUpTo(batch / dp, fixed.maxMicroBatch))) {
          if ((batch / dp) % mb != 0) continue;
          const long micro = batch / dp / mb;
          const std::vector<int> vs =
              pp > 1 ? divisorsUpTo(model.layers / pp, fixed.maxInterleave) : std::vector<int>{1};
          for (int v : fixedOr(fixed.interleave, vs)) {
            if (v > 1 && (pp == 1 || (model.layers / pp) % v != 0 || micro % pp != 0)) continue;
            // ZeRO-2 and -3 shard what a pipeline stage keeps between micro-batches: with pp > 1
            // only stage 1 (DeepSpeed refuses 2 and 3 with pipelines; Megatron's distributed
            // optimizer is stage 1).
            const std::vector<int> zeros = dp == 1  ? std::vector<int>{0}
                                           : pp > 1 ? std::vector<int>{0, 1}
                                                    : std::vector<int>{0, 1, 2, 3};
            for (int zero : fixedOr(fixed.zero, zeros)) {
              const std::vector<bool> sps =
                  tp > 1 ? std::vector<bool>{false, true} : std::vector<bool>{false};
              for (bool sp : fixedOr(fixed.sequenceParallel, sps)) {
                if (sp && tp == 1) continue;
                for (Recompute rc :
                     fixedOr(fixed.recompute,
                             {Recompute::kNone, Recompute::kSelective, Recompute::kFull})) {
                  LayoutCandidate c;
                  c.layout.tp = tp;
                  c.layout.pp = pp;
                  c.layout.dp = dp;
                  c.layout.ep = ep;
                  c.training = base;
                  c.training.globalBatch = batch;
                  c.training.microBatch = mb;
                  c.training.interleave = v;
                  c.training.zero = zero;
                  c.training.sequenceParallel = sp;
                  c.training.recompute = rc;
                  out.push_back(std::move(c));
                }
              }
            }
          }
        }
      }
    }
  }
  return out;
}

SearchReport searchLayouts(const ModelSpec& model, const std::vector<int>& gpuCounts,
                           const PlanOptions& base, const SearchFixed& fixed,
                           const std::vector<NamedCalibration>& fabrics) {
  HOCKNEY_USAGE_CHECK(!gpuCounts.empty(), "--gpus names no GPU count");
  HOCKNEY_USAGE_CHECK(!fabrics.empty(), "no fabric to price with (--fabric or --calibration)");
  const auto start = std::chrono::steady_clock::now();
  SearchReport report;
  report.createdAt = utcNow();
  report.model = model;
  report.gpu = base.gpu;
  report.fixed = fixed;
  for (const NamedCalibration& f : fabrics) {
    report.fabricNames.push_back(f.name);
    report.fabricSources.push_back({{"fabric", f.name}, {"calibration", f.calibration.sources}});
  }
  bool anyFits = false;
  for (int gpus : gpuCounts) {
    GpuCountSearch count;
    count.gpus = gpus;
    count.smallestMemoryBytes = std::numeric_limits<double>::infinity();
    const std::vector<LayoutCandidate> candidates =
        enumerateLayouts(model, gpus, base.training, fixed);
    count.enumerated = static_cast<long>(candidates.size());
    std::vector<const LayoutCandidate*> fitting;
    for (const LayoutCandidate& c : candidates) {
      const long micro =
          c.training.globalBatch / (static_cast<long>(c.layout.dp) * c.training.microBatch);
      const double need =
          memoryPerGpu(model, c.layout, c.training, static_cast<int>(micro)).total();
      if (need < count.smallestMemoryBytes) {
        count.smallestMemoryBytes = need;
        count.smallestMemoryLayout = c.label();
      }
      if (need > base.gpu.hbmBytes) {
        ++count.prunedByMemory;
        continue;
      }
      fitting.push_back(&c);
    }
    for (const NamedCalibration& f : fabrics) {
      FabricRanking ranking;
      ranking.fabric = f.name;
      for (const LayoutCandidate* c : fitting) {
        PlanOptions o = base;
        o.training = c->training;
        ranking.ranked.push_back({*c, planStep(model, c->layout, o, f.calibration)});
      }
      std::stable_sort(ranking.ranked.begin(), ranking.ranked.end(),
                       [](const RankedLayout& a, const RankedLayout& b) {
                         return a.plan.stepMs < b.plan.stepMs;
                       });
      count.fabrics.push_back(std::move(ranking));
    }
    count.priced = static_cast<long>(fitting.size());
    anyFits = anyFits || !fitting.empty();
    report.counts.push_back(std::move(count));
  }
  if (!anyFits) {
    const GpuCountSearch* least = &report.counts.front();
    for (const GpuCountSearch& c : report.counts)
      if (c.smallestMemoryBytes < least->smallestMemoryBytes) least = &c;
    HOCKNEY_USAGE_CHECK(
        least->enumerated > 0,
        "no layout of {} on {} GPUs satisfies the rules (heads {}, layers {}, batch {}) with the "
        "options fixed on the command line",
        model.name, least->gpus, model.heads, model.layers, globalBatchOf(model, base.training));
    throw UsageError(fmt::format(
        "no layout of {} fits {} GPUs of {} GB ({}): the smallest needs {:.1f} GB per GPU ({} on "
        "{} GPUs); more GPUs, a GPU with more memory, or a smaller --micro-batch or batch",
        model.name, fmt::join(gpuCounts, ", "), base.gpu.hbmBytes / 1e9, base.gpu.name,
        least->smallestMemoryBytes / 1e9, least->smallestMemoryLayout, least->gpus));
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

bool pricedWithOtherLevels(const StepPlan& plan) {
  for (const PricedItem& i : plan.comm.items)
    if (!i.call.levelNote.empty()) return true;
  return false;
}

std::vector<FabricComparison> compareFabrics(const GpuCountSearch& count) {
  std::vector<FabricComparison> out;
  if (count.fabrics.empty() || count.fabrics.front().ranked.empty()) return out;
  const FabricRanking& a = count.fabrics.front();
  for (size_t i = 1; i < count.fabrics.size(); ++i) {
    const FabricRanking& b = count.fabrics[i];
    if (!b.ranked.empty())
      out.push_back({a.fabric, b.fabric, &a.ranked.front(), &b.ranked.front()});
  }
  return out;
}

namespace {

json rowJson(const RankedLayout& r) {
  const StepPlan& p = r.plan;
  const TrainingOptions& o = r.candidate.training;
  return json{{"layout", r.candidate.label()},
              {"tp", r.candidate.layout.tp},
              {"pp", r.candidate.layout.pp},
              {"dp", r.candidate.layout.dp},
              {"ep", r.candidate.layout.ep},
              {"interleave", o.interleave},
              {"zero", o.zero},
              {"sequence_parallel", o.sequenceParallel},
              {"recompute", name(o.recompute)},
              {"micro_batch", o.microBatch},
              {"step_ms", p.stepMs},
              {"tokens_per_second", p.tokensPerSecond},
              {"mfu", p.mfu},
              {"compute_ms", p.computeMs},
              {"bubble_ms", p.bubbleMs},
              {"exposed_communication_ms", p.exposedCommMs},
              {"dominant_exposed_group", p.mostExposedGroup()},
              {"optimizer_ms", p.optimizerMs},
              {"memory_bytes", p.memory.total()},
              {"priced_with_other_levels", pricedWithOtherLevels(p)}};
}

}  // namespace

json SearchReport::toJson() const {
  json counts_ = json::array();
  for (const GpuCountSearch& c : counts) {
    json fabrics_ = json::array();
    for (const FabricRanking& f : c.fabrics) {
      json rows = json::array();
      for (const RankedLayout& r : f.ranked) rows.push_back(rowJson(r));
      fabrics_.push_back(
          {{"fabric", f.fabric},
           {"ranked", rows},
           {"best", f.ranked.empty() ? json(nullptr) : f.ranked.front().plan.toJson()}});
    }
    json ratios = json::array();
    for (const FabricComparison& f : compareFabrics(c))
      ratios.push_back({{"a", f.a},
                        {"b", f.b},
                        {"a_over_b", f.aOverB()},
                        {"best_a", f.bestA->candidate.label()},
                        {"best_b", f.bestB->candidate.label()},
                        {"best_layout_changes", f.bestLayoutChanges()}});
    counts_.push_back({{"gpus", c.gpus},
                       {"enumerated", c.enumerated},
                       {"pruned_by_memory", c.prunedByMemory},
                       {"priced", c.priced},
                       {"smallest_memory_bytes", c.smallestMemoryBytes},
                       {"smallest_memory_layout", c.smallestMemoryLayout},
                       {"fabrics", fabrics_},
                       {"comparisons", ratios}});
  }
  return json{{"schema_version", 1},
              {"kind", "plan_search"},
              {"created_at", createdAt},
              {"model", hockney::toJson(model)},
              {"gpu", hockney::toJson(gpu)},
              {"fabrics", fabricSources},
              {"searched",
               {{"max_micro_batch", fixed.maxMicroBatch},
                {"max_interleave", fixed.maxInterleave},
                {"allow_cross_node_tp", fixed.allowCrossNodeTp}}},
              {"search_seconds", seconds},
              {"counts", counts_}};
}

}  // namespace hockney
