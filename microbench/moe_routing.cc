#include "microbench/moe_routing.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "collectives/core/error.h"

namespace hockney {

void checkRoutingOptions(const PatternOptions& o, int p) {
  HOCKNEY_USAGE_CHECK(o.routing == "uniform" || o.routing == "topk",
                      "unknown --routing '{}' (expected uniform or topk)", o.routing);
  if (o.routing == "uniform") return;
  const int experts = o.experts > 0 ? o.experts : p;
  HOCKNEY_USAGE_CHECK(o.experts >= 0, "--experts must be positive, not {}", o.experts);
  HOCKNEY_USAGE_CHECK(o.topK >= 1, "--top-k must be at least 1, not {}", o.topK);
  HOCKNEY_USAGE_CHECK(o.topK <= experts, "--top-k {} is more than the {} experts", o.topK, experts);
  HOCKNEY_USAGE_CHECK(o.capacityFactor > 0 && std::isfinite(o.capacityFactor),
                      "--capacity-factor must be a finite number > 0, not {}", o.capacityFactor);
  // An expert's capacity is factor · tokens · k / experts: at factor = experts it already takes
  // every token, so more means nothing.
  HOCKNEY_USAGE_CHECK(o.capacityFactor <= experts,
                      "--capacity-factor {} is more than the {} experts (at {} an expert already "
                      "takes every token)",
                      o.capacityFactor, experts, experts);
  HOCKNEY_USAGE_CHECK(o.zipfS >= 0, "--skew zipf:S needs S >= 0, not {}", o.zipfS);
  HOCKNEY_USAGE_CHECK(o.hidden >= 1, "--hidden must be at least 1, not {}", o.hidden);
}

RoutingResult routeTokens(const PatternOptions& o, int p, size_t bytes, DataType type) {
  RoutingResult r;
  const auto up = static_cast<size_t>(p);
  r.bytes.assign(up, std::vector<size_t>(up, 0));
  const size_t es = elementSize(type);
  if (o.routing == "uniform") {
    const size_t block = bytes / es / up * es;
    for (auto& row : r.bytes) std::fill(row.begin(), row.end(), block);
    return r;
  }
  const size_t tokenBytes = static_cast<size_t>(o.hidden) * es;
  const size_t experts = static_cast<size_t>(o.experts > 0 ? o.experts : p);
  const auto k = static_cast<size_t>(o.topK);
  r.tokensPerRank = bytes / tokenBytes;
  r.capacityPerExpert = static_cast<size_t>(std::ceil(
      o.capacityFactor * static_cast<double>(r.tokensPerRank * k) / static_cast<double>(experts)));
  // Zipf popularity over experts, in a fixed random order so the hot expert is not always 0.
  std::vector<double> weight(experts);
  std::mt19937 orderGen(o.seed);
  std::vector<size_t> order(experts);
  for (size_t e = 0; e < experts; ++e) order[e] = e;
  std::shuffle(order.begin(), order.end(), orderGen);
  for (size_t i = 0; i < experts; ++i)
    weight[order[i]] = 1.0 / std::pow(static_cast<double>(i + 1), o.zipfS);
  for (size_t src = 0; src < up; ++src) {
    std::mt19937_64 gen(o.seed * 1000003ULL + src);
    std::discrete_distribution<size_t> pick(weight.begin(), weight.end());
    std::vector<size_t> load(experts, 0);
    std::vector<size_t> chosen;
    for (size_t tok = 0; tok < r.tokensPerRank; ++tok) {
      chosen.clear();
      while (chosen.size() < k) {
        size_t e = pick(gen);
        if (std::find(chosen.begin(), chosen.end(), e) == chosen.end()) chosen.push_back(e);
      }
      for (size_t e : chosen) {
        if (load[e] >= r.capacityPerExpert) {
          ++r.droppedTokens;
          continue;
        }
        ++load[e];
        r.bytes[src][e % up] += tokenBytes;
      }
    }
  }
  return r;
}

}  // namespace hockney
