#pragma once
// What every MPI job of the harness (run, calibrate) shares: decisions rank 0 makes and every
// rank learns, the host limits points are sized by, and the provenance of the report.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "collectives/transport/transport.h"
#include "microbench/sweep.h"
#include "reports/results.h"
#include "topology/topology.h"

namespace hockney {

// Rank 0 decides, every rank learns: rank 0's string, on every rank (empty: go on).
std::string agree(Transport& t, std::string fromRankZero);

// The job's verdict on a problem found before measuring: rank 0's, learnt by every rank and
// printed by rank 0 as an error. True when there is one (the job then exits with kExitUsage).
bool stopOnProblem(Transport& t, const std::string& problemOnRankZero);

// SLURM's job facts (null outside SLURM).
nlohmann::json slurmJson();

// `hockney topo`: gathers the topology, prints its summary on rank 0 and writes a topology
// report to `out` (when given). Returns the exit code.
int runTopo(const std::string& out, const std::string& commandLine);

// Every rank discovers its host and place (hwloc), rank 0 assembles them, and every rank learns
// the job's Topology. Throws UsageError on every rank when the records contradict each other.
Topology gatherTopology(Transport& t);

// Rank 0's host decides, so all ranks rotate alike and refuse a point alike: cold buffers rotate
// past twice rank 0's last-level cache, and a rank may take the available memory over the most
// ranks sharing one host.
void decideHostLimits(Transport& t, SweepConfig& sweep, const Topology& topology);

// Provenance of a finished job (rank 0): tool, commit, MPI library, hosts, SLURM, topology.
Provenance finishedProvenance(std::string startedAt, std::string commandLine,
                              const Topology& topology);

}  // namespace hockney
