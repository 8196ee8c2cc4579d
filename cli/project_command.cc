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
  addStepOptions(sub_, args_);
  sub_->add_option("--out", out_, "step-cost JSON to write");
}

int ProjectCommand::execute() {
  checkOutIsNotAnInput(out_, args_.calibrations);
  checkOutIsNotAnInput(out_, {args_.model});
  const StepArgs::Resolved r = args_.resolve();
  const ModelSpec* model = &r.model;
  const Layout& layout = r.layout;
  const TrainingOptions& o_ = r.training;
  const StepCost step = projectIteration(*model, layout, o_, r.calibration, args_.policy);
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
  finishStepReport(step.notes, step.assumptions, out_, step.toJson());
  return 0;
}

}  // namespace hockney
