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
  sub_->add_flag("--force", force_,
                 "compare hot-buffer measurements with cold ones (refused otherwise)");
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
  nlohmann::json c = compareFiles(a_, b_, projection, force_);
  auto side = [](const nlohmann::json& v) {
    return v.is_null()  ? std::string("-")
           : v == "tie" ? std::string("tie")
           : v == "a"   ? std::string("A")
                        : std::string("B");
  };
  for (const auto& n : c.value("notes", nlohmann::json::array()))
    fmt::print("# note: {}\n", n.get<std::string>());
  if (c["compares"] == "results") {
    fmt::print("# {:<15} {:<19} {:>5} {:>12} {:>11} {:>11} {:>8} {:>9} {:>6}\n", "pattern",
               "algorithm", "ranks", "bytes", "A us", "B us", "B/A time", "B/A busbw", "faster");
    for (const auto& p : c["points"])
      fmt::print("  {:<15} {:<19} {:>5} {:>12} {:>11.2f} {:>11.2f} {:>8.2f} {:>9.2f} {:>6}\n",
                 p["pattern"].get<std::string>(), p["algorithm"].get<std::string>(),
                 p["ranks"].get<int>(), p["bytes"].get<size_t>(), p["a_median_us"].get<double>(),
                 p["b_median_us"].get<double>(), p["time_ratio_b_over_a"].get<double>(),
                 p["busbw_ratio_b_over_a"].get<double>(), side(p["faster"]));
  } else {
    auto num = [](const nlohmann::json& v) {
      return v.is_null() ? std::string("-") : fmt::format("{:.3f}", v.get<double>());
    };
    fmt::print("# {:<15} {:<19} {:<6} {:>10} {:>10} {:>7} {:>9} {:>10} {:>10} {:>7} {:>9}\n",
               "pattern", "algorithm", "level", "A alpha_us", "B alpha_us", "B/A", "faster",
               "A GB/s", "B GB/s", "B/A", "faster");
    fmt::print("# {:<15} {:<19} {:<6} {:>39} {:>39}\n", "", "", "", "small messages (first regime)",
               "large messages (last regime)");
    for (const auto& f : c["fits"])
      fmt::print("  {:<15} {:<19} {:<6} {:>10} {:>10} {:>7} {:>9} {:>10} {:>10} {:>7} {:>9}\n",
                 f["pattern"].get<std::string>(), f["algorithm"].get<std::string>(),
                 f["level"].get<std::string>(), num(f["a"]["alpha_us"]), num(f["b"]["alpha_us"]),
                 num(f["latency_ratio_b_over_a"]), side(f["faster_small_messages"]),
                 num(f["a"]["bandwidth_gbps"]), num(f["b"]["bandwidth_gbps"]),
                 num(f["bandwidth_ratio_b_over_a"]), side(f["faster_large_messages"]));
    if (c.contains("projection")) {
      const auto& pr = c["projection"];
      for (const auto& [group, ga] : pr["a"]["groups"].items()) {
        const auto& gb = pr["b"]["groups"].value(group, nlohmann::json());
        if (!gb.is_object()) continue;
        const double ta = ga["time_ms"].get<double>(), tb = gb["time_ms"].get<double>();
        fmt::print("# {:<4} A {:>10.2f} ms  B {:>10.2f} ms  B/A {:>6}\n", group, ta, tb,
                   ta > 0 ? fmt::format("{:.2f}", tb / ta) : std::string("-"));
      }
      fmt::print("# {} step communication: A {:.2f} ms, B {:.2f} ms (B/A {:.2f}); faster: {}\n",
                 pr["model"].get<std::string>(), pr["a"]["total_ms"].get<double>(),
                 pr["b"]["total_ms"].get<double>(), pr["total_ratio_b_over_a"].get<double>(),
                 side(pr["faster"]));
    }
  }
  if (!out_.empty()) {
    writeFileAtomically(out_, c.dump(2) + "\n");
    fmt::print("# written to {}\n", out_);
  }
  return 0;
}

}  // namespace hockney
