#pragma once
// `hockney plan`: one layout's whole training step, from a model's dims, a GPU's figures
// (model/gpu.h) and a calibration's fits. Memory per GPU (weights, gradients and optimizer state
// by ZeRO stage; activations per Korthikanti et al. 2022 §4 for each recomputation mode, times
// the micro-batches 1F1B keeps in flight); compute per micro-batch (GEMMs at the GPU's sustained
// matmul rate, the memory-bound kernels at its HBM bandwidth); communication as `project` prices
// it; and the step: a 1F1B (or interleaved) pipeline with its bubble, tensor-, expert- and
// pipeline-parallel communication on the critical path, the data-parallel reduction overlapped
// with the last micro-batch's backward pass. Pure arithmetic over projection.h's prices.
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "model/gpu.h"
#include "model/projection.h"

namespace hockney {

// Bytes per GPU on the most loaded stage (the first: it holds the most micro-batches in flight
// and the input embedding).
struct MemoryUse {
  double params = 0;  // parameters held by this GPU before ZeRO sharding
  double weights = 0, gradients = 0, optimizer = 0, activations = 0;
  double activationsPerLayer = 0;  // one micro-batch, one layer
  double microBatchesInFlight = 0;
  double total() const { return weights + gradients + optimizer + activations; }
  nlohmann::json toJson() const;
};
// Throws UsageError for a layout the model cannot take (as iterationCommunication does).
MemoryUse memoryPerGpu(const ModelSpec& model, const Layout& layout, const TrainingOptions& o,
                       int microBatches);

// FLOPs of one step over all GPUs: model (forward and backward, 3 x the forward: 6·Ψ per token
// from the weights' GEMMs plus the attention core's), and hardware (the recomputed forward too).
struct StepFlops {
  double model = 0, hardware = 0;
};
StepFlops flopsPerStep(const ModelSpec& model, const TrainingOptions& o, long globalBatch,
                       int seqLen);

// One micro-batch on one GPU of the slowest stage (the last: it adds the output layer).
struct MicroBatchCompute {
  double gemmFlops = 0;    // forward + backward + recomputation
  double memoryBytes = 0;  // what the memory-bound kernels read and write
  double forwardS = 0, backwardS = 0, recomputeS = 0;
  double seconds() const { return forwardS + backwardS + recomputeS; }
};

struct PlanOptions {
  TrainingOptions training;
  GpuSpec gpu;
  double computeEfficiency = 0;  // of the GPU's peak for GEMMs; 0: the catalog's sustained rate
  std::string policy = "best";   // as project's --algo-policy
};

struct GroupExposure {
  double totalMs = 0;    // what the group's calls take, as project prices them
  double exposedMs = 0;  // what of it the step waits for
  std::string how;       // why that much is exposed
};

struct StepPlan {
  StepCost comm;  // the step's communication, priced by projectIteration
  GpuSpec gpu;
  double gemmEfficiency = 0;
  MemoryUse memory;
  MicroBatchCompute perMicroBatch;
  double perMicroBatchMs = 0;  // compute + critical-path communication of one micro-batch
  double computeMs = 0, bubbleMs = 0, optimizerMs = 0, exposedCommMs = 0, stepMs = 0;
  std::map<std::string, GroupExposure> exposed;  // by group
  StepFlops flops;
  double tokensPerSecond = 0, mfu = 0, hfu = 0;
  std::string bottleneck;  // compute, bubble, or the group that exposes the most
  std::vector<std::string> assumptions;
  // The group that exposes the most communication, or "-" when none exposes any.
  std::string mostExposedGroup() const;
  nlohmann::json toJson() const;
};

// Throws UsageError naming what a layout needs when it does not fit the GPU's memory.
StepPlan planStep(const ModelSpec& model, const Layout& layout, const PlanOptions& options,
                  const CalibrationSet& calibration);

}  // namespace hockney
