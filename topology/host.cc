#include "topology/host.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include <hwloc.h>
#include <unistd.h>

#include <fmt/format.h>

#include "collectives/core/error.h"
#include "topology/nvlink.h"

namespace hockney {
namespace {

// RAII for an hwloc topology.
class HwlocTopology {
 public:
  HwlocTopology() {
    HOCKNEY_CHECK(hwloc_topology_init(&topo_) == 0, "hwloc_topology_init failed");
    // PCI and OS devices (NICs, GPUs) only appear with the I/O filter opened.
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

class Bitmap {
 public:
  Bitmap() : b_(hwloc_bitmap_alloc()) { HOCKNEY_CHECK(b_ != nullptr, "hwloc_bitmap_alloc failed"); }
  ~Bitmap() { hwloc_bitmap_free(b_); }
  Bitmap(const Bitmap&) = delete;
  Bitmap& operator=(const Bitmap&) = delete;
  hwloc_bitmap_t get() const { return b_; }
  std::string list() const {
    char* s = nullptr;
    if (hwloc_bitmap_list_asprintf(&s, b_) < 0 || s == nullptr) return "";
    std::string out(s);
    free(s);
    return out;
  }

 private:
  hwloc_bitmap_t b_;
};

int countOf(hwloc_topology_t topo, hwloc_obj_type_t type) {
  int n = hwloc_get_nbobjs_by_type(topo, type);
  return n < 0 ? 0 : n;
}

std::string firstLine(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string busId(hwloc_obj_t pci) {
  const auto& a = pci->attr->pcidev;
  return fmt::format("{:04x}:{:02x}:{:02x}.{:x}", a.domain, a.bus, a.dev, a.func);
}

hwloc_obj_t pciParent(hwloc_obj_t obj) {
  for (hwloc_obj_t p = obj->parent; p != nullptr; p = p->parent)
    if (p->type == HWLOC_OBJ_PCI_DEVICE) return p;
  return nullptr;
}

// Mbit/s from sysfs: /sys/class/net/X/speed, or an InfiniBand port's "100 Gb/sec (4X EDR)".
long linkSpeedMbps(const std::string& name, const std::string& kind) {
  try {
    if (kind == "infiniband") {
      const std::string rate = firstLine("/sys/class/infiniband/" + name + "/ports/1/rate");
      return rate.empty() ? 0 : std::lround(std::stod(rate) * 1000);
    }
    const std::string speed = firstLine("/sys/class/net/" + name + "/speed");
    const long v = speed.empty() ? 0 : std::stol(speed);
    return v > 0 ? v : 0;
  } catch (const std::exception&) {
    return 0;  // unreadable or not a number: unknown
  }
}

std::vector<Nic> findNics(hwloc_topology_t topo) {
  std::vector<Nic> nics;
  std::set<std::string> seen;
  for (hwloc_obj_t o = nullptr; (o = hwloc_get_next_osdev(topo, o)) != nullptr;) {
    const auto type = o->attr->osdev.type;
    if (type != HWLOC_OBJ_OSDEV_NETWORK && type != HWLOC_OBJ_OSDEV_OPENFABRICS) continue;
    Nic n;
    n.name = o->name ? o->name : "";
    n.kind = type == HWLOC_OBJ_OSDEV_OPENFABRICS ? "infiniband" : "ethernet";
    if (hwloc_obj_t pci = pciParent(o)) n.pciBusId = busId(pci);
    n.speedMbps = linkSpeedMbps(n.name, n.kind);
    seen.insert(n.name);
    nics.push_back(std::move(n));
  }
  // hwloc lists only interfaces behind a PCI device; virtual ones (veth in a network namespace,
  // bonds, ...) carry traffic too.
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/class/net", ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "lo" || seen.count(name)) continue;
    if (firstLine(entry.path() / "operstate") == "down") continue;
    Nic n;
    n.name = name;
    const std::string arpType = firstLine(entry.path() / "type");
    n.kind = arpType == "1" ? "ethernet" : arpType == "32" ? "infiniband" : "other";
    n.speedMbps = linkSpeedMbps(name, "ethernet");
    nics.push_back(std::move(n));
  }
  std::sort(nics.begin(), nics.end(), [](const Nic& a, const Nic& b) { return a.name < b.name; });
  return nics;
}

// The index of the only object of `type` whose cpuset holds all of `set`, or -1.
int holding(hwloc_topology_t topo, hwloc_obj_type_t type, hwloc_const_bitmap_t set) {
  const int n = countOf(topo, type);
  for (int i = 0; i < n; ++i) {
    hwloc_obj_t o = hwloc_get_obj_by_type(topo, type, static_cast<unsigned>(i));
    if (o != nullptr && o->cpuset != nullptr && hwloc_bitmap_isincluded(set, o->cpuset))
      return static_cast<int>(o->logical_index);
  }
  return -1;
}

// The PCI bridges above a device, from the host bridge down (Gpu::pciPath).
std::vector<std::string> pciPathOf(hwloc_obj_t device) {
  std::vector<std::string> path;
  for (hwloc_obj_t a = device->parent; a != nullptr && a->type == HWLOC_OBJ_BRIDGE; a = a->parent) {
    const auto& b = a->attr->bridge;
    if (b.upstream_type == HWLOC_OBJ_BRIDGE_HOST)
      path.push_back(fmt::format("host:{:04x}:{:02x}", b.downstream.pci.domain,
                                 b.downstream.pci.secondary_bus));
    else
      path.push_back("bridge:" + busId(a));
  }
  std::reverse(path.begin(), path.end());
  return path;
}

std::vector<Gpu> findGpus(hwloc_topology_t topo) {
  std::vector<Gpu> gpus;
  for (hwloc_obj_t o = nullptr; (o = hwloc_get_next_pcidev(topo, o)) != nullptr;) {
    const unsigned cls = o->attr->pcidev.class_id;
    if ((cls >> 8) != 0x03) continue;  // display controllers: VGA 0x0300, 3D 0x0302
    const unsigned vendor = o->attr->pcidev.vendor_id;
    if (vendor == 0x1234 || vendor == 0x1af4) continue;  // emulated VGA of QEMU / virtio
    Gpu g;
    g.pciBusId = busId(o);
    g.pciPath = pciPathOf(o);
    hwloc_obj_t cpuSide = hwloc_get_non_io_ancestor_obj(topo, o);
    if (cpuSide != nullptr && cpuSide->cpuset != nullptr)
      g.package = holding(topo, HWLOC_OBJ_PACKAGE, cpuSide->cpuset);
    g.vendor = vendor == 0x10de   ? "nvidia"
               : vendor == 0x1002 ? "amd"
               : vendor == 0x8086 ? "intel"
                                  : fmt::format("{:04x}", vendor);
    gpus.push_back(std::move(g));
  }
  std::vector<std::string> nvidia;
  for (const Gpu& g : gpus)
    if (g.vendor == "nvidia") nvidia.push_back(g.pciBusId);
  if (auto peers = nvlinkPeers(nvidia))
    for (Gpu& g : gpus)
      if (auto it = peers->find(g.pciBusId); it != peers->end()) {
        g.nvlinkPeers = it->second;
        g.nvlinkKnown = true;
      }
  return gpus;
}

HostTopology hostOf(hwloc_topology_t topo) {
  HostTopology h;
  h.hostname = hostName();
  h.packages = countOf(topo, HWLOC_OBJ_PACKAGE);
  h.numaNodes = countOf(topo, HWLOC_OBJ_NUMANODE);
  h.cores = countOf(topo, HWLOC_OBJ_CORE);
  h.hardwareThreads = countOf(topo, HWLOC_OBJ_PU);
  h.pciDevices = countOf(topo, HWLOC_OBJ_PCI_DEVICE);
  for (hwloc_obj_type_t t : {HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L1CACHE}) {
    hwloc_obj_t cache = hwloc_get_obj_by_type(topo, t, 0);
    if (cache != nullptr && cache->attr != nullptr) {
      h.lastLevelCacheBytes = static_cast<size_t>(cache->attr->cache.size);
      break;
    }
  }
  for (int i = 0; i < h.numaNodes; ++i) {
    hwloc_obj_t numa = hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, static_cast<unsigned>(i));
    h.numaMemoryBytes.push_back(numa ? static_cast<size_t>(numa->attr->numanode.local_memory) : 0);
  }
  h.nics = findNics(topo);
  h.gpus = findGpus(topo);
  std::ifstream boot("/proc/sys/kernel/random/boot_id");
  if (!std::getline(boot, h.bootId)) h.bootId.clear();
  unsigned v = hwloc_get_api_version();
  h.hwlocVersion = fmt::format("{}.{}.{}", v >> 16, (v >> 8) & 0xff, v & 0xff);
  return h;
}

}  // namespace

std::string hostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

Discovery discover() {
  HwlocTopology topo;
  Discovery d;
  d.host = hostOf(topo.get());
  Bitmap bound;
  if (hwloc_get_cpubind(topo.get(), bound.get(), HWLOC_CPUBIND_PROCESS) != 0)
    hwloc_bitmap_copy(bound.get(), hwloc_topology_get_topology_cpuset(topo.get()));
  d.place.cpus = bound.list();
  d.place.package = holding(topo.get(), HWLOC_OBJ_PACKAGE, bound.get());
  d.place.numa = holding(topo.get(), HWLOC_OBJ_NUMANODE, bound.get());
  return d;
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
  nlohmann::json nics = nlohmann::json::array(), gpus = nlohmann::json::array();
  for (const Nic& n : t.nics)
    nics.push_back({{"name", n.name},
                    {"kind", n.kind},
                    {"speed_mbps", n.speedMbps},
                    {"pci_bus_id", n.pciBusId}});
  for (const Gpu& g : t.gpus)
    gpus.push_back({{"pci_bus_id", g.pciBusId},
                    {"vendor", g.vendor},
                    {"pci_path", g.pciPath},
                    {"package", g.package},
                    {"nvlink", g.nvlinkKnown ? nlohmann::json(g.nvlinkPeers) : nlohmann::json()}});
  return {{"hostname", t.hostname},
          {"packages", t.packages},
          {"numa_nodes", t.numaNodes},
          {"cores", t.cores},
          {"hardware_threads", t.hardwareThreads},
          {"last_level_cache_bytes", t.lastLevelCacheBytes},
          {"pci_devices", t.pciDevices},
          {"numa_memory_bytes", t.numaMemoryBytes},
          {"nics", nics},
          {"gpus", gpus},
          {"hwloc_api_version", t.hwlocVersion},
          {"boot_id", t.bootId}};
}

HostTopology hostFromJson(const nlohmann::json& j) {
  try {
    HostTopology h;
    h.hostname = j.at("hostname").get<std::string>();
    h.packages = j.at("packages").get<int>();
    h.numaNodes = j.at("numa_nodes").get<int>();
    h.cores = j.at("cores").get<int>();
    h.hardwareThreads = j.at("hardware_threads").get<int>();
    h.lastLevelCacheBytes = j.at("last_level_cache_bytes").get<size_t>();
    h.pciDevices = j.at("pci_devices").get<int>();
    h.hwlocVersion = j.at("hwloc_api_version").get<std::string>();
    h.numaMemoryBytes = j.value("numa_memory_bytes", std::vector<size_t>{});
    h.bootId = j.value("boot_id", "");  // reports written before it was recorded lack it
    for (const auto& n : j.value("nics", nlohmann::json::array()))
      h.nics.push_back({n.at("name").get<std::string>(), n.at("kind").get<std::string>(),
                        n.at("speed_mbps").get<long>(), n.value("pci_bus_id", "")});
    for (const auto& g : j.value("gpus", nlohmann::json::array())) {
      Gpu gpu;
      gpu.pciBusId = g.at("pci_bus_id").get<std::string>();
      gpu.vendor = g.at("vendor").get<std::string>();
      gpu.pciPath = g.value("pci_path", std::vector<std::string>{});
      gpu.package = g.value("package", -1);
      gpu.nvlinkKnown = g.contains("nvlink") && !g["nvlink"].is_null();
      if (gpu.nvlinkKnown) gpu.nvlinkPeers = g["nvlink"].get<std::vector<std::string>>();
      h.gpus.push_back(std::move(gpu));
    }
    return h;
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(fmt::format("malformed host record: {}", e.what()));
  }
}

}  // namespace hockney
