#pragma once
// The job's topology: every rank's host and place (gathered from each rank's discovery), and
// the link level between any two ranks — the widest boundary their messages cross. Levels are
// ordered, narrowest first. Between the GPUs of a host, gpuLink says how they reach each other
// (NVLink, a PCIe switch, a host bridge, ...), as nvidia-smi topo -m and NCCL's topology do.
#include <nlohmann/json.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "collectives/core/link_level.h"
#include "topology/host.h"

namespace hockney {

// How two GPUs of one host reach each other, fastest first: "nvlink" (NVLink between them or
// both on NVSwitches), "pcie_switch" (below a common PCIe switch: NCCL's PIX/PXB), "host_bridge"
// (only the host bridge in common: PHB), "package" (host bridges of one package: NODE),
// "system" (across packages: SYS), or "unknown" (no PCI path recorded).
std::string gpuLink(const Gpu& a, const Gpu& b);
inline constexpr std::string_view kGpuLinkNames =
    "nvlink, pcie_switch, host_bridge, package, system";

struct RankRecord {
  int host = 0;  // index into Topology::hosts
  RankPlace place;
};

struct Topology {
  std::vector<HostTopology> hosts;  // in order of first rank
  std::vector<RankRecord> ranks;    // index = rank

  int size() const { return static_cast<int>(ranks.size()); }
  const HostTopology& hostOf(int rank) const { return hosts.at(ranks.at(rank).host); }
  LinkLevel level(int a, int b) const;
  // The widest level between any two of `ranks` (kSelf for fewer than two).
  LinkLevel widest(std::span<const int> ranks) const;
  LinkLevel widest() const;  // over every rank
  // Host index of every rank: what hierarchical algorithms group by.
  std::vector<int> nodeOfRank() const;
  // Ranks per host, the largest.
  int mostRanksPerHost() const;
};

// From each rank's discovery, in rank order. Hosts are told apart by name; two ranks that report
// the same name but different hardware mean two machines share a name, which is refused.
Topology assembleTopology(const std::vector<Discovery>& perRank);

nlohmann::json toJson(const Topology& t);
// Throws UsageError naming the problem for a malformed topology block.
Topology topologyFromJson(const nlohmann::json& j);
nlohmann::json toJson(const Discovery& d);
Discovery discoveryFromJson(const nlohmann::json& j);

// Host names that are one machine: groups (of two or more, in host order) whose hosts report
// one kernel boot_id. Emulated hosts (network namespaces, containers) share that machine's CPUs
// and memory, so their "network" links carry what the machine does, not a fabric's figures.
std::vector<std::vector<std::string>> hostsOnOneMachine(const Topology& t);
// One "# note: ..." line per such group; empty when every host is its own machine. Every job
// prints it when it gathers its topology (gatherTopology).
std::string oneMachineNote(const Topology& t);

// The readable summary: hosts with packages, NUMA nodes, cores, memory, NICs and GPUs; rank
// placement; for jobs of at most `matrixLimit` ranks the rank×rank level matrix, else a count of
// pairs per level.
std::string formatTopology(const Topology& t, int matrixLimit = 16);

}  // namespace hockney
