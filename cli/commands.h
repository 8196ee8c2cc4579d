#pragma once
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "jobscripts/jobscript.h"
#include "microbench/calibrate.h"
#include "microbench/replay.h"
#include "microbench/runner.h"
#include "model/iteration.h"
#include "model/plan.h"
#include "model/projection.h"

namespace hockney {

inline constexpr const char* kVersionText = "hockney " HOCKNEY_VERSION_STRING;

// True in the process that should print usage errors: rank 0 of an MPI/SLURM launch (read from
// the launcher's environment, before MPI starts), or a plain process.
bool isLeaderProcess();

class RunCommand {
 public:
  explicit RunCommand(CLI::App& app);
  bool chosen() const { return sub_->parsed(); }
  int execute(int argc, char** argv);
  // Check the options as execute does, then stop before MPI starts (jobscript: a measurement's
  // arguments are refused when the script is written, not after the job has queued).
  void checkOnly() { checkOnly_ = true; }
  const std::string& backend() const { return options_.backend; }

 private:
  int executePairs(int argc, char** argv);
  CLI::App* sub_;
  RunOptions options_;
  std::string algos_ = "all";
  std::string minBytes_ = "8";
  std::string maxBytes_ = "8M";
  size_t factor_ = 2;
  std::string sizes_;
  std::string dtype_ = "float32";
  std::string op_ = "sum";
  int check_ = 1;
  std::string chunk_;
  std::string injectHang_;
  std::string peers_;
  std::string skew_;
  std::string schedule_;
  long pairsSample_ = 0;
  int pairsRepeats_ = 5;
  std::string malloc_ = "pinned";
  bool checkOnly_ = false;
};

class CalibrateCommand {
 public:
  explicit CalibrateCommand(CLI::App& app);
  bool chosen() const { return sub_->parsed(); }
  int execute(int argc, char** argv);
  void checkOnly() { checkOnly_ = true; }  // as RunCommand::checkOnly
  const std::string& backend() const { return job_.backend; }

 private:
  CLI::App* sub_;
  CalibrateJob job_;
  std::string minBytes_ = "8";
  std::string maxBytes_ = "64M";
  std::string patterns_ = "allreduce,reduce_scatter,allgather,sendrecv,alltoall,pipeline";
  std::string dtypes_ = "float32,bfloat16";
  std::string malloc_ = "pinned";
  bool checkOnly_ = false;
};

class ImportCommand {
 public:
  explicit ImportCommand(CLI::App& app);
  bool chosen() const { return sub_->parsed(); }
  int execute(int argc, char** argv);

 private:
  CLI::App* sub_;
  std::string tool_;
  std::vector<std::string> files_;
  std::string out_;
  std::string pattern_;
  int ranks_ = 0;
  std::string dtype_;
  std::string level_;
};

class FitCommand {
 public:
  explicit FitCommand(CLI::App& app);
  bool chosen() const { return sub_->parsed(); }
  int execute(int argc, char** argv);

 private:
  CLI::App* sub_;
  std::vector<std::string> inputs_;
  std::string out_;
  std::string level_;
  int folds_ = 0;
  bool noBreak_ = false;
};

class TuneCommand {
 public:
  explicit TuneCommand(CLI::App& app);
  bool chosen() const { return sub_->parsed(); }
  int execute(int argc, char** argv);

 private:
  CLI::App* sub_;
  std::vector<std::string> inputs_;
  std::vector<std::string> tuned_;
  std::string format_;
  std::string out_;
  std::string json_;
  double tolerance_ = 0.05;
};

class ModelsCommand {
 public:
  explicit ModelsCommand(CLI::App& app);
  bool chosen() const { return sub_->parsed(); }
  int execute();

 private:
  CLI::App* sub_;
  std::string model_;
  bool json_ = false;
  bool gpus_ = false;
};

// hockney fabrics: the reference fabrics built into the binary (model/fabrics.h).
class FabricsCommand {
 public:
  explicit FabricsCommand(CLI::App& app);
  bool chosen() const { return sub_->parsed(); }
  int execute();

 private:
  CLI::App* sub_;
  std::string name_, out_;
  bool json_ = false;
};

// What project and plan price a step from: the model, its layout and placement, the training
// options, the calibrations and how fits price calls. addStepOptions declares them, resolve()
// reads them (UsageError for bad values).
struct StepArgs {
  std::string model, layout, order = "tp,pp,dp";
  std::vector<std::string> calibrations;
  TrainingOptions training;
  std::string dtype = "bfloat16", gradDtype = "float32", policy = "best", vendorScaling = "auto";
  struct Resolved {
    ModelSpec model;
    Layout layout;
    TrainingOptions training;
    CalibrationSet calibration;
  };
  Resolved resolve() const;
};
// required: --calibration and --layout must be given (project); plan searches without them.
void addStepOptions(CLI::App* sub, StepArgs& args, bool required = true);
// The end of project's and plan's output: notes, assumptions, and the report written to `out`
// (when given) with a line saying where.
void finishStepReport(const std::vector<std::string>& notes,
                      const std::vector<std::string>& assumptions, const std::string& out,
                      const nlohmann::json& report);

class ProjectCommand {
 public:
  explicit ProjectCommand(CLI::App& app);
  bool chosen() const { return sub_->parsed(); }
  int execute();

