// All-to-all (MoE dispatch/combine): uniform blocks, or per-peer counts from the top-k router.
// `bytes` is each rank's whole send vector (uniform, rounded to p elements) or its token payload
// before routing (topk). busbw uses nccl-tests' (p-1)/p on the busiest rank's volume.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <numeric>

#include "collectives/core/error.h"
#include "microbench/block_data.h"
#include "microbench/cases.h"
#include "microbench/moe_routing.h"
#include "microbench/validation.h"

namespace hockney {

// What an all-to-all point needs on every rank, built outside the timed region.
struct AlltoallState {
  RoutingResult routing;
  AlltoallvLayout layout;
  size_t busiestBytes = 0;  // the largest per-rank max(sent, received)
  double imbalance = 1;     // max / mean of bytes received per rank
};

namespace {

const AlltoallState& stateOf(const void* s) {
  return *static_cast<const AlltoallState*>(s);
}

std::shared_ptr<const void> prepareAlltoall(CaseShape& s, int rank) {
  if (s.memoryPerRank > 0 && s.opts->routing != "uniform") {
    // What routing builds and what it may send, checked before routing: 1e9 experts or
    // --top-k 1e6 were allocated (or drawn) until the job ran out of memory or time.
    const size_t router = routerBytes(*s.opts, s.ranks);
    const size_t routed = routedBytesBound(*s.opts, s.ranks, s.bytes, s.type);
    // sent and, at most as much again, received
    const double need = static_cast<double>(router) + 2 * static_cast<double>(routed);
    HOCKNEY_USAGE_CHECK(
        need <= static_cast<double>(s.memoryPerRank),
        "alltoall --routing topk at {} bytes needs up to {:.3g} GB per rank ({:.3g} "
        "GB for the router's {} experts, {:.3g} GB sent and as much received with --top-k {}); {} "
        "{:.3g} "
        "GB available per rank: choose fewer experts, a smaller --top-k or smaller "
        "sizes",
        s.bytes, need / 1e9, static_cast<double>(router) / 1e9,
        s.opts->experts > 0 ? s.opts->experts : s.ranks, static_cast<double>(routed) / 1e9,
        s.opts->topK, s.memoryWhere, static_cast<double>(s.memoryPerRank) / 1e9);
  }
  auto st = std::make_shared<AlltoallState>();
  st->routing = routeTokens(*s.opts, s.ranks, s.bytes, s.type);
  st->layout = alltoallvLayout(st->routing.bytes, rank);
  const auto p = static_cast<size_t>(s.ranks);
  size_t maxRecv = 0, totalRecv = 0;
  for (size_t q = 0; q < p; ++q) {
    size_t sent = 0, got = 0;
    for (size_t d = 0; d < p; ++d) {
      sent += st->routing.bytes[q][d];
      got += st->routing.bytes[d][q];
    }
    st->busiestBytes = std::max({st->busiestBytes, sent, got});
    maxRecv = std::max(maxRecv, got);
    totalRecv += got;
  }
  st->imbalance = totalRecv > 0 ? static_cast<double>(maxRecv) * static_cast<double>(p) /
                                      static_cast<double>(totalRecv)
                                : 1.0;
  if (s.opts->routing != "uniform") {  // own algorithms see per-peer sizes; uniform stays blocks
    s.traffic = &st->routing.bytes;
    s.layout = &st->layout;
  }
  return st;
}

void describe(BenchCase& c) {
  c.effectiveBytes = [](size_t requested, int p, DataType type, const PatternOptions& o) {
    // uniform: whole blocks for p ranks; topk: whole tokens of `hidden` elements
    const size_t unit = o.routing == "uniform" ? static_cast<size_t>(p) * elementSize(type)
                                               : static_cast<size_t>(o.hidden) * elementSize(type);
    return requested / unit * unit;
  };
  c.prepare = prepareAlltoall;
  c.init = [](void* in, const CaseShape& s, const void* st, int rank) {
    const auto& sent = stateOf(st).layout.sendBytes;
    fillInput(in, std::accumulate(sent.begin(), sent.end(), size_t{0}) / elementSize(s.type),
              s.type, ReduceOp::kSum, rank);
  };
  c.verify = [](const void* out, const CaseShape& s, const void* st,
                int rank) -> std::optional<std::string> {
    const AlltoallState& a = stateOf(st);
    const size_t es = elementSize(s.type);
    for (int q = 0; q < s.ranks; ++q) {
      // What rank q put at this rank's place in its send vector.
      size_t senderOffset = 0;
      for (int d = 0; d < rank; ++d)
        senderOffset += a.routing.bytes[static_cast<size_t>(q)][static_cast<size_t>(d)];
      const auto uq = static_cast<size_t>(q);
      if (auto bad = checkInputSlice(static_cast<const std::byte*>(out) + a.layout.recvOffset[uq],
                                     a.layout.recvBytes[uq] / es, s.type, q, senderOffset / es,
                                     "received block"))
        return fmt::format("block from rank {}: {}", q, *bad);
    }
    return std::nullopt;
  };
  c.algbwBytes = [](const CaseShape&, const void* st) { return stateOf(st).busiestBytes; };
  c.details = [](const CaseShape& s, const void* st) {
    const AlltoallState& a = stateOf(st);
    nlohmann::json d{{"routing", s.opts->routing},
                     {"imbalance", a.imbalance},
                     {"busiest_rank_bytes", a.busiestBytes}};
    if (s.opts->routing == "topk") {
      d["experts"] = s.opts->experts > 0 ? s.opts->experts : s.ranks;
      d["top_k"] = s.opts->topK;
      d["capacity_factor"] = s.opts->capacityFactor;
      d["zipf_s"] = s.opts->zipfS;
      d["hidden"] = s.opts->hidden;
      d["tokens_per_rank"] = a.routing.tokensPerRank;
      d["capacity_per_expert"] = a.routing.capacityPerExpert;
      d["dropped_tokens"] = a.routing.droppedTokens;
    }
    return d;
  };
}

// Routed traffic has per-peer sizes: what an algorithm's unavailable() must see (bruck refuses).
void probeRouted(CallShape& shape, const PatternOptions& o) {
  static const TrafficMatrix kRouted;
  if (o.routing != "uniform") shape.traffic = &kRouted;
}

constexpr std::array<std::string_view, 7> kOptions{
    "--routing", "--experts", "--top-k", "--capacity-factor", "--skew", "--hidden", "--seed"};

std::string unitName(const PatternOptions& o) {
  return o.routing == "uniform" ? "one element per rank" : "one token of --hidden elements";
}

}  // namespace

const AlltoallvLayout& alltoallLayoutOf(const void* st) {
  return stateOf(st).layout;
}

const PatternHarness& alltoallHarness() {
  static const PatternHarness kHarness{.pattern = "alltoall",
                                       .describe = describe,
                                       .checkOptions = checkRoutingOptions,
                                       .probe = probeRouted,
                                       .unitName = unitName,
                                       .options = kOptions};
  return kHarness;
}

}  // namespace hockney
