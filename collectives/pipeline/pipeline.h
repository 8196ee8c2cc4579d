#pragma once
// Pipeline-parallel stage traffic: ranks form chains of S stages (several pipelines side by
// side when p > S; ranks beyond the last whole pipeline idle). Each micro-batch's activation
// (n bytes) goes forward stage to stage and its gradient comes back, in GPipe order (all
// forwards, then all backwards) or 1F1B order (Narayanan et al. 2021: warm-up forwards, then
// one forward one backward, then cool-down), with optional busy compute per micro-batch.
// 1F1B pairs "send forward + receive backward" and "send backward + receive forward" in one
// step, as Megatron does, so the schedule cannot deadlock.
// Cost: per boundary and micro-batch α + n·β each way; cost() replays the schedule.
// Buffers (elements, per rank): the input holds M forward then M backward activations to send;
// the output receives M forward then M backward activations.
#include "collectives/schedule/schedule.h"

namespace hockney {

struct PipelineLayout {
  int stages = 1;
  int microbatches = 1;
  bool oneFOneB = true;
  double computeUs = 0;
};

// Throws UsageError for impossible layouts (S > p, S < 1, M < 1).
void checkPipelineLayout(const PipelineLayout& l, int p);
// Stage of a rank, or -1 for an idle rank.
int pipelineStage(const PipelineLayout& l, int p, int rank);
// ScheduleStep::phase of a pipeline's steps: which way its transfers go (the step's time is added
// to that phase's clock; see the pattern's phases in entries.cc).
inline constexpr int kPipelineForward = 0, kPipelineBackward = 1, kPipelinePaired = 2;
void setPipelinePhases(Schedule& schedule);

Schedule pipelinePlan(const PipelineLayout& l, int p, int rank, size_t actElems);

}  // namespace hockney
