#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdlib>

#include "cli/commands.h"
#include "collectives/core/error.h"
#include "model/plan.h"
#include "reports/results.h"

namespace hockney {

PlanCommand::PlanCommand(CLI::App& app) {
  sub_ = app.add_subcommand(
      "plan",
      "One layout's whole training step: memory per GPU, compute, pipeline bubble and exposed "
      "communication priced with calibrated fits");
  addStepOptions(sub_, args_, /*required=*/false);
  sub_->add_option("--gpu-type", gpuType_,
                   "the GPU (a100-40gb, a100-80gb, h100-sxm, h200, b200): peak, HBM and sustained "
                   "matmul rate from the catalog, each with its source (hockney models --gpus)")
      ->required();
  sub_->add_option("--compute-efficiency", computeEfficiency_,
                   "GEMMs at this fraction of the GPU's peak instead of the catalog's measured "
                   "sustained rate")
      ->check(positive())
      ->check(CLI::Validator(
          [](const std::string& text) {
            const double v = std::atof(text.c_str());
            return v > 0 && v <= 1 ? std::string() : "must be a fraction in (0, 1], not " + text;
          },
          "(0, 1]"));
  sub_->add_option("--gpus", gpus_,
                   "search instead of --layout: every layout on each of these GPU counts "
                   "(N[,N...]), those that fit memory ranked by step time; options given are "
                   "fixed, the rest (tp, pp, dp, ep, interleave, ZeRO, sequence parallelism, "
                   "recomputation, micro-batch) searched");
  sub_->add_option("--fabric", fabrics_,
                   "search: NAME=CAL[,CAL...], one fabric's calibrations (levels of it separated "
                   "by commas); repeat to rank layouts on each and compare their best");
  sub_->add_option("--top", top_,
                   "search: layouts printed per GPU count and fabric (all are in "
                   "the report)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub_->add_flag("--allow-cross-node-tp", allowCrossNodeTp_,
                 "search: let tp exceed --gpus-per-node");
  sub_->add_option("--out", out_, "plan JSON to write");
}

int PlanCommand::execute() {
  std::vector<std::string> inputs = args_.calibrations;
  inputs.push_back(args_.model);
  checkOutIsNotAnInput(out_, inputs);
  HOCKNEY_USAGE_CHECK(args_.layout.empty() != gpus_.empty(),
                      "give --layout (one layout) or --gpus N[,N...] (search every layout), {}",
                      gpus_.empty() ? "not neither" : "not both");
  const StepArgs::Resolved r = args_.resolve();
  PlanOptions options;
  options.training = r.training;
  options.gpu = findGpu(gpuType_);
  options.computeEfficiency = computeEfficiency_;
  options.policy = args_.policy;
  if (!gpus_.empty()) return search(r, options);
  HOCKNEY_USAGE_CHECK(fabrics_.empty(),
                      "--fabric is for the search (--gpus); with --layout give "
                      "--calibration");
  HOCKNEY_USAGE_CHECK(!args_.calibrations.empty(), "--layout needs --calibration FILE|ref:NAME");
  return planOne(r, options);
}

int PlanCommand::planOne(const StepArgs::Resolved& r, const PlanOptions& options) {
  const ModelSpec& model = r.model;
  const Layout& layout = r.layout;
  const TrainingOptions& o_ = r.training;
  const CalibrationSet& cal = r.calibration;
  const StepPlan plan = planStep(model, layout, options, cal);
  const StepCost& c = plan.comm;
  const MemoryUse& mem = plan.memory;
  fmt::print(
      "# {} on {} x {} (tp={} pp={} dp={} ep={}, interleave {}), {} GPUs/node, batch {} x seq {}, "
      "{} micro-batch(es) of {}, recompute {}{}, ZeRO {}\n",
      model.name, layout.gpus(), plan.gpu.name, layout.tp, layout.pp, layout.dp, layout.ep,
      o_.interleave, o_.gpusPerNode, c.globalBatch, c.seqLen, c.microBatchesPerPipeline,
      o_.microBatch, name(o_.recompute), o_.sequenceParallel ? ", sequence parallel" : "", o_.zero);
  fmt::print(
      "memory per GPU  {:8.1f} GB of {:.0f}: weights {:.1f}, gradients {:.1f}, optimizer {:.1f}, "
      "activations {:.1f} ({:.3g} micro-batch(es) in flight x {:.0f} layers x {:.1f} MB)\n",
      mem.total() / 1e9, plan.gpu.hbmBytes / 1e9, mem.weights / 1e9, mem.gradients / 1e9,
      mem.optimizer / 1e9, mem.activations / 1e9, mem.microBatchesInFlight,
      static_cast<double>(model.layers) / layout.pp, mem.activationsPerLayer / 1e6);
  fmt::print(
      "micro-batch     {:8.1f} ms: forward {:.1f}, backward {:.1f}, recompute {:.1f} ({:.3g} "
      "TFLOP at {:.1f}% of peak, {:.3g} GB of memory-bound traffic); with its blocking calls "
      "{:.1f} ms\n",
      plan.perMicroBatch.seconds() * 1e3, plan.perMicroBatch.forwardS * 1e3,
      plan.perMicroBatch.backwardS * 1e3, plan.perMicroBatch.recomputeS * 1e3,
      plan.perMicroBatch.gemmFlops / 1e12, plan.gemmEfficiency * 100,
      plan.perMicroBatch.memoryBytes / 1e9, plan.perMicroBatchMs);
  fmt::print("# {:<5} {:>12} {:>12} {:<10} {}\n", "group", "total_ms", "exposed_ms", "level",
             "how");
  for (const auto& [group, e] : plan.exposed) {
    const GroupCost& g = c.groups.at(group);
    fmt::print("  {:<5} {:>12.1f} {:>12.1f} {:<10} {}\n", group, e.totalMs, e.exposedMs,
               fmt::format("{}", fmt::join(g.pricedWithNames(), "+")), e.how);
  }
  fmt::print(
      "step            {:8.1f} ms = compute {:.1f} + bubble {:.1f} + exposed communication {:.1f} "
      "+ optimizer {:.1f}\n",
      plan.stepMs, plan.computeMs, plan.bubbleMs, plan.exposedCommMs, plan.optimizerMs);
  fmt::print(
      "throughput      {:8.0f} tokens/s, MFU {:.1f}%, HFU {:.1f}%; largest after compute: {}\n",
      plan.tokensPerSecond, plan.mfu * 100, plan.hfu * 100, plan.bottleneck);
  finishStepReport(c.notes, plan.assumptions, out_, plan.toJson());
  return 0;
}

}  // namespace hockney
