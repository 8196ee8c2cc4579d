#pragma once
// NVLink peers of NVIDIA GPUs from NVML, loaded at run time (libnvidia-ml.so.1 comes with the
// driver, not the toolkit): nothing is linked, and hosts without the driver simply have no
// NVLink information.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hockney {

// For each GPU (PCI bus id, hwloc's form "0000:1a:00.0") that NVML knows, the bus ids at the
// far end of its active NVLinks ("nvswitch" for a link to an NVSwitch or any device that is
// not one of `gpus`). nullopt when NVML cannot be loaded or initialised.
std::optional<std::map<std::string, std::vector<std::string>>> nvlinkPeers(
    const std::vector<std::string>& gpus);

// "00000000:1A:00.0" (NVML, CUDA) -> "0000:1a:00.0" (hwloc); unchanged when not a bus id.
std::string normalizeBusId(const std::string& busId);

}  // namespace hockney
