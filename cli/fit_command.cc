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
  sub_->add_option(
          "--level", level_,
          "Fit every row at this link level instead of the one it recorded (self, numa, socket, "
          "node, network; rows without one are fitted at world)")
      ->capture_default_str();
  sub_->add_option("--folds", folds_,
                   "k of a k-fold cross-validation over sizes; 0 = leave one size out")
      ->capture_default_str();
  sub_->add_flag("--no-break", noBreak_, "fit one piece per algorithm (no regime breaks)");
}

int FitCommand::execute(int argc, char** argv) {
  HOCKNEY_USAGE_CHECK(folds_ == 0 || folds_ >= 2,
                      "--folds must be 0 (leave one size out) or at least 2, not {}", folds_);
  checkOutIsNotAnInput(out_, inputs_);
  checkEachInputOnce(inputs_);  // the same report twice would count every row twice
  checkLevelOverride(level_);
  std::vector<CalibrationInput> inputs;
  for (const auto& path : inputs_) inputs.push_back(readResultsReport(path));
  CalibrateOptions o;
  if (!level_.empty()) o.level = parseLinkLevel(level_);
  o.folds = folds_;
  o.allowBreak = !noBreak_;
  o.commandLine = commandLineOf(argc, argv);
  std::vector<std::string> warnings;
  const Calibration cal = fitCalibration(inputs, o, warnings);
  for (const auto& w : warnings) std::fprintf(stderr, "hockney fit: warning: %s\n", w.c_str());
  fmt::print("{}", formatFitTable(cal));
  writeFileAtomically(out_, reportText(cal.toJson()));
  fmt::print("# {} fits, {} skipped; calibration written to {}\n", cal.fits.size(),
             cal.skipped.size(), out_);
  return 0;
}

}  // namespace hockney
