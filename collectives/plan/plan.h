#pragma once
// An algorithm's schedule as data. Where exact α-β-γ coefficients depend on a shape that has no
// tidy closed form (the double binary tree's two trees, a parameter server's placement, a
// pipeline schedule), the algorithm builds a Plan per rank, executes it, and its cost() replays
// all ranks' plans with the counting transport's clock rules; tests compare that replay with a
// real counting run.
#include <cstddef>
#include <vector>

#include "collectives/core/cost.h"
#include "collectives/core/datatype.h"
#include "collectives/transport/transport.h"

namespace hockney {

// Offsets and counts are in elements of the output vector, or of a scratch slot.
struct PlanMove {
  int peer;
  size_t offset;
  size_t count;
  int slot;  // receives: the scratch slot it lands in, or -1 for output[offset]
  int tag;
};

// Transfers run concurrently; then slots are copied (copies) and reduced (reduces) into the
// output; then computeUs of busy work (a pipeline stage's compute, to expose overlap).
// Sends read PlanBuffers::sendFrom (the output unless set).
struct PlanStep {
  std::vector<PlanMove> sends;  // from output[offset]
  std::vector<PlanMove> recvs;
  std::vector<PlanMove> copies;   // output[offset] = slot (peer unused)
  std::vector<PlanMove> reduces;  // output[offset] op= slot (peer unused)
  double computeUs = 0;
  int phase = 0;  // which PlanBuffers::phaseSeconds entry the step's transfer time adds to
};
using Plan = std::vector<PlanStep>;

struct PlanBuffers {
  void* output;
  void* scratch;  // slots of slotElems elements each
  size_t slotElems;
  double* phaseSeconds = nullptr;  // if set, each step's transfer + reduction time is added here
  const void* sendFrom = nullptr;  // sends read from here instead of output (e.g. the input)
};

void executePlan(Transport& t, const Plan& plan, const PlanBuffers& buffers, DataType type,
                 ReduceOp op);

// Lamport replay of every rank's plan: the counting transport's rules without moving data.
Cost replayPlans(const std::vector<Plan>& plans, size_t elemSize);

// The last plan built for a key, rebuilt only when the key changes: plan building is host work
// that must stay out of timed calls. Keep one per algorithm and thread (thread_local), so
// in-process ranks each have their own.
template <typename Key>
class PlanCache {
 public:
  template <typename Build>
  const Plan& get(const Key& key, Build&& build) {
    if (!valid_ || !(key == key_)) {
      plan_ = build();
      key_ = key;
      valid_ = true;
    }
    return plan_;
  }

 private:
  bool valid_ = false;
  Key key_{};
  Plan plan_;
};

// Busy-waits (no sleep: a GPU kernel keeps the stream busy, not the scheduler idle).
void spinMicroseconds(double us);

}  // namespace hockney
