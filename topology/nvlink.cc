#include "topology/nvlink.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

namespace hockney {
namespace {

// The few NVML declarations used, as nvml.h has them (nvmlPciInfo_t of the _v2/_v3 calls).
using nvmlReturn_t = int;
using nvmlDevice_t = struct nvmlDevice_st*;
struct nvmlPciInfo_t {
  char busIdLegacy[16];
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pciDeviceId;
  unsigned int pciSubSystemId;
  char busId[32];
};
constexpr nvmlReturn_t kNvmlSuccess = 0;
constexpr int kNvmlFeatureEnabled = 1;
constexpr unsigned kMaxLinks = 64;  // NVML_NVLINK_MAX_LINKS is 18 today; stop at the first error

class Nvml {
 public:
  Nvml() {
    lib_ = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib_ == nullptr) return;
    init_ = reinterpret_cast<nvmlReturn_t (*)()>(dlsym(lib_, "nvmlInit_v2"));
    shutdown_ = reinterpret_cast<nvmlReturn_t (*)()>(dlsym(lib_, "nvmlShutdown"));
    byBusId_ = reinterpret_cast<nvmlReturn_t (*)(const char*, nvmlDevice_t*)>(
        dlsym(lib_, "nvmlDeviceGetHandleByPciBusId_v2"));
    linkState_ = reinterpret_cast<nvmlReturn_t (*)(nvmlDevice_t, unsigned, int*)>(
        dlsym(lib_, "nvmlDeviceGetNvLinkState"));
    remotePci_ = reinterpret_cast<nvmlReturn_t (*)(nvmlDevice_t, unsigned, nvmlPciInfo_t*)>(
        dlsym(lib_, "nvmlDeviceGetNvLinkRemotePciInfo_v2"));
    ready_ = init_ && shutdown_ && byBusId_ && linkState_ && remotePci_ && init_() == kNvmlSuccess;
  }
  ~Nvml() {
    if (ready_) shutdown_();
    if (lib_) dlclose(lib_);
  }
  Nvml(const Nvml&) = delete;
  Nvml& operator=(const Nvml&) = delete;
  bool ready() const { return ready_; }

  std::optional<std::vector<std::string>> peers(const std::string& busId) const {
    nvmlDevice_t dev = nullptr;
    if (byBusId_(busId.c_str(), &dev) != kNvmlSuccess) return std::nullopt;
    std::vector<std::string> out;
    for (unsigned link = 0; link < kMaxLinks; ++link) {
      int active = 0;
      if (linkState_(dev, link, &active) != kNvmlSuccess) break;
      if (active != kNvmlFeatureEnabled) continue;
      nvmlPciInfo_t pci{};
      if (remotePci_(dev, link, &pci) != kNvmlSuccess) continue;
      out.push_back(normalizeBusId(pci.busId));
    }
    return out;
  }

 private:
  void* lib_ = nullptr;
  bool ready_ = false;
  nvmlReturn_t (*init_)() = nullptr;
  nvmlReturn_t (*shutdown_)() = nullptr;
  nvmlReturn_t (*byBusId_)(const char*, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*linkState_)(nvmlDevice_t, unsigned, int*) = nullptr;
  nvmlReturn_t (*remotePci_)(nvmlDevice_t, unsigned, nvmlPciInfo_t*) = nullptr;
};

}  // namespace

std::string normalizeBusId(const std::string& busId) {
  unsigned domain = 0, bus = 0, dev = 0, fn = 0;
  char end = 0;
  if (std::sscanf(busId.c_str(), "%x:%x:%x.%x%c", &domain, &bus, &dev, &fn, &end) != 4)
    return busId;
  return fmt::format("{:04x}:{:02x}:{:02x}.{:x}", domain, bus, dev, fn);
}

std::optional<std::map<std::string, std::vector<std::string>>> nvlinkPeers(
    const std::vector<std::string>& gpus) {
  if (gpus.empty()) return std::map<std::string, std::vector<std::string>>{};
  Nvml nvml;
  if (!nvml.ready()) return std::nullopt;
  std::map<std::string, std::vector<std::string>> out;
  for (const std::string& g : gpus) {
    auto peers = nvml.peers(g);
    if (!peers) continue;
    for (std::string& p : *peers)
      if (std::find(gpus.begin(), gpus.end(), p) == gpus.end()) p = "nvswitch";
    std::sort(peers->begin(), peers->end());
    peers->erase(std::unique(peers->begin(), peers->end()), peers->end());
    out[g] = std::move(*peers);
  }
  return out;
}

}  // namespace hockney
