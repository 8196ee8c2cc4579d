#pragma once
// An algorithm's schedule as data. Where exact α-β-γ coefficients depend on a shape that has no
// tidy closed form (the double binary tree's two trees, a parameter server's placement, a
// pipeline schedule), the algorithm builds a Schedule per rank, executes it, and its cost() replays
// all ranks' schedules with the counting transport's clock rules; tests compare that replay with a
// real counting run.
#include <cstddef>
#include <vector>

#include "collectives/core/cost.h"
#include "collectives/core/datatype.h"
#include "collectives/transport/transport.h"

namespace hockney {

// Offsets and counts are in elements of the output vector, or of a scratch slot.
struct ScheduleMove {
  int peer;
  size_t offset;
  size_t count;
  int slot;  // receives: the scratch slot it lands in, or -1 for output[offset]
  int tag;
};

// Transfers run concurrently; then slots are copied (copies) and reduced (reduces) into the
// output; then computeUs of busy work (a pipeline stage's compute, to expose overlap).
// Sends read ScheduleBuffers::sendFrom (the output unless set).
struct ScheduleStep {
  std::vector<ScheduleMove> sends;  // from output[offset]
  std::vector<ScheduleMove> recvs;
  std::vector<ScheduleMove> copies;   // output[offset] = slot (peer unused)
  std::vector<ScheduleMove> reduces;  // output[offset] op= slot (peer unused)
  double computeUs = 0;
  int phase = 0;  // which ScheduleBuffers::phaseSeconds entry the step's transfer time adds to
};
using Schedule = std::vector<ScheduleStep>;

struct ScheduleBuffers {
  void* output;
  void* scratch;  // slots of slotElems elements each
  size_t slotElems;
  double* phaseSeconds = nullptr;  // if set, each step's transfer + reduction time is added here
  const void* sendFrom = nullptr;  // sends read from here instead of output (e.g. the input)
};

void executeSchedule(Transport& t, const Schedule& schedule, const ScheduleBuffers& buffers,
                     DataType type, ReduceOp op);

// Lamport replay of every rank's schedule: the counting transport's rules without moving data.
Cost replaySchedules(const std::vector<Schedule>& schedules, size_t elemSize);

// The last schedule built for a key, rebuilt only when the key changes: schedule building is host
// work that must stay out of timed calls. Keep one per algorithm and thread (thread_local), so
// in-process ranks each have their own.
template <typename Key>
class ScheduleCache {
 public:
  template <typename Build>
  const Schedule& get(const Key& key, Build&& build) {
    if (!valid_ || !(key == key_)) {
      schedule_ = build();
      key_ = key;
      valid_ = true;
    }
    return schedule_;
  }

 private:
  bool valid_ = false;
  Key key_{};
  Schedule schedule_;
};

// Busy-waits (no sleep: a GPU kernel keeps the stream busy, not the scheduler idle).
void spinMicroseconds(double us);

}  // namespace hockney
