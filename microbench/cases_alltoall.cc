// All-to-all (MoE dispatch/combine): uniform blocks, or per-peer counts from the top-k router.
// `bytes` is each rank's whole send vector (uniform, rounded to p elements) or its token payload
// before routing (topk). busbw uses nccl-tests' (p-1)/p on the busiest rank's volume.
#include <fmt/format.h>

#include <algorithm>

#include "collectives/alltoall/alltoall.h"
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

double alltoallBusFactor(int p) {
  return p > 1 ? static_cast<double>(p - 1) / p : 0.0;
}

const AlltoallState& stateOf(const void* s) {
  return *static_cast<const AlltoallState*>(s);
}

BlockShape uniformShape(const CaseShape& s) {
  return BlockShape{s.ranks, s.count / static_cast<size_t>(s.ranks), s.type, s.op};
}

std::shared_ptr<const void> prepareAlltoall(const CaseShape& s, int rank) {
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
  return st;
}

BenchCase alltoallBase(std::string algorithm, std::string summary) {
  BenchCase c = baseCase("alltoall", std::move(algorithm), std::move(summary), alltoallBusFactor);
  c.effectiveBytes = [](size_t requested, int p, DataType type, const PatternOptions& o) {
    // uniform: whole blocks for p ranks; topk: whole tokens of `hidden` elements
    const size_t unit = o.routing == "uniform" ? static_cast<size_t>(p) * elementSize(type)
                                               : static_cast<size_t>(o.hidden) * elementSize(type);
    return requested / unit * unit;
  };
  c.prepare = prepareAlltoall;
  auto sum = [](const std::vector<size_t>& v) {
    size_t t = 0;
    for (size_t x : v) t += x;
    return t;
  };
  c.inputBytes = [sum](const CaseShape&, const void* st, int) {
    return sum(stateOf(st).layout.sendBytes);
  };
  c.outputBytes = [sum](const CaseShape&, const void* st, int) {
    return sum(stateOf(st).layout.recvBytes);
  };
  c.init = [sum](void* in, const CaseShape& s, const void* st, int rank) {
    fillInput(in, sum(stateOf(st).layout.sendBytes) / elementSize(s.type), s.type, ReduceOp::kSum,
              rank);
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
  return c;
}

}  // namespace

const AlltoallvLayout& alltoallLayoutOf(const void* st) {
  return stateOf(st).layout;
}

std::vector<BenchCase> alltoallCases() {
  std::vector<BenchCase> cases;
  for (const BlockAlgorithm& a : alltoallAlgorithms()) {
    BenchCase c = alltoallBase(std::string(a.name), std::string(a.summary));
    const BlockAlgorithm* algo = &a;
    const bool pairwise = a.name == "pairwise";
    c.scratchBytes = [algo](const CaseShape& s, const void*, int) {
      return algo->scratch(uniformShape(s));
    };
    c.run = [algo, pairwise](Transport& t, const CaseShape& s, const CaseBuffers& b) {
      if (pairwise && s.opts->routing != "uniform")
        pairwiseAlltoallv(t, stateOf(b.state).layout, b.input, b.output);
      else
        algo->run(t, uniformShape(s), b.input, b.output, b.scratch);
    };
    c.cost = [algo](const CaseShape& s, const void* st) {
      if (s.opts->routing != "uniform")
        return std::optional<Cost>(pairwiseAlltoallvCost(stateOf(st).routing.bytes));
      return std::optional<Cost>(algo->cost(uniformShape(s)));
    };
    if (!pairwise)
      c.unavailable = [](const PatternOptions& o, int) -> std::optional<std::string> {
        if (o.routing != "uniform")
          return std::string("bruck moves equal blocks only (--routing uniform)");
        return std::nullopt;
      };
    cases.push_back(std::move(c));
  }
  BenchCase vendor = alltoallBase("vendor", "MPI_Alltoallv of the MPI library");
  vendor.vendor = true;
  vendor.run = vendorAlltoallv;
  cases.push_back(std::move(vendor));
  return cases;
}

}  // namespace hockney
