#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "model/calibration.h"
#include "model/fabrics.h"
#include "reports/json_io.h"

namespace hockney {

FabricsCommand::FabricsCommand(CLI::App& app) {
  sub_ = app.add_subcommand(
      "fabrics",
      "List the reference fabrics: calibrations built from published nccl-tests output of named "
      "systems, usable as --calibration ref:NAME");
  sub_->add_option("name", name_, "one fabric: its source, what its logs cover, and its fits");
  sub_->add_option("--out", out_, "with a name: write its calibration JSON to this file");
  sub_->add_flag("--json", json_, "print JSON instead of a table");
}

int FabricsCommand::execute() {
  HOCKNEY_USAGE_CHECK(out_.empty() || !name_.empty(), "--out needs a fabric name");
  std::vector<const ReferenceFabric*> chosen;
  if (name_.empty())
    for (const ReferenceFabric& f : referenceFabrics()) chosen.push_back(&f);
  else
    chosen.push_back(&referenceFabric(name_));
  if (json_) {
    nlohmann::json out = nlohmann::json::array();
    for (const ReferenceFabric* f : chosen)
      out.push_back({{"name", f->name},
                     {"use", std::string(kReferencePrefix) + f->name},
                     {"title", f->title},
                     {"system", f->system},
                     {"gpu", f->gpu},
                     {"levels", f->levels},
                     {"source",
                      {{"url", f->sourceUrl},
                       {"what", f->sourceWhat},
                       {"date", f->sourceDate},
                       {"libraries", f->libraries}}},
                     {"notes", f->notes}});
    fmt::print("{}\n", out.dump(2));
  } else if (name_.empty()) {
    fmt::print("# {:<16} {:<22} {:<14} {}\n", "name", "gpu", "levels", "system and source");
    for (const ReferenceFabric* f : chosen) {
      fmt::print("  {:<16} {:<22} {:<14} {}\n", f->name, f->gpu,
                 fmt::format("{}", fmt::join(f->levels, ",")), f->title);
      fmt::print("  {:<16} {:<22} {:<14} {} ({})\n", "", "", "", f->sourceUrl, f->sourceDate);
    }
    fmt::print(
        "# use one as --calibration ref:NAME (project, compare, replay); "
        "`hockney fabrics NAME` shows its source and fits\n");
  } else {
    const ReferenceFabric& f = *chosen.front();
    fmt::print("# {}: {}\n# system: {}\n# source: {}\n#   {} ({})\n# libraries: {}\n# levels: {}\n",
               f.name, f.title, f.system, f.sourceUrl, f.sourceWhat, f.sourceDate, f.libraries,
               fmt::join(f.levels, ", "));
    for (const std::string& n : f.notes) fmt::print("# note: {}\n", n);
    fmt::print("{}", formatFitTable(Calibration::fromJson(f.calibration, "ref:" + f.name)));
  }
  if (!out_.empty()) {
    writeFileAtomically(out_, reportText(chosen.front()->calibration));
    fmt::print("# calibration of {} written to {}\n", chosen.front()->name, out_);
  }
  return 0;
}

}  // namespace hockney
