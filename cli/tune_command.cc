#include <fmt/format.h>

#include "cli/commands.h"
#include "collectives/core/error.h"
#include "model/tune.h"
#include "reports/results.h"

namespace hockney {

TuneCommand::TuneCommand(CLI::App& app) {
  sub_ = app.add_subcommand(
      "tune",
      "Turn vendor-variant measurements (run --algo vendor:all) into the file a library reads "
      "to choose its algorithms: Open MPI's coll/tuned rules or NCCL's tuner-plugin config (no "
      "MPI needed)");
  sub_->add_option("reports", inputs_,
                   "results reports with vendor and vendor:NAME rows (several runs are combined: "
                   "median of medians)")
      ->required();
  sub_->add_option("--format", format_,
                   "ompi-rules: Open MPI coll/tuned dynamic rules "
                   "(--mca coll_tuned_use_dynamic_rules 1 --mca "
                   "coll_tuned_dynamic_rules_filename FILE); nccl-tuner: the CSV of NCCL's example "
                   "tuner plugin (NCCL_TUNER_CONFIG_FILE)")
      ->check(CLI::IsMember({"ompi-rules", "nccl-tuner"}));
  sub_->add_option("--out", out_, "the rules/config file to write");
  sub_->add_option("--json", json_, "also write what was chosen and why, per size (a tune report)");
  sub_->add_option("--check", tuned_,
                   "instead of writing: compare these reports, measured with the file in force, "
                   "against the variants in REPORTS; exit 1 where the tuned library is slower "
                   "than the best variant by more than --tolerance and both rows' noise")
      ->expected(1, -1);
  sub_->add_option("--tolerance", tolerance_, "--check: how much slower than the best is fine")
      ->capture_default_str();
}

int TuneCommand::execute(int argc, char** argv) {
  std::vector<std::string> all = inputs_;
  all.insert(all.end(), tuned_.begin(), tuned_.end());
  checkEachInputOnce(all);
  if (!out_.empty()) checkOutIsNotAnInput(out_, all);
  if (!json_.empty()) checkOutIsNotAnInput(json_, all);
  std::vector<TuneInput> inputs;
  for (const std::string& p : inputs_) inputs.push_back(readTuneInput(p));
  if (!tuned_.empty()) {
    HOCKNEY_USAGE_CHECK(format_.empty() && out_.empty(),
                        "--check compares measurements; it writes no rules (drop --format and "
                        "--out, or --json for the comparison)");
    std::vector<TuneInput> tuned;
    for (const std::string& p : tuned_) tuned.push_back(readTuneInput(p));
    const TuneCheck check = checkTuned(inputs, tuned, tolerance_);
    fmt::print("{}", formatTuneCheck(check));
    if (!json_.empty()) writeFileAtomically(json_, reportText(check.toJson()));
    size_t failed = 0, switched = 0, switchedPass = 0, kept = 0;
    for (const TuneCheckRow& r : check.rows) {
      failed += r.pass ? 0 : 1;
      if (r.fileSays && !r.fileSays->empty()) {
        ++switched;
        switchedPass += r.pass ? 1 : 0;
      } else if (r.fileSays) {
        ++kept;
      }
    }
    fmt::print("# {} sizes, {} slower than the best variant beyond tolerance and noise",
               check.rows.size(), failed);
    if (switched + kept > 0)
      fmt::print("; the file switches {} ({} of them pass) and keeps the library's choice at {}",
                 switched, switchedPass, kept);
    fmt::print("\n");
    return check.pass() ? kExitOk : kExitCheckFailed;
  }
  HOCKNEY_USAGE_CHECK(!format_.empty(), "tune needs --format ompi-rules or nccl-tuner");
  HOCKNEY_USAGE_CHECK(!out_.empty(), "tune needs --out FILE for the {} it writes", format_);
  const TuneResult result = tune(inputs, format_, commandLineOf(argc, argv));
  fmt::print("{}", formatTuneTable(result));
  writeFileAtomically(out_, result.text);
  if (!json_.empty()) writeFileAtomically(json_, reportText(result.toJson()));
  size_t switched = 0;
  for (const TuneSeries& s : result.series)
    for (const TuneRange& r : s.ranges) switched += r.chosen.empty() ? 0 : 1;
  fmt::print("# {} series, {} ranges switched from the library's choice; {} written to {}\n",
             result.series.size(), switched, format_, out_);
  return kExitOk;
}

}  // namespace hockney
