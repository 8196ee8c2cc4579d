#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.h"
#include "model/catalog.h"

namespace hockney {

ModelsCommand::ModelsCommand(CLI::App& app) {
  sub_ = app.add_subcommand(
      "models", "List the model catalog (or one model, or a model file) with parameter checks");
  sub_->add_option("model", model_, "a model name or alias, or a model JSON file");
  sub_->add_flag("--json", json_, "print JSON instead of a table");
}

int ModelsCommand::execute() {
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
