// Pipeline: each stage sends closed-form activations forward and gradients back; every stage
// checks what its neighbours sent. MPI has no collective for it.
#include <fmt/format.h>

#include "collectives/pipeline/pipeline.h"
#include "microbench/block_data.h"
#include "microbench/cases.h"
#include "microbench/validation.h"

namespace hockney {
namespace {

PipelineLayout pipeLayout(const CaseShape& s, bool oneForwardOneBackward) {
  const PatternOptions& o = *s.opts;
  return PipelineLayout{o.stages > 0 ? o.stages : s.ranks, o.microbatches, oneForwardOneBackward,
                        o.computeUs};
}

std::optional<std::string> verifyStages(const void* out, const CaseShape& s, bool oneF1b,
                                        int rank) {
  const PipelineLayout l = pipeLayout(s, oneF1b);
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
}

}  // namespace

const PatternHarness& pipelineHarness() {
  static const PatternHarness kHarness{
      .pattern = "pipeline",
      .describe =
          [](BenchCase& c) {
            const bool oneF1b = c.algorithm == "1f1b";
            c.init = [](void* in, const CaseShape& s, const void*, int rank) {
              fillInput(in, 2 * static_cast<size_t>(s.opts->microbatches) * s.count, s.type,
                        ReduceOp::kSum, rank);
            };
            c.verify = [oneF1b](const void* out, const CaseShape& s, const void*, int rank) {
              return verifyStages(out, s, oneF1b, rank);
            };
            c.details = [oneF1b, algorithm = c.algorithm](const CaseShape& s, const void*) {
              const PipelineLayout l = pipeLayout(s, oneF1b);
              return nlohmann::json{{"stages", l.stages},
                                    {"pipelines", s.ranks / l.stages},
                                    {"microbatches", l.microbatches},
                                    {"schedule", algorithm},
                                    {"compute_us", l.computeUs},
                                    {"transfers_per_interior_stage", 4 * l.microbatches}};
            };
          },
      .notes =
          [](const PatternOptions& o, int ranks) {
            std::vector<std::string> notes;
            const int stages = o.stages > 0 ? o.stages : ranks;
            if (ranks % stages != 0)
              notes.push_back(fmt::format(
                  "{} ranks hold {} pipeline(s) of {} stages; ranks {}..{} idle (they take part in "
                  "no transfer)",
                  ranks, ranks / stages, stages, ranks / stages * stages, ranks - 1));
            return notes;
          }};
  return kHarness;
}

}  // namespace hockney
