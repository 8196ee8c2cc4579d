#include "model/gpu.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "collectives/core/error.h"
#include "hockney_model_catalog.h"
#include "model/catalog.h"

namespace hockney {

using nlohmann::json;

namespace {

GpuSpec gpuFromJson(const json& j) {
  GpuSpec g;
  g.name = j.at("name").get<std::string>();
  g.aliases = j.value("aliases", std::vector<std::string>{});
  g.peakFlops = j.at("peak_tflops").get<double>() * 1e12;
  g.hbmBytes = j.at("hbm_gb").get<double>() * 1e9;
  g.hbmBandwidth = j.at("hbm_gbps").get<double>() * 1e9;
  g.gemmFlops = j.at("gemm_tflops").get<double>() * 1e12;
  g.peakSource = j.at("sources").at("peak").get<std::string>();
  g.gemmSource = j.at("sources").at("gemm").get<std::string>();
  // The catalog is ours: a figure out of range is a defect in it, caught by the tests.
  HOCKNEY_CHECK(g.peakFlops > 0 && g.hbmBytes > 0 && g.hbmBandwidth > 0 && g.gemmFlops > 0 &&
                    g.gemmFlops <= g.peakFlops,
                "GPU catalog entry {} has a figure out of range", g.name);
  return g;
}

}  // namespace

const std::vector<GpuSpec>& builtinGpus() {
  static const std::vector<GpuSpec> gpus = [] {
    const json catalog = json::parse(kModelCatalogJson);
    std::vector<GpuSpec> out;
    for (const json& g : catalog.at("gpus")) out.push_back(gpuFromJson(g));
    return out;
  }();
  return gpus;
}

const GpuSpec& findGpu(const std::string& name) {
  const std::string want = lowerAscii(name);
  for (const GpuSpec& g : builtinGpus()) {
    if (lowerAscii(g.name) == want) return g;
    for (const std::string& a : g.aliases)
      if (lowerAscii(a) == want) return g;
  }
  std::vector<std::string> names;
  for (const GpuSpec& g : builtinGpus()) names.push_back(g.aliases.empty() ? g.name : g.aliases[0]);
  throw UsageError(
      fmt::format("unknown --gpu-type '{}' (known: {})", name, fmt::join(names, ", ")));
}

json toJson(const GpuSpec& g) {
  return json{{"name", g.name},
              {"peak_tflops", g.peakFlops / 1e12},
              {"hbm_gb", g.hbmBytes / 1e9},
              {"hbm_gbps", g.hbmBandwidth / 1e9},
              {"gemm_tflops", g.gemmFlops / 1e12},
              {"sources", {{"peak", g.peakSource}, {"gemm", g.gemmSource}}}};
}

}  // namespace hockney
