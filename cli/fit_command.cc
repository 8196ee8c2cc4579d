#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "collectives/core/error.h"
#include "model/calibration.h"
#include "reports/results.h"

namespace hockney {

FitCommand::FitCommand(CLI::App& app) {
  sub_ = app.add_subcommand("fit",
                            "Fit alpha-beta-gamma cost models to results reports (no MPI needed)");
  sub_->add_option("reports", inputs_, "results.json files from hockney run")->required();
  sub_->add_option("--out", out_, "calibration file to write")->required();
  sub_->add_option("--level", level_, "link level these results measured (e.g. intra, inter)")
      ->capture_default_str();
  sub_->add_option("--folds", folds_, "k of the k-fold cross-validation over sizes")
      ->capture_default_str();
  sub_->add_flag("--no-break", noBreak_, "fit one piece per algorithm (no protocol break)");
}

int FitCommand::execute(int argc, char** argv) {
  HOCKNEY_USAGE_CHECK(folds_ >= 2, "--folds must be at least 2, not {}", folds_);
  checkOutIsNotAnInput(out_, inputs_);
  std::vector<CalibrationInput> inputs;
  for (const auto& path : inputs_) inputs.push_back(readResultsReport(path));
  CalibrateOptions o;
  o.level = level_;
  o.folds = folds_;
  o.allowBreak = !noBreak_;
  o.commandLine = commandLineOf(argc, argv);
  std::vector<std::string> warnings;
  nlohmann::json cal = calibrate(inputs, o, warnings);
  for (const auto& w : warnings) std::fprintf(stderr, "hockney fit: warning: %s\n", w.c_str());
  fmt::print("# {:<9} {:<15} {:<19} {:>6} {:>9} {:>10} {:>10} {:>10} {:>6} {:>8} {:>8}\n",
             "backend", "pattern", "algorithm", "ranks", "alpha_us", "bw_GB/s", "gamma_GB/s",
             "break_B", "R2", "med_err", "p90_err");
  for (const auto& f : cal["fits"]) {
    std::string ranks =
        f["ranks"].is_array()
            ? fmt::format(
                  "{}", f["ranks"].size() > 1 ? "pooled" : std::to_string(f["ranks"][0].get<int>()))
            : std::to_string(f["ranks"].get<int>());
    for (size_t i = 0; i < f["pieces"].size(); ++i) {
      const auto& p = f["pieces"][i];
      auto num = [](const nlohmann::json& v) {
        return v.is_null() ? std::string("-") : fmt::format("{:.3f}", v.get<double>());
      };
      fmt::print(
          "  {:<9} {:<15} {:<19} {:>6} {:>9.2f} {:>10} {:>10} {:>10} {:>6.3f} {:>7.1f}% "
          "{:>7.1f}%\n",
          f["backend"].get<std::string>(), f["pattern"].get<std::string>(),
          i == 0 ? f["algorithm"].get<std::string>() : "  (after break)", ranks,
          p["alpha_us"].get<double>(), num(p["bandwidth_gbps"]),
          p.contains("reduction_gbps") ? num(p["reduction_gbps"]) : std::string("-"),
          i == 0 || f["break_bytes"].is_null()
              ? std::string("-")
              : fmt::format("{:.0f}", f["break_bytes"].get<double>()),
          f["r2"].get<double>(), 100 * f["heldout_rel_err"]["median"].get<double>(),
          100 * f["heldout_rel_err"]["p90"].get<double>());
    }
  }
  for (const auto& s : cal["selection"]) {
    fmt::print("# fastest {} at {} ranks:", s["pattern"].get<std::string>(), s["ranks"].get<int>());
    for (const auto& r : s["ranges"])
      fmt::print(" [{}..{} B] {}", r["from_bytes"].get<size_t>(), r["to_bytes"].get<size_t>(),
                 r["algorithm"].get<std::string>());
    fmt::print("\n");
  }
  writeFileAtomically(out_, cal.dump(2) + "\n");
  fmt::print("# {} fits, {} skipped; calibration written to {}\n", cal["fits"].size(),
             cal["skipped"].size(), out_);
  return 0;
}

}  // namespace hockney
