#include <filesystem>

#include "cli/commands.h"
#include "collectives/core/error.h"
#include "collectives/transport/mpi.h"
#include "microbench/replay.h"
#include "microbench/sizes.h"

namespace hockney {

ReplayCommand::ReplayCommand(CLI::App& app) {
  sub_ = app.add_subcommand("replay",
                            "Run a model step's communication on this job's ranks and compare with "
                            "the projection (under mpirun/srun)");
  sub_->add_option("--model", model_, "catalog name or alias, or a model JSON file")->required();
  sub_->add_option("--calibration", calibrations_,
                   "calibration.json from hockney fit, or ref:NAME (hockney fabrics)")
      ->required();
  sub_->add_option("--layout", layout_, "tp=N,pp=N,dp=N[,ep=N] of the full job being modelled")
      ->required();
  sub_->add_option("--scale-to-ranks", o_.scaleToRanks,
                   "ranks to replay on (groups shrink to fit); default all")
      ->capture_default_str();
  addTrainingOptions(sub_, training_);
  sub_->add_option("--algo-policy", o_.policy, "best | ring | vendor")->capture_default_str();
  sub_->add_option("--max-bytes", maxBytes_,
                   "larger collectives are replayed (and projected) at this size, said in a note")
      ->capture_default_str();
  sub_->add_option("--target-time", o_.targetSeconds,
                   "seconds of timed calls per collective and round")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub_->add_option("--rounds", o_.rounds,
                   "rounds over every item; each item's figure is the median of its rounds (a "
                   "host's speed changes over seconds: one snapshot per item can miss by that)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  addMallocOption(sub_, malloc_);
  sub_->add_option("--timeout", o_.timeoutSeconds, "watchdog seconds per call")
      ->capture_default_str();
  sub_->add_option("--out", o_.out, "replay JSON to write");
}

int ReplayCommand::execute(int argc, char** argv) {
  const ModelSpec loaded = loadModel(model_);
  const ModelSpec* model = &loaded;
  Layout layout = parseLayout(layout_);
  o_.maxBytes = parseSize(maxBytes_);
  o_.commandLine = commandLineOf(argc, argv);
  CalibrationSet cal = loadCalibrations(calibrations_);
  iterationCommunication(*model, layout, training_);  // bad layouts fail here, before MPI starts
  return runUnderMpi(
      argc, argv, [&] { return runReplay(*model, layout, training_, cal, o_); }, malloc_);
}

}  // namespace hockney
