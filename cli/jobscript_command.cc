#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "cli/commands.h"
#include "collectives/core/error.h"
#include "collectives/core/split.h"
#include "collectives/registry.h"
#include "jobscripts/jobscript.h"
#include "microbench/backend.h"
#include "reports/results.h"

namespace hockney {

JobscriptCommand::JobscriptCommand(CLI::App& app) {
  sub_ = app.add_subcommand(
      "jobscript",
      "Write a SLURM batch script that runs a measurement (run, pairs, calibrate or tune; after "
      "--) on "
      "one or more node counts, once per interconnect variant, then fits and compares them");
  auto& o = options_;
  sub_->add_option("--nodes", nodes_,
                   "Nodes, or a comma-separated list for a scaling sweep (one allocation of the "
                   "most; srun -N k for each k)")
      ->capture_default_str();
  sub_->add_option("--ntasks-per-node", o.ntasksPerNode, "Ranks per node")->capture_default_str();
  sub_->add_option("--gpus-per-node", o.gpusPerNode, "GPUs per node (0: none requested)")
      ->capture_default_str();
  sub_->add_option("--cpus-per-task", o.cpusPerTask, "CPUs per rank (0: SLURM's default)")
      ->capture_default_str();
  sub_->add_option("--partition", o.partition, "SLURM partition");
  sub_->add_option("--account", o.account, "SLURM account");
  sub_->add_option("--time", o.time, "Time limit (HH:MM:SS, D-HH:MM, ...)")->capture_default_str();
  sub_->add_option("--job-name", o.jobName, "Job name")->capture_default_str();
  sub_->add_flag("--exclusive", o.exclusive, "Whole nodes for the job");
  sub_->add_option("--output-dir", o.outputDir,
                   "Where the job writes: OUT/<variant>/n<nodes>/ and the comparisons (its log, "
                   "%x-%j.out, goes to the submission directory)")
      ->capture_default_str();
  sub_->add_option("--launcher", o.launcher, "srun (--mpi=pmix) or mpirun")
      ->check(CLI::IsMember({"srun", "mpirun"}))
      ->capture_default_str();
  sub_->add_option("--variant", variants_,
                   "NAME:ENV=VAL,... run the measurement again under this environment, e.g. "
                   "tcp:OMPI_MCA_btl=tcp,self (repeatable); every variant is fitted and compared "
                   "with the first");
  sub_->add_option("--model", o.model,
                   "With --layout: project this model's step under each variant");
  sub_->add_option("--layout", o.layout, "tp=N,pp=N,dp=N[,ep=N] for --model");
  sub_->add_option("--hockney", o.hockney,
                   "Path of hockney on the compute nodes (default: this binary)");
  sub_->add_option("--out", out_, "Write the script here (default: standard output)");
  sub_->add_option("command", o.command,
                   "After --: run|pairs|calibrate|tune and its arguments (without --out; tune: "
                   "run's options, the variants measured and the library's tuning file written "
                   "beside the reports)")
      ->take_all();
}

namespace {

// The measurement's arguments parsed and checked by the run or calibrate command itself, up to
// where it would start MPI: an unknown option, pattern or size is refused before a script is
// written and queued. What only the cluster's MPI library knows (the variants tune measures)
// is left to the job, and so is everything after the options' own checks when the backend the
// measurement names is not in this binary (a login node's build without NCCL writing a script
// for GPU nodes whose hockney has it).
void checkMeasurement(const std::vector<std::string>& command) {
  std::vector<std::string> words{"hockney"};
  const std::string& sub = command.front();
  words.push_back(sub == "calibrate" ? "calibrate" : "run");
  if (sub == kPairMatrix) words.insert(words.end(), {"--pattern", std::string(kPairMatrix)});
  if (sub == "tune") words.insert(words.end(), {"--algo", "vendor"});
  words.insert(words.end(), command.begin() + 1, command.end());
  CLI::App app{"hockney"};
  app.require_subcommand(1);
  RunCommand run(app);
  CalibrateCommand calibrate(app);
  run.checkOnly();
  calibrate.checkOnly();
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  const int argc = static_cast<int>(argv.size());
  char** args = argv.data();
  try {
    app.parse(argc, args);
  } catch (const CLI::ParseError& e) {
    throw UsageError(fmt::format("the measurement after --: {}", e.what()));
  }
  const std::string& backend = run.chosen() ? run.backend() : calibrate.backend();
  if (!backendBuilt(backend)) return;
  try {
    if (run.chosen()) run.execute(argc, args);
    if (calibrate.chosen()) calibrate.execute(argc, args);
  } catch (const UsageError& e) {
    throw UsageError(fmt::format("the measurement after --: {}", e.what()));
  }
}

}  // namespace

int JobscriptCommand::execute(int argc, char** argv) {
  options_.nodes.clear();
  for (const std::string& n : splitCommas(nodes_)) {
    try {
      size_t used = 0;
      const int v = std::stoi(n, &used);
      HOCKNEY_USAGE_CHECK(used == n.size(), "--nodes {}: not a node count", nodes_);
      options_.nodes.push_back(v);
    } catch (const std::logic_error&) {
      throw UsageError(fmt::format("--nodes wants N or a list N,M,..., not '{}'", nodes_));
    }
  }
  for (const std::string& v : variants_) options_.variants.push_back(parseVariant(v));
  if (options_.hockney.empty()) {
    char self[PATH_MAX] = {};
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    options_.hockney = n > 0 ? std::string(self, static_cast<size_t>(n)) : "hockney";
  }
  HOCKNEY_USAGE_CHECK(out_.empty() || !std::filesystem::is_directory(out_),
                      "--out {} is a directory; name a file", out_);
  // The command line without the binary's path and --out, so a template regenerates the same
  // from any checkout. Options come before "--"; the measurement's own words are kept whole.
  std::vector<char*> words;
  bool measurement = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    measurement = measurement || a == "--";
    if (!measurement && a == "--out" && i + 1 < argc) {
      ++i;
      continue;
    }
    if (!measurement && a.rfind("--out=", 0) == 0) continue;
    words.push_back(argv[i]);
  }
  const std::string line = commandLineOf(static_cast<int>(words.size()), words.data());
  validateJobscript(options_);
  checkMeasurement(options_.command);  // its arguments as run/calibrate would take them, now
  const std::string script = generateJobscript(options_, "hockney " + line);
  if (out_.empty()) {
    std::fputs(script.c_str(), stdout);
    return kExitOk;
  }
  writeFileAtomically(out_, script);
  ::chmod(out_.c_str(), 0755);
  std::fprintf(stderr, "hockney: wrote %s (submit it with sbatch)\n", out_.c_str());
  return kExitOk;
}

}  // namespace hockney
