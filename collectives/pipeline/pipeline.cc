#include "collectives/pipeline/pipeline.h"

#include <algorithm>

#include "collectives/core/error.h"

namespace hockney {

void checkPipelineLayout(const PipelineLayout& l, int p) {
  HOCKNEY_USAGE_CHECK(l.stages >= 1, "--stages must be at least 1, not {}", l.stages);
  HOCKNEY_USAGE_CHECK(l.stages <= p, "--stages {} needs at least {} ranks, not {}", l.stages,
                      l.stages, p);
  HOCKNEY_USAGE_CHECK(l.microbatches >= 1, "--microbatches must be at least 1, not {}",
                      l.microbatches);
  HOCKNEY_USAGE_CHECK(l.computeUs >= 0, "--compute-us must be >= 0, not {}", l.computeUs);
}

int pipelineStage(const PipelineLayout& l, int p, int rank) {
  const int pipelines = p / l.stages;
  return rank < pipelines * l.stages ? rank % l.stages : -1;
}

void setPipelinePhases(Schedule& schedule) {
  // Moves carry their direction in the tag (0 forward, 1 backward); 1F1B's paired steps carry
  // both, and their time cannot be split between the two.
  for (ScheduleStep& st : schedule) {
    bool forward = false, backward = false;
    for (const auto* moves : {&st.sends, &st.recvs})
      for (const ScheduleMove& mv : *moves) (mv.tag == 0 ? forward : backward) = true;
    st.phase = forward && backward ? kPipelinePaired
               : backward          ? kPipelineBackward
                                   : kPipelineForward;
  }
}

Schedule pipelinePlan(const PipelineLayout& l, int p, int rank, size_t act) {
  Schedule schedule;
  const int s = pipelineStage(l, p, rank);
  if (s < 0 || l.stages == 1) return schedule;  // idle, or nobody to talk to
  const int m = l.microbatches;
  const bool first = s == 0, last = s == l.stages - 1;
  const int prev = rank - 1, next = rank + 1;
  constexpr int kFwd = 0, kBwd = 1;
  // Offsets: input [fwd 0..M-1][bwd 0..M-1]; output the same for received activations.
  auto fwdSlot = [&](int i) { return static_cast<size_t>(i) * act; };
  auto bwdSlot = [&](int i) { return static_cast<size_t>(m + i) * act; };
  auto step = [&]() -> ScheduleStep& { return schedule.emplace_back(); };
  auto recvF = [&](ScheduleStep& st, int i) {
    if (!first) st.recvs.push_back({prev, fwdSlot(i), act, -1, kFwd});
  };
  auto sendF = [&](ScheduleStep& st, int i) {
    if (!last) st.sends.push_back({next, fwdSlot(i), act, -1, kFwd});
  };
  auto recvB = [&](ScheduleStep& st, int i) {
    if (!last) st.recvs.push_back({next, bwdSlot(i), act, -1, kBwd});
  };
  auto sendB = [&](ScheduleStep& st, int i) {
    if (!first) st.sends.push_back({prev, bwdSlot(i), act, -1, kBwd});
  };
  auto compute = [&](ScheduleStep& st) { st.computeUs = l.computeUs; };
  if (!l.oneFOneB) {
    for (int i = 0; i < m; ++i) {
      ScheduleStep& in = step();
      recvF(in, i);
      compute(in);
      sendF(step(), i);
    }
    for (int i = m - 1; i >= 0; --i) {
      ScheduleStep& in = step();
      recvB(in, i);
      compute(in);
      sendB(step(), i);
    }
    setPipelinePhases(schedule);
    return schedule;
  }
  const int warmup = std::min(l.stages - s - 1, m);
  const int steady = m - warmup;
  for (int i = 0; i < warmup; ++i) {
    ScheduleStep& in = step();
    recvF(in, i);
    compute(in);
    sendF(step(), i);
  }
  if (steady > 0) {
    ScheduleStep& in = step();
    recvF(in, warmup);
    compute(in);  // forward of micro-batch `warmup`
  }
  for (int i = 0; i < steady; ++i) {
    ScheduleStep& fwdOut = step();  // send forward + receive backward
    sendF(fwdOut, warmup + i);
    recvB(fwdOut, i);
    compute(fwdOut);                // backward of micro-batch i
    ScheduleStep& bwdOut = step();  // send backward (+ receive the next forward)
    sendB(bwdOut, i);
    if (i + 1 < steady) {
      recvF(bwdOut, warmup + i + 1);
      compute(bwdOut);  // its forward
    }
  }
  for (int i = steady; i < m; ++i) {
    ScheduleStep& in = step();
    recvB(in, i);
    compute(in);
    sendB(step(), i);
  }
  // Steps with neither transfers nor compute are harmless; drop them to keep replays short.
  schedule.erase(std::remove_if(schedule.begin(), schedule.end(),
                                [](const ScheduleStep& st) {
                                  return st.sends.empty() && st.recvs.empty() && st.computeUs == 0;
                                }),
                 schedule.end());
  setPipelinePhases(schedule);
  return schedule;
}

}  // namespace hockney
