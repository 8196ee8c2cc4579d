// The plan report (reports/schema/plan.schema.json).
#include <fmt/format.h>

#include "model/plan.h"
#include "reports/results.h"

namespace hockney {

using nlohmann::json;

json StepPlan::toJson() const {
  json groups = json::object();
  for (const auto& [group, e] : exposed)
    groups[group] = {{"total_ms", e.totalMs}, {"exposed_ms", e.exposedMs}, {"how", e.how}};
  const json step = comm.toJson();
  return json{{"schema_version", 1},
              {"kind", "plan"},
              {"created_at", comm.createdAt},
              {"model", step["model"]},
              {"layout", step["layout"]},
              {"options", step["options"]},
              {"gpu", hockney::toJson(gpu)},
              {"gemm_efficiency", gemmEfficiency},
              {"memory", memory.toJson()},
              {"per_micro_batch",
               {{"gemm_flops", perMicroBatch.gemmFlops},
                {"memory_bytes", perMicroBatch.memoryBytes},
                {"forward_ms", perMicroBatch.forwardS * 1e3},
                {"backward_ms", perMicroBatch.backwardS * 1e3},
                {"recompute_ms", perMicroBatch.recomputeS * 1e3},
                {"with_critical_communication_ms", perMicroBatchMs}}},
              {"step",
               {{"step_ms", stepMs},
                {"compute_ms", computeMs},
                {"bubble_ms", bubbleMs},
                {"exposed_communication_ms", exposedCommMs},
                {"optimizer_ms", optimizerMs},
                {"tokens_per_second", tokensPerSecond},
                {"mfu", mfu},
                {"hfu", hfu},
                {"model_flops", flops.model},
                {"hardware_flops", flops.hardware},
                {"bottleneck", bottleneck}}},
              {"exposed", groups},
              {"communication", step},
              {"assumptions", assumptions},
              {"notes", comm.notes}};
}

}  // namespace hockney
