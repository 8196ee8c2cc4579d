#include <fmt/format.h>

#include "cli/commands.h"
#include "collectives/core/error.h"
#include "collectives/core/split.h"
#include "microbench/sizes.h"

namespace hockney {

CalibrateCommand::CalibrateCommand(CLI::App& app) {
  sub_ = app.add_subcommand(
      "calibrate",
      "Measure and fit everything project needs within a time budget (every rank, under mpirun "
      "or srun): writes DIR/results.json and DIR/calibration.json");
  sub_->add_option("--out", job_.outDir, "directory for results.json and calibration.json")
      ->capture_default_str();
  sub_->add_option("--budget", job_.budgetSeconds,
                   "seconds the whole job may take, fitting included; a coarse pass first, then "
                   "sizes where the fits are least sure, until the fits need no more or the "
                   "budget is spent")
      ->check(positive())
      ->capture_default_str();
  sub_->add_option("-b,--min-bytes", minBytes_, "smallest size (K, M, G suffixes)")
      ->capture_default_str();
  sub_->add_option("-e,--max-bytes", maxBytes_, "largest size")->capture_default_str();
  sub_->add_option(
          "--patterns", patterns_,
          "comma-separated patterns to calibrate (sendrecv measures pingpong, pipeline 1F1B passes "
          "between two stages)")
      ->capture_default_str();
  sub_->add_option("--buffers", job_.buffers,
                   "hot: one input/output pair reused (as OSU, nccl-tests); cold: rotating sets")
      ->check(CLI::IsMember({"hot", "cold"}))
      ->capture_default_str();
  sub_->add_option("-d,--dtypes", dtypes_,
                   "element types of the reducing patterns (all-reduce, reduce-scatter), "
                   "comma-separated; the others move bytes and use the first")
      ->capture_default_str();
  sub_->add_flag("--resume", job_.resume,
                 "continue from DIR/results.json.jsonl, keeping the points already measured");
  sub_->add_flag("--allow-partial", job_.allowPartial,
                 "exit 0 even when a fit rests on fewer than 5 sizes or was never checked on a "
                 "held-out size (exit 5 otherwise; the files are written either way)");
  addBackendOption(sub_, job_.backend);
  sub_->add_option("--level", job_.level,
                   "Record this link level instead of the one the topology gives (e.g. network for "
                   "a calibration that stands for a fabric)")
      ->capture_default_str();
  sub_->add_option("--target-time", job_.targetSeconds, "timed seconds per point")
      ->check(positive())
      ->capture_default_str();
  sub_->add_option("--batch", job_.batch,
                   "calls per timed sample; 1 times isolated calls (small back-to-back calls "
                   "overlap), 0 = enough for 20 us as hockney run does")
      ->capture_default_str();
  addMallocOption(sub_, malloc_);
  sub_->add_option("--timeout", job_.timeoutSeconds,
                   "seconds one collective call may take before the watchdog aborts the job")
      ->check(positive())
      ->capture_default_str();
}

int CalibrateCommand::execute(int argc, char** argv) {
  checkLevelOverride(job_.level);
  job_.minBytes = parseSize(minBytes_);
  job_.maxBytes = parseSize(maxBytes_);
  job_.types.clear();
  for (const std::string& t : splitCommas(dtypes_)) job_.types.push_back(parseDataType(t));
  job_.patterns = splitCommas(patterns_);
  job_.commandLine = commandLineOf(argc, argv);
  validateCalibrateJob(job_);  // bad input fails here, before MPI starts or files are touched
  if (checkOnly_) return kExitOk;
  return runUnderMpi(
      argc, argv, [&] { return runCalibrateJob(job_); }, malloc_);
}

}  // namespace hockney
