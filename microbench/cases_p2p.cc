// Point-to-point (sendrecv), parameter server (ps) and pipeline cases. None has a vendor
// counterpart: MPI has no collective for them, and their own algorithms are plain sends.
#include <fmt/format.h>

#include "collectives/param_server/param_server.h"
#include "collectives/pipeline/pipeline.h"
#include "collectives/sendrecv/sendrecv.h"
#include "microbench/block_data.h"
#include "microbench/cases.h"
#include "microbench/validation.h"

namespace hockney {
namespace {

double unitBusFactor(int) {
  return 1.0;
}

// ---- sendrecv: each rank sends its closed-form vector; the receiver checks the peer's ----

int peerOf(const std::string& algorithm, const CaseShape& s, int rank) {
  if (algorithm == "multipair") return multipairPartner(rank, s.ranks);
  if (rank == s.opts->peerA) return s.opts->peerB;
  if (rank == s.opts->peerB) return s.opts->peerA;
  return -1;
}

BenchCase sendrecvCase(std::string algorithm, std::string summary, double timeScale) {
  BenchCase c = baseCase("sendrecv", algorithm, std::move(summary), unitBusFactor);
  c.timeScale = timeScale;
  c.init = [](void* in, const CaseShape& s, const void*, int rank) {
    fillInput(in, s.count, s.type, ReduceOp::kSum, rank);
  };
  c.verify = [algorithm](const void* out, const CaseShape& s, const void*,
                         int rank) -> std::optional<std::string> {
    int peer = peerOf(algorithm, s, rank);
    if (peer < 0) return std::nullopt;
    return checkInputSlice(out, s.count, s.type, peer, 0, "received message");
  };
  c.cost = [](const CaseShape& s, const void*) {
    return std::optional<Cost>(Cost{1, static_cast<double>(s.bytes), 0});
  };
  c.details = [algorithm](const CaseShape& s, const void*) {
    if (algorithm == "multipair") return nlohmann::json{{"pairs", s.ranks / 2}};
    return nlohmann::json{{"peers", {s.opts->peerA, s.opts->peerB}}};
  };
  return c;
}

// ---- parameter server ----

PsLayout layoutFor(const CaseShape& s, bool single) {
  return psLayout(s.ranks, single ? 1 : s.opts->servers, s.opts->placement == "colocated");
}

BenchCase psCase(bool single) {
  BenchCase c = baseCase("ps", single ? "single" : "sharded",
                         single ? "one server reduces every worker's push (incast)"
                                : "--servers shards, each reducing its part of every push",
                         unitBusFactor);
  c.phaseNames = {"push", "pull"};
  c.scratchBytes = [single](const CaseShape& s, const void*, int) {
    PsLayout l = layoutFor(s, single);
    return static_cast<size_t>(paramServerSlots(l)) * paramServerSlotElems(l, s.count) *
           elementSize(s.type);
  };
  c.init = [single](void* in, const CaseShape& s, const void*, int rank) {
    if (layoutFor(s, single).isWorker(rank)) fillInput(in, s.count, s.type, s.op, rank);
  };
  c.verify = [single](const void* out, const CaseShape& s, const void*,
                      int rank) -> std::optional<std::string> {
    PsLayout l = layoutFor(s, single);
    if (!l.isWorker(rank)) return std::nullopt;  // a dedicated server keeps only its shard
    return checkReduced(out, s.count, s.type, s.op, l.workers());
  };
  c.run = [single](Transport& t, const CaseShape& s, const CaseBuffers& b) {
    PsLayout l = layoutFor(s, single);
    thread_local PlanCache<std::tuple<int, int, int, bool, size_t>> cache;
    const Plan& plan = cache.get(std::make_tuple(l.p, t.rank(), l.servers, l.colocated, s.count),
                                 [&] { return paramServerPlan(l, t.rank(), s.count); });
    if (l.isWorker(t.rank())) t.copy(b.output, b.input, s.bytes);
    executePlan(t, plan,
                PlanBuffers{b.output, b.scratch, paramServerSlotElems(l, s.count), b.phases},
                s.type, s.op);
  };
  c.cost = [single](const CaseShape& s, const void*) {
    PsLayout l = layoutFor(s, single);
    std::vector<Plan> plans;
    for (int r = 0; r < s.ranks; ++r) plans.push_back(paramServerPlan(l, r, s.count));
    return std::optional<Cost>(replayPlans(plans, elementSize(s.type)));
  };
  c.details = [single](const CaseShape& s, const void*) {
    PsLayout l = layoutFor(s, single);
    return nlohmann::json{
        {"servers", l.servers}, {"workers", l.workers()}, {"placement", s.opts->placement}};
  };
  if (!single)
    c.unavailable = [](const PatternOptions& o, int) -> std::optional<std::string> {
      if (o.servers < 2) return std::string("sharded needs --servers 2 or more");
      return std::nullopt;
    };
  return c;
}

// ---- pipeline ----

PipelineLayout pipeLayout(const CaseShape& s, bool oneFOneB) {
  const PatternOptions& o = *s.opts;
  return PipelineLayout{o.stages > 0 ? o.stages : s.ranks, o.microbatches, oneFOneB, o.computeUs};
}

BenchCase pipelineCase(bool oneFOneB) {
  BenchCase c = baseCase("pipeline", oneFOneB ? "1f1b" : "gpipe",
                         oneFOneB ? "one forward one backward (Megatron's paired steps)"
                                  : "all forwards, then all backwards",
                         unitBusFactor);
  c.phaseNames = {"forward_transfers", "backward_transfers"};
  auto slots = [](const CaseShape& s) {
    return 2 * static_cast<size_t>(s.opts->microbatches) * s.bytes;
  };
  c.inputBytes = [slots](const CaseShape& s, const void*, int) { return slots(s); };
  c.outputBytes = c.inputBytes;
  c.init = [](void* in, const CaseShape& s, const void*, int rank) {
    fillInput(in, 2 * static_cast<size_t>(s.opts->microbatches) * s.count, s.type, ReduceOp::kSum,
              rank);
  };
  c.verify = [oneFOneB](const void* out, const CaseShape& s, const void*,
                        int rank) -> std::optional<std::string> {
    PipelineLayout l = pipeLayout(s, oneFOneB);
    const int stage = pipelineStage(l, s.ranks, rank);
    if (stage < 0) return std::nullopt;
    const auto* o = static_cast<const std::byte*>(out);
    const size_t es = elementSize(s.type);
    for (int i = 0; i < l.microbatches; ++i) {
      const auto fwd = static_cast<size_t>(i) * s.count;
      const auto bwd = static_cast<size_t>(l.microbatches + i) * s.count;
      if (stage > 0)
        if (auto bad = checkInputSlice(o + fwd * es, s.count, s.type, rank - 1, fwd, "activation"))
          return fmt::format("forward micro-batch {} from stage {}: {}", i, stage - 1, *bad);
      if (stage < l.stages - 1)
        if (auto bad = checkInputSlice(o + bwd * es, s.count, s.type, rank + 1, bwd, "gradient"))
          return fmt::format("backward micro-batch {} from stage {}: {}", i, stage + 1, *bad);
    }
    return std::nullopt;
  };
  c.run = [oneFOneB](Transport& t, const CaseShape& s, const CaseBuffers& b) {
    PipelineLayout l = pipeLayout(s, oneFOneB);
    thread_local PlanCache<std::tuple<int, int, int, int, bool, double, size_t>> cache;
    const Plan& plan = cache.get(std::make_tuple(s.ranks, t.rank(), l.stages, l.microbatches,
                                                 oneFOneB, l.computeUs, s.count),
                                 [&] { return pipelinePlan(l, s.ranks, t.rank(), s.count); });
    executePlan(t, plan, PlanBuffers{b.output, b.scratch, 0, b.phases, b.input}, s.type, s.op);
  };
  c.cost = [oneFOneB](const CaseShape& s, const void*) {
    PipelineLayout l = pipeLayout(s, oneFOneB);
    std::vector<Plan> plans;
    for (int r = 0; r < s.ranks; ++r) plans.push_back(pipelinePlan(l, s.ranks, r, s.count));
    return std::optional<Cost>(replayPlans(plans, elementSize(s.type)));
  };
  c.details = [oneFOneB](const CaseShape& s, const void*) {
    PipelineLayout l = pipeLayout(s, oneFOneB);
    return nlohmann::json{{"stages", l.stages},
                          {"pipelines", s.ranks / l.stages},
                          {"microbatches", l.microbatches},
                          {"schedule", oneFOneB ? "1f1b" : "gpipe"},
                          {"compute_us", l.computeUs},
                          {"transfers_per_interior_stage", 4 * l.microbatches}};
  };
  return c;
}

}  // namespace

std::vector<BenchCase> sendrecvCases() {
  BenchCase pp =
      sendrecvCase("pingpong", "a sends, b returns; one-way time (half the round trip)", 0.5);
  pp.run = [](Transport& t, const CaseShape& s, const CaseBuffers& b) {
    pingpong(t, s.opts->peerA, s.opts->peerB, b.input, b.output, s.bytes);
  };
  BenchCase bi = sendrecvCase("bidirectional", "a and b send to each other at once", 1.0);
  bi.run = [](Transport& t, const CaseShape& s, const CaseBuffers& b) {
    bidirectional(t, s.opts->peerA, s.opts->peerB, b.input, b.output, s.bytes);
  };
  BenchCase mp =
      sendrecvCase("multipair", "ranks 2i and 2i+1 ping-pong at once; one-way time", 0.5);
  mp.run = [](Transport& t, const CaseShape& s, const CaseBuffers& b) {
    multipairPingpong(t, b.input, b.output, s.bytes);
  };
  return {pp, bi, mp};
}

std::vector<BenchCase> paramServerCases() {
  return {psCase(true), psCase(false)};
}

std::vector<BenchCase> pipelineCases() {
  return {pipelineCase(false), pipelineCase(true)};
}

}  // namespace hockney
