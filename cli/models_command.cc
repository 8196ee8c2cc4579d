#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.h"
#include "model/catalog.h"
#include "model/gpu.h"

namespace hockney {

ModelsCommand::ModelsCommand(CLI::App& app) {
  sub_ = app.add_subcommand(
      "models", "List the model catalog (or one model, or a model file) with parameter checks");
  sub_->add_option("model", model_, "a model name or alias, or a model JSON file");
  sub_->add_flag("--json", json_, "print JSON instead of a table");
  sub_->add_flag("--gpus", gpus_,
                 "list the GPUs hockney plan prices compute on (--gpu-type), each figure with its "
                 "source");
}

namespace {

int printGpus(bool asJson) {
  if (asJson) {
    nlohmann::json out = nlohmann::json::array();
    for (const GpuSpec& g : builtinGpus()) out.push_back(toJson(g));
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  fmt::print("# {:<15} {:<22} {:>10} {:>7} {:>9} {:>11} {:>6}\n", "gpu", "--gpu-type", "peak_TF/s",
             "HBM_GB", "HBM_GB/s", "matmul_TF/s", "of_peak");
  for (const GpuSpec& g : builtinGpus()) {
    std::string aliases;
    for (const auto& a : g.aliases) aliases += (aliases.empty() ? "" : ",") + a;
    fmt::print("  {:<15} {:<22} {:>10.0f} {:>7.0f} {:>9.0f} {:>11.1f} {:>5.1f}%\n", g.name, aliases,
               g.peakFlops / 1e12, g.hbmBytes / 1e9, g.hbmBandwidth / 1e9, g.gemmFlops / 1e12,
               g.gemmEfficiency() * 100);
  }
  for (const GpuSpec& g : builtinGpus())
    fmt::print("# {}: peak and HBM: {}\n# {}: matmul: {}\n", g.name, g.peakSource, g.name,
               g.gemmSource);
  return 0;
}

}  // namespace

int ModelsCommand::execute() {
  if (gpus_) return printGpus(json_);
  std::vector<ModelSpec> models;
  if (model_.empty())
    models = builtinModels();
  else if (model_.find(".json") != std::string::npos)
    models = readModelFile(model_);
  else
    models.push_back(findModel(model_));
  if (json_) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& m : models) {
      nlohmann::json j = toJson(m);
      ParamCount c = countParams(m);
      j["params_from_dims"] = {{"dense", c.dense}, {"experts", c.experts}, {"total", c.total()}};
      out.push_back(j);
    }
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  fmt::print("# {:<17} {:>9} {:>9} {:>6} {:>6} {:>5} {:>6} {:>5} {:>7} {:>11}  {}\n", "model",
             "params", "from dims", "layers", "d_model", "heads", "ffn", "seq", "vocab",
             "experts/k", "uncertain");
  for (const auto& m : models)
    if (auto warning = paramMismatch(m))
      std::fprintf(stderr, "hockney: warning: %s\n", warning->c_str());
  for (const auto& m : models) {
    ParamCount c = countParams(m);
    std::string uncertain;
    for (const auto& u : m.uncertain) uncertain += (uncertain.empty() ? "" : ",") + u;
    fmt::print("  {:<17} {:>8.1f}B {:>8.1f}B {:>6} {:>6} {:>5} {:>6} {:>5} {:>7} {:>11}  {}\n",
               m.name.substr(0, 17), m.params / 1e9, c.total() / 1e9, m.layers, m.dModel, m.heads,
               m.ffn, m.seqLen, m.vocab,
               m.moe() ? fmt::format("{}/{}", m.experts, m.topK) : std::string("-"),
               uncertain.empty() ? "-" : uncertain);
  }
  return 0;
}

}  // namespace hockney
