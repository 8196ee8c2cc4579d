#pragma once
// The GPUs `hockney plan` prices compute on (model/catalog.json "gpus", built into the binary):
// each with its dense FP16/BF16 tensor peak, HBM size and bandwidth from the vendor's datasheet,
// and the sustained matmul rate a public benchmark measured, every figure with its source. No
// figure is fitted to a training time.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace hockney {

struct GpuSpec {
  std::string name;
  std::vector<std::string> aliases;
  double peakFlops = 0;     // dense FP16/BF16 tensor FLOP/s
  double hbmBytes = 0;      // bytes
  double hbmBandwidth = 0;  // bytes/s
  double gemmFlops = 0;     // sustained matmul FLOP/s, as measured
  std::string peakSource;   // datasheet: peak, HBM size and bandwidth
  std::string gemmSource;   // the benchmark behind gemmFlops
  double gemmEfficiency() const { return gemmFlops / peakFlops; }
};

const std::vector<GpuSpec>& builtinGpus();
// By name or alias, ignoring case; throws UsageError listing the catalog's GPUs.
const GpuSpec& findGpu(const std::string& name);
nlohmann::json toJson(const GpuSpec& g);

}  // namespace hockney
