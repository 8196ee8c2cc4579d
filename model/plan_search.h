#pragma once
// `hockney plan --gpus N[,N...]`: every layout a model can take on N GPUs — tp (dividing the
// heads, within a node unless allowed across), pp (dividing the layers), dp, ep for MoE models
// (dividing the experts and dp), interleaving, ZeRO stage, sequence parallelism, recomputation,
// micro-batch size — with whatever the user fixed left fixed; those that do not fit the GPU's
// memory are dropped before pricing, the rest planned (plan.h) and ranked by step time, per
// fabric (one calibration set each), so two fabrics give two rankings and a ratio.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "model/plan.h"

namespace hockney {

// What the search leaves alone: a value here is fixed, nullopt is searched.
struct SearchFixed {
  std::optional<int> tp, pp, ep, interleave, zero, microBatch;
  std::optional<bool> sequenceParallel;
  std::optional<Recompute> recompute;
  bool allowCrossNodeTp = false;
  int maxMicroBatch = 32;  // micro-batch sizes searched: divisors of the replica's batch up to it
  int maxInterleave = 8;   // model chunks per stage searched
};

struct LayoutCandidate {
  Layout layout;
  TrainingOptions training;
  std::string label() const;  // "tp=8,pp=16,dp=8,v=2,zero=1,sp,recompute=selective,mb=1"
};

// Every layout of `model` on `gpus` GPUs the rules allow (each one iterationCommunication
// accepts), in a fixed order. `base` gives batch, sequence, types, bucket and GPUs per node.
std::vector<LayoutCandidate> enumerateLayouts(const ModelSpec& model, int gpus,
                                              const TrainingOptions& base,
                                              const SearchFixed& fixed);

struct RankedLayout {
  LayoutCandidate candidate;
  StepPlan plan;
};

// Whether a group of the plan was priced with another level's fits (the calibration lacks the
// level it crosses): such a ranking cannot be trusted across that level.
bool pricedWithOtherLevels(const StepPlan& plan);

struct FabricRanking {
  std::string fabric;
  std::vector<RankedLayout> ranked;  // fastest first
};

struct GpuCountSearch {
  int gpus = 0;
  long enumerated = 0, prunedByMemory = 0, priced = 0;
  double smallestMemoryBytes = 0;      // the least any enumerated layout needs (what to say when
  std::string smallestMemoryLayout;    // none fits)
  std::vector<FabricRanking> fabrics;  // in the order given
};

// Each fabric's best layout against the first fabric's, at one GPU count (fabrics with no
// layout that fits left out).
struct FabricComparison {
  std::string a, b;           // fabric names: a is the first given
  const RankedLayout* bestA;  // the fastest layout on each
  const RankedLayout* bestB;
  double aOverB() const { return bestA->plan.stepMs / bestB->plan.stepMs; }
  bool bestLayoutChanges() const { return bestA->candidate.label() != bestB->candidate.label(); }
};
std::vector<FabricComparison> compareFabrics(const GpuCountSearch& count);

struct NamedCalibration {
  std::string name;
  CalibrationSet calibration;
};

struct SearchReport {
  ModelSpec model;
  GpuSpec gpu;
  SearchFixed fixed;
  std::vector<GpuCountSearch> counts;
  std::vector<std::string> fabricNames;
  std::vector<nlohmann::json> fabricSources;
  double seconds = 0;  // the search's own wall time
  std::string createdAt;
  nlohmann::json toJson() const;
};

// Throws UsageError when no GPU count has a layout that fits, naming the smallest memory per GPU
// a layout would need.
SearchReport searchLayouts(const ModelSpec& model, const std::vector<int>& gpuCounts,
                           const PlanOptions& base, const SearchFixed& fixed,
                           const std::vector<NamedCalibration>& fabrics);

}  // namespace hockney
