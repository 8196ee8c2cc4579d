// step_cost.json: the projection written from its struct (reports/schema/step_cost.schema.json).
#include "model/projection.h"

namespace hockney {

using nlohmann::json;

namespace {

json costJson(const Cost& c) {
  return {
      {"alpha_count", c.alphaCount}, {"beta_bytes", c.betaBytes}, {"gamma_bytes", c.gammaBytes}};
}

}  // namespace

json PricedCost::toJson() const {
  json j = costJson(total);
  if (node) {
    j["node"] = costJson(node->cost);
    j["node"]["fit"] = node->fit;
  }
  if (network) {
    j["network"] = costJson(network->cost);
    j["network"]["fit"] = network->fit;
  }
  return j;
}

std::optional<double> PricedItem::wireBytesPerStep() const {
  if (!call.cost) return std::nullopt;
  return call.cost->total.betaBytes * item.count;
}

json PricedItem::toJson() const {
  const std::optional<double> wire = wireBytesPerStep();
  json j{{"group", item.group},
         {"pattern", item.pattern},
         {"purpose", item.purpose},
         {"ranks", item.ranks},
         {"bytes", item.bytes},
         {"dtype", name(item.dtype)},
         {"count", item.count},
         {"level", name(level)},
         {"calibration_level", name(call.calibrationLevel)},
         {"level_note", call.levelNote},
         {"ranks_per_node", ranksPerNode},
         {"gpus_spanned", gpusSpanned},
         {"algorithm", call.algorithm},
         {"black_box", call.blackBox},
         {"candidates", call.candidates},
         {"cost", call.cost ? call.cost->toJson() : json(nullptr)},
         {"time_per_call_us", call.seconds * 1e6},
         {"time_per_step_ms", stepSeconds() * 1e3},
         {"bytes_per_gpu_per_step", item.stepBytes()},
         {"wire_bytes_per_gpu_per_step", wire ? json(*wire) : json(nullptr)},
         {"fit_ranks", call.measuredRanks},
         {"extrapolated", extrapolated},
         {"fit_quality_warnings", call.qualityWarnings},
         {"scaling_note", call.scalingNote.empty() ? json(nullptr) : json(call.scalingNote)}};
  if (item.pipelined()) j["microbatches"] = item.microbatches;
  return j;
}

json GroupCost::toJson() const {
  return {{"collectives", collectives},
          {"bytes_per_gpu", bytesPerGpu},
          {"wire_bytes_per_gpu", wireBytesPerGpu},
          {"time_ms", timeMs},
          {"algorithms", algorithms},
          {"level", name(level)},
          {"priced_with", pricedWithNames()}};
}

std::vector<std::string> GroupCost::pricedWithNames() const {
  std::vector<std::string> out;
  for (LinkLevel l : pricedWith) out.emplace_back(name(l));
  return out;
}

json groupsJson(const std::map<std::string, GroupCost>& groups) {
  json out = json::object();
  for (const auto& [group, cost] : groups) out[group] = cost.toJson();
  return out;
}

json StepCost::toJson() const {
  json itemList = json::array();
  for (const PricedItem& i : items) itemList.push_back(i.toJson());
  return json{{"schema_version", 2},
              {"kind", "step_cost"},
              {"created_at", createdAt},
              {"model", hockney::toJson(model)},
              {"layout",
               {{"tp", layout.tp},
                {"pp", layout.pp},
                {"dp", layout.dp},
                {"ep", layout.ep},
                {"order", layout.order},
                {"gpus", layout.gpus()},
                {"gpus_per_node", options.gpusPerNode}}},
              {"options",
               {{"global_batch", globalBatch},
                {"micro_batch", options.microBatch},
                {"micro_batches_per_pipeline", microBatchesPerPipeline},
                {"seq_len", seqLen},
                {"zero", options.zero},
                {"sequence_parallel", options.sequenceParallel},
                {"recompute", name(options.recompute)},
                {"interleave", options.interleave},
                {"dtype", name(options.dtype)},
                {"grad_dtype", name(options.gradDtype)},
                {"bucket_bytes", options.bucketBytes},
                {"algo_policy", policy}}},
              {"items", itemList},
              {"groups", groupsJson(groups)},
              {"total_ms", totalMs},
              {"dominant_group", dominantGroup},
              {"assumptions", assumptions},
              {"notes", notes},
              {"calibration", calibration}};
}

}  // namespace hockney
