#pragma once
// What hwloc (and sysfs, for what hwloc leaves out) sees on this host and where this process is
// bound: recorded with every measurement, used to size buffer rotation past the last-level
// cache, and gathered over ranks into a Topology (topology.h).
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace hockney {

// A network interface: Ethernet (hwloc "network" OS devices and /sys/class/net) or an
// InfiniBand/OpenFabrics device. Virtual interfaces (veth, bridges) have no PCI address.
struct Nic {
  std::string name;
  std::string kind;      // "ethernet", "infiniband" (OpenFabrics), "other"
  long speedMbps = 0;    // 0: unknown (virtual links often report none)
  std::string pciBusId;  // "0000:3b:00.0"; empty for virtual interfaces
  bool operator==(const Nic&) const = default;
};

// A GPU found by PCI class (display / 3D controller) and vendor, with what decides how two GPUs
// of a host reach each other (gpuLink, topology.h).
struct Gpu {
  std::string pciBusId;
  std::string vendor;  // "nvidia", "amd", "intel" or the PCI vendor id in hex
  // The PCI bridges above it, from the host bridge down: "host:<domain>:<bus>" for the host
  // bridge, then "bridge:<bus id>" for each PCI-to-PCI bridge (a switch port or a root port).
  std::vector<std::string> pciPath;
  int package = -1;  // the package (socket) its host bridge hangs off, -1 unknown
  // Bus ids at the far end of its active NVLinks ("nvswitch" for a switch), from NVML; null
  // (nvlinkKnown false) where NVML is not available.
  std::vector<std::string> nvlinkPeers;
  bool nvlinkKnown = false;
  bool operator==(const Gpu&) const = default;
};

struct HostTopology {
  std::string hostname;
  int packages = 0;
  int numaNodes = 0;
  int cores = 0;
  int hardwareThreads = 0;
  size_t lastLevelCacheBytes = 0;  // 0 when hwloc reports none
  int pciDevices = 0;
  std::string hwlocVersion;
  std::vector<size_t> numaMemoryBytes;  // local memory per NUMA node, in hwloc's order
  // The running kernel's boot_id (/proc/sys/kernel/random/boot_id); empty where unreadable.
  // Two host names with one boot_id are one machine: containers or network namespaces.
  std::string bootId;
  std::vector<Nic> nics;
  std::vector<Gpu> gpus;
  bool operator==(const HostTopology&) const = default;
};

// Where one process runs: the package and NUMA node whose cores hold its whole binding (-1
// when the binding spans several), and the binding itself as a list ("0-3,8").
struct RankPlace {
  int package = -1;
  int numa = -1;
  std::string cpus;
  bool operator==(const RankPlace&) const = default;
};

struct Discovery {
  HostTopology host;
  RankPlace place;
};

// One hwloc load: the host and this process's place on it.
Discovery discover();
std::string hostName();

nlohmann::json toJson(const HostTopology& topology);
// Throws UsageError naming the field for a malformed host record.
HostTopology hostFromJson(const nlohmann::json& j);

// Physical memory of this host, and what the kernel says is available now (MemAvailable), in
// bytes; 0 when unknown.
size_t hostMemoryBytes();
size_t availableMemoryBytes();

}  // namespace hockney
