#pragma once
// Runs a real algorithm (over the in-process transport it wraps) and measures its critical path
// in α-β-γ terms with a Lamport clock of Cost per rank:
//   a step that moves data ends at max(clock at its start, each sender's clock at the start of
//   the sending step) + {1 round, max(bytes sent, bytes received) by this rank in the step};
//   a reduction adds its bytes to γ; local copies are free.
// Every component is the maximum over dependency paths of that component's sum. The largest
// clock over ranks (per component) is what an algorithm's cost() must return exactly.
// With a placement (the node of every rank) the clock has two levels: a step with a peer on
// another node adds its round and bytes to `network`, others to `node`; reductions to `node`.
// That is what a hierarchical algorithm's levelCost() must return.
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
  void post(int src, int dst, int tag, const LevelCost& clock);
  LevelCost take(int src, int dst, int tag);

 private:
  int size_;
  std::mutex mutex_;
  std::vector<std::deque<LevelCost>> clocks_;
};

class CountingTransport : public Transport {
 public:
  // nodeOfRank: the node of every rank (null: one level, everything counts as `node`).
  CountingTransport(Transport& inner, CountingLedger& ledger,
                    const std::vector<int>* nodeOfRank = nullptr)
      : inner_(inner), ledger_(ledger), nodeOfRank_(nodeOfRank) {}
  int rank() const override { return inner_.rank(); }
  int size() const override { return inner_.size(); }
  std::string_view backend() const override { return "counting"; }
  StepHandle start(std::span<const Send> sends, std::span<const Recv> recvs) override;
  void wait(StepHandle& step) override;
  void reduce(void* dst, const void* src, size_t count, DataType type, ReduceOp op) override;
  void copy(void* dst, const void* src, size_t bytes) override { inner_.copy(dst, src, bytes); }
  void barrier() override { inner_.barrier(); }
  Device* device() override { return inner_.device(); }
  const LevelCost& clock() const { return clock_; }

 private:
  Transport& inner_;
  CountingLedger& ledger_;
  const std::vector<int>* nodeOfRank_;
  LevelCost clock_;
};

// The critical path in seconds with a price per level: a step ends at max(its start, each
// sender's clock at the start of the sending step) + α + max(bytes sent, received)·β of the
// widest level its peers sit at; a reduction adds bytes·γ(node). Unlike the two-level clock
// (each component's maximum over paths), it follows one path: the slowest. That is what pricing an
// algorithm whose steps mix levels (a ring across hosts with several ranks on each) needs — the
// two-level clock counts such a ring's rounds at both levels. Runs "dry": messages carry no data
// (the inner transport matches zero-byte messages) and reductions and copies do nothing, so
// buffers are never read or written and a call of any size costs only its steps.
class PricedTransport : public Transport {
 public:
  // Bytes a host sends and receives across the network per step index (recorded by a first run
  // with `record`, read by a second with `load`); both may be null.
  using HostLoad = std::vector<std::vector<std::pair<double, double>>>;  // [host][step]
  PricedTransport(Transport& inner, std::vector<std::deque<double>>& ledger, std::mutex& mutex,
                  const std::vector<int>& nodeOfRank, const LevelPrices& prices,
                  HostLoad* record = nullptr, const HostLoad* load = nullptr)
      : inner_(inner),
        ledger_(ledger),
        mutex_(mutex),
        nodeOfRank_(nodeOfRank),
        prices_(prices),
        record_(record),
        load_(load) {}
  int rank() const override { return inner_.rank(); }
  int size() const override { return inner_.size(); }
  std::string_view backend() const override { return "priced"; }
  StepHandle start(std::span<const Send> sends, std::span<const Recv> recvs) override;
  void wait(StepHandle& step) override;
  void reduce(void* dst, const void* src, size_t count, DataType type, ReduceOp op) override;
  void copy(void*, const void*, size_t) override {}
  void barrier() override { inner_.barrier(); }
  Device* device() override { return nullptr; }
  double clock() const { return clock_; }

 private:
  size_t slot(int src, int dst, int tag) const;
  Transport& inner_;
  std::vector<std::deque<double>>& ledger_;
  std::mutex& mutex_;
  const std::vector<int>& nodeOfRank_;
  const LevelPrices& prices_;
  HostLoad* record_;
  const HostLoad* load_;
  double clock_ = 0;
  size_t steps_ = 0;  // steps started: the index concurrent steps of a host share
};

// Runs body on `size` priced ranks placed by nodeOfRank and returns the largest clock (seconds).
double pricedSeconds(int size, const std::vector<int>& nodeOfRank, const LevelPrices& prices,
                     const std::function<void(Transport&)>& body);

// Runs body on `size` counting ranks and returns the componentwise maximum of their clocks.
Cost countCost(int size, const std::function<void(Transport&)>& body);
// The same with a placement: the two-level clock.
LevelCost countLevelCost(int size, const std::vector<int>& nodeOfRank,
                         const std::function<void(Transport&)>& body);

}  // namespace hockney
