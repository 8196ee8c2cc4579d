#pragma once
// `hockney jobscript`: SLURM batch scripts that run a hockney measurement (run, pairs, tune or
// calibrate) on one or more node counts, once per interconnect variant (its environment), then
// fit every variant and compare them. Every user value reaches the script shell-quoted; values
// that must sit on #SBATCH lines (parsed by sbatch, not bash) are limited to characters sbatch
// reads literally, and anything else is refused with the option named.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hockney {

// An interconnect variant: the same measurement under its own environment, its results in a
// folder named after it ("ib:UCX_NET_DEVICES=mlx5_0:1", "tcp:OMPI_MCA_btl=tcp,self").
struct Variant {
  std::string name;
  std::vector<std::pair<std::string, std::string>> env;
};

struct JobscriptOptions {
  std::vector<int> nodes{1};  // several: one allocation of the most, `srun -N k` for each k
  int ntasksPerNode = 1;
  int gpusPerNode = 0;  // 0: no GPU request
  int cpusPerTask = 0;  // 0: SLURM's default
  std::string partition, account, time = "01:00:00", jobName = "hockney";
  bool exclusive = false;
  std::string outputDir = "hockney-results";  // results, one folder per variant and node count
  std::string launcher = "srun";              // srun (--mpi=pmix) | mpirun
  std::string hockney;                        // the binary on the compute nodes
  std::vector<std::string> command;           // run ... | pairs ... | calibrate ... | tune ...
  std::vector<Variant> variants;              // empty: one run, named "default"
  std::string model;                          // with calibrate: project this model ...
  std::string layout;                         // ... at this layout (tp=..,pp=..,dp=..)
};

// "NAME:ENV=VAL,ENV=VAL": a piece without "=" continues the previous value (tcp,self).
// Throws UsageError naming what is wrong.
Variant parseVariant(std::string_view text);

// Throws UsageError for impossible or unsafe options (0 nodes, more GPUs than a node has, a
// variant without a name, a newline on a #SBATCH line, --out among the command's arguments).
void validateJobscript(const JobscriptOptions& options);

// The script. `generatedBy` is recorded in a comment (quoted).
std::string generateJobscript(const JobscriptOptions& options, const std::string& generatedBy);

// A word bash reads back exactly: 'text' with every ' written '\''.
std::string shellQuote(std::string_view word);

// The most GPUs per node a jobscript may request.
inline constexpr int kMaxGpusPerNode = 16;

}  // namespace hockney
