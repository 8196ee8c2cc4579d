#include <filesystem>

#include "cli/commands.h"
#include "collectives/core/error.h"
#include "microbench/job.h"

namespace hockney {

TopoCommand::TopoCommand(CLI::App& app) {
  sub_ = app.add_subcommand(
      "topo",
      "Discover the job's topology (every rank, under mpirun or srun): hosts, packages, NUMA "
      "nodes, cores, NICs, GPUs, rank placement and the link level between ranks");
  sub_->add_option("--out", out_, "Also write it as a topology report (JSON)");
}

int TopoCommand::execute(int argc, char** argv) {
  HOCKNEY_USAGE_CHECK(out_.empty() || !std::filesystem::is_directory(out_),
                      "--out {} is a directory; name a file", out_);
  const std::string commandLine = commandLineOf(argc, argv);
  return runUnderMpi(argc, argv, [&] { return runTopo(out_, commandLine); });
}

}  // namespace hockney
