// hockney: collective-communication benchmarks and the α-β-γ model built from them.
// main only dispatches; each subcommand is a thin file over the layers below.
#include <CLI/CLI.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "collectives/core/error.h"

int main(int argc, char** argv) {
  CLI::App app{
      "hockney: benchmarks collective algorithms (own and vendor) under mpirun or srun, "
      "validates and times them alike, and writes versioned JSON reports.",
      "hockney"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(hockney::kVersionText));
  hockney::RunCommand run(app);
  hockney::ListCommand list(app);
  hockney::TopoCommand topo(app);
  hockney::CalibrateCommand calibrate(app);
  hockney::ImportCommand import(app);
  hockney::FitCommand fit(app);
  hockney::TuneCommand tune(app);
  hockney::ModelsCommand models(app);
  hockney::FabricsCommand fabrics(app);
  hockney::ProjectCommand project(app);
  hockney::PlanCommand plan(app);
  hockney::CompareCommand compare(app);
  hockney::ReplayCommand replay(app);
  hockney::JobscriptCommand jobscript(app);
  hockney::PlotCommand plot(app);
  // CLI11 would answer "A subcommand is required" to a misspelt one: name it instead.
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> known;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
      known.push_back(sub->get_name());
    if (std::find(known.begin(), known.end(), argv[1]) == known.end()) {
      if (hockney::isLeaderProcess())
        std::fprintf(stderr, "hockney: error: unknown subcommand '%s' (available: %s)\n", argv[1],
                     fmt::format("{}", fmt::join(known, ", ")).c_str());
      return hockney::kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    if (hockney::isLeaderProcess()) app.exit(e);     // one message per job, not per rank
    return hockney::kExitUsage;
  }
  try {
    if (run.chosen()) return run.execute(argc, argv);
    if (list.chosen()) return list.execute();
    if (topo.chosen()) return topo.execute(argc, argv);
    if (calibrate.chosen()) return calibrate.execute(argc, argv);
    if (import.chosen()) return import.execute(argc, argv);
    if (fit.chosen()) return fit.execute(argc, argv);
    if (tune.chosen()) return tune.execute(argc, argv);
    if (models.chosen()) return models.execute();
    if (fabrics.chosen()) return fabrics.execute();
    if (project.chosen()) return project.execute();
    if (plan.chosen()) return plan.execute();
    if (compare.chosen()) return compare.execute();
    if (replay.chosen()) return replay.execute(argc, argv);
    if (jobscript.chosen()) return jobscript.execute(argc, argv);
    if (plot.chosen()) return plot.execute();
  } catch (const hockney::UsageError& e) {
    if (hockney::isLeaderProcess()) std::fprintf(stderr, "hockney: error: %s\n", e.what());
    return hockney::kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hockney: internal error: %s\n", e.what());
    return hockney::kExitInternal;
  }
  return hockney::kExitOk;
}
