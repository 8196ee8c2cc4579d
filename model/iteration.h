#pragma once
// A training iteration's communication, per GPU, from a model's dims and a parallel layout:
// tensor-parallel all-reduces (Shoeybi et al. 2019; Narayanan et al. 2021 §3.2), or their
// reduce-scatter + all-gather with sequence parallelism (Korthikanti et al. 2022), pipeline
// sends per micro-batch and stage boundary, the data-parallel gradient all-reduce of Ψ/(t·p)
// parameters or its ZeRO forms (Rajbhandari et al. 2020), and MoE all-to-alls (Lepikhin et al.
// 2020). Pure arithmetic, so every volume can be checked by hand; pricing it is projection.h's.
#include <string>
#include <string_view>
#include <vector>

#include "collectives/core/datatype.h"
#include "model/catalog.h"

namespace hockney {

inline constexpr long long kMaxLayoutGpus = 1 << 24;  // 16.8 M GPUs

struct Layout {
  int tp = 1, pp = 1, dp = 1, ep = 1;
  // Innermost first: consecutive GPUs form the first dimension's groups.
  std::vector<std::string> order{"tp", "pp", "dp"};
  int gpus() const { return tp * pp * dp; }
};

// "tp=8,pp=16,dp=8[,ep=4]"; throws UsageError.
Layout parseLayout(const std::string& text);
// "tp,pp,dp" (innermost first); throws UsageError.
std::vector<std::string> parseOrder(const std::string& text);

// Activation recomputation (Korthikanti et al. 2022 §5): none keeps every activation; selective
// recomputes the attention core (QK^T, softmax, dropout, attention over V) in the backward pass,
// no collective again; full keeps each layer's input and runs its forward again, collectives too.
enum class Recompute { kNone, kSelective, kFull };
std::string_view name(Recompute r);
// "none" | "selective" | "full"; throws UsageError.
Recompute parseRecompute(std::string_view text);

struct TrainingOptions {
  int gpusPerNode = 8;
  long globalBatch = 0;  // sequences; 0: the model's documented batch, else an error
  int microBatch = 1;
  int seqLen = 0;  // 0: the model's
  int zero = 0;    // 0..3
  bool sequenceParallel = false;
  Recompute recompute = Recompute::kNone;
  // Model chunks per pipeline stage (interleaved 1F1B, Narayanan et al. 2021 §2.2): each
  // micro-batch crosses every stage v times, so a GPU sends v times the messages; 1: plain 1F1B.
  int interleave = 1;
  DataType dtype = DataType::kBfloat16;     // activations and parameters
  DataType gradDtype = DataType::kFloat32;  // gradients as reduced
  double capacityFactor = 1.25;
  // Gradient buckets: data-parallel items (DP, EDP) are reduced as calls of this many bytes
  // (the last one the remainder), as frameworks do: PyTorch DDP's default bucket_cap_mb is 25
  // (MiB); Megatron's and DeepSpeed's are configurable. 0: one call of the whole item.
  double bucketBytes = kDefaultBucketBytes;
  static constexpr double kDefaultBucketBytes = 25.0 * 1024 * 1024;
};

struct CommItem {
  std::string group;    // TP, PP, DP, EP, EDP (expert data parallel), EMB (tied embeddings)
  std::string pattern;  // allreduce, reduce_scatter, allgather, alltoall, pipeline
  std::string purpose;
  int ranks = 0;     // group size
  double bytes = 0;  // per collective (the whole vector, as hockney's rows report it)
  double count = 0;  // per GPU per step
  DataType dtype = DataType::kBfloat16;
  // Pipeline items: the micro-batches of one 1F1B pass between two neighbouring stages. `bytes`
  // is one activation, `count` the 2·M messages (M forward, M backward) a GPU sends per step,
  // and a message is priced as the pass's time over its 2·M messages: a pipeline's sends come
  // from a different micro-batch's buffer each, and in 1F1B's steady state go both ways at once.
  int microbatches = 0;
  bool pipelined() const { return microbatches > 0; }
  // Data-parallel items (DP, EDP): what --bucket splits.
  bool dataParallel() const { return group == "DP" || group == "EDP"; }
  // Gradients reduced (or weights gathered) once the backward pass has them, off the
  // micro-batches' critical path: the data-parallel groups and the tied embeddings.
  bool afterBackward() const { return dataParallel() || group == "EMB"; }
  // Calls of the item in one step, summed over buckets: bytes * count.
  double stepBytes() const { return bytes * count; }
};

// `item` as calls of at most `bucketBytes` (whole elements): the full buckets, then the
// remainder, with the same total bytes. bucketBytes 0, or an item no larger: the item itself.
std::vector<CommItem> bucketed(const CommItem& item, double bucketBytes);

struct IterationComm {
  long globalBatch = 0;
  int microBatches = 0;  // per pipeline: B / (b · dp)
  int seqLen = 0;
  double denseParams = 0, expertParams = 0;
  std::vector<CommItem> items;
  std::vector<std::string> assumptions;
};

// Sequences per step: --global-batch, else the model's documented batch; throws UsageError when
// neither is known.
long globalBatchOf(const ModelSpec& model, const TrainingOptions& o);

// Throws UsageError for layouts that do not fit the model (heads % tp, layers % pp, batch %
// (dp · micro-batch), ep | dp, ep <= experts, ...).
IterationComm iterationCommunication(const ModelSpec& model, const Layout& layout,
                                     const TrainingOptions& o);

}  // namespace hockney
