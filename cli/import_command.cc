#include <fmt/format.h>

#include <string>

#include "cli/commands.h"
#include "collectives/core/error.h"
#include "collectives/core/split.h"
#include "hockney_git_commit.h"
#include "reports/import.h"
#include "reports/json_io.h"
#include "reports/results.h"

namespace hockney {

ImportCommand::ImportCommand(CLI::App& app) {
  sub_ = app.add_subcommand(
      "import",
      "Turn nccl-tests or OSU Micro-Benchmarks logs into a results report that fit accepts");
  sub_->add_option("tool", tool_, "nccl-tests (text table or -J JSON) or osu (latency tests)")
      ->check(CLI::IsMember({"nccl-tests", "osu"}))
      ->required();
  sub_->add_option("files", files_, "the logs")->required();
  sub_->add_option("--out", out_, "results report to write")->required();
  sub_->add_option("--pattern", pattern_,
                   "the collective (default: from the log: nccl-tests' program, OSU's title)");
  sub_->add_option("--ranks", ranks_,
                   "ranks the logs ran on (nccl-tests: from its device lines; osu: required "
                   "except osu_latency, 2)")
      ->check(CLI::Validator(
          [](const std::string& text) {
            const auto v = wholeNumber(text);
            return v && *v >= 1 ? std::string()
                                : "must be a whole number of ranks, at least 1, not " + text;
          },
          "RANKS"));
  sub_->add_option("--level", level_,
                   "the link level the rows crossed (default: from nccl-tests' device lines: node "
                   "when every rank is on one host, network otherwise; not recorded without them)")
      ->check(CLI::IsMember({"self", "numa", "socket", "node", "network"}));
  sub_->add_option("--dtype", dtype_,
                   "element type, where the log does not say (OSU before 7.x reductions)");
}

int ImportCommand::execute(int argc, char** argv) {
  checkOutIsNotAnInput(out_, files_);
  if (!dtype_.empty()) dtype_ = std::string(name(parseDataType(dtype_)));
  ImportOptions o{pattern_, ranks_, dtype_, std::nullopt};
  if (!level_.empty()) o.level = parseLinkLevel(level_);
  std::vector<ImportedLog> logs;
  for (const std::string& f : files_) {
    const std::string text = readTextFile(f, tool_ + " log");
    logs.push_back(tool_ == "osu" ? importOsu(f, text, o) : importNcclTests(f, text, o));
  }
  const nlohmann::json report =
      importedReport(logs, commandLineOf(argc, argv), HOCKNEY_VERSION_STRING, HOCKNEY_GIT_COMMIT);
  size_t rows = 0;
  for (const ImportedLog& l : logs) {
    for (const std::string& n : l.notes) fmt::print("# note: {}\n", n);
    rows += l.rows.size();
  }
  writeFileAtomically(out_, reportText(report));
  const ImportedLog& first = logs[0];
  std::string where = fmt::format("{} ranks", first.ranks);
  if (first.ranksPerHost > 0)
    where += fmt::format(" ({} per host{})", first.ranksPerHost,
                         first.device.empty() ? "" : ", " + first.device);
  fmt::print("# {} rows of {} {} on {}, level '{}', from {} log(s) written to {}\n", rows,
             first.tool, first.pattern, where, name(first.level), logs.size(), out_);
  return 0;
}

}  // namespace hockney
