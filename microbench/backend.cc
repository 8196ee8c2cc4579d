#include "microbench/backend.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>

#include "collectives/core/error.h"

namespace hockney {

std::span<const Backend* const> backends() {
  static const std::array<const Backend*, 2> kBackends{&mpiBackend(), &ncclBackend()};
  return kBackends;
}

std::vector<std::string> backendNames() {
  std::vector<std::string> names;
  for (const Backend* b : backends()) names.emplace_back(b->name);
  return names;
}

VendorRun findCall(VendorCalls calls, std::string_view call) {
  for (const auto& [name, run] : calls)
    if (name == call) return run;
  return nullptr;
}

std::optional<std::string> variantName(std::string_view algorithm) {
  if (!algorithm.starts_with(kVariantPrefix)) return std::nullopt;
  return std::string(algorithm.substr(kVariantPrefix.size()));
}

const Backend& findBackend(std::string_view name) {
  for (const Backend* b : backends()) {
    if (b->name != name) continue;
    const std::string why = b->absence ? b->absence() : std::string();
    HOCKNEY_USAGE_CHECK(why.empty(), "--backend {}: {}", name, why);
    return *b;
  }
  throw UsageError(
      fmt::format("--backend must be one of {}, not '{}'", fmt::join(backendNames(), ", "), name));
}

bool backendBuilt(std::string_view name) {
  for (const Backend* b : backends())
    if (b->name == name) return !b->absence || b->absence().empty();
  return false;
}

}  // namespace hockney
