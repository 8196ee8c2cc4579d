#pragma once
// Runs a real algorithm (over the in-process transport it wraps) and measures its critical path
// in α-β-γ terms with a Lamport clock of Cost per rank:
//   a step that moves data ends at max(clock at its start, each sender's clock at the start of
//   the sending step) + {1 round, max(bytes sent, bytes received) by this rank in the step};
//   a reduction adds its bytes to γ; local copies are free.
// Every component is the maximum over dependency paths of that component's sum. The largest
// clock over ranks (per component) is what an algorithm's cost() must return exactly.
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "collectives/core/cost.h"
#include "collectives/transport/inproc.h"

namespace hockney {

class CountingLedger {
 public:
  explicit CountingLedger(int size)
      : size_(size), clocks_(static_cast<size_t>(size) * size * kMaxTags) {}
  void post(int src, int dst, int tag, const Cost& clock);
  Cost take(int src, int dst, int tag);

 private:
  int size_;
  std::mutex mutex_;
  std::vector<std::deque<Cost>> clocks_;
};

class CountingTransport : public Transport {
 public:
  CountingTransport(Transport& inner, CountingLedger& ledger) : inner_(inner), ledger_(ledger) {}
  int rank() const override { return inner_.rank(); }
  int size() const override { return inner_.size(); }
  std::string_view backend() const override { return "counting"; }
  StepHandle start(std::span<const Send> sends, std::span<const Recv> recvs) override;
  void wait(StepHandle& step) override;
  void reduce(void* dst, const void* src, size_t count, DataType type, ReduceOp op) override;
  void copy(void* dst, const void* src, size_t bytes) override { inner_.copy(dst, src, bytes); }
  void barrier() override { inner_.barrier(); }
  const Cost& clock() const { return clock_; }

 private:
  Transport& inner_;
  CountingLedger& ledger_;
  Cost clock_;
};

// Runs body on `size` counting ranks and returns the componentwise maximum of their clocks.
Cost countCost(int size, const std::function<void(Transport&)>& body);

}  // namespace hockney
