#include "topology/host.h"

#include <fstream>

#include <hwloc.h>
#include <unistd.h>

#include <fmt/format.h>

#include "collectives/core/error.h"

namespace hockney {
namespace {

// RAII for an hwloc topology.
class HwlocTopology {
 public:
  HwlocTopology() {
    HOCKNEY_CHECK(hwloc_topology_init(&topo_) == 0, "hwloc_topology_init failed");
    // PCI devices only appear with the I/O filter opened.
    hwloc_topology_set_io_types_filter(topo_, HWLOC_TYPE_FILTER_KEEP_ALL);
    if (hwloc_topology_load(topo_) != 0) {
      hwloc_topology_destroy(topo_);
      HOCKNEY_THROW("hwloc_topology_load failed");
    }
  }
  ~HwlocTopology() { hwloc_topology_destroy(topo_); }
  HwlocTopology(const HwlocTopology&) = delete;
  HwlocTopology& operator=(const HwlocTopology&) = delete;
  hwloc_topology_t get() const { return topo_; }

 private:
  hwloc_topology_t topo_ = nullptr;
};

int countOf(hwloc_topology_t topo, hwloc_obj_type_t type) {
  int n = hwloc_get_nbobjs_by_type(topo, type);
  return n < 0 ? 0 : n;
}

}  // namespace

std::string hostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

HostTopology discoverHost() {
  HwlocTopology topo;
  HostTopology h;
  h.hostname = hostName();
  h.packages = countOf(topo.get(), HWLOC_OBJ_PACKAGE);
  h.numaNodes = countOf(topo.get(), HWLOC_OBJ_NUMANODE);
  h.cores = countOf(topo.get(), HWLOC_OBJ_CORE);
  h.hardwareThreads = countOf(topo.get(), HWLOC_OBJ_PU);
  h.pciDevices = countOf(topo.get(), HWLOC_OBJ_PCI_DEVICE);
  for (hwloc_obj_type_t t : {HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L1CACHE}) {
    hwloc_obj_t cache = hwloc_get_obj_by_type(topo.get(), t, 0);
    if (cache != nullptr && cache->attr != nullptr) {
      h.lastLevelCacheBytes = static_cast<size_t>(cache->attr->cache.size);
      break;
    }
  }
  unsigned v = hwloc_get_api_version();
  h.hwlocVersion = fmt::format("{}.{}.{}", v >> 16, (v >> 8) & 0xff, v & 0xff);
  return h;
}

size_t hostMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(page) : 0;
}

size_t availableMemoryBytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  size_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(page) : 0;
}

nlohmann::json toJson(const HostTopology& t) {
  return {{"hostname", t.hostname},
          {"packages", t.packages},
          {"numa_nodes", t.numaNodes},
          {"cores", t.cores},
          {"hardware_threads", t.hardwareThreads},
          {"last_level_cache_bytes", t.lastLevelCacheBytes},
          {"pci_devices", t.pciDevices},
          {"hwloc_api_version", t.hwlocVersion}};
}

}  // namespace hockney
