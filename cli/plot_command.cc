#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "cli/commands.h"
#include "collectives/core/error.h"

#ifndef HOCKNEY_PLOT_SOURCE
#define HOCKNEY_PLOT_SOURCE ""
#endif
#ifndef HOCKNEY_PLOT_INSTALLED
#define HOCKNEY_PLOT_INSTALLED ""
#endif

namespace hockney {

PlotCommand::PlotCommand(CLI::App& app) {
  sub_ = app.add_subcommand(
      "plot",
      "Figures (PNG, SVG) next to reports: busbw and time against size (results; two side by "
      "side), measured against fitted (calibration), two fabrics (comparison), heat maps "
      "(pair_matrix), the step per group (step_cost). Python with matplotlib: reports/plot.py");
  sub_->add_option("reports", reports_, "hockney JSON reports of any kind")->required();
  sub_->add_option("--out-dir", outDir_, "Where figures go (default: the first report's folder)");
  sub_->add_option("--format", format_, "png, svg or png,svg")->capture_default_str();
}

int PlotCommand::execute() {
  namespace fs = std::filesystem;
  std::string script;
  if (const char* s = std::getenv("HOCKNEY_PLOT_SCRIPT")) script = s;
  for (const char* candidate : {HOCKNEY_PLOT_INSTALLED, HOCKNEY_PLOT_SOURCE})
    if (script.empty() && *candidate != '\0' && fs::exists(candidate)) script = candidate;
  HOCKNEY_USAGE_CHECK(!script.empty() && fs::exists(script),
                      "plot: reports/plot.py not found (looked in {} and {}); set "
                      "HOCKNEY_PLOT_SCRIPT",
                      HOCKNEY_PLOT_INSTALLED, HOCKNEY_PLOT_SOURCE);
  // Debian's python3 has python3-matplotlib; a python first on PATH (pyenv, venv) may not.
  std::string python = "python3";
  if (const char* p = std::getenv("HOCKNEY_PYTHON"))
    python = p;
  else if (fs::exists("/usr/bin/python3"))
    python = "/usr/bin/python3";
  std::vector<std::string> words{python, script, "--format", format_};
  if (!outDir_.empty()) words.insert(words.end(), {"--out-dir", outDir_});
  words.insert(words.end(), reports_.begin(), reports_.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  execvp(argv[0], argv.data());
  throw UsageError(fmt::format("plot: cannot run {}: {}", python, std::strerror(errno)));
}

}  // namespace hockney
