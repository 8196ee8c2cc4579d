#include <fmt/format.h>

#include <filesystem>

#include "cli/commands.h"
#include "collectives/core/error.h"
#include "model/projection.h"
#include "reports/results.h"

namespace hockney {

ProjectCommand::ProjectCommand(CLI::App& app) {
  sub_ = app.add_subcommand("project",
                            "Project a model's per-step communication cost from calibrations");
  sub_->add_option("--model", model_,
                   "catalog name or alias (hockney models), or a model JSON file")
      ->required();
  sub_->add_option("--calibration", calibrations_,
                   "calibration.json from hockney fit, or ref:NAME (a reference fabric: hockney "
                   "fabrics); repeat for more levels")
      ->required();
  sub_->add_option("--layout", layout_, "tp=N,pp=N,dp=N[,ep=N]; tp·pp·dp GPUs")->required();
  sub_->add_option("--order", order_, "placement, innermost first")->capture_default_str();
  sub_->add_option("--gpus-per-node", o_.gpusPerNode, "GPUs per node (intra-node groups)")
      ->check(positive())
      ->capture_default_str();
  addTrainingOptions(sub_, o_);
  sub_->add_option("--dtype", dtype_, "activation/parameter type")->capture_default_str();
  sub_->add_option("--grad-dtype", gradDtype_, "gradient type as reduced")->capture_default_str();
  sub_->add_option("--capacity-factor", o_.capacityFactor, "MoE expert capacity factor")
      ->check(positive())
      ->capture_default_str();
  sub_->add_option("--algo-policy", policy_, "best | ring | vendor")->capture_default_str();
  addVendorScaling(sub_, vendorScaling_);
  sub_->add_option("--out", out_, "step-cost JSON to write");
}

int ProjectCommand::execute() {
  checkOutIsNotAnInput(out_, calibrations_);
  const ModelSpec loaded = loadModel(model_);
  const ModelSpec* model = &loaded;
  Layout layout = parseLayout(layout_);
  layout.order = parseOrder(order_);
  o_.dtype = parseDataType(dtype_);
  o_.gradDtype = parseDataType(gradDtype_);
  CalibrationSet cal = loadCalibrations(calibrations_);
  cal.vendorScaling = *parseVendorScaling(vendorScaling_);
  const StepCost step = projectIteration(*model, layout, o_, cal, policy_);
  fmt::print(
      "# {} on {} GPUs (tp={} pp={} dp={} ep={}), {} GPUs/node, batch {} x seq {}, {} "
      "micro-batches/pipeline\n",
      model->name, layout.gpus(), layout.tp, layout.pp, layout.dp, layout.ep, o_.gpusPerNode,
      step.globalBatch, step.seqLen, step.microBatchesPerPipeline);
  fmt::print("# {:<5} {:<15} {:>6} {:>14} {:>9} {:>8} {:<19} {:>12} {:>12}\n", "group",
             "collective", "ranks", "buffer_B", "count", "level", "algorithm", "us/call",
             "ms/step");
  for (const PricedItem& i : step.items)
    fmt::print(
        "  {:<5} {:<15} {:>6} {:>14.0f} {:>9.0f} {:>8} {:<19} {:>12.1f} {:>12.2f}{}{}{}\n",
        i.item.group, i.item.pattern, i.item.ranks, i.item.bytes, i.item.count, name(i.level),
        i.call.algorithm, i.call.seconds * 1e6, i.stepSeconds() * 1e3,
        i.item.pipelined() ? fmt::format("  (per message: 1F1B passes of {} micro-batches / 2·{})",
                                         i.item.microbatches, i.item.microbatches)
                           : std::string(),
        !i.call.scalingNote.empty() ? "  (vendor fit carried by bus bandwidth)"
        : i.extrapolated            ? "  (fit from fewer ranks)"
                                    : "",
        i.call.levelNote.empty() ? std::string()
                                 : fmt::format("  (NOT a {} fit: priced with '{}' fits)",
                                               name(i.level), name(i.call.calibrationLevel)));
  // Buffer bytes are what the collective is called on; wire bytes what this GPU sends on its
  // critical path (the algorithm's beta bytes; a ring all-reduce sends 2(p-1)/p of its buffer).
  for (const auto& [group, g] : step.groups)
    fmt::print(
        "# {:<4} {:>10.0f} collectives {:>10.3f} GB/GPU buffers {:>10.3f} GB/GPU on the "
        "wire {:>10.2f} ms\n",
        group, g.collectives, g.bytesPerGpu / 1e9, g.wireBytesPerGpu / 1e9, g.timeMs);
  fmt::print("# total {:.2f} ms of communication per step (no overlap); dominant group: {}\n",
             step.totalMs, step.dominantGroup);
  for (const auto& n : step.notes) fmt::print("# note: {}\n", n);
  for (const auto& a : step.assumptions) fmt::print("# assumes: {}\n", a);
  if (!out_.empty()) {
    writeFileAtomically(out_, step.toJson().dump(2) + "\n");
    fmt::print("# written to {}\n", out_);
  }
  return 0;
}

}  // namespace hockney
