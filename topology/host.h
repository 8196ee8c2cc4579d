#pragma once
// What hwloc sees on this host: enough to record where a measurement ran and to size buffer
// rotation past the last-level cache. (Rank placement, link levels and hierarchical
// communicators build on this later.)
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace hockney {

struct HostTopology {
  std::string hostname;
  int packages = 0;
  int numaNodes = 0;
  int cores = 0;
  int hardwareThreads = 0;
  size_t lastLevelCacheBytes = 0;  // 0 when hwloc reports none
  int pciDevices = 0;
  std::string hwlocVersion;
};

HostTopology discoverHost();
nlohmann::json toJson(const HostTopology& topology);
std::string hostName();

// Physical memory of this host, and what the kernel says is available now (MemAvailable), in
// bytes; 0 when unknown.
size_t hostMemoryBytes();
size_t availableMemoryBytes();

}  // namespace hockney
