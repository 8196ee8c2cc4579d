// The pipeline schedules, as the registry lists them: gpipe and 1f1b, both the schedule of
// pipeline.cc. count = one micro-batch's activation; the buffers hold 2·M of them (M forward,
// then M backward).
#include <array>
#include <tuple>

#include "collectives/core/checked.h"
#include "collectives/core/error.h"
#include "collectives/pipeline/pipeline.h"
#include "collectives/registry.h"

namespace hockney {
namespace {

template <bool OneFOneB>
PipelineLayout layoutOf(const CallShape& s) {
  const PatternParams& o = s.options();
  return PipelineLayout{o.stages > 0 ? o.stages : s.ranks, o.microbatches, OneFOneB, o.computeUs};
}

template <bool OneFOneB>
void run(Transport& t, const CallShape& s, const CallBuffers& b) {
  const PipelineLayout l = layoutOf<OneFOneB>(s);
  thread_local ScheduleCache<std::tuple<int, int, int, int, double, size_t>> cache;
  const Schedule& schedule =
      cache.get(std::make_tuple(s.ranks, t.rank(), l.stages, l.microbatches, l.computeUs, s.count),
                [&] { return pipelinePlan(l, s.ranks, t.rank(), s.count); });
  executeSchedule(t, schedule, ScheduleBuffers{b.output, b.scratch, 0, b.phases, b.input}, s.type,
                  s.op);
}

template <bool OneFOneB>
Cost cost(const CallShape& s) {
  const PipelineLayout l = layoutOf<OneFOneB>(s);
  std::vector<Schedule> schedules;
  for (int r = 0; r < s.ranks; ++r) schedules.push_back(pipelinePlan(l, s.ranks, r, s.count));
  return replaySchedules(schedules, elementSize(s.type));
}

size_t microbatchSlots(const CallShape& s, int) {
  return checkedMul(2 * static_cast<size_t>(s.options().microbatches), s.bytes(),
                    "pipeline buffers (2 x micro-batches x size)");
}

constexpr std::array kAlgorithms{
    Algorithm{"pipeline", "gpipe", "all forwards, then all backwards", run<false>, cost<false>,
              noScratch},
    Algorithm{"pipeline", "1f1b", "one forward one backward (Megatron's paired steps)", run<true>,
              cost<true>, noScratch},
};

// Indexed by kPipelineForward, kPipelineBackward, kPipelinePaired.
constexpr std::array<std::string_view, 3> kPhases{"forward_transfers", "backward_transfers",
                                                  "paired_transfers"};
constexpr std::array<std::string_view, 4> kOptions{"--stages", "--microbatches", "--schedule",
                                                   "--compute-us"};

void check(const PatternParams& o, int p) {
  HOCKNEY_USAGE_CHECK(o.schedule == "gpipe" || o.schedule == "1f1b",
                      "unknown --schedule '{}' (expected gpipe or 1f1b)", o.schedule);
  checkPipelineLayout(PipelineLayout{o.stages > 0 ? o.stages : p, o.microbatches,
                                     o.schedule == "1f1b", o.computeUs},
                      p);
}

// Calibrated as one PP boundary of a step: two stages, 1F1B (Megatron's schedule), a few
// micro-batches (the cost counts the passes' messages, so a fit prices any number of them).
void calibrationOptions(PatternParams& o) {
  o.stages = 2;
  o.microbatches = 8;
  o.schedule = "1f1b";
}

}  // namespace

const Pattern& pipelinePattern() {
  static const Pattern kPattern{"pipeline",
                                "activations forward and gradients back between stages",
                                microbatchSlots,
                                microbatchSlots,
                                check,
                                kPhases,
                                kAlgorithms,
                                {.reference = "gpipe",
                                 .vendors = {},
                                 .options = kOptions,
                                 .calibrated = "1f1b",
                                 .calibrationOptions = calibrationOptions}};
  return kPattern;
}

}  // namespace hockney
