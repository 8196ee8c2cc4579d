#include <fmt/format.h>

#include "cli/commands.h"
#include "collectives/core/error.h"
#include "model/compare.h"
#include "reports/results.h"

namespace hockney {

CompareCommand::CompareCommand(CLI::App& app) {
  sub_ = app.add_subcommand("compare",
                            "Compare two results reports or two calibrations (e.g. two fabrics)");
  sub_->add_option("a", a_, "first results.json or calibration.json")->required();
  sub_->add_option("b", b_, "second file of the same kind")->required();
  sub_->add_option("--model", model_,
                   "with calibrations: also project this model's step under each");
  sub_->add_option("--layout", layout_, "tp=N,pp=N,dp=N[,ep=N] for --model");
  sub_->add_option("--gpus-per-node", o_.gpusPerNode, "GPUs per node for --model")
      ->check(positive())
      ->capture_default_str();
  sub_->add_option("--global-batch", o_.globalBatch, "sequences per step for --model")
      ->check(positive());
  sub_->add_option("--algo-policy", policy_, "best | ring | vendor")->capture_default_str();
  sub_->add_option("--out", out_, "comparison JSON to write");
}

int CompareCommand::execute() {
  checkOutIsNotAnInput(out_, {a_, b_});
  std::optional<CompareProjection> projection;
  ModelSpec model;
  if (!model_.empty()) {
    HOCKNEY_USAGE_CHECK(!layout_.empty(), "--model needs --layout");
    model = loadModel(model_);
    projection = CompareProjection{&model, parseLayout(layout_), o_, policy_};
  }
  nlohmann::json c = compareFiles(a_, b_, projection);
  for (const auto& n : c.value("notes", nlohmann::json::array()))
    fmt::print("# note: {}\n", n.get<std::string>());
  if (c["compares"] == "results") {
    fmt::print("# {:<15} {:<19} {:>5} {:>12} {:>11} {:>11} {:>8} {:>9}\n", "pattern", "algorithm",
               "ranks", "bytes", "A us", "B us", "B/A time", "B/A busbw");
    for (const auto& p : c["points"])
      fmt::print("  {:<15} {:<19} {:>5} {:>12} {:>11.2f} {:>11.2f} {:>8.2f} {:>9.2f}\n",
                 p["pattern"].get<std::string>(), p["algorithm"].get<std::string>(),
                 p["ranks"].get<int>(), p["bytes"].get<size_t>(), p["a_median_us"].get<double>(),
                 p["b_median_us"].get<double>(), p["time_ratio_b_over_a"].get<double>(),
                 p["busbw_ratio_b_over_a"].get<double>());
  } else {
    auto num = [](const nlohmann::json& v) {
      return v.is_null() ? std::string("-") : fmt::format("{:.3f}", v.get<double>());
    };
    fmt::print("# {:<15} {:<19} {:<6} {:>10} {:>10} {:>10} {:>10}\n", "pattern", "algorithm",
               "level", "A alpha_us", "B alpha_us", "A GB/s", "B GB/s");
    for (const auto& f : c["fits"])
      fmt::print("  {:<15} {:<19} {:<6} {:>10} {:>10} {:>10} {:>10}\n",
                 f["pattern"].get<std::string>(), f["algorithm"].get<std::string>(),
                 f["level"].get<std::string>(), num(f["a"]["alpha_us"]), num(f["b"]["alpha_us"]),
                 num(f["a"]["bandwidth_gbps"]), num(f["b"]["bandwidth_gbps"]));
    if (c.contains("projection"))
      fmt::print("# {} step communication: A {:.2f} ms, B {:.2f} ms (B/A {:.2f})\n",
                 c["projection"]["model"].get<std::string>(),
                 c["projection"]["a"]["total_ms"].get<double>(),
                 c["projection"]["b"]["total_ms"].get<double>(),
                 c["projection"]["total_ratio_b_over_a"].get<double>());
  }
  if (!out_.empty()) {
    writeFileAtomically(out_, c.dump(2) + "\n");
    fmt::print("# written to {}\n", out_);
  }
  return 0;
}

}  // namespace hockney
