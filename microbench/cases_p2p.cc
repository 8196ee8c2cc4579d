// Point-to-point (sendrecv), parameter server (ps) and pipeline cases: the harness's data and
// checks around the registry's algorithms. None has a vendor counterpart: MPI has no
// collective for them, and their own algorithms are plain sends.
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

// ---- parameter server ----

PsLayout layoutFor(const CaseShape& s, const std::string& algorithm) {
  return psLayout(s.ranks, algorithm == "single" ? 1 : s.opts->servers,
                  s.opts->placement == "colocated");
}

// ---- pipeline ----

PipelineLayout pipeLayout(const CaseShape& s, const std::string& algorithm) {
  const PatternOptions& o = *s.opts;
  return PipelineLayout{o.stages > 0 ? o.stages : s.ranks, o.microbatches, algorithm == "1f1b",
                        o.computeUs};
}

}  // namespace

std::vector<BenchCase> sendrecvCases() {
  std::vector<BenchCase> cases = ownCases("sendrecv", baseCase("sendrecv", unitBusFactor));
  for (BenchCase& c : cases) {
    c.init = [](void* in, const CaseShape& s, const void*, int rank) {
      fillInput(in, s.count, s.type, ReduceOp::kSum, rank);
    };
    c.verify = [algorithm = c.algorithm](const void* out, const CaseShape& s, const void*,
                                         int rank) -> std::optional<std::string> {
      int peer = peerOf(algorithm, s, rank);
      if (peer < 0) return std::nullopt;
      return checkInputSlice(out, s.count, s.type, peer, 0, "received message");
    };
    c.details = [algorithm = c.algorithm](const CaseShape& s, const void*) {
      if (algorithm == "multipair") return nlohmann::json{{"pairs", s.ranks / 2}};
      return nlohmann::json{{"peers", {s.opts->peerA, s.opts->peerB}}};
    };
  }
  return cases;
}

std::vector<BenchCase> paramServerCases() {
  std::vector<BenchCase> cases = ownCases("ps", baseCase("ps", unitBusFactor));
  for (BenchCase& c : cases) {
    const std::string algorithm = c.algorithm;
    c.init = [algorithm](void* in, const CaseShape& s, const void*, int rank) {
      if (layoutFor(s, algorithm).isWorker(rank)) fillInput(in, s.count, s.type, s.op, rank);
    };
    c.verify = [algorithm](const void* out, const CaseShape& s, const void*,
                           int rank) -> std::optional<std::string> {
      PsLayout l = layoutFor(s, algorithm);
      if (!l.isWorker(rank)) return std::nullopt;  // a dedicated server keeps only its shard
      return checkReduced(out, s.count, s.type, s.op, l.workers());
    };
    c.details = [algorithm](const CaseShape& s, const void*) {
      PsLayout l = layoutFor(s, algorithm);
      return nlohmann::json{
          {"servers", l.servers}, {"workers", l.workers()}, {"placement", s.opts->placement}};
    };
  }
  return cases;
}

std::vector<BenchCase> pipelineCases() {
  std::vector<BenchCase> cases = ownCases("pipeline", baseCase("pipeline", unitBusFactor));
  for (BenchCase& c : cases) {
    const std::string algorithm = c.algorithm;
    c.init = [](void* in, const CaseShape& s, const void*, int rank) {
      fillInput(in, 2 * static_cast<size_t>(s.opts->microbatches) * s.count, s.type, ReduceOp::kSum,
                rank);
    };
    c.verify = [algorithm](const void* out, const CaseShape& s, const void*,
                           int rank) -> std::optional<std::string> {
      PipelineLayout l = pipeLayout(s, algorithm);
      const int stage = pipelineStage(l, s.ranks, rank);
      if (stage < 0) return std::nullopt;
      const auto* o = static_cast<const std::byte*>(out);
      const size_t es = elementSize(s.type);
      for (int i = 0; i < l.microbatches; ++i) {
        const auto fwd = static_cast<size_t>(i) * s.count;
        const auto bwd = static_cast<size_t>(l.microbatches + i) * s.count;
        if (stage > 0)
          if (auto bad =
                  checkInputSlice(o + fwd * es, s.count, s.type, rank - 1, fwd, "activation"))
            return fmt::format("forward micro-batch {} from stage {}: {}", i, stage - 1, *bad);
        if (stage < l.stages - 1)
          if (auto bad = checkInputSlice(o + bwd * es, s.count, s.type, rank + 1, bwd, "gradient"))
            return fmt::format("backward micro-batch {} from stage {}: {}", i, stage + 1, *bad);
      }
      return std::nullopt;
    };
    c.details = [algorithm](const CaseShape& s, const void*) {
      PipelineLayout l = pipeLayout(s, algorithm);
      return nlohmann::json{{"stages", l.stages},
                            {"pipelines", s.ranks / l.stages},
                            {"microbatches", l.microbatches},
                            {"schedule", algorithm},
                            {"compute_us", l.computeUs},
                            {"transfers_per_interior_stage", 4 * l.microbatches}};
    };
  }
  return cases;
}

}  // namespace hockney
