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

namespace {

// Weighted sampling of k distinct experts, as drawing one and drawing again among the rest: a
// Fenwick tree of the weights, an expert's weight taken out while it is chosen and put back for
// the next token. O(k log experts) per token whatever the skew (redrawing until k distinct
// came up never ended for k near the number of experts under a steep Zipf).
class ExpertSampler {
 public:
  explicit ExpertSampler(const std::vector<double>& weight)
      : weight_(weight), tree_(weight.size() + 1, 0.0), taken_(weight.size(), false) {
    for (size_t i = 0; i < weight.size(); ++i) add(i, weight[i]);
  }

  // k distinct experts into `chosen`; the tree is whole again afterwards.
  void pick(std::mt19937_64& gen, size_t k, std::vector<size_t>& chosen) {
    chosen.clear();
    for (size_t j = 0; j < k; ++j) {
      const double total = prefix(weight_.size());
      size_t e = weight_.size();
      if (total > 0) e = find(std::uniform_real_distribution<double>(0.0, total)(gen));
      // Rounding (or weights that underflowed to 0) can land on a taken expert or past the
      // end: take the next free one, so the draw always ends.
      while (e >= weight_.size() || taken_[e]) e = e >= weight_.size() ? 0 : e + 1;
      taken_[e] = true;
      add(e, -weight_[e]);
      chosen.push_back(e);
    }
    for (size_t e : chosen) {
      taken_[e] = false;
      add(e, weight_[e]);
    }
  }

 private:
  void add(size_t i, double w) {
    for (size_t x = i + 1; x < tree_.size(); x += x & (~x + 1)) tree_[x] += w;
  }
  double prefix(size_t n) const {  // the weight of experts 0 .. n-1
    double sum = 0;
    for (size_t x = n; x > 0; x -= x & (~x + 1)) sum += tree_[x];
    return sum;
  }
  size_t find(double u) const {  // the expert whose weight interval holds u
    size_t pos = 0;
    size_t bit = 1;
    while (bit * 2 < tree_.size()) bit *= 2;
    for (; bit > 0; bit /= 2)
      if (pos + bit < tree_.size() && tree_[pos + bit] <= u) {
        pos += bit;
        u -= tree_[pos];
      }
    return pos;  // 0-based expert index
  }

  const std::vector<double>& weight_;
  std::vector<double> tree_;
  std::vector<bool> taken_;
};

}  // namespace

size_t routerBytes(const PatternOptions& o, int p) {
  const auto experts = static_cast<size_t>(o.experts > 0 ? o.experts : p);
  const auto up = static_cast<size_t>(p);
  // weights, tree, order, per-source load: 8 bytes each per expert; the p x p matrix and layout
  return experts * 4 * sizeof(double) + up * up * sizeof(size_t) + 4 * up * sizeof(size_t);
}

size_t routedBytesBound(const PatternOptions& o, int p, size_t bytes, DataType type) {
  const size_t tokenBytes = static_cast<size_t>(o.hidden) * elementSize(type);
  const auto experts = static_cast<double>(o.experts > 0 ? o.experts : p);
  const double tokens = static_cast<double>(bytes / tokenBytes);
  // Each token goes to k experts, each expert takes at most its capacity from a rank.
  const double capacity = std::ceil(o.capacityFactor * tokens * o.topK / experts);
  const double sent =
      std::min(tokens * o.topK, capacity * experts) * static_cast<double>(tokenBytes);
  return sent >= 1.8e19 ? SIZE_MAX : static_cast<size_t>(sent);
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
  {
    std::mt19937 orderGen(o.seed);
    std::vector<size_t> order(experts);
    for (size_t e = 0; e < experts; ++e) order[e] = e;
    std::shuffle(order.begin(), order.end(), orderGen);
    for (size_t i = 0; i < experts; ++i)
      weight[order[i]] = 1.0 / std::pow(static_cast<double>(i + 1), o.zipfS);
  }
  ExpertSampler sampler(weight);
  std::vector<size_t> load(experts, 0);
  std::vector<size_t> chosen;
  chosen.reserve(k);
  for (size_t src = 0; src < up; ++src) {
    std::mt19937_64 gen(o.seed * 1000003ULL + src);
    std::fill(load.begin(), load.end(), 0);
    for (size_t tok = 0; tok < r.tokensPerRank; ++tok) {
      sampler.pick(gen, k, chosen);
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
