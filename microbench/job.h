#pragma once
// What every MPI job of the harness (run, calibrate) shares: decisions rank 0 makes and every
// rank learns, the host limits points are sized by, and the provenance of the report.
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "collectives/transport/transport.h"
#include "microbench/backend.h"
#include "microbench/sweep.h"
#include "reports/results.h"
#include "topology/topology.h"

namespace hockney {

// Rank 0 decides, every rank learns: rank 0's string, on every rank (empty: go on).
std::string agree(Transport& t, std::string fromRankZero);

// The job's verdict on a problem found before measuring: rank 0's, learnt by every rank and
// printed by rank 0 as an error. True when there is one (the job then exits with kExitUsage).
bool stopOnProblem(Transport& t, const std::string& problemOnRankZero);

// Every rank learns the first problem any rank had, in rank order ("" when none); for checks
// whose outcome can differ between ranks (a GPU missing on one host).
std::string firstProblem(Transport& t, const std::string& mine);

// A device backend's provenance: each rank's device facts (GPU, bus id, CUDA and NCCL versions;
// `device` null on ranks that measure nothing) and the NCCL_* and CUDA_VISIBLE_DEVICES
// environment of every rank that differs from rank 0's, and how many rank pairs on one host
// reach each other over which GPU link (gpuLink: nvlink, pcie_switch, ...). Collective; rank
// 0's result counts.
nlohmann::json deviceProvenance(Transport& t, Device* device, const Topology& topology);

// The transport a job measures on: null for a host backend (measure on `group` itself); for a
// device backend, `group`'s ranks on it, one GPU per rank, the local rank counted among
// `members` (world ranks) on this rank's host. A rank that cannot start says why in `problem`
// (the caller agrees on it over the world). Collective over `group`; ranks without a group
// (null) pass through.
std::unique_ptr<Transport> openBackend(const Backend& backend, Transport* group,
                                       const std::vector<int>& members, int rank,
                                       const Topology& topology, std::string& problem);

// A device backend's limits and provenance: points must fit the GPU with the least free memory;
// returns deviceProvenance (rank 0), or null for a host backend. Collective over `world`.
nlohmann::json applyDeviceLimits(Transport& world, Transport* measured, SweepConfig& sweep,
                                 const Topology& topology);

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