 private:
  CLI::App* sub_;
  StepArgs args_;
  std::string out_;
};

class PlanCommand {
 public:
  explicit PlanCommand(CLI::App& app);
  bool chosen() const { return sub_->parsed(); }
  int execute();

 private:
  CLI::App* sub_;
  StepArgs args_;
  std::string out_, gpuType_;
  double computeEfficiency_ = 0;
  std::string gpus_;                  // search: "512,1024"
  std::vector<std::string> fabrics_;  // search: NAME=CAL[,CAL...]
  int top_ = 10;
  bool allowCrossNodeTp_ = false;
  int planOne(const StepArgs::Resolved& r, const PlanOptions& options);
  int search(const StepArgs::Resolved& r, const PlanOptions& options);
};

class CompareCommand {
 public:
  explicit CompareCommand(CLI::App& app);
  bool chosen() const { return sub_->parsed(); }
  int execute();

 private:
  CLI::App* sub_;
  std::string a_, b_, model_, layout_, out_;
  bool stepOnly_ = false;
  bool force_ = false;
  std::string policy_ = "best";
  TrainingOptions o_;
};

class ReplayCommand {
 public:
  explicit ReplayCommand(CLI::App& app);
  bool chosen() const { return sub_->parsed(); }
  int execute(int argc, char** argv);

 private:
  CLI::App* sub_;
  std::string model_, layout_;
  std::vector<std::string> calibrations_;
  TrainingOptions training_;
  ReplayOptions o_;
  std::string maxBytes_ = "1G";
  std::string malloc_ = "pinned";
};

// Runs body in an MPI session. Usage errors propagate (every rank sees the same); any other
// failure on one rank ends the whole job with kExitInternal, so no rank waits for it.
// The process's allocator is settled first (microbench/allocator.h), before MPI starts.
int runUnderMpi(int& argc, char**& argv, const std::function<int()>& body,
                const std::string& mallocMode = "pinned");

// --backend NAME (microbench/backend.h lists them) on run and calibrate.
void addBackendOption(CLI::App* sub, std::string& backend);

// The --help group of the patterns' own options (run): a flag of it given with another pattern
// is refused.
inline constexpr const char* kPatternGroup = "Pattern options";

// --malloc pinned|dynamic on the commands that measure (run, calibrate, replay).
void addMallocOption(CLI::App* sub, std::string& mode);

// The options of a training iteration that project and replay share (batch, micro-batch,
// sequence length, ZeRO stage, sequence parallelism, recompute).
void addTrainingOptions(CLI::App* sub, TrainingOptions& o);
// --vendor-scaling ring|tree|auto (model/vendor.h), for every command that prices with fits.
void addVendorScaling(CLI::App* sub, std::string& scaling);

// An option check: the value must be a number above zero ("--seq-len must be positive, not -5").
CLI::Validator positive();

// Throws UsageError when --out names a directory or one of the command's input files.
void checkOutIsNotAnInput(const std::string& out, const std::vector<std::string>& inputs);
// Throws UsageError when one file is given twice (by any two names): a report counts once.
void checkEachInputOnce(const std::vector<std::string>& inputs);

// Throws UsageError unless `level` is empty (no override) or a link level (topology.h).
void checkLevelOverride(const std::string& level);

// Shell-quotes argv for provenance.
std::string commandLineOf(int argc, char** argv);

class PlotCommand {
 public:
  explicit PlotCommand(CLI::App& app);
  bool chosen() const { return sub_->parsed(); }
  int execute();

 private:
  CLI::App* sub_;
  std::vector<std::string> reports_;
  std::string outDir_;
  std::string format_ = "png";
};

class JobscriptCommand {
 public:
  explicit JobscriptCommand(CLI::App& app);
  bool chosen() const { return sub_->parsed(); }
  int execute(int argc, char** argv);

 private:
  CLI::App* sub_;
  JobscriptOptions options_;
  std::string nodes_ = "1";
  std::vector<std::string> variants_;
  std::string out_;
};

class TopoCommand {
 public:
  explicit TopoCommand(CLI::App& app);
  bool chosen() const { return sub_->parsed(); }
  int execute(int argc, char** argv);

 private:
  CLI::App* sub_;
  std::string out_;
};

class ListCommand {
 public:
  explicit ListCommand(CLI::App& app);
  bool chosen() const { return sub_->parsed(); }
  int execute();

 private:
  CLI::App* sub_;
};

}  // namespace hockney
