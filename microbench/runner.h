#pragma once
// `hockney run`: a sweep under MPI, from validated options to the written report. Rank 0 prints
// the table, appends every finished point to <out>.jsonl, and writes <out> atomically at the
// end; --resume continues from the .jsonl a killed job left.
#include <string>
#include <vector>

#include "collectives/transport/transport.h"
#include "microbench/cases.h"
#include "microbench/sweep.h"

namespace hockney {

// Upper bound for --iters, --batch and --warmup: more would run for days at 1 µs a call.
inline constexpr long kMaxIterations = 100'000'000;

struct RunOptions {
  std::string pattern = "allreduce";
  std::vector<std::string> algorithms{"all"};
  SweepConfig sweep;
  // world: every rank; node: the ranks of each host, all hosts at once (rows from rank 0's host);
  // leaders: the lowest rank of each host.
  std::string scope = "world";
  // mpi: host buffers over the MPI transport; nccl: device buffers over the NCCL transport, one
  // GPU per rank, the vendor case NCCL's collective.
  std::string backend = "mpi";
  std::string out;  // empty: results/<pattern>-<ranks>ranks-<UTC time>.json
  bool resume = false;
  double timeoutSeconds = 300;
  FaultInjection fault;
  std::string commandLine;
};

// Everything that can be checked before MPI starts; throws UsageError with the reason.
std::vector<BenchCase> validateRunOptions(const RunOptions& options);

// MPI must be initialised. Returns the process exit code: 0 all points passed, 1 a check failed, 2
// bad input found once the job was up (rank count, checkpoint). Fatal errors abort the whole job.
int runBenchmark(const RunOptions& options);

std::string checkpointPathFor(const std::string& out);
// results/<pattern>-<ranks>ranks-<UTC time>.json: where a run writes without --out.
std::string defaultResultsPath(const std::string& pattern, int ranks);

// The watchdog's action under MPI: print what stalled and end the whole job with kExitWatchdog.
[[noreturn]] void abortJobOnStall(const std::string& message);

}  // namespace hockney
